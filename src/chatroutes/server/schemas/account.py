"""The account as a whole on the wire: its export, and the confirmation erasing it takes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Literal, Protocol

from pydantic import StringConstraints
from typing_extensions import TypedDict

from ..domain.hashing import iso_timestamp
from .auth import StoredUser, UserOut, user_out
from .common import NoNul, Timestamp, WireModel
from .transfer import ConversationDocument, ExportedConversation, document_out


class AccountDelete(WireModel):
    """``confirm``: the account's email or user id, typed again."""

    confirm: Annotated[str, StringConstraints(min_length=1, max_length=320), NoNul]


class ExportedAccount(Protocol):
    @property
    def user(self) -> StoredUser: ...
    @property
    def conversations(self) -> Sequence[ExportedConversation]: ...
    @property
    def exported_at(self) -> datetime: ...


class AccountExport(TypedDict):
    """The profile and every conversation, each an importable document."""

    format: Literal["chatroutes.account"]
    version: Literal[1]
    exportedAt: Timestamp
    user: UserOut
    conversations: list[ConversationDocument]


def account_export_out(export: ExportedAccount) -> AccountExport:
    return {
        "format": "chatroutes.account",
        "version": 1,
        "exportedAt": iso_timestamp(export.exported_at),
        "user": user_out(export.user),
        "conversations": [document_out(c) for c in export.conversations],
    }


class AccountDeleted(TypedDict):
    deleted: Literal[True]


def account_deleted() -> AccountDeleted:
    return {"deleted": True}
