"""Tracing requests: recording them, searching the registry for the person sought, deciding.

The search is the matching engine's (``matching.selectors.likely_duplicates``): every spelling the family
gives, in any script, against every name of every registered person, with the date of birth as a range
(families give ages) and the sex; the mother's name, when the family gives it and the registry knows the
candidate's mother, adds its own evidence (Fellegi-Sunter: independent evidence adds in bits). The whole
registry is searched, not only the records of the worker's agency: a child may be registered by another
agency. What the worker may then see of a match outside their scope is decided in ``selectors``.

Requests are searched when recorded or changed, when a worker asks, when a person's name is written
(``signals``: the new name against every open request) and by ``manage.py tracing search`` (cron) or the
"Search all open requests again" job. A request whose consent was withdrawn is never searched again and
its undecided matches are dropped.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Agency, User
from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record
from homecoming.core.access import Perm, Scope, agencies_with, persons_visible_to
from homecoming.matching.engine.compare import Person as EnginePerson
from homecoming.matching.engine.model import score_pair
from homecoming.matching.selectors import engine_person, likely_duplicates
from homecoming.registry.choices import Relation, Sex
from homecoming.registry.models import FamilyLink, Person, PersonName
from homecoming.registry.names import as_written, has_letter
from homecoming.tracing.models import MatchStatus, TracingMatch, TracingRequest, TracingStatus

__all__ = [
    "MAX_MATCHES",
    "REQUEST_FIELDS",
    "SEARCH_THRESHOLD",
    "SearchOutcome",
    "tracing_consent_withdraw",
    "tracing_match_decide",
    "tracing_match_persons",
    "tracing_request_close",
    "tracing_request_create",
    "tracing_request_update",
    "tracing_search",
    "tracing_search_open",
]

#: Possible matches at or above this probability are kept for a worker to review.
SEARCH_THRESHOLD = 0.2
MAX_MATCHES = 20
MAX_NAMES = 10
REQUEST_FIELDS = (
    "requester_name",
    "requester_relation",
    "requester_contact",
    "requester_district",
    "sought_names",
    "sought_sex",
    "sought_birth_date_min",
    "sought_birth_date_max",
    "sought_mother_name",
    "sought_father_name",
    "last_known_place",
    "last_known_country",
    "last_known_on",
    "circumstances",
    "consent_on",
)


@dataclass(frozen=True)
class SearchOutcome:
    found: int
    new: int
    dropped: int


# --- recording -----------------------------------------------------------------------------------


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    out = {key: values[key] for key in REQUEST_FIELDS if key in values}
    errors: dict[str, list[Any]] = {}
    for key in ("requester_name", "sought_mother_name", "sought_father_name", "last_known_place"):
        if key in out:
            out[key] = as_written(out[key] or "")
    if "requester_name" in out and not has_letter(out["requester_name"]):
        errors.setdefault("requester_name", []).append(_("Write the name of the relative asking."))
    if "sought_names" in out:
        lines = [as_written(line) for line in (out["sought_names"] or "").splitlines()]
        lines = [line for line in lines if line]
        if not any(has_letter(line) for line in lines):
            errors.setdefault("sought_names", []).append(_("Write at least one name of the person sought."))
        elif len(lines) > MAX_NAMES:
            errors.setdefault("sought_names", []).append(
                _("Give at most %(max)s spellings, one per line.") % {"max": MAX_NAMES}
            )
        elif any(len(line) > 300 for line in lines):
            errors.setdefault("sought_names", []).append(_("A name can have at most 300 characters."))
        out["sought_names"] = "\n".join(lines)
    if out.get("sought_sex", Sex.UNKNOWN) not in Sex.values:
        errors.setdefault("sought_sex", []).append(_("Choose the sex."))
    today = timezone.localdate()
    for key in ("consent_on", "last_known_on", "sought_birth_date_min", "sought_birth_date_max"):
        value = out.get(key)
        if isinstance(value, dt.date) and value > today:
            errors.setdefault(key, []).append(_("The date cannot be in the future."))
    if "consent_on" in out and not out["consent_on"]:
        errors.setdefault("consent_on", []).append(
            _("A request can be recorded only with the consent of the relative asking: give its date.")
        )
    low, high = out.get("sought_birth_date_min"), out.get("sought_birth_date_max")
    if low and high and low > high:
        errors.setdefault("sought_birth_date_max", []).append(
            _("The latest date of birth comes before the earliest one.")
        )
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def tracing_request_create(*, by: User, owner_agency: Agency, values: Mapping[str, Any]) -> TracingRequest:
    """Record a relative's request and search the registry at once."""
    if owner_agency.pk not in agencies_with(by, Perm.TRACING_RECORD, Scope.AGENCY):
        raise ValidationError({"owner_agency": [_("You can record requests only for an agency you work in.")]})
    request = TracingRequest(owner_agency=owner_agency, created_by=by, **_clean(values))
    request.full_clean()
    request.save()
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=request,
        changed_fields=[key for key in REQUEST_FIELDS if getattr(request, key) not in ("", None)],
    )
    tracing_search(request=request, by=by)
    return request


