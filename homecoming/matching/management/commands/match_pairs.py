"""``manage.py match_pairs INPUT.csv OUTPUT.csv``: score person pairs with the matching engine.

Thin: reading, scoring and writing live in :mod:`homecoming.matching.engine.pairs`. The database is never
opened, so the command works on a fresh clone before ``migrate``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from homecoming.matching.engine.model import load_params
from homecoming.matching.engine.pairs import InputError, read_pairs, score_rows, write_scores


class Command(BaseCommand):
    help = (
        "Score person pairs (CSV with pair_id, left_/right_ given, family, sex, birth_date, birth_date_estimated) "
        "and write pair_id,score,match. A missing column stops with exit code 2; an unreadable date is treated "
        "as missing, with a warning on stderr naming the row and column. Use - for stdin or stdout."
    )
    requires_system_checks: list[str] = []  # no database, no checks: a plain file-to-file tool

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", help="pairs CSV, or - for stdin")
        parser.add_argument("output", help="where to write pair_id,score,match, or - for stdout")
        parser.add_argument(
            "--params", type=Path, default=None, help="model parameters JSON (default: the shipped ones)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            params = load_params(options["params"])
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"cannot read the model parameters: {error}", returncode=2) from error
        try:
            rows, warnings = _read(options["input"])
        except InputError as error:
            raise CommandError(f"{options['input']}: {error}", returncode=2) from error
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {options['input']}: {error}", returncode=2) from error
        for warning in warnings:
            self.stderr.write(f"warning: {options['input']}: {warning}")
        try:
            count = _write(options["output"], score_rows(rows, params))
        except OSError as error:
            raise CommandError(f"cannot write {options['output']}: {error}", returncode=2) from error
        elapsed = time.perf_counter() - started
        self.stderr.write(f"scored {count} pairs in {elapsed:.1f} s ({len(warnings)} warnings)")


def _read(path: str) -> tuple[Any, Any]:
    if path == "-":
        return read_pairs(sys.stdin)
    with open(path, encoding="utf-8-sig", newline="") as stream:
        return read_pairs(stream)


def _write(path: str, scored: Any) -> int:
    if path == "-":
        return write_scores(sys.stdout, scored)
    stream: IO[str]
    with open(path, "w", encoding="utf-8", newline="") as stream:
        return write_scores(stream, scored)
