"""The ``chatroutes`` command: run the server and administer it."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypedDict, TypeVar

import typer
from rich.console import Console
from rich.table import Column, Table

app = typer.Typer(help="ChatRoutes: conversation-branching server.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(keys_app, name="keys")

# Piped output (scripts, logs) is not cut to 80 columns: ids must stay whole.
console = Console() if sys.stdout.isatty() else Console(width=200)
T = TypeVar("T")

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="CHATROUTES_DATABASE_URL",
        help="SQLAlchemy URL; default: the SQLite file under ./.chatroutes/",
    ),
]


class _ServerOptions(TypedDict):
    """The ``uvicorn.run`` keywords of ``chatroutes serve``, one worker or many."""

    host: str
    port: int
    log_level: str
    log_config: dict[str, Any]
    access_log: bool
    timeout_graceful_shutdown: int
    proxy_headers: bool
    forwarded_allow_ips: str


def _settings(database_url: str | None = None):
    """The settings from the environment; a bad one is refused with its message, exit 2."""
    from pydantic import ValidationError

    from .server.settings import Settings

    try:
        settings = Settings()
    except ValidationError as exc:
        for error in exc.errors():
            message = str(error["msg"]).removeprefix("Value error, ")
            field = ".".join(str(part) for part in error["loc"])
            console.print(f"[red]error:[/red] {field}: {message}", highlight=False)
        raise typer.Exit(2) from exc
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings


def _run(work: Callable[..., Awaitable[T]], database_url: str | None = None) -> T:
    """Migrate, then run ``work(accounts)`` against the configured database."""
    from .server.auth.secret import load_or_create_secret
    from .server.domain.errors import ChatRoutesServerError
    from .server.services.accounts import AccountService
    from .server.store.database import Database
    from .server.store.files import tighten_data_dir
    from .server.store.migrate import upgrade

    settings = _settings(database_url)
    tighten_data_dir(settings.data_dir)

    async def main() -> T:
        url = settings.resolved_database_url()
        await upgrade(url)
        db = Database(url)
        try:
            return await work(
                AccountService(db, load_or_create_secret(settings.secret_key, settings.data_dir))
            )
        finally:
            await db.dispose()

    try:
        return asyncio.run(main())
    except ChatRoutesServerError as exc:
        console.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(1) from exc


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    database_url: DatabaseUrl = None,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = True,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            envvar="CHATROUTES_WORKERS",
            help="Server processes sharing the port (uvicorn workers).",
        ),
    ] = 1,
) -> None:
    """Migrate the database and start the server.

    Migrations, the first user and the secret key are settled here, once, before any
    worker starts; with ``--workers N`` each worker then builds its own app from the
    environment (``create_app`` as a uvicorn factory), so nothing is shared in memory.
    """
    import uvicorn

    from .server.app import create_app
    from .server.observability.logs import logging_config
    from .server.services.accounts import AccountService

    first_key = _run(AccountService.ensure_first_user, database_url)
    settings = _settings(database_url)
    application = create_app(settings)
    registry = application.state.ctx.registry
    url = f"http://{host}:{port}"
    console.print(f"ChatRoutes API on [bold]{url}/api/v1[/bold]")
    console.print(f"Web UI on [bold]{url}/[/bold]")
    console.print(
        f"Storage: {application.state.ctx.db.backend}; default model: {registry.default_model}"
        + (f"; {workers} workers" if workers > 1 else "")
    )
    if first_key:
        console.print("First start: created user local@localhost with this API key (shown once):")
        console.print(first_key, markup=False, highlight=False)
    options: _ServerOptions = {
        "host": host,
        "port": port,
        "log_level": "info",
        # Every worker logs alike: CHATROUTES_LOG_FORMAT=json gives one JSON object a line.
        # In JSON, our access lines (route template, request id, user) replace uvicorn's.
        "log_config": logging_config(settings.log_format, settings.log_level, access_log),
        "access_log": access_log and settings.log_format == "text",
        # SIGTERM: stop accepting, give open requests the grace, then the app its own.
        "timeout_graceful_shutdown": max(1, round(settings.shutdown_grace_seconds)),
        # X-Forwarded-For only from CHATROUTES_TRUSTED_PROXIES (the app applies the same
        # list), never uvicorn's default of trusting 127.0.0.1.
        "proxy_headers": True,
        "forwarded_allow_ips": settings.trusted_proxies,
    }
    if workers == 1:
        uvicorn.run(application, **options)
        return
    if database_url:  # the workers read their settings from the environment
        os.environ["CHATROUTES_DATABASE_URL"] = database_url
    uvicorn.run("chatroutes.server.app:create_app", factory=True, workers=workers, **options)


@app.command()
def mcp(
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key",
            envvar="CHATROUTES_API_KEY",
            help="The API key whose holder the MCP client acts as.",
            show_default=False,
        ),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Serve MCP over stdio, acting for an API key's holder.

    For MCP clients that start their servers as commands. It uses the server's database
    and settings (the same environment as ``serve``); ``serve`` offers the same tools over
    HTTP at ``/mcp``. Nothing but MCP messages is written to stdout.
    """
    from .server.app import build_context, serving
    from .server.domain.errors import ChatRoutesServerError
    from .server.mcp.stdio import check_key, serve_stdio
    from .server.services.limits import make_counters
    from .server.store.migrate import upgrade

    errors = Console(stderr=True)
    if not api_key:
        errors.print("[red]error:[/red] an API key is needed: --api-key or CHATROUTES_API_KEY")
        raise typer.Exit(2)
    settings = _settings(database_url)

    async def main() -> None:
        await upgrade(settings.resolved_database_url())
        ctx = build_context(settings)
        ctx.counters = make_counters(settings, ctx.db)
        async with serving(ctx):
            await check_key(ctx, api_key)
            await serve_stdio(ctx, api_key)

    try:
        asyncio.run(main())
    except ChatRoutesServerError as exc:
        errors.print(f"[red]error:[/red] {exc.message}", highlight=False)
        raise typer.Exit(1) from exc


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseUrl = None) -> None:
    """Apply every pending migration."""

    async def nothing(_accounts: object) -> None:
        return None

    _run(nothing, database_url)
    console.print("Database is up to date.")


