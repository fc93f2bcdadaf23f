"""Conversations on the wire: the create and update bodies, the Conversation shape
(with its branches, and with its messages), and the listing page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Annotated, Literal, Protocol

from pydantic import StringConstraints
from typing_extensions import TypedDict

from ..domain.hashing import iso_timestamp
from .branches import BranchOut, StoredBranch, branch_out
from .budgets import BudgetOut, BudgetSet, SpentOut, StoredBudget, budget_out, spent_out
from .common import MaxTokens, NoNul, Temperature, Timestamp, Title, WireModel
from .messages import MessageOut, StoredMessage, message_out

SystemPrompt = Annotated[str, StringConstraints(max_length=100_000), NoNul]
ModelName = Annotated[str, StringConstraints(max_length=200), NoNul]
Channel = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), NoNul
]


# Listing pages: far past any real account, and (page - 1) * limit stays a 64-bit OFFSET.
MAX_PAGE = 1_000_000


class ConversationCreate(WireModel):
    title: Title
    model: ModelName | None = None
    system_prompt: SystemPrompt | None = None
    temperature: Temperature = 0.7
    max_tokens: MaxTokens = 2048
    channel: Channel | None = None


class ConversationUpdate(WireModel):
    title: Title | None = None
    model: ModelName | None = None
    system_prompt: SystemPrompt | None = None
    temperature: Temperature | None = None
    max_tokens: MaxTokens | None = None
    archived: bool | None = None
    budget: BudgetSet | None = None  # null: removed


class StoredConversation(StoredBudget, Protocol):
    """A stored conversation as read (a ``Conversation`` row)."""

    @property
    def id(self) -> str: ...
    @property
    def user_id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def model(self) -> str: ...
    @property
    def system_prompt(self) -> str | None: ...
    @property
    def temperature(self) -> float: ...
    @property
    def max_tokens(self) -> int: ...
    @property
    def archived(self) -> bool: ...
    @property
    def channel(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...


class ConversationOut(TypedDict):
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
    budget: BudgetOut | None
    spent: SpentOut


def conversation_out(
    conversation: StoredConversation,
    branches: Iterable[StoredBranch],
    counts: Mapping[str, int],
    total_messages: int,
) -> ConversationOut:
    """``counts`` maps branch id to its own visible messages."""
    branch_list = list(branches)
    main = next((b for b in branch_list if b.is_main), None)
    return {
        "id": conversation.id,
        "userId": conversation.user_id,
        "title": conversation.title,
        "model": conversation.model,
        "systemPrompt": conversation.system_prompt,
        "temperature": conversation.temperature,
        "maxTokens": conversation.max_tokens,
        "archived": conversation.archived,
        "channel": conversation.channel,  # the Chat API's label (web, api, slack…), or null
        "createdAt": iso_timestamp(conversation.created_at),
        "updatedAt": iso_timestamp(conversation.updated_at),
        "messageCount": counts.get(main.id, 0) if main else 0,
        "totalMessages": total_messages,
        "branchCount": len(branch_list),
        "branches": [branch_out(b, counts.get(b.id, 0)) for b in branch_list],
        "budget": budget_out(conversation),
        "spent": spent_out(conversation),
    }


class ConversationRead(Protocol):
    """A conversation with its branches, their message counts and (for one) its messages."""

    @property
    def conversation(self) -> StoredConversation: ...
    @property
    def branches(self) -> Sequence[StoredBranch]: ...
    @property
    def counts(self) -> Mapping[str, int]: ...
    @property
    def total_messages(self) -> int: ...
    @property
    def messages(self) -> Sequence[StoredMessage]: ...


def conversation_view_out(view: ConversationRead) -> ConversationOut:
    return conversation_out(view.conversation, view.branches, view.counts, view.total_messages)


class ConversationData(TypedDict):
    conversation: ConversationOut


def conversation_data(view: ConversationRead) -> ConversationData:
    return {"conversation": conversation_view_out(view)}


class ConversationWithMessages(ConversationOut):
    messages: list[MessageOut]


class ConversationWithMessagesData(TypedDict):
    conversation: ConversationWithMessages


def conversation_with_messages_data(view: ConversationRead) -> ConversationWithMessagesData:
    messages = [message_out(m) for m in view.messages]
    return {"conversation": {**conversation_view_out(view), "messages": messages}}


class ConversationPage(TypedDict):
    conversations: list[ConversationOut]
    total: int
    page: int
    limit: int
    hasNext: bool


def conversation_page(
    views: Iterable[ConversationRead], total: int, page: int, limit: int
) -> ConversationPage:
    return {
        "conversations": [conversation_view_out(v) for v in views],
        "total": total,
        "page": page,
        "limit": limit,
        "hasNext": page * limit < total,
    }


class ConversationList(ConversationPage):
    """The page under ``data`` (the JS SDK) and at the top level (the Python SDK)."""

    success: Literal[True]
    data: ConversationPage


def conversation_list(page: ConversationPage) -> ConversationList:
    return {"success": True, "data": page, **page}
