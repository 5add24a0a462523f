"""Writes the seeds' scenario (``population.plan_population``) through the real services: persons,
names, nationality claims, custody, family links and groups (registry), cases, assessments,
consents and approvals (cases), negotiations, operations, manifests, fees, handovers and arrivals
(operations), and the register of reported figures (reports). Nothing is written around them, so
the history, the audit trail and every figure are the ones the process itself would leave.

``scenario_load`` runs in one transaction: it loads everything or nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Model, ProtectedError, QuerySet, RestrictedError

from homecoming.accounts.models import Agency, User
from homecoming.cases import services as cases
from homecoming.cases.choices import AssessmentKind, AssessmentOutcome, CaseStage, ConsentGiver, ConsentScope
from homecoming.cases.models import Case
from homecoming.core.demo import demo_load_accounts
from homecoming.operations import services as ops
from homecoming.operations.choices import FeeKind, ManifestStatus, OperationStatus, TransportMode
from homecoming.operations.models import ManifestEntry, Negotiation, Operation
from homecoming.registry import services as registry
from homecoming.registry.choices import CustodyEndReason, FacilityKind, NationalityBasis, Relation
from homecoming.registry.models import Facility, FamilyGroup, Person
from homecoming.reports import services as reports
from homecoming.scenario import population as pop
from homecoming.scenario.models import ScenarioLoad

SEEDS = "seeds"
Progress = Callable[[str], None]

__all__ = ["SEEDS", "AlreadyLoadedError", "scenario_load", "scenario_reset"]


class AlreadyLoadedError(Exception):
    """The scenario is in the database already."""

    def __init__(self, load: ScenarioLoad) -> None:
        super().__init__(f"the scenario “{load.name}” was loaded on {load.loaded_at:%Y-%m-%d %H:%M} (seed {load.seed})")
        self.load = load


@dataclass(frozen=True)
class FacilitySpec:
    name: str
    kind: str
    country: str
    locality: str
    custodian: str


FACILITIES = {
    "rusafa": FacilitySpec(
        "Al-Rusafa prison, women's section", FacilityKind.PRISON, "IRQ", "Baghdad", "Ministry of Justice of Iraq"
    ),
    "al-hol": FacilitySpec(
        "Al-Hol camp",
        FacilityKind.CAMP,
        "SYR",
        "al-Hasakah governorate",
        "Autonomous Administration of North and East Syria",
    ),
    "roj": FacilitySpec(
        "Roj camp", FacilityKind.CAMP, "SYR", "al-Malikiyah", "Autonomous Administration of North and East Syria"
    ),
}

AANES = "Autonomous Administration of North and East Syria"
IRAQ_GOVERNMENT = "Government of the Republic of Iraq"
TJK_MFA = "Ministry of Foreign Affairs of Tajikistan"
FEE_PER_CHILD = Decimal(400)


@dataclass
class _Actors:
    worker: User  # registers and works on the Tajik cases (child protection agency)
    manager: User  # approves them
    consul: User  # runs the Tajik operations (foreign ministry)
    rus_consul: User  # the Russian ministry's officer: its persons, cases, operation
    rus_manager: User
    cpa: Agency
    mfa: Agency
    rus: Agency
    kaz: Agency


@dataclass
class _Load:
    plan: pop.Plan
    actors: _Actors
    progress: Progress
    facilities: dict[str, Facility] = field(default_factory=dict)
    persons: dict[str, Person] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)
    groups: dict[str, FamilyGroup] = field(default_factory=dict)
    ids: dict[str, list[int]] = field(default_factory=dict)

    def created(self, kind: str, pk: int) -> None:
        self.ids.setdefault(kind, []).append(pk)


def _actors() -> _Actors:
    demo_load_accounts()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["caseworker", "manager", "consul", "rus_consul", "rus_manager"])
    }
    agencies = {a.code: a for a in Agency.objects.filter(code__in=["cpa", "mfa", "rus-mfa", "kaz-mfa"])}
    return _Actors(
        worker=users["caseworker"],
        manager=users["manager"],
        consul=users["consul"],
        rus_consul=users["rus_consul"],
        rus_manager=users["rus_manager"],
        cpa=agencies["cpa"],
        mfa=agencies["mfa"],
        rus=agencies["rus-mfa"],
        kaz=agencies["kaz-mfa"],
    )


# --- registry -----------------------------------------------------------------------------------


def _facilities(load: _Load) -> None:
    for key, spec in FACILITIES.items():
        facility = Facility.objects.filter(name=spec.name, country=spec.country).first()
        if facility is None:
            facility = registry.facility_create(
                by=load.actors.consul,
                name=spec.name,
                kind=spec.kind,
                country=spec.country,
                locality=spec.locality,
                custodian_authority=spec.custodian,
            )
            load.created("facilities", facility.pk)
        load.facilities[key] = facility


def _operation_day(group: str) -> dt.date:
    return {
        pop.IRAQ: pop.IRAQ_OPERATION,
        pop.RUSSIA: pop.RUSSIA_OPERATION,
        pop.SYRIA_2022: pop.SYRIA_2022_OPERATION,
        pop.SYRIA_2023: pop.SYRIA_2023_OPERATION,
        pop.KAZAKH: pop.SYRIA_2023_OPERATION,
    }[group]


def _owner(load: _Load, family: pop.PlannedFamily) -> tuple[Agency, User, User]:
    """The owner agency of the family's records, its worker and its manager."""
    a = load.actors
    if family.group == pop.RUSSIA:
        return a.rus, a.rus_consul, a.rus_manager
    return a.cpa, a.worker, a.manager


