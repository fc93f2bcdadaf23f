"""Hybrid review, pure: the prompt, reading the model's answer, and each operation it may
ask for (confirm, reject, split, merge, add), on good answers and hostile ones.

The suggestions reviewed are built here, as the detector would give them, so that these
tests hold whatever the detector finds."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from chatroutes.server.domain.branch_detection import Group, Suggestion
from chatroutes.server.domain.branch_detection.review import (
    MAX_OPERATIONS,
    MAX_SHOWN,
    REVIEW_FLOOR,
    SURE,
    ReviewNonsense,
    ReviewUnreadable,
    apply_review,
    parse_review,
    review_pool,
    review_prompt,
)

DB = "Should I use Postgres or MySQL? Also, how do I back it up nightly? And is RAID enough?"
SUPPORT = (
    "I need help with billing and also have a technical question about the API.\n"
    "Can you help with both?"
)


def _one(text: str, trigger: str, *, confidence: float = 0.8, kind: str = "multi_intent"):
    """A lone suggestion on ``trigger``: what a pattern might give for several intents."""
    start = text.index(trigger)
    end = start + len(trigger)
    return Suggestion(
        kind=kind,
        start=start,
        end=end,
        trigger=trigger,
        confidence=confidence,
        title="Separate requests",
        description="Several requests in one message.",
        reasoning="Joined by 'and also'",
        divergence="medium",
        options=("Separate requests",),
        group=Group(kind, start, end, trigger),
    )


def _group(text: str, kind: str, confidence: float, *options: tuple[str, str]):
    """One suggestion per (option text, title), the group running from first to last."""
    spans = [(text.index(o), text.index(o) + len(o), title) for o, title in options]
    start, end = spans[0][0], spans[-1][1]
    group = Group(kind, start, end, text[start:end])
    titles = tuple(title for _, _, title in spans)
    return [
        Suggestion(
            kind=kind,
            start=a,
            end=b,
            trigger=text[a:b],
            confidence=confidence,
            title=title,
            description=f"One of the options: {title}.",
            reasoning=f"{kind} cue",
            divergence="medium",
            options=titles,
            group=group,
        )
        for a, b, title in spans
    ]


def _found(text: str) -> list[Suggestion]:
    """The suggestions of the texts of these tests, as the detector would find them."""
    if text == DB:
        return [
            *_group(DB, "disjunction", 0.85, ("Postgres", "Postgres"), ("MySQL", "MySQL")),
            *_group(
                DB,
                "multi_intent",
                0.8,
                ("how do I back it up nightly", "Nightly backups"),
                ("is RAID enough", "Is RAID enough"),
            ),
        ]
    if text == SUPPORT:
        return _group(
            SUPPORT,
            "multi_intent",
            0.8,
            ("I need help with billing", "Billing help"),
            ("have a technical question about the API", "Technical question about the API"),
        )
    if text.startswith("Should I use Postgres or MySQL, maybe"):
        return _group(text, "disjunction", 0.85, ("Postgres", "Postgres"), ("MySQL", "MySQL"))
    if text.startswith("Option0a"):
        return [
            s
            for i in range(60)
            for s in _group(text, "disjunction", 0.8, (f"Option{i}a", "A"), (f"option{i}b", "B"))
        ]
    return []


def _ids(found: list[Suggestion]) -> dict[str, Suggestion]:
    return {s.trigger: s for s in found}


def _spans_hold(text: str, suggestions: list[Suggestion]) -> None:
    for s in suggestions:
        assert text[s.start : s.end] == s.trigger
        assert 0.05 <= s.confidence <= 0.97


class TestPrompt:
    def test_lists_each_suggestion_under_its_group_and_the_operations(self):
        found = _found(SUPPORT)
        [(_, system), (_, user)] = review_prompt(SUPPORT, found, 3)
        assert "JSON only" in system
        assert SUPPORT in user
        start = user.index("[{")
        listed, _ = json.JSONDecoder().raw_decode(user, start)
        [group] = listed
        assert group["group"] == found[0].group.id
        assert [o["id"] for o in group["options"]] == [s.id for s in found]
        for op in ("confirm", "reject", "split", "merge", "add"):
            assert f'"op": "{op}"' in user

    def test_a_long_message_is_cut_for_the_model(self):
        text = "Postgres or MySQL? " + "x " * 20_000
        user = review_prompt(text, _found(text), 3)[1][1]
        assert len(user) < 15_000

    def test_the_pool_holds_whole_groups_above_the_floor(self):
        found = _found(DB)
        weak = _one(DB, "RAID enough", confidence=REVIEW_FLOOR - 0.1, kind="directive")
        shown, aside = review_pool([*found, weak])
        assert weak in aside and weak not in shown
        groups = {s.group.id for s in shown}
        assert all(s in shown for s in found if s.group.id in groups)

    def test_the_pool_is_bounded(self):
        text = " ".join(f"Option{i}a or option{i}b?" for i in range(60))
        found = _found(text)
        shown, aside = review_pool(found)
        assert len(shown) <= MAX_SHOWN and len(shown) + len(aside) == len(found)


class TestParse:
    def test_prose_and_fences_around_the_json(self):
        answer = (
            'Sure! {not json} here:\n```json\n{"operations": [{"op": "reject", "id": "x"}]}\n```'
        )
        assert parse_review(answer) == [{"op": "reject", "id": "x"}]
        assert parse_review('I see {"note": 1} and then [{"id": "y"}, 3]') == [{"id": "y"}, 3]
        assert parse_review('{"suggestions": [{"id": "z"}]}') == [{"id": "z"}]

    def test_an_empty_list_is_an_answer(self):
        assert parse_review('{"operations": []}') == []
        assert parse_review("[]") == []

    @pytest.mark.parametrize(
        "answer",
        [
            "I think there are two branch points.",
            '{"operations": "none"}',
            '{"result": [1, 2]}',
            "{broken",
            "",
            "{" * 10_000,
        ],
    )
    def test_unreadable(self, answer):
        with pytest.raises(ReviewUnreadable):
            parse_review(answer)


class TestOperations:
    def test_confirm_and_reject(self):
        found = _found(DB)
        by = _ids(found)
        postgres, mysql = by["Postgres"], by["MySQL"]
        backup = next(s for s in found if "back it up" in s.trigger)
        review = apply_review(
            DB,
            found,
            [
                {"op": "confirm", "id": postgres.id, "confidence": 0.95, "title": "PostgreSQL"},
                {"op": "reject", "id": backup.id, "reason": "one procedure"},
            ],
        )
        assert review.counts == {
            "confirmed": 1,
            "rejected": 1,
            "split": 0,
            "merged": 0,
            "added": 0,
            "ignored": 0,
        }
        out = _ids(review.suggestions)
        assert out["Postgres"].title == "PostgreSQL"
        assert out["Postgres"].confidence == round((postgres.confidence + 0.95) / 2, 2)
        # not mentioned: as the patterns found it, but for its group's options anew
        assert out["MySQL"] == replace(mysql, options=("PostgreSQL", "MySQL"))
        assert backup.trigger not in out
        assert "is RAID enough" not in out  # one way forward is no branch point
        _spans_hold(DB, review.suggestions)

    def test_split_one_suggestion_into_its_intents(self):
        trigger = "I need help with billing and also have a technical question about the API"
        lone = _one(SUPPORT, trigger)
        review = apply_review(
            SUPPORT,
            [lone],
            [
                {
                    "op": "split",
                    "id": lone.id,
                    "into": [
                        {
                            "triggerText": "help with billing",
                            "title": "Billing help",
                            "description": "An invoice question.",
                        },
                        {
                            "triggerText": "a technical question about the API",
                            "title": "Technical question about the API",
                            "confidence": 0.9,
                        },
                    ],
                }
            ],
        )
        assert review.counts["split"] == 1
        billing, api = review.suggestions
        assert (billing.title, api.title) == ("Billing help", "Technical question about the API")
        assert billing.trigger == "help with billing" and billing.confidence == lone.confidence
        assert billing.description == "An invoice question."
        assert api.description == lone.description
        assert api.confidence == round((lone.confidence + 0.9) / 2, 2)
        assert billing.group == api.group == lone.group
        assert (
            billing.options == api.options == ("Billing help", "Technical question about the API")
        )
        assert billing.id != api.id
        _spans_hold(SUPPORT, review.suggestions)

    @pytest.mark.parametrize(
        "into",
        [
            [{"triggerText": "help with billing"}],  # one part is no split
            [{"triggerText": "help with billing"}, {"triggerText": "Can you help"}],  # outside
            [{"triggerText": "a technical question"}, {"triggerText": "help with billing"}],
            [{"triggerText": "help with billing"}, {"triggerText": "billing and also"}],  # overlap
            [{"triggerText": "help with billing"}, {"triggerText": 7}],
            [{"triggerText": "help with billing"}, "a technical question"],
            [{"triggerText": "billing"}] * 50,
            "help with billing; a technical question",
        ],
        ids=["one", "outside", "order", "overlap", "number", "string", "huge", "not-a-list"],
    )
    def test_a_split_that_does_not_fit_is_ignored(self, into):
        lone = _one(SUPPORT, "I need help with billing and also have a technical question")
        other = _one(SUPPORT, "Can you help with both", kind="directive")
        review = apply_review(
            SUPPORT,
            [lone, other],
            [{"op": "split", "id": lone.id, "into": into}, {"op": "confirm", "id": other.id}],
        )
        assert review.counts["split"] == 0 and review.counts["ignored"] == 1
        assert lone in review.suggestions

    def test_merge_two_suggestions_that_are_one_intent(self):
        text = "I need help with billing, my invoices are wrong, and also a question on the API."
        found = _group(
            text,
            "multi_intent",
            0.8,
            ("I need help with billing", "Billing help"),
            ("my invoices are wrong", "Wrong invoices"),
            ("a question on the API", "API question"),
        )
        billing, invoices, api = found
        review = apply_review(
            text,
            found,
            [{"op": "merge", "ids": [invoices.id, billing.id], "title": "Billing and invoices"}],
        )
        assert review.counts["merged"] == 1
        merged, kept = review.suggestions
        assert merged.title == "Billing and invoices"
        assert (merged.start, merged.end) == (billing.start, invoices.end)
        assert merged.confidence == max(billing.confidence, invoices.confidence)
        assert merged.group == kept.group == api.group
        assert merged.options == kept.options == ("Billing and invoices", "API question")
        _spans_hold(text, review.suggestions)

    def test_merging_every_option_leaves_no_branch_point(self):
        found = _found(SUPPORT)
        review = apply_review(SUPPORT, found, [{"op": "merge", "ids": [s.id for s in found]}])
        assert review.counts["merged"] == 1 and review.suggestions == []

    @pytest.mark.parametrize(
        "ids",
        [
            ["sug_nope_1_2", "sug_nope_3_4"],
            ["only-one"],
            "both",
            [1, 2],
            ["{first}", "{first}"],
            ["{first}", "{third}"],  # the one between them is not merged
            ["{first}"] * 40,
        ],
        ids=["unknown", "one", "string", "numbers", "twice", "gap", "huge"],
    )
    def test_a_merge_that_does_not_fit_is_ignored(self, ids):
        found = _found(DB)
        first, _, third = found[:3]
        ids = (
            [i.format(first=first.id, third=third.id) for i in ids]
            if isinstance(ids, list) and all(isinstance(i, str) for i in ids)
            else ids
        )
        review = apply_review(
            DB, found, [{"op": "merge", "ids": ids}, {"op": "confirm", "id": first.id}]
        )
        assert review.counts["merged"] == 0 and review.counts["ignored"] == 1
        assert len(review.suggestions) == len(found)

    def test_add_options_into_a_new_and_an_existing_group(self):
        text = "Should I use Postgres or MySQL, maybe SQLite? My cat hates Mondays."
        found = _found(text)
        db_group = _ids(found)["Postgres"].group
        review = apply_review(
            text,
            found,
            [
                {"op": "add", "triggerText": "SQLite", "title": "SQLite", "group": db_group.id},
                {"op": "add", "triggerText": "My cat", "group": "pets", "confidence": 0.9},
                {"op": "add", "triggerText": "hates Mondays", "group": "pets"},
            ],
        )
        assert review.counts["added"] == 3
        out = _ids(review.suggestions)
        sqlite = out["SQLite"]
        assert sqlite.kind == "disjunction" and sqlite.source == "llm"
        assert sqlite.group == out["Postgres"].group == out["MySQL"].group
        assert sqlite.group.start == db_group.start and sqlite.group.end >= sqlite.end
        assert sqlite.options == ("Postgres", "MySQL", "SQLite")
        assert sqlite.confidence == round(0.9 * 0.75, 2)
        cat, mondays = out["My cat"], out["hates Mondays"]
        assert cat.group == mondays.group and cat.group.trigger == "My cat hates Mondays"
        assert cat.confidence == round(0.9 * 0.9, 2)
        _spans_hold(text, review.suggestions)

    @pytest.mark.parametrize(
        "item",
        [
            {"op": "add", "triggerText": "not in the message"},
            {"op": "add", "triggerText": "postgres"},  # not exact: case differs
            {"op": "add", "triggerText": "Postgres"},  # only where a suggestion is
            {"op": "add", "triggerText": ["MySQL"]},
            {"op": "add", "triggerText": " "},
            {"op": "add"},
        ],
        ids=["absent", "case", "taken", "list", "blank", "missing"],
    )
    def test_an_addition_that_does_not_fit_is_ignored(self, item):
        found = _found(DB)
        review = apply_review(DB, found, [item, {"op": "confirm", "id": found[0].id}])
        assert review.counts["added"] == 0 and review.counts["ignored"] == 1
        assert len(review.suggestions) == len(found)

    def test_an_addition_takes_the_first_free_occurrence(self):
        text = "Ask about billing today. Also billing disputes."
        asked = _one(text, "Ask about billing today", kind="directive")
        review = apply_review(
            text, [asked], [{"op": "add", "triggerText": "billing", "group": asked.group.id}]
        )
        added = next(s for s in review.suggestions if s.source == "llm")
        assert added.start == text.index("billing disputes")

    def test_an_option_named_twice_is_added_once(self):
        found = _found(DB)
        review = apply_review(
            DB,
            found,
            [{"op": "add", "triggerText": "Should I use", "group": found[0].group.id}] * 20
            + [{"op": "add", "triggerText": "MySQL"}],
        )
        assert review.counts["added"] == 1 and review.counts["ignored"] == 20
        assert [s.trigger for s in review.suggestions].count("Should I use") == 1

    def test_fields_without_op_are_read_as_the_operation_they_describe(self):
        found = _found(SUPPORT)
        billing, api = found
        review = apply_review(
            SUPPORT,
            found,
            [
                {"id": billing.id, "keep": True, "title": "Billing"},
                {"id": api.id, "keep": False},
                {"id": None, "triggerText": "Can you help with both"},
            ],
        )
        assert apply_review(SUPPORT, found, [{"op": " Reject", "id": api.id}]).counts["rejected"]
        assert (review.counts["confirmed"], review.counts["rejected"]) == (1, 1)
        assert review.counts["added"] == 1


class TestHostileAnswers:
    def test_an_empty_list_changes_nothing(self):
        found = _found(DB)
        review = apply_review(DB, found, [])
        assert review.suggestions == found
        assert sum(review.counts.values()) == 0

    def test_with_nothing_found_an_empty_list_is_no_branch_point(self):
        assert apply_review("How do I reset my password?", [], []).suggestions == []

    def test_only_inapplicable_operations_are_nonsense(self):
        found = _found(DB)
        with pytest.raises(ReviewNonsense, match="none of the model's 3 operations"):
            apply_review(
                DB,
                found,
                [{"op": "reject", "id": "sug_x_1_2"}, {"op": "explode"}, "reject everything"],
            )

    def test_the_first_operation_on_an_id_wins(self):
        found = _found(DB)
        target = found[0]
        review = apply_review(
            DB,
            found,
            [{"op": "confirm", "id": target.id}, {"op": "reject", "id": target.id}],
        )
        assert target.id in {s.id for s in review.suggestions}
        assert review.counts["confirmed"] == 1 and review.counts["ignored"] == 1

    def test_rejecting_everything_the_patterns_are_sure_of_is_nonsense(self):
        found = _found(DB)
        assert any(s.confidence >= SURE for s in found)
        with pytest.raises(ReviewNonsense, match="leaves no branch point"):
            apply_review(DB, found, [{"op": "reject", "id": s.id} for s in found])

    def test_rejecting_weak_matches_is_the_models_call(self):
        weak = _one(SUPPORT, "Can you help with both", confidence=0.6, kind="directive")
        review = apply_review(SUPPORT, [weak], [{"op": "reject", "id": weak.id}])
        assert review.suggestions == [] and review.counts["rejected"] == 1

    def test_rejecting_some_sure_matches_stands(self):
        found = _found(DB)
        sure = [s for s in found if s.confidence >= SURE]
        review = apply_review(DB, found, [{"op": "reject", "id": s.id} for s in sure])
        assert not {s.id for s in sure} & {s.id for s in review.suggestions}
        assert review.suggestions

    def test_rejecting_all_but_adding_stands(self):
        found = _found(DB)
        ops = [{"op": "reject", "id": s.id} for s in found]
        added = [{"op": "add", "triggerText": t, "group": "db"} for t in ("Postgres", "RAID")]
        review = apply_review(DB, found, [*ops, *added])
        assert [s.trigger for s in review.suggestions] == ["Postgres", "RAID"]

    def test_a_lone_addition_is_no_branch_point(self):
        found = _found(SUPPORT)
        ops = [{"op": "reject", "id": found[0].id}, {"op": "add", "triggerText": "Can you"}]
        review = apply_review(SUPPORT, found, ops)
        assert review.counts["added"] == 1 and review.suggestions == []

    def test_a_merge_into_nothing_of_sure_options_is_nonsense(self):
        found = _found(DB)[:2]
        with pytest.raises(ReviewNonsense, match="leaves no branch point"):
            apply_review(DB, found, [{"op": "merge", "ids": [s.id for s in found]}])

    def test_a_huge_list_is_read_up_to_its_limit(self):
        found = _found(DB)
        junk = [{"op": "add", "triggerText": "nowhere"}] * 10_000
        review = apply_review(DB, found, [{"op": "confirm", "id": found[0].id}, *junk])
        assert review.counts["confirmed"] == 1
        assert review.counts["ignored"] == 10_000
        assert len(review.suggestions) == len(found)
        late = [*junk[: MAX_OPERATIONS + 5], {"op": "confirm", "id": found[0].id}]
        with pytest.raises(ReviewNonsense):
            apply_review(DB, found, late)

    @pytest.mark.parametrize(
        ("given", "expected"),
        [
            (0.9, 0.9),
            (90, 0.9),
            (1.5, 0.015),  # above 1: a percentage
            (-0.2, None),
            (250, None),
            ("high", None),
            (True, None),
            (float("nan"), None),
            (float("inf"), None),
            (None, None),
        ],
    )
    def test_confidences_out_of_range_count_as_not_given(self, given, expected):
        found = _found(SUPPORT)
        base = found[0]
        review = apply_review(
            SUPPORT, found, [{"op": "confirm", "id": base.id, "confidence": given}]
        )
        got = next(s for s in review.suggestions if s.id == base.id).confidence
        if expected is None:
            assert got == base.confidence
        else:
            assert got == round((base.confidence + expected) / 2, 2)

    @pytest.mark.parametrize(
        "item",
        [
            {"op": "confirm", "id": 42},
            {"op": "confirm", "id": ["x"]},
            {"op": 3, "id": "x"},
            {"op": "reject"},
            {"op": "split", "id": "sug_nope_0_1", "into": []},
            None,
            17,
            "confirm all",
            ["confirm"],
        ],
    )
    def test_wrong_types_are_ignored(self, item):
        found = _found(DB)
        review = apply_review(DB, found, [item, {"op": "confirm", "id": found[0].id}])
        assert review.counts["ignored"] == 1 and review.counts["confirmed"] == 1

    def test_text_fields_are_cleaned_and_bounded(self):
        found = _found(SUPPORT)
        base = found[0]
        review = apply_review(
            SUPPORT,
            found,
            [
                {
                    "op": "confirm",
                    "id": base.id,
                    "title": "  A\n\ttitle  " + "x" * 500,
                    "description": "bad\x00text",
                    "estimatedDivergence": "enormous",
                    "reason": "r" * 5_000,
                }
            ],
        )
        out = next(s for s in review.suggestions if s.id == base.id)
        assert out.title.startswith("A title") and len(out.title) <= 120
        assert out.description == base.description
        assert out.divergence == base.divergence
        assert len(out.reasoning) < len(base.reasoning) + 400
