"""MCP over stdio (``chatroutes mcp``), acting for one API key's holder.

The process serves the tools itself, on the server's database and settings (the same
``CHATROUTES_*`` environment as ``chatroutes serve``): the tools and resources are the
ones ``/mcp`` serves, through the same services. The key is checked before anything is
served, and each tool call admits it again, as one ``/api/v1`` request (a key revoked
meanwhile is refused, limits and quotas count across both ways in).
"""

from __future__ import annotations

from ..services.accounts import AccountService
from ..services.server_context import ServerContext
from .tools import build_mcp_server


async def check_key(ctx: ServerContext, key: str) -> None:
    """``Unauthenticated`` unless ``key`` is a valid API key (read only)."""
    await AccountService(ctx.db, ctx.secret).holder(key)


async def serve_stdio(ctx: ServerContext, key: str) -> None:
    """Answer MCP on stdin and stdout until the client closes them."""
    await build_mcp_server(ctx, lambda _context: key).run_stdio_async()
