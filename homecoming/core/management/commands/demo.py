from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from homecoming.core import demo


class Command(BaseCommand):
    help = "Load the demo data (`demo load`) or print the demo sign-ins (`demo logins`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load", "logins"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            result = demo.demo_load()
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in result.items()))
            return
        self.stdout.write(f"\n  Demo sign-ins (password for all: {demo.demo_password()})\n")
        for u in demo.DEMO_USERS:
            self.stdout.write(f"    {u.username:<14} {u.role.label:<20} {u.agency}")
