"""The account as a whole on the wire: its export, and the confirmation erasing it takes."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import StringConstraints

from ..domain.hashing import iso_timestamp
from ..services.privacy import AccountExport
from .auth import user_out
from .common import NoNul, WireModel
from .transfer import document_out

EXPORT_FORMAT = "chatroutes.account"


class AccountDelete(WireModel):
    """``confirm``: the account's email or user id, typed again."""

    confirm: Annotated[str, StringConstraints(min_length=1, max_length=320), NoNul]


def account_export_out(export: AccountExport) -> dict[str, Any]:
    """The profile and every conversation, each an importable conversation document."""
    return {
        "format": EXPORT_FORMAT,
        "version": 1,
        "exportedAt": iso_timestamp(export.exported_at),
        "user": user_out(export.user),
        "conversations": [
            document_out(c.conversation, c.branches, c.messages, c.checkpoints, c.exported_at)
            for c in export.conversations
        ],
    }
