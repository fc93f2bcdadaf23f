"""AutoBranch quality: precision, recall and F1 per family, and the no-branch
false-positive rate, beside the open-source ``chatroutes-autobranch`` library.

Data sets:

- ``old``   ``tests/data/autobranch_labeled.jsonl``, written by the detector's own
            authors. Its spans are whole branch points ("A or B"), so it is scored at
            group level: one predicted unit per branch point (a group's span), and its
            several "question" spans of one text merge into one ``multi_intent`` span.
- ``tune``  the independent set's tuning split (``tests/data/autobranch_independent.jsonl``),
            one gold span per option, scored per suggestion.
- ``blind`` the independent set's frozen split: aggregate figures only. ``--errors``
            refuses it, and nothing here prints a blind record.
- ``fresh`` a second blind set by three labelers whose texts were never tuned on,
            frozen as they came in: aggregate figures only, like ``blind``.
- ``third`` a third blind set made the same way by three more labelers.
- ``dev``   two more labelers' texts, never tuned on, whose aggregate figures were read
            during tuning to check that changes carry over: held out, not blind.
- ``fourth`` two more labelers' texts, scored once as they came in, then read in
            aggregate once per merged change, before the blind split is read.

Matching: a prediction is a true positive when its span overlaps (one character is
enough) a gold span of the same text not matched yet; one-to-one, largest overlap
first. A matched pair counts for the gold span's family (its ``kind``); an unmatched
prediction counts against its own family; every prediction on a text with no gold
span is a false positive, and the no-branch FP rate is the share of such texts that
get any suggestion at all.

The library (``pip install -e '.[bench]'``) reports options as text; each is
located in the input to get its span (its ``context`` for the group-level set).

``--cross-labeler`` estimates how the detector does on phrasings nobody tuned it to,
from ``tune`` alone (each independent labeler's ids start with its own letters): each
suggestion is credited to its rule (its reasoning, numbers dropped), and a rule is
supported by the labelers whose gold options it matched. Holding one labeler out,
only the suggestions of rules some other labeler supports count; that labeler's
P/R/F1 and no-branch FP rate are then what rules fitted to the others give. Rules
supported by one labeler only are listed: they are the narrow ones. Rules are read at
two levels: by structure (quoted cue words pooled) and with each cue word a rule of
its own. Only recall can be taken away this way: exceptions written for one
labeler's near-misses stay in, so the held-out precision is optimistic.

Also printed: a reliability table of our confidences on ``tune`` (every candidate
before the threshold), and the detector's latency (p50/p99) on 2,000-character
messages.

    python benchmarks/autobranch_quality.py [--threshold 0.7] [--errors old|tune]
        [--sets old,tune,blind,fresh,third,dev,fourth] [--cross-labeler] [--labelers D,E]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from chatroutes.server.domain.branch_detection import (
    DEFAULT_THRESHOLD,
    KINDS,
    MAX_COUNT,
    candidates,
    select,
)

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
OLD = DATA / "autobranch_labeled.jsonl"
INDEPENDENT = DATA / "autobranch_independent.jsonl"

Span = tuple[int, int, str]  # start, end, family
Detector = Callable[[str], list[Span]]
OLD_KINDS = {"question": "multi_intent"}


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def labeler_of(record: dict) -> str:
    """Who wrote an independent record: the letters its id opens with ("Y", "DA")."""
    return re.sub(r"\d.*", "", record["id"])


def old_gold(record: dict) -> list[Span]:
    """Group-level gold spans; a text's "question" spans are one multi-intent group."""
    spans = [
        (s["start"], s["end"], OLD_KINDS.get(s["kind"], s["kind"]))
        for s in record["spans"]
        if s["kind"] != "question"
    ]
    questions = [s for s in record["spans"] if s["kind"] == "question"]
    if questions:
        spans.append(
            (min(s["start"] for s in questions), max(s["end"] for s in questions), "multi_intent")
        )
    return spans


def option_gold(record: dict) -> list[Span]:
    return [(s["start"], s["end"], s["kind"]) for s in record["spans"]]


