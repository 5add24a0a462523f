"""``manage.py reported_figures load [--file PATH]``: load the register of figures quoted in
public reports (by default the project's own copy, ``homecoming/reports/data/reported_figures.csv``).
Loading twice duplicates nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from homecoming.reports import services


class Command(BaseCommand):
    help = "Load the register of figures quoted in public reports (press, ministries)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load"])
        parser.add_argument(
            "--file",
            type=Path,
            default=services.DEFAULT_REGISTER,
            help="A CSV in the register's format (default: the project's copy).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            result = services.reported_figures_load_file(path=path)
        except (ValueError, ValidationError) as error:
            raise CommandError(f"{path}: {error}") from error
        self.stdout.write(
            f"reported figures: {result.created} added, {result.updated} updated, {result.unchanged} unchanged"
        )