@transaction.atomic
def tracing_request_update(*, request: TracingRequest, by: User, values: Mapping[str, Any]) -> list[str]:
    """Correct or complete a request; an open one is searched again."""
    clean = _clean(values)
    changed = [key for key, value in clean.items() if getattr(request, key) != value]
    if not changed:
        return []
    for key in changed:
        setattr(request, key, clean[key])
    request.full_clean()
    request.save()
    audit_record(actor=by, action=AuditAction.CHANGE, obj=request, changed_fields=changed)
    tracing_search(request=request, by=by)
    return changed


@transaction.atomic
def tracing_consent_withdraw(*, request: TracingRequest, by: User, on: dt.date) -> TracingRequest:
    """The relative withdrew their consent: the request closes, is never searched again, and the
    proposals no one decided on are dropped (decisions already taken stay, with their history)."""
    if on > timezone.localdate():
        raise ValidationError({"consent_withdrawn_on": [_("The date cannot be in the future.")]})
    if on < request.consent_on:
        raise ValidationError({"consent_withdrawn_on": [_("Consent cannot be withdrawn before it was given.")]})
    request.consent_withdrawn_on = on
    request.status = TracingStatus.CLOSED
    request.closed_reason = str(_("Consent withdrawn."))
    request.save(update_fields=["consent_withdrawn_on", "status", "closed_reason", "updated_at"])
    dropped, _details = request.matches.filter(status=MatchStatus.PENDING).delete()
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        obj=request,
        changed_fields=["consent_withdrawn_on", "status"],
        detail={"pending_matches_dropped": dropped},
    )
    return request


@transaction.atomic
def tracing_request_close(*, request: TracingRequest, by: User, reason: str) -> TracingRequest:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"closed_reason": [_("Say why the request is closed.")]})
    request.status = TracingStatus.CLOSED
    request.closed_reason = reason[:300]
    request.save(update_fields=["status", "closed_reason", "updated_at"])
    audit_record(actor=by, action=AuditAction.CHANGE, obj=request, changed_fields=["status", "closed_reason"])
    return request


@transaction.atomic
def tracing_match_decide(*, match: TracingMatch, by: User, status: str, note: str = "") -> TracingMatch:
    """A worker's decision on a proposed person. Only a record the worker may see can be confirmed or
    rejected; a confirmation marks the request found."""
    if status not in (MatchStatus.CONFIRMED, MatchStatus.REJECTED, MatchStatus.PENDING):
        raise ValidationError({"status": [_("Choose a decision.")]})
    if not persons_visible_to(by).filter(pk=match.person_id).exists():
        raise PermissionDenied(_("This record is kept by another agency; ask them to check it."))
    if status == MatchStatus.CONFIRMED and not (note or "").strip():
        raise ValidationError({"note": [_("Say how the match was confirmed (what the family recognised).")]})
    match.status = status
    match.note = (note or "").strip()
    match.decided_by = by if status != MatchStatus.PENDING else None
    match.decided_at = timezone.now() if status != MatchStatus.PENDING else None
    match.save(update_fields=["status", "note", "decided_by", "decided_at", "updated_at"])
    request = match.request
    if status == MatchStatus.CONFIRMED and request.status == TracingStatus.OPEN:
        request.status = TracingStatus.FOUND
        request.save(update_fields=["status", "updated_at"])
    elif request.status == TracingStatus.FOUND and not request.matches.filter(status=MatchStatus.CONFIRMED).exists():
        request.status = TracingStatus.OPEN  # the only confirmation was taken back
        request.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        obj=request,
        changed_fields=["matches"],
        detail={"person": match.person_id, "decision": status},
    )
    return match


# --- searching -----------------------------------------------------------------------------------


