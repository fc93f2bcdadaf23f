"""The server secret: from CHATROUTES_SECRET_KEY, or generated once into the data dir."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path


def load_or_create_secret(configured: str | None, data_dir: Path) -> bytes:
    if configured:
        return configured.encode("utf-8")
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
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
    return path.read_text().strip().encode("utf-8")
