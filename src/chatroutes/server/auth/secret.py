"""The server secret: from CHATROUTES_SECRET_KEY, or generated once into the data dir."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

from ..store.files import PRIVATE_FILE, private_directory, restrict


def load_or_create_secret(configured: str | None, data_dir: Path) -> bytes:
    """The configured secret, else the data dir's ``secret_key`` (made 0600 on first use)."""
    if configured:
        return configured.encode("utf-8")
    path = data_dir / "secret_key"
    if not path.exists():
        private_directory(data_dir, tighten=True)
        # mkstemp makes the file 0600; link() keeps its mode.
        fd, temporary = tempfile.mkstemp(dir=data_dir, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
            # link() is atomic and refuses to overwrite: two servers starting at once agree.
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    restrict(path, PRIVATE_FILE)
    return path.read_text().strip().encode("utf-8")
