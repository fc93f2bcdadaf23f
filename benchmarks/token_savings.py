"""Prompt tokens per send with and without checkpoints, on long realistic conversations.

For 50, 100 and 150 turns of generated conversation (``_conversations.py``:
deterministic, with 8-12 facts planted in the first ten turns), the whole
server runs in-process on a fresh SQLite database, three times: with automatic
checkpoints every 50 messages (the default, offline extractive summarizer) sent
at a human pace (each send after the previous reply's checkpoint work is done)
and back to back (each send as soon as the previous reply is back, as a script
or an agent sends: sends then catch up with their checkpoints, see
``services/sending/catch_up.py``), and with checkpoints off. Every send goes to
the mock OpenAI upstream
(``tests/support/mock_upstream.py``) on 127.0.0.1, told to answer with the
generated reply, and the prompt the upstream received is counted with the
server's tokenizer (tiktoken cl100k). The figures:

- prompt tokens of the last send and the mean per send, with and without;
- the saving (1 - with / without) on the last send, the last ten and all;
- the fraction of planted facts present in the last prompt the model received;
- for back to back, how many sends waited for a summary in flight or wrote one
  inline, and its last ten sends' prompt tokens against the paced ones' (ratio).

Usage::

    python benchmarks/token_savings.py
    python benchmarks/token_savings.py --turns 50 100 150 200 --seed 3
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _common import table
from _conversations import GeneratedConversation, facts_present, generate

from chatroutes.server.app import create_app
from chatroutes.server.domain.tokens import estimate_tokens
from chatroutes.server.services.accounts import AccountService
from chatroutes.server.settings import Settings
from chatroutes.server.store.migrate import upgrade
from tests.support.mock_upstream import Fault, MockUpstream

API_KEY = "bench-key"


LAST_SENDS = 10


@dataclass
class Run:
    prompt_tokens: list[int]  # per send, as received upstream
    last_prompt: str
    checkpoints: int
    catch_ups: list[str | None]  # each reply's metadata.checkpointCatchUp

    @property
    def last(self) -> float:
        """The mean prompt tokens of the last sends."""
        return statistics.fmean(self.prompt_tokens[-LAST_SENDS:])


async def converse(
    conversation: GeneratedConversation,
    upstream: MockUpstream,
    *,
    interval: int,
    summary_tokens: int = 800,
    paced: bool = True,
) -> Run:
    """Hold the whole conversation through the server; measure what the upstream got."""
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(
            data_dir=Path(data_dir),
            secret_key="bench-secret-at-least-32-bytes-long",
            default_model="gpt-5",
            checkpoint_interval=interval,
            checkpoint_summary_tokens=summary_tokens,
            provider_env={"OPENAI_API_KEY": API_KEY, "OPENAI_BASE_URL": upstream.openai_base_url},
        )
        await upgrade(settings.resolved_database_url())
        app = create_app(settings)
        ctx = app.state.ctx
        accounts = AccountService(ctx.db, ctx.secret)
        await accounts.create_user("bench@example.com", plan="enterprise")  # clear of plan limits
        key = (await accounts.create_key("bench@example.com")).secret
        transport = httpx.ASGITransport(app=app)
        prompts: list[int] = []
        catch_ups: list[str | None] = []
        last_prompt = ""
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench/api/v1", headers={"X-API-Key": key}
        ) as client:
            created = await client.post("/conversations", json={"title": "Launch planning"})
            cid = created.json()["data"]["conversation"]["id"]
            for user, reply in conversation.turns:
                upstream.clear()
                upstream.enqueue(Fault.reply(reply))
                response = await client.post(
                    f"/conversations/{cid}/messages", json={"content": user}
                )
                response.raise_for_status()
                catch_ups.append(
                    response.json()["data"]["message"]["metadata"].get("checkpointCatchUp")
                )
                sent = [r for r in upstream.requests if r.protocol == "openai"][-1].json["messages"]
                last_prompt = "\n".join(m["content"] for m in sent)
                prompts.append(sum(estimate_tokens(m["content"]) for m in sent))
                # Automatic checkpoints are written after the reply; a person types slower.
                while paced and ctx.tasks:
                    await asyncio.gather(*list(ctx.tasks))
            while ctx.tasks:
                await asyncio.gather(*list(ctx.tasks))
            listed = await client.get(f"/conversations/{cid}/checkpoints")
            checkpoints = len(listed.json()["data"]["checkpoints"])
        await ctx.http.aclose()
        await ctx.db.dispose()
    return Run(prompts, last_prompt, checkpoints, catch_ups)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, nargs="+", default=[50, 100, 150])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--interval", type=int, default=50, help="messages per checkpoint")
    parser.add_argument("--summary-tokens", type=int, default=800, help="summary budget")
    args = parser.parse_args()

    rows = []
    ratios = []
    with MockUpstream(api_key=API_KEY) as upstream:
        for turns in args.turns:
            conversation = generate(turns, seed=args.seed)
            flat = await converse(conversation, upstream, interval=0)
            runs = {
                pace: await converse(
                    conversation,
                    upstream,
                    interval=args.interval,
                    summary_tokens=args.summary_tokens,
                    paced=pace == "paced",
                )
                for pace in ("paced", "back to back")
            }
            flat_mean = statistics.fmean(flat.prompt_tokens)
            for pace, run in runs.items():
                rows.append(
                    [
                        turns,
                        pace,
                        run.checkpoints,
                        f"{run.catch_ups.count('waited')}/{run.catch_ups.count('inline')}",
                        flat.prompt_tokens[-1],
                        run.prompt_tokens[-1],
                        f"{1 - run.prompt_tokens[-1] / flat.prompt_tokens[-1]:.0%}",
                        f"{1 - run.last / flat.last:.0%}",
                        f"{1 - statistics.fmean(run.prompt_tokens) / flat_mean:.0%}",
                        f"{facts_present(flat.last_prompt, conversation.facts):.0%}",
                        f"{facts_present(run.last_prompt, conversation.facts):.0%}",
                    ]
                )
            ratios.append(
                f"{turns} turns: {runs['back to back'].last / runs['paced'].last:.2f}x"
                f" ({1 - runs['paced'].last / flat.last:.0%} saved paced,"
                f" {1 - runs['back to back'].last / flat.last:.0%} back to back)"
            )
    print(
        f"Prompt tokens per send (tiktoken cl100k), checkpoint every {args.interval} messages, "
        f"summaries of at most {args.summary_tokens} tokens, seed {args.seed}\n"
    )
    print(
        table(
            [
                "turns",
                "sent",
                "checkpoints",
                "caught up: waited/inline",
                "last: flat",
                "last: ckpt",
                "saved",
                f"last {LAST_SENDS}: saved",
                "mean: saved",
                "facts: flat",
                "facts: ckpt",
            ],
            rows,
        )
    )
    print(f"\nPrompt tokens of the last {LAST_SENDS} sends, back to back against paced:")
    for ratio in ratios:
        print(f"  {ratio}")


if __name__ == "__main__":
    asyncio.run(main())
