from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from homecoming.core.jobs import job_reap_stale


class Command(BaseCommand):
    help = (
        "`jobs reap [--minutes N]`: mark failed the jobs shown as running that have given no sign of life "
        "for N minutes (default 15) because their worker was killed or restarted. Run it with --minutes 0 "
        "before starting the only worker of a machine."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["reap"])
        parser.add_argument("--minutes", type=float, default=15.0)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["minutes"] < 0:
            self.stderr.write("--minutes must be 0 or more.")
            raise SystemExit(2)
        ids = job_reap_stale(silent_for=datetime.timedelta(minutes=options["minutes"]))
        if ids:
            self.stdout.write(f"Marked failed (worker gone): {', '.join(f'#{i}' for i in ids)}")
        else:
            self.stdout.write("No stale running job.")
