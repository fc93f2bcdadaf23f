"""``client.parallel_responses``: several candidate replies to one prompt; choose one."""

from __future__ import annotations

import builtins
from typing import Any, cast

from .._types import ParallelResponseSession
from ._base import AsyncAPIResource, SyncAPIResource, data_of, seg

__all__ = ["AsyncParallelResponses", "ParallelResponses"]


def _session(response: dict[str, Any]) -> ParallelResponseSession:
    data = data_of(response)
    if isinstance(data, dict) and isinstance(data.get("session"), dict):
        return cast(ParallelResponseSession, data["session"])
    return cast(ParallelResponseSession, data)


def _create_body(
    content: str, models: builtins.list[str] | None, count: int | None, extra: dict[str, Any]
) -> dict[str, Any]:
    body: dict[str, Any] = {"content": content, **extra}
    if models is not None:
        body["models"] = list(models)
    if count is not None:
        body["count"] = count
    return body


class ParallelResponses(SyncAPIResource):
    def create(
        self,
        conversation_id: str,
        content: str,
        *,
        models: builtins.list[str] | None = None,
        count: int | None = None,
        **extra: Any,
    ) -> ParallelResponseSession:
        """Generate candidate replies to ``content``: one per model of ``models``, or
        ``count`` of the conversation's model; ``extra``: ``branchId``, ``temperature``,
        ``maxTokens``. Waits until every candidate is done; none is stored on the branch
        until ``choose``."""
        response = self._http.post(
            f"/conversations/{seg(conversation_id)}/parallel-responses",
            _create_body(content, models, count, extra),
        )
        return _session(response)

    def get(self, session_id: str) -> ParallelResponseSession:
        """A response session with all its candidates."""
        return _session(self._http.get(f"/response-sessions/{seg(session_id)}"))

    def choose(self, session_id: str, candidate_id: str) -> ParallelResponseSession:
        """Keep one candidate as the conversation's reply."""
        response = self._http.post(
            f"/response-sessions/{seg(session_id)}/choose", {"candidateId": candidate_id}
        )
        return _session(response)


class AsyncParallelResponses(AsyncAPIResource):
    async def create(
        self,
        conversation_id: str,
        content: str,
        *,
        models: builtins.list[str] | None = None,
        count: int | None = None,
        **extra: Any,
    ) -> ParallelResponseSession:
        """Generate candidate replies to ``content``: one per model of ``models``, or
        ``count`` of the conversation's model; ``extra``: ``branchId``, ``temperature``,
        ``maxTokens``. Waits until every candidate is done; none is stored on the branch
        until ``choose``."""
        response = await self._http.post(
            f"/conversations/{seg(conversation_id)}/parallel-responses",
            _create_body(content, models, count, extra),
        )
        return _session(response)

    async def get(self, session_id: str) -> ParallelResponseSession:
        """A response session with all its candidates."""
        return _session(await self._http.get(f"/response-sessions/{seg(session_id)}"))

    async def choose(self, session_id: str, candidate_id: str) -> ParallelResponseSession:
        """Keep one candidate as the conversation's reply."""
        response = await self._http.post(
            f"/response-sessions/{seg(session_id)}/choose", {"candidateId": candidate_id}
        )
        return _session(response)
