"""AutoBranch: suggest where a text could branch, and branch a stored message there.

Branches are made at a message from the suggestions a caller chose: by id, among the
pattern detector's for the message's text; or the suggestions themselves, as
``suggest-branches`` gave them, so that those a model's review made (split, merged,
added: no detector run finds them again) can be branched from without another model
call. A suggestion sent is checked against the message (``given_suggestions``): its
span must hold its ``triggerText`` there, so no branch names text the message lacks.

Detection is the pure pattern detector in ``domain.branch_detection``. With
``hybridDetection`` a language model reviews its suggestions (confirms, rejects, splits,
merges, adds: ``branch_detection.review``), in one call metered like every model call.
Never worse than patterns alone: when no model can be used, the call fails or takes
longer than ``upstream_timeout_seconds`` in all, or its answer is unreadable or cannot
stand, the pattern result is returned (``detectionMethod: "pattern"``) and
``fallbackReason`` says why. A call the model answered is charged even then.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..domain.branch_detection import (
    Detection,
    Group,
    Suggestion,
    candidates,
    resolve_overlaps,
    select,
)
from ..domain.branch_detection.review import (
    ReviewNonsense,
    ReviewUnreadable,
    apply_review,
    parse_review,
    review_pool,
    review_prompt,
)
from ..domain.context_assembly import ChatMessage
from ..domain.errors import (
    ChatRoutesServerError,
    Forbidden,
    InvalidRequest,
    NotFound,
    ProviderTimeout,
)
from ..providers.anthropic_messages import AnthropicMessagesProvider
from ..providers.base import CompletionRequest, Provider
from ..providers.openai_chat import OpenAIChatProvider
from ..schemas.autobranch import (
    BranchPointIn,
    MessageAutobranch,
    SuggestBranchesRequest,
    SuggestionIn,
)
from ..store.branches import BranchRepository
from ..store.messages import MessageRepository
from ..store.tables import Branch
from ..store.usage_ledger import AUTOBRANCH_KIND
from .branches import add_branch, new_branch
from .conversations import owned_conversation
from .limits import UNCAPPED
from .metering import metered_complete
from .server_context import ServerContext

logger = logging.getLogger("chatroutes.server")
SERVICE_NAME = "chatroutes-autobranch"
REVIEW_MAX_TOKENS = 1_500


@dataclass
class SuggestResult:
    detection: Detection
    method: str  # "pattern" or "hybrid"
    model: str | None = None
    fallback_reason: str | None = None
    review: dict[str, int] = field(default_factory=dict)


@dataclass
class ApplyResult:
    suggestions: list[Suggestion]
    branches: list[tuple[Suggestion, Branch]]


class NoReviewer(Exception):
    """No language model can review the candidates; the message says why."""


@dataclass(frozen=True)
class Reviewer:
    model: str  # the name reported as modelUsed
    upstream_id: str
    max_output: int
    provider: Provider
    cost: Callable[[int, int], float | None] | None = None  # USD of a call, if priced


class AutobranchService:
    def __init__(self, ctx: ServerContext, user_id: str, *, guest: bool) -> None:
        self.ctx = ctx
        self.user_id = user_id
        self.guest = guest  # a guest session: AutoBranch is for accounts

    def _refuse_guests(self) -> None:
        if self.guest:
            raise Forbidden(
                "AutoBranch is not available in guest sessions; create an account to use it"
            )

    async def suggest(self, request: SuggestBranchesRequest) -> SuggestResult:
        self._refuse_guests()
        found = candidates(request.text)
        threshold, count = request.threshold, request.suggestions_count
        if not request.hybrid_detection:
            return SuggestResult(select(found, threshold=threshold, count=count), "pattern")
        shown, aside = review_pool(found)
        try:
            reviewer = self._reviewer(request)
            answer = await self._review(reviewer, request.text, shown, count)
            review = apply_review(request.text, shown, parse_review(answer))
        except (NoReviewer, ReviewUnreadable, ReviewNonsense) as exc:
            return self._fallback(found, request, str(exc))
        except (TimeoutError, ProviderTimeout):
            reason = f"the model did not answer within {self._deadline():g}s"
            return self._fallback(found, request, reason)
        except ChatRoutesServerError as exc:
            logger.warning("autobranch review failed: %s", exc.message)
            return self._fallback(found, request, f"the model call failed: {exc.message}")
        reviewed = resolve_overlaps([*review.suggestions, *aside])
        return SuggestResult(
            select(reviewed, threshold=threshold, count=count),
            "hybrid",
            model=reviewer.model,
            review=review.counts,
        )

    async def apply(
        self, conversation_id: str, message_id: str, request: MessageAutobranch
    ) -> ApplyResult:
        """One branch per chosen suggestion, forked at the message, in one unit of work."""
        self._refuse_guests()
        if request.suggestion_ids and request.suggestions:
            raise InvalidRequest(
                "suggestions: give suggestionIds or suggestions, not both", field="suggestions"
            )
        async with self.ctx.db.read() as session:
            await owned_conversation(session, conversation_id, self.user_id)
            message = await MessageRepository(session).get_in_conversation(
                message_id, conversation_id
            )
            if message is None or message.deleted_at is not None:
                raise NotFound("message", message_id)
            content = message.content
        if request.suggestions:
            chosen = given_suggestions(content, request.suggestions)
        elif request.suggestion_ids:
            found = candidates(content)
            by_id = {s.id: s for s in found}
            missing = [i for i in request.suggestion_ids if i not in by_id]
            if missing:
                raise InvalidRequest(
                    f"suggestionIds: no suggestion {', '.join(missing)} in this message",
                    field="suggestionIds",
                    details={"available": list(by_id)},
                )
            chosen = [by_id[i] for i in dict.fromkeys(request.suggestion_ids)]
        else:
            chosen = select(
                candidates(content), threshold=request.threshold, count=request.suggestions_count
            ).suggestions
        created: list[tuple[Suggestion, Branch]] = []
        if not chosen:
            return ApplyResult(chosen, created)
        async with self.ctx.db.write() as session:
            await owned_conversation(session, conversation_id, self.user_id)
            message = await MessageRepository(session).get_in_conversation(
                message_id, conversation_id
            )
            if message is None or message.deleted_at is not None:
                raise NotFound("message", message_id)
            repo = BranchRepository(session)
            parent = await repo.get_in_conversation(message.branch_id, conversation_id)
            parent = parent or await repo.get_main(conversation_id)
            for suggestion in chosen:
                branch = new_branch(
                    conversation_id,
                    parent=parent,
                    fork_point_id=message.id,
                    title=suggestion.title,
                    description=suggestion.description or None,
                )
                # uncapped: guests, the only ones with a branch cap, were refused above
                created.append(
                    (suggestion, await add_branch(session, branch, UNCAPPED, owner=self.user_id))
                )
        return ApplyResult(chosen, created)

    def _fallback(
        self, found: list[Suggestion], request: SuggestBranchesRequest, reason: str
    ) -> SuggestResult:
        detection = select(found, threshold=request.threshold, count=request.suggestions_count)
        return SuggestResult(detection, "pattern", fallback_reason=reason)

    def _reviewer(self, request: SuggestBranchesRequest) -> Reviewer:
        """The model that reviews: the caller's provider and key, or a registered model."""
        registry = self.ctx.registry
        if request.llm_provider:
            return self._callers_reviewer(request)
        name = request.llm_model or registry.default_model
        try:
            info, provider = registry.routes(name)[0]
        except InvalidRequest as exc:
            raise NoReviewer(f"model '{name}' cannot be used: {exc.message}") from exc
        if registry.providers[info.provider].protocol == "offline":
            raise NoReviewer(
                f"'{name}' is the offline model; set a provider key (e.g. OPENAI_API_KEY) "
                "or name another llmModel for hybrid detection"
            )
        return Reviewer(info.name, info.upstream_id, info.max_output, provider, info.cost)

    def _callers_reviewer(self, request: SuggestBranchesRequest) -> Reviewer:
        """``llmProvider`` names a configured provider; ``llmApiKey`` (if any) replaces its key.

        The caller's key is used for this one call and never stored or logged; the
        endpoint stays the operator's, so a caller cannot point the server elsewhere.
        """
        registry = self.ctx.registry
        name = request.llm_provider or ""
        config = registry.providers.get(name)
        if config is None or config.protocol == "offline" or not config.base_url:
            usable = [n for n, c in registry.providers.items() if c.protocol != "offline"]
            raise NoReviewer(
                f"llmProvider '{name}' is not a provider this server can call "
                f"(known: {', '.join(usable)})"
            )
        known = registry.find(request.llm_model or "")
        if known is None and request.llm_model is None:
            known = next((m for m in registry.models.values() if m.provider == name), None)
        if known is not None and known.provider != name:
            raise NoReviewer(f"llmModel '{known.name}' is not served by provider '{name}'")
        upstream_id = known.upstream_id if known else request.llm_model
        if not upstream_id:
            raise NoReviewer(f"name an llmModel for provider '{name}'")
        if request.llm_api_key:
            provider: Provider = (
                AnthropicMessagesProvider(name, config.base_url, request.llm_api_key, self.ctx.http)
                if config.protocol == "anthropic"
                else OpenAIChatProvider(name, config.base_url, request.llm_api_key, self.ctx.http)
            )
        else:
            if known is None or not registry.is_usable(known.name):
                raise NoReviewer(
                    f"provider '{name}' has no API key on this server: send llmApiKey "
                    "or choose a configured model"
                )
            provider = registry.routes(known.name)[0][1]
        return Reviewer(
            known.name if known else upstream_id,
            upstream_id,
            known.max_output if known else REVIEW_MAX_TOKENS,
            provider,
            known.cost if known else None,
        )

    def _deadline(self) -> float:
        """The longest a review may take, every attempt included: one attempt's timeout."""
        return self.ctx.settings.upstream_timeout_seconds

    async def _review(
        self, reviewer: Reviewer, text: str, shown: list[Suggestion], count: int
    ) -> str:
        """The model's answer to the review prompt (charged to the caller)."""
        prompt = review_prompt(text, shown, count)
        request = CompletionRequest(
            model=reviewer.upstream_id,
            messages=[ChatMessage(role, content) for role, content in prompt],
            temperature=0.0,
            max_tokens=min(REVIEW_MAX_TOKENS, reviewer.max_output),
        )
        async with asyncio.timeout(self._deadline()):
            completion = await metered_complete(
                self.ctx,
                self.user_id,
                AUTOBRANCH_KIND,
                reviewer.model,
                reviewer.provider,
                request,
                reviewer.cost,
            )
        return completion.content


