# ruff: noqa: RUF001 - names in Cyrillic and Arabic script, on purpose
"""Speed of the person list with many persons: search by a spelling variant, and the first page.

    DATABASE_URL=postgres://…/hc_bench .venv/bin/python -m bench.registry_search [--persons 100000] [--seed 2026]

Generates (once; reused while the count matches) ``--persons`` persons of an agency of its own
(code ``bench-registry``) with a fixed seed: names drawn from Tajik given and family names, each
written in Latin (in one of several common spellings), Cyrillic with Tajik letters, or Arabic
script, with zero to two other spellings. They are written with ``bulk_create``, names and search
keys included, the keys computed by the registry's own functions (``homecoming.registry.names``),
so the data is what the services would have written.

Then it times, as a case worker of that agency:

1. the selector behind the page (``registry.selectors.person_list_page``): one page of 25 and the
   count, for searches by spellings that differ from the ones stored and for no search;
2. the whole page through Django's test client (access check, audit entry, rendering).

Each figure is the median of ``--runs`` runs after one warm-up run. It prints the machine (cores) and
the database, and the query plan of the search.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DJANGO_DEBUG", "false")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from homecoming.accounts.choices import AgencyKind, Role  # noqa: E402
from homecoming.accounts.models import Agency, Membership, User  # noqa: E402
from homecoming.registry import selectors  # noqa: E402
from homecoming.registry.choices import BirthDatePrecision, NameKind, Sex  # noqa: E402
from homecoming.registry.models import NameKey, Person, PersonName  # noqa: E402
from homecoming.registry.names import KEYS_VERSION, as_written, keys_of_name, romanised, script_of  # noqa: E402

AGENCY_CODE = "bench-registry"
USERNAME = "bench-registry-worker"
BATCH = 5_000

#: Given names: (sex, Latin spellings, Cyrillic, Arabic).
GIVEN: list[tuple[str, tuple[str, ...], str, str]] = [
    ("M", ("Mukhriddin", "Muhriddin", "Mukhriddin"), "Мухриддин", "مخرالدين"),
    ("M", ("Amir", "Emir"), "Амир", "أمير"),
    ("M", ("Jamshed", "Djamshed", "Jamshid"), "Ҷамшед", "جمشيد"),
    ("M", ("Farhod", "Farkhod", "Farhad"), "Фарҳод", "فرهاد"),
    ("M", ("Ghulom", "Gulom", "Ghulam"), "Ғулом", "غلام"),
    ("M", ("Yusuf", "Yusup", "Iusuf"), "Юсуф", "يوسف"),
    ("M", ("Ibrohim", "Ibragim", "Ibrahim"), "Иброҳим", "إبراهيم"),
    ("M", ("Umar", "Omar"), "Умар", "عمر"),
    ("M", ("Abdurahmon", "Abdurakhmon", "Abdurahman"), "Абдураҳмон", "عبدالرحمن"),
    ("M", ("Khurshed", "Hurshed", "Khurshid"), "Хуршед", "خورشيد"),
    ("M", ("Safar", "Sapar"), "Сафар", "سفر"),
    ("M", ("Rustam", "Rustem"), "Рустам", "رستم"),
    ("M", ("Qodir", "Kodir", "Qadir"), "Қодир", "قادر"),
    ("M", ("Jurabek", "Dzhurabek", "Jurabek"), "Ҷӯрабек", "جورابك"),
    ("M", ("Hikmatullo", "Khikmatullo", "Hikmatullah"), "Ҳикматулло", "حكمت الله"),
    ("F", ("Zarina", "Zareena"), "Зарина", "زرينة"),
    ("F", ("Malika", "Maleeka"), "Малика", "مليكة"),
    ("F", ("Farida", "Fareeda"), "Фарида", "فريدة"),
    ("F", ("Nigora", "Nigara"), "Нигора", "نگاره"),
    ("F", ("Mavluda", "Mavlyuda", "Mawluda"), "Мавлуда", "مولودة"),
    ("F", ("Oisha", "Aisha", "Oysha"), "Оиша", "عائشة"),
    ("F", ("Fotima", "Fatima", "Fatema"), "Фотима", "فاطمة"),
    ("F", ("Khadicha", "Hadicha", "Khadija"), "Хадича", "خديجة"),
    ("F", ("Gulnora", "Gulnara"), "Гулнора", "گلنار"),
    ("F", ("Dilnoza", "Dilnaza"), "Дилноза", "دلنوزا"),
    ("F", ("Sitora", "Sitara"), "Ситора", "ستارة"),
    ("F", ("Ughiloy", "Ugiloy", "Ugiloi"), "Ӯғилой", "اوغیلای"),
    ("F", ("Madina", "Medina"), "Мадина", "مدينة"),
    ("F", ("Shahlo", "Shakhlo", "Shahla"), "Шаҳло", "شهلا"),
    ("F", ("Parvina", "Parwina"), "Парвина", "پروینه"),
]

#: Family name roots: (Latin spellings, Cyrillic, Arabic of the masculine form); "+a" makes the feminine.
FAMILY: list[tuple[tuple[str, ...], str, str]] = [
    (("Rahimov", "Rakhimov", "Raximov"), "Раҳимов", "رحيموف"),
    (("Nazarov", "Nazarow"), "Назаров", "نظروف"),
    (("Saidov", "Saydov", "Saidow"), "Саидов", "سعيدوف"),
    (("Qodirov", "Kodirov", "Kadyrov"), "Қодиров", "قاديروف"),
    (("Juraev", "Dzhuraev", "Djuraev"), "Ҷӯраев", "جورايف"),
    (("Ghulomov", "Gulomov", "Ghulamov"), "Ғуломов", "غلاموف"),
    (("Hakimov", "Khakimov"), "Ҳакимов", "حكيموف"),
    (("Sharipov", "Sharifov"), "Шарипов", "شريفوف"),
    (("Yusupov", "Yusufov", "Iusupov"), "Юсупов", "يوسفوف"),
    (("Karimov", "Karimow"), "Каримов", "كريموف"),
    (("Mirzoev", "Mirzoyev", "Mirzaev"), "Мирзоев", "ميرزايف"),
    (("Safarov", "Saparov"), "Сафаров", "صفروف"),
    (("Davlatov", "Dawlatov"), "Давлатов", "دولتوف"),
    (("Sultonov", "Sultanov"), "Султонов", "سلطانوف"),
    (("Ismoilov", "Ismailov", "Ismoylov"), "Исмоилов", "إسماعيلوف"),
    (("Olimov", "Alimov"), "Олимов", "عليموف"),
    (("Tursunov", "Tursunow"), "Турсунов", "ترسونوف"),
    (("Ashurov", "Oshurov"), "Ашуров", "عاشوروف"),
    (("Boboev", "Baboev", "Boboyev"), "Бобоев", "بابايف"),
    (("Kholov", "Holov", "Xolov"), "Холов", "خولوف"),
]


def spellings(sex: str, given: tuple[str, ...], given_cyr: str, given_ar: str, family: Any) -> list[str]:
    """Every way of writing one person's name: Latin variants, Cyrillic, Arabic."""
    family_latin, family_cyr, family_ar = family
    feminine = sex == "F"
    latin_family = [f + "a" if feminine else f for f in family_latin]
    cyr_family = family_cyr + "а" if feminine else family_cyr
    ar_family = family_ar + "ا" if feminine else family_ar
    names = [f"{g} {f}" for g in given for f in latin_family]
    names.append(f"{given_cyr} {cyr_family}")
    names.append(f"{given_ar} {ar_family}")
    return list(dict.fromkeys(names))


