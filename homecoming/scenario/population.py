"""The invented population of the seeds' scenario, planned without touching the database.

``plan_population(seed)`` draws every person (names in several scripts, sex, date of birth,
family, facility, assessments, who travels) from a ``random.Random(seed)``: the same seed gives
the same people. ``homecoming.scenario.loader`` then writes the plan through the services.

The figures the plan must reproduce are the constants below (product brief, "The scenario of
the seeds"); ``check_plan`` verifies them on the plan itself before anything is written.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from homecoming.registry.choices import BirthDatePrecision, NameKind, Sex
from homecoming.scenario import names as n

DEFAULT_SEED = 20190430

# --- the figures of the scenario ------------------------------------------------------------------
IRAQ_MOTHERS = 43
IRAQ_CHILDREN = 95
IRAQ_ASSESSED_FEB = 92
IRAQ_ELIGIBLE_FEB = 75
IRAQ_ELIGIBLE_FEB_UNDER_3 = 31
IRAQ_ELIGIBLE_APRIL_TOTAL = 84
IRAQ_REMAINING_CHILDREN = IRAQ_CHILDREN - IRAQ_ELIGIBLE_APRIL_TOTAL  # 11
IRAQ_NEWBORNS = IRAQ_CHILDREN - IRAQ_ASSESSED_FEB  # born in prison after the February round
RUSSIA_CHILDREN = 27
SYRIA_2022_WOMEN = 42
SYRIA_2022_CHILDREN = 104
SYRIA_2023_WOMEN = 31
SYRIA_2023_CHILDREN = 73
KAZAKH_CHILDREN = 4

# --- the days of the scenario ---------------------------------------------------------------------
IRAQ_ARREST = (dt.date(2017, 7, 10), dt.date(2017, 12, 20))
FEB_ROUND = (dt.date(2019, 2, 3), dt.date(2019, 2, 11))
FM_STATEMENT = dt.date(2019, 2, 12)
APRIL_ROUND = (dt.date(2019, 4, 8), dt.date(2019, 4, 16))
IRAQ_OPERATION = dt.date(2019, 4, 30)
RUSSIA_ROUND = (dt.date(2019, 1, 14), dt.date(2019, 1, 25))
RUSSIA_OPERATION = dt.date(2019, 2, 10)
SYRIA_CAMP_SINCE = (dt.date(2019, 3, 1), dt.date(2019, 4, 30))
SYRIA_2022_ROUND = (dt.date(2022, 6, 6), dt.date(2022, 6, 24))
SYRIA_2022_OPERATION = dt.date(2022, 7, 25)
SYRIA_2023_ROUND = (dt.date(2023, 4, 10), dt.date(2023, 4, 28))
SYRIA_2023_OPERATION = dt.date(2023, 5, 21)

# Groups of the plan (a family belongs to one).
IRAQ, RUSSIA, SYRIA_2022, SYRIA_2023, KAZAKH = "irq", "rus", "syr2022", "syr2023", "kaz"

IRAQI_LIST = "List of the Ministry of Justice of Iraq"
CAMP_LIST = "List of the camp administration (north-east Syria)"
HOME_RECORDS = "Records of the Ministry of Foreign Affairs of Tajikistan"


@dataclass(frozen=True)
class PlannedName:
    full_name: str
    given_name: str
    family_name: str
    kind: str
    source: str


@dataclass
class PlannedPerson:
    key: str
    sex: str
    birth_date: dt.date
    precision: str
    names: list[PlannedName]  # the first is the primary name
    nationality: str  # ISO 3166 alpha-3
    is_child: bool
    held_since: dt.date
    # assessments: (day, eligible) in order
    assessments: list[tuple[dt.date, bool]] = field(default_factory=list)
    travels: bool = False  # on the group's operation
    handed_over_to: str = ""  # a third state, during the operation

    @property
    def primary(self) -> PlannedName:
        return self.names[0]

    @property
    def eligible(self) -> bool:
        return bool(self.assessments) and self.assessments[-1][1]


@dataclass
class PlannedFamily:
    key: str
    group: str
    facility: str  # a key of FACILITIES
    mother: PlannedPerson | None
    children: list[PlannedPerson]
    label: str  # how the family is called on a manifest (after the mother, or the children's name)

    @property
    def members(self) -> list[PlannedPerson]:
        return ([self.mother] if self.mother else []) + self.children


@dataclass
class Plan:
    seed: int
    families: list[PlannedFamily]

    def persons(self, group: str | None = None) -> list[PlannedPerson]:
        return [p for f in self.families if group is None or f.group == group for p in f.members]

    def children(self, group: str) -> list[PlannedPerson]:
        return [c for f in self.families if f.group == group for c in f.children]


def _day(rng: random.Random, span: tuple[dt.date, dt.date]) -> dt.date:
    start, end = span
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _split(total: int, parts: int, rng: random.Random, most: int = 5) -> list[int]:
    """``total`` children among ``parts`` mothers, each at least one and at most ``most``."""
    sizes = [1] * parts
    for _ in range(total - parts):
        candidates = [i for i, size in enumerate(sizes) if size < most]
        sizes[rng.choice(candidates)] += 1
    return sizes


def _precision(rng: random.Random, is_child: bool) -> str:
    roll = rng.random()
    if is_child and roll < 0.25:
        return BirthDatePrecision.YEAR
    if roll < 0.45:
        return BirthDatePrecision.MONTH
    return BirthDatePrecision.EXACT


def _birth(rng: random.Random, span: tuple[dt.date, dt.date], precision: str) -> dt.date:
    day = _day(rng, span)
    if precision == BirthDatePrecision.YEAR:
        return dt.date(day.year, 1, 1)
    if precision == BirthDatePrecision.MONTH:
        return day.replace(day=1)
    return day


class _Names:
    """Draws given names without repeating a full name."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def tajik_given(self, sex: str, young: bool) -> tuple[str, str]:
        listed = n.forenames("TJ", sex)
        if young and listed and self.rng.random() < 0.3:
            name = self.rng.choice(listed)
            return name.written, name.latin
        return self.rng.choice(n.TAJIK_FEMALE if sex == Sex.FEMALE else n.TAJIK_MALE)

    def unique(self, make: Callable[[], tuple[str, str]]) -> tuple[str, str]:
        """A name from ``make`` not drawn before (after 50 tries, whatever comes)."""
        drawn = make()
        for _ in range(50):
            if drawn[0] not in self.used:
                break
            drawn = make()
        self.used.add(drawn[0])
        return drawn


