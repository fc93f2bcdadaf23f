"""The web UI's vendored libraries are exactly what ``scripts/vendor_web_libs.py`` pinned.

Offline: it reads the files in the package and their ``VERSIONS`` manifest, and the pins
in the script; nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from importlib import resources
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
VENDOR = Path(str(resources.files("chatroutes.server.web").joinpath("static/vendor")))


def _script():
    spec = importlib.util.spec_from_file_location(
        "vendor_web_libs", REPO_ROOT / "scripts" / "vendor_web_libs.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _manifest() -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str, str]]]:
    """Packages (name → version, integrity) and files (name → sha256, package, source)."""
    packages: dict[str, tuple[str, str]] = {}
    files: dict[str, tuple[str, str, str]] = {}
    current = ""
    for line in (VENDOR / "VERSIONS").read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        kind, *rest = line.split()
        if kind == "package":
            current, version, integrity = rest
            packages[current] = (version, integrity)
        else:
            assert kind in {"file", "license"}, line
            digest, name, source = rest
            files[name] = (digest, current, source)
    return packages, files


def test_every_vendored_file_has_the_sha256_the_manifest_records() -> None:
    _, files = _manifest()
    assert files
    for name, (digest, package, _) in files.items():
        data = (VENDOR / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, f"{name} ({package}) was changed"


def test_nothing_in_vendor_is_left_out_of_the_manifest() -> None:
    _, files = _manifest()
    present = {p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*") if p.is_file()} - {
        "VERSIONS"
    }
    assert present == set(files)


def test_the_manifest_matches_the_pins_of_the_script() -> None:
    packages, files = _manifest()
    releases = _script().RELEASES
    assert packages == {r.package: (r.version, r.integrity) for r in releases}
    for release in releases:
        taken = {**release.files, **release.licenses}
        assert {n: (release.package, s) for s, n in taken.items()} == {
            n: (p, s) for n, (_, p, s) in files.items() if p == release.package
        }
        assert release.licenses, f"{release.package}: its license is copied alongside"


@pytest.mark.parametrize("name", ["markdown-it.esm.min.js", "purify.es.js", "highlight.min.js"])
def test_the_libraries_need_no_eval_under_the_strict_csp(name: str) -> None:
    text = (VENDOR / name).read_text()
    assert "eval(" not in text
    assert "new Function" not in text
