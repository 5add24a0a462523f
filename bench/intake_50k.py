"""How long a large list takes to import: 50,000 rows mapped, validated, matched against a registry of
100,000 persons, and committed, on PostgreSQL.

    createdb -h 127.0.0.1 -U homecoming hc_intake_bench
    DATABASE_URL=postgres://homecoming:homecoming@127.0.0.1:5432/hc_intake_bench \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://homecoming:homecoming@127.0.0.1:5432/hc_intake_bench \\
        .venv/bin/python -m bench.intake_50k [--rows 50000] [--registry 100000] [--seed 2026]

The database must be a scratch one: its name must contain "bench", and it is flushed first (``--no-flush``
keeps it, if it holds nothing). The people are generated (``homecoming.matching.generator``, fixed seed):
``registry + rows`` records of a synthetic population with duplicates across scripts; the first
``registry`` are written straight into the registry (persons, primary names and their search keys, as the
registry's services would leave them — not timed), the next ``rows`` become a CSV list from a foreign
authority (full name, given and family name, sex, date of birth or year, facility, identifier). Some
people of the list are thus already registered, under another spelling.

Timed, as the pages and the job run them (``homecoming.intake.services`` and ``commit``):

1. upload — the file read (encoding, delimiter, rows) and stored;
2. validate and match — every row checked, then matched against earlier imports, the registry and the
   file itself;
3. decide — what a person decides on the pages, done here directly: a row that may be registered is
   taken as its best candidate (if no other row took it) or as a new person; a repeated row is skipped
   (timed, but left out of the total: on the pages this is a person's work, row by row);
4. commit — one transaction: persons registered or updated, names, identifiers, custody, a case for each
   new person, the audit entries.

Prints the time of each step, the total, and the counts; checks that the registry grew by exactly the
persons the import says it created.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import resource
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

FACILITIES = ["Al-Hol camp", "Roj camp", "Baghdad women's prison"]
SOURCE = "North-east Syria administration"


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


PROFILE: list[Any] = []


def _timed(label: str, times: dict[str, float], fn: Callable[[], T]) -> T:
    start = time.perf_counter()
    if PROFILE:
        PROFILE[0].enable()
    result = fn()
    if PROFILE:
        PROFILE[0].disable()
    times[label] = time.perf_counter() - start
    print(f"  {label:<22} {times[label]:8.1f} s", flush=True)
    return result


class Steps:
    """The time of each step the progress bar names (``batch_map``'s progress)."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, float]] = []

    def progress(self, percent: float, message: Any = "") -> None:
        if not self.steps or self.steps[-1][0] != str(message):
            self.steps.append((str(message), time.perf_counter()))

    def print(self) -> None:
        ends = [at for _message, at in self.steps[1:]] + [time.perf_counter()]
        for (message, start), end in zip(self.steps, ends, strict=True):
            print(f"    {end - start:6.1f} s  {message}", flush=True)


def seed_registry(records: list[dict[str, Any]], *, agency: Any, user: Any) -> None:
    """Persons with a primary name and its keys, written in bulk (what the registry's services store)."""
    from django.utils import timezone

    from homecoming.registry.choices import BirthDatePrecision, NameKind
    from homecoming.registry.models import NameKey, Person, PersonName
    from homecoming.registry.names import KEYS_VERSION, as_written, keys_of_name, romanised, script_of

    today = timezone.localdate()
    chunk = 5000
    for start in range(0, len(records), chunk):
        part = records[start : start + chunk]
        persons = []
        for record in part:
            exact = record["birth_date"] is None or record["birth_date_min"] == record["birth_date_max"]
            if not exact and record["birth_date_max"] > today:
                # An estimate reaching past today is refused by the registry (Person.clean); as its services
                # would store it, the range ends today.
                record = {
                    **record,
                    "birth_date_max": today,
                    "birth_date": min(record["birth_date"], today),
                    "birth_date_min": min(record["birth_date_min"], today),
                }
            persons.append(
                Person(
                    owner_agency=agency,
                    display_name=as_written(f"{record['given_name']} {record['family_name']}"),
                    sex=record["sex"] or "U",
                    birth_date=record["birth_date"],
                    birth_date_precision=BirthDatePrecision.EXACT if exact else BirthDatePrecision.ESTIMATED,
                    birth_date_min=None if exact else record["birth_date_min"],
                    birth_date_max=None if exact else record["birth_date_max"],
                    created_by=user,
                )
            )
        Person.objects.bulk_create(persons, batch_size=1000)
        names = []
        for person, record in zip(persons, part, strict=True):
            names.append(
                PersonName(
                    person=person,
                    full_name=person.display_name,
                    given_name=as_written(record["given_name"]),
                    family_name=as_written(record["family_name"]),
                    kind=NameKind.PRIMARY,
                    is_primary=True,
                    script=script_of(person.display_name),
                    romanised=romanised(person.display_name),
                    keys_version=KEYS_VERSION,
                    created_by=user,
                )
            )
        PersonName.objects.bulk_create(names, batch_size=1000)
        keys = [
            NameKey(person_id=name.person_id, name=name, key=key)
            for name in names
            for key in sorted(keys_of_name(name.full_name, name.given_name, name.family_name))
        ]
        NameKey.objects.bulk_create(keys, batch_size=5000)


def list_csv(records: list[dict[str, Any]]) -> bytes:
    """The list as a foreign authority would send it (UTF-8, day-first dates, a year when only that is known)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Full name", "Given name", "Family name", "Sex", "Date of birth", "Facility", "Identifier"])
    for number, record in enumerate(records):
        birth = record["birth_date"]
        if birth is None:
            written = ""
        elif record["birth_date_min"] == record["birth_date_max"]:
            written = birth.strftime("%d.%m.%Y")
        else:
            written = str(birth.year)
        writer.writerow(
            [
                f"{record['given_name']} {record['family_name']}",
                record["given_name"],
                record["family_name"],
                record["sex"] or "",
                written,
                FACILITIES[number % len(FACILITIES)],
                f"NES-{record['record_id']}",
            ]
        )
    return out.getvalue().encode("utf-8")


def decide(batch: Any) -> dict[str, int]:
    """The decisions a person would take on the pages (see the module docstring)."""
    from homecoming.intake.choices import MatchStatus, Resolution
    from homecoming.intake.models import IntakeRow

    rows = list(
        batch.rows.filter(match_status__in=[MatchStatus.AMBIGUOUS, MatchStatus.DUPLICATE, MatchStatus.EXISTING])
        .only("pk", "number", "match_status", "candidates", "resolution", "resolved_person")
        .order_by("number")
    )
    taken = {int(r.candidates[0]["person_id"]) for r in rows if r.match_status == MatchStatus.EXISTING}
    counts = {"same_person": 0, "new": 0, "skipped": 0}
    changed = []
    for row in rows:
        if row.match_status == MatchStatus.DUPLICATE:
            row.resolution = Resolution.SKIP
            counts["skipped"] += 1
        elif row.match_status == MatchStatus.AMBIGUOUS:
            best = int(row.candidates[0]["person_id"]) if row.candidates else None
            if best is not None and best not in taken:
                row.resolution, row.resolved_person_id = Resolution.EXISTING, best
                taken.add(best)
                counts["same_person"] += 1
            else:
                row.resolution = Resolution.NEW
                counts["new"] += 1
        else:
            continue
        changed.append(row)
    IntakeRow.objects.bulk_update(changed, ["resolution", "resolved_person"], batch_size=1000)
    return counts


def _peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    """The largest resident memory so far of this process (or of its largest child), in MB."""
    return resource.getrusage(who).ru_maxrss / 1024


def print_profile() -> None:
    if PROFILE:
        import pstats

        pstats.Stats(PROFILE[0]).sort_stats("cumulative").print_stats(40)
        pstats.Stats(PROFILE[0]).sort_stats("tottime").print_stats(25)


def print_quality(batch: Any, registered: list[dict[str, Any]], listed: list[dict[str, Any]]) -> None:
    """How well the rows found the registered persons they are (the generator's truth)."""
    from homecoming.registry.models import Person

    entity_of_person = dict(
        zip(
            Person.objects.order_by("pk").values_list("pk", flat=True)[: len(registered)],
            (r["entity_id"] for r in registered),
            strict=True,
        )
    )
    in_registry = {r["entity_id"] for r in registered}
    should, found, offered, wrong = 0, 0, 0, 0
    for row in batch.rows.only("number", "candidates", "match_status"):
        entity = listed[row.number - 2]["entity_id"]
        candidates = [entity_of_person.get(int(c["person_id"])) for c in row.candidates]
        if row.match_status == "duplicate":
            continue  # decided against the earlier row of the same person
        if entity in in_registry:
            should += 1
            offered += entity in candidates
            found += bool(candidates) and candidates[0] == entity
        elif candidates and row.match_status == "existing":
            wrong += 1
    print(
        f"    rows of persons already registered: {should:,}; the right person offered for {offered:,} "
        f"({offered / max(should, 1):.1%}), first for {found:,}; rows of others taken as registered: {wrong:,}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--registry", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-flush", action="store_true", help="do not flush the database first")
    parser.add_argument(
        "--no-commit", action="store_true", help="stop after the decisions (time the reading and matching)"
    )
    parser.add_argument("--profile", action="store_true", help="print where the timed steps spend their time")
    args = parser.parse_args(argv)
    if args.profile:
        import cProfile

        PROFILE.append(cProfile.Profile())

    _setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries

    from homecoming.accounts.choices import AgencyKind, Role
    from homecoming.accounts.models import Agency
    from homecoming.audit.models import AuditEntry
    from homecoming.core.testing.factories import user_with_role
    from homecoming.intake import services
    from homecoming.intake.choices import BatchStatus, SourceKind
    from homecoming.intake.commit import batch_commit_now
    from homecoming.matching.generator import generate_population
    from homecoming.registry.models import Facility, Person

    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "postgresql" or "bench" not in name:
        print(f"Refusing to run on {connection.vendor} database {name!r}: use a PostgreSQL scratch database whose")
        print("name contains 'bench' (see the module docstring).", file=sys.stderr)
        return 2
    if not args.no_flush:
        call_command("flush", interactive=False, verbosity=0)
    elif Person.objects.exists():
        print("The database already holds persons; run without --no-flush.", file=sys.stderr)
        return 2
    settings.HOMECOMING_INTAKE_MAX_ROWS = max(args.rows, getattr(settings, "HOMECOMING_INTAKE_MAX_ROWS", 0))
    settings.DEBUG = False
    reset_queries()

    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, ", end="")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        print(f"PostgreSQL {cursor.fetchone()[0]}")
    print(f"Generating {args.registry + args.rows:,} people (seed {args.seed})…", flush=True)
    population = generate_population(n=args.registry + args.rows, seed=args.seed).to_pylist()
    agency = Agency.objects.create(code="bench", name="Bench ministry", kind=AgencyKind.FOREIGN_MINISTRY)
    user = user_with_role(Role.CONSULAR_OFFICER, agency, username="bench-officer")
    for facility in FACILITIES:
        Facility.objects.create(name=facility, kind="camp", country="SYR")
    start = time.perf_counter()
    seed_registry(population[: args.registry], agency=agency, user=user)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"Registry of {Person.objects.count():,} persons seeded in {time.perf_counter() - start:.0f} s (not timed)")
    data = list_csv(population[args.registry :])
    print(f"List: {args.rows:,} rows, {len(data) / 1e6:.1f} MB", flush=True)

    times: dict[str, float] = {}
    peak_before = _peak_mb()
    before = Person.objects.count()
    batch = _timed(
        "upload (read)",
        times,
        lambda: services.batch_upload(
            user=user,
            agency=agency,
            file_name="bench-list.csv",
            data=data,
            source=SOURCE,
            source_kind=SourceKind.FOREIGN_AUTHORITY,
        ),
    )
    steps = Steps()
    batch = _timed(
        "validate and match",
        times,
        lambda: services.batch_map(batch=batch, user=user, mapping=batch.mapping, progress=steps.progress),
    )
    steps.print()
    if batch.error_count:
        print(f"The list has {batch.error_count} errors; first rows:", file=sys.stderr)
        for row in batch.rows.filter(has_errors=True)[:5]:
            print(row.number, [i.message() for i in row.errors], file=sys.stderr)
        return 1
    print(
        f"    {batch.new_count:,} new, {batch.existing_count:,} registered, {batch.ambiguous_count:,} to decide, "
        f"{batch.duplicate_count:,} repeated rows",
        flush=True,
    )
    decisions = _timed("decide", times, lambda: decide(batch))
    print(f"    {decisions}", flush=True)
    print_quality(batch, population[: args.registry], population[args.registry :])
    if args.no_commit:
        machine = sum(t for label, t in times.items() if label != "decide")
        print(f"  {'total before commit':<22} {machine:8.1f} s (without the decisions, a person's part)")
        print_profile()
        return 0
    audited = AuditEntry.objects.count()
    counts = _timed("commit", times, lambda: batch_commit_now(batch_id=batch.pk, user=user))
    total = sum(t for label, t in times.items() if label != "decide")
    print(f"  {'total':<22} {total:8.1f} s (without the decisions, a person's part on the pages)")
    print(f"    {counts}; {AuditEntry.objects.count() - audited:,} audit entries written by the import")
    batch.refresh_from_db()
    grown = Person.objects.count() - before
    ok = batch.status == BatchStatus.COMMITTED and grown == counts["created"]
    print(f"Registry grew by {grown:,} persons; batch {batch.status}. {'OK' if ok else 'MISMATCH'}")
    print(f"Under two minutes: {'yes' if total < 120 else 'no'}")
    print(
        f"Peak memory: {_peak_mb():,.0f} MB ({peak_before:,.0f} MB before the timed steps, with the generated "
        f"population); name-comparing worker processes {_peak_mb(resource.RUSAGE_CHILDREN):,.0f} MB"
    )
    print_profile()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