def _register(load: _Load, family: pop.PlannedFamily, index: int) -> None:
    agency, worker, _manager = _owner(load, family)
    facility = load.facilities[family.facility]
    for planned in family.members:
        primary, *others = planned.names
        person = registry.person_create(
            by=worker,
            owner_agency=agency,
            name=registry.NameInput(
                full_name=primary.full_name,
                given_name=primary.given_name,
                family_name=primary.family_name,
                kind=primary.kind,
                source=primary.source,
            ),
            sex=planned.sex,
            birth_date=planned.birth_date,
            birth_date_precision=planned.precision,
            birth_country=(facility.country if planned.held_since == planned.birth_date else ""),
            other_names=[
                registry.NameInput(
                    full_name=o.full_name,
                    given_name=o.given_name,
                    family_name=o.family_name,
                    kind=o.kind,
                    source=o.source,
                )
                for o in others
            ],
        )
        load.persons[planned.key] = person
        load.created("persons", person.pk)
        registry.nationality_claim_add(
            person=person,
            by=worker,
            country=planned.nationality,
            basis=NationalityBasis.DESCENT if planned.is_child else NationalityBasis.STATEMENT,
            statement=(
                "Child of a national, according to the mother and the foreign authority's list."
                if planned.is_child
                else "Says she is a national; the foreign authority's list gives the same nationality."
            ),
        )
        legal: dict[str, Any] = {}
        if not planned.is_child and family.group == pop.IRAQ:
            life = (index % 4) == 0
            legal = {
                "charge": "Membership of a terrorist organisation (Anti-Terrorism Law of 2005, article 4)",
                "sentence": "life imprisonment" if life else "20 years' imprisonment",
                "life_sentence": life,
                "sentence_months": None if life else 240,
                "court": "Central Criminal Court of Iraq, Baghdad",
                "sentenced_on": planned.held_since + dt.timedelta(days=150),
            }
        leaves = planned.travels
        until = _operation_day(family.group) if leaves else None
        end_reason = ""
        if leaves:
            end_reason = CustodyEndReason.HANDED_OVER if planned.handed_over_to else CustodyEndReason.REPATRIATED
        registry.custody_create(
            person=person,
            by=worker,
            facility=facility,
            since=planned.held_since,
            until=until,
            end_reason=end_reason,
            **legal,
        )
    if family.mother is not None:
        mother = load.persons[family.mother.key]
        for child in family.children:
            registry.family_link_add(
                person=load.persons[child.key],
                relative=mother,
                relation=Relation.MOTHER,
                by=worker,
                source=IRAQ_LIST_SOURCE if family.facility == "rusafa" else pop.CAMP_LIST,
            )
    if len(family.members) >= 2:
        group = registry.family_group_create(
            by=worker,
            name=family.label,
            owner_agency=agency,
            members=[load.persons[p.key] for p in family.members],
        )
        load.groups[family.key] = group
        load.created("family_groups", group.pk)