def given_suggestions(text: str, given: Sequence[SuggestionIn]) -> list[Suggestion]:
    """The suggestions a caller sent, checked against the message's ``text``.

    Each span (its group's too, around it) lies in the text and holds its
    ``triggerText``; an ``id`` sent is the one its type and span make; no two are the
    same suggestion. The first that is not is a 400 naming its field
    (``suggestions.1.triggerText``).
    """
    out: list[Suggestion] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(given):
        at = f"suggestions.{i}"
        start, end = _span_in(text, item.branch_point, item.trigger_text, at)
        kind = item.type or Suggestion.kind_in_id(item.id)
        if kind is None:
            raise _invalid(f"{at}.type", "required when id does not name it")
        group = None
        if item.group is not None:
            g = item.group
            g_start, g_end = _span_in(text, g.branch_point, g.trigger_text, f"{at}.group")
            if not g_start <= start < end <= g_end:
                raise _invalid(f"{at}.group.branchPoint", "must contain the suggestion's")
            group = Group(g.type, g_start, g_end, g.trigger_text)
        suggestion = Suggestion(
            kind=kind,
            start=start,
            end=end,
            trigger=item.trigger_text,
            confidence=item.confidence,
            title=item.title,
            description=item.description,
            reasoning=item.reasoning,
            divergence=item.estimated_divergence,
            options=tuple(item.options),
            group=group,
        )
        if item.id is not None and item.id != suggestion.id:
            raise _invalid(
                f"{at}.id", f"{item.id} is not this type and branchPoint's id ({suggestion.id})"
            )
        if suggestion.id in seen:
            raise _invalid(at, f"the same suggestion as suggestions.{seen[suggestion.id]}")
        seen[suggestion.id] = i
        out.append(suggestion)
    return out


def _span_in(text: str, point: BranchPointIn, trigger: str, at: str) -> tuple[int, int]:
    if not point.start < point.end <= len(text):
        raise _invalid(
            f"{at}.branchPoint", f"must be a span of the message (0 <= start < end <= {len(text)})"
        )
    if text[point.start : point.end] != trigger:
        raise _invalid(
            f"{at}.triggerText",
            f"is not the message's text at branchPoint {point.start}-{point.end}",
        )
    return point.start, point.end


def _invalid(field: str, message: str) -> InvalidRequest:
    return InvalidRequest(f"{field}: {message}", field=field)
