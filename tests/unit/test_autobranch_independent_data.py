"""The independent AutoBranch set: generated from its labelers' files, and its blind
splits frozen (each one's fingerprint committed before any tuning after it was written)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from tests.data.autobranch_independent_source import FAMILIES, TARGET, records

FINGERPRINTS = {
    "blind": TARGET.with_name("autobranch_independent_blind.sha256"),
    "fresh": TARGET.with_name("autobranch_independent_fresh.sha256"),
    "third": TARGET.with_name("autobranch_independent_third.sha256"),
    "dev": TARGET.with_name("autobranch_independent_dev.sha256"),
    "fourth": TARGET.with_name("autobranch_independent_fourth.sha256"),
}


def _rows() -> list[dict]:
    return [json.loads(line) for line in TARGET.read_text(encoding="utf-8").splitlines()]


def fingerprint(rows: list[dict], split: str) -> str:
    held = [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in rows if r["split"] == split]
    return hashlib.sha256("\n".join(held).encode()).hexdigest()


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
    for split in FINGERPRINTS:
        held = [r for r in rows if r["split"] == split]
        assert len(held) >= 100
        assert sum(not r["spans"] for r in held) >= len(held) / 3
        kinds = Counter(r["spans"][0]["kind"] for r in held if r["spans"])
        assert all(kinds[f] >= 10 for f in families), (split, kinds)


@pytest.mark.parametrize("split", FINGERPRINTS)
def test_each_blind_split_is_the_one_frozen_before_tuning(split):
    assert fingerprint(_rows(), split) == Path(FINGERPRINTS[split]).read_text().strip()