IRAQ_LIST_SOURCE = pop.IRAQI_LIST


# --- cases --------------------------------------------------------------------------------------


def _assess(case: Case, by: User, day: dt.date, eligible: bool, is_child: bool, round_label: str) -> None:
    if eligible:
        reasons = (
            "In good health for travel; relatives at home are ready to receive the child; return is in the "
            "child's best interests."
            if is_child
            else "Fit to travel; identity and nationality consistent across the lists; return agreed."
        )
    else:
        reasons = (
            "Not to be separated from the mother yet (infant, breastfed); to be assessed again in the next round."
            if is_child
            else "Not eligible in this round."
        )
    cases.assessment_record(
        case=case,
        by=by,
        kind=AssessmentKind.BEST_INTERESTS if is_child else AssessmentKind.ELIGIBILITY,
        assessed_on=day,
        outcome=AssessmentOutcome.ELIGIBLE if eligible else AssessmentOutcome.NOT_ELIGIBLE,
        reasons=reasons,
        recommendations="Medical check-up, vaccinations and psychosocial support on arrival." if eligible else "",
        assessor=by,
        assessor_role="social worker" if is_child else "consular officer",
        round_label=f"{day:%B %Y}",
    )


def _consent(load: _Load, family: pop.PlannedFamily, planned: pop.PlannedPerson, case: Case, by: User) -> None:
    day = planned.assessments[-1][0] + dt.timedelta(days=3 + (case.pk % 9))
    if not planned.is_child:
        cases.consent_record(
            case=case,
            by=by,
            given_by_relation=ConsentGiver.SELF,
            scopes=[ConsentScope.REPATRIATION, ConsentScope.SERVICES],
            given_on=day,
            witness_name="Consular officer (scenario)",
            interpreter_name="",
            language="Tajik" if planned.nationality == "TJK" else "Russian",
        )
        return
    mother = load.persons[family.mother.key] if family.mother is not None else None
    cases.consent_record(
        case=case,
        by=by,
        given_by_relation=ConsentGiver.MOTHER,
        given_by_person=mother,
        given_by_name="" if mother is not None else "The child's mother, held in Iraq",
        scopes=[ConsentScope.REPATRIATION, ConsentScope.SERVICES],
        given_on=day,
        witness_name="Consular officer (scenario)",
        interpreter_name="Interpreter (scenario)" if family.facility == "rusafa" else "",
        language="Russian" if family.group == pop.RUSSIA else "Tajik",
    )


