"""A throw-away PostgreSQL server for the test session.

``start_postgres`` runs ``initdb`` + ``pg_ctl start`` on a fresh cluster that listens only on
127.0.0.1 (a free port) with ``trust`` auth and durability switched off for speed; the caller
(a session fixture) must call ``PostgresServer.stop()``, which kills the server
(``-m immediate``) and deletes the cluster directory. Nothing is registered globally.

If ``CHATROUTES_TEST_POSTGRES_URL`` is set (``postgresql+asyncpg://user:pw@host:port/db``),
nothing is started: databases are created in that server and dropped again by ``stop()``.

Where the cluster lives: ``initdb`` refuses to run as root, so as root every server binary runs
as the ``postgres`` system user (``runuser -u postgres --``), which must be able to traverse
the cluster's parent directories. pytest's ``tmp_path_factory`` dirs are 0700 and owned by
root, so rather than chmod-ing pytest's tree we then ignore ``base_dir`` and create the cluster
in its own ``tempfile.mkdtemp(prefix="chatroutes-pg-")`` dir (in the system temp dir, /tmp
when that is not traversable), chowned to ``postgres``. Non-root runs use ``base_dir``.

Databases are created with asyncpg on a private thread with its own event loop, so
``create_database`` works whether or not the calling thread runs a loop, and needs no client
binaries when the server is external.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import re
import shutil
import socket
import stat
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ENV_URL = "CHATROUTES_TEST_POSTGRES_URL"
PG_USER = "postgres"  # OS user the server runs as when we are root; also the DB superuser
START_TIMEOUT = 30  # seconds
_SUN_PATH_MAX = 107  # unix socket path limit on Linux
_CLUSTER_SUFFIX = "/chatroutes-pg-XXXXXXXX/data/.s.PGSQL.65535"  # what mkdtemp + PG append
_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "32MB",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "logging_collector": "off",
}


class PostgresUnavailable(RuntimeError):
    """PostgreSQL server binaries (or the means to run them) are missing."""


class PostgresServer:
    """A PostgreSQL server for tests: ``url`` is its maintenance DB as an asyncpg SA URL."""

    url: str
    cluster_dir: Path | None

    def __init__(
        self, url: str, *, cluster_dir: Path | None = None, stop_cmd: Sequence[str] = ()
    ) -> None:
        self.url = url
        self.cluster_dir = cluster_dir  # None for an external server
        self._stop_cmd = list(stop_cmd)
        self._created: list[str] = []
        self._stopped = False

    def create_database(self, name: str) -> str:
        """Create an empty database (replacing a leftover of that name); return its URL."""
        ident = _quote_ident(name)
        _run_sql(
            _asyncpg_dsn(self.url),
            [f"DROP DATABASE IF EXISTS {ident} WITH (FORCE)", f"CREATE DATABASE {ident}"],
        )
        self._created.append(name)
        return _with_database(self.url, name)

    def stop(self) -> None:
        """Kill our server and delete its directory, or drop the created DBs if external."""
        if self._stopped:
            return
        self._stopped = True
        if self.cluster_dir is None:
            if self._created:
                drops = [
                    f"DROP DATABASE IF EXISTS {_quote_ident(n)} WITH (FORCE)" for n in self._created
                ]
                _run_sql(_asyncpg_dsn(self.url), drops)
            return
        if self._stop_cmd:
            subprocess.run(self._stop_cmd, capture_output=True, timeout=60, check=False)
        shutil.rmtree(self.cluster_dir)

    def __repr__(self) -> str:
        return f"PostgresServer(url={self.url!r}, cluster_dir={self.cluster_dir!r})"


def find_pg_bin() -> Path | None:
    """Return the newest ``/usr/lib/postgresql/*/bin`` with initdb, else PATH / pg_config."""
    versioned: list[tuple[tuple[int, ...], Path]] = []
    for bin_dir in Path("/usr/lib/postgresql").glob("*/bin"):
        version = bin_dir.parent.name
        if re.fullmatch(r"\d+(\.\d+)*", version) and (bin_dir / "initdb").is_file():
            versioned.append((tuple(int(p) for p in version.split(".")), bin_dir))
    if versioned:
        return max(versioned)[1]
    if initdb := shutil.which("initdb"):
        return Path(initdb).resolve().parent
    if pg_config := shutil.which("pg_config"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            )
            bin_dir = Path(out.stdout.strip())
            if (bin_dir / "initdb").is_file():
                return bin_dir
    return None


