"""Response bodies as the OpenAPI schema declares them (WIRE.md shapes, camelCase).

The routers build these bodies as plain dicts (``schemas/wire.py`` and friends) and
return them directly; these models are the contract those dicts are checked against
(``tests/api/test_fuzz_openapi.py`` validates every response). Field names are the
wire names. Objects may carry more fields than listed; listed ones are required unless
they have a default, in which case they may be absent.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from .common import ContextMode

Timestamp = Annotated[
    str, Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$")
]


class Out(BaseModel):
    model_config = ConfigDict(extra="allow")


# --- envelope -------------------------------------------------------------------


class ErrorBody(Out):
    """Every failure: a stable ``error`` code, a human ``message`` and ``details``."""

    success: Literal[False]
    error: str
    message: str
    details: dict[str, Any]
    retryAfter: int | None = None


class Done(Out):
    """A DELETE or logout: ``{"success": true}`` and nothing else to say."""

    success: Literal[True]


DataT = TypeVar("DataT")


class Envelope(Out, Generic[DataT]):
    success: Literal[True]
    data: DataT


# --- stored objects ---------------------------------------------------------------


class MessageOut(Out):
    id: str
    conversationId: str
    branchId: str
    parentMessageId: str | None
    role: str
    content: str
    model: str | None
    tokenCount: int | None
    createdAt: Timestamp
    contentHash: str
    editedFrom: str | None
    metadata: dict[str, Any]


class BranchOut(Out):
    id: str
    conversationId: str
    parentBranchId: str | None
    forkPointMessageId: str | None
    headMessageId: str | None
    title: str
    description: str | None
    contextMode: ContextMode
    isMain: bool
    isActive: bool
    archived: bool
    createdAt: Timestamp
    updatedAt: Timestamp
    messageCount: int
    checkpointId: str | None


class ConversationOut(Out):
    id: str
    userId: str
    title: str
    model: str
    systemPrompt: str | None
    temperature: float
    maxTokens: int
    archived: bool
    channel: str | None
    createdAt: Timestamp
    updatedAt: Timestamp
    messageCount: int
    totalMessages: int
    branchCount: int
    branches: list[BranchOut]


class ConversationWithMessages(ConversationOut):
    messages: list[MessageOut]


class CheckpointOut(Out):
    """camelCase, plus the snake_case names the official Python SDK's types read."""

    id: str
    conversationId: str
    branchId: str
    anchorMessageId: str
    checkpointType: Literal["manual", "auto"]
    metadata: dict[str, Any]
    createdAt: Timestamp
    tokenCount: int
    summary: str
    summarizer: str
    sourceMessageCount: int
    sourceTokenCount: int
    tokensSaved: int
    conversation_id: str
    branch_id: str
    anchor_message_id: str
    token_count: int
    created_at: Timestamp


class Usage(Out):
    promptTokens: int
    completionTokens: int
    totalTokens: int


# --- meta ----------------------------------------------------------------------


class Health(Out):
    status: str
    version: str


class ServiceHealth(Health):
    service: str


class Storage(Out):
    backend: Literal["sqlite", "postgresql"]


class Status(Out):
    status: str
    version: str
    storage: Storage
    defaultModel: str
    endpoints: list[str]


class PriceOut(Out):
    inputPerMillionTokens: float | None
    outputPerMillionTokens: float | None
    currency: Literal["USD"]
    source: str


class ModelOut(Out):
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
    pricing: PriceOut


class ModelList(Out):
    models: list[ModelOut]
    defaultModel: str


# --- accounts ----------------------------------------------------------------------


class UserOut(Out):
    id: str
    email: str
    name: str | None
    plan: str
    isGuest: bool
    createdAt: Timestamp


class Tokens(Out):
    accessToken: str
    refreshToken: str
    expiresIn: int


class SessionOut(Out):
    user: UserOut
    tokens: Tokens


class GuestLimits(Out):
    tokens: int | None
    branches: int | None
    messages: int | None


class GuestInfo(Out):
    expiresAt: Timestamp | None
    limits: GuestLimits


