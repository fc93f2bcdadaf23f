"""The 0.1 Python SDK's readme examples (PyPI ``chatroutes==0.1.0``), as a new user runs them.

Runs in ``.venv-sdk01`` (the 0.1 SDK and this project share the import name). Each example
is the readme's code in order, with these changes only: the API key and base URL come from
the environment, and the readme's placeholder ids (``'conv_123'``, ``'msg_456'``) are the
conversation and the message the quick start made, except in "Error Handling", whose
point is an id that does not exist. What each example prints, and what it returned, is
reported as one ``RESULT <json>`` line (a crash: the traceback and the examples so far).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import traceback
from collections.abc import Iterator
from importlib import metadata
from typing import Any

import chatroutes
from chatroutes import ChatRoutes

API_KEY = os.environ["E2E_API_KEY"]
BASE_URL = os.environ["E2E_BASE_URL"]

report: dict[str, Any] = {
    "sdk": {"version": metadata.version("chatroutes"), "file": chatroutes.__file__}
}


@contextlib.contextmanager
def example(name: str) -> Iterator[dict[str, Any]]:
    """One readme example: what it prints goes to ``report[name]["printed"]``."""
    printed = io.StringIO()
    seen: dict[str, Any] = {}
    report[name] = seen
    try:
        with contextlib.redirect_stdout(printed):
            yield seen
    finally:
        seen["printed"] = printed.getvalue()


def examples() -> None:
    with example("quick_start") as seen:
        client = ChatRoutes(api_key=API_KEY, base_url=BASE_URL)

        conversation = client.conversations.create(
            {"title": "My First Conversation", "model": "gpt-4"}
        )

        response = client.messages.send(
            conversation["id"], {"content": "Hello, how are you?", "model": "gpt-4"}
        )

        print(response["assistantMessage"]["content"])
        seen.update(conversation=conversation, response=response)

    conv_123 = conversation["id"]
    msg_456 = response["assistantMessage"]["id"]

    with example("creating_a_conversation") as seen:
        conversation = client.conversations.create(
            {"title": "Product Discussion", "model": "gpt-4"}
        )
        seen["conversation"] = conversation

    with example("sending_messages") as seen:
        response = client.messages.send(
            conversation_id=conv_123,
            data={"content": "What are the key features?", "model": "gpt-4", "temperature": 0.7},
        )
        seen["response"] = response

    with example("streaming_responses"):

        def on_chunk(chunk):
            if chunk["choices"][0]["delta"].get("content"):
                print(chunk["choices"][0]["delta"]["content"], end="", flush=True)

        client.messages.stream(
            conversation_id=conv_123, data={"content": "Tell me a story"}, on_chunk=on_chunk
        )

    with example("working_with_branches") as seen:
        branch = client.branches.create(
            conversation_id=conv_123, data={"title": "Alternative Response", "contextMode": "FULL"}
        )

        fork = client.branches.fork(
            conversation_id=conv_123,
            data={"forkPointMessageId": msg_456, "title": "Exploring Different Approach"},
        )
        seen.update(branch=branch, fork=fork)

    with example("listing_conversations") as seen:
        result = client.conversations.list({"page": 1, "limit": 10, "filter": "all"})

        for conv in result["data"]:
            print(f"{conv['title']} - {conv['createdAt']}")
        seen["result"] = result

    with example("error_handling"):
        from chatroutes import (
            AuthenticationError,
            ChatRoutesError,
            NotFoundError,
            RateLimitError,
            ServerError,  # noqa: F401 -- imported as the readme does
            ValidationError,  # noqa: F401
        )

        try:
            conversation = client.conversations.get("conv_123")
        except AuthenticationError:
            print("Invalid API key")
        except NotFoundError:
            print("Conversation not found")
        except RateLimitError as e:
            print(f"Rate limited. Retry after {e.retry_after} seconds")
        except ChatRoutesError as e:
            print(f"Error: {e.message}")

    with example("api_reference") as seen:
        client = ChatRoutes(
            api_key=API_KEY,
            base_url=BASE_URL,  # optional
            timeout=30,  # optional, in seconds
            retry_attempts=3,  # optional
            retry_delay=1.0,  # optional, in seconds
        )
        # Every method the reference lists, on the quick start's conversation.
        seen["get"] = client.conversations.get(conv_123)
        seen["update"] = client.conversations.update(conv_123, {"title": "Renamed"})
        seen["tree"] = client.conversations.get_tree(conv_123)
        branch_id = report["working_with_branches"]["fork"]["id"]
        seen["branch_send"] = client.messages.send(
            conv_123, {"content": "On the fork", "branchId": branch_id}
        )
        chunks: list[dict[str, Any]] = []
        completed: list[dict[str, Any]] = []
        client.messages.stream(
            conv_123,
            {"content": "And another one"},
            on_chunk=chunks.append,
            on_complete=completed.append,
        )
        seen.update(chunks=chunks, completed=completed)
        seen["messages"] = client.messages.list(conv_123)
        seen["fork_messages"] = client.messages.list(conv_123, branch_id)
        seen["branch_messages"] = client.branches.get_messages(conv_123, branch_id)
        seen["branches"] = client.branches.list(conv_123)
        seen["branch_update"] = client.branches.update(conv_123, branch_id, {"title": "Kept"})
        seen["merge"] = client.branches.merge(conv_123, branch_id)
        edited_id = seen["branch_send"]["userMessage"]["id"]
        seen["message_update"] = client.messages.update(edited_id, "Edited words")
        client.messages.delete(seen["branch_send"]["assistantMessage"]["id"])
        other = report["working_with_branches"]["branch"]["id"]
        client.branches.delete(conv_123, other)
        seen["branches_after_delete"] = client.branches.list(conv_123)
        client.conversations.delete(report["creating_a_conversation"]["conversation"]["id"])
        seen["listed_after_delete"] = client.conversations.list()


if __name__ == "__main__":
    try:
        examples()
    except Exception:
        print(
            "RESULT "
            + json.dumps({"crash": traceback.format_exc(), "partial": report}, default=str)
        )
        sys.exit(1)
    print("RESULT " + json.dumps({"result": report}, default=str))