def start_postgres(base_dir: Path) -> PostgresServer:
    """Start a throw-away server (or use ``$CHATROUTES_TEST_POSTGRES_URL``); see module doc."""
    if external := os.environ.get(ENV_URL):
        return PostgresServer(_normalise_url(external))
    bin_dir = find_pg_bin()
    if bin_dir is None or not (bin_dir / "pg_ctl").is_file():
        raise PostgresUnavailable(
            "PostgreSQL server binaries (initdb, pg_ctl) not found; install Debian's "
            f"`postgresql` package (scripts/system-deps.sh) or set {ENV_URL}"
        )
    as_user: list[str] = []
    owner: pwd.struct_passwd | None = None
    if os.geteuid() == 0:
        owner = _ensure_system_user(PG_USER)
        runuser = shutil.which("runuser") or shutil.which("runuser", path="/usr/sbin:/sbin")
        if runuser is None:
            raise PostgresUnavailable("running as root but `runuser` (util-linux) is missing")
        as_user = [runuser, "-u", PG_USER, "--"]

    cluster_dir = Path(
        tempfile.mkdtemp(prefix="chatroutes-pg-", dir=_cluster_parent(base_dir, owner))
    )
    try:
        if owner is not None:
            os.chown(cluster_dir, owner.pw_uid, owner.pw_gid)
        return _init_and_start(bin_dir, cluster_dir, as_user)
    except BaseException:
        shutil.rmtree(cluster_dir, ignore_errors=True)
        raise


def _init_and_start(bin_dir: Path, cluster_dir: Path, as_user: list[str]) -> PostgresServer:
    """Run initdb, configure, and start the server; return it once it accepts connections."""
    data_dir, log_file = cluster_dir / "data", cluster_dir / "server.log"
    initdb = [str(bin_dir / "initdb"), "-D", str(data_dir), "--auth=trust"]
    initdb += [f"--username={PG_USER}", "--encoding=UTF8", "--locale=C", "--no-sync"]
    _run([*as_user, *initdb], cluster_dir, "initdb failed")
    settings = {**_SETTINGS, "unix_socket_directories": str(data_dir)}
    with (data_dir / "postgresql.conf").open("a") as conf:
        conf.write("\n# chatroutes test settings\n")
        conf.writelines(f"{k} = {_quote_setting(v)}\n" for k, v in settings.items())

    pg_ctl = [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data_dir)]
    failure = ""
    for _attempt in range(3):  # retry only if another process grabbed the port meanwhile
        port = _free_port()
        log_start = log_file.stat().st_size if log_file.exists() else 0
        start = [*pg_ctl, "-l", str(log_file), "-o", f"-p {port}", "-w", "-t", str(START_TIMEOUT)]
        proc = subprocess.run(
            [*start, "start"],
            cwd=cluster_dir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT + 30,
            check=False,
        )
        if proc.returncode == 0:
            url = f"postgresql+asyncpg://{PG_USER}@127.0.0.1:{port}/postgres"
            return PostgresServer(
                url, cluster_dir=cluster_dir, stop_cmd=[*pg_ctl, "stop", "-m", "immediate", "-w"]
            )
        log = _read_tail(log_file, log_start)
        subprocess.run([*pg_ctl, "stop", "-m", "immediate"], capture_output=True, check=False)
        failure = (
            f"PostgreSQL failed to start (pg_ctl exit {proc.returncode}, "
            f"timeout {START_TIMEOUT}s)\n{proc.stdout}{proc.stderr}\n"
            f"--- server log ({log_file}) ---\n{log}"
        )
        if "could not bind" not in log and "could not create any TCP/IP" not in log:
            break
    raise RuntimeError(failure)


