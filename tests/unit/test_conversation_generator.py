"""The benchmark's conversation generator, and checkpoint-style summaries of its output."""

from __future__ import annotations

import pytest

from benchmarks._conversations import (
    FACT_TURNS,
    REPLY_WORDS,
    USER_WORDS,
    Fact,
    facts_present,
    generate,
)
from chatroutes.server.domain.summarizer import extractive_summary
from chatroutes.server.domain.tokens import estimate_tokens

CHECKPOINT_MESSAGES = 50  # the default auto-checkpoint interval
SUMMARY_TOKENS = 800


def test_a_seed_gives_the_same_conversation():
    assert generate(40, seed=7) == generate(40, seed=7)
    assert generate(40, seed=7).turns != generate(40, seed=8).turns


def test_a_prefix_is_the_shorter_conversation():
    assert generate(60, seed=3).turns[:30] == generate(30, seed=3).turns


@pytest.mark.parametrize("seed", range(5))
def test_messages_have_realistic_lengths(seed):
    conversation = generate(120, seed=seed)
    assert len(conversation.turns) == 120
    for user, reply in conversation.turns:
        assert USER_WORDS[0] <= len(user.split()) <= USER_WORDS[1]
        assert REPLY_WORDS[0] <= len(reply.split()) <= REPLY_WORDS[1]
    # Varied, not one message on repeat.
    assert len({reply for _, reply in conversation.turns}) == 120


@pytest.mark.parametrize("seed", range(5))
def test_facts_are_stated_once_in_the_first_ten_turns(seed):
    conversation = generate(120, seed=seed)
    assert 8 <= len(conversation.facts) <= 12
    for fact in conversation.facts:
        assert 0 <= fact.turn < FACT_TURNS
        assert fact.text in conversation.turns[fact.turn][0]
        for index, (user, reply) in enumerate(conversation.turns):
            for needle in fact.needles:
                assert needle not in reply
                assert (needle in user) == (index == fact.turn)


def test_messages_alternate_user_and_assistant():
    conversation = generate(30, seed=1)
    messages = conversation.messages(5, 10)
    assert [role for role, _ in messages] == ["user", "assistant"] * 5
    assert messages[0][1] == conversation.turns[5][0]


def test_facts_present_is_the_fraction_with_every_needle():
    facts = [
        Fact("Lead is Ana Ruiz.", ("Ana Ruiz",), 0),
        Fact("Budget is $9,000.", ("9,000",), 1),
        Fact("Ana Ruiz from Studio Nord designs it.", ("Ana Ruiz", "Studio Nord"), 2),
        Fact("Version 2.1.0.", ("2.1.0",), 3),
    ]
    assert facts_present("Ana Ruiz has $9,000.", facts) == 0.5
    assert facts_present("", facts) == 0.0
    assert facts_present("anything", []) == 1.0


def summarize_like_checkpoints(conversation, turns: int) -> str:
    """Auto-checkpoints every 50 messages, each summarizing the last summary and 50 more."""
    per_checkpoint = CHECKPOINT_MESSAGES // 2
    summary = None
    for start in range(0, turns, per_checkpoint):
        messages = conversation.messages(start, start + per_checkpoint)
        summary = extractive_summary(messages, previous=summary, max_tokens=SUMMARY_TOKENS)
    return summary or ""


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_chained_checkpoint_summaries_keep_the_planted_facts(seed):
    conversation = generate(150, seed=seed)
    summary = summarize_like_checkpoints(conversation, 150)
    assert estimate_tokens(summary) <= SUMMARY_TOKENS
    missing = [fact.text for fact in conversation.facts if not fact.present_in(summary)]
    assert facts_present(summary, conversation.facts) >= 0.8, missing
