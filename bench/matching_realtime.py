"""Speed of the real-time duplicate warning (``matching.selectors.likely_duplicates``) with many persons.

    DATABASE_URL=postgres://…/hc_bench .venv/bin/python -m bench.matching_realtime [--persons 100000] [--seed 7]

Loads (once; reused while the count matches) ``--persons`` generated people (``matching.generator``: families,
duplicates across scripts, estimated dates) as persons of an agency of its own (code ``bench-matching``), with
their search keys computed by the registry's own function (``registry.names.keys_of_name``), written with
``COPY``. Then, as a case worker of that agency, it asks for the likely duplicates of ``--queries`` generated
records (each has at least one other record of the same person, so the right answer is known) and prints the
median, 95th percentile and slowest time per call, and how often a true duplicate was among those returned.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DJANGO_DEBUG", "false")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from homecoming.accounts.choices import AgencyKind, Role  # noqa: E402
from homecoming.accounts.models import Agency  # noqa: E402
from homecoming.core.testing.factories import user_with_role  # noqa: E402
from homecoming.matching.batch.fixtures import population_load  # noqa: E402
from homecoming.matching.generator import generate_population  # noqa: E402
from homecoming.matching.selectors import likely_duplicates  # noqa: E402
from homecoming.registry.models import NameKey, Person, PersonName  # noqa: E402
from homecoming.registry.names import keys_of_name  # noqa: E402

AGENCY = "bench-matching"


def _load(persons: int, seed: int) -> tuple[Agency, dict[int, int]]:
    agency, _ = Agency.objects.get_or_create(
        code=AGENCY, defaults={"name": "Matching benchmark", "kind": AgencyKind.CHILD_PROTECTION}
    )
    population = generate_population(n=persons, seed=seed)
    existing = Person.objects.filter(owner_agency=agency).count()
    start = time.perf_counter()
    if existing != persons:
        print(f"loading {persons} persons (found {existing})…", flush=True)
        with transaction.atomic():
            NameKey.objects.filter(person__owner_agency=agency).delete()
            PersonName.objects.filter(person__owner_agency=agency).delete()
            Person.objects.filter(owner_agency=agency).delete()
        population_load(population, agency=agency)
    if not NameKey.objects.filter(person__owner_agency=agency).exists():
        print("writing the search keys…", flush=True)
        cache: dict[tuple[str, str, str], set[str]] = {}
        rows = list(  # read before the COPY starts: the connection cannot do both at once
            PersonName.objects.filter(person__owner_agency=agency).values_list(
                "id", "person_id", "full_name", "given_name", "family_name"
            )
        )
        copy_sql = f"COPY {NameKey._meta.db_table} (person_id, name_id, key) FROM STDIN"
        with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
            for name_id, person_id, full, given, family in rows:
                keys = cache.get((full, given, family))
                if keys is None:
                    keys = cache[(full, given, family)] = keys_of_name(full, given, family)
                for key in sorted(keys):
                    copy.write_row((person_id, name_id, key))
        with connection.cursor() as cursor:  # outside a transaction: VACUUM sets the visibility map
            cursor.execute(f"VACUUM ANALYZE {NameKey._meta.db_table}")
            cursor.execute(f"VACUUM ANALYZE {Person._meta.db_table}")
            cursor.execute(f"VACUUM ANALYZE {PersonName._meta.db_table}")
        print(f"loaded in {time.perf_counter() - start:.1f} s", flush=True)
    first = Person.objects.filter(owner_agency=agency).order_by("pk").values_list("pk", flat=True).first() or 1
    offset = first - 1
    truth = {
        offset + record: entity
        for record, entity in zip(population["record_id"].to_pylist(), population["entity_id"].to_pylist(), strict=True)
    }
    return agency, truth


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        print("Run it on PostgreSQL (DATABASE_URL=postgres://…).", file=sys.stderr)
        return 2
    agency, truth = _load(args.persons, args.seed)
    user = user_with_role(Role.CASE_WORKER, agency, username="bench-matching-worker")
    by_entity: dict[int, list[int]] = {}
    for person_id, entity in truth.items():
        by_entity.setdefault(entity, []).append(person_id)
    duplicated = [pid for pid, entity in truth.items() if len(by_entity[entity]) > 1]
    rng = random.Random(args.seed)
    chosen = rng.sample(duplicated, min(args.queries, len(duplicated)))
    persons = {p.pk: p for p in Person.objects.filter(pk__in=chosen).prefetch_related("names")}

    times, hits, answered = [], 0, 0
    for index, pk in enumerate(chosen):
        person = persons[pk]
        name = person.names.all()[0]
        kwargs: dict[str, Any] = {
            "user": user, "given_name": name.given_name, "family_name": name.family_name, "sex": person.sex,
            "birth_date": person.birth_date, "birth_date_min": person.birth_date_min,
            "birth_date_max": person.birth_date_max, "exclude": pk,
        }  # fmt: skip
        start = time.perf_counter()
        found = likely_duplicates(**kwargs)
        elapsed = time.perf_counter() - start
        if index:  # the first call warms the caches
            times.append(elapsed)
        answered += bool(found)
        hits += any(truth.get(item.person.pk) == truth[pk] for item in found)

    times.sort()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores; database: PostgreSQL {getattr(connection, 'pg_version', '?')}"
    )
    print(f"persons: {Person.objects.filter(owner_agency=agency).count()}, name keys: {NameKey.objects.count()}")
    print(
        f"likely_duplicates over {len(times)} queries: median {statistics.median(times) * 1000:.1f} ms, "
        f"95th percentile {times[int(len(times) * 0.95) - 1] * 1000:.1f} ms, slowest {times[-1] * 1000:.1f} ms"
    )
    print(f"a true duplicate among the answers: {hits}/{len(chosen)}; any answer: {answered}/{len(chosen)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
