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
    "BranchPointGroup",
    "BranchPointGroupSummary",
    "BranchSuggestion",
    "Budget",
    "BudgetWarning",
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
    "SendPreview",
    "Spent",
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


class Budget(TypedDict, total=False):
    """A branch's or conversation's spending cap. In an update, a field left out keeps its
    value and a limit set to None is removed; ``budget: None`` removes the whole budget."""

    maxTokens: int | None
    maxCost: float | None  # USD
    warnAt: float  # the fraction of a limit at which the warning comes; 0.8 by default


class Spent(TypedDict):
    """Prompt + completion tokens of every model call charged, and their cost (USD)."""

    tokens: int
    cost: float


class BudgetWarning(TypedDict):
    """A budget reached its ``warnAt`` fraction (once per crossing)."""

    budget: Literal["branch", "conversation"]
    id: str
    fraction: float
    limit: Budget
    spent: Spent


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
    pinnedMessageIds: list[str]
    excludedMessageIds: list[str]
    budgetWarning: BudgetWarning
    checkpointCatchUp: Literal["waited", "inline"] | None


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
    pinned: bool
    excluded: bool
    metadata: MessageMetadata | None


class SendPreview(TypedDict):
    """A branch's next send, counted and priced before it is made (``branches.preview``).

    ``promptTokens``: the prompt the send would give the model, the question included;
    ``estimatedCost``: its price in USD (None: the model has none), the reply not
    included; ``contextWindow``: the model's, in tokens; ``checkpointCatchUp``: the send
    writes a checkpoint first (it outran the automatic ones), counted here.
    """

    promptTokens: int
    estimatedCost: float | None
    contextMessageCount: int
    checkpointUsed: bool
    checkpointId: str | None
    checkpointCatchUp: bool
    truncated: bool
    contextWindow: int
    model: str
    contextMode: ContextMode
    pinnedMessageIds: list[str]
    excludedMessageIds: list[str]


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
    budget: Budget | None
    spent: Spent


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
    budget: Budget | None
    spent: Spent


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
    budget: Budget | None  # the new branch's own


class ForkConversationRequest(TypedDict, total=False):
    forkPointMessageId: str
    title: str
    description: str | None
    contextMode: ContextMode | None
    budget: Budget | None  # the new branch's own


class TreeNode(TypedDict, total=False):
    id: str
    content: str
    role: str
    parentMessageId: str | None
    pinned: bool
    excluded: bool
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
    """One server-sent event: ``content`` (a delta), ``complete`` or ``error``; a ``status``
    event with ``status: "budget_warning"`` and ``budgetWarning`` just before ``complete``
    when the reply brought a budget to its warning fraction."""

    type: str
    status: str
    budgetWarning: BudgetWarning
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


class BranchPointGroup(TypedDict):
    """The branch point a suggestion is one option of, read as a whole ("A or B")."""

    id: str
    type: str
    triggerText: str
    branchPoint: BranchPoint


class BranchPointGroupSummary(BranchPointGroup):
    suggestionIds: list[str]


class BranchSuggestion(TypedDict):
    """The official fields, then this server's: the suggestion's family (``type``), every
    option of its branch point, the first message of a branch made from it, and the
    branch point (``group``) it belongs to."""

    id: str
    title: str
    description: str
    triggerText: str
    branchPoint: BranchPoint
    confidence: float
    reasoning: str
    estimatedDivergence: Literal["low", "medium", "high"]
    type: NotRequired[str]
    options: NotRequired[list[str]]
    firstPrompt: NotRequired[str]
    group: NotRequired[BranchPointGroup]


class ReviewCounts(TypedDict):
    """What a hybrid detection's reviewing model did to the pattern suggestions."""

    confirmed: int
    rejected: int
    split: int
    merged: int
    added: int
    ignored: int  # operations that could not be applied


class SuggestionMetadata(TypedDict):
    """``groups``: the branch points of the suggestions given, each with its suggestions'
    ids; ``fallbackReason``: why a hybrid detection fell back to patterns alone;
    ``review``: what the reviewing model did to the candidates."""

    detectionMethod: Literal["pattern", "hybrid", "llm"]
    totalBranchPointsFound: int
    modelUsed: str | None
    groups: NotRequired[list[BranchPointGroupSummary]]
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
    "budget.warning",
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
