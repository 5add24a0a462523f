"""``manage.py match_train INPUT.csv``: retrain the matching model's parameters without labels.

Thin: the training is :func:`homecoming.matching.engine.model.train`. The database is never opened.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from homecoming.matching.engine.model import DEFAULT_PARAMS_PATH, level_name, train
from homecoming.matching.engine.pairs import InputError, read_pairs


class Command(BaseCommand):
    help = (
        "Train the matching model (m, u, prior, threshold) by EM on the record pairs that blocking finds among the "
        "left and right records of a pairs CSV (same columns as match_pairs). No labels are read. Writes the "
        "parameters JSON (by default the one shipped with the code)."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", type=Path, help="pairs CSV whose left and right records are trained on")
        parser.add_argument("--output", type=Path, default=DEFAULT_PARAMS_PATH, help="parameters JSON to write")
        parser.add_argument("--random-pairs", type=int, default=20000, help="random pairs for the starting u")
        parser.add_argument("--seed", type=int, default=20240601, help="random seed (the result is reproducible)")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        source: Path = options["input"]
        try:
            with source.open(encoding="utf-8-sig", newline="") as stream:
                rows, warnings = read_pairs(stream)
        except InputError as error:
            raise CommandError(f"{source}: {error}", returncode=2) from error
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {source}: {error}", returncode=2) from error
        for warning in warnings:
            self.stderr.write(f"warning: {source}: {warning}")
        try:
            report = train(
                [row.left for row in rows],
                [row.right for row in rows],
                random_pairs=options["random_pairs"],
                seed=options["seed"],
                source=source.name,
            )
        except ValueError as error:
            raise CommandError(str(error), returncode=2) from error
        report.params.save(options["output"])
        params = report.params
        self.stdout.write(
            f"trained on {report.candidate_pairs} candidate pairs from {len(rows)} rows "
            f"({report.iterations} EM iterations, {'converged' if report.converged else 'NOT converged'}) "
            f"in {time.perf_counter() - started:.1f} s"
        )
        self.stdout.write(f"prior {params.prior:.4f}, threshold {params.threshold:.4f}; weights in bits:")
        for name, levels in params.fields.items():
            for level, level_params in levels.items():
                self.stdout.write(f"  {name:<10} {level_name(name, level):<36} {level_params.weight:+7.2f}")
        self.stdout.write(f"written to {options['output']}")
