"""The Chat API: one call per turn on the same conversations, providers and usage as /api/v1.

A chat provider name (``claude``, ``google``…) stands for one registry model; the
turn itself is a send of ``SendPipeline`` (``services/sending``), with the mood's tone
added as a system message and each route's provider wrapped by ``chat_tools.ChatRoute``
(thinking, web search, cited sources). An image is kept with the question it came with
and sent again with it on later turns to models with vision.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field, replace

from sqlalchemy.ext.asyncio import AsyncSession

from ..domain import tree
from ..domain.context_assembly import ChatMessage, ImagePart, prompt_estimate
from ..domain.errors import Forbidden, InvalidRequest, NotFound
from ..domain.ids import new_id
from ..providers.registry import Registry
from ..providers.search import SearchResult
from ..schemas.chat import ChatSend
from ..schemas.conversations import ConversationCreate
from ..schemas.messages import MessageSend
from ..store.branches import BranchRepository
from ..store.conversations import ConversationRepository
from ..store.images import ChatImage, ImageRepository
from ..store.messages import MessageRepository
from ..store.tables import Conversation, Message
from ..store.users import UserRepository
from .chat_tools import ChatRoute, WebSearch, search_backend, with_system
from .conversations import ConversationService
from .live import ReplyStream
from .sending import Prepared, Sender, SendPipeline, SendResult, SendTarget
from .server_context import ServerContext, utcnow

# The registry provider behind each chat provider name, and back.
CHAT_TO_REGISTRY = {
    "openai": "openai",
    "claude": "anthropic",
    "google": "gemini",
    "groq": "groq",
    "openrouter": "openrouter",
    "ollama": "ollama",
}
REGISTRY_TO_CHAT = {v: k for k, v in CHAT_TO_REGISTRY.items()}
CHAT_MODELS = {
    "openai": "gpt-5",
    "claude": "claude-sonnet-4-5",
    "google": "gemini-2.5-flash",
    "groq": "llama-3.3-70b-versatile",
    "openrouter": "openrouter/anthropic/claude-sonnet-4.5",
}
MOODS = {
    "serious": "Answer in a serious, precise and professional tone; no jokes or small talk.",
    "friendly": "Answer in a warm, friendly and encouraging tone.",
    "normal": "Answer in a natural, balanced tone.",
}
_TITLE_CHARS = 80
_TOKENS_PER_RESULT = 150  # a web search result's title, address and snippet, generously
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


@dataclass
class ChatTurn:
    """A stored question ready to be answered, and what the caller is told about it."""

    prepared: Prepared
    conversation_id: str
    statuses: list[str] = field(default_factory=list)  # grows while a web search runs
    sources: list[SearchResult] = field(default_factory=list)


@dataclass
class StoredImage:
    """An image sent with a message: what ``GET /api/chat/messages`` lists of it."""

    id: str
    mime_type: str
    size: int


def chat_provider(registry_provider: str) -> str:
    """The chat name of a registry provider (``anthropic`` → ``claude``); others as they are."""
    return REGISTRY_TO_CHAT.get(registry_provider, registry_provider)


class ChatService:
    def __init__(self, ctx: ServerContext, user_id: str) -> None:
        self.ctx = ctx
        self.user_id = user_id
        self.pipeline = SendPipeline(ctx)

    async def start_turn(self, request: ChatSend) -> ChatTurn:
        """Resolve the provider, find or create the conversation, store the question and image.

        Every refusal (a provider without a key, another user's conversation, limits)
        raises here, before any reply or stream begins.
        """
        limit = self.ctx.settings.max_content_chars  # the operator's, below the schema's
        if len(request.message) > limit:
            raise InvalidRequest(f"message: longer than {limit} characters", field="message")
        model = await self._model_for(request.provider)
        image = self._image(request, model)
        if request.conversation_id is not None:
            async with self.ctx.db.read() as session:
                await self._owned(session, request.conversation_id)
            conversation_id = request.conversation_id
        else:
            view = await ConversationService(self.ctx, self.user_id).create(
                ConversationCreate(
                    title=_title(request.message), model=model, channel=request.channel
                )
            )
            conversation_id = view.conversation.id
        try:
            prepared = await self.pipeline.store_question(
                Sender(self.user_id),
                SendTarget(conversation_id),
                MessageSend(content=request.message, model=model),
                reserve=False,
            )
        except Exception:
            if request.conversation_id is None:  # refused (limits…): no empty conversation left
                await ConversationService(self.ctx, self.user_id).delete(conversation_id)
            raise
        try:
            if image is not None:
                await self._keep_image(prepared.user_message, image)
            messages = prepared.request.messages
            if prepared.info.vision:
                messages = await self._with_images(prepared.user_message, messages)
        except Exception:
            await self.pipeline.release_lease(prepared)  # the branch stays free for a retry
            raise
        turn = ChatTurn(prepared, conversation_id)
        web = self._web_search(request, turn.statuses)
        if web is not None:
            turn.sources = web.sources
        messages = with_system(messages, MOODS[request.mood])
        # Each web search is one more upstream call, its prompt grown by the results.
        rounds = 1 if web is None else web.max_searches + 1
        results = 0 if web is None else web.max_searches * web.per_search * _TOKENS_PER_RESULT
        await self.pipeline.reserve(
            prepared, prompt_tokens=prompt_estimate(messages) + results, rounds=rounds
        )
        prepared.request = replace(prepared.request, messages=messages)
        prepared.routes = [(info, ChatRoute(p, info, web)) for info, p in prepared.routes]
        prepared.provider = prepared.routes[0][1]
        return turn

    async def answer(self, turn: ChatTurn) -> SendResult:
        return await self.pipeline.generate(turn.prepared)

    def stream(self, turn: ChatTurn) -> ReplyStream:
        return self.pipeline.stream_prepared(turn.prepared, reasoning=True)

    async def conversations(self, channel: str | None, limit: int) -> list[Conversation]:
        async with self.ctx.db.read() as session:
            return await ConversationRepository(session).list_in_channel(
                self.user_id, channel, limit=limit
            )

    async def conversation_messages(
        self, conversation_id: str, limit: int
    ) -> tuple[list[Message], dict[str, list[StoredImage]]]:
        """The latest ``limit`` visible messages, every branch, oldest first; their images."""
        async with self.ctx.db.read() as session:
            await self._owned(session, conversation_id)
            rows = await MessageRepository(session).list_for_conversation(conversation_id)
            messages = tree.visible(rows)[-limit:]
            images = await ImageRepository(session).for_messages([m.id for m in messages])
        by_message: dict[str, list[StoredImage]] = {}
        for image in images:
            stored = StoredImage(image.id, image.mime_type, image.size)
            by_message.setdefault(image.message_id, []).append(stored)
        return messages, by_message

    async def image(self, image_id: str) -> ChatImage:
        """An image with its bytes; another user's is 403, as its conversation would be."""
        async with self.ctx.db.read() as session:
            images = ImageRepository(session)
            image = await images.get(image_id)
            if image is None:
                raise NotFound("image", image_id)
            if image.user_id != self.user_id:
                raise Forbidden("Image does not belong to the authenticated user")
            (image,) = await images.with_data([image_id])
        return image

    async def delete(self, conversation_id: str) -> None:
        async with self.ctx.db.read() as session:
            await self._owned(session, conversation_id)
        await ConversationService(self.ctx, self.user_id).delete(conversation_id)

    async def truncate(self, conversation_id: str, keep: int) -> tuple[int, int]:
        """Soft-delete all but the ``keep`` latest visible messages of the main path (0: all).

        Soft: the rows stay, so the usage they carry still counts. Answers (kept, deleted).
        """
        async with self.ctx.db.write() as session:
            await self._owned(session, conversation_id)
            main = await BranchRepository(session).get_main(conversation_id)
            messages = MessageRepository(session)
            path = tree.visible(await messages.path(main.head_message_id))
            doomed = path if keep == 0 else path[: max(len(path) - keep, 0)]
            await messages.soft_delete_many([m.id for m in doomed], utcnow())
        return len(path) - len(doomed), len(doomed)

    async def default_provider(self) -> str | None:
        async with self.ctx.db.read() as session:
            user = await UserRepository(session).get(self.user_id)
            return user.default_provider if user else None

    async def set_default_provider(self, provider: str | None) -> str | None:
        if provider is not None:
            self._model_info(provider, "defaultProvider")
        async with self.ctx.db.write() as session:
            user = await UserRepository(session).get(self.user_id)
            if user is None:
                raise NotFound("user", self.user_id)
            user.default_provider = provider
            await session.flush()
        return provider

    async def _owned(self, session: AsyncSession, conversation_id: str) -> Conversation:
        """The Chat API's rule: another user's conversation is 403, not 404."""
        conversation = await ConversationRepository(session).get(conversation_id)
        if conversation is None:
            raise NotFound("conversation", conversation_id)
        if conversation.user_id != self.user_id:
            raise Forbidden("Conversation does not belong to the authenticated user")
        return conversation

    async def _model_for(self, provider: str) -> str:
        if provider == "default":
            provider = await self.default_provider() or ""
            if not provider:
                return self.ctx.registry.default_model
        return self._model_info(provider, "provider")

    def _model_info(self, provider: str, field_name: str) -> str:
        """The provider's model, if the server can reach it; else a 400 naming the field."""
        if provider == "ollama":
            model = f"ollama/{self.ctx.settings.chat_ollama_model}"
        else:
            model = CHAT_MODELS[provider]
        registry = self.ctx.registry
        config = registry.providers.get(CHAT_TO_REGISTRY[provider])
        if config is None or not config.usable or not registry.is_usable(model):
            setting = config.key_env if config else None
            usable = [p for p in CHAT_TO_REGISTRY if _reachable(registry, p)]
            raise InvalidRequest(
                f"{field_name}: '{provider}' is not configured on this server"
                + (f" (set {setting})" if setting else "")
                + (f"; available: {', '.join(usable)}" if usable else ""),
                field=field_name,
                details={"provider": provider, "setting": setting},
            )
        return model

    def _image(self, request: ChatSend, model: str) -> ImagePart | None:
        """The request's image, checked: a supported type, within the limit, a vision model."""
        if request.image is None and request.image_mime_type is None:
            return None
        if request.image is None:
            raise InvalidRequest("image: required with imageMimeType", field="image")
        mime_type = (request.image_mime_type or "").strip().lower()
        if mime_type not in IMAGE_TYPES:
            raise InvalidRequest(
                f"imageMimeType: must be one of {', '.join(IMAGE_TYPES)}",
                field="imageMimeType",
                details={"supported": list(IMAGE_TYPES)},
            )
        try:
            size = len(base64.b64decode(request.image, validate=True))
        except (binascii.Error, ValueError):
            raise InvalidRequest("image: not valid base64", field="image") from None
        limit = self.ctx.settings.chat_max_image_bytes
        if size > limit:
            raise InvalidRequest(
                f"image: {size} bytes is over the {limit}-byte limit",
                field="image",
                details={"limitBytes": limit},
            )
        info = self.ctx.registry.get(model)
        if not info.vision:
            raise InvalidRequest(
                f"image: {info.name} ({chat_provider(info.provider)}) does not accept images; "
                "choose a vision-capable provider",
                field="image",
                details={"provider": chat_provider(info.provider), "model": info.name},
            )
        return ImagePart(mime_type, request.image)

    def _web_search(self, request: ChatSend, statuses: list[str]) -> WebSearch | None:
        """The turn's web search, or None; with no backend, a status says it is unavailable."""
        if not request.web_search:
            return None
        settings = self.ctx.settings
        backend = search_backend(settings, self.ctx.http)
        if backend is None:
            statuses.append(
                "Web search is not available: no search backend is configured on this server "
                "(CHATROUTES_BRAVE_SEARCH_API_KEY or CHATROUTES_SEARXNG_URL); answering without it"
            )
            return None
        return WebSearch(
            backend,
            question=request.message,
            max_searches=settings.chat_max_searches,
            per_search=settings.web_search_results,
            statuses=statuses,
        )

    async def _keep_image(self, question: Message, image: ImagePart) -> None:
        """Store the image with its question (once: a resent question already has it)."""
        data = base64.b64decode(image.data)
        async with self.ctx.db.write() as session:
            images = ImageRepository(session)
            if await images.for_messages([question.id]):
                return
            await images.add(
                ChatImage(
                    id=new_id("img"),
                    conversation_id=question.conversation_id,
                    message_id=question.id,
                    user_id=self.user_id,
                    mime_type=image.mime_type,
                    size=len(data),
                    data=data,
                    created_at=utcnow(),
                )
            )

    async def _with_images(
        self, question: Message, messages: list[ChatMessage]
    ) -> list[ChatMessage]:
        """``messages`` with the stored images of the path's messages they carry.

        The question's own image always goes; of the earlier ones, the newest
        ``chat_context_images``. Each sent message names the stored one it came from.
        """
        sent = {i: m.source_id for i, m in enumerate(messages) if m.source_id is not None}
        async with self.ctx.db.read() as session:
            repository = ImageRepository(session)
            if not await repository.any_in_conversation(question.conversation_id):
                return messages
            images = await repository.for_messages(list(sent.values()))
            earlier = [i.id for i in images if i.message_id != question.id]
            keep = self.ctx.settings.chat_context_images
            chosen = earlier[len(earlier) - keep :] if keep else []
            chosen += [i.id for i in images if i.message_id == question.id]
            loaded = await repository.with_data(chosen)
        parts: dict[str, list[ImagePart]] = {}
        for image in loaded:
            encoded = base64.b64encode(image.data).decode()
            parts.setdefault(image.message_id, []).append(ImagePart(image.mime_type, encoded))
        result = list(messages)
        for index, message_id in sent.items():
            if message_id in parts:
                result[index] = replace(result[index], images=tuple(parts[message_id]))
        return result


def _reachable(registry: Registry, provider: str) -> bool:
    config = registry.providers.get(CHAT_TO_REGISTRY[provider])
    return bool(config and config.usable)


def _title(message: str) -> str:
    line = " ".join(message.split())
    return (line[: _TITLE_CHARS - 1] + "…") if len(line) > _TITLE_CHARS else (line or "Chat")