def ours(threshold: float, *, groups: bool) -> Detector:
    def detect(text: str) -> list[Span]:
        found = select(candidates(text), threshold=threshold, count=MAX_COUNT).suggestions
        if not groups:
            return [(s.start, s.end, s.kind) for s in found]
        units: dict[tuple[int, int], Span] = {}
        for s in found:  # a group's kept options, from the first to the last
            start, end, _ = units.get(s.extent, (s.start, s.end, s.kind))
            units[s.extent] = (min(start, s.start), max(end, s.end), s.kind)
        return list(units.values())

    return detect


def library(*, groups: bool) -> Detector | None:
    try:
        from chatroutes_autobranch import BranchExtractor
    except ImportError:
        return None
    extractor = BranchExtractor()

    def locate(text: str, needle: str, start: int = 0) -> tuple[int, int] | None:
        at = text.find(needle, start)
        return (at, at + len(needle)) if needle and at != -1 else None

    def detect(text: str) -> list[Span]:
        spans: list[Span] = []
        for point in extractor.extract(text):
            context = locate(text, point.context.split("\n")[0])
            base = context[0] if context else 0
            if groups:
                last = point.context.split("\n")[-1]
                tail = locate(text, last, base)
                if context and tail:
                    spans.append((context[0], tail[1], point.type))
                continue
            for option in point.options:
                found = locate(text, option.span, base) or locate(text, option.span)
                if found:
                    spans.append((*found, point.type))
        return spans

    return detect


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Result:
    families: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in KINDS})
    overall: Counts = field(default_factory=Counts)
    no_branch_texts: int = 0
    no_branch_flagged: int = 0
    errors: list[tuple[dict, list[Span], list[Span], list[Span]]] = field(default_factory=list)

    @property
    def fp_rate(self) -> float:
        return self.no_branch_flagged / self.no_branch_texts if self.no_branch_texts else 0.0


def match(predicted: list[Span], gold: list[Span]) -> list[tuple[int, int]]:
    """One-to-one pairs (prediction, gold) that overlap, the largest overlap first."""
    pairs = sorted(
        (
            (-(min(p[1], g[1]) - max(p[0], g[0])), i, j)
            for i, p in enumerate(predicted)
            for j, g in enumerate(gold)
            if min(p[1], g[1]) > max(p[0], g[0])
        ),
    )
    used_p: set[int] = set()
    used_g: set[int] = set()
    out = []
    for _, i, j in pairs:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            out.append((i, j))
    return out


def evaluate(
    detector: Detector, records: Iterable[dict], gold_of: Callable[[dict], list[Span]]
) -> Result:
    result = Result()
    for record in records:
        gold = gold_of(record)
        predicted = detector(record["text"])
        pairs = match(predicted, gold)
        matched_p = {i for i, _ in pairs}
        matched_g = {j for _, j in pairs}
        for _, j in pairs:
            result.families.setdefault(gold[j][2], Counts()).tp += 1
        for i, p in enumerate(predicted):
            if i not in matched_p:
                result.families.setdefault(p[2], Counts()).fp += 1
        for j, g in enumerate(gold):
            if j not in matched_g:
                result.families.setdefault(g[2], Counts()).fn += 1
        result.overall.tp += len(pairs)
        result.overall.fp += len(predicted) - len(pairs)
        result.overall.fn += len(gold) - len(pairs)
        if not gold:
            result.no_branch_texts += 1
            result.no_branch_flagged += bool(predicted)
        if len(pairs) != len(predicted) or len(pairs) != len(gold):
            missed = [g for j, g in enumerate(gold) if j not in matched_g]
            extra = [p for i, p in enumerate(predicted) if i not in matched_p]
            result.errors.append((record, predicted, missed, extra))
    return result


def report(name: str, dataset: str, result: Result) -> None:
    print(f"\n{name} on {dataset}")
    print(f"  {'family':14} {'P':>6} {'R':>6} {'F1':>6}   tp/fp/fn")
    rows = [*result.families.items(), ("overall", result.overall)]
    for family, counts in rows:
        if family != "overall" and not (counts.tp or counts.fp or counts.fn):
            continue
        print(
            f"  {family:14} {counts.precision:6.3f} {counts.recall:6.3f} {counts.f1:6.3f}"
            f"   {counts.tp}/{counts.fp}/{counts.fn}"
        )
    print(
        f"  no-branch texts with a suggestion: {result.no_branch_flagged}/"
        f"{result.no_branch_texts} ({result.fp_rate:.1%})"
    )


