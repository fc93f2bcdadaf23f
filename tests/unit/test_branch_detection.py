"""The pattern branch detector: each kind of branch point, its guards, spans and ranking."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from chatroutes.server.domain.branch_detection import (
    ReviewUnreadable,
    apply_review,
    candidates,
    detect,
    masked,
    parse_review,
)
from tests.data.autobranch_labeled_source import records

DATA = Path(__file__).resolve().parent.parent / "data" / "autobranch_labeled.jsonl"


def kinds(text: str, threshold: float = 0.7) -> list[tuple[str, str]]:
    return [(s.kind, s.trigger) for s in detect(text, threshold=threshold, count=10).suggestions]


class TestLabeledSet:
    def test_every_expected_span_holds_its_trigger_text(self):
        rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
        assert len(rows) >= 150
        assert sum(1 for r in rows if not r["spans"]) >= 40
        assert {r["split"] for r in rows} == {"dev", "heldout"}
        for row in rows:
            for span in row["spans"]:
                assert row["text"][span["start"] : span["end"]] == span["trigger"], row["id"]

    def test_the_file_is_generated_from_its_source(self):
        lines = DATA.read_text(encoding="utf-8").splitlines()
        assert [json.loads(line) for line in lines] == records()

    def test_the_detector_finds_most_labeled_spans_with_few_false_positives(self):
        tp = predicted = expected = 0
        for row in records():
            found = [(s.start, s.end) for s in detect(row["text"], count=10).suggestions]
            wanted = [(s["start"], s["end"]) for s in row["spans"]]
            predicted += len(found)
            expected += len(wanted)
            tp += sum(any(_iou(f, w) >= 0.5 for w in wanted) for f in found)
        assert tp / predicted >= 0.9 and tp / expected >= 0.85


def _iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    return inter / (max(a[1], b[1]) - min(a[0], b[0]))


class TestKinds:
    def test_disjunction_spans_the_options(self):
        text = "Should I use Postgres or MySQL for this project?"
        [suggestion] = detect(text).suggestions
        assert suggestion.kind == "disjunction"
        assert text[suggestion.start : suggestion.end] == "Postgres or MySQL"
        assert suggestion.options == ("Postgres", "MySQL")
        assert 0.7 <= suggestion.confidence <= 1

    def test_whether_and_either_start_the_span(self):
        assert kinds("I can't decide whether to rent a flat or buy a house.") == [
            ("disjunction", "whether to rent a flat or buy a house")
        ]
        [(kind, trigger)] = kinds("Either we cut the budget or we delay the launch; not both.")
        assert kind == "disjunction" and trigger.startswith("Either we cut")

    def test_enumeration_of_alternatives(self):
        text = "Options:\n1. Flask - small\n2. FastAPI - async\n3. Django - full\nWhich one?"
        [suggestion] = detect(text).suggestions
        assert suggestion.kind == "enumeration"
        assert suggestion.trigger == "1. Flask - small\n2. FastAPI - async\n3. Django - full"
        assert suggestion.options == ("Flask", "FastAPI", "Django")
        assert suggestion.divergence == "high"

    def test_prose_alternatives(self):
        text = "We could self-host it. Alternatively, we could pay for a managed service."
        assert kinds(text) == [("enumeration", text)]

    def test_comparisons(self):
        assert kinds("React vs Vue for a dashboard?") == [("comparison", "React vs Vue")]
        assert kinds("Can you compare Kafka and RabbitMQ for events?") == [
            ("comparison", "compare Kafka and RabbitMQ")
        ]
        assert kinds("What's the difference between TCP and UDP?") == [
            ("comparison", "difference between TCP and UDP")
        ]

    def test_conditionals_need_an_alternative_case(self):
        text = "If the tests pass, merge it; otherwise revert."
        assert kinds(text) == [("conditional", text)]
        two = "If it rains we stay in. Otherwise we hike."
        assert kinds(two) == [("conditional", two)]
        assert kinds("If you see Anna, then say hello.") == []

    def test_what_if_scenarios(self):
        assert kinds("What if we moved the launch to March?") == [
            ("conditional", "What if we moved the launch to March?")
        ]

    def test_open_directives(self):
        assert kinds("Can you brainstorm names for my bakery?") == [
            ("directive", "Can you brainstorm names for my bakery?")
        ]
        assert kinds("What are some alternatives to Jira?")[0][0] == "directive"

    def test_each_of_several_questions(self):
        text = "How do I reset the router? And can I keep my Wi-Fi name afterwards?"
        assert sorted(kinds(text)) == [
            ("question", "And can I keep my Wi-Fi name afterwards?"),
            ("question", "How do I reset the router?"),
        ]

    def test_multiple_intents(self):
        text = "I need help with billing and also have a technical question about the API."
        assert kinds(text + " Can you help with both?") == [("multi_intent", text)]


class TestFalsePositives:
    @pytest.mark.parametrize(
        "text",
        [
            "Please place the order for 40 units before Friday.",
            "The meeting should take an hour or so.",
            "It costs more or less the same as last year.",
            "It's a beautiful day, isn't it?",
            "Sooner or later we will upgrade the server.",
            "Let me know if you have any questions or concerns.",
            "I don't eat meat or fish.",
            "Wait a day or two before watering again.",
            "The function returns true if x is greater than or equal to zero.",
            "Run `git pull || git rebase --abort` or read https://example.com/or/this first.",
            "```python\nif a or b:\n    pass\n```",
            "To install:\n1. Download the installer\n2. Run it\n3. Restart your terminal",
            "Steps:\n1. Mix the flour and water\n2. Knead for ten minutes\n3. Bake for 30 minutes",
            "He explored the old quarter yesterday.",
            "The policy applies whether or not you work full time.",
            "How do I reset my password?",
            "Can you help me? I need to fix my printer.",
            "Meet me between 2 and 5 pm.",
        ],
    )
    def test_single_intent_texts_give_nothing(self, text):
        assert kinds(text) == []

    def test_masking_keeps_offsets(self):
        text = "Use `a or b` at https://x.io/or now."
        assert len(masked(text)) == len(text) and " or " not in masked(text)[4:30]


class TestSelection:
    TEXT = (
        "Should I use Postgres or MySQL? What if the data grows tenfold? "
        "Also, can you brainstorm names for the service?"
    )

    def test_deterministic(self):
        assert detect(self.TEXT, count=10) == detect(self.TEXT, count=10)
        assert [s.id for s in candidates(self.TEXT)] == [s.id for s in candidates(self.TEXT)]

    def test_count_keeps_the_most_confident(self):
        every = detect(self.TEXT, threshold=0.0, count=10).suggestions
        top = detect(self.TEXT, threshold=0.0, count=2).suggestions
        assert len(every) == 3 and top == every[:2]
        assert [s.confidence for s in every] == sorted((s.confidence for s in every), reverse=True)

    def test_threshold_drops_weak_ones_and_total_counts_the_rest(self):
        weak = "You can pay by card or cash."
        assert detect(weak).suggestions == []
        [low] = detect(weak, threshold=0.3).suggestions
        assert low.confidence < 0.7
        result = detect(self.TEXT, threshold=0.0, count=1)
        assert result.total_found == 3 and len(result.suggestions) == 1

    def test_spans_do_not_overlap(self):
        found = candidates(self.TEXT)
        for a, b in itertools.pairwise(found):
            assert a.end <= b.start


class TestReview:
    TEXT = "Should I use Postgres or MySQL? Also, how do I back it up nightly? And is RAID enough?"

    def test_parse_tolerates_fences_and_prose(self):
        answer = 'Sure!\n```json\n{"suggestions": [{"id": "x", "keep": true}]}\n```'
        assert parse_review(answer) == [{"id": "x", "keep": True}]
        assert parse_review('[{"id": "y"}, 3]') == [{"id": "y"}]
        with pytest.raises(ReviewUnreadable):
            parse_review("I think there are two branch points.")
        with pytest.raises(ReviewUnreadable):
            parse_review('{"suggestions": "none"}')

    def test_confirm_reject_add(self):
        found = candidates(self.TEXT)
        first, second = found[0], found[1]
        review = apply_review(
            self.TEXT,
            found,
            [
                {"id": first.id, "keep": True, "confidence": 1.0, "title": "DB choice"},
                {"id": second.id, "keep": False},
                {"id": None, "triggerText": "RAID", "confidence": 0.9, "title": "RAID"},
                {"id": None, "triggerText": "not in the text", "confidence": 0.9},
            ],
        )
        assert (review.confirmed, review.rejected, review.added) == (1, 1, 1)
        by_trigger = {s.trigger: s for s in review.suggestions}
        assert by_trigger[first.trigger].title == "DB choice"
        assert by_trigger[first.trigger].confidence >= first.confidence
        assert second.trigger not in by_trigger
        assert "RAID" not in by_trigger or by_trigger["RAID"].source == "llm"
