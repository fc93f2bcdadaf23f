"""SQLAlchemy models. Messages are immutable rows: only ``deleted_at`` changes."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    if TYPE_CHECKING:
        # DeclarativeBase types it as any FromClause (a class may map a subquery); every
        # model here has a ``__tablename__``, so its ``__table__`` is a Table, which Core's
        # ``insert``/``update``/``delete`` take.
        __table__: ClassVar[Table]


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    plan: Mapped[str] = mapped_column(String(20), default="free")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    password_hash: Mapped[str | None] = mapped_column(String(255))  # None: keys only
    is_guest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    guest_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    plan_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Room for a payment processor: its customer id, and an enterprise's own limits.
    billing_customer_id: Mapped[str | None] = mapped_column(String(200))
    quota_overrides: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    default_provider: Mapped[str | None] = mapped_column(String(40))  # the Chat API's "default"


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_prefix: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)


class RefreshToken(Base):
    """One refresh token of a session; a family is the chain of rotations of one login."""

    __tablename__ = "refresh_tokens"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[str] = mapped_column(String(40), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class UsageCounter(Base):
    """A counter shared by every replica: ``subject`` (``user:…``, ``ip:…``) in a ``window``."""

    __tablename__ = "usage_counters"

    subject: Mapped[str] = mapped_column(String(80), primary_key=True)
    window: Mapped[str] = mapped_column(String(60), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class IdempotencyRecord(Base):
    """The first response to a POST with an ``Idempotency-Key``, replayed on repeats."""

    __tablename__ = "idempotency_keys"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)  # whose key it is
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(10))  # running | done
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_headers: Mapped[list[Any] | None] = mapped_column(JSON)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    locked_until: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class BudgetColumns:
    """A spending cap and what was spent under it: on conversations and on branches.

    ``budget_warn_at`` is None when no budget is set; a limit of None is no limit. Spent
    counts the tokens and cost settled after each metered call; reserved, what calls in
    flight may still spend (services/budgets.py). ``budget_warned``: the warning of the
    current crossing of ``budget_warn_at`` was sent.
    """

    budget_max_tokens: Mapped[int | None] = mapped_column(BigInteger)
    budget_max_cost: Mapped[float | None] = mapped_column(Float)
    budget_warn_at: Mapped[float | None] = mapped_column(Float)
    budget_spent_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    budget_spent_cost: Mapped[float] = mapped_column(Float, default=0.0)
    budget_reserved_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    budget_reserved_cost: Mapped[float] = mapped_column(Float, default=0.0)
    budget_warned: Mapped[bool] = mapped_column(Boolean, default=False)


class Conversation(BudgetColumns, Base):
    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_user_updated", "user_id", "updated_at"),
        Index("ix_conversations_user_channel", "user_id", "channel"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(500))
    model: Mapped[str] = mapped_column(String(200))
    system_prompt: Mapped[str | None] = mapped_column(Text)
    temperature: Mapped[float] = mapped_column(Float, default=0.7)
    max_tokens: Mapped[int] = mapped_column(Integer, default=2048)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    channel: Mapped[str | None] = mapped_column(String(40))  # a label: web, api, slack…
    # Bumped by every deletion of its messages and every change of their pin or exclusion:
    # remembered paths are exact while it stands (store/paths.py). An import starts it at
    # ``paths.imported_count`` of its moment.
    message_deletions: Mapped[int] = mapped_column(BigInteger, default=0)


class Branch(BudgetColumns, Base):
    __tablename__ = "branches"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    parent_branch_id: Mapped[str | None] = mapped_column(String(40))
    fork_point_message_id: Mapped[str | None] = mapped_column(String(40))
    head_message_id: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    context_mode: Mapped[str] = mapped_column(String(10), default="FULL")
    is_main: Mapped[bool] = mapped_column(Boolean, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    # One generation in flight per branch: a lease any replica can see.
    generation_lease: Mapped[str | None] = mapped_column(String(40))
    generation_lease_until: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    # What a crash would lose, flushed about once a second while generating (services/recovery).
    generation_question_id: Mapped[str | None] = mapped_column(String(40))
    generation_partial: Mapped[str | None] = mapped_column(Text, deferred=True)
    # The reply's id, announced before it exists, and a stop asked for by any process:
    # the generating process reads it at its next flush (services/recovery).
    generation_reply_id: Mapped[str | None] = mapped_column(String(40), index=True)
    generation_stop_requested_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The reply's token reservation (services/metering.py), kept by the first heartbeat so
    # that recovery settles it if the generating process dies.
    generation_reservation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # One checkpoint summary in flight per branch, whichever process writes it: a lease any
    # replica can see (services/checkpoints.py).
    checkpoint_lease: Mapped[str | None] = mapped_column(String(40))
    checkpoint_lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    # The checkpoint a recreated branch starts from.
    checkpoint_id: Mapped[str | None] = mapped_column(String(40))

    def generating(self, now: datetime) -> bool:
        """Whether a generation holds this branch's lease and has not let it expire."""
        until = self.generation_lease_until
        return self.generation_lease is not None and until is not None and until > now


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation_created", "conversation_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    branch_id: Mapped[str] = mapped_column(String(40), index=True)
    parent_id: Mapped[str | None] = mapped_column(String(40), index=True)
    role: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(String(200))
    token_count: Mapped[int | None] = mapped_column(Integer)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    content_hash: Mapped[str] = mapped_column(String(64))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    edited_from: Mapped[str | None] = mapped_column(String(40))
    # When it came in a conversation import; None: written here. An imported reply's
    # usage is the record of a call made elsewhere, never billed here (store/usage.py).
    imported_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The owner's say over its context: pinned, always sent (even when a checkpoint or the
    # window would leave it out); excluded, never sent. Changing either bumps the
    # conversation's ``message_deletions`` as a deletion does (store/paths.py).
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)


class Checkpoint(Base):
    """A summary of a path up to its anchor message, standing in for that path."""

    __tablename__ = "checkpoints"
    __table_args__ = (
        Index("ix_checkpoints_conversation_created", "conversation_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    branch_id: Mapped[str] = mapped_column(String(40))
    anchor_message_id: Mapped[str] = mapped_column(String(40), index=True)
    checkpoint_type: Mapped[str] = mapped_column(String(10))
    summary: Mapped[str] = mapped_column(Text)
    token_count: Mapped[int] = mapped_column(Integer)
    # What the summary replaces: the visible messages up to the anchor and their tokens.
    source_message_count: Mapped[int] = mapped_column(Integer)
    source_token_count: Mapped[int] = mapped_column(Integer)
    summarizer: Mapped[str] = mapped_column(String(200))
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ResponseSession(Base):
    """One question answered by several candidates side by side, until one is chosen."""

    __tablename__ = "response_sessions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    branch_id: Mapped[str] = mapped_column(String(40))
    user_message_id: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10))  # running | complete | error | chosen
    chosen_candidate_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class ResponseCandidate(Base):
    __tablename__ = "response_candidates"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("response_sessions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    model: Mapped[str] = mapped_column(String(200))
    temperature: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(10))  # pending | streaming | complete | error
    message_id: Mapped[str | None] = mapped_column(String(40))  # the stored reply
    prompt_tokens: Mapped[int | None] = mapped_column(Integer)
    completion_tokens: Mapped[int | None] = mapped_column(Integer)
    cost: Mapped[float | None] = mapped_column(Float)
    latency_ms: Mapped[float | None] = mapped_column(Float)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    partial_text: Mapped[str | None] = mapped_column(Text)  # flushed by heartbeats while streaming
    # Its token reservation until it is stored: recovery settles what a dead process left.
    reservation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