def _split(text: str) -> tuple[str, str]:
    parts = text.split(maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else (text, "")


def _with_weight(probability: float, bits: float) -> float:
    """The probability after adding ``bits`` of independent evidence (odds multiplied by 2^bits)."""
    probability = min(max(probability, 1e-9), 1 - 1e-9)
    odds = probability / (1 - probability) * math.pow(2.0, bits)
    return odds / (1 + odds)


def _mother_evidence(request: TracingRequest, person: Person) -> dict[str, Any] | None:
    """The mother's name the family gave against the names of the candidate's recorded mother."""
    if not request.sought_mother_name:
        return None
    # Stored links say what ``person`` is to ``relative``: the mother is the link's person.
    link = FamilyLink.objects.filter(relative=person, relation=Relation.MOTHER).select_related("person").first()
    if link is None:
        return None
    given, family = _split(request.sought_mother_name)
    query = EnginePerson.build(given=given, family=family)
    best: float | None = None
    level = ""
    for name in PersonName.objects.filter(person=link.person):
        result = score_pair(query, engine_person(link.person, name))
        bits = sum(w.weight for w in result.explanation if w.field in ("given_name", "family_name"))
        if best is None or bits > best:
            best = bits
            level = max((w for w in result.explanation if w.field == "given_name"), key=lambda w: w.weight).level
    if best is None:
        return None
    return {"field": "mother_name", "level": level, "weight": round(best, 1)}


def _found(request: TracingRequest, among: Any) -> dict[int, tuple[float, str, list[dict[str, Any]]]]:
    """Person id -> (probability, matched name, reasons) over every spelling of the request."""
    best: dict[int, tuple[float, str, list[dict[str, Any]]]] = {}
    for text in request.names:
        given, family = _split(text)
        for hit in likely_duplicates(
            user=None,
            among=among,
            given_name=given,
            family_name=family,
            birth_date_min=request.sought_birth_date_min,
            birth_date_max=request.sought_birth_date_max,
            sex=request.sought_sex if request.sought_sex != Sex.UNKNOWN else "",
            threshold=SEARCH_THRESHOLD / 4,  # the mother's name may still lift it
            limit=MAX_MATCHES * 2,
            max_candidates=1000,  # a common name in a large registry has many candidates; a request is searched rarely
        ):
            reasons = [{"field": r.field, "level": r.level, "weight": r.weight} for r in hit.reasons]
            probability = hit.probability
            mother = _mother_evidence(request, hit.person)
            if mother is not None:
                reasons.append(mother)
                probability = _with_weight(probability, mother["weight"])
            if probability < SEARCH_THRESHOLD:
                continue
            if hit.person.pk not in best or probability > best[hit.person.pk][0]:
                best[hit.person.pk] = (probability, hit.name.full_name, reasons)
    return best


def _store(
    request: TracingRequest, found: Mapping[int, tuple[float, str, list[dict[str, Any]]]], *, drop: bool
) -> SearchOutcome:
    existing = {m.person_id: m for m in request.matches.all()}
    kept = dict(sorted(found.items(), key=lambda item: -item[1][0])[:MAX_MATCHES])
    new = 0
    for person_id, (probability, name, reasons) in kept.items():
        match = existing.get(person_id)
        if match is None:
            TracingMatch.objects.create(
                request=request, person_id=person_id, probability=probability, matched_name=name, reasons=reasons
            )
            new += 1
        elif (match.probability, match.matched_name, match.reasons) != (probability, name, reasons):
            match.probability, match.matched_name, match.reasons = probability, name, reasons
            match.save(update_fields=["probability", "matched_name", "reasons", "updated_at"])
    dropped = 0
    if drop:
        stale = [m.pk for pid, m in existing.items() if pid not in kept and m.status == MatchStatus.PENDING]
        dropped, _details = TracingMatch.objects.filter(pk__in=stale).delete()
    return SearchOutcome(found=len(kept), new=new, dropped=dropped)


@transaction.atomic
def tracing_search(*, request: TracingRequest, by: User | None = None) -> SearchOutcome:
    """Search the whole registry for the person a request seeks; keep the proposals above the threshold
    (decisions already taken stay; undecided proposals no longer found are dropped)."""
    if not request.is_searching:
        return SearchOutcome(found=0, new=0, dropped=0)
    outcome = _store(request, _found(request, Person.objects.all()), drop=True)
    request.last_searched_at = timezone.now()
    request.save(update_fields=["last_searched_at"])
    audit_record(
        actor=by,
        action=AuditAction.SEARCH,
        obj=request,
        object_ids=list(request.matches.values_list("person_id", flat=True)),
        purpose="tracing",
        detail={"found": outcome.found, "new": outcome.new, "dropped": outcome.dropped},
    )
    return outcome


def tracing_search_open(*, progress: Any = None) -> dict[str, int]:
    """Search every open request again (the job and ``manage.py tracing search``)."""
    ids = list(
        TracingRequest.objects.filter(status=TracingStatus.OPEN, consent_withdrawn_on__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    totals = {"requests": len(ids), "found": 0, "new": 0}
    for done, pk in enumerate(ids, start=1):
        request = TracingRequest.objects.get(pk=pk)
        outcome = tracing_search(request=request)
        totals["found"] += outcome.found
        totals["new"] += outcome.new
        if progress is not None:
            progress(done, len(ids))
    return totals


@transaction.atomic
def tracing_match_persons(*, person_ids: list[int]) -> int:
    """Persons' names were written: look for them in every open request (new proposals only; the
    request's own searches keep the rest up to date). One search per request and spelling, however many
    persons. Returns the number of new proposals."""
    among = Person.objects.filter(pk__in=person_ids)
    new = 0
    for request in TracingRequest.objects.filter(status=TracingStatus.OPEN, consent_withdrawn_on__isnull=True):
        proposed = _proposed(request)
        found = {pk: hit for pk, hit in _found(request, among).items() if pk not in proposed}
        if found:
            outcome = _store(request, found, drop=False)
            new += outcome.new
            audit_record(
                actor=None,
                action=AuditAction.SEARCH,
                obj=request,
                object_ids=sorted(found),
                purpose="tracing",
                detail={"new_persons": sorted(found)},
            )
    return new


def _proposed(request: TracingRequest) -> set[int]:
    return set(request.matches.values_list("person_id", flat=True))
