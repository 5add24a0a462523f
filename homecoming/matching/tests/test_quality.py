"""Matching quality on a labelled slice of the development set (400 pairs, Latin vs Cyrillic and Arabic).

The full figures, the baseline and the 2-fold check are in bench/matching_quality.py. This floor fails if a
change to the name rules or the shipped parameters makes the engine clearly worse.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

from homecoming.matching.engine.pairs import read_pairs, score_rows

SLICE = Path(__file__).with_name("data") / "dev_slice.csv"


def _f1(decisions: list[tuple[bool, bool]]) -> float:
    tp = sum(predicted and actual for predicted, actual in decisions)
    fp = sum(predicted and not actual for predicted, actual in decisions)
    fn = sum(actual and not predicted for predicted, actual in decisions)
    return 2 * tp / (2 * tp + fp + fn)


def test_f1_on_the_dev_slice_overall_and_per_script():
    with SLICE.open(encoding="utf-8", newline="") as stream:
        labels = {row["pair_id"]: (row["is_match"] == "1", row["right_script"]) for row in csv.DictReader(stream)}
    with SLICE.open(encoding="utf-8", newline="") as stream:
        rows, warnings = read_pairs(stream)
    assert warnings == []
    assert len(rows) == 400

    started = time.perf_counter()
    results = [(row.pair_id, result.is_match) for row, result in score_rows(rows)]
    elapsed = time.perf_counter() - started

    decisions = {pair_id: (predicted, labels[pair_id][0]) for pair_id, predicted in results}
    overall = _f1(list(decisions.values()))
    by_script = {
        script: _f1([decision for pair_id, decision in decisions.items() if labels[pair_id][1] == script])
        for script in ("cyrl", "arab")
    }
    assert overall >= 0.95, overall
    assert by_script["cyrl"] >= 0.92, by_script
    assert by_script["arab"] >= 0.92, by_script
    assert elapsed < 10, f"400 pairs took {elapsed:.1f} s"
