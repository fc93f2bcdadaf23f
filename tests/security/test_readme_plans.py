"""The README's plan limits are the built-in plan table's (``domain/plans.toml``).

An operator sizes a deployment from the README; limits it misstates are limits nobody
expects. The table under "Plans and limits" lists every plan ``GET /plans`` shows, and
the sentence on guest sessions gives the guest plan's caps.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chatroutes.server.domain.plans import Plan
from chatroutes.server.services.limits import GUEST_PLAN, plan_table
from chatroutes.server.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"
HEADER = "| plan | calls / month | tokens / month | requests / minute |"


@pytest.fixture(scope="module")
def plans() -> dict[str, Plan]:
    return plan_table(Settings(plans_file=None))


def readme_section(title: str) -> str:
    text = README.read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def limit(cell: str) -> int | None:
    """``1,000`` is 1000; ``custom …`` (unlimited unless a user's overrides set one) None."""
    cell = cell.strip()
    if cell.startswith("custom"):
        return None
    assert re.fullmatch(r"\d{1,3}(,\d{3})*", cell), f"not a limit: {cell!r}"
    return int(cell.replace(",", ""))


def readme_table() -> dict[str, tuple[int | None, int | None, int | None]]:
    lines = readme_section("Plans and limits").splitlines()
    start = lines.index(HEADER) + 2  # past the header and its |---| line
    rows: dict[str, tuple[int | None, int | None, int | None]] = {}
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        name, calls, tokens, per_minute = (cell.strip() for cell in line.strip("|").split("|"))
        rows[name] = (limit(calls), limit(tokens), limit(per_minute))
    return rows


def test_the_readme_plan_table_is_the_plan_table(plans):
    listed = {
        name: (plan.calls_per_month, plan.tokens_per_month, plan.requests_per_minute)
        for name, plan in plans.items()
        if not plan.hidden
    }
    assert readme_table() == listed


def test_the_readmes_guest_caps_are_the_guest_plans(plans):
    guest = plans[GUEST_PLAN]
    sentence = re.search(
        r"Guest sessions \(web UI\) may use\s+(\d+) tokens, (\d+) messages and (\d+) new "
        r"branches, at (\d+) requests a minute",
        readme_section("Plans and limits"),
    )
    assert sentence is not None, "the README no longer states the guest caps"
    assert tuple(int(n) for n in sentence.groups()) == (
        guest.session_tokens,
        guest.session_messages,
        guest.session_branches,
        guest.requests_per_minute,
    )
