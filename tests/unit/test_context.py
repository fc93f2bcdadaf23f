"""Context assembly: modes, checkpoints and the token budget."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatroutes.server.domain.context_assembly import (
    MESSAGE_OVERHEAD_TOKENS,
    SUMMARY_HEADING,
    ChatMessage,
    CheckpointSummary,
    ContextPolicy,
    assemble_context,
)


@dataclass(frozen=True)
class Msg:
    id: str
    role: str
    content: str
    token_count: int | None = 10
    deleted_at: object = None
    pinned: bool = False
    excluded: bool = False


def conversation(turns: int) -> list[Msg]:
    """u0, a0, u1, a1, …: ids are the contents."""
    path = []
    for turn in range(turns):
        path += [Msg(f"u{turn}", "user", f"u{turn}"), Msg(f"a{turn}", "assistant", f"a{turn}")]
    return path


def sent(context) -> list[str]:
    return [m.content for m in context.messages]


def checkpoint(
    anchor: str, summary: str = "S", tokens: int = 3, id: str = "ck"
) -> CheckpointSummary:
    return CheckpointSummary(id=id, anchor_message_id=anchor, summary=summary, token_count=tokens)


class TestModes:
    path = conversation(4)  # fork after a1: inherited u0 a0 u1 a1, own u2 a2 u3 a3

    def test_full_sends_the_whole_path_after_the_system_prompt(self):
        context = assemble_context("sys", self.path, fork_point_id="a1")
        assert sent(context) == ["sys", "u0", "a0", "u1", "a1", "u2", "a2", "u3", "a3"]
        assert context.context_message_count == 8
        assert not context.truncated and not context.checkpoint_used

    def test_partial_keeps_the_last_n_inherited(self):
        policy = ContextPolicy(mode="PARTIAL", partial_messages=3)
        context = assemble_context(None, self.path, fork_point_id="a1", policy=policy)
        assert sent(context) == ["a0", "u1", "a1", "u2", "a2", "u3", "a3"]

    def test_partial_with_zero_keeps_only_own(self):
        policy = ContextPolicy(mode="PARTIAL", partial_messages=0)
        context = assemble_context(None, self.path, fork_point_id="a1", policy=policy)
        assert sent(context) == ["u2", "a2", "u3", "a3"]

    def test_minimal_keeps_the_fork_point_and_own(self):
        policy = ContextPolicy(mode="MINIMAL")
        context = assemble_context("sys", self.path, fork_point_id="a1", policy=policy)
        assert sent(context) == ["sys", "a1", "u2", "a2", "u3", "a3"]

    def test_none_keeps_only_own(self):
        policy = ContextPolicy(mode="NONE")
        context = assemble_context("sys", self.path, fork_point_id="a1", policy=policy)
        assert sent(context) == ["sys", "u2", "a2", "u3", "a3"]
        assert context.context_message_count == 4

    @pytest.mark.parametrize("mode", ["PARTIAL", "MINIMAL", "NONE"])
    def test_without_a_fork_point_every_message_is_own(self, mode):
        context = assemble_context(None, self.path, policy=ContextPolicy(mode=mode))
        assert len(context.messages) == 8

    def test_deleted_messages_are_skipped_in_every_mode(self):
        path = list(self.path)
        path[1] = Msg("a0", "assistant", "a0", deleted_at=1)
        path[5] = Msg("a2", "assistant", "a2", deleted_at=1)
        assert "a0" not in sent(assemble_context(None, path, fork_point_id="a1"))
        minimal = assemble_context(None, path, fork_point_id="a1", policy=ContextPolicy("MINIMAL"))
        assert sent(minimal) == ["a1", "u2", "u3", "a3"]

    def test_unknown_mode_is_refused(self):
        with pytest.raises(ValueError):
            assemble_context(None, self.path, fork_point_id="a1", policy=ContextPolicy("ALL"))


class TestCheckpoints:
    path = conversation(4)

    def test_a_checkpoint_replaces_everything_up_to_its_anchor(self):
        context = assemble_context("sys", self.path, checkpoints=[checkpoint("a1", "facts")])
        assert context.messages[:2] == [
            ChatMessage("system", "sys"),
            ChatMessage("system", f"{SUMMARY_HEADING}\nfacts"),
        ]
        assert sent(context)[2:] == ["u2", "a2", "u3", "a3"]
        assert context.checkpoint_used and context.checkpoint_id == "ck"
        assert context.context_message_count == 4

    def test_the_deepest_anchor_wins_and_a_later_one_breaks_ties(self):
        checkpoints = [
            checkpoint("a2", "deep", id="deep"),
            checkpoint("a0", "shallow", id="shallow"),
            checkpoint("a2", "newer", id="newer"),
        ]
        context = assemble_context(None, self.path, checkpoints=checkpoints)
        assert context.checkpoint_id == "newer"
        assert sent(context) == [f"{SUMMARY_HEADING}\nnewer", "u3", "a3"]

    def test_a_checkpoint_off_the_path_is_ignored(self):
        context = assemble_context(None, self.path, checkpoints=[checkpoint("elsewhere")])
        assert not context.checkpoint_used and len(context.messages) == 8

    def test_an_anchor_on_the_last_message_is_not_used(self):
        context = assemble_context(None, self.path, checkpoints=[checkpoint("a3")])
        assert not context.checkpoint_used

    def test_an_anchor_the_mode_left_out_is_not_used(self):
        policy = ContextPolicy(mode="NONE")
        context = assemble_context(
            None, self.path, fork_point_id="a1", checkpoints=[checkpoint("a0")], policy=policy
        )
        assert not context.checkpoint_used and sent(context) == ["u2", "a2", "u3", "a3"]

    def test_a_checkpoint_inside_the_partial_window_is_used(self):
        policy = ContextPolicy(mode="PARTIAL", partial_messages=3)
        context = assemble_context(
            None, self.path, fork_point_id="a1", checkpoints=[checkpoint("u1")], policy=policy
        )
        assert context.checkpoint_used
        assert sent(context)[1:] == ["a1", "u2", "a2", "u3", "a3"]


class TestBudget:
    def test_prompt_tokens_count_every_message_with_overhead(self):
        path = conversation(2)
        context = assemble_context(None, path)
        assert context.prompt_tokens == 4 * (10 + MESSAGE_OVERHEAD_TOKENS)

    def test_over_budget_drops_whole_oldest_turns_and_keeps_system_and_summary(self):
        path = conversation(5)
        per_message = 10 + MESSAGE_OVERHEAD_TOKENS
        lead = (
            assemble_context("sys", path[:2], checkpoints=[checkpoint("a0", "S")]).prompt_tokens
            - per_message
        )
        budget = lead + 3 * per_message
        context = assemble_context(
            "sys",
            path,
            checkpoints=[checkpoint("a0", "S")],
            policy=ContextPolicy(prompt_budget=budget),
        )
        assert context.truncated and context.checkpoint_used
        assert sent(context) == ["sys", f"{SUMMARY_HEADING}\nS", "u4", "a4"]
        assert context.prompt_tokens <= budget

    def test_the_newest_message_stays_even_when_nothing_fits(self):
        path = conversation(3)[:-1]  # ends on a question
        context = assemble_context("sys", path, policy=ContextPolicy(prompt_budget=1))
        assert sent(context) == ["sys", "u2"] and context.truncated

    def test_counts_a_message_without_a_stored_count(self):
        path = [Msg("u0", "user", "hello world", token_count=None)]
        context = assemble_context(None, path, count_tokens=lambda text: len(text.split()))
        assert context.prompt_tokens == 2 + MESSAGE_OVERHEAD_TOKENS

    def test_a_summary_counts_its_stored_tokens_and_is_not_tokenized_again(self):
        path = conversation(2)
        counted: list[str] = []

        def count(text: str) -> int:
            counted.append(text)
            return len(text.split())

        summary = checkpoint("a0", "a long summary " * 50, tokens=7)
        context = assemble_context(None, path, checkpoints=[summary], count_tokens=count)
        assert context.checkpoint_used
        assert all(summary.summary not in text for text in counted)
        heading = len(SUMMARY_HEADING.split())
        assert context.prompt_tokens == MESSAGE_OVERHEAD_TOKENS + heading + 7 + 2 * (
            10 + MESSAGE_OVERHEAD_TOKENS
        )

    @given(
        turns=st.integers(min_value=1, max_value=12),
        budget=st.integers(min_value=0, max_value=400),
        anchor=st.integers(min_value=-1, max_value=23),
    )
    def test_within_budget_whenever_more_than_the_newest_message_is_sent(
        self, turns, budget, anchor
    ):
        path = conversation(turns)
        checkpoints = [checkpoint(path[anchor].id)] if 0 <= anchor < len(path) else []
        context = assemble_context(
            "sys", path, checkpoints=checkpoints, policy=ContextPolicy(prompt_budget=budget)
        )
        assert context.messages[-1].content == path[-1].content
        if context.context_message_count > 1:
            assert context.prompt_tokens <= budget
        if context.truncated and context.context_message_count > 1:
            assert context.messages[1 + context.checkpoint_used].role == "user"


def flagged(path: list[Msg], *, pinned: tuple[str, ...] = (), excluded: tuple[str, ...] = ()):
    """``path`` with the messages named pinned or excluded."""
    return [
        Msg(m.id, m.role, m.content, m.token_count, m.deleted_at, m.id in pinned, m.id in excluded)
        for m in path
    ]


class TestPinsAndExclusions:
    def test_an_excluded_message_is_neither_sent_nor_counted(self):
        path = flagged(conversation(2), excluded=("u0",))
        context = assemble_context(None, path)
        assert sent(context) == ["a0", "u1", "a1"]
        assert context.prompt_tokens == 3 * (10 + MESSAGE_OVERHEAD_TOKENS)
        assert context.excluded_ids == ("u0",) and context.pinned_ids == ()

    def test_an_excluded_message_takes_no_place_in_the_partial_window(self):
        path = flagged(conversation(4), excluded=("a1",))
        policy = ContextPolicy(mode="PARTIAL", partial_messages=2)
        context = assemble_context(None, path, fork_point_id="a1", policy=policy)
        assert sent(context) == ["a0", "u1", "u2", "a2", "u3", "a3"]

    def test_a_pinned_message_stays_after_the_summary_that_covers_it(self):
        path = flagged(conversation(4), pinned=("u0",))
        context = assemble_context("sys", path, checkpoints=[checkpoint("a1", "facts")])
        assert sent(context) == ["sys", f"{SUMMARY_HEADING}\nfacts", "u0", "u2", "a2", "u3", "a3"]
        assert context.context_message_count == 5 and context.pinned_ids == ("u0",)

    @pytest.mark.parametrize("mode", ["PARTIAL", "MINIMAL", "NONE"])
    def test_a_pinned_message_is_sent_whatever_the_mode(self, mode):
        path = flagged(conversation(4), pinned=("u0",))
        policy = ContextPolicy(mode=mode, partial_messages=1)
        context = assemble_context(None, path, fork_point_id="a1", policy=policy)
        assert sent(context)[0] == "u0"

    def test_over_budget_pinned_messages_are_never_dropped_and_counted(self):
        path = flagged(conversation(5), pinned=("u1",))
        per_message = 10 + MESSAGE_OVERHEAD_TOKENS
        context = assemble_context(None, path, policy=ContextPolicy(prompt_budget=3 * per_message))
        assert sent(context) == ["u1", "u4", "a4"]
        assert context.truncated and context.prompt_tokens == 3 * per_message

    @given(
        turns=st.integers(min_value=1, max_value=10),
        budget=st.integers(min_value=0, max_value=400),
        flags=st.lists(st.sampled_from(["", "pin", "out"]), min_size=20, max_size=20),
        anchor=st.integers(min_value=-1, max_value=19),
    )
    def test_pins_always_sent_exclusions_never_in_path_order(self, turns, budget, flags, anchor):
        plain = conversation(turns)
        pinned = tuple(m.id for m, f in zip(plain[:-1], flags, strict=False) if f == "pin")
        excluded = tuple(m.id for m, f in zip(plain[:-1], flags, strict=False) if f == "out")
        path = flagged(plain, pinned=pinned, excluded=excluded)
        checkpoints = [checkpoint(path[anchor].id)] if 0 <= anchor < len(path) else []
        context = assemble_context(
            None,
            path,
            checkpoints=checkpoints,
            policy=ContextPolicy(prompt_budget=budget),
            count_tokens=lambda text: len(text.split()),
        )
        ids = [m.source_id for m in context.messages if m.source_id is not None]
        assert set(pinned) <= set(ids) and not set(excluded) & set(ids)
        order = {m.id: index for index, m in enumerate(path)}
        assert ids == sorted(ids, key=order.__getitem__) and ids[-1] == path[-1].id
        # the summary: its overhead, its heading's words and its stored count
        heading = len(SUMMARY_HEADING.split())
        summary = MESSAGE_OVERHEAD_TOKENS + heading + 3 if context.checkpoint_used else 0
        assert context.prompt_tokens == summary + len(ids) * (10 + MESSAGE_OVERHEAD_TOKENS)
