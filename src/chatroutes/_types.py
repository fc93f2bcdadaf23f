"""Typed shapes of requests and results: TypedDicts, as in chatroutes 0.2.6.

Results are plain ``dict`` objects typed as these TypedDicts. That is exactly what the
official SDK returns, so every existing line of code (``conv["id"]``, ``.get(...)``,
``json.dumps(result)``, ``result == other``) keeps working, results stay JSON as the
server sent it (unknown keys included), and a type checker still knows each key. Keys
the official types did not have are added as optional; none was removed or retyped.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

__all__ = [
    "Billing",
    "Branch",
    "BranchPoint",
    "BranchSuggestion",
    "Checkpoint",
    "CheckpointCreateRequest",
    "CheckpointListResponse",
    "ContextMode",
    "Conversation",
    "ConversationExport",
    "ConversationTree",
    "ConversationTreeMetadata",
    "CreateBranchRequest",
    "CreateConversationRequest",
    "ForkConversationRequest",
    "HealthResponse",
    "ListConversationsParams",
    "MergeResult",
    "MergeStrategy",
    "Message",
    "MessageMetadata",
    "ModelInfo",
    "ModelList",
    "PaginatedResponse",
    "ParallelCandidate",
    "ParallelResponseRequest",
    "ParallelResponseSession",
    "Plan",
    "PlanList",
    "Pricing",
    "RecreateResult",
    "SendMessageRequest",
    "SendMessageResponse",
    "StreamChunk",
    "SuggestBranchesRequest",
    "SuggestBranchesResponse",
    "SuggestionMetadata",
    "TreeNode",
    "Usage",
    "UsageReport",
    "UsageSummary",
    "UsageTotals",
    "Webhook",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookDeliveryPage",
    "WebhookEvent",
    "WebhookEventType",
]

ContextMode = Literal["FULL", "PARTIAL", "MINIMAL", "NONE"]
MergeStrategy = Literal["append", "replace", "cherry-pick"]


# --- conversations, messages, branches (the official ``types/conversation.py``) ----------


class MessageMetadata(TypedDict, total=False):
    model: str
    temperature: float
    maxTokens: int
    responseTime: float
    finishReason: str
    cost: float
    context_truncated: bool | None
    checkpoint_used: bool | None
    prompt_tokens: int | None
    context_message_count: int | None


class Message(TypedDict, total=False):
    id: str
    conversationId: str
    branchId: str | None
    parentMessageId: str | None
    role: Literal["user", "assistant", "system"]
    content: str
    model: str | None
    tokenCount: int | None
    createdAt: str
    contentHash: str
    editedFrom: str | None
    metadata: MessageMetadata | None


class Branch(TypedDict, total=False):
    id: str
    conversationId: str
    parentBranchId: str | None
    forkPointMessageId: str | None
    title: str
    description: str | None
    contextMode: ContextMode | None
    isMain: bool
    isActive: bool
    archived: bool
    checkpointId: str | None
    createdAt: str
    updatedAt: str | None
    messageCount: int | None


class Conversation(TypedDict, total=False):
    id: str
    userId: str
    title: str
    model: str
    systemPrompt: str | None
    temperature: float | None
    maxTokens: int | None
    archived: bool
    createdAt: str
    updatedAt: str
    messageCount: int
    totalMessages: int
    branchCount: int
    messages: list[Message] | None
    branches: list[Branch] | None


class CreateConversationRequest(TypedDict, total=False):
    title: str
    model: str | None
    systemPrompt: str | None
    temperature: float | None
    maxTokens: int | None


class Usage(TypedDict, total=False):
    promptTokens: int
    completionTokens: int
    totalTokens: int


class SendMessageRequest(TypedDict, total=False):
    content: str
    model: str | None
    temperature: float | None
    maxTokens: int | None
    branchId: str | None
    parentMessageId: str | None


class SendMessageResponse(TypedDict):
    message: Message
    usage: dict[str, Any]
    model: str
    userMessage: NotRequired[Message]
    assistantMessage: NotRequired[Message]
    branchId: NotRequired[str]
    branch: NotRequired[Branch]


class CreateBranchRequest(TypedDict, total=False):
    title: str
    baseNodeId: str | None
    forkPointMessageId: str | None
    description: str | None
    contextMode: ContextMode | None


class ForkConversationRequest(TypedDict, total=False):
    forkPointMessageId: str
    title: str
    description: str | None
    contextMode: ContextMode | None


class TreeNode(TypedDict, total=False):
    id: str
    content: str
    role: str
    parentMessageId: str | None
    children: list[TreeNode]
    branchInfo: dict[str, Any] | None


class ConversationTreeMetadata(TypedDict):
    totalNodes: int
    totalBranches: int
    maxDepth: int


class ConversationTree(TypedDict):
    conversation: Conversation
    tree: TreeNode
    metadata: ConversationTreeMetadata
    mainBranch: NotRequired[Branch]
    branches: NotRequired[list[dict[str, Any]]]


class ListConversationsParams(TypedDict, total=False):
    page: int | None
    limit: int | None
    filter: Literal["all", "owned", "shared"] | None


class PaginatedResponse(TypedDict):
    data: list[Any]
    total: int
    page: int
    limit: int
    hasNext: bool | None


class StreamChunk(TypedDict, total=False):
    """One server-sent event: ``content`` (a delta), ``complete`` or ``error``."""

    type: str
    content: str | None
    model: str | None
    message: dict[str, Any] | None
    usage: Usage
    error: str
    created: int


class MergeResult(TypedDict, total=False):
    """``branches.merge(..., full=True)``: the whole merge answer."""

    branch: Branch
    messages: list[Message]
    mergedBranch: Branch
    strategy: MergeStrategy
    preservedBranch: Branch | None


# --- checkpoints ------------------------------------------------------------------------


class Checkpoint(TypedDict, total=False):
    id: str
    conversation_id: str
    branch_id: str
    anchor_message_id: str
    summary: str
    token_count: int
    created_at: str
    conversationId: str
    branchId: str
    anchorMessageId: str
    checkpointType: Literal["manual", "auto"]
    tokenCount: int
    createdAt: str
    metadata: dict[str, Any]


class CheckpointCreateRequest(TypedDict, total=False):
    branchId: str
    anchorMessageId: str


class CheckpointListResponse(TypedDict):
    checkpoints: list[Checkpoint]


class RecreateResult(TypedDict, total=False):
    """``checkpoints.recreate(..., full=True)``: the checkpoint, new branch and its messages."""

    checkpoint: Checkpoint
    branch: Branch
    messages: list[Message]


# --- autobranch (the official ``types/autobranch.py``) -------------------------------------


class BranchPoint(TypedDict):
    start: int
    end: int


class BranchSuggestion(TypedDict):
    id: str
    title: str
    description: str
    triggerText: str
    branchPoint: BranchPoint
    confidence: float
    reasoning: str
    estimatedDivergence: Literal["low", "medium", "high"]


class ReviewCounts(TypedDict):
    """What a hybrid detection's reviewing model did to the pattern suggestions."""

    confirmed: int
    rejected: int
    split: int
    merged: int
    added: int
    ignored: int  # operations that could not be applied


