"""OpenAI's Conversations API over ChatRoutes conversations.

An OpenAI conversation is a ChatRoutes conversation (the same ``conv_…`` id in ``/v1`` and
``/api/v1``); its items are the visible messages of its main branch, each item's id its
message's (``msg_…``). Items added without a response (``items.create``, a conversation
created with items, the earlier items of a response's input) are appended to the tree
as messages, no model called; a response appends its question and reply through the
send pipeline (``services/openai_responses.py``).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from ..domain.errors import InvalidRequest, NotFound
from ..domain.ids import new_id
from ..domain.tokens import estimate_tokens
from ..schemas.conversations import ConversationCreate
from ..schemas.openai.items import InputItem, ItemImage, ItemMessage
from ..store import branches as branch_store
from ..store import conversations as conversation_store
from ..store import messages as message_store
from ..store.execution import insert_instance, transient
from ..store.images import ChatImage, ImageRepository
from ..store.messages import MessageRepository
from ..store.openai_responses import OpenAIResponseRepository
from ..store.tables import Branch, Conversation, Message
from .branches import build_message, insert_branch, message_within, new_branch
from .conversations import ConversationService, owned_conversation, owned_conversation_within
from .limits import BranchAllowance, LimitService
from .sending.question import HeadMoved, write_retrying_head_races
from .server_context import ServerContext, utcnow

_TITLE_CHARS = 80
MAX_PAGE = 100


@dataclass
class Appended:
    """Items appended to a branch: the branch (a new one when they forked) and their
    messages, oldest first."""

    branch: Branch
    messages: list[Message]


def title_from(items: Sequence[InputItem]) -> str:
    """A conversation's title from its first user message (else its first item)."""
    first = next((i for i in items if i.role == "user"), items[0] if items else None)
    text = " ".join(first.text.split()) if first is not None else ""
    return text[:_TITLE_CHARS] or "New conversation"


def append_within(
    connection: Connection,
    conversation: Conversation,
    items: Sequence[InputItem],
    *,
    after: str | None,
    allowance: BranchAllowance,
    user_id: str,
) -> Appended:
    """Append ``items`` as messages after message ``after`` (None: the main branch's head),
    on the branch it heads, or on a new branch forked there when it heads none; no model
    is called. Raises ``HeadMoved`` when the head moved meanwhile (run it again)."""
    if after is None:
        branch = branch_store.main_branch(connection, conversation.id)
        parent_id = branch.head_message_id
    else:
        parent = message_within(connection, conversation.id, after, "previous_response_id")
        home = branch_store.branch_in(connection, parent.branch_id, conversation.id)
        branch = home or branch_store.main_branch(connection, conversation.id)
        parent_id = parent.id
        if branch.head_message_id != parent_id:
            branch = insert_branch(
                connection,
                new_branch(
                    conversation.id,
                    parent=branch,
                    fork_point_id=parent_id,
                    title=f"Fork of {branch.title}",
                    context_mode=branch.context_mode,
                ),
                allowance,
                owner=user_id,
            )
    head = branch.head_message_id
    now = utcnow()
    messages: list[Message] = []
    for item in items:
        message = build_message(
            conversation_id=conversation.id,
            branch_id=branch.id,
            parent_id=parent_id,
            role=item.role,
            content=item.text,
            model=None,
            token_count=estimate_tokens(item.text),
        )
        insert_instance(connection, message)
        for image in item.images:
            insert_instance(connection, image_row(message, image, user_id))
        messages.append(message)
        parent_id = message.id
    last = messages[-1].id
    if not branch_store.move_head(connection, branch.id, expected=head, new=last, when=now):
        raise HeadMoved
    conversation_store.touch_conversation(connection, conversation.id, now)
    return Appended(branch, messages)


def image_row(message: Message, image: ItemImage, user_id: str) -> ChatImage:
    data = base64.b64decode(image.data)
    return transient(
        ChatImage,
        id=new_id("img"),
        conversation_id=message.conversation_id,
        message_id=message.id,
        user_id=user_id,
        mime_type=image.mime_type,
        size=len(data),
        data=data,
        created_at=utcnow(),
    )


def check_items(ctx: ServerContext, items: Sequence[InputItem]) -> None:
    """The operator's limits on each item: its length and its images' sizes."""
    for item in items:
        limit = ctx.settings.max_content_chars  # the operator's, below the schema's
        if len(item.text) > limit:
            raise InvalidRequest(
                f"{item.param}: longer than {limit} characters", field=f"{item.param}.content"
            )
        for image in item.images:
            if image.size > ctx.settings.chat_max_image_bytes:
                raise InvalidRequest(
                    f"{item.param}: an image of {image.size} bytes is over the "
                    f"{ctx.settings.chat_max_image_bytes}-byte limit",
                    field=item.param,
                )


@dataclass
class ConversationState:
    conversation: Conversation
    metadata: dict[str, str]


