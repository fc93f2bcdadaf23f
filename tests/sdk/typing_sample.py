"""A program using the SDK the way an application would; ``mypy --strict`` must accept it.

Never run by the tests (it needs a server); only type-checked by ``test_typing.py``.
"""

from __future__ import annotations

import asyncio

from chatroutes import (
    AsyncChatRoutes,
    Branch,
    ChatRoutes,
    ChatRoutesError,
    Conversation,
    Message,
    RateLimitError,
    SendMessageResponse,
    StreamChunk,
)


def sync_program(client: ChatRoutes) -> list[str]:
    conversation: Conversation = client.conversations.create({"title": "Typed", "model": "gpt-5"})
    reply: SendMessageResponse = client.messages.send(conversation["id"], {"content": "Hi"})
    tokens: int = reply["usage"]["totalTokens"]
    first: Message = reply["message"]
    fork: Branch = client.branches.fork(
        conversation["id"], {"forkPointMessageId": first["id"], "contextMode": "FULL"}
    )
    merged: Branch = client.branches.merge(conversation["id"], fork["id"], strategy="append")
    print(tokens, merged.get("isMain"))

    def on_chunk(chunk: StreamChunk) -> None:
        print(chunk.get("content") or "", end="")

    def on_complete(message: Message) -> None:
        print(message["id"])

    nothing: None = client.messages.stream(conversation["id"], {"content": "a"}, on_chunk)
    client.messages.stream(conversation["id"], {"content": "b"}, on_complete=on_complete)
    assert nothing is None
    with client.messages.stream(conversation["id"], {"content": "c"}) as stream:
        for event in stream:
            if event.get("type") == "content":
                print(event.get("content"))
    final: Message | None = stream.message
    titles = [c["title"] for c in client.conversations.list_all()]
    page = client.conversations.list({"page": 1, "limit": 10})
    has_next: bool | None = page["hasNext"]
    try:
        client.conversations.get("conv_x")
    except RateLimitError as exc:
        wait: int | None = exc.retry_after
        print(wait)
    except ChatRoutesError as exc:
        print(exc.status_code, exc.message, exc.details, exc.error_code)
    print(final, has_next, client.usage.summary().get("tokensUsed"))
    print([p["id"] for p in client.plans.list()], client.billing.get().get("plan"))
    return titles


async def async_program(client: AsyncChatRoutes) -> str:
    conversation = await client.conversations.create({"title": "Typed async"})
    replies = await asyncio.gather(
        *(client.messages.send(conversation["id"], {"content": str(n)}) for n in range(3))
    )
    contents: list[str] = [r["message"]["content"] for r in replies]
    text = ""
    async for event in client.messages.stream(conversation["id"], {"content": "s"}):
        if event.get("type") == "content":
            text += event.get("content") or ""
    async with client.messages.stream(conversation["id"], {"content": "t"}) as stream:
        async for piece in stream.text_stream:
            text += piece

    async def on_chunk(chunk: StreamChunk) -> None:
        print(chunk)

    await client.messages.stream(conversation["id"], {"content": "u"}, on_chunk=on_chunk)
    ids: list[str] = [c["id"] async for c in client.conversations.list_all()]
    print(contents, ids)
    return text


def main() -> None:
    with ChatRoutes(api_key="cr_prod_sk_x", base_url="http://localhost:8000/api/v1") as client:
        sync_program(client)

    async def run() -> None:
        async with AsyncChatRoutes(api_key="cr_prod_sk_x") as client:
            await async_program(client)

    asyncio.run(run())


if __name__ == "__main__":
    main()