def _work_case(load: _Load, family: pop.PlannedFamily, planned: pop.PlannedPerson) -> None:
    agency, worker, manager = _owner(load, family)
    person = load.persons[planned.key]
    case = cases.case_open(
        person=person,
        owner_agency=agency,
        by=worker,
        assigned_to=worker,
        summary="Scenario of the seeds: invented person.",
    )
    load.cases[planned.key] = case
    cases.case_transition(
        case=case, to_stage=CaseStage.VERIFIED, by=worker, reason="Identity and nationality checked against the list."
    )
    if not planned.assessments:  # a mother serving her sentence
        cases.case_transition(
            case=case,
            to_stage=CaseStage.ON_HOLD,
            by=worker,
            reason="Serving a sentence abroad; talks with the detaining authority continue.",
        )
        return
    for day, eligible in planned.assessments:
        _assess(case, worker, day, eligible, planned.is_child, f"{day:%B %Y}")
        if eligible:
            cases.case_transition(
                case=case, to_stage=CaseStage.ASSESSED, by=worker, reason="Assessed eligible for return."
            )
        elif case.stage != CaseStage.NOT_ELIGIBLE:
            cases.case_transition(
                case=case, to_stage=CaseStage.NOT_ELIGIBLE, by=worker, reason="Not eligible in this round."
            )
    if not planned.eligible:
        return
    _consent(load, family, planned, case, worker)
    cases.case_transition(
        case=case, to_stage=CaseStage.CONSENTED, by=worker, reason="Consent to repatriation signed and witnessed."
    )
    request = cases.approval_request(
        case=case, to_stage=CaseStage.APPROVED, by=worker, reason="Assessed eligible and consented: ready to travel."
    )
    cases.approval_decide(request=request, by=manager, approve=True, note="Checked and agreed.")


# --- operations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OperationSpec:
    groups: tuple[str, ...]
    name: str
    origin_country: str
    origin_place: str
    destination_country: str
    destination_place: str
    released_by: str
    day: dt.date
    carrier: str
    number: str
    departure: tuple[int, int]  # UTC hour, minute
    arrival: tuple[int, int]
    facilities: tuple[str, ...]
    escorts: str
    notes: str = ""


OPERATIONS = (
    OperationSpec(
        groups=(pop.RUSSIA,),
        name="Baghdad → Moscow, February 2019",
        origin_country="IRQ",
        origin_place="Baghdad",
        destination_country="RUS",
        destination_place="Moscow",
        released_by=IRAQ_GOVERNMENT,
        day=pop.RUSSIA_OPERATION,
        carrier="Special flight of the Russian government",
        number="RSD-0210",
        departure=(6, 30),
        arrival=(11, 45),
        facilities=("rusafa",),
        escorts="Officer of the Russian embassy in Baghdad\nPaediatrician",
        notes="Russia's own operation, recorded by its ministry (another state's agency in the system).",
    ),
    OperationSpec(
        groups=(pop.IRAQ,),
        name="Baghdad → Dushanbe, April 2019",
        origin_country="IRQ",
        origin_place="Baghdad",
        destination_country="TJK",
        destination_place="Dushanbe",
        released_by=IRAQ_GOVERNMENT,
        day=pop.IRAQ_OPERATION,
        carrier="FlyErbil",
        number="FE-2019-0430",
        departure=(12, 0),
        arrival=(17, 40),
        facilities=("rusafa",),
        escorts="Ambassador of Tajikistan to Iraq and Kuwait\nTwo consular officers\nPaediatrician\nTwo nurses",
        notes="Special flight. The mothers stay in prison in Iraq; talks on the 11 remaining children go on.",
    ),
    OperationSpec(
        groups=(pop.SYRIA_2022,),
        name="Qamishli → Dushanbe, July 2022",
        origin_country="SYR",
        origin_place="Qamishli",
        destination_country="TJK",
        destination_place="Dushanbe",
        released_by=AANES,
        day=pop.SYRIA_2022_OPERATION,
        carrier="Cham Wings",
        number="6Q-2022-0725",
        departure=(5, 0),
        arrival=(11, 20),
        facilities=("al-hol", "roj"),
        escorts="Consular officers of the Ministry of Foreign Affairs\nDoctors of the Ministry of Health",
        notes="The first repatriation from the camps of north-east Syria; handed over by its administration.",
    ),
    OperationSpec(
        groups=(pop.SYRIA_2023, pop.KAZAKH),
        name="Qamishli → Dushanbe, May 2023",
        origin_country="SYR",
        origin_place="Qamishli",
        destination_country="TJK",
        destination_place="Dushanbe",
        released_by=AANES,
        day=pop.SYRIA_2023_OPERATION,
        carrier="Cham Wings",
        number="6Q-2023-0521",
        departure=(4, 30),
        arrival=(10, 50),
        facilities=("al-hol", "roj"),
        escorts="Consular officers of the Ministry of Foreign Affairs\nDoctors of the Ministry of Health",
        notes="Five citizens of Kazakhstan travel with the group, at Kazakhstan's request.",
    ),
)