class SuggestionMetadata(TypedDict):
    """``fallbackReason``: why a hybrid detection answered with patterns alone;
    ``review``: what the model did, when it reviewed."""

    detectionMethod: Literal["pattern", "hybrid", "llm"]
    totalBranchPointsFound: int
    modelUsed: str | None
    fallbackReason: NotRequired[str]
    review: NotRequired[ReviewCounts]


class SuggestBranchesRequest(TypedDict, total=False):
    text: str
    suggestionsCount: int
    hybridDetection: bool
    threshold: float
    llmModel: str | None
    llmProvider: str | None
    llmApiKey: str | None


class SuggestBranchesResponse(TypedDict):
    suggestions: list[BranchSuggestion]
    metadata: SuggestionMetadata


class HealthResponse(TypedDict):
    status: str
    version: str
    service: str


# --- beyond 0.2.6: export, usage, plans, billing, models, parallel responses -------------


class ConversationExport(TypedDict, total=False):
    """The transfer document of ``GET /conversations/{id}/export``."""

    format: str
    version: int
    exportedAt: str
    conversation: Conversation
    branches: list[Branch]
    messages: list[Message]
    checkpoints: list[Checkpoint]


class UsageTotals(TypedDict, total=False):
    promptTokens: int
    completionTokens: int
    totalTokens: int
    cost: float
    calls: int
    messages: int
    model: str
    date: str


