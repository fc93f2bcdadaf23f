"""OpenAI input items as ChatRoutes messages, and messages as OpenAI items.

An item of a response's ``input`` or of a conversation is a message: ``{"type":
"message"?, "role", "content"}``, its content text or a list of parts (``input_text``,
``input_image`` with a base64 ``data:`` URL, and ``output_text`` in an assistant's).
Items are read by hand rather than by a model, so each refusal names the exact
``param`` OpenAI would (``input[1].content[0].image_url``).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from typing_extensions import TypedDict

from ...domain.errors import InvalidRequest
from ..messages import MAX_CONTENT_CHARS

ROLES = {"user": "user", "assistant": "assistant", "system": "system", "developer": "system"}
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
MAX_ITEMS = 100
_DATA_URL = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+);base64,(?P<data>.*)$", re.DOTALL)


@dataclass(frozen=True)
class ItemImage:
    """An ``input_image`` part: its MIME type and base64 data."""

    mime_type: str
    data: str

    @property
    def size(self) -> int:
        return len(base64.b64decode(self.data))


@dataclass(frozen=True)
class InputItem:
    """One message of input: its tree role (``developer`` is kept as ``system``), its text
    and images, and where it was in the request (for errors found later)."""

    role: str
    text: str
    param: str
    images: tuple[ItemImage, ...] = field(default=())


def parse_items(value: object, param: str, *, limit: int = MAX_ITEMS) -> list[InputItem]:
    """A list of message items, each checked; ``param`` names the list in errors."""
    if not isinstance(value, list):
        raise InvalidRequest(f"{param}: expected an array of items", field=param)
    if not value:
        raise InvalidRequest(f"{param}: at least one item is required", field=param)
    if len(value) > limit:
        raise InvalidRequest(f"{param}: at most {limit} items", field=param)
    return [_item(item, f"{param}[{index}]") for index, item in enumerate(value)]


def parse_input(value: object) -> list[InputItem]:
    """A response's ``input``: text (one user message) or a list of message items."""
    if isinstance(value, str):
        return [InputItem("user", _text(value, "input"), "input")]
    return parse_items(value, "input")


def _item(value: object, param: str) -> InputItem:
    if not isinstance(value, dict):
        raise InvalidRequest(f"{param}: expected an object", field=param)
    kind = value.get("type", "message")
    if kind != "message":
        raise InvalidRequest(
            f"{param}.type: only message items are supported, not {kind!r}", field=f"{param}.type"
        )
    unknown = set(value) - {"type", "role", "content", "id", "status"}
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidRequest(f"{param}.{name}: unknown parameter", field=f"{param}.{name}")
    role = value.get("role")
    if role not in ROLES:
        raise InvalidRequest(
            f"{param}.role: must be one of {', '.join(ROLES)}", field=f"{param}.role"
        )
    content = value.get("content")
    if isinstance(content, str):
        return InputItem(ROLES[role], _text(content, f"{param}.content"), param)
    if not isinstance(content, list) or not content:
        raise InvalidRequest(
            f"{param}.content: expected text or a non-empty array of parts",
            field=f"{param}.content",
        )
    texts: list[str] = []
    images: list[ItemImage] = []
    allowed = _PART_TYPES[role]
    for index, part in enumerate(content):
        where = f"{param}.content[{index}]"
        if not isinstance(part, dict) or part.get("type") not in allowed:
            raise InvalidRequest(
                f"{where}.type: a {role} message's parts are {', '.join(allowed)}",
                field=f"{where}.type",
            )
        if part["type"] == "input_image":
            images.append(_image(part, where))
        else:
            texts.append(_text(part.get("text"), f"{where}.text"))
    text = "\n\n".join(texts)
    if not text:
        raise InvalidRequest(
            f"{param}.content: a message needs an input_text part beside its images",
            field=f"{param}.content",
        )
    return InputItem(ROLES[role], text, param, tuple(images))


_PART_TYPES: dict[str, tuple[str, ...]] = {
    "user": ("input_text", "input_image"),
    "assistant": ("output_text", "input_text"),
    "system": ("input_text",),
    "developer": ("input_text",),
}


