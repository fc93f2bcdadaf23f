"""Files on disk that hold secrets: the data dir, the SQLite database and the secret key.

Each is created readable by the server's user only (directories 0700, files 0600),
whatever the process's umask; one found readable by others (made by an older version,
or by hand) is tightened at start, and the change logged.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

logger = logging.getLogger("chatroutes.server")

PRIVATE_DIRECTORY = 0o700
PRIVATE_FILE = 0o600
_SQLITE_COMPANIONS = ("-wal", "-shm")


def private_directory(path: Path, *, tighten: bool) -> None:
    """Make ``path`` (and missing parents) with mode 0700.

    ``tighten``: an existing directory open to group or others is closed to them. Only
    for directories that are ours alone (the data dir), never for a shared parent.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            path.mkdir(mode=PRIVATE_DIRECTORY)
        except FileExistsError:  # made meanwhile by another process: judged below
            pass
        else:
            os.chmod(path, PRIVATE_DIRECTORY)  # whatever the umask left
            return
    if tighten:
        restrict(path, PRIVATE_DIRECTORY)


def tighten_data_dir(path: Path) -> None:
    """At start: the data dir, if there is one yet, closed to group and others."""
    if path.is_dir():
        restrict(path, PRIVATE_DIRECTORY)


def private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists; tighten it if it does."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        restrict(path, PRIVATE_FILE)
        return
    os.fchmod(descriptor, PRIVATE_FILE)
    os.close(descriptor)


def private_sqlite_files(database: Path) -> None:
    """The database file created 0600 before SQLite opens it, so the ``-wal`` and ``-shm``
    files SQLite makes beside it take the same mode; existing ones tightened."""
    private_file(database)
    for suffix in _SQLITE_COMPANIONS:
        companion = database.with_name(database.name + suffix)
        if companion.exists():
            restrict(companion, PRIVATE_FILE)


def restrict(path: Path, mode: int) -> None:
    """Take away any permission beyond ``mode`` (never add one); log a change."""
    try:
        current = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if current & ~mode:
        os.chmod(path, current & mode)
        logger.warning(
            "%s was readable by others (mode %04o): now %04o", path, current, current & mode
        )