def _tajik_names(given: str, family: str, where: str, rng: random.Random) -> list[PlannedName]:
    full = f"{given} {family}"
    names = [
        PlannedName(full, given, family, NameKind.PRIMARY, HOME_RECORDS),
        PlannedName(n.tajik_latin(full), n.tajik_latin(given), n.tajik_latin(family), NameKind.TRANSLITERATION, ""),
    ]
    passport = n.russian_passport(full)
    if passport != names[1].full_name:
        names.append(
            PlannedName(
                passport, n.russian_passport(given), n.russian_passport(family), NameKind.TRANSLITERATION, "passport"
            )
        )
    latin_given, latin_family = n.ad_hoc_latin(given, rng), n.ad_hoc_latin(family, rng)
    listed = f"{latin_family.upper()} {latin_given}" if rng.random() < 0.5 else f"{latin_given} {latin_family}"
    source = IRAQI_LIST if where == "IRQ" else CAMP_LIST
    names.append(PlannedName(listed, latin_given, latin_family, NameKind.FOREIGN_LIST, source))
    if where == "IRQ":
        a_given, a_family = n.arabic(given, rng), n.arabic(family, rng)
        names.append(PlannedName(f"{a_given} {a_family}", a_given, a_family, NameKind.FOREIGN_LIST, IRAQI_LIST))
    seen: set[str] = set()
    unique = []
    for name in names:
        if name.full_name not in seen:
            seen.add(name.full_name)
            unique.append(name)
    return unique