def _text(value: object, param: str) -> str:
    if not isinstance(value, str):
        raise InvalidRequest(f"{param}: expected a string", field=param)
    if not value:
        raise InvalidRequest(f"{param}: must not be empty", field=param)
    if len(value) > MAX_CONTENT_CHARS:
        raise InvalidRequest(f"{param}: longer than {MAX_CONTENT_CHARS} characters", field=param)
    if "\x00" in value:
        raise InvalidRequest(f"{param}: must not contain NUL characters", field=param)
    return value


def _image(part: dict[str, Any], where: str) -> ItemImage:
    unknown = set(part) - {"type", "image_url", "detail", "file_id"}
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidRequest(f"{where}.{name}: unknown parameter", field=f"{where}.{name}")
    if part.get("file_id") is not None:
        raise InvalidRequest(
            f"{where}.file_id: files are not supported; send the image as a data URL",
            field=f"{where}.file_id",
        )
    if part.get("detail", "auto") not in ("auto", "low", "high"):
        raise InvalidRequest(
            f"{where}.detail: must be one of auto, low, high", field=f"{where}.detail"
        )
    url = part.get("image_url")
    match = _DATA_URL.match(url) if isinstance(url, str) else None
    if match is None:
        raise InvalidRequest(
            f"{where}.image_url: expected a base64 data URL (data:image/png;base64,…); "
            "images are not fetched from the web",
            field=f"{where}.image_url",
        )
    mime = match["mime"].lower()
    if mime not in IMAGE_TYPES:
        raise InvalidRequest(
            f"{where}.image_url: the image type must be one of {', '.join(IMAGE_TYPES)}",
            field=f"{where}.image_url",
        )
    try:
        base64.b64decode(match["data"], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequest(
            f"{where}.image_url: not valid base64", field=f"{where}.image_url"
        ) from None
    return ItemImage(mime, match["data"])


class ItemMessage(Protocol):
    """A stored message as an item reads it."""

    @property
    def id(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def content(self) -> str: ...


class ContentPart(TypedDict, total=False):
    type: str
    text: str
    annotations: list[Any]
    image_url: str
    detail: str


class MessageItem(TypedDict):
    type: Literal["message"]
    id: str
    status: str
    role: str
    content: list[ContentPart]


def message_item(
    message: ItemMessage, images: Iterable[ItemImage] = (), *, status: str = "completed"
) -> MessageItem:
    """A stored message as an OpenAI message item (its id is the message's)."""
    parts: list[ContentPart]
    if message.role == "assistant":
        parts = [{"type": "output_text", "text": message.content, "annotations": []}]
    else:
        parts = [{"type": "input_text", "text": message.content}]
        parts += [
            {
                "type": "input_image",
                "image_url": f"data:{image.mime_type};base64,{image.data}",
                "detail": "auto",
            }
            for image in images
        ]
    return {
        "type": "message",
        "id": message.id,
        "status": status,
        "role": message.role,
        "content": parts,
    }


class ItemList(TypedDict):
    object: Literal["list"]
    data: list[MessageItem]
    first_id: str | None
    last_id: str | None
    has_more: bool


def item_list(items: list[MessageItem], has_more: bool = False) -> ItemList:
    return {
        "object": "list",
        "data": items,
        "first_id": items[0]["id"] if items else None,
        "last_id": items[-1]["id"] if items else None,
        "has_more": has_more,
    }


def metadata_of(value: object, param: str = "metadata") -> dict[str, str]:
    """OpenAI's metadata: at most 16 pairs, keys up to 64 characters, values up to 512."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidRequest(f"{param}: expected an object", field=param)
    if len(value) > 16:
        raise InvalidRequest(f"{param}: at most 16 keys", field=param)
    for key, item in value.items():
        if not isinstance(key, str) or not 0 < len(key) <= 64:
            raise InvalidRequest(f"{param}: keys are 1 to 64 characters", field=param)
        if not isinstance(item, str) or len(item) > 512:
            raise InvalidRequest(
                f"{param}.{key}: values are strings of up to 512 characters",
                field=f"{param}.{key}",
            )
        if "\x00" in key or "\x00" in item:
            raise InvalidRequest(f"{param}: must not contain NUL characters", field=param)
    return dict(value)