class GuestSessionOut(SessionOut):
    guest: GuestInfo


class GuestUsed(Out):
    tokens: int
    branches: int
    messages: int


class GuestStatus(GuestInfo):
    used: GuestUsed


class RefreshedOut(Tokens):
    """The tokens at the top (the JS SDK) and under ``tokens`` (the web UI)."""

    tokens: Tokens
    user: UserOut


class MeOut(UserOut):
    """The user itself (the JS SDK) and under ``user``."""

    user: UserOut


class ApiKeyOut(Out):
    id: str
    name: str | None
    prefix: str
    createdAt: Timestamp
    lastUsedAt: Timestamp | None
    revokedAt: Timestamp | None


class NewApiKeyOut(ApiKeyOut):
    key: Annotated[str, Field(pattern=r"^cr_prod_sk_[0-9a-f]{64}$")]


class ApiKeyList(Out):
    apiKeys: list[ApiKeyOut]


class NewApiKey(Out):
    apiKey: NewApiKeyOut


# --- conversations, branches, messages ----------------------------------------------


class ConversationData(Out):
    conversation: ConversationOut


class ConversationWithMessagesData(Out):
    conversation: ConversationWithMessages


class ConversationPage(Out):
    conversations: list[ConversationOut]
    total: int
    page: int
    limit: int
    hasNext: bool


class ConversationList(Envelope[ConversationPage], ConversationPage):
    """The page under ``data`` (the JS SDK) and at the top level (the Python SDK)."""


class BranchData(Out):
    branch: BranchOut


class BranchList(Out):
    branches: list[BranchOut]


class MessageList(Out):
    messages: list[MessageOut]


class SentData(Out):
    """A send: ``message`` is the assistant's reply; ``branch`` when the send forked."""

    message: MessageOut
    userMessage: MessageOut
    assistantMessage: MessageOut
    usage: Usage
    model: str
    branchId: str
    branch: BranchOut | None = None


class StoppedData(Out):
    """A stop: ``stopped`` when this call ended the generation; ``message``, the reply."""

    stopped: bool
    message: MessageOut


class EditedData(Out):
    message: MessageOut
    branch: BranchOut | None = None


class CountedBranch(BranchOut):
    count: dict[str, int] = Field(alias="_count")


class BranchNode(Out):
    branch: CountedBranch
    children: list[BranchNode]


class BranchInfo(Out):
    branchId: str
    branchTitle: str | None
    isMain: bool


class MessageBranchInfo(BranchInfo):
    headOf: list[str]


class MessageNode(Out):
    id: str
    role: str
    content: str
    model: str | None
    parentMessageId: str | None
    createdAt: Timestamp
    branchInfo: MessageBranchInfo
    children: list[MessageNode]


class TreeRoot(Out):
    id: str
    role: Literal["root"]
    content: str
    children: list[MessageNode]
    branchInfo: BranchInfo


class TreeMetadata(Out):
    totalNodes: int
    totalBranches: int
    maxDepth: int


class TreeData(Out):
    conversation: ConversationOut
    mainBranch: BranchOut
    branches: list[BranchNode]
    tree: TreeRoot
    metadata: TreeMetadata


class MergeData(Out):
    """``branch`` is the parent merged into (the official SDK reads ``data.branch``)."""

    branch: BranchOut
    messages: list[MessageOut]
    mergedBranch: BranchOut
    strategy: Literal["append", "replace", "cherry-pick"]
    preservedBranch: BranchOut | None


class CheckpointData(Out):
    checkpoint: CheckpointOut


class CheckpointList(Out):
    checkpoints: list[CheckpointOut]


class RecreatedData(Out):
    checkpoint: CheckpointOut
    branch: BranchOut
    messages: list[MessageOut]


# --- transfer -------------------------------------------------------------------


class ConversationDocOut(Out):
    id: str
    title: str
    model: str
    systemPrompt: str | None
    temperature: float
    maxTokens: int
    archived: bool
    createdAt: Timestamp
    updatedAt: Timestamp
    channel: str | None


