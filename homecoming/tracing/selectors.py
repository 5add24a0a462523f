"""Reading tracing requests and what the search proposes for them.

A proposal may be a person registered by another agency. The worker then sees that there is a likely
match, how likely and why (the levels of the evidence), and which agency keeps the record, but not the
record itself: no name, no date, no link. Deciding on it is for that agency.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from homecoming.core.access import persons_visible_to, tracing_requests_visible_to
from homecoming.matching.selectors import FIELD_LABELS, LEVEL_TEXT
from homecoming.tracing.models import MatchStatus, TracingMatch, TracingRequest, TracingStatus

LABELS: dict[str, Promise] = {**FIELD_LABELS, "mother_name": _("Mother's name")}


@dataclass(frozen=True)
class Reason:
    label: Promise | str
    text: Promise | str
    weight: float

    @property
    def direction(self) -> str:
        if self.weight > 0.5:
            return "for"
        if self.weight < -0.5:
            return "against"
        return "neutral"


@dataclass(frozen=True)
class Proposal:
    match: TracingMatch
    visible: bool
    holder: str
    reasons: list[Reason]

    @property
    def percent(self) -> int:
        return round(self.match.probability * 100)


def request_list(*, user: Any, text: str = "", status: str = "") -> QuerySet[TracingRequest]:
    """The requests of the user's agencies, newest first; ``text`` in a name or the reference (T-00012)."""
    qs = tracing_requests_visible_to(user).select_related("owner_agency")
    text = (text or "").strip()[:200]
    if text:
        digits = text.upper().removeprefix("T-").lstrip("0")
        q = Q(sought_names__icontains=text) | Q(requester_name__icontains=text)
        if digits.isdigit():
            q |= Q(pk=int(digits))
        qs = qs.filter(q)
    if status in TracingStatus.values:
        qs = qs.filter(status=status)
    return qs.annotate(
        pending=Count("matches", filter=Q(matches__status=MatchStatus.PENDING)),
    ).order_by("-created_at", "-id")


def _reasons(match: TracingMatch) -> list[Reason]:
    rows = []
    for item in match.reasons:
        field = str(item.get("field", ""))
        kind = "name" if field.endswith("_name") else field
        level = str(item.get("level", ""))
        rows.append(
            Reason(
                label=LABELS.get(field, field),
                text=LEVEL_TEXT.get(kind, {}).get(level, level),
                weight=float(item.get("weight", 0.0)),
            )
        )
    return rows


def request_proposals(*, user: Any, request: TracingRequest) -> list[Proposal]:
    """What the search proposes, most likely first; records out of the user's scope without their details."""
    matches = list(request.matches.select_related("person", "person__owner_agency", "decided_by"))
    visible = set(persons_visible_to(user).filter(pk__in=[m.person_id for m in matches]).values_list("pk", flat=True))
    return [
        Proposal(
            match=m,
            visible=m.person_id in visible,
            holder=m.person.owner_agency.name,
            reasons=_reasons(m),
        )
        for m in matches
    ]


def visible_person_ids(proposals: list[Proposal]) -> list[int]:
    return [p.match.person_id for p in proposals if p.visible]
