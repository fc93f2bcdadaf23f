"""AutoBranch quality: span precision, recall and F1 on the labeled set.

Compares our pattern detector with the open-source ``chatroutes-autobranch``
package's ``BranchExtractor`` (``pip install chatroutes-autobranch``; skipped with a
note when it is not installed) on ``tests/data/autobranch_labeled.jsonl``, per
split (``dev`` is what the detector was tuned on; ``heldout`` was not looked at).

Matching: a predicted span matches an expected one when their character
intersection-over-union is at least ``--iou`` (default 0.5); each expected span
matches at most one prediction (greedy, best IoU first). Precision = matched
predictions / predictions, recall = matched expected / expected. Two further views:
"overlap" (any shared character counts as a match, which forgives a detector that
marks whole sentences) and "text" (does the text hold any branch point at all).

    python benchmarks/autobranch_quality.py [--threshold 0.7] [--iou 0.5] [--errors dev]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from chatroutes.server.domain.branch_detection import MAX_COUNT, candidates, select

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "autobranch_labeled.jsonl"

Spans = list[tuple[int, int]]
Detector = Callable[[str], Spans]


def iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def matches(predicted: Spans, expected: Spans, min_iou: float) -> int:
    pairs = sorted(
        ((iou(p, e), i, j) for i, p in enumerate(predicted) for j, e in enumerate(expected)),
        reverse=True,
    )
    used_p: set[int] = set()
    used_e: set[int] = set()
    for score, i, j in pairs:
        if score < min_iou or score == 0:
            break
        if i not in used_p and j not in used_e:
            used_p.add(i)
            used_e.add(j)
    return len(used_p)


@dataclass
class Score:
    tp: int = 0
    predicted: int = 0
    expected: int = 0

    def add(self, tp: int, predicted: int, expected: int) -> None:
        self.tp += tp
        self.predicted += predicted
        self.expected += expected

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def ours(threshold: float) -> Detector:
    def detect(text: str) -> Spans:
        found = select(candidates(text), threshold=threshold, count=MAX_COUNT)
        return [(s.start, s.end) for s in found.suggestions]

    return detect


def theirs() -> Detector | None:
    try:
        from chatroutes_autobranch import BranchExtractor
    except ImportError:
        return None
    extractor = BranchExtractor()

    def detect(text: str) -> Spans:
        """Its branch points carry text, not offsets: find that text in the input."""
        spans: Spans = []
        for point in extractor.extract(text):
            if point.type == "enumeration":
                lines = point.context.split("\n")
                start = text.find(lines[0])
                end = text.find(lines[-1], max(start, 0))
                if start != -1 and end != -1:
                    spans.append((start, end + len(lines[-1])))
                continue
            start = text.find(point.context)
            if start != -1:
                spans.append((start, start + len(point.context)))
        return spans

    return detect


def evaluate(
    detector: Detector, records: list[dict], min_iou: float
) -> tuple[Score, Score, Score, list[tuple[dict, Spans]]]:
    span, overlap, texts = Score(), Score(), Score()
    errors = []
    for record in records:
        expected = [(s["start"], s["end"]) for s in record["spans"]]
        predicted = detector(record["text"])
        tp = matches(predicted, expected, min_iou)
        span.add(tp, len(predicted), len(expected))
        overlap.add(matches(predicted, expected, 1e-9), len(predicted), len(expected))
        texts.add(
            int(bool(predicted) and bool(expected)), int(bool(predicted)), int(bool(expected))
        )
        if tp != len(predicted) or tp != len(expected):
            errors.append((record, predicted))
    return span, overlap, texts, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threshold", type=float, default=0.7)
    parser.add_argument("--iou", type=float, default=0.5)
    parser.add_argument("--errors", choices=["dev", "heldout", "all"], default=None)
    args = parser.parse_args()

    records = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    splits = {
        "dev": [r for r in records if r["split"] == "dev"],
        "heldout": [r for r in records if r["split"] == "heldout"],
        "all": records,
    }
    detectors: dict[str, Detector | None] = {
        f"chatroutes pattern (threshold {args.threshold})": ours(args.threshold),
        "chatroutes-autobranch BranchExtractor": theirs(),
    }
    positives = sum(1 for r in records if r["spans"])
    print(
        f"{len(records)} texts ({len(splits['dev'])} dev, {len(splits['heldout'])} held-out; "
        f"{len(records) - positives} with no branch point), "
        f"{sum(len(r['spans']) for r in records)} expected spans"
    )
    print(
        f"match: character IoU >= {args.iou}, one-to-one; 'overlap' = any shared character; "
        "'text' = any branch point in the text\n"
    )
    header = f"{'detector':42} {'split':8} {'view':8} {'P':>6} {'R':>6} {'F1':>6}   tp/pred/exp"
    print(header)
    print("-" * len(header))
    for name, detector in detectors.items():
        if detector is None:
            print(f"{name:42} not installed (pip install chatroutes-autobranch)")
            continue
        for split, subset in splits.items():
            span, overlap, texts, errors = evaluate(detector, subset, args.iou)
            for view, score in (("span", span), ("overlap", overlap), ("text", texts)):
                print(
                    f"{name:42} {split:8} {view:8} {score.precision:6.3f} {score.recall:6.3f} "
                    f"{score.f1:6.3f}   {score.tp}/{score.predicted}/{score.expected}"
                )
            if args.errors == split and name.startswith("chatroutes pattern"):
                _print_errors(errors)
        print()
    _calibration(splits["dev"], args.iou)


def _print_errors(errors: list[tuple[dict, Spans]]) -> None:
    for record, predicted in errors:
        text = record["text"]
        print(f"  {record['id']}: {text!r}")
        print(f"     expected {[text[s['start'] : s['end']] for s in record['spans']]}")
        print(f"     got      {[text[a:b] for a, b in predicted]}")


def _calibration(records: list[dict], min_iou: float) -> None:
    """How often a suggestion in each confidence band matches a labeled span (dev only)."""
    bands: dict[str, list[int]] = {}
    for record in records:
        expected = [(s["start"], s["end"]) for s in record["spans"]]
        for suggestion in candidates(record["text"]):
            ok = any(iou((suggestion.start, suggestion.end), e) >= min_iou for e in expected)
            low = min(0.9, int(suggestion.confidence * 10) / 10)
            band = f"{low:.1f}-{low + 0.1:.1f}"
            bands.setdefault(band, []).append(int(ok))
    print("calibration on dev (every candidate, before the threshold):")
    for band in sorted(bands):
        hits = bands[band]
        print(f"  confidence {band}: {sum(hits)}/{len(hits)} match a labeled span")


if __name__ == "__main__":
    main()
