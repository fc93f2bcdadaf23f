"""``client.autobranch``: where a text could branch (suggestions), and the service health."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any, cast

from .._types import (
    BranchSuggestion,
    HealthResponse,
    SuggestBranchesRequest,
    SuggestBranchesResponse,
)
from ._base import AsyncAPIResource, SyncAPIResource, data_of, seg

__all__ = ["AsyncAutoBranch", "AutoBranch"]


def _suggest_body(
    text: str,
    suggestions_count: int,
    hybrid_detection: bool,
    threshold: float,
    llm_model: str | None,
    llm_provider: str | None,
    llm_api_key: str | None,
) -> SuggestBranchesRequest:
    data: SuggestBranchesRequest = {
        "text": text,
        "suggestionsCount": suggestions_count,
        "hybridDetection": hybrid_detection,
        "threshold": threshold,
    }
    if llm_model:
        data["llmModel"] = llm_model
    if llm_provider:
        data["llmProvider"] = llm_provider
    if llm_api_key:
        data["llmApiKey"] = llm_api_key
    return data


def _apply_path(conversation_id: str, message_id: str) -> str:
    return f"/conversations/{seg(conversation_id)}/messages/{seg(message_id)}/autobranch"


def _apply_body(
    suggestion_ids: builtins.list[str] | None,
    suggestions: Sequence[BranchSuggestion] | None,
    threshold: float | None,
    count: int | None,
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if suggestion_ids is not None:
        body["suggestionIds"] = list(suggestion_ids)
    if suggestions is not None:
        body["suggestions"] = list(suggestions)
    if threshold is not None:
        body["threshold"] = threshold
    if count is not None:
        body["suggestionsCount"] = count
    return body


class AutoBranch(SyncAPIResource):
    def suggest_branches(
        self,
        text: str,
        suggestions_count: int = 3,
        hybrid_detection: bool = False,
        threshold: float = 0.7,
        llm_model: str | None = None,
        llm_provider: str | None = None,
        llm_api_key: str | None = None,
    ) -> SuggestBranchesResponse:
        """Points in ``text`` where a conversation could branch: ``{suggestions, metadata}``."""
        body = _suggest_body(
            text,
            suggestions_count,
            hybrid_detection,
            threshold,
            llm_model,
            llm_provider,
            llm_api_key,
        )
        response = self._http.post("/autobranch/suggest-branches", body)
        return cast(SuggestBranchesResponse, data_of(response))

    def analyze_text(
        self,
        text: str,
        suggestions_count: int = 3,
        hybrid_detection: bool = False,
        threshold: float = 0.7,
        llm_model: str | None = None,
    ) -> SuggestBranchesResponse:
        """``suggest_branches`` with fewer options."""
        return self.suggest_branches(
            text=text,
            suggestions_count=suggestions_count,
            hybrid_detection=hybrid_detection,
            threshold=threshold,
            llm_model=llm_model,
        )

    def health(self) -> HealthResponse:
        """The autobranch service's ``{status, version, service}``."""
        return cast(HealthResponse, data_of(self._http.get("/autobranch/health")))

    def apply(
        self,
        conversation_id: str,
        message_id: str,
        *,
        suggestion_ids: builtins.list[str] | None = None,
        suggestions: Sequence[BranchSuggestion] | None = None,
        threshold: float | None = None,
        suggestions_count: int | None = None,
    ) -> dict[str, Any]:
        """Make one branch per chosen suggestion at a message: ``{suggestions, branches}``.

        ``suggestions``: ones ``suggest_branches`` returned for the message's text, hybrid
        ones included; ``suggestion_ids``: ids of the pattern detector's for it; neither:
        the detector's, by ``threshold`` and ``suggestions_count``."""
        response = self._http.post(
            _apply_path(conversation_id, message_id),
            _apply_body(suggestion_ids, suggestions, threshold, suggestions_count),
        )
        return cast(dict[str, Any], data_of(response))


class AsyncAutoBranch(AsyncAPIResource):
    async def suggest_branches(
        self,
        text: str,
        suggestions_count: int = 3,
        hybrid_detection: bool = False,
        threshold: float = 0.7,
        llm_model: str | None = None,
        llm_provider: str | None = None,
        llm_api_key: str | None = None,
    ) -> SuggestBranchesResponse:
        """Points in ``text`` where a conversation could branch: ``{suggestions, metadata}``."""
        body = _suggest_body(
            text,
            suggestions_count,
            hybrid_detection,
            threshold,
            llm_model,
            llm_provider,
            llm_api_key,
        )
        response = await self._http.post("/autobranch/suggest-branches", body)
        return cast(SuggestBranchesResponse, data_of(response))

    async def analyze_text(
        self,
        text: str,
        suggestions_count: int = 3,
        hybrid_detection: bool = False,
        threshold: float = 0.7,
        llm_model: str | None = None,
    ) -> SuggestBranchesResponse:
        """``suggest_branches`` with fewer options."""
        return await self.suggest_branches(
            text=text,
            suggestions_count=suggestions_count,
            hybrid_detection=hybrid_detection,
            threshold=threshold,
            llm_model=llm_model,
        )

    async def health(self) -> HealthResponse:
        """The autobranch service's ``{status, version, service}``."""
        return cast(HealthResponse, data_of(await self._http.get("/autobranch/health")))

    async def apply(
        self,
        conversation_id: str,
        message_id: str,
        *,
        suggestion_ids: builtins.list[str] | None = None,
        suggestions: Sequence[BranchSuggestion] | None = None,
        threshold: float | None = None,
        suggestions_count: int | None = None,
    ) -> dict[str, Any]:
        """Make one branch per chosen suggestion at a message: ``{suggestions, branches}``.

        ``suggestions``: ones ``suggest_branches`` returned for the message's text, hybrid
        ones included; ``suggestion_ids``: ids of the pattern detector's for it; neither:
        the detector's, by ``threshold`` and ``suggestions_count``."""
        response = await self._http.post(
            _apply_path(conversation_id, message_id),
            _apply_body(suggestion_ids, suggestions, threshold, suggestions_count),
        )
        return cast(dict[str, Any], data_of(response))
