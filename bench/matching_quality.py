"""Quality of the matching engine on the labelled development pairs, next to a naive baseline.

    .venv/bin/python -m bench.matching_quality [--pairs PAIRS.csv] [--truth TRUTH.csv] [--params PARAMS.json]

Prints precision, recall and F1 overall and per script of the right-hand record (the ``right_script`` column is
read here for reporting only; the engine never sees it), the same for the naive baseline (anyascii romanisation,
Jaro-Winkler on given and family names in both orders, birth years within one, threshold 0.85 and 0.60), and a
2-fold check of generalisation: the pairs are split by a hash of the left family name into folds A and B (the
name-handling rules were developed looking at fold A's errors only); for each fold the model is retrained by EM
(no labels) on the other fold's records and scored on this one.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from anyascii import anyascii
from rapidfuzz.distance import JaroWinkler

from homecoming.matching.engine.model import ModelParams, load_params, train
from homecoming.matching.engine.pairs import PairRow, read_pairs, score_rows

DATA = Path("/work/shared/data/matching")
GROUPS = ("all", "cyrl", "arab")


@dataclass(frozen=True)
class Labelled:
    pair: PairRow
    raw: dict[str, str]
    is_match: bool
    script: str
    fold: str


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, predicted: bool, actual: bool) -> None:
        if predicted and actual:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif actual:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self, label: str) -> str:
        pairs = self.tp + self.fp + self.fn + self.tn
        return (
            f"  {label:<6} precision {self.precision:.3f}  recall {self.recall:.3f}  F1 {self.f1:.3f}"
            f"   ({pairs} pairs: {self.tp} TP, {self.fp} FP, {self.fn} FN)"
        )


def fold_of(raw: dict[str, str]) -> str:
    """A or B, from a hash of the left family name (so a family's pairs stay in one fold)."""
    key = re.sub(r"[^a-z0-9]", "", anyascii(raw["left_family"]).lower())
    return "AB"[zlib.crc32(key.encode()) % 2]


def load(pairs_path: Path, truth_path: Path) -> list[Labelled]:
    with truth_path.open(encoding="utf-8", newline="") as stream:
        truth = {row["pair_id"]: row["is_match"].strip() == "1" for row in csv.DictReader(stream)}
    with pairs_path.open(encoding="utf-8-sig", newline="") as stream:
        raw_rows = list(csv.DictReader(stream))
    with pairs_path.open(encoding="utf-8-sig", newline="") as stream:
        pairs, warnings = read_pairs(stream)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return [
        Labelled(
            pair=pair, raw=raw, is_match=truth[pair.pair_id], script=raw.get("right_script", "?"), fold=fold_of(raw)
        )
        for pair, raw in zip(pairs, raw_rows, strict=True)
    ]


def tally(items: Sequence[Labelled], predicted: Sequence[bool]) -> dict[str, Tally]:
    tallies = {group: Tally() for group in GROUPS}
    for item, prediction in zip(items, predicted, strict=True):
        tallies["all"].add(prediction, item.is_match)
        if item.script in tallies:
            tallies[item.script].add(prediction, item.is_match)
    return tallies


def engine(items: Sequence[Labelled], params: ModelParams) -> list[bool]:
    return [result.is_match for _, result in score_rows([item.pair for item in items], params)]


def _plain(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", anyascii(text).lower()).strip()


def baseline_score(raw: dict[str, str]) -> float:
    """anyascii + Jaro-Winkler, mean of given and family in the better order; 0 if birth years differ by more than 1."""
    left_given, left_family, right_given, right_family = (
        _plain(raw[column]) for column in ("left_given", "left_family", "right_given", "right_family")
    )
    jw = JaroWinkler.normalized_similarity
    same = (jw(left_given, right_given) + jw(left_family, right_family)) / 2
    swapped = (jw(left_given, right_family) + jw(left_family, right_given)) / 2
    left_year, right_year = raw["left_birth_date"][:4], raw["right_birth_date"][:4]
    if left_year.isdigit() and right_year.isdigit() and abs(int(left_year) - int(right_year)) > 1:
        return 0.0
    return max(same, swapped)


def report(title: str, tallies: dict[str, Tally]) -> None:
    print(title)
    for group in GROUPS:
        print(tallies[group].line(group))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=Path, default=DATA / "dev_pairs.csv")
    parser.add_argument("--truth", type=Path, default=DATA / "dev_truth.csv")
    parser.add_argument("--params", type=Path, default=None, help="model parameters (default: the shipped ones)")
    parser.add_argument("--no-folds", action="store_true", help="skip the 2-fold retraining check (about 10 s)")
    args = parser.parse_args(argv)

    items = load(args.pairs, args.truth)
    params = load_params(args.params)
    print(f"{len(items)} pairs from {args.pairs}, truth from {args.truth}\n")

    started = time.perf_counter()
    predicted = engine(items, params)
    elapsed = time.perf_counter() - started
    report(
        f"Engine, shipped parameters (threshold {params.threshold:.3f}; scoring took {elapsed:.2f} s):",
        tally(items, predicted),
    )
    for threshold in (0.85, 0.60):
        report(
            f"\nNaive baseline (anyascii + Jaro-Winkler both orders + birth years within one), threshold {threshold:.2f}:",
            tally(items, [baseline_score(item.raw) >= threshold for item in items]),
        )

    print("\nBy fold (A: rules developed on its errors; B: held out from rule development), shipped parameters:")
    for fold in "AB":
        subset = [item for item in items if item.fold == fold]
        report(
            f" fold {fold}:", tally(subset, [p for item, p in zip(items, predicted, strict=True) if item.fold == fold])
        )

    if not args.no_folds:
        print("\n2-fold: parameters retrained by EM (no labels) on one fold's records, scored on the other fold:")
        for train_fold, test_fold in (("A", "B"), ("B", "A")):
            training = [item for item in items if item.fold == train_fold]
            testing = [item for item in items if item.fold == test_fold]
            trained = train([item.pair.left for item in training], [item.pair.right for item in training]).params
            report(
                f" train on {train_fold} ({len(training)} pairs) -> test on {test_fold} "
                f"(threshold {trained.threshold:.3f}):",
                tally(testing, engine(testing, trained)),
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