class BranchDocOut(Out):
    id: str
    parentBranchId: str | None
    forkPointMessageId: str | None
    headMessageId: str | None
    title: str
    description: str | None
    contextMode: ContextMode
    isMain: bool
    archived: bool
    createdAt: Timestamp
    updatedAt: Timestamp
    checkpointId: str | None


class MessageDocOut(Out):
    id: str
    branchId: str
    parentMessageId: str | None
    role: Literal["user", "assistant", "system"]
    content: str
    model: str | None
    tokenCount: int | None
    metadata: dict[str, Any]
    createdAt: Timestamp
    contentHash: str
    deletedAt: Timestamp | None
    editedFrom: str | None


class CheckpointDocOut(Out):
    id: str
    branchId: str
    anchorMessageId: str
    checkpointType: Literal["manual", "auto"]
    summary: str
    tokenCount: int
    sourceMessageCount: int
    sourceTokenCount: int
    summarizer: str
    metadata: dict[str, Any]
    createdAt: Timestamp


class ConversationDocument(Out):
    format: Literal["chatroutes.conversation"]
    version: Literal[1]
    exportedAt: Timestamp
    conversation: ConversationDocOut
    branches: list[BranchDocOut]
    messages: list[MessageDocOut]
    checkpoints: list[CheckpointDocOut]


class AccountExport(Out):
    """The profile and every conversation, each an importable document."""

    format: Literal["chatroutes.account"]
    version: Literal[1]
    exportedAt: Timestamp
    user: UserOut
    conversations: list[ConversationDocument]


class AccountDeleted(Out):
    deleted: Literal[True]


class Readiness(Out):
    status: Literal["ready"]
    checks: dict[str, str]


# --- parallel responses ---------------------------------------------------------


class CandidateOut(Out):
    id: str
    model: str
    temperature: float | None
    status: str
    content: str
    messageId: str | None
    usage: Usage
    cost: float | None
    latencyMs: float | None
    error: str | None


class ResponseSessionOut(Out):
    id: str
    conversationId: str
    branchId: str
    status: str
    userMessage: MessageOut | None
    candidates: list[CandidateOut]
    chosenCandidateId: str | None
    usage: Usage
    cost: float


class ChosenSessionOut(ResponseSessionOut):
    message: MessageOut
    branch: BranchOut | None


# --- autobranch -----------------------------------------------------------------


class BranchPoint(Out):
    start: int
    end: int


class SuggestionOut(Out):
    id: str
    title: str
    description: str
    triggerText: str
    branchPoint: BranchPoint
    confidence: Annotated[float, Field(ge=0.0, le=1.0)]
    reasoning: str
    estimatedDivergence: Literal["low", "medium", "high"]
    type: str
    options: list[str]
    firstPrompt: str


class DetectionMetadata(Out):
    detectionMethod: str
    totalBranchPointsFound: int
    modelUsed: str | None


class SuggestionsData(Out):
    suggestions: list[SuggestionOut]
    metadata: DetectionMetadata


class SuggestedBranch(BranchOut):
    suggestionId: str
    firstPrompt: str


class AutobranchData(Out):
    suggestions: list[SuggestionOut]
    branches: list[SuggestedBranch]


# --- usage and billing ----------------------------------------------------------


class Totals(Out):
    promptTokens: int
    completionTokens: int
    totalTokens: int
    cost: float
    calls: int
    messages: int


class ModelTotals(Totals):
    model: str | None


class DayTotals(Totals):
    date: str | None


class KindTotals(Totals):
    kind: str = Field(description="message, autobranch or checkpoint")


class Report(Out):
    totals: Totals
    byModel: list[ModelTotals]
    byKind: list[KindTotals] | None = None
    byDay: list[DayTotals] | None = None


class Period(Out):
    start: Timestamp | None
    end: Timestamp | None


class AccountUsage(Report):
    timeframe: str
    period: Period


class UsageSummary(Out):
    tokensUsed: int
    promptTokens: int
    completionTokens: int
    costThisMonth: float
    calls: int
    byModel: list[ModelTotals]
    byKind: list[KindTotals]


