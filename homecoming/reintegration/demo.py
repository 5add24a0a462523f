"""Demonstration data: what the agencies would have recorded for the persons who came home.

``demo_load_reintegration(today=...)`` is called by the scenario loader after it has brought the
returned persons home (cases at "returned" or "reintegrating", with an arrival date that
``arrivals.arrivals`` can find). For each of them it records, through the app's own services (so
every row is validated and audited like one entered on a page), what the health worker,
psychologist, teacher, case worker and local focal point of the agencies working on the case would
have done between the arrival and ``today``:

* an arrival screening, mostly within a week (some later, some not yet done), with a weight drawn
  around the WHO median shifted down as reported for children leaving the camps in north-east
  Syria, so that some are moderately or severely underweight; treatment for those;
* the doses on a vaccination card or the caregiver's account for some children, the catch-up doses
  due on the day of the screening given then, and later doses given on time, late or not yet;
* placement with a caregiver assessment, school enrolment for school-age children, psychosocial
  sessions (some missed, the next one planned), civil documents and legal aid;
* a reintegration plan from the default template, then for children a visit every six months until they
  come of age; past visits done, missed or (the latest, for some) left undone, so that some
  visits are overdue and escalate to the agency's manager.

Only generated persons are touched: it reads the cases in the database and records services for
them. It is deterministic for a given database and ``seed``; a case that already has a service or a
plan is left as it is, so loading twice adds nothing.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from homecoming.accounts.choices import Role
from homecoming.accounts.models import Agency, Membership, User
from homecoming.cases.models import Case
from homecoming.core.access import Perm, has_perm
from homecoming.registry.models import PersonShare
from homecoming.reintegration import growth, services
from homecoming.reintegration.arrivals import arrivals
from homecoming.reintegration.choices import (
    CaregiverAssessment,
    CivilDocumentKind,
    DoseSource,
    PlacementType,
    PlanStatus,
    ServiceKind,
    ServiceStatus,
    VisitOutcome,
    VisitStatus,
)
from homecoming.reintegration.conf import setting
from homecoming.reintegration.models import FollowUpTemplate, FollowUpVisit, ReintegrationPlan, Service, Vaccine
from homecoming.reintegration.rules import SERVICE_STAGES, Age, age_of, completed_years
from homecoming.reintegration.selectors import schedule_entries
from homecoming.reintegration.vaccination import GivenDose, ScheduleEntry, catch_up_plan

DEFAULT_SEED = 2019

# Districts of Tajikistan where returned families were placed (the dashboard groups by district).
DISTRICTS = (
    "Vahdat",
    "Rudaki",
    "Hisor",
    "Tursunzoda",
    "Bokhtar",
    "Kulob",
    "Khujand",
    "Isfara",
    "Panjakent",
    "Dushanbe, Sino",
)
CAREGIVERS = (
    ("grandmother", ("Gulnora", "Mavjuda", "Saodat", "Zulaykho", "Bibisoro")),
    ("grandfather", ("Rahmon", "Sharif", "Nurullo", "Saidali")),
    ("aunt", ("Nigina", "Dilnoza", "Firuza", "Malika")),
    ("uncle", ("Farrukh", "Jamshed", "Bahrom", "Umed")),
)
FINDINGS_WELL = ("No acute findings.", "Dental caries.", "Head lice, treated.", "Mild anaemia suspected: pale.")
OUTCOME_NOTES = {
    VisitOutcome.WELL: "Settled with the family; attends school and the clinic.",
    VisitOutcome.CONCERNS: "Withdrawn; the caregiver struggles with money. Social assistance discussed.",
    VisitOutcome.URGENT: "Signs of neglect; referred to the child-protection commission.",
    VisitOutcome.NOT_FOUND: "The family has moved; the new address is being traced.",
}
FINDINGS_ILL = (
    "Thin, pale conjunctivae; scabies on hands and wrists.",
    "Wasted; persistent cough for three weeks.",
    "Thin; diarrhoea for a week; mild dehydration.",
)


@dataclass
class DemoSummary:
    """What was recorded: counts by kind, and the cases left out with the reason."""

    cases: int = 0
    screenings: int = 0
    underweight: int = 0
    doses: int = 0
    services: dict[str, int] = field(default_factory=dict)
    plans: int = 0
    visits_done: int = 0
    visits_missed: int = 0
    visits_overdue: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> None:
        self.services[kind] = self.services.get(kind, 0) + 1

    def skip(self, why: str) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + 1


class _Staff:
    """The people of the agencies working on a case, by role."""

    def __init__(self) -> None:
        self._by_agency: dict[int, dict[str, list[User]]] = {}

    def _load(self, agency_id: int) -> dict[str, list[User]]:
        if agency_id not in self._by_agency:
            roles: dict[str, list[User]] = {}
            for membership in (
                Membership.objects.filter(agency_id=agency_id, agency__is_active=True, user__is_active=True)
                .select_related("user")
                .order_by("user_id")
            ):
                roles.setdefault(membership.role, []).append(membership.user)
            self._by_agency[agency_id] = roles
        return self._by_agency[agency_id]

    def pick(self, rng: random.Random, agency_ids: list[int], role: Role) -> tuple[User, Agency | None] | None:
        """A worker of ``role`` in the first of ``agency_ids`` that has one, and that agency."""
        for agency_id in agency_ids:
            people = self._load(agency_id).get(role, [])
            if people:
                return rng.choice(people), Agency.objects.get(pk=agency_id)
        return None


def _after(rng: random.Random, start: date, low: int, high: int) -> date:
    return start + timedelta(days=rng.randint(low, high))


def _weight(rng: random.Random, sex: str, age_days: int, years: int) -> tuple[Decimal, int | None]:
    """A weight (kg) and, from 6 to 59 months, a MUAC (mm). Under five: the WHO weight at a
    z-score drawn around -1.1 (SD 1.0); older: a paediatric rule of thumb with ±12 %."""
    if sex in ("M", "F") and age_days <= growth.MAX_AGE_DAYS:
        z = max(-4.2, min(2.0, rng.gauss(-1.1, 1.0)))
        kg = growth.lms_at(sex, age_days).value_at(z)
        muac = None
        if growth.MUAC_FROM_DAYS <= age_days < growth.MAX_AGE_DAYS:
            muac = max(95, min(170, round(138 + 9 * z + rng.gauss(0, 4))))
        return Decimal(str(round(kg, 1))), muac
    rough = 2 * years + 8 if years < 7 else (7 * years - 5) / 2
    return Decimal(str(round(min(rough, 62) * rng.uniform(0.88, 1.12), 1))), None


def _card_doses(rng: random.Random, schedule: list[ScheduleEntry], age: Age, before: date) -> list[GivenDose]:
    """Doses a card or a caregiver remembers: each series given at its routine age until it broke off."""
    if age.birth is None:
        return []
    source = DoseSource.CARD if rng.random() < 0.6 else DoseSource.VERBAL
    by_vaccine: dict[str, list[ScheduleEntry]] = {}
    for entry in schedule:
        by_vaccine.setdefault(entry.vaccine, []).append(entry)
    given = []
    for entries in by_vaccine.values():
        stop = rng.randint(0, len(entries))
        for entry in sorted(entries, key=lambda e: e.dose_number)[:stop]:
            on = age.birth.latest + timedelta(days=entry.recommended_age_days + rng.randint(0, 20))
            if on >= before:
                break
            given.append(GivenDose(entry.vaccine, entry.dose_number, on, source))
    return given


class _Loader:
    def __init__(self, *, today: date, rng: random.Random, summary: DemoSummary) -> None:
        self.today = today
        self.rng = rng
        self.summary = summary
        self.staff = _Staff()
        self.schedule = schedule_entries()
        self.vaccines = {v.code: v for v in Vaccine.objects.all()}
        self.template = FollowUpTemplate.objects.filter(is_default=True, is_active=True).first()

    # -- helpers --------------------------------------------------------------------------------

    def _record(self, case: Case, agencies: list[int], role: Role, kind: ServiceKind, when: date, **kw: Any) -> bool:
        """Record a service of ``kind`` by a worker of ``role``: delivered when ``when`` is past
        (unless ``status`` says otherwise), planned when it is still to come."""
        worker = self.staff.pick(self.rng, agencies, role)
        if worker is None:
            self.summary.skip(f"no {role} for {kind}")
            return False
        user, agency = worker
        status = kw.pop("status", ServiceStatus.DELIVERED if when <= self.today else ServiceStatus.PLANNED)
        services.service_record(
            case=case, by=user, kind=kind, date=when, status=status, provider=user, provider_agency=agency, **kw
        )
        self.summary.count(str(kind))
        return True

    # -- one case -------------------------------------------------------------------------------

    def load(self, case: Case, arrival: date) -> None:
        person = case.person
        age = age_of(person)
        years = completed_years(age.best, arrival) if age.best is not None else None
        is_child = years is not None and years < setting("CHILD_AGE")
        shared = (
            PersonShare.objects.filter(person=person, is_active=True).order_by("pk").values_list("agency_id", flat=True)
        )
        agencies = [case.owner_agency_id, *shared]
        screened_on = self._screening(case, agencies, arrival, age, years)
        if is_child:
            self._vaccination(case, agencies, age, arrival, screened_on)
            self._placement(case, agencies, arrival)
            if age.best is not None:
                self._school(case, agencies, arrival, age.best)
            if age.birth is not None and age.birth.latest.year >= 2013 and self.rng.random() < 0.7:
                # born in the camps or the conflict: no birth registered at home
                self._record(
                    case,
                    agencies,
                    Role.CASE_WORKER,
                    ServiceKind.CIVIL_DOCUMENTS,
                    _after(self.rng, arrival, 20, 120),
                    document_kind=CivilDocumentKind.LATE_BIRTH_REGISTRATION,
                    legal_notes="Court decision on the date and place of birth requested.",
                )
        else:
            if self.rng.random() < 0.8:
                self._record(
                    case,
                    agencies,
                    Role.CASE_WORKER,
                    ServiceKind.LEGAL_AID,
                    _after(self.rng, arrival, 3, 40),
                    legal_notes="Explained the status of the criminal investigation and the right to a lawyer.",
                )
            if self.rng.random() < 0.5:
                self._record(
                    case,
                    agencies,
                    Role.CASE_WORKER,
                    ServiceKind.CIVIL_DOCUMENTS,
                    _after(self.rng, arrival, 30, 150),
                    document_kind=CivilDocumentKind.PASSPORT,
                )
        if years is None or years >= 3:
            self._sessions(case, agencies, arrival)
        adult_on = None
        if is_child and age.best is not None:
            adult_on = services.add_months(age.best, 12 * setting("CHILD_AGE"))
        self._plan(case, agencies, arrival, adult_on)

    def _screening(self, case: Case, agencies: list[int], arrival: date, age: Age, years: int | None) -> date | None:
        roll = self.rng.random()
        delay = self.rng.randint(0, 7) if roll < 0.8 else self.rng.randint(8, 40)
        when = arrival + timedelta(days=delay)
        if when > self.today or roll > 0.96:
            # not screened yet: planned (in the past, it is a screening pending on the worklist)
            self._record(case, agencies, Role.HEALTH_WORKER, ServiceKind.SCREENING, when, status=ServiceStatus.PLANNED)
            return None
        worker = self.staff.pick(self.rng, agencies, Role.HEALTH_WORKER)
        if worker is None:
            self.summary.skip(f"no {Role.HEALTH_WORKER} for {ServiceKind.SCREENING}")
            return None
        user, agency = worker
        weight: Decimal | None = None
        muac: int | None = None
        if age.best is not None and case.person.sex in ("M", "F"):
            weight, muac = _weight(self.rng, case.person.sex, (when - age.best).days, years or 0)
        ill = self.rng.random() < 0.3
        screening = services.screening_record(
            case=case,
            by=user,
            date=when,
            weight_kg=weight,
            muac_mm=muac,
            findings=self.rng.choice(FINDINGS_ILL if ill else FINDINGS_WELL),
            provider=user,
            provider_agency=agency,
        )
        self.summary.screenings += 1
        flagged = screening.is_underweight or screening.muac_category != ""
        if flagged:
            self.summary.underweight += int(screening.is_underweight)
        if flagged or ill:
            referral = "Ready-to-use therapeutic food; weighed weekly." if flagged else "Treated as found."
            self._record(case, agencies, Role.HEALTH_WORKER, ServiceKind.TREATMENT, when, health_notes=referral)
            self._record(
                case,
                agencies,
                Role.HEALTH_WORKER,
                ServiceKind.TREATMENT,
                when + timedelta(days=28),
                health_notes="Review of weight and treatment.",
                status=ServiceStatus.DELIVERED
                if when + timedelta(days=28) <= self.today and self.rng.random() < 0.8
                else ServiceStatus.PLANNED,
            )
        return when

    def _give(self, case: Case, agencies: list[int], entry: ScheduleEntry, on: date) -> bool:
        worker = self.staff.pick(self.rng, agencies, Role.HEALTH_WORKER)
        vaccine = self.vaccines.get(entry.vaccine)
        if worker is None or vaccine is None:
            return False
        user, agency = worker
        services.vaccination_dose_record(
            case=case,
            by=user,
            vaccine=vaccine,
            dose_number=entry.dose_number,
            given_on=on,
            source=DoseSource.GIVEN_HERE,
            batch_number=f"{entry.vaccine.upper()}-{on:%y%m}-{self.rng.randint(100, 999)}",
            provider=user,
            provider_agency=agency,
        )
        self.summary.doses += 1
        return True

    def _vaccination(self, case: Case, agencies: list[int], age: Age, arrival: date, screened_on: date | None) -> None:
        if age.birth is None or not self.schedule or age.birth.latest > arrival:
            return
        history = _card_doses(self.rng, self.schedule, age, arrival) if self.rng.random() < 0.45 else []
        for old in history:
            vaccine = self.vaccines.get(old.vaccine)
            worker = self.staff.pick(self.rng, agencies, Role.HEALTH_WORKER)
            if vaccine is None or worker is None:
                continue
            services.vaccination_dose_record(
                case=case,
                by=worker[0],
                vaccine=vaccine,
                dose_number=old.dose_number,
                given_on=old.given_on,
                source=old.source,
            )
            self.summary.doses += 1
        if screened_on is None:
            return
        given = list(history)
        clinic_day = screened_on
        # Each clinic day gives every dose due; the next clinic day is when the next dose falls due,
        # kept on time, late, or not at all (the child is then not fully vaccinated for age).
        for _round in range(12):
            plan = catch_up_plan(birth=age.birth, schedule=self.schedule, given=given, today=clinic_day)
            for dose in plan.due_now:
                if self._give(case, agencies, dose.entry, clinic_day):
                    given.append(GivenDose(dose.entry.vaccine, dose.entry.dose_number, clinic_day))
            upcoming = [d.due_on for d in plan.doses if d.status == PlanStatus.UPCOMING and d.due_on is not None]
            if not upcoming:
                return
            roll = self.rng.random()
            if roll < 0.12:
                return  # the family stopped coming
            clinic_day = min(upcoming) + timedelta(days=0 if roll < 0.7 else self.rng.randint(7, 45))
            if clinic_day > self.today:
                return

    def _placement(self, case: Case, agencies: list[int], arrival: date) -> None:
        if self.rng.random() > 0.92:
            return  # still looking for a placement
        surname = case.person.display_name.split()[-1] if case.person.display_name else ""
        family_rng = random.Random(surname)  # noqa: S311 - demonstration data, not secrets
        district = family_rng.choice(DISTRICTS)  # brothers and sisters go to the same district
        roll = self.rng.random()
        placement_type = (
            PlacementType.PARENT
            if roll < 0.45
            else PlacementType.RELATIVES
            if roll < 0.85
            else PlacementType.FOSTER
            if roll < 0.95
            else PlacementType.INSTITUTION
        )
        relationship, names = self.rng.choice(CAREGIVERS)
        if placement_type == PlacementType.PARENT:
            relationship, caregiver = "mother", f"{self.rng.choice(('Zarina', 'Mehrangez', 'Shahnoza'))} {surname}"
        elif placement_type == PlacementType.INSTITUTION:
            relationship, caregiver = "", ""
        elif placement_type == PlacementType.FOSTER:
            relationship, caregiver = "foster mother", f"{self.rng.choice(names)} Rahimova"
        else:
            caregiver = f"{self.rng.choice(names)} {surname}"
        assessment = self.rng.choices(
            [CaregiverAssessment.SUITABLE, CaregiverAssessment.WITH_SUPPORT, CaregiverAssessment.PENDING],
            weights=[6, 3, 1],
        )[0]
        self._record(
            case,
            agencies,
            Role.CASE_WORKER,
            ServiceKind.PLACEMENT,
            min(_after(self.rng, arrival, 0, 21), self.today),
            placement_type=placement_type,
            caregiver_name=caregiver,
            caregiver_relationship=relationship,
            address=f"{self.rng.randint(1, 120)} {self.rng.choice(('Rudaki', 'Somoni', 'Ayni', 'Firdavsi'))} Street",
            district=district,
            caregiver_assessment=assessment,
        )

    def _school(self, case: Case, agencies: list[int], arrival: date, best: date) -> None:
        """Enrolment within weeks of arrival, or on the 1st of September after the child turns the
        school age; a child who arrives of school age goes into a lower grade for a while."""
        school_from = setting("SCHOOL_AGE_FROM")
        years = completed_years(best, self.today)
        if not (school_from <= years <= setting("SCHOOL_AGE_TO")):
            return
        first_september = date(best.year + school_from, 9, 1)
        arrived_of_age = completed_years(best, arrival) >= school_from
        when = _after(self.rng, arrival, 14, 75) if arrived_of_age else _after(self.rng, first_september, -10, 5)
        when = max(when, arrival)
        status = ServiceStatus.DELIVERED if when <= self.today and self.rng.random() < 0.85 else ServiceStatus.PLANNED
        if status == ServiceStatus.PLANNED and when <= self.today:
            when = self.today + timedelta(days=self.rng.randint(3, 30))
        behind = self.rng.choice((0, 1, 2, 2, 3)) if arrived_of_age else 0
        grade = max(0, min(11, completed_years(best, min(when, self.today)) - school_from - behind))
        self._record(
            case,
            agencies,
            Role.TEACHER,
            ServiceKind.SCHOOL,
            when,
            status=status,
            school_name=f"School No. {self.rng.randint(1, 60)}",
            grade=grade,
            notes="Catch-up lessons in reading and Tajik." if behind else "",
        )

    def _sessions(self, case: Case, agencies: list[int], arrival: date) -> None:
        """Sessions every two weeks for three to nine months after arrival (some missed); for about
        one in four, monthly sessions go on for years ("psychologists will work with children
        long-term"). The next session of a series still running is planned."""
        worker = self.staff.pick(self.rng, agencies, Role.PSYCHOLOGIST)
        if worker is None:
            self.summary.skip(f"no {Role.PSYCHOLOGIST} for {ServiceKind.PSYCHOSOCIAL}")
            return
        user, agency = worker
        day = _after(self.rng, arrival, 5, 14)
        intensive_until = arrival + timedelta(days=self.rng.choice((90, 180, 270)))
        last = self.today + timedelta(days=365) if self.rng.random() < 0.25 else intensive_until

        def record(when: date, status: ServiceStatus) -> None:
            services.service_record(
                case=case,
                by=user,
                kind=ServiceKind.PSYCHOSOCIAL,
                date=when,
                status=status,
                provider=user,
                provider_agency=agency,
                psychosocial_notes="Play-based session; sleeps better, nightmares less frequent."
                if status == ServiceStatus.DELIVERED
                else "",
            )
            self.summary.count(str(ServiceKind.PSYCHOSOCIAL))

        while day <= min(last, self.today):
            record(day, ServiceStatus.DELIVERED if self.rng.random() < 0.85 else ServiceStatus.MISSED)
            day += timedelta(days=14 if day < intensive_until else 30)
        if day <= last:  # the series goes on: the next session is planned
            record(day, ServiceStatus.PLANNED)

    def _plan(self, case: Case, agencies: list[int], arrival: date, adult_on: date | None) -> None:
        """The plan from the default template; for a child, then a visit every six months until they
        come of age."""
        if self.template is None:
            self.summary.skip("no default follow-up template")
            return
        if self.rng.random() > 0.95:
            return  # the case worker has not started the plan yet (on the worklist)
        planner = self.staff.pick(self.rng, agencies[:1], Role.CASE_WORKER) or self.staff.pick(
            self.rng, agencies[:1], Role.MANAGER
        )
        if planner is None:
            self.summary.skip(f"no {Role.CASE_WORKER} for the plan")
            return
        by = planner[0]
        visitor: User | None = by if has_perm(by, Perm.FOLLOWUP_RECORD) else None
        if self.rng.random() < 0.5:
            focal = self.staff.pick(self.rng, agencies[1:] + agencies[:1], Role.FOCAL_POINT)
            if focal is not None:
                visitor = focal[0]
        plan = services.plan_create(case=case, by=by, arrival_date=arrival, template=self.template, assigned_to=visitor)
        self.summary.plans += 1
        recorder = visitor or by
        last_due = max(plan.visits.values_list("due_date", flat=True))
        due = services.add_months(last_due, 6) + timedelta(days=self.rng.randint(0, 75))
        while adult_on is not None and due <= min(self.today + timedelta(days=365), adult_on):
            services.visit_add(
                plan=plan, by=by, due_date=due, assigned_to=visitor, purpose="Follow-up visit (every six months)"
            )
            due = services.add_months(due, 6)
        past = list(FollowUpVisit.objects.filter(plan=plan, due_date__lt=self.today).order_by("due_date"))
        for i, visit in enumerate(past):
            latest = i == len(past) - 1
            roll = self.rng.random()
            if latest and roll < 0.25:
                self.summary.visits_overdue += 1  # not done: overdue, escalated to the manager
                continue
            completed = min(visit.due_date + timedelta(days=self.rng.randint(0, 10)), self.today)
            if roll < (0.32 if latest else 0.08):
                services.visit_record(
                    visit=visit,
                    by=recorder,
                    status=VisitStatus.MISSED,
                    completed_on=completed,
                    next_steps="Nobody at home; neighbours say the family is away. Try again next week.",
                )
                self.summary.visits_missed += 1
                continue
            outcome = self.rng.choices(
                [VisitOutcome.WELL, VisitOutcome.CONCERNS, VisitOutcome.URGENT, VisitOutcome.NOT_FOUND],
                weights=[70, 24, 3, 3],
            )[0]
            services.visit_record(
                visit=visit,
                by=recorder,
                status=VisitStatus.DONE,
                completed_on=completed,
                outcome=outcome,
                outcome_notes=OUTCOME_NOTES[outcome],
                next_steps="" if outcome == VisitOutcome.WELL else "Case worker to call within a week.",
            )
            self.summary.visits_done += 1


def demo_load_reintegration(
    *, today: date, seed: int = DEFAULT_SEED, cases: Iterable[Case] | None = None
) -> DemoSummary:
    """Give the returned persons (``cases``, by default every case at "returned" or
    "reintegrating") the services and follow-up of their time at home until ``today``.

    ``today`` may not be after the real date: the services refuse records of what has not yet
    happened. Cases without an arrival date, or that already have a service or a plan, are left
    as they are (``DemoSummary.skipped`` says how many and why). Workers are taken from the
    agencies working on each case (the owner agency, then the agencies it is shared with): a
    kind of service that no one there provides is left out and counted in ``skipped``.
    """
    if today > timezone.localdate():
        raise ValueError("The demonstration cannot record services after the real date.")
    summary = DemoSummary()
    rng = random.Random(seed)  # noqa: S311 - demonstration data, not secrets
    loader = _Loader(today=today, rng=rng, summary=summary)
    selected = list(cases if cases is not None else Case.objects.filter(stage__in=SERVICE_STAGES))
    selected = sorted((c for c in selected if c.stage in SERVICE_STAGES), key=lambda c: c.pk)
    busy = set(Service.objects.filter(case__in=[c.pk for c in selected]).values_list("case_id", flat=True)) | set(
        ReintegrationPlan.objects.filter(case__in=[c.pk for c in selected]).values_list("case_id", flat=True)
    )
    arrived = arrivals([c.pk for c in selected])
    for case in selected:
        arrival = arrived[case.pk].date
        if case.pk in busy:
            summary.skip("already has services or a plan")
            continue
        if arrival is None or arrival > today:
            summary.skip("no arrival date before today")
            continue
        case = Case.objects.select_related("person").get(pk=case.pk)
        try:
            with transaction.atomic():
                loader.load(case, arrival)
        except ValidationError as error:
            # A rule of the app refused a record (an unusual person): leave that case out.
            summary.skip(f"refused: {sorted(error.message_dict) if hasattr(error, 'error_dict') else error.messages}")
            continue
        summary.cases += 1
    return summary