def generate(*, count: int, seed: int, agency: Agency) -> None:
    """``count`` persons of ``agency`` with their names and keys, in batches."""
    rng = random.Random(seed)
    today = dt.date(2026, 1, 1)
    made = 0
    started = time.perf_counter()
    while made < count:
        size = min(BATCH, count - made)
        persons: list[Person] = []
        person_names: list[list[str]] = []
        for _ in range(size):
            sex, given, given_cyr, given_ar = rng.choice(GIVEN)
            options = spellings(sex, given, given_cyr, given_ar, rng.choice(FAMILY))
            rng.shuffle(options)
            names = [as_written(n) for n in options[: 1 + rng.choice((0, 1, 1, 2))]]
            born = today - dt.timedelta(days=rng.randrange(365, 60 * 365))
            estimated = rng.random() < 0.3
            persons.append(
                Person(
                    owner_agency=agency,
                    display_name=names[0],
                    sex=sex if rng.random() > 0.02 else Sex.UNKNOWN,
                    birth_date=born,
                    birth_date_precision=BirthDatePrecision.ESTIMATED if estimated else BirthDatePrecision.EXACT,
                    birth_date_min=born - dt.timedelta(days=365) if estimated else born,
                    birth_date_max=born + dt.timedelta(days=180) if estimated else born,
                )
            )
            person_names.append(names)
        with transaction.atomic():
            Person.objects.bulk_create(persons, batch_size=BATCH)
            rows: list[PersonName] = []
            for person, names in zip(persons, person_names, strict=True):
                for index, text in enumerate(names):
                    rows.append(
                        PersonName(
                            person=person,
                            full_name=text,
                            script=script_of(text),
                            romanised=romanised(text),
                            kind=NameKind.PRIMARY if index == 0 else NameKind.ALIAS,
                            is_primary=index == 0,
                            keys_version=KEYS_VERSION,
                        )
                    )
            PersonName.objects.bulk_create(rows, batch_size=BATCH)
            keys = [
                NameKey(person_id=row.person_id, name=row, key=key)
                for row in rows
                for key in sorted(keys_of_name(row.full_name))
            ]
            NameKey.objects.bulk_create(keys, batch_size=BATCH)
        made += size
        print(f"  {made:>7} persons written ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    with connection.cursor() as cursor:
        for table in ("registry_person", "registry_personname", "registry_namekey"):
            cursor.execute(f"{'VACUUM ANALYZE' if connection.vendor == 'postgresql' else 'ANALYZE'} {table}")


def ensure_data(*, count: int, seed: int) -> tuple[Agency, User]:
    agency, _created = Agency.objects.get_or_create(
        code=AGENCY_CODE, defaults={"name": "Benchmark agency", "kind": AgencyKind.CHILD_PROTECTION}
    )
    user, _created = User.objects.get_or_create(username=USERNAME)
    Membership.objects.get_or_create(user=user, agency=agency, role=Role.CASE_WORKER)
    have = Person.objects.filter(owner_agency=agency).count()
    if have != count:
        if have:
            print(f"Removing {have} persons of an earlier run …", file=sys.stderr)
            Person.objects.filter(owner_agency=agency).delete()
        print(f"Generating {count} persons (seed {seed}) …", file=sys.stderr)
        generate(count=count, seed=seed, agency=agency)
    else:
        print(f"Reusing the {have} generated persons.", file=sys.stderr)
    return agency, user


def timed(call: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median milliseconds of ``runs`` calls after one warm-up, and the last result."""
    result = call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def search_plan(user: User, query: str) -> str:
    filterset = selectors.person_filterset(user=user, data={"q": query})
    sql, params = filterset.qs.order_by("-pk")[:26].query.sql_with_params()
    with connection.cursor() as cursor:
        prefix = "EXPLAIN (ANALYZE, COSTS OFF)" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
        cursor.execute(f"{prefix} {sql}", params)
        return "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall())


SEARCHES = ("Muhriddin", "Мухриддин", "مخرالدين", "Zareena Rakhimova", "Djamshed", "Khurs", "Bakhtiyor", "Zz")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--plan", action="store_true", help="print the query plan of the first search")
    args = parser.parse_args(argv)

    _agency, user = ensure_data(count=args.persons, seed=args.seed)
    settings_db = connection.settings_dict
    print(
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; "
        f"database: {connection.vendor} {settings_db.get('NAME')}"
    )
    print(
        f"Data: {Person.objects.count()} persons, {PersonName.objects.count()} names, "
        f"{NameKey.objects.count()} name keys; median of {args.runs} runs after a warm-up\n"
    )

    print(f"{'selector: page of 25 + count':<40} {'ms':>8} {'found':>8}")
    for query in ("", *SEARCHES):

        def page(query: str = query) -> Any:
            _filters, result = selectors.person_list_page(user=user, data={"q": query} if query else {}, size=25)
            return result

        ms, result = timed(page, args.runs)
        found = f"{'>' if result.total_is_capped else ''}{result.total}"
        print(f"  {query or '(no search: first page)':<38} {ms:>8.1f} {found:>8}")

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    print(f"\n{'whole page (GET /persons/)':<40} {'ms':>8} {'status':>8}")
    for query in ("", "Muhriddin", "Мухриддин"):

        def get(query: str = query) -> Any:
            return client.get("/persons/", {"q": query} if query else {})

        ms, response = timed(get, args.runs)
        print(f"  {query or '(no search: first page)':<38} {ms:>8.1f} {response.status_code:>8}")

    if args.plan:
        print(f"\nQuery plan of the search for {SEARCHES[0]!r}:\n{search_plan(user, SEARCHES[0])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
