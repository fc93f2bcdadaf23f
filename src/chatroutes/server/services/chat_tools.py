"""What the Chat API adds around each provider call: thinking, web search, cited sources.

``ChatRoute`` wraps one route's provider (the asked model or a fallback) and is a
provider itself, so the send's retries, fallbacks and streaming apply unchanged:

- a model with a ``thinking_budget`` thinks first; its thinking streams as reasoning;
- with web search, a model with tools gets a ``web_search`` tool: each call is a
  status note, a search through the backend and numbered results sent back as the
  tool's answer, at most ``chat_max_searches`` per reply, then the model must answer;
  a model without tools gets one search for the question, its results in the prompt;
- a reply built on search results that cites none of them ends with a Sources list.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace

import httpx

from ..domain.context_assembly import ChatMessage
from ..providers.base import (
    Completion,
    CompletionRequest,
    Provider,
    Reasoning,
    Status,
    StreamCut,
    Tool,
    ToolRound,
)
from ..providers.registry import ModelInfo
from ..providers.search import (
    BraveSearch,
    SearchBackend,
    SearchFailed,
    SearchResult,
    SearxngSearch,
)
from ..settings import Settings

WEB_SEARCH = Tool(
    name="web_search",
    description=(
        "Search the web for current information. Answers numbered results (title, URL, "
        "snippet); cite the ones you use by number, like [1]."
    ),
    parameters={
        "type": "object",
        "properties": {"query": {"type": "string", "description": "What to search for"}},
        "required": ["query"],
    },
)
Piece = str | Reasoning | Status | Completion


def search_backend(settings: Settings, client: httpx.AsyncClient) -> SearchBackend | None:
    """Brave Search when its key is set, else SearXNG when its URL is; else none."""
    timeout = settings.web_search_timeout_seconds
    if settings.brave_search_api_key:
        return BraveSearch(
            settings.brave_search_url, settings.brave_search_api_key, client, timeout=timeout
        )
    if settings.searxng_url:
        return SearxngSearch(settings.searxng_url, client, timeout=timeout)
    return None


@dataclass
class WebSearch:
    """One reply's web search: the backend, what it found, what the caller is told."""

    backend: SearchBackend
    question: str
    max_searches: int
    per_search: int
    statuses: list[str]  # the turn's: every note is also streamed as a status event
    sources: list[SearchResult] = field(default_factory=list)  # numbered [1], [2]… in order
    _for_question: list[SearchResult] | None = None

    async def search(self, query: str) -> tuple[list[SearchResult], list[str], str | None]:
        """Results (numbered after the earlier ones), the notes, and why it failed, if it did."""
        notes = [f"Searching the web for: {query[:200]}"]
        try:
            found = await self.backend.search(query, self.per_search)
        except SearchFailed as exc:
            notes.append(f"{exc}; answering without it")
            return [], notes, str(exc)
        notes.append(f"Found {len(found)} web result{'s' if len(found) != 1 else ''}")
        self.sources.extend(found)
        return found, notes, None

    async def for_question(self) -> tuple[list[SearchResult], list[str]]:
        """One search for the question, done once per reply (a retry reuses it)."""
        if self._for_question is not None:
            return self._for_question, []
        self.sources.clear()
        found, notes, _ = await self.search(self.question)
        self._for_question = found
        return found, notes


