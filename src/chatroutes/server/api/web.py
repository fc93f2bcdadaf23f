"""The browser UI: ``/`` serves the single page, ``/static/…`` its modules and styles.

Everything ships inside the package (``chatroutes/server/web/static``): no CDN, no build
step, nothing fetched at run time. The page talks only to ``/api/v1`` with a Bearer token.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(str(resources.files("chatroutes.server.web").joinpath("static")))

# Only our own origin: scripts, styles and API calls never leave the server.
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def mount_web(app: FastAPI) -> None:
    """Serve the UI at ``/`` (routes live in the URL hash) and its assets at ``/static``."""

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers=_SECURITY_HEADERS)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="web-static")
