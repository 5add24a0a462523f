from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from homecoming.tracing.services import tracing_search_open


class Command(BaseCommand):
    help = "`tracing search`: search the whole registry again for every open tracing request (run it nightly)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["search"])

    def handle(self, *args: Any, **options: Any) -> None:
        totals = tracing_search_open()
        self.stdout.write(
            f"{totals['requests']} open requests searched; {totals['found']} possible matches, {totals['new']} new."
        )