def _at(day: dt.date, hour_minute: tuple[int, int]) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, *hour_minute, tzinfo=dt.UTC)


def _operation(load: _Load, spec: OperationSpec) -> Operation:
    a = load.actors
    russian = spec.groups == (pop.RUSSIA,)
    by = a.rus_consul if russian else a.consul
    partners = [] if russian else [a.cpa] + ([a.kaz] if pop.KAZAKH in spec.groups else [])
    operation = ops.operation_create(
        by=by,
        owner_agency=a.rus if russian else a.mfa,
        name=spec.name,
        origin_country=spec.origin_country,
        destination_country=spec.destination_country,
        origin_place=spec.origin_place,
        destination_place=spec.destination_place,
        released_by=spec.released_by,
        planned_start=spec.day,
        planned_end=spec.day,
        origin_facilities=[load.facilities[f] for f in spec.facilities],
        partner_agencies=partners,
        escorts=spec.escorts,
        notes=spec.notes,
    )
    load.created("operations", operation.pk)
    ops.leg_add(
        operation=operation,
        by=by,
        mode=TransportMode.CHARTER_FLIGHT,
        carrier=spec.carrier,
        number=spec.number,
        from_place=spec.origin_place,
        from_country=spec.origin_country,
        to_place=spec.destination_place,
        to_country=spec.destination_country,
        departure_at=_at(spec.day, spec.departure),
        arrival_at=_at(spec.day, spec.arrival),
    )
    operation = ops.operation_set_status(
        operation=operation, to_status=OperationStatus.APPROVED, by=by, reason="Agreed with the detaining authority."
    )
    families = [f for f in load.plan.families if f.group in spec.groups]
    labels = []
    for family in families:
        travelling = [load.cases[p.key] for p in family.members if p.travels]
        if not travelling:
            continue
        label = family.label
        ops.operation_manifest_add(
            operation=operation, cases=travelling, by=by, group_label=label, family_group=load.groups.get(family.key)
        )
        labels.append(label)
    for label in labels:
        ops.manifest_group_set_status(operation=operation, group_label=label, to_status=ManifestStatus.CLEARED, by=by)
        ops.manifest_group_set_status(operation=operation, group_label=label, to_status=ManifestStatus.BOARDED, by=by)
    operation = ops.operation_set_status(
        operation=operation,
        to_status=OperationStatus.UNDER_WAY,
        by=by,
        reason="Departed.",
        on=spec.day,
    )
    if spec.groups == (pop.IRAQ,):
        children = [load.persons[p.key] for f in families for p in f.children if p.travels]
        ops.fee_record_per_person(
            operation=operation,
            by=by,
            persons=children,
            kind=FeeKind.DETAINING_AUTHORITY,
            amount_each=FEE_PER_CHILD,
            currency="USD",
            payer=TJK_MFA,
            payee=IRAQ_GOVERNMENT,
            paid_on=spec.day - dt.timedelta(days=1),
            reference="MFA-IRQ-2019-04",
            note="USD 400 per child, as agreed in February 2019.",
        )
    for family in families:
        for planned in family.members:
            if planned.handed_over_to:
                ops.handover_record(
                    operation=operation,
                    case=load.cases[planned.key],
                    by=by,
                    receiving_country=planned.handed_over_to,
                    receiving_authority="Ministry of Foreign Affairs of Kazakhstan, consular service",
                    place="Dushanbe international airport",
                    handed_over_at=_at(spec.day, (spec.arrival[0] + 1, 30)),
                    our_officials="Consular officer, Ministry of Foreign Affairs of Tajikistan",
                    their_officials="Consul of Kazakhstan in Dushanbe",
                    note="At the request of the Kazakh authorities.",
                )
    arrived = list(
        ManifestEntry.objects.filter(operation=operation, status=ManifestStatus.BOARDED).exclude(
            case__handovers__isnull=False
        )
    )
    ops.operation_record_arrival(operation=operation, by=by, arrived_on=spec.day, arrived=arrived)
    operation.refresh_from_db()
    return operation


