"""``manage.py figures [--json] [--public]``: every figure computed from the records.

``--json`` prints pure JSON on stdout (nothing else); ``--public`` gives the figures as they may
be published, through disclosure control (hidden numbers are ``null``).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from homecoming.reports.selectors import figures_document


class Command(BaseCommand):
    help = "Print every figure computed from the records (exact, or --public through disclosure control)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print JSON only.")
        parser.add_argument("--public", action="store_true", help="As published: small counts hidden.")

    def handle(self, *args: Any, **options: Any) -> None:
        document = figures_document(public=options["public"])
        if options["json"]:
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
            return
        self.stdout.write(self._text(document))

    def _text(self, doc: dict[str, Any]) -> str:
        def show(value: Any) -> str:
            return "hidden" if value is None else str(value)

        lines = [f"Figures ({'public' if doc['public'] else 'exact'}), home country {doc['home_country']}", ""]
        lines.append("Operations (completed):")
        for op in doc["operations"]:
            fees = ", ".join(f"{f['currency']} {show(f['total'])}" for f in op["fees"]) or "none"
            handed = ", ".join(
                f"{h['country']}: {show(h['women'])} women, {show(h['children'])} children" for h in op["handed_over"]
            )
            lines.append(
                f"  {op['date']}  {op['origin_country']} -> {op['destination_country']}  {op['name']}: "
                f"{show(op['returned_children'])} children, {show(op['returned_women'])} women returned; "
                f"fees to the detaining authority: {fees}" + (f"; handed over: {handed}" if handed else "")
            )
        lines.append("Still held abroad:")
        for row in doc["remaining"]:
            lines.append(f"  {row['country']}: {show(row['children'])} children, {show(row['women'])} women")
        lines.append("Assessments:")
        for row in doc["assessments"]:
            lines.append(
                f"  {row['date']}: {show(row['assessed_children'])} children assessed, "
                f"{show(row['eligible_children'])} eligible"
            )
        return "\n".join(lines)