class UsageReport(TypedDict, total=False):
    """Usage of the account, a conversation, or a branch."""

    timeframe: str
    period: dict[str, str | None]
    conversationId: str
    branchId: str | None
    totals: UsageTotals
    byModel: list[UsageTotals]
    byDay: list[UsageTotals]


class UsageSummary(TypedDict, total=False):
    tokensUsed: int
    promptTokens: int
    completionTokens: int
    costThisMonth: float
    calls: int
    byModel: list[UsageTotals]


class Pricing(TypedDict, total=False):
    pricing: dict[str, dict[str, Any]]
    currency: str


class Plan(TypedDict, total=False):
    id: str
    name: str
    price: float | None
    currency: str
    interval: str
    limits: dict[str, int | None]
    features: list[str]


class PlanList(TypedDict, total=False):
    plans: list[Plan]
    currency: str


class Billing(TypedDict, total=False):
    plan: str
    planDetails: Plan
    planChangedAt: str | None
    period: dict[str, str | None]
    calls: dict[str, int | None]
    tokens: dict[str, int | None]
    costSoFar: float
    currency: str
    billingCustomerId: str | None


class ModelInfo(TypedDict, total=False):
    id: str
    name: str
    provider: str
    upstreamId: str
    contextWindow: int
    maxOutputTokens: int
    streaming: bool
    vision: bool
    tools: bool
    available: bool
    isDefault: bool
    pricing: dict[str, Any]


class ModelList(TypedDict, total=False):
    models: list[ModelInfo]
    defaultModel: str


class ParallelResponseRequest(TypedDict, total=False):
    content: str
    models: list[str]
    count: int
    temperature: float
    maxTokens: int
    branchId: str


class ParallelCandidate(TypedDict, total=False):
    """One candidate reply of a response session."""

    id: str
    model: str
    temperature: float | None
    status: str
    content: str
    messageId: str | None
    usage: Usage
    cost: float | None
    latencyMs: int | None
    error: dict[str, Any] | None


class ParallelResponseSession(TypedDict, total=False):
    """A set of candidate replies to one prompt; ``choose`` adds ``message`` and ``branch``."""

    id: str
    conversationId: str
    branchId: str
    status: str
    userMessage: Message | None
    candidates: list[ParallelCandidate]
    chosenCandidateId: str | None
    usage: Usage
    cost: float
    message: Message
    branch: Branch


WebhookEventType = Literal[
    "message.completed",
    "branch.created",
    "branch.merged",
    "checkpoint.created",
    "conversation.deleted",
    "usage.quota_warning",
    "parallel.completed",
    "webhook.test",
]


class Webhook(TypedDict, total=False):
    """An endpoint events are sent to; ``secret`` only when made or rotated."""

    id: str
    url: str
    events: list[str]
    description: str | None
    enabled: bool
    disabledReason: str | None
    disabledAt: str | None
    consecutiveFailures: int
    createdAt: str
    updatedAt: str
    secret: str


class WebhookAttempt(TypedDict):
    at: str
    statusCode: int | None
    error: str | None
    durationMs: int


class WebhookDelivery(TypedDict, total=False):
    """One event sent to one endpoint; ``id`` is the ``webhook-id`` header."""

    id: str
    webhookId: str
    eventType: str
    status: Literal["pending", "delivered", "failed"]
    attemptCount: int
    nextAttemptAt: str | None
    lastAttemptAt: str | None
    lastStatusCode: int | None
    lastError: str | None
    createdAt: str
    deliveredAt: str | None
    attempts: list[WebhookAttempt]


class WebhookDeliveryPage(TypedDict):
    deliveries: list[WebhookDelivery]
    nextCursor: str | None


class WebhookEvent(TypedDict):
    """What a receiver gets: the event's type, when it happened, and its data."""

    type: str
    timestamp: str
    data: dict[str, Any]