@dataclass
class ItemPage:
    messages: Sequence[ItemMessage]  # stored messages, or path rows naming their columns
    images: dict[str, list[ItemImage]]
    has_more: bool


class OpenAIConversationService:
    def __init__(self, ctx: ServerContext, user_id: str) -> None:
        self.ctx = ctx
        self.user_id = user_id
        self.conversations = ConversationService(ctx, user_id)

    async def create(
        self, items: Sequence[InputItem], metadata: dict[str, str]
    ) -> ConversationState:
        """A new conversation holding ``items`` on its main branch."""
        check_items(self.ctx, items)
        view = await self.conversations.create(ConversationCreate(title=title_from(items)))
        conversation = view.conversation
        try:
            if items:
                await self.append(conversation.id, items)
            async with self.ctx.db.write() as session:
                await OpenAIResponseRepository(session).set_metadata(conversation.id, metadata)
        except Exception:
            await self.conversations.delete(conversation.id)  # nothing half-made is left
            raise
        return ConversationState(conversation, metadata)

    async def get(self, conversation_id: str) -> ConversationState:
        async with self.ctx.db.read() as session:
            conversation = await owned_conversation(session, conversation_id, self.user_id)
            metadata = await OpenAIResponseRepository(session).metadata_of(conversation_id)
        return ConversationState(conversation, metadata)

    async def update(self, conversation_id: str, metadata: dict[str, str]) -> ConversationState:
        async with self.ctx.db.write() as session:
            conversation = await owned_conversation(session, conversation_id, self.user_id)
            await OpenAIResponseRepository(session).set_metadata(conversation_id, metadata)
        return ConversationState(conversation, metadata)

    async def delete(self, conversation_id: str) -> None:
        await self.conversations.delete(conversation_id)

    async def append(self, conversation_id: str, items: Sequence[InputItem]) -> list[Message]:
        """``items`` appended to the conversation's main branch."""
        check_items(self.ctx, items)
        async with LimitService(self.ctx).branch_allowance(self.user_id, None) as allowance:
            appended = await write_retrying_head_races(
                self.ctx,
                lambda connection: append_within(
                    connection,
                    owned_conversation_within(connection, conversation_id, self.user_id),
                    items,
                    after=None,
                    allowance=allowance,
                    user_id=self.user_id,
                ),
                "the items",
            )
        return appended.messages

    async def items(
        self, conversation_id: str, *, after: str | None, limit: int, order: str
    ) -> ItemPage:
        """A page of the main branch's visible messages, ``order`` by position."""

        def work(connection: Connection) -> list[ItemMessage]:
            owned_conversation_within(connection, conversation_id, self.user_id)
            main = branch_store.main_branch(connection, conversation_id)
            return list(message_store.visible_path(connection, main.head_message_id))

        path = await self.ctx.db.run(work)
        if order == "desc":
            path.reverse()
        if after is not None:
            ids = [m.id for m in path]
            if after not in ids:
                raise InvalidRequest(f"after: no item {after} in this conversation", field="after")
            path = path[ids.index(after) + 1 :]
        page = path[:limit]
        return ItemPage(page, await self.images_of(page), len(path) > limit)

    async def item(self, conversation_id: str, item_id: str) -> tuple[Message, list[ItemImage]]:
        async with self.ctx.db.read() as session:
            await owned_conversation(session, conversation_id, self.user_id)
            message = await MessageRepository(session).get_in_conversation(item_id, conversation_id)
        if message is None or message.deleted_at is not None:
            raise NotFound("item", item_id)
        return message, (await self.images_of([message])).get(message.id, [])

    async def delete_item(self, conversation_id: str, item_id: str) -> ConversationState:
        """The item's message soft-deleted: it leaves the item list and every later context."""
        async with self.ctx.db.write() as session:
            conversation = await owned_conversation(session, conversation_id, self.user_id)
            messages = MessageRepository(session)
            message = await messages.get_in_conversation(item_id, conversation_id)
            if message is None or message.deleted_at is not None:
                raise NotFound("item", item_id)
            await messages.soft_delete(item_id, utcnow())
            metadata = await OpenAIResponseRepository(session).metadata_of(conversation_id)
        return ConversationState(conversation, metadata)

    async def images_of(self, messages: Sequence[ItemMessage]) -> dict[str, list[ItemImage]]:
        """The images kept with these messages, by message."""
        ids = [m.id for m in messages if m.role == "user"]
        if not ids:
            return {}
        async with self.ctx.db.read() as session:
            repository = ImageRepository(session)
            found = await repository.for_messages(ids)
            loaded = await repository.with_data([i.id for i in found]) if found else []
        by_message: dict[str, list[ItemImage]] = {}
        for image in loaded:
            encoded = base64.b64encode(image.data).decode()
            by_message.setdefault(image.message_id, []).append(ItemImage(image.mime_type, encoded))
        return by_message
