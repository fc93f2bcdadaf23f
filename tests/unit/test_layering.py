"""The packages of the server import only what their layer may (DESIGN.md, ARCHITECTURE.md).

Read from the source, every import statement of every module (those under
``TYPE_CHECKING`` too), relative ones resolved: a dependency is one whichever way it
is written.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import chatroutes.server

SERVER = Path(chatroutes.server.__file__).parent
PACKAGE = "chatroutes.server"

# A package, and the packages of the server none of its modules may import
# (ARCHITECTURE.md's table). ``app`` and ``cli`` assemble everything and are not listed.
EVERYTHING = ("api", "services", "store", "providers", "schemas", "auth", "observability", "mcp")
FORBIDDEN = {
    # Pure logic: no I/O, no other layer.
    "domain": (*EVERYTHING, "web", "settings", "app"),
    # Wire shapes are built from rows and results typed by Protocols: no layer beneath
    # the routes, and not the routes themselves.
    "schemas": ("services", "store", "api", "providers", "auth", "observability"),
    # Tables, statements and repositories: only the domain's types and rules.
    "store": ("api", "services", "providers", "schemas", "auth", "observability", "web"),
    # Protocol adapters speak to upstreams, not to our store or routes.
    "providers": ("api", "services", "store", "schemas", "auth", "web"),
    # Credentials: hashing, tokens, the secret file (with the store's file modes).
    "auth": ("api", "services", "providers", "schemas", "observability", "web"),
    # Use cases: never the routes.
    "services": ("api", "web"),
    # Routes: through services, never a provider; of the store only its table types.
    "api": ("providers", "store", "web", "mcp"),
    # MCP's tools: a way in beside the routes, through the same services.
    "mcp": ("providers", "store", "web"),
    "observability": ("store", "providers", "schemas", "auth", "web"),
}
# Modules a package may import although their layer is forbidden to it.
ALLOWED = {"api": (f"{PACKAGE}.store.tables",)}


def _package_of(path: Path) -> str:
    """The package relative imports in ``path`` start from."""
    return ".".join((PACKAGE, *path.relative_to(SERVER).parent.parts))


def imported_modules(source: str, package: str) -> set[str]:
    """The absolute name of every module ``source`` imports (or imports names from),
    ``package`` being the one its relative imports start from."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            names.add(source)
            # ``from .. import store`` imports the package ``store`` itself
            names.update(f"{source}.{alias.name}" for alias in node.names)
    return names


def _layer(module: str) -> str | None:
    """``store`` for ``chatroutes.server.store.tables``; None outside the server."""
    if not module.startswith(PACKAGE + "."):
        return None
    return module.removeprefix(PACKAGE + ".").split(".", 1)[0]


def _allowed(package: str, module: str) -> bool:
    """``module`` (or a name imported from it) is one ``package`` may import anyway."""
    return any(module == m or module.startswith(m + ".") for m in ALLOWED.get(package, ()))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_nothing_its_layer_may_not(package: str) -> None:
    modules = sorted((SERVER / package).rglob("*.py"))
    assert modules, f"no modules under {package}"
    offences = [
        f"{path.relative_to(SERVER)} imports {name}"
        for path in modules
        for name in sorted(imported_modules(path.read_text(encoding="utf-8"), _package_of(path)))
        if _layer(name) in FORBIDDEN[package] and not _allowed(package, name)
    ]
    assert not offences, "\n".join(offences)


def test_an_import_from_a_forbidden_layer_is_found_however_written() -> None:
    """Relative imports, imports of a package itself, aliases, imports for type checking."""
    written = {
        "from ..store.tables import Branch": "chatroutes.server.store.tables",
        "from .. import services": "chatroutes.server.services",
        "import chatroutes.server.api.envelope as envelope": "chatroutes.server.api.envelope",
        "from ...server.providers import registry": "chatroutes.server.providers",
    }
    for statement, module in written.items():
        source = f"from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    {statement}\n"
        found = imported_modules(source, f"{PACKAGE}.schemas")
        assert module in found, (statement, found)
        assert any(_layer(name) in FORBIDDEN["schemas"] for name in found), statement