class ConversationUsage(Report):
    conversationId: str
    branchId: str | None


class BranchUsage(Report):
    branchId: str
    conversationId: str


class MessageUsageOut(Out):
    messageId: str
    conversationId: str
    branchId: str
    role: str
    model: str | None
    promptTokens: int
    completionTokens: int
    totalTokens: int
    cost: float | None
    createdAt: Timestamp
    deleted: bool


class Pricing(Out):
    pricing: dict[str, PriceOut]
    currency: Literal["USD"]


class PlanLimits(Out):
    callsPerMonth: int | None
    tokensPerMonth: int | None
    requestsPerMinute: int | None


class PlanOut(Out):
    id: str
    name: str
    price: float | None
    currency: Literal["USD"]
    interval: Literal["month"]
    limits: PlanLimits
    features: list[str]


class PlanList(Out):
    plans: list[PlanOut]
    currency: Literal["USD"]


class Allowance(Out):
    used: int
    limit: int | None
    left: int | None


class BillingOut(Out):
    plan: str
    planDetails: PlanOut
    planChangedAt: Timestamp | None
    period: Period
    calls: Allowance
    tokens: Allowance
    costSoFar: float
    currency: Literal["USD"]
    billingCustomerId: str | None


# --- the Chat API (/api/chat): data, repeated at the top level -----------------


class Source(Out):
    title: str
    url: str


class ChatReply(Out):
    response: str
    conversationId: str
    provider: str
    model: str
    messageId: str
    sources: list[Source]


class ChatAnswer(ChatReply):
    statuses: list[str]


class ChatConversationOut(Out):
    id: str
    title: str
    channel: str | None
    model: str
    createdAt: Timestamp
    updatedAt: Timestamp


class ChatConversations(Out):
    conversations: list[ChatConversationOut]


class ChatMessages(Out):
    conversationId: str
    messages: list[MessageOut]


class ChatDeleted(Out):
    conversationId: str


class ChatTruncated(Out):
    conversationId: str
    kept: int
    deleted: int


class ChatSettings(Out):
    defaultProvider: str | None


class ChatAnswerBody(Envelope[ChatAnswer], ChatAnswer):
    pass


class ChatConversationsBody(Envelope[ChatConversations], ChatConversations):
    pass


class ChatMessagesBody(Envelope[ChatMessages], ChatMessages):
    pass


class ChatDeletedBody(Envelope[ChatDeleted], ChatDeleted):
    pass


class ChatTruncatedBody(Envelope[ChatTruncated], ChatTruncated):
    pass


class ChatSettingsBody(Envelope[ChatSettings], ChatSettings):
    pass


# --- server-sent events: the JSON of each ``data:`` line (WIRE.md) ---------------


class ContentEvent(Out):
    type: Literal["content"]
    content: str


class CompleteEvent(Out):
    """The reply as stored; a live stream adds the rest of the send answer."""

    type: Literal["complete"]
    message: MessageOut
    usage: Usage
    model: str | None


class ErrorEvent(Out):
    type: Literal["error"]
    error: str
    message: str


class SessionEvent(Out):
    """Parallel responses: the session first and last; candidates' events carry ``candidateId``."""

    type: Literal["session"]
    session: ResponseSessionOut


class ChatMetadataEvent(Out):
    type: Literal["metadata"]
    conversationId: str
    provider: str
    model: str
    messageId: str


class ChatStatusEvent(Out):
    type: Literal["status"]
    message: str


class ChatTextEvent(Out):
    type: Literal["text", "reasoning"]
    content: str


class ChatDoneEvent(ChatReply):
    type: Literal["done"]


REPLY_EVENTS = (ContentEvent, CompleteEvent, ErrorEvent)
PARALLEL_EVENTS = (*REPLY_EVENTS, SessionEvent)
CHAT_EVENTS = (ChatMetadataEvent, ChatStatusEvent, ChatTextEvent, ChatDoneEvent, ErrorEvent)
