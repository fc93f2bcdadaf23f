"""The offline extractive summarizer behind checkpoints, and the model summarizer's prompt."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatroutes.server.domain.summarizer import extractive_summary, summary_prompt
from chatroutes.server.domain.tokens import estimate_tokens

FILLER_USER = [
    "That makes sense, thanks for explaining it so clearly.",
    "I think we should keep things simple for now and revisit later.",
    "Let me think about how that would work in practice for us.",
    "Honestly the whole thing feels a little overwhelming at the moment.",
    "Good point, I had not thought about it from that angle before.",
]
FILLER_ASSISTANT = [
    "That's a reasonable approach, and it keeps your options open for later.",
    "In general it helps to write down what success looks like before you start.",
    "Many teams find that a short weekly review keeps work from drifting.",
    "It's worth checking the assumptions with the people who will use it every day.",
    "Keeping the scope small early on usually pays off when plans change.",
    "A simple checklist often prevents the most common mistakes.",
]


def filler(turns: int, offset: int = 0) -> list[tuple[str, str]]:
    """Chat without names or figures: polite, generic, repetitive."""
    messages = []
    for index in range(offset, offset + turns):
        messages.append(("user", FILLER_USER[index % len(FILLER_USER)]))
        reply = " ".join(
            FILLER_ASSISTANT[(index + step) % len(FILLER_ASSISTANT)] for step in range(3)
        )
        messages.append(("assistant", reply))
    return messages


def test_equal_input_gives_equal_summary():
    turns = [
        ("user", "Our designer is Mara Quint and the budget is $12,000."),
        *filler(20),
        ("user", "We agreed to ship version 2.4.1 on May 5."),
    ]
    first = extractive_summary(turns, previous="User: The client is Ostrava Metals.", max_tokens=90)
    again = extractive_summary(
        list(turns), previous="User: The client is Ostrava Metals.", max_tokens=90
    )
    assert first == again
    assert first


def test_facts_planted_among_long_filler_survive():
    planted = {
        3: "By the way, our accountant is Ingrid Solberg.",
        11: "The contract with Halden Shipping is worth €72,400 a year.",
        19: "The hard deadline is 14 November 2025.",
        27: "Production runs version 3.7.2 right now.",
        33: "Churn went down to 4.5% last quarter.",
    }
    turns = filler(40)
    for turn, sentence in planted.items():
        role, content = turns[2 * turn]
        turns[2 * turn] = (role, f"{content} {sentence}")
    full_size = estimate_tokens(" ".join(content for _, content in turns))

    summary = extractive_summary(turns, max_tokens=150)

    assert estimate_tokens(summary) <= 150 < full_size / 10
    for needle in ("Ingrid Solberg", "Halden Shipping", "72,400", "14 November 2025", "3.7.2"):
        assert needle in summary
    assert "4.5%" in summary


def test_repeated_filler_is_not_kept_twice():
    turns = filler(30)
    summary = extractive_summary(turns, max_tokens=400)
    lines = [line.split(": ", 1)[1] for line in summary.splitlines() if ": " in line]
    sentences = [sentence for line in lines for sentence in line.split(". ")]
    assert len(sentences) == len(set(sentences))


def test_lines_carry_the_role_and_keep_conversation_order():
    turns = [
        ("user", "We are moving the office to Porto in March."),
        ("assistant", "Porto is a good choice; the Bolhão district has affordable space."),
        ("user", "The landlord, Rui Matos, wants €3,200 a month."),
    ]
    summary = extractive_summary(turns, max_tokens=200)
    assert summary.splitlines() == [
        "User: We are moving the office to Porto in March.",
        "Assistant: Porto is a good choice; the Bolhão district has affordable space.",
        "User: The landlord, Rui Matos, wants €3,200 a month.",
    ]


@pytest.mark.parametrize("max_tokens", [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610])
def test_budget_is_never_exceeded(max_tokens):
    turns = [
        ("user", "Kick-off is on 2 June with Nadia Petrov, Jonas Berg and the Lyon team. " * 3),
        *filler(15),
        ("user", "Why did the Q3 forecast drop by $1.2 million compared to the plan?"),
    ]
    summary = extractive_summary(turns, previous="User: Budget is $40,000.", max_tokens=max_tokens)
    assert estimate_tokens(summary) <= max_tokens


def test_a_single_huge_sentence_is_cut_to_fit():
    sentence = "Alpha Beta " + " ".join(f"item{number}" for number in range(400)) + "."
    summary = extractive_summary([("user", sentence)], max_tokens=20)
    assert 0 < estimate_tokens(summary) <= 20
    assert summary.endswith("…")


_role = st.sampled_from(["user", "assistant", "system", "tool", ""])
_content = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.sampled_from(
            ["Anna", "Berlin", "$5,000", "3.2.1", "May 4", "?", ".", "\n", "- ", "we decided",
             "Open questions:", "User:", "12%", "the", "plan", "é", "🙂", "Q3 2024", "!"]
        ),
        max_size=60,
    ).map(" ".join),
)  # fmt: skip


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    turns=st.lists(st.tuples(_role, _content), max_size=8),
    previous=st.one_of(st.none(), _content),
    max_tokens=st.integers(min_value=0, max_value=200),
)
def test_any_input_gives_a_deterministic_summary_within_budget(turns, previous, max_tokens):
    summary = extractive_summary(turns, previous=previous, max_tokens=max_tokens)
    assert estimate_tokens(summary) <= max_tokens
    assert extractive_summary(turns, previous=previous, max_tokens=max_tokens) == summary
    # Chaining never breaks either: a summary is a valid previous summary.
    again = extractive_summary(turns, previous=summary, max_tokens=max_tokens)
    assert estimate_tokens(again) <= max_tokens


def test_a_fact_from_the_previous_summary_survives_the_next_round():
    first = extractive_summary(
        [("user", "Our lawyer is Tomas Eriksen."), *filler(10)], max_tokens=120
    )
    assert "Tomas Eriksen" in first
    # The next stretch brings plenty of new names and figures to compete for the budget.
    busy = [
        (
            "assistant",
            f"Teams like Acme{index} and Brightco{index} saw {10 + index}% growth after "
            f"hiring {index + 2} people in Oslo{index}.",
        )
        for index in range(30)
    ]
    second = extractive_summary([*filler(10), *busy], previous=first, max_tokens=120)
    third = extractive_summary([*busy, *filler(10, offset=3)], previous=second, max_tokens=120)
    assert "Tomas Eriksen" in second
    assert "Tomas Eriksen" in third


def test_a_summary_written_by_a_model_is_kept_as_plain_lines():
    previous = "The team chose Valencia for the offsite.\nBudget: €9,800."
    summary = extractive_summary(filler(5), previous=previous, max_tokens=100)
    assert summary.startswith("The team chose Valencia for the offsite.\nBudget: €9,800.")


def test_an_unanswered_question_is_listed_as_open():
    turns = [
        ("user", "Should we hire a contractor for the Berlin office?"),
        *filler(6),
    ]
    summary = extractive_summary(turns, max_tokens=200)
    assert summary.endswith(
        "Open questions:\n- User: Should we hire a contractor for the Berlin office?"
    )


def test_a_question_answered_later_is_not_open():
    turns = [
        ("user", "Should we hire a contractor for the Berlin office?"),
        *filler(3),
        ("assistant", "For the Berlin office, hiring a contractor first is the safer choice."),
        *filler(3),
    ]
    summary = extractive_summary(turns, max_tokens=200)
    assert "Open questions:" not in summary
    assert "Berlin" in summary


def test_an_open_question_carries_over_until_answered():
    first = extractive_summary(
        [("user", "Who signs the lease for the Leeds warehouse?"), *filler(2)], max_tokens=150
    )
    assert "Open questions:\n- User: Who signs the lease for the Leeds warehouse?" in first

    still_open = extractive_summary(filler(4), previous=first, max_tokens=150)
    assert "- User: Who signs the lease for the Leeds warehouse?" in still_open

    answer = [("user", "Update: Dana Whitfield signs the Leeds warehouse lease on Friday.")]
    answered = extractive_summary(answer, previous=still_open, max_tokens=150)
    assert "Open questions:" not in answered
    assert "Dana Whitfield" in answered


def test_a_short_open_question_keeps_what_it_is_about():
    turns = [
        *filler(2),
        ("user", "My colleague said the Ghibli Museum tickets sell out fast. When do they open?"),
    ]
    summary = extractive_summary(turns, max_tokens=200)
    assert (
        "- User: My colleague said the Ghibli Museum tickets sell out fast. When do they open?"
        in (summary)
    )


def test_offers_are_not_open_questions():
    turns = [*filler(2), ("assistant", "Would you like me to draft the agenda?")]
    assert "Open questions:" not in extractive_summary(turns, max_tokens=200)


def test_decisions_and_constraints_are_kept():
    turns = [
        *filler(10),
        ("user", "Okay, we decided to drop the mobile app and focus on the web version."),
        *filler(10, offset=2),
        ("user", "Remember that my partner is allergic to peanuts."),
        *filler(10, offset=4),
    ]
    summary = extractive_summary(turns, max_tokens=60)
    assert "we decided to drop the mobile app and focus on the web version." in summary
    assert "allergic to peanuts" in summary


def test_a_decision_is_not_read_into_an_undecided_sentence():
    turns = [
        ("user", "We haven't decided whether to go with the red logo."),
        ("user", "We decided to go with the blue logo."),
    ]
    summary = extractive_summary(turns, max_tokens=14)
    assert summary == "User: We decided to go with the blue logo."


class TestNothingToSummarize:
    def test_no_turns_and_no_previous_give_nothing(self):
        assert extractive_summary([], max_tokens=100) == ""
        assert extractive_summary([("user", "   "), ("assistant", "")], max_tokens=100) == ""

    def test_no_turns_give_the_previous_summary_back(self):
        previous = "User: The venue is Kelvin Hall.\n\nOpen questions:\n- User: Who caters?"
        assert extractive_summary([], previous=previous, max_tokens=100) == previous

    def test_a_previous_summary_over_budget_is_shortened(self):
        previous = "\n".join(f"User: Guest {n} is Person{n} Surname{n}." for n in range(50))
        summary = extractive_summary([], previous=previous, max_tokens=60)
        assert 0 < estimate_tokens(summary) <= 60

    def test_a_zero_budget_gives_nothing_and_a_negative_one_is_refused(self):
        assert extractive_summary([("user", "Hello Anna")], max_tokens=0) == ""
        with pytest.raises(ValueError):
            extractive_summary([("user", "Hello Anna")], max_tokens=-1)


class TestSummaryPrompt:
    def test_names_what_to_keep_and_the_budget(self):
        messages = summary_prompt([("user", "Hi")], previous=None, max_tokens=640)
        assert [role for role, _ in messages] == ["system", "user"]
        instruction = messages[0][1]
        for phrase in ("names", "numbers", "dates", "decision", "open questions", "640 tokens"):
            assert phrase in instruction

    def test_carries_the_previous_summary_and_the_transcript(self):
        turns = [("user", "The budget is $9,000."), ("assistant", "Noted.")]
        messages = summary_prompt(turns, previous="User: Lead is Ana Ruiz.", max_tokens=300)
        content = messages[1][1]
        assert content == (
            "Previous summary:\nUser: Lead is Ana Ruiz.\n\n"
            "New messages:\nUser: The budget is $9,000.\n\nAssistant: Noted."
        )
        assert summary_prompt(turns, previous="User: Lead is Ana Ruiz.", max_tokens=300) == (
            messages
        )

    def test_without_a_previous_summary_only_the_transcript(self):
        messages = summary_prompt([("user", "Hello")], previous=None, max_tokens=300)
        assert messages[1][1] == "New messages:\nUser: Hello"
