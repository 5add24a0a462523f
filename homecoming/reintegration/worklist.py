"""Work lists by role: what each user should do now. ``worklist_for(user)`` is a selector (no
writes); the page or the start-page section that shows it writes one audit entry for the cases shown
(``worklist_audit``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from homecoming.core.access import Perm, Scope, agencies_with, audit_list, has_perm
from homecoming.reintegration import selectors
from homecoming.reintegration.choices import ServiceKind, ServiceStatus, Underweight
from homecoming.reintegration.conf import setting
from homecoming.reintegration.models import ReintegrationPlan, Service
from homecoming.reintegration.rules import kinds_recordable_by

LIMIT = 10
UPCOMING_DAYS = 30
SESSION_DAYS = 14


@dataclass(frozen=True)
class WorkItem:
    title: str | Promise
    person: str
    case_id: int
    url: str
    due: date | None = None
    overdue: bool = False
    badge: str | Promise = ""
    badge_level: str = ""  # a Bootstrap colour: danger, warning, info
    detail: str | Promise = ""


@dataclass
class WorkSection:
    key: str
    title: str | Promise
    empty: str | Promise
    items: list[WorkItem] = field(default_factory=list)
    total: int = 0
    more_url: str = ""

    @property
    def more(self) -> int:
        return max(self.total - len(self.items), 0)


UNDERWEIGHT_LABELS = {
    Underweight.SEVERE: (_("severe underweight"), "danger"),
    Underweight.MODERATE: (_("moderate underweight"), "warning"),
}


def _case_url(case_id: int) -> str:
    return reverse("reintegration:case_services", kwargs={"pk": case_id})


def _visit_item(visit: Any, today: date, *, escalation: bool = False) -> WorkItem:
    detail: Any = ""
    if escalation:
        who = visit.assigned_to
        detail = _("assigned to %(name)s") % {"name": who.get_full_name() or who.username} if who else _("not assigned")
    return WorkItem(
        title=_("Follow-up visit"),
        person=visit.case.person.display_name,
        case_id=visit.case_id,
        url=reverse("reintegration:visit_detail", kwargs={"pk": visit.pk}),
        due=visit.due_date,
        overdue=visit.due_date < today,
        badge=_("escalated") if escalation else "",
        badge_level="danger" if escalation else "",
        detail=detail,
    )


def _service_item(service: Service, today: date) -> WorkItem:
    return WorkItem(
        title=service.get_kind_display(),
        person=service.case.person.display_name,
        case_id=service.case_id,
        url=service.get_absolute_url(),
        due=service.date,
        overdue=service.date < today,
    )


def _take(qs: Any) -> tuple[list[Any], int]:
    """The first LIMIT rows and how many there are in all (counted only when there are more)."""
    rows = list(qs[: LIMIT + 1])
    if len(rows) <= LIMIT:
        return rows, len(rows)
    return rows[:LIMIT], qs.count()


def _section(key: str, title: Any, empty: Any, items: list[WorkItem], total: int, more_url: str = "") -> WorkSection:
    return WorkSection(key=key, title=title, empty=empty, items=items[:LIMIT], total=total, more_url=more_url)


def worklist_for(user: Any, *, today: date | None = None) -> list[WorkSection]:
    """The sections of ``user``'s work list, by what their roles do."""
    today = today or timezone.localdate()
    sections: list[WorkSection] = []
    kinds = kinds_recordable_by(user)

    if has_perm(user, Perm.FOLLOWUP_RECORD) or has_perm(user, Perm.SERVICE_RECORD):
        visits = list(selectors.visits_due_for(user, today=today)[: LIMIT + 1])
        services = list(selectors.services_due_for(user, today=today)[: LIMIT + 1])
        items = sorted(
            [_visit_item(v, today) for v in visits] + [_service_item(s, today) for s in services],
            key=lambda i: (i.due or today, i.person),
        )
        total = (
            selectors.visits_due_for(user, today=today).count() + selectors.services_due_for(user, today=today).count()
        )
        sections.append(
            _section(
                "mine",
                _("Due today and overdue for me"),
                _("Nothing due: no visit or service of yours is due today or overdue."),
                items,
                total,
                reverse("reintegration:visit_list") + "?mine=1",
            )
        )

    if has_perm(user, Perm.FOLLOWUP_RECORD):
        upcoming, n_upcoming = _take(
            selectors.visit_list(user=user, status="scheduled", mine=True).filter(
                due_date__gt=today, due_date__lte=today + timedelta(days=UPCOMING_DAYS)
            )
        )
        sections.append(
            _section(
                "visits",
                _("My visits in the next 30 days"),
                _("No visit assigned to you in the next 30 days."),
                [_visit_item(v, today) for v in upcoming],
                n_upcoming,
                reverse("reintegration:visit_list") + "?mine=1",
            )
        )

    if ServiceKind.SCREENING in kinds:
        pending, n_pending = _take(
            selectors.without_delivered(selectors.returned_cases(user), ServiceKind.SCREENING).order_by("pk")
        )
        sections.append(
            _section(
                "screenings",
                _("Screenings pending"),
                _("Every returned child you care for has been screened."),
                [
                    WorkItem(
                        title=_("Arrival screening"),
                        person=case.person.display_name,
                        case_id=case.pk,
                        url=reverse("reintegration:screening_create", kwargs={"pk": case.pk}),
                    )
                    for case in pending
                ],
                n_pending,
            )
        )
        flagged_ids = selectors.underweight_case_ids(selectors.returned_cases(user).values("pk"))
        flagged = list(selectors.returned_cases(user).filter(pk__in=list(flagged_ids)).order_by("pk")[:LIMIT])
        flagged.sort(key=lambda c: (flagged_ids[c.pk] != Underweight.SEVERE, c.person.display_name))
        sections.append(
            _section(
                "underweight",
                _("Underweight children"),
                _("No child you care for was underweight at the last screening."),
                [
                    WorkItem(
                        title=_("Nutrition follow-up"),
                        person=case.person.display_name,
                        case_id=case.pk,
                        url=_case_url(case.pk),
                        badge=UNDERWEIGHT_LABELS[Underweight(flagged_ids[case.pk])][0],
                        badge_level=UNDERWEIGHT_LABELS[Underweight(flagged_ids[case.pk])][1],
                    )
                    for case in flagged
                ],
                len(flagged_ids),
                reverse("reintegration:service_list") + "?flagged=1",
            )
        )

    if ServiceKind.PSYCHOSOCIAL in kinds:
        sessions, n_sessions = _take(
            selectors.service_list(user=user, kind=ServiceKind.PSYCHOSOCIAL, status=ServiceStatus.PLANNED)
            .filter(date__lte=today + timedelta(days=SESSION_DAYS))
            .order_by("date", "pk")
        )
        sections.append(
            _section(
                "sessions",
                _("Psychosocial sessions"),
                _("No session planned in the next two weeks."),
                [_service_item(s, today) for s in sessions],
                n_sessions,
                reverse("reintegration:service_list") + "?kind=psychosocial&status=planned",
            )
        )

    if ServiceKind.SCHOOL in kinds:
        low, high = setting("SCHOOL_AGE_FROM"), setting("SCHOOL_AGE_TO")
        not_enrolled, n_not_enrolled = _take(
            selectors.without_delivered(
                selectors.returned_cases(user).filter(selectors.q_school_age(today, low, high)), ServiceKind.SCHOOL
            ).order_by("pk")
        )
        sections.append(
            _section(
                "enrolments",
                _("School enrolments"),
                _("Every school-age child you care for is enrolled."),
                [
                    WorkItem(
                        title=_("School enrolment"),
                        person=case.person.display_name,
                        case_id=case.pk,
                        url=reverse("reintegration:service_create", kwargs={"pk": case.pk}) + "?kind=school",
                    )
                    for case in not_enrolled
                ],
                n_not_enrolled,
            )
        )

    if has_perm(user, Perm.FOLLOWUP_PLAN):
        without_plan, n_without_plan = _take(
            selectors.returned_cases(user, Perm.FOLLOWUP_PLAN)
            .filter(~Exists(ReintegrationPlan.objects.filter(case=OuterRef("pk"))))
            .order_by("pk")
        )
        sections.append(
            _section(
                "no_plan",
                _("Returned, without a reintegration plan"),
                _("Every returned person has a reintegration plan."),
                [
                    WorkItem(
                        title=_("Start the reintegration plan"),
                        person=case.person.display_name,
                        case_id=case.pk,
                        url=reverse("reintegration:plan_create", kwargs={"pk": case.pk}),
                    )
                    for case in without_plan
                ],
                n_without_plan,
            )
        )

    if agencies_with(user, Perm.CASE_APPROVE, Scope.AGENCY):
        overdue, n_overdue = _take(selectors.followups_overdue(user=user, today=today))
        sections.append(
            _section(
                "escalations",
                _("Overdue follow-up visits (escalated to you)"),
                _("No follow-up visit of your agency is overdue."),
                [_visit_item(v, today, escalation=True) for v in overdue],
                n_overdue,
                reverse("reintegration:visit_list") + "?overdue=1",
            )
        )
    return sections


def worklist_audit(user: Any, sections: list[WorkSection]) -> None:
    """One audit entry for the cases a work list shows."""
    case_ids = sorted({item.case_id for section in sections for item in section.items})
    audit_list(user, case_ids, object_type="cases.case", purpose="worklist")
