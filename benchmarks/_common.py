"""Helpers shared by the benchmark scripts: statistics, plain-text tables, databases.

The scripts print figures; they are never part of the test suite.
"""

from __future__ import annotations

import contextlib
import math
import statistics
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation between closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def ms(seconds: float) -> str:
    """Seconds as milliseconds with three significant figures or so."""
    value = seconds * 1000
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table: first column left-aligned, the others right-aligned."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        parts = [
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


@contextlib.contextmanager
def throwaway_postgres(*names: str) -> Iterator[list[str]]:
    """Start a private PostgreSQL cluster (as the test suite does) and yield the URLs of fresh
    databases named ``names``."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    from tests.support.postgres import start_postgres

    with tempfile.TemporaryDirectory(prefix="chatroutes-bench-pg-") as base:
        server = start_postgres(Path(base))
        try:
            yield [server.create_database(name) for name in names]
        finally:
            server.stop()


@contextlib.contextmanager
def database_choices(
    database_url: str | None, postgres: bool, data_dirs: Sequence[Path]
) -> Iterator[list[str]]:
    """A database URL to benchmark per data directory: ``--database-url`` (for one only), a
    database each of a throw-away PostgreSQL cluster, or SQLite in each directory.

    Returns the URLs the way a user would write them; the server normalises the driver.
    """
    if database_url:
        if len(data_dirs) != 1:
            raise ValueError("--database-url is one database: it serves one server")
        yield [database_url]
    elif postgres:
        with throwaway_postgres(*(f"bench{n}" for n in range(len(data_dirs)))) as urls:
            yield urls
    else:
        yield [f"sqlite:///{(data_dir / 'chatroutes.db').resolve()}" for data_dir in data_dirs]


@contextlib.contextmanager
def database_choice(database_url: str | None, postgres: bool, data_dir: Path) -> Iterator[str]:
    """The URL to benchmark: ``--database-url``, a throw-away PostgreSQL, or SQLite there."""
    with database_choices(database_url, postgres, [data_dir]) as [url]:
        yield url