def print_errors(result: Result) -> None:
    for record, predicted, missed, extra in result.errors:
        text = record["text"]
        print(f"\n  {record['id']}: {text!r}")
        for start, end, family in missed:
            print(f"     missed {family:12} {text[start:end]!r}")
        for start, end, family in extra:
            print(f"     extra  {family:12} {text[start:end]!r}")
        print(f"     found  {[text[a:b] for a, b, _ in predicted]}")


_NUMBER = re.compile(r"\d+")
_QUOTED = re.compile(r"'[^']*'")


def rule_of(reasoning: str, *, lexical: bool) -> str:
    """A suggestion's rule: its reasoning without the counts in it; without its quoted
    cue words too unless ``lexical`` (then each cue word is a rule of its own)."""
    rule = _NUMBER.sub("N", reasoning)
    return rule if lexical else _QUOTED.sub("'…'", rule)


def cross_labeler(records: list[dict], threshold: float, *, lexical: bool) -> None:
    """Leave one labeler out: score each labeler's texts with the rules the others support."""
    found = {
        r["text"]: select(candidates(r["text"]), threshold=threshold, count=MAX_COUNT).suggestions
        for r in records
    }
    support: dict[str, set[str]] = {}
    for record in records:
        suggestions = found[record["text"]]
        predicted = [(s.start, s.end, s.kind) for s in suggestions]
        for i, _ in match(predicted, option_gold(record)):
            support.setdefault(rule_of(suggestions[i].reasoning, lexical=lexical), set()).add(
                labeler_of(record)
            )

    def without(held: str | None) -> Detector:
        def detect(text: str) -> list[Span]:
            return [
                (s.start, s.end, s.kind)
                for s in found[text]
                if held is None
                or support.get(rule_of(s.reasoning, lexical=lexical), set()) - {held}
            ]

        return detect

    level = "a cue word is a rule" if lexical else "rules by structure, cue words pooled"
    print(f"\ncross-labeler on tune ({level}): each labeler's texts scored with")
    print("only the rules other labelers support; 'all' = with every rule")
    print(
        f"  {'held out':9} {'texts':>5} {'P':>6} {'R':>6} {'F1':>6}  {'no-branch FP':>14}  all F1"
    )
    pooled = Counts()
    for held in sorted({labeler_of(r) for r in records}):
        mine = [r for r in records if labeler_of(r) == held]
        result = evaluate(without(held), mine, option_gold)
        o = result.overall
        pooled.tp, pooled.fp, pooled.fn = pooled.tp + o.tp, pooled.fp + o.fp, pooled.fn + o.fn
        fp = f"{result.no_branch_flagged}/{result.no_branch_texts} ({result.fp_rate:.1%})"
        every = evaluate(without(None), mine, option_gold).overall.f1
        print(
            f"  {held:9} {len(mine):5} {o.precision:6.3f} {o.recall:6.3f} {o.f1:6.3f}"
            f"  {fp:>14}  {every:.3f}"
        )
    p, r, f1 = pooled.precision, pooled.recall, pooled.f1
    print(f"  {'pooled':9} {len(records):5} {p:6.3f} {r:6.3f} {f1:6.3f}")
    narrow = sorted(rule for rule, who in support.items() if len(who) == 1)
    print(f"  rules supported by one labeler only: {len(narrow)} of {len(support)}")
    for rule in narrow:
        print(f"    {next(iter(support[rule]))}  {rule}")


EDGES = (0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 0.93, 0.95, 1.01)


def reliability(records: list[dict]) -> None:
    """How often a suggestion in each confidence band overlaps a gold option (tune):
    a calibrated detector's mean confidence in a band matches its precision there."""
    bands: dict[int, list[tuple[float, int]]] = {}
    for record in records:
        gold = option_gold(record)
        for s in candidates(record["text"]):
            hit = any(min(s.end, g[1]) > max(s.start, g[0]) for g in gold)
            band = next(i for i in range(len(EDGES) - 1) if s.confidence < EDGES[i + 1])
            bands.setdefault(band, []).append((s.confidence, int(hit)))
    print("\nreliability on tune (every candidate before the threshold):")
    print(f"  {'confidence':12} {'n':>5} {'mean conf':>10} {'precision':>10}")
    for band in sorted(bands):
        rows = bands[band]
        mean = sum(c for c, _ in rows) / len(rows)
        precision = sum(h for _, h in rows) / len(rows)
        low, high = EDGES[band], min(1.0, EDGES[band + 1])
        print(f"  {low:.2f}-{high:.2f}    {len(rows):5} {mean:10.3f} {precision:10.3f}")


