"""The seeds' scenario: a reproducible plan, loaded through the services, reproducing every figure
of the product brief's table (computed back from the database by ``manage.py figures --json``)."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

from homecoming.cases.choices import CaseStage
from homecoming.cases.models import Case
from homecoming.operations.models import Negotiation, Operation
from homecoming.registry.choices import NameKind, NameScript
from homecoming.registry.models import Person, PersonName
from homecoming.reports import figures
from homecoming.reports.choices import FigureMeasure
from homecoming.reports.models import ReportedFigure
from homecoming.reports.selectors import reported_figure_comparisons
from homecoming.scenario import loader
from homecoming.scenario import population as pop
from homecoming.scenario.models import ScenarioLoad


def _fingerprint(plan: pop.Plan) -> list[tuple[str, str, dt.date, tuple[str, ...]]]:
    return [(p.key, p.sex, p.birth_date, tuple(name.full_name for name in p.names)) for p in plan.persons()]


# --- the plan (no database) ---------------------------------------------------------------------------


def test_same_seed_same_people():
    assert _fingerprint(pop.plan_population(7)) == _fingerprint(pop.plan_population(7))


def test_another_seed_other_people():
    first, second = pop.plan_population(7), pop.plan_population(8)
    assert [p.primary.full_name for p in first.persons()] != [p.primary.full_name for p in second.persons()]
    # ... but the same figures: the plan checks them itself.
    assert len(first.persons()) == len(second.persons())


@pytest.mark.parametrize("seed", [1, 2, 3, pop.DEFAULT_SEED])
def test_every_seed_gives_the_figures_of_the_table(seed):
    plan = pop.plan_population(seed)  # check_plan raises if a figure is off
    iraq = plan.children(pop.IRAQ)
    assert len(iraq) == 95
    assert sum(1 for c in iraq if c.travels) == 84
    assert len([f for f in plan.families if f.group == pop.SYRIA_2022]) == 42
    assert len([f for f in plan.families if f.group == pop.SYRIA_2023]) == 31


def test_names_are_spelled_in_several_scripts():
    plan = pop.plan_population()
    mother = plan.families[0].mother
    assert mother is not None
    scripts = {name.kind for name in mother.names}
    assert NameKind.PRIMARY in scripts
    assert NameKind.FOREIGN_LIST in scripts
    primary, latin = mother.names[0].full_name, mother.names[1].full_name
    assert any("\u0400" <= ch <= "\u04ff" for ch in primary)  # Tajik Cyrillic
    assert latin.isascii() or "'" in latin
    assert any("\u0600" <= ch <= "\u06ff" for name in mother.names for ch in name.full_name)  # the Iraqi list


def test_nobody_is_counted_twice_and_ages_fit():
    plan = pop.plan_population()
    keys = [p.key for p in plan.persons()]
    assert len(keys) == len(set(keys))
    for family in plan.families:
        for child in family.children:
            assert child.is_child
            assert child.held_since >= child.birth_date


# --- the load (database) --------------------------------------------------------------------------------


def _figures_json() -> dict[str, Any]:
    out = io.StringIO()
    call_command("figures", "--json", stdout=out)
    return json.loads(out.getvalue())


def _operation(doc: dict[str, Any], date: str) -> dict[str, Any]:
    [found] = [op for op in doc["operations"] if op["date"] == date]
    return found


@pytest.mark.slow
@pytest.mark.django_db
def test_load_reproduces_every_figure_of_the_table():
    out = io.StringIO()
    call_command("scenario", "load", "seeds", stdout=out)
    assert "scenario loaded" in out.getvalue()
    assert "registered 420/420 persons" in out.getvalue()

    doc = _figures_json()
    # Russia's own operation from Iraq, recorded by another state's agency.
    russia = _operation(doc, "2019-02-10")
    assert (russia["origin_country"], russia["destination_country"]) == ("IRQ", "RUS")
    assert russia["returned_children"] == 27
    assert Operation.objects.get(actual_end=dt.date(2019, 2, 10)).owner_agency.code == "rus-mfa"
    # Baghdad -> Dushanbe, 30 April 2019, FlyErbil: 84 children, USD 400 each paid to Iraq.
    iraq = _operation(doc, "2019-04-30")
    assert (iraq["origin_country"], iraq["destination_country"]) == ("IRQ", "TJK")
    assert (iraq["returned_children"], iraq["returned_women"]) == (84, 0)
    assert iraq["fees"] == [{"currency": "USD", "total": 33600}]
    operation = Operation.objects.get(actual_end=dt.date(2019, 4, 30))
    assert operation.legs.get().carrier == "FlyErbil"
    assert {f.amount for f in operation.fees.all()} == {Decimal(400)}
    # North-east Syria, 25 July 2022: 42 women and 104 children, released by its administration.
    syria = _operation(doc, "2022-07-25")
    assert (syria["returned_women"], syria["returned_children"]) == (42, 104)
    assert "North and East Syria" in Operation.objects.get(actual_end=dt.date(2022, 7, 25)).released_by
    # Syria, 21 May 2023: 31 women and 73 children; a mother and four children handed over to Kazakhstan.
    may = _operation(doc, "2023-05-21")
    assert (may["returned_women"], may["returned_children"]) == (31, 73)
    assert may["handed_over"] == [{"country": "KAZ", "women": 1, "children": 4}]
    # Still in Iraq: the 43 mothers and 11 children.
    assert doc["remaining"] == [{"country": "IRQ", "children": 11, "women": 43}]
    # 92 assessed in February 2019, 75 eligible; the April round brings it to 84 of 95.
    months = {row["date"]: row for row in doc["assessments"]}
    assert (months["2019-02"]["assessed_children"], months["2019-02"]["eligible_children"]) == (92, 75)
    assert months["2019-02"]["eligible_children"] + months["2019-04"]["eligible_children"] == 84
    assert figures.eligible_children_on(on=dt.date(2019, 4, 30), origins=["IRQ"]) == 84
    held = figures.by_country(figures.figure_held(on=dt.date(2019, 4, 30), origins=["IRQ"]))["IRQ"]
    assert (held.women, held.children) == (43, 95)
    approved_then_returned = Case.objects.filter(
        person__in=Person.objects.filter(figures.nationals_of("TJK")),
        transitions__to_stage=CaseStage.APPROVED,
        manifest_entries__operation=operation,
    ).distinct()
    assert approved_then_returned.count() == 84
    # The negotiations of March and May 2019.
    assert set(Negotiation.objects.values_list("held_on", flat=True)) >= {dt.date(2019, 3, 12), dt.date(2019, 5, 14)}

    # Reproducible: the names in the database are the plan's.
    plan = pop.plan_population(pop.DEFAULT_SEED)
    loaded = set(PersonName.objects.filter(is_primary=True).values_list("full_name", flat=True))
    assert {p.primary.full_name for p in plan.persons()} <= loaded
    assert PersonName.objects.filter(script=NameScript.ARABIC).exists()

    # The register of reported figures stands beside the records' own.
    comparisons = {
        (c.report.period_label, c.report.measure, c.report.source_name): c
        for c in reported_figure_comparisons(exact=True)
    }
    asia_plus = comparisons[("2019-04-30", FigureMeasure.RETURNED_CHILDREN, "Asia-Plus")]
    assert asia_plus.agrees is True
    khovar = next(c for k, c in comparisons.items() if k[0] == "2019-04-30" and k[2].startswith("Khovar"))
    assert khovar.difference == Decimal(84 - 89)
    assert comparisons[("2019-02-12", FigureMeasure.HELD_CHILDREN, "Rudaw")].agrees is True
    assert ReportedFigure.objects.count() > 0

    # Loading again changes nothing.
    persons = Person.objects.count()
    out = io.StringIO()
    call_command("scenario", "load", "seeds", stdout=out)
    assert "already loaded" in out.getvalue()
    assert Person.objects.count() == persons
    assert ScenarioLoad.objects.count() == 1

    # And the reset takes it out again.
    assert loader.scenario_reset() is True
    assert Person.objects.count() == persons - 420
    assert not Operation.objects.exists()
    assert loader.scenario_reset() is False