def _listed_names(
    given: n.ListedName, family: str, family_latin: str, where: str, rng: random.Random
) -> list[PlannedName]:
    full = f"{given.written} {family}"
    names = [
        PlannedName(full, given.written, family, NameKind.PRIMARY, ""),
        PlannedName(f"{given.latin} {family_latin}", given.latin, family_latin, NameKind.TRANSLITERATION, "passport"),
    ]
    if where == "IRQ":
        a_given, a_family = n.arabic(given.written, rng), n.arabic(family, rng)
        names.append(PlannedName(f"{a_given} {a_family}", a_given, a_family, NameKind.FOREIGN_LIST, IRAQI_LIST))
    else:
        listed = f"{family_latin.upper()} {given.latin}"
        names.append(PlannedName(listed, given.latin, family_latin, NameKind.FOREIGN_LIST, CAMP_LIST))
    return names


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _tajik_family(
    *,
    key: str,
    group: str,
    facility: str,
    where: str,
    size: int,
    child_births: list[tuple[dt.date, dt.date]],
    held_since: dt.date,
    rng: random.Random,
    drawn: _Names,
) -> PlannedFamily:
    mother_given, _latin = drawn.unique(lambda: drawn.tajik_given(Sex.FEMALE, young=False))
    her_father = rng.choice(n.TAJIK_MALE)[0]
    mother_family = n.patronymic_family_name(her_father, zoda=rng.random() < 0.3, female=True)
    mother_precision = _precision(rng, is_child=False)
    latest_child = min(span[0] for span in child_births)
    mother_birth = _birth(
        rng, (dt.date(1979, 1, 1), min(dt.date(1998, 12, 31), _years_before(latest_child, 17))), mother_precision
    )
    mother = PlannedPerson(
        key=f"{key}-m",
        sex=Sex.FEMALE,
        birth_date=mother_birth,
        precision=mother_precision,
        names=_tajik_names(mother_given, mother_family, where, rng),
        nationality="TJK",
        is_child=False,
        held_since=held_since,
    )
    father = rng.choice(n.TAJIK_MALE)[0]
    zoda = rng.random() < 0.35
    children = []
    for index in range(size):
        sex = rng.choice((Sex.FEMALE, Sex.MALE))
        span = child_births[index]
        precision = _precision(rng, is_child=True)
        birth = _birth(rng, span, precision)
        if birth < span[0]:  # a year or month precision moved it before the span
            birth, precision = span[0], BirthDatePrecision.EXACT
        given, _latin = drawn.unique(partial(drawn.tajik_given, sex, young=birth.year >= 2014))
        family = n.patronymic_family_name(father, zoda=zoda, female=sex == Sex.FEMALE)
        children.append(
            PlannedPerson(
                key=f"{key}-c{index + 1}",
                sex=sex,
                birth_date=birth,
                precision=precision,
                names=_tajik_names(given, family, where, rng),
                nationality="TJK",
                is_child=True,
                held_since=max(held_since, birth),
            )
        )
    return PlannedFamily(key, group, facility, mother, children, label=mother.primary.full_name)


def _iraq(rng: random.Random, drawn: _Names) -> list[PlannedFamily]:
    sizes = _split(IRAQ_ASSESSED_FEB, IRAQ_MOTHERS, rng, most=4)
    # Who is who among the 92 children known in February: the order of a shuffled list decides.
    roles = (
        ["under3"] * IRAQ_ELIGIBLE_FEB_UNDER_3
        + ["eligible"] * (IRAQ_ELIGIBLE_FEB - IRAQ_ELIGIBLE_FEB_UNDER_3)
        + ["later"] * (IRAQ_ELIGIBLE_APRIL_TOTAL - IRAQ_ELIGIBLE_FEB)
        + ["stays"] * (IRAQ_REMAINING_CHILDREN - IRAQ_NEWBORNS)
    )
    rng.shuffle(roles)
    births = {
        "under3": (dt.date(2016, 3, 1), dt.date(2018, 12, 31)),
        "eligible": (dt.date(2005, 9, 1), dt.date(2016, 1, 31)),
        "later": (dt.date(2006, 1, 1), dt.date(2016, 1, 31)),
        "stays": (dt.date(2014, 2, 1), dt.date(2016, 1, 31)),
        "newborn": (dt.date(2019, 2, 20), dt.date(2019, 4, 5)),
    }
    newborn_mothers = set(rng.sample(range(IRAQ_MOTHERS), IRAQ_NEWBORNS))
    families = []
    position = 0
    for index, size in enumerate(sizes):
        family_roles = roles[position : position + size]
        position += size
        if index in newborn_mothers:
            family_roles.append("newborn")
        # The elder children first: a family reads naturally, and a newborn comes last.
        order = {"eligible": 0, "later": 1, "stays": 2, "under3": 3, "newborn": 4}
        family_roles.sort(key=lambda r: order[r])
        arrested = _day(rng, IRAQ_ARREST)
        family = _tajik_family(
            key=f"irq{index + 1:02d}",
            group=IRAQ,
            facility="rusafa",
            where="IRQ",
            size=len(family_roles),
            child_births=[births[r] for r in family_roles],
            held_since=arrested,
            rng=rng,
            drawn=drawn,
        )
        for child, role in zip(family.children, family_roles, strict=True):
            if role != "newborn":
                eligible = role in ("under3", "eligible")
                child.assessments.append((_day(rng, FEB_ROUND), eligible))
                if not eligible:
                    child.assessments.append((_day(rng, APRIL_ROUND), role == "later"))
            else:
                child.assessments.append((_day(rng, APRIL_ROUND), False))
            child.travels = child.eligible
        families.append(family)
    return families


