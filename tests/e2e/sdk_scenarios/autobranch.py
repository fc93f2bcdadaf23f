"""AutoBranch through the unmodified official SDK: health, suggest_branches, analyze_text,
and hybrid detection reviewed by the scripted model behind the mock upstream."""

from __future__ import annotations

from _common import Observations, client, outcome, run

SUPPORT = (
    "I need help with billing and also have a technical question about the API.\n"
    "Can you help with both?"
)
CHOICE = "Should we deploy on Kubernetes or a single VM? What if traffic triples next month?"
# The test scripts the reviewing model's answers for these two (see test_sdk_autobranch.py).
ASKS = "I need help with billing and also have a question about the API and the webhooks."
ACCOUNT = "I want to fix my login issue and update my credit card details."


def scenario(out: Observations) -> None:
    cr = client()
    out["health"] = cr.autobranch.health()
    out["support"] = cr.autobranch.suggest_branches(
        text=SUPPORT, suggestions_count=3, hybrid_detection=False, threshold=0.7
    )
    out["choice"] = cr.autobranch.suggest_branches(text=CHOICE, suggestions_count=1)
    out["single"] = cr.autobranch.analyze_text(
        text="How do I reset my password?", suggestions_count=2
    )
    out["hybrid_offline"] = cr.autobranch.suggest_branches(
        text=CHOICE, hybrid_detection=True, llm_model="chatroutes-offline"
    )
    out["asks_pattern"] = cr.autobranch.suggest_branches(text=ASKS)
    out["asks_hybrid"] = cr.autobranch.suggest_branches(text=ASKS, hybrid_detection=True)
    out["account_pattern"] = cr.autobranch.analyze_text(text=ACCOUNT)
    out["account_hybrid"] = cr.autobranch.analyze_text(
        text=ACCOUNT, hybrid_detection=True, llm_model="gpt-5"
    )
    out["bad_count"] = outcome(
        lambda: cr.autobranch.suggest_branches(text=CHOICE, suggestions_count=0)
    )
    out["bad_text"] = outcome(lambda: cr.autobranch.analyze_text(text=""))


if __name__ == "__main__":
    run(scenario)
