"""The async client is the sync one's twin: every public method of every resource, of the
client and of its message stream, with the same parameters (names, kinds, defaults,
annotations), awaited where the sync one returns and iterated with ``async for`` where the
sync one is iterated. Each test fails with the list of every difference it found.
"""

from __future__ import annotations

import functools
import inspect
import operator
import typing
from collections.abc import AsyncIterator, Callable, Coroutine, Hashable, Iterator
from types import UnionType
from typing import Any

import httpx

from chatroutes import AsyncChatRoutes, AsyncMessageStream, ChatRoutes, MessageStream
from chatroutes.resources._base import AsyncAPIResource, SyncAPIResource

# The sync protocol's methods and their async counterparts.
PROTOCOL = {
    "__iter__": "__aiter__",
    "__next__": "__anext__",
    "__enter__": "__aenter__",
    "__exit__": "__aexit__",
}
# What a sync type becomes on the async side (in parameters and results).
ASYNC_TYPES: dict[Any, Any] = {
    httpx.Client: httpx.AsyncClient,
    MessageStream: AsyncMessageStream,
}


def public_methods(cls: type) -> dict[str, Callable[..., Any]]:
    """Public methods (and the sync protocol's) defined by ``cls`` and its bases."""
    return {
        name: member
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_") or name in PROTOCOL
    }


def public_properties(cls: type) -> set[str]:
    return {name for name, m in inspect.getmembers(cls) if isinstance(m, property)}


def resources(client: object, base: type) -> dict[str, object]:
    return {name: v for name, v in vars(client).items() if isinstance(v, base)}


def is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, UnionType)


def as_async(hint: Any) -> Any:
    """``hint`` with each sync type in it replaced by its async twin."""
    if isinstance(hint, list):  # a Callable's parameters
        return [as_async(item) for item in hint]
    if isinstance(hint, Hashable) and hint in ASYNC_TYPES:
        return ASYNC_TYPES[hint]
    args = typing.get_args(hint)
    converted = tuple(as_async(arg) for arg in args)
    if converted == args:
        return hint
    if is_union(hint):
        return functools.reduce(operator.or_, converted)
    return typing.get_origin(hint)[converted]


def members(hint: Any) -> set[Any]:
    """The members of a union (a lone type: itself)."""
    return set(typing.get_args(hint)) if is_union(hint) else {hint}


def expected_result(sync: Callable[..., Any], sync_result: Any, twin: Callable[..., Any]) -> Any:
    """What ``twin``'s return annotation must be, given the sync method's, or a string
    saying why ``twin`` is not the async form of ``sync``."""
    if inspect.isgeneratorfunction(sync) or typing.get_origin(sync_result) is Iterator:
        if not inspect.isasyncgenfunction(twin):
            return "is iterated on the sync side: must be an async generator (async for)"
        [item] = typing.get_args(sync_result)
        return AsyncIterator[as_async(item)]
    if inspect.iscoroutinefunction(twin):
        return as_async(sync_result)
    if inspect.isasyncgenfunction(twin):
        return "returns on the sync side: must be awaited, not iterated"
    # A plain function: it hands back async objects, or a coroutine where the sync one
    # returns a value (the stream methods: a stream to iterate, or callbacks to await).
    twins = {
        as_async(m) if m in ASYNC_TYPES else Coroutine[Any, Any, None if m is type(None) else m]
        for m in members(sync_result)
    }
    return functools.reduce(operator.or_, twins)


def hints(function: Callable[..., Any]) -> dict[str, Any]:
    return typing.get_type_hints(function)