def _syria(
    rng: random.Random,
    drawn: _Names,
    *,
    group: str,
    women: int,
    children: int,
    births_until: dt.date,
    round_: tuple[dt.date, dt.date],
) -> list[PlannedFamily]:
    sizes = _split(children, women, rng, most=5)
    families = []
    for index, size in enumerate(sizes):
        held = _day(rng, SYRIA_CAMP_SINCE)
        spans = [(dt.date(2007, 1, 1), births_until)] * size
        family = _tajik_family(
            key=f"{group}-{index + 1:02d}",
            group=group,
            facility=rng.choice(("al-hol", "al-hol", "roj")),
            where="SYR",
            size=size,
            child_births=spans,
            held_since=held,
            rng=rng,
            drawn=drawn,
        )
        for person in family.members:
            person.assessments.append((_day(rng, round_), True))
            person.travels = True
        families.append(family)
    return families


def _russia(rng: random.Random) -> list[PlannedFamily]:
    """27 children of Russian mothers held in Iraq, aged 4 to 13, in sibling groups."""
    families = []
    remaining = RUSSIA_CHILDREN
    index = 0
    used: set[str] = set()
    while remaining:
        size = min(remaining, rng.choice((1, 1, 2, 2, 3)))
        remaining -= size
        index += 1
        family = rng.choice(n.surnames("RU"))
        while family.written in used:
            family = rng.choice(n.surnames("RU"))
        used.add(family.written)
        held = _day(rng, IRAQ_ARREST)
        kids = []
        siblings: set[str] = set()
        for child in range(size):
            sex = rng.choice((Sex.FEMALE, Sex.MALE))
            given = rng.choice(n.forenames("RU", sex))
            while given.written in siblings:
                given = rng.choice(n.forenames("RU", sex))
            siblings.add(given.written)
            female = sex == Sex.FEMALE
            written = n._female_form(family.written) if female else family.written
            latin = n.female_latin(family.latin) if female else family.latin
            birth = _day(rng, (dt.date(2005, 3, 1), dt.date(2014, 12, 31)))
            person = PlannedPerson(
                key=f"rus{index:02d}-c{child + 1}",
                sex=sex,
                birth_date=birth,
                precision=BirthDatePrecision.EXACT,
                names=_listed_names(given, written, latin, "IRQ", rng),
                nationality="RUS",
                is_child=True,
                held_since=max(held, birth),
                assessments=[(_day(rng, RUSSIA_ROUND), True)],
                travels=True,
            )
            kids.append(person)
        families.append(PlannedFamily(f"rus{index:02d}", RUSSIA, "rusafa", None, kids, label=family.written))
    return families


def _kazakh(rng: random.Random) -> PlannedFamily:
    """A Kazakh mother and her four children, travelling with the 2023 flight and handed over."""
    family = rng.choice(n.surnames("KZ"))
    held = _day(rng, SYRIA_CAMP_SINCE)
    mother_given = rng.choice(n.forenames("KZ", Sex.FEMALE))
    mother = PlannedPerson(
        key="kaz-m",
        sex=Sex.FEMALE,
        birth_date=_day(rng, (dt.date(1986, 1, 1), dt.date(1995, 12, 31))),
        precision=BirthDatePrecision.EXACT,
        names=_listed_names(mother_given, n._female_form(family.written), n.female_latin(family.latin), "SYR", rng),
        nationality="KAZ",
        is_child=False,
        held_since=held,
        assessments=[(_day(rng, SYRIA_2023_ROUND), True)],
        travels=True,
        handed_over_to="KAZ",
    )
    children = []
    birth = _day(rng, (dt.date(2012, 1, 1), dt.date(2013, 12, 31)))
    given_names: set[str] = set()
    for index in range(KAZAKH_CHILDREN):
        sex = rng.choice((Sex.FEMALE, Sex.MALE))
        female = sex == Sex.FEMALE
        birth += dt.timedelta(days=rng.randint(400, 800))
        given = rng.choice(n.forenames("KZ", sex))
        while given.written in given_names:
            given = rng.choice(n.forenames("KZ", sex))
        given_names.add(given.written)
        children.append(
            PlannedPerson(
                key=f"kaz-c{index + 1}",
                sex=sex,
                birth_date=birth,
                precision=BirthDatePrecision.EXACT,
                names=_listed_names(
                    given,
                    n._female_form(family.written) if female else family.written,
                    n.female_latin(family.latin) if female else family.latin,
                    "SYR",
                    rng,
                ),
                nationality="KAZ",
                is_child=True,
                held_since=max(held, birth),
                assessments=[(_day(rng, SYRIA_2023_ROUND), True)],
                travels=True,
                handed_over_to="KAZ",
            )
        )
    return PlannedFamily("kaz", KAZAKH, "roj", mother, children, label=mother.primary.full_name)


