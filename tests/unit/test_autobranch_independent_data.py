"""The independent AutoBranch set: generated from its labelers' files, and its blind
split frozen (its fingerprint was committed before any tuning on the set)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from tests.data.autobranch_independent_source import FAMILIES, TARGET, records

FINGERPRINT = TARGET.with_name("autobranch_independent_blind.sha256")


def _rows() -> list[dict]:
    return [json.loads(line) for line in TARGET.read_text(encoding="utf-8").splitlines()]


def blind_fingerprint(rows: list[dict]) -> str:
    blind = [
        json.dumps(r, ensure_ascii=False, sort_keys=True) for r in rows if r["split"] == "blind"
    ]
    return hashlib.sha256("\n".join(blind).encode()).hexdigest()


def test_the_file_is_generated_from_the_labelers_files():
    assert _rows() == records()


def test_every_span_holds_its_trigger_and_a_text_has_one_family():
    for row in _rows():
        assert len({s["kind"] for s in row["spans"]}) <= 1, row["id"]
        assert len(row["spans"]) != 1, row["id"]  # a branch point offers two options or more
        for span in row["spans"]:
            assert row["text"][span["start"] : span["end"]] == span["trigger"], row["id"]
            assert span["kind"] in FAMILIES.values()


def test_the_set_covers_what_it_must():
    rows = _rows()
    assert len(rows) >= 300
    assert sum(not r["spans"] for r in rows) >= len(rows) / 3
    languages = Counter(r["lang"] for r in rows)
    assert min(languages["fr"], languages["es"], languages["de"]) >= 30
    topics = Counter(r["topic"] for r in rows)
    assert min(topics["long"], topics["nearmiss"], topics["support"], topics["coding"]) >= 20
    families = Counter(r["spans"][0]["kind"] for r in rows if r["spans"])
    assert set(families) == set(FAMILIES.values())
    blind = [r for r in rows if r["split"] == "blind"]
    assert len(blind) >= 100
    assert all(sum(r["spans"][0]["kind"] == f for r in blind if r["spans"]) >= 10 for f in families)


def test_the_blind_split_is_the_one_frozen_before_tuning():
    assert blind_fingerprint(_rows()) == Path(FINGERPRINT).read_text().strip()