def _negotiations(load: _Load, operations: dict[str, Operation]) -> None:
    a = load.actors
    rusafa = load.facilities["rusafa"]
    iraq_op = operations["Baghdad → Dushanbe, April 2019"]
    first = ops.negotiation_create(
        by=a.consul,
        owner_agency=a.mfa,
        held_on=dt.date(2019, 3, 12),
        place="Ministry of Foreign Affairs of Iraq, Baghdad",
        counterpart_country="IRQ",
        their_authority="Ministry of Foreign Affairs of Iraq",
        our_participants="Ambassador of Tajikistan to Iraq and Kuwait\nCounsellor of the embassy",
        their_participants="Deputy Minister of Foreign Affairs of Iraq\nDirector of consular affairs",
        subject="Repatriation of the children of Tajik women imprisoned in Iraq",
        outcome=(
            "Iraq agrees to release the children found eligible, for a fee of USD 400 per child; a special "
            "flight to be arranged by the end of April. The mothers' cases stay with the Iraqi courts."
        ),
        operations=[iraq_op],
        facilities=[rusafa],
        actions=[
            ops.ActionInput("Send the list of eligible children with the mothers' consents", dt.date(2019, 3, 25)),
            ops.ActionInput("Charter the flight and agree the date", dt.date(2019, 4, 15), "Consular department"),
        ],
    )
    second = ops.negotiation_create(
        by=a.consul,
        owner_agency=a.mfa,
        held_on=dt.date(2019, 5, 14),
        place="Dushanbe",
        counterpart_country="IRQ",
        their_authority="Ministry of Foreign Affairs of Iraq",
        our_participants="Minister of Foreign Affairs of Tajikistan",
        their_participants="Deputy Minister of Foreign Affairs of Iraq",
        subject="Repatriation of the remaining Tajik citizens from Iraq",
        outcome=(
            "Thanks for the return of 84 children on 30 April. Both sides ready to continue on the remaining "
            "children and on the women serving sentences."
        ),
        operations=[iraq_op],
        facilities=[rusafa],
        actions=[
            ops.ActionInput("Prepare the files of the 11 remaining children for the next round", dt.date(2019, 7, 1)),
        ],
    )
    third = ops.negotiation_create(
        by=a.consul,
        owner_agency=a.mfa,
        held_on=dt.date(2022, 6, 2),
        place="Qamishli",
        counterpart_country="SYR",
        their_authority=AANES,
        our_participants="Consular officers of the Ministry of Foreign Affairs",
        their_participants="Co-chair of the department of foreign relations of the administration",
        subject="Handing over Tajik women and children held in al-Hol and Roj",
        outcome="The administration agrees to hand over 42 women and 104 children; flight from Qamishli in July.",
        operations=[operations["Qamishli → Dushanbe, July 2022"]],
        facilities=[load.facilities["al-hol"], load.facilities["roj"]],
    )
    for negotiation in (first, second, third):
        load.created("negotiations", negotiation.pk)


# --- the whole load -------------------------------------------------------------------------------


def _quiet(_message: str) -> None:
    return None