class ChatRoute:
    """A route's provider with the Chat API's additions; see the module docstring."""

    def __init__(self, inner: Provider, info: ModelInfo, web: WebSearch | None) -> None:
        self.name = inner.name
        self.inner = inner
        self.info = info
        self.web = web

    async def complete(self, request: CompletionRequest) -> Completion:
        final: Completion | None = None
        async for piece in self._run(request, streaming=False):
            if isinstance(piece, Completion):
                final = piece
        assert final is not None  # _run always ends with one
        return final

    def stream(self, request: CompletionRequest) -> AsyncIterator[Piece]:
        return self._run(request, streaming=True)

    def _request(self, request: CompletionRequest) -> CompletionRequest:
        info = self.info
        messages = request.messages
        if not info.vision:  # a fallback without vision gets the text
            messages = [replace(m, images=()) if m.images else m for m in messages]
        budget = info.thinking_budget
        max_tokens = request.max_tokens
        if budget:
            max_tokens = max(1, min(max_tokens, info.max_output - budget))
        return replace(
            request, messages=messages, thinking_budget=budget or None, max_tokens=max_tokens
        )

    async def _call(self, request: CompletionRequest, streaming: bool) -> AsyncIterator[Piece]:
        if streaming:
            async for piece in self.inner.stream(request):
                yield piece
        else:
            yield await self.inner.complete(request)

    async def _run(self, request: CompletionRequest, streaming: bool) -> AsyncIterator[Piece]:
        request = self._request(request)
        web = self.web
        if web is not None and not self.info.tools:
            found, notes = await web.for_question()
            for note in notes:
                yield self._note(note)
            if found:
                request = replace(
                    request, messages=with_system(request.messages, results_text(found, 1))
                )
        elif web is not None:
            web.sources.clear()  # a retry searches again, numbering from [1]
            request = replace(request, tools=(WEB_SEARCH,))
        rounds: list[ToolRound] = []
        texts: list[str] = []
        prompt_tokens = completion_tokens = searches = 0
        while True:
            done_searching = web is None or searches >= web.max_searches
            if request.tools:
                request = replace(
                    request,
                    tool_rounds=tuple(rounds),
                    tool_choice="none" if done_searching else "auto",
                )
            completion: Completion | None = None
            try:
                async for piece in self._call(request, streaming):
                    if isinstance(piece, Completion):
                        completion = piece
                    else:
                        yield piece
            except StreamCut as cut:  # the earlier rounds were spent too
                cut.partial = replace(
                    cut.partial,
                    prompt_tokens=cut.partial.prompt_tokens + prompt_tokens,
                    completion_tokens=cut.partial.completion_tokens + completion_tokens,
                )
                raise
            if completion is None:
                return  # the send reports a stream that ended without finishing
            texts.append(completion.content)  # what was streamed of this round
            prompt_tokens += completion.prompt_tokens
            completion_tokens += completion.completion_tokens
            if web is None or not request.tools or done_searching or not completion.tool_calls:
                break
            results: list[str] = []
            for call in completion.tool_calls:
                query = str(call.arguments.get("query") or "").strip()
                if call.name != WEB_SEARCH.name or not query:
                    results.append("Error: call web_search with a non-empty 'query'.")
                    continue
                if searches >= web.max_searches:
                    results.append("Search limit reached: answer with the results you have.")
                    continue
                searches += 1
                start = len(web.sources) + 1
                found, notes, failure = await web.search(query)
                for note in notes:
                    yield self._note(note)
                results.append(failure or results_text(found, start))
            rounds.append(
                ToolRound(
                    completion.content, completion.tool_calls, tuple(results), completion.blocks
                )
            )
            if completion.content:  # the next round's text starts a new paragraph
                texts.append("\n\n")
                yield "\n\n"
        content = "".join(texts)
        sources = web.sources if web is not None else []
        tail = uncited_sources(content, sources)
        if tail:
            yield tail
        yield Completion(
            content=content + tail,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            finish_reason=completion.finish_reason,
            model=completion.model,
        )

    def _note(self, note: str) -> Status:
        assert self.web is not None
        self.web.statuses.append(note)
        return Status(note)


def with_system(messages: list[ChatMessage], text: str) -> list[ChatMessage]:
    """``messages`` with one more system message after the leading ones."""
    at = next((i for i, m in enumerate(messages) if m.role != "system"), len(messages))
    return [*messages[:at], ChatMessage("system", text), *messages[at:]]


def results_text(found: list[SearchResult], start: int) -> str:
    """Search results numbered from ``start``, with the request to cite them by number."""
    if not found:
        return "The web search found nothing."
    lines = [
        "Web search results follow. Use them where relevant and cite them by number, "
        "like [1], in the answer."
    ]
    for number, source in enumerate(found, start):
        lines.append(f"[{number}] {source.title} ({source.url})\n{source.snippet}")
    return "\n\n".join(lines)


def uncited_sources(content: str, sources: list[SearchResult]) -> str:
    """A Sources list to append when the reply cites none of ``sources``; else nothing."""
    if not sources or any(f"[{n}]" in content for n in range(1, len(sources) + 1)):
        return ""
    return "\n\nSources:\n" + "\n".join(f"[{n}] {s.url}" for n, s in enumerate(sources, 1))