def latency(records: list[dict], size: int = 2_000, runs: int = 300) -> None:
    """Detection time per 2,000-character message, built from the old set's texts."""
    texts = [r["text"] for r in records]
    messages = []
    for offset in range(runs):
        parts: list[str] = []
        index = offset
        while sum(len(p) + 2 for p in parts) < size:
            parts.append(texts[index % len(texts)])
            index += 7
        messages.append("\n\n".join(parts)[:size])
    for message in messages[:20]:
        candidates(message)  # warm up
    wall, cpu = [], []
    for message in messages:
        began, began_cpu = time.perf_counter(), time.process_time()
        select(candidates(message), threshold=DEFAULT_THRESHOLD, count=3)
        cpu.append((time.process_time() - began_cpu) * 1000)
        wall.append((time.perf_counter() - began) * 1000)
    print(f"\nlatency per {size}-character message ({runs} messages; the machine is shared,")
    print("so CPU time is the steadier figure):")
    for name, times in (("wall", sorted(wall)), ("CPU", sorted(cpu))):
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(f"  {name:5} p50 {statistics.median(times):.2f} ms, p99 {p99:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument(
        "--errors",
        default=None,
        help="list misses and false positives of our detector: old or tune (never a blind set)",
    )
    parser.add_argument(
        "--sets",
        default=None,
        help="comma-separated data sets to score (old, tune, blind, fresh, third, dev, fourth); "
        "all by default, but only old and tune with --errors or --labelers",
    )
    parser.add_argument(
        "--labelers",
        default=None,
        help="score tune on these labelers' texts only (comma-separated id letters, e.g. D,E)",
    )
    parser.add_argument(
        "--cross-labeler",
        action="store_true",
        help="leave-one-labeler-out figures on tune (see the module docstring)",
    )
    args = parser.parse_args()
    tuning = args.errors is not None or args.labelers is not None
    every = "old,tune,blind,fresh,third,dev,fourth"
    wanted = set((args.sets or ("old,tune" if tuning else every)).split(","))
    if args.errors not in (None, "old", "tune"):
        sys.exit(f"--errors {args.errors}: only 'old' or 'tune' (the blind splits stay blind)")

    old = read(OLD)
    independent = read(INDEPENDENT) if INDEPENDENT.exists() else []
    datasets: dict[str, tuple[list[dict], Callable[[dict], list[Span]], bool]] = {}
    if "old" in wanted:
        datasets["old (group level)"] = (old, old_gold, True)
    if independent:
        for split in ("tune", "blind", "fresh", "third", "dev", "fourth"):
            if split not in wanted:
                continue
            subset = [r for r in independent if r["split"] == split]
            if split == "tune" and args.labelers:
                subset = [r for r in subset if labeler_of(r) in args.labelers.split(",")]
            datasets[f"{split} (per option)"] = (subset, option_gold, False)
    else:
        print(f"{INDEPENDENT.name} not found: the old set only")
    for dataset, (records, gold_of, groups) in datasets.items():
        no_branch = sum(1 for r in records if not r["spans"])
        print(
            f"\n=== {dataset}: {len(records)} texts, {no_branch} with no branch point, "
            f"{sum(len(gold_of(r)) for r in records)} gold spans"
        )
        detectors: dict[str, Detector | None] = {
            f"chatroutes pattern (threshold {args.threshold})": ours(args.threshold, groups=groups),
            "chatroutes-autobranch 1.3.1 BranchExtractor": library(groups=groups),
        }
        for name, detector in detectors.items():
            if detector is None:
                print(f"\n{name}: not installed (pip install -e '.[bench]')")
                continue
            result = evaluate(detector, records, gold_of)
            report(name, dataset, result)
            split = dataset.split()[0]
            if args.errors == split and name.startswith("chatroutes pattern"):
                print_errors(result)
    tune = [r for r in independent if r["split"] == "tune"]
    if tune and args.cross_labeler:
        for lexical in (False, True):
            cross_labeler(tune, args.threshold, lexical=lexical)
    if tune:
        reliability(tune)
    latency(old)


if __name__ == "__main__":
    main()