def scenario_load(*, seed: int = pop.DEFAULT_SEED, progress: Progress | None = None) -> ScenarioLoad:
    """Load the seeds' scenario (all or nothing). Raises ``AlreadyLoadedError`` if it is there."""
    say = progress or _quiet
    existing = ScenarioLoad.objects.filter(name=SEEDS).first()
    if existing is not None:
        raise AlreadyLoadedError(existing)
    started = time.monotonic()
    say(f"planning the population (seed {seed})")
    plan = pop.plan_population(seed)
    with transaction.atomic():
        load = _Load(plan=plan, actors=_actors(), progress=say)
        _facilities(load)
        families = plan.families
        total = len(plan.persons())
        done = 0
        for index, family in enumerate(families):
            _register(load, family, index)
            done += len(family.members)
            if index % 20 == 19 or index == len(families) - 1:
                say(f"registered {done}/{total} persons")
        done = 0
        for family in families:
            for planned in family.members:
                _work_case(load, family, planned)
                done += 1
                if done % 50 == 0 or done == total:
                    say(f"worked {done}/{total} cases (assessments, consents, approvals)")
        operations: dict[str, Operation] = {}
        for spec in OPERATIONS:
            operations[spec.name] = _operation(load, spec)
            say(f"operation {spec.day}: {spec.name}")
        _negotiations(load, operations)
        say("negotiations recorded")
        result = reports.reported_figures_load_file()
        say(f"reported figures: {result.created} added, {result.updated} updated, {result.unchanged} unchanged")
        counts = {kind: len(ids) for kind, ids in load.ids.items()}
        counts["cases"] = len(load.cases)
        return ScenarioLoad.objects.create(
            name=SEEDS,
            seed=seed,
            seconds=round(time.monotonic() - started, 1),
            counts=counts,
            object_ids=load.ids,
        )


def _delete_with_dependents(queryset: QuerySet[Any], depth: int = 0) -> int:
    """Delete ``queryset`` and, first, every record that protects it (a case's history, a
    manifest entry, a service recorded after the return...). Returns how many rows went."""
    deleted = 0
    for _attempt in range(20):
        try:
            deleted += queryset.delete()[0]
            return deleted
        except (ProtectedError, RestrictedError) as error:
            if depth > 10:
                raise
            blockers = error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
            by_model: dict[type[Model], set[Any]] = {}
            for obj in blockers:
                by_model.setdefault(type(obj), set()).add(obj.pk)
            for model, pks in by_model.items():
                deleted += _delete_with_dependents(model._default_manager.filter(pk__in=pks), depth + 1)
    raise RuntimeError("the scenario's records could not be deleted")


@transaction.atomic
def scenario_reset(*, progress: Progress | None = None) -> bool:
    """Take the loaded scenario out of the database again: its operations and negotiations, its
    persons with everything recorded about them since (cases, their history, services...), its
    family groups, and the facilities it created unless someone else's records use them. The
    audit trail keeps its entries. Returns False when nothing was loaded."""
    say = progress or _quiet
    record = ScenarioLoad.objects.select_for_update().filter(name=SEEDS).first()
    if record is None:
        return False
    ids = record.object_ids
    deleted = _delete_with_dependents(Operation.objects.filter(pk__in=ids.get("operations", [])))
    deleted += _delete_with_dependents(Negotiation.objects.filter(pk__in=ids.get("negotiations", [])))
    deleted += _delete_with_dependents(FamilyGroup.objects.filter(pk__in=ids.get("family_groups", [])))
    deleted += _delete_with_dependents(Person.objects.filter(pk__in=ids.get("persons", [])))
    kept = 0
    for facility in Facility.objects.filter(pk__in=ids.get("facilities", [])):
        try:
            with transaction.atomic():
                deleted += facility.delete()[0]
        except (ProtectedError, RestrictedError):
            kept += 1
    record.delete()
    say(
        f"removed the scenario: {len(ids.get('persons', []))} persons, {len(ids.get('operations', []))} "
        f"operations ({deleted} rows){f'; {kept} facilities kept, in use by other records' if kept else ''}"
    )
    return True