def plan_population(seed: int = DEFAULT_SEED) -> Plan:
    """The whole invented population of the scenario, drawn from ``seed``."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible draw of invented people, not a secret
    drawn = _Names(rng)
    families = _iraq(rng, drawn)
    families += _russia(rng)
    families += _syria(
        rng,
        drawn,
        group=SYRIA_2022,
        women=SYRIA_2022_WOMEN,
        children=SYRIA_2022_CHILDREN,
        births_until=dt.date(2022, 3, 31),
        round_=SYRIA_2022_ROUND,
    )
    families += _syria(
        rng,
        drawn,
        group=SYRIA_2023,
        women=SYRIA_2023_WOMEN,
        children=SYRIA_2023_CHILDREN,
        births_until=dt.date(2023, 1, 31),
        round_=SYRIA_2023_ROUND,
    )
    families.append(_kazakh(rng))
    plan = Plan(seed=seed, families=families)
    check_plan(plan)
    return plan


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def check_plan(plan: Plan) -> None:
    """Raise AssertionError if the plan does not have the scenario's figures (a bug in the draw)."""
    iraq = plan.children(IRAQ)
    feb = [c for c in iraq if c.assessments and c.assessments[0][0] <= FM_STATEMENT]
    checks = {
        "iraq mothers": (len([f for f in plan.families if f.group == IRAQ]), IRAQ_MOTHERS),
        "iraq children": (len(iraq), IRAQ_CHILDREN),
        "assessed in february": (len(feb), IRAQ_ASSESSED_FEB),
        "eligible in february": (sum(1 for c in feb if c.assessments[0][1]), IRAQ_ELIGIBLE_FEB),
        "eligible under 3": (
            sum(1 for c in feb if c.assessments[0][1] and _age(c.birth_date, FM_STATEMENT) < 3),
            IRAQ_ELIGIBLE_FEB_UNDER_3,
        ),
        "eligible in april": (sum(1 for c in iraq if c.eligible), IRAQ_ELIGIBLE_APRIL_TOTAL),
        "held in february": (sum(1 for c in iraq if c.held_since <= FM_STATEMENT), IRAQ_ASSESSED_FEB),
        "russian children": (len(plan.children(RUSSIA)), RUSSIA_CHILDREN),
        "syria 2022 children": (len(plan.children(SYRIA_2022)), SYRIA_2022_CHILDREN),
        "syria 2023 children": (len(plan.children(SYRIA_2023)), SYRIA_2023_CHILDREN),
    }
    wrong = {name: got for name, (got, want) in checks.items() if got != want}
    assert not wrong, f"the scenario's plan does not add up: {wrong}"  # noqa: S101
    for family in plan.families:
        for child in family.children:
            on = {IRAQ: IRAQ_OPERATION, RUSSIA: RUSSIA_OPERATION, SYRIA_2022: SYRIA_2022_OPERATION}.get(
                family.group, SYRIA_2023_OPERATION
            )
            assert _age(child.birth_date, on) < 18, child.key  # noqa: S101
            if family.mother is not None:
                assert _age(family.mother.birth_date, child.birth_date) >= 16, child.key  # noqa: S101
        if family.mother is not None:
            assert _age(family.mother.birth_date, SYRIA_2023_OPERATION) >= 18, family.key  # noqa: S101