def _run(cmd: list[str], cwd: Path, what: str) -> None:
    """Run a command (cwd readable by the server user); raise with its output on failure."""
    proc = subprocess.run(
        cmd, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"{what} (exit {proc.returncode}): {' '.join(cmd)}\n{proc.stdout}{proc.stderr}"
        )


def _ensure_system_user(name: str) -> pwd.struct_passwd:
    """Return the passwd entry of ``name``, creating it as a system user if missing."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    useradd = shutil.which("useradd") or shutil.which("useradd", path="/usr/sbin:/sbin")
    if useradd is None:
        raise PostgresUnavailable(f"running as root, no `{name}` user and no `useradd`")
    cmd = [useradd, "--system", "--user-group", "--no-create-home"]
    cmd += ["--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", name]
    subprocess.run(cmd, capture_output=True, check=True, timeout=60)
    return pwd.getpwnam(name)


def _cluster_parent(base_dir: Path, owner: pwd.struct_passwd | None) -> Path:
    """Pick where to mkdtemp the cluster: base_dir if usable, else the system temp dir."""
    candidates = [Path(base_dir), Path(tempfile.gettempdir()), Path("/tmp")]
    for parent in candidates:
        too_long = len(str(parent.resolve()) + _CLUSTER_SUFFIX) > _SUN_PATH_MAX
        if too_long or not parent.is_dir():
            continue
        if owner is None or _traversable_by_others(parent):
            return parent
    raise PostgresUnavailable(f"no directory usable for the cluster among {candidates}")


def _traversable_by_others(path: Path) -> bool:
    """True if every directory from / down to ``path`` has the o+x bit."""
    path = path.resolve()
    return all(os.stat(p).st_mode & stat.S_IXOTH for p in [path, *path.parents])


def _free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _read_tail(path: Path, start: int, limit: int = 8000) -> str:
    """Return the server log written since offset ``start`` (at most ``limit`` chars)."""
    try:
        with path.open("rb") as fh:
            fh.seek(start)
            text = fh.read().decode(errors="replace")
    except OSError as exc:
        return f"<no log: {exc}>"
    return text[-limit:]


def _normalise_url(url: str) -> str:
    """Accept postgres://, postgresql:// or postgresql+asyncpg://; return the asyncpg form."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "postgresql+asyncpg"}:
        raise ValueError(f"{ENV_URL} must be a postgresql+asyncpg:// URL, got {url!r}")
    return urlunsplit(parts._replace(scheme="postgresql+asyncpg"))


def _with_database(url: str, name: str) -> str:
    """Return ``url`` pointing at database ``name``."""
    return urlunsplit(urlsplit(url)._replace(path="/" + quote(name, safe="")))


def _asyncpg_dsn(url: str) -> str:
    """Turn a SQLAlchemy asyncpg URL into a libpq-style DSN for asyncpg.connect."""
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql"))


def _quote_setting(value: str) -> str:
    """Quote a postgresql.conf value."""
    return "'" + value.replace("'", "''") + "'"


def _quote_ident(name: str) -> str:
    """Quote an SQL identifier."""
    if not name or "\x00" in name:
        raise ValueError(f"bad database name {name!r}")
    return '"' + name.replace('"', '""') + '"'


def _run_sql(dsn: str, statements: Sequence[str]) -> None:
    """Execute statements (outside a transaction) on a private thread with its own loop."""

    async def run() -> None:
        import asyncpg

        conn = await asyncpg.connect(dsn, timeout=15)
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-admin") as pool:
        pool.submit(lambda: asyncio.run(run())).result()
