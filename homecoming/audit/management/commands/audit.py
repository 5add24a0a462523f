"""``manage.py audit verify``: walk the hash chain of the audit trail.

Exit status 0 when every entry holds; 1 when one does not, naming the first broken entry and why.
Run it from cron or monitoring: a tampered or damaged trail must be noticed.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from homecoming.audit.services import audit_verify_chain


class Command(BaseCommand):
    help = "Audit trail tools. `audit verify` checks the hash chain of every entry (exit 1 on the first break)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        verify = sub.add_parser("verify", help="Recompute the hash chain and report the first entry that breaks it.")
        verify.add_argument(
            "--chunk-size", type=int, default=5000, help="Entries read per database round trip (default 5000)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self.verify(chunk_size=options["chunk_size"])

    def verify(self, *, chunk_size: int) -> None:
        with translation.override("en"):
            report = audit_verify_chain(chunk_size=max(1, chunk_size))
            if report.intact:
                self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {report.checked} entries checked."))
                return
            raise CommandError(
                f"Audit trail broken at entry #{report.first_broken_id}: {report.reason}. "
                f"{report.checked} entries checked before it are intact.",
                returncode=1,
            )
