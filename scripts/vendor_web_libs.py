"""Vendor the web UI's third-party libraries from their npm releases.

Run by a developer when a pin changes (``.venv/bin/python scripts/vendor_web_libs.py``),
never at run time or test time. For each pinned release it fetches the tarball with
``npm pack`` (the ordinary npm client, from the npm registry), checks the tarball's
sha512 against the registry's ``integrity`` pinned here, copies only the files the UI
loads and the package's license into ``static/vendor/``, and writes ``VERSIONS``: the
package, version, integrity and each file's sha256, which ``tests/unit/
test_vendored_web_libs.py`` checks offline.

To move a pin: change ``version`` and ``integrity`` (``npm view <package>@<version>
dist.integrity``), run this script, look at the diff, run the browser tests.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
VENDOR_DIR = REPO_ROOT / "src" / "chatroutes" / "server" / "web" / "static" / "vendor"
MANIFEST = "VERSIONS"


@dataclass(frozen=True)
class Release:
    """One npm release and the files taken from it (tarball path → name in vendor/)."""

    package: str
    version: str
    integrity: str  # the registry's dist.integrity: "sha512-<base64>"
    files: dict[str, str]
    licenses: dict[str, str]


def bundled(package: str, version: str, integrity: str, license_path: str) -> Release:
    """A package built into another's bundle: only its license is taken."""
    return Release(package, version, integrity, {}, {license_path: f"licenses/{package}.LICENSE"})


RELEASES = (
    Release(
        package="markdown-it",
        version="15.0.3",
        integrity="sha512-+Az7Ojz3iRGu8KYMvJ6xVhvrxP3eE+vEtJX75Ow88XBpcQNV/0lGX5ZynIIBftREo4DC2jsveAMDaeltmm8QvQ==",
        files={"package/dist/browser/markdown-it.esm.min.mjs": "markdown-it.esm.min.js"},
        licenses={"package/LICENSE": "licenses/markdown-it.LICENSE"},
    ),
    # Inside markdown-it's browser bundle: only their licenses are copied.
    bundled(
        "entities",
        "8.1.0",
        "sha512-kxL7msIffSuh9aaFAMD7rxAIuTRMAHMeBtgHW2yUdWw732ZNh4MehkF2gdjvtdmikkaIP9bFDDJOPlsvm7avrA==",
        "package/LICENSE",
    ),
    bundled(
        "linkify-it",
        "6.1.0",
        "sha512-wJ/TwpSDTLepCrQoYWYIExIKg5Zchex2Nn5yk2mFnB+6PtdkHtyLx742md9csRjjOnGkKIS/RrbY7l8D6gT9Vw==",
        "package/LICENSE",
    ),
    bundled(
        "mdurl",
        "2.1.0",
        "sha512-1+HBaOx0zi/dQWht8rNv9MYf9qqpqL/kxI0hXImU6Y547zM6Sni8BQibt7ifgMcYtQg41ao3Ivd6cnSM86inpg==",
        "package/LICENSE",
    ),
    bundled(
        "punycode.js",
        "2.3.1",
        "sha512-uxFIHU0YlHYhDQtV4R9J6a52SLx28BCjT+4ieh7IGbgwVJWO+km431c4yRlREUAsAmt/uMjQUyQHNEPf0M39CA==",
        "package/LICENSE-MIT.txt",
    ),
    bundled(
        "uc.micro",
        "3.0.0",
        "sha512-U3PppEkleoTnIfi8BozMx3yju3qc/L6SwqWo2Sw+54PX+PX0q9I+r1Um5HCmqD7n9VDX5/v3vQH/AjA6deDdtw==",
        "package/LICENSE.txt",
    ),
    Release(
        package="dompurify",
        version="3.5.0",
        integrity="sha512-LYC0ZkE8P1V42JsRYTwMdme/2ET8SpOc5AA2eOFjP/IadvRd2fwiT4TVz5vkfy0XUx12aS2UaRkTnfVPNOv9vw==",
        files={"package/dist/purify.es.mjs": "purify.es.js"},
        licenses={"package/LICENSE": "licenses/dompurify.LICENSE"},
    ),
    Release(
        package="@highlightjs/cdn-assets",
        version="11.12.0",
        integrity="sha512-KvOKXODaiFmId9xaq3xc5xCL66wVLUuOngDbO9B/kewbFTqdGbn2nJxNhN3H5R1cgDTVj6R8vH0zgiNDEGjpDw==",
        files={"package/es/highlight.min.js": "highlight.min.js"},
        licenses={"package/LICENSE": "licenses/highlight.js.LICENSE"},
    ),
)


def sha512_integrity(data: bytes) -> str:
    """The npm ``integrity`` string of a tarball."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fetch_tarball(release: Release, workdir: Path) -> bytes:
    """``npm pack`` the release into ``workdir``; return the tarball's bytes, checked."""
    spec = f"{release.package}@{release.version}"
    done = subprocess.run(
        ["npm", "pack", spec, "--silent", "--ignore-scripts", "--pack-destination", str(workdir)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"npm pack {spec} failed:\n{done.stderr}")
    tarball = workdir / done.stdout.strip().splitlines()[-1]
    data = tarball.read_bytes()
    got = sha512_integrity(data)
    if got != release.integrity:
        raise SystemExit(f"{spec}: integrity {got} is not the pinned {release.integrity}")
    return data


def extract(release: Release, tarball: Path) -> dict[str, bytes]:
    """The wanted members of the tarball, by their name in vendor/ (nothing else is read)."""
    wanted = {**release.files, **release.licenses}
    out: dict[str, bytes] = {}
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive.getmembers():
            if member.name in wanted and member.isfile():
                handle = archive.extractfile(member)
                assert handle is not None
                out[wanted[member.name]] = handle.read()
    missing = set(wanted.values()) - set(out)
    if missing:
        raise SystemExit(f"{release.package}@{release.version} lacks {sorted(missing)}")
    return out


def manifest(entries: list[tuple[Release, dict[str, bytes]]]) -> str:
    """``VERSIONS``: one ``package`` line per release, then its ``file``/``license`` lines."""
    lines = [
        "# Written by scripts/vendor_web_libs.py from npm releases; do not edit by hand.",
        "# package <name> <version> <integrity>",
        "# file|license <sha256> <name in vendor/> <path in the tarball>",
    ]
    for release, contents in entries:
        lines.append(f"package {release.package} {release.version} {release.integrity}")
        for kind, mapping in (("file", release.files), ("license", release.licenses)):
            for source, name in mapping.items():
                lines.append(f"{kind} {sha256_hex(contents[name])} {name} {source}")
    return "\n".join(lines) + "\n"


def main() -> None:
    if shutil.which("npm") is None:
        raise SystemExit("npm is needed (Debian: apt-get install npm)")
    entries = []
    with tempfile.TemporaryDirectory() as tmp:
        for release in RELEASES:
            data = fetch_tarball(release, Path(tmp))
            tarball = Path(tmp) / f"checked-{len(entries)}.tgz"
            tarball.write_bytes(data)
            entries.append((release, extract(release, tarball)))
    if VENDOR_DIR.exists():
        shutil.rmtree(VENDOR_DIR)
    for _, contents in entries:
        for name, data in contents.items():
            target = VENDOR_DIR / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    (VENDOR_DIR / MANIFEST).write_text(manifest(entries))
    summary = {r.package: r.version for r, _ in entries}
    print(f"vendored into {VENDOR_DIR.relative_to(REPO_ROOT)}: {json.dumps(summary)}")


if __name__ == "__main__":
    sys.exit(main())
