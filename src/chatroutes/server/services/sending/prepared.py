"""What a send is: who sends, where to, and what its question hands to its reply."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ...domain.context_assembly import AssembledContext, CheckpointSummary
from ...domain.plans import RateWindow
from ...providers.base import Completion, CompletionRequest, Provider
from ...providers.registry import ModelInfo
from ...store.tables import Branch, Conversation, Message, User
from ..accounts import Principal
from ..budgets import BudgetHold, has_limit
from ..limits import Account
from ..metering import Reservation


@dataclass(frozen=True)
class Sender:
    """A caller already admitted: their id, and their row as authentication read it (None:
    the send reads it)."""

    user_id: str
    user: User | None = None

    @classmethod
    def of(cls, principal: Principal) -> Sender:
        return cls(principal.user_id, principal.user)


@dataclass(frozen=True)
class KeyCredential:
    """A caller known only by the API key its request carried, not yet authenticated nor
    admitted: the send does both, in its question's transaction when the counters can join
    it. ``on_rate`` and ``on_principal`` hear where the caller stands in the rate window
    and who it is, before any refusal (the RateLimit headers, the access log)."""

    key: str
    on_rate: Callable[[RateWindow], None] | None = None
    on_principal: Callable[[Principal], None] | None = None


@dataclass(frozen=True)
class SendTarget:
    """Where a send goes: a conversation, and a branch (None: the request's ``branchId``,
    else the branch of its ``parentMessageId``, else the main branch)."""

    conversation_id: str
    branch_id: str | None = None


@dataclass
class SendResult:
    user_message: Message
    assistant_message: Message
    branch: Branch
    forked: bool
    branch_message_count: int
    completion: Completion
    model: str


@dataclass(kw_only=True)
class Call:
    """What a provider call needs and leaves: its request, the model's routes, the
    reservation it may spend. Every send has one: a stored one (``Prepared``), or one
    whose context its caller gave whole (``GivenContext``), nothing read nor stored."""

    request: CompletionRequest
    info: ModelInfo  # the model that serves the reply: the asked one, or a fallback
    provider: Provider
    routes: list[tuple[ModelInfo, Provider]]
    prompt_tokens: int  # the prompt's estimate, for the usage an upstream leaves out
    reply_id: str  # known before it exists: announced with the lease
    attempts: int = 0
    fallback_from: str | None = None
    account: Account | None = None  # as the limits read it before the send
    reservation: Reservation | None = None  # the tokens the call may spend (metering.py)
    settled: bool = False  # the provider call is over: a stop no longer cuts the reply
    stopped: bool = False  # a user's stop cancelled it: stored as far as it got


@dataclass(frozen=True)
class CatchUpNeed:
    """A send that has outrun its branch's automatic checkpoints (``catch_up_due``): its
    path (root to question), and its context assembled as its question's transaction
    did, with the checkpoints anchored on that path once one has caught up."""

    path: Sequence[Any]  # message_store.PathRow rows
    assemble: Callable[[Sequence[CheckpointSummary]], AssembledContext]


@dataclass(kw_only=True)
class Prepared(Call):
    """What the first transaction of a stored send hands to the provider call."""

    conversation: Conversation
    branch: Branch
    forked: bool
    user_message: Message
    lease: str
    context: AssembledContext
    checkpoint_due: bool  # the reply completes an interval: an auto checkpoint follows
    catch_up: CatchUpNeed | None = None  # a checkpoint must catch up before the call
    checkpoint_catch_up: str | None = None  # how it did: "waited", "inline"; None: no need


@dataclass(frozen=True)
class GivenContext:
    """A send whose context its caller gives whole (OpenAI's Chat Completions): the
    request as the model's routes get it (its ``model`` set per route), the model asked
    for, and whether the exchange is kept afterwards as a new conversation (``keep_as``)
    with the caller's ``metadata``. Admitted, reserved, called, settled and metered as
    every send; no conversation is read, and unkept nothing but its usage is written.
    """

    model: str
    request: CompletionRequest
    keep_as: str | None = None  # the id of the conversation that keeps the exchange
    metadata: dict[str, str] = field(default_factory=dict)  # kept with the reply


def budget_hold(prepared: Prepared) -> BudgetHold:
    """What a stored send's call charges: its branch's and its conversation's budgets
    (none to hold when neither row, as its question's transaction read it, sets a limit)."""
    conversation, branch = prepared.conversation, prepared.branch
    limited = has_limit(conversation) or has_limit(branch)
    return BudgetHold(conversation.user_id, conversation.id, branch.id, limited=limited)


def clamp_to_reservation(prepared: Call, rounds: int = 1) -> None:
    """Each of the reply's ``rounds`` upstream calls may write its share of what the
    reservation allows, and no more."""
    assert prepared.reservation is not None
    per_call = prepared.reservation.max_output // rounds
    if per_call < prepared.request.max_tokens:
        prepared.request = replace(prepared.request, max_tokens=per_call)


def elapsed_since(started: float) -> float:
    """Milliseconds since ``started`` (a ``time.perf_counter()`` reading), to 0.01 ms."""
    return round((time.perf_counter() - started) * 1000, 2)


def reply_meta(prepared: Prepared, completion: Completion, elapsed_ms: float) -> dict[str, Any]:
    """What a stored reply records: model, usage, cost, timing and the context it was given."""
    info = prepared.info
    meta = {
        "model": info.name,
        "provider": info.provider,
        "upstreamModel": completion.model,
        "temperature": prepared.request.temperature,
        "maxTokens": prepared.request.max_tokens,
        "responseTime": elapsed_ms,
        "finishReason": completion.finish_reason,
        "attempts": prepared.attempts,
        "fallbackFrom": prepared.fallback_from,
        "prompt_tokens": completion.prompt_tokens,
        "completionTokens": completion.completion_tokens,
        "cost": info.cost(completion.prompt_tokens, completion.completion_tokens),
        "context_message_count": prepared.context.context_message_count,
        "context_truncated": prepared.context.truncated,
        "checkpoint_used": prepared.context.checkpoint_used,
        "checkpointId": prepared.context.checkpoint_id,
        "pinnedMessageIds": list(prepared.context.pinned_ids),
        "excludedMessageIds": list(prepared.context.excluded_ids),
        "checkpointCatchUp": prepared.checkpoint_catch_up,
    }
    return meta