@db_app.command("purge")
def db_purge(
    days: Annotated[
        float | None,
        typer.Option(
            min=0, help="Retention in days; default: CHATROUTES_DELETED_RETENTION_DAYS (30)."
        ),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Purge soft-deleted messages past retention (those no kept message needs) and
    expired guest accounts (their usage stays in the ledger)."""
    from .server.services.privacy import purge_deleted, purge_expired_guests, retention_cutoff
    from .server.services.server_context import utcnow

    settings = _settings(database_url)
    if days is not None:
        settings = settings.model_copy(update={"deleted_retention_days": days})
    cutoff = retention_cutoff(settings, utcnow())

    async def purge(accounts) -> tuple[int, int]:
        messages = await purge_deleted(accounts.db, cutoff)
        return messages, await purge_expired_guests(accounts.db, utcnow())

    messages, guests = _run(purge, database_url)
    console.print(
        f"Purged {messages} soft-deleted messages deleted before {cutoff:%Y-%m-%d %H:%M}."
    )
    console.print(f"Purged {guests} expired guest accounts.")


@users_app.command("create")
def users_create(
    email: str,
    plan: Annotated[str, typer.Option(help="free, starter, pro or enterprise")] = "free",
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a user."""
    user = _run(lambda accounts: accounts.create_user(email, plan=plan, name=name), database_url)
    console.print(f"Created user {user.id} <{user.email}> on the {user.plan} plan.")


@users_app.command("set-plan")
def users_set_plan(email: str, plan: str, database_url: DatabaseUrl = None) -> None:
    """Move a user to another plan (one of the plan table's, e.g. free, starter, pro)."""
    from .server.services.billing import set_plan
    from .server.services.limits import plan_table

    plans = plan_table(_settings(database_url))
    _run(lambda accounts: set_plan(accounts.db, plans, email, plan), database_url)
    console.print(f"{email} is now on the {plan} plan.")


@keys_app.command("create")
def keys_create(
    email: str,
    name: Annotated[str | None, typer.Option(help="A label for the key.")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create an API key; the key is printed once, alone on the last line."""
    new = _run(lambda accounts: accounts.create_key(email, name=name), database_url)
    console.print(f"Created key {new.key.id} for {email}. Store it now; it is not shown again:")
    print(new.secret)


@keys_app.command("list")
def keys_list(email: str, database_url: DatabaseUrl = None) -> None:
    """List a user's API keys (prefixes only)."""
    keys = _run(lambda accounts: accounts.list_keys(email), database_url)
    table = Table("name", "created", "revoked")
    table.columns.insert(0, Column("prefix", no_wrap=True))
    table.columns.insert(0, Column("id", no_wrap=True))
    for key in keys:
        table.add_row(
            key.id,
            key.key_prefix + "…",
            key.name or "",
            key.created_at.isoformat(timespec="seconds"),
            key.revoked_at.isoformat(timespec="seconds") if key.revoked_at else "",
        )
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: str, database_url: DatabaseUrl = None) -> None:
    """Revoke an API key: every request with it is refused from now on."""
    _run(lambda accounts: accounts.revoke_key(key_id), database_url)
    console.print(f"Revoked {key_id}.")


def main() -> None:
    app()
