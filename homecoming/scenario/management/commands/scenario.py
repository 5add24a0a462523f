"""``manage.py scenario load seeds [--seed N] [--reset]``: load the seeds' scenario, an invented
population that reproduces every figure of the product brief's table (see
``homecoming/scenario/population.py``). Loading it again says so and changes nothing;
``--reset`` takes the loaded scenario out first and loads it anew. ``scenario reset seeds``
only takes it out."""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from homecoming.scenario import loader
from homecoming.scenario.population import DEFAULT_SEED


class Command(BaseCommand):
    help = "Load (or reset) a demonstration scenario: `scenario load seeds`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load", "reset"])
        parser.add_argument("name", choices=[loader.SEEDS])
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Seed of the random draw.")
        parser.add_argument("--reset", action="store_true", help="Take the loaded scenario out first.")

    def _say(self, message: str) -> None:
        self.stdout.write(f"  {message}")
        self.stdout.flush()

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "reset" or options["reset"]:
            removed = loader.scenario_reset(progress=self._say)
            if options["action"] == "reset":
                self.stdout.write("scenario removed" if removed else "the scenario was not loaded")
                return
        started = time.monotonic()
        self.stdout.write(f"loading the scenario “{options['name']}”")
        try:
            record = loader.scenario_load(seed=options["seed"], progress=self._say)
        except loader.AlreadyLoadedError as already:
            self.stdout.write(f"{already}: already loaded, nothing to do (use --reset to load it again)")
            return
        except ValidationError as error:
            raise CommandError(f"the scenario could not be loaded: {error}") from error
        counts = ", ".join(f"{k}: {v}" for k, v in sorted(record.counts.items()))
        self.stdout.write(f"scenario loaded in {time.monotonic() - started:.1f} s ({counts})")
