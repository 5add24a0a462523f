"""Reads of the cases app. Every queryset starts from ``core.access`` (``cases_visible_to``)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.choices import Role
from homecoming.accounts.models import User
from homecoming.cases.choices import ALLOWED_TRANSITIONS, MAIN_PATH, ApprovalStatus, CaseStage, needs_approval
from homecoming.cases.filters import CaseFilterSet
from homecoming.cases.models import ApprovalRequest, Assessment, Case, CaseTransition, Consent, ConsentScopeEntry
from homecoming.cases.rules import move_refusal
from homecoming.core.access import ROLE_PERMISSIONS, Perm, cases_visible_to, has_perm
from homecoming.registry.models import Person

__all__ = [
    "CaseAbilities",
    "NextMove",
    "approval_list",
    "assessment_list",
    "assignable_users",
    "case_abilities",
    "case_approvals",
    "case_assessments",
    "case_consents",
    "case_filterset",
    "case_history",
    "case_list",
    "case_next_moves",
    "case_tab_counts",
    "cases_for_person",
    "consent_list",
    "pending_approval",
    "person_search_q",
]


def person_search_q(text: str, prefix: str = "person__") -> Q:
    """A filter matching persons by name, for ``?q=``.

    Uses the registry's name search when it offers one (names in every script and spelling),
    otherwise the display name.
    """
    text = (text or "").strip()
    if not text:
        return Q()
    try:
        registry_selectors = importlib.import_module("homecoming.registry.selectors")
    except ImportError:  # the registry offers no name search yet
        registry_selectors = None
    search = getattr(registry_selectors, "person_name_q", None)
    if search is not None:
        return search(text, prefix=prefix)
    return Q(**{f"{prefix}display_name__icontains": text})


def case_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Case]:
    """The cases ``user`` may see, filtered (``CaseFilterSet``), with what a list row shows."""
    qs = cases_visible_to(user).select_related("person", "owner_agency", "assigned_to")
    return CaseFilterSet(filters or {}, queryset=qs, user=user).qs


def cases_for_person(*, user: Any, person: Person) -> QuerySet[Case]:
    """The cases of ``person`` that ``user`` may see (for the person page's case tab)."""
    return cases_visible_to(user).filter(person=person).select_related("owner_agency", "assigned_to")


def case_history(*, case: Case) -> QuerySet[CaseTransition]:
    return case.transitions.select_related("by", "approval", "approval__requested_by", "approval__decided_by").order_by(
        "-at", "-id"
    )


def case_assessments(*, case: Case) -> QuerySet[Assessment]:
    return case.assessments.select_related("assessor", "recorded_by").order_by("-assessed_on", "-id")


def _consents_prefetched(qs: QuerySet[Consent]) -> QuerySet[Consent]:
    return qs.select_related("recorded_by", "withdrawn_by", "given_by_person").prefetch_related(
        Prefetch("scope_entries", queryset=ConsentScopeEntry.objects.order_by("scope"))
    )


def case_consents(*, case: Case) -> QuerySet[Consent]:
    return _consents_prefetched(case.consents.order_by("-given_on", "-id"))


def case_approvals(*, case: Case) -> QuerySet[ApprovalRequest]:
    return case.approval_requests.select_related("requested_by", "decided_by").order_by("-requested_at", "-id")


def approval_list(*, user: Any, status: str = ApprovalStatus.PENDING) -> QuerySet[ApprovalRequest]:
    """Approval requests on cases ``user`` may approve (pending ones first by age)."""
    visible = cases_visible_to(user, Perm.CASE_APPROVE)
    qs = ApprovalRequest.objects.filter(case__in=visible.values("pk")).select_related(
        "case", "case__person", "case__owner_agency", "case__assigned_to", "requested_by", "decided_by"
    )
    if status:
        qs = qs.filter(status=status)
    if status == ApprovalStatus.PENDING:
        return qs.order_by("requested_at", "id")
    return qs.order_by("-requested_at", "-id")


def assessment_list(*, user: Any) -> QuerySet[Assessment]:
    visible = cases_visible_to(user)
    return (
        Assessment.objects.filter(case__in=visible.values("pk"))
        .select_related("case", "assessor", "recorded_by")
        .order_by("-assessed_on", "-id")
    )


def consent_list(*, user: Any) -> QuerySet[Consent]:
    visible = cases_visible_to(user)
    return _consents_prefetched(Consent.objects.filter(case__in=visible.values("pk")).select_related("case")).order_by(
        "-given_on", "-id"
    )


@dataclass(frozen=True)
class NextMove:
    """A move the case page offers: to which stage, whether it needs approval, why it is blocked."""

    stage: CaseStage
    needs_approval: bool
    blocked_by: str = ""

    @property
    def label(self) -> str:
        return str(self.stage.label)

    @property
    def is_forward(self) -> bool:
        return self.stage in MAIN_PATH


def case_next_moves(*, case: Case) -> list[NextMove]:
    """The moves allowed from the case's stage, main path first, each with what blocks it now."""
    current = CaseStage(case.stage)
    candidates = ALLOWED_TRANSITIONS[current]
    if current == CaseStage.ON_HOLD:
        candidates = frozenset(s for s in candidates if s in (case.held_from_stage, CaseStage.CLOSED))
    order = list(CaseStage)
    pending = case.approval_requests.filter(status=ApprovalStatus.PENDING).exists()
    moves = []
    for stage in sorted(candidates, key=order.index):
        approval = needs_approval(current, stage)
        refusal: ValidationError | None = move_refusal(case, stage)
        if refusal is not None:
            blocked = " ".join(str(m) for m in refusal.messages)
        elif approval and pending:
            blocked = str(_("A request is already waiting for a manager's decision."))
        else:
            blocked = ""
        moves.append(NextMove(stage=stage, needs_approval=approval, blocked_by=blocked))
    return moves


def pending_approval(*, case: Case) -> ApprovalRequest | None:
    return case.approval_requests.filter(status=ApprovalStatus.PENDING).select_related("requested_by").first()


def assignable_users(*, agency_ids: set[int]) -> QuerySet[User]:
    """Active users holding a case-working role in one of ``agency_ids``."""
    roles = [role for role in Role if Perm.CASE_VIEW in ROLE_PERMISSIONS[role]]
    return (
        User.objects.filter(
            is_active=True,
            memberships__agency_id__in=agency_ids,
            memberships__agency__is_active=True,
            memberships__role__in=roles,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def case_filterset(*, user: Any, data: Any) -> CaseFilterSet:
    """The case list's filters over the cases ``user`` may see (the page renders its form)."""
    qs = cases_visible_to(user).select_related("person", "owner_agency", "assigned_to")
    return CaseFilterSet(data, queryset=qs, user=user)


@dataclass(frozen=True)
class CaseAbilities:
    """What ``user`` may do on one case, for showing buttons (the views check again)."""

    change: bool
    transition: bool
    approve: bool
    assess: bool
    consent: bool


def case_abilities(*, user: Any, case: Case) -> CaseAbilities:
    perms = {
        "change": Perm.CASE_CHANGE,
        "transition": Perm.CASE_TRANSITION,
        "approve": Perm.CASE_APPROVE,
        "assess": Perm.ASSESSMENT_RECORD,
        "consent": Perm.CONSENT_RECORD,
    }
    held = {name: perm for name, perm in perms.items() if has_perm(user, perm)}
    found: dict[str, bool] = dict.fromkeys(perms, False)
    if held:
        row = (
            Case.objects.filter(pk=case.pk)
            .annotate(
                **{
                    f"can_{name}": Exists(cases_visible_to(user, perm).filter(pk=OuterRef("pk")))
                    for name, perm in held.items()
                }
            )
            .values(*[f"can_{name}" for name in held])
            .first()
        )
        if row:
            found.update({name: bool(row[f"can_{name}"]) for name in held})
    return CaseAbilities(**found)


def case_tab_counts(*, case: Case) -> dict[str, int]:
    row = (
        Case.objects.filter(pk=case.pk)
        .annotate(
            n_assessments=_count(Assessment),
            n_consents=_count(Consent),
            n_transitions=_count(CaseTransition),
            n_approvals=_count(ApprovalRequest),
        )
        .values("n_assessments", "n_consents", "n_transitions", "n_approvals")
        .first()
    )
    row = row or {}
    return {
        "assessments": row.get("n_assessments") or 0,
        "consents": row.get("n_consents") or 0,
        "history": row.get("n_transitions") or 0,
        "approvals": row.get("n_approvals") or 0,
    }


def _count(model: Any) -> Subquery:
    return Subquery(
        model.objects.filter(case=OuterRef("pk")).order_by().values("case").annotate(n=Count("pk")).values("n")[:1]
    )