def signature_differences(
    where: str, sync: Callable[..., Any], twin: Callable[..., Any], *, awaited: bool = True
) -> list[str]:
    """Each way ``twin`` is not the async form of ``sync``; ``awaited=False``: compare the
    parameters only (a constructor)."""
    found: list[str] = []
    sync_hints, twin_hints = hints(sync), hints(twin)
    sync_params = list(inspect.signature(sync).parameters.values())
    twin_params = list(inspect.signature(twin).parameters.values())
    sync_names = [(p.name, p.kind.name) for p in sync_params]
    twin_names = [(p.name, p.kind.name) for p in twin_params]
    if sync_names != twin_names:
        found.append(f"{where}: parameters {twin_names}, the sync one has {sync_names}")
        return found
    for mine, theirs in zip(sync_params, twin_params, strict=True):
        if mine.default != theirs.default:
            found.append(
                f"{where}({mine.name}): default {theirs.default!r}, the sync one {mine.default!r}"
            )
        expected = as_async(sync_hints.get(mine.name))
        if twin_hints.get(mine.name) != expected:
            found.append(
                f"{where}({mine.name}): annotated {twin_hints.get(mine.name)}, expected {expected}"
            )
    if not awaited:
        return found
    result = expected_result(sync, sync_hints.get("return"), twin)
    if isinstance(result, str):
        found.append(f"{where}: {result}")
    elif twin_hints.get("return") != result and members(twin_hints.get("return")) != members(
        result
    ):
        found.append(f"{where}: returns {twin_hints.get('return')}, expected {result}")
    sync_overloads, twin_overloads = typing.get_overloads(sync), typing.get_overloads(twin)
    if len(sync_overloads) != len(twin_overloads):
        found.append(
            f"{where}: {len(twin_overloads)} overloads, the sync one {len(sync_overloads)}"
        )
    for number, (mine, theirs) in enumerate(zip(sync_overloads, twin_overloads, strict=False)):
        mine_params = [
            (p.name, p.kind.name, p.default) for p in inspect.signature(mine).parameters.values()
        ]
        their_params = [
            (p.name, p.kind.name, p.default) for p in inspect.signature(theirs).parameters.values()
        ]
        if mine_params != their_params:
            found.append(f"{where} overload {number}: {their_params}, the sync one {mine_params}")
    return found


def class_differences(
    where: str, sync_cls: type, twin_cls: type, renamed: dict[str, str] | None = None
) -> list[str]:
    """Every public method and property of ``sync_cls`` missing from or unlike
    ``twin_cls``'s; ``renamed``: sync names whose twin has another name."""
    names = {**PROTOCOL, **(renamed or {})}
    found: list[str] = []
    twin_methods = public_methods(twin_cls) | {
        name: m
        for name, m in inspect.getmembers(twin_cls, inspect.isfunction)
        if name in names.values()
    }
    for name, sync in sorted(public_methods(sync_cls).items()):
        twin_name = names.get(name, name)
        twin = twin_methods.get(twin_name)
        if twin is None:
            found.append(f"{where}.{twin_name}: missing (the sync client has {name})")
            continue
        if name in PROTOCOL or twin is sync:
            continue  # protocols differ by definition; a shared base's method is the same
        found += signature_differences(f"{where}.{twin_name}", sync, twin)
    for name in sorted(public_properties(sync_cls) - public_properties(twin_cls)):
        found.append(f"{where}.{name}: property missing")
    return found


def report(differences: list[str]) -> str:
    return "the async client differs from the sync one:\n  " + "\n  ".join(differences)


def test_every_resource_method_has_its_async_twin() -> None:
    sync_client = ChatRoutes("cr_test_key", "http://127.0.0.1:9")
    async_client = AsyncChatRoutes("cr_test_key", "http://127.0.0.1:9")
    sync_resources = resources(sync_client, SyncAPIResource)
    async_resources = resources(async_client, AsyncAPIResource)
    assert len(sync_resources) >= 10, "the sync client's resources were not found"
    differences = [
        f"client.{name}: missing" for name in sorted(set(sync_resources) - set(async_resources))
    ]
    for name, resource in sorted(sync_resources.items()):
        if name in async_resources:
            differences += class_differences(
                f"client.{name}", type(resource), type(async_resources[name])
            )
    assert not differences, report(differences)


def test_the_clients_take_the_same_arguments_and_close_alike() -> None:
    differences = signature_differences(
        "AsyncChatRoutes.__init__", ChatRoutes.__init__, AsyncChatRoutes.__init__, awaited=False
    )
    differences += class_differences("AsyncChatRoutes", ChatRoutes, AsyncChatRoutes)
    assert not differences, report(differences)


def test_the_message_streams_read_alike() -> None:
    differences = class_differences(
        "AsyncMessageStream", MessageStream, AsyncMessageStream, renamed={"close": "aclose"}
    )
    assert not differences, report(differences)


def test_a_missing_or_different_twin_is_reported() -> None:
    """The comparison itself finds each kind of difference (so a pass means parity)."""

    class Sync:
        def get(self, item_id: str, full: bool = False) -> dict[str, Any]: ...

        def walk(self) -> Iterator[str]:
            yield "x"

        def gone(self) -> None: ...

    class Async:
        async def get(self, item_id: int, full: bool = True) -> dict[str, Any]: ...

        async def walk(self) -> list[str]: ...

    found = class_differences("Async", Sync, Async)
    assert found == [
        "Async.get(item_id): annotated <class 'int'>, expected <class 'str'>",
        "Async.get(full): default True, the sync one False",
        "Async.gone: missing (the sync client has gone)",
        "Async.walk: is iterated on the sync side: must be an async generator (async for)",
    ]
