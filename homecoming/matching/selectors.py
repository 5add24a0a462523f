"""Reading possible duplicates for review: the queue, one pair side by side with the evidence, merges.

The evidence is the engine's (:func:`homecoming.matching.engine.model.score_pair`): every name of one person
is compared with every name of the other, and the best-scoring pair of names is explained field by field, in
bits (a positive weight speaks for "same person", a negative one against). The batch run's own evidence
(Splink's comparison levels) is shown beside it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import BigIntegerField, Case, ExpressionWrapper, F, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from homecoming.core.access import Perm, persons_visible_to, require_perm
from homecoming.matching.engine.compare import Person as EnginePerson
from homecoming.matching.engine.model import Score, score_pair
from homecoming.matching.models import DuplicateCandidate, DuplicateStatus, PersonMerge
from homecoming.registry.choices import BirthDatePrecision
from homecoming.registry.models import NameKey, Person, PersonName
from homecoming.registry.names import query_token_keys

__all__ = [
    "FIELD_LABELS",
    "BatchEvidenceRow",
    "Evidence",
    "batch_evidence",
    "candidate_evidence",
    "candidate_get",
    "candidate_queue",
    "engine_person",
    "likely_duplicates",
    "merge_get",
]

FIELD_LABELS: dict[str, Promise] = {
    "given_name": _("Given name"),
    "family_name": _("Family name"),
    "birth_date": _("Date of birth"),
    "sex": _("Sex"),
}

# What each level of the engine means, in words a reviewer can check against the two records.
LEVEL_TEXT: dict[str, dict[str, Promise]] = {
    "name": {
        "exact": _("the same name (once written in one script)"),
        "strong": _("the same name in another spelling or script"),
        "fair": _("similar names"),
        "weak": _("somewhat alike"),
        "different": _("different names"),
        "missing": _("missing on one side"),
    },
    "birth_date": {
        "exact": _("the same date"),
        "close": _("within a month, or day and month swapped"),
        "compatible": _("an estimated date fits the other"),
        "near": _("a few years apart"),
        "different": _("far apart"),
        "missing": _("missing on one side"),
    },
    "sex": {
        "agree": _("the same"),
        "disagree": _("different"),
        "missing": _("unknown on one side"),
    },
}


# The batch run's comparisons and levels (their labels in ``batch/model.py``), in the reader's language.
BATCH_COMPARISON_TEXT: dict[str, Promise] = {"name": _("Names"), "birth_date": _("Date of birth"), "sex": _("Sex")}
BATCH_LEVEL_TEXT: dict[str, Promise] = {
    "missing": _("missing on one side"),
    "Same romanised names": _("the same names, in the same or another script"),
    "Same phonetic skeletons": _("the same names in another spelling or script"),
    "Both names close": _("both names close"),
    "Family name close, given name somewhat alike": _("family name close, given name somewhat alike"),
    "Family name close, given name different": _("family name close, given name different"),
    "Given name close, family name somewhat alike": _("given name close, family name somewhat alike"),
    "Given name close, family name different": _("given name close, family name different"),
    "Names different": _("different names"),
    "Same exact date": _("the same date"),
    "Exact dates within a month, or day and month swapped": _("within a month, or day and month swapped"),
    "Ranges overlap (an estimated date fits)": _("an estimated date fits the other"),
    "Within a year of the range": _("within a year"),
    "Within three years of the range": _("within three years"),
    "Further apart": _("far apart"),
    "Same sex": _("the same"),
    "Different sex": _("different"),
}


@dataclass(frozen=True)
class BatchEvidenceRow:
    comparison: str | Promise
    level: str | Promise
    weight: float | None


def batch_evidence(candidate: DuplicateCandidate) -> list[BatchEvidenceRow]:
    """What the deduplication run saw for this pair, comparison by comparison, in the reader's language."""
    rows = []
    for key, value in candidate.evidence.items():
        if not isinstance(value, dict):
            continue
        level = str(value.get("level", ""))
        rows.append(
            BatchEvidenceRow(
                comparison=BATCH_COMPARISON_TEXT.get(key, key),
                level=BATCH_LEVEL_TEXT.get(level, level),
                weight=value.get("weight"),
            )
        )
    return rows


def candidate_queue(*, user: Any, status: str = DuplicateStatus.PENDING) -> QuerySet[DuplicateCandidate]:
    """Pairs of persons the user may both change, most likely first."""
    require_perm(user, Perm.MATCH_REVIEW)
    if status not in DuplicateStatus.values:
        status = DuplicateStatus.PENDING
    visible = persons_visible_to(user, Perm.PERSON_CHANGE).values("pk")
    return (
        DuplicateCandidate.objects.filter(status=status, person_a__in=visible, person_b__in=visible)
        .select_related("person_a", "person_b", "decided_by")
        .order_by("-probability", "id")
    )


def candidate_get(*, user: Any, pk: int) -> DuplicateCandidate:
    """One pair (any status) if the user may review it: 403 without the permission, 404 out of scope."""
    require_perm(user, Perm.MATCH_REVIEW)
    visible = persons_visible_to(user, Perm.PERSON_CHANGE).values("pk")
    candidate = (
        DuplicateCandidate.objects.filter(pk=pk, person_a__in=visible, person_b__in=visible)
        .select_related("person_a", "person_b", "run", "decided_by")
        .first()
    )
    if candidate is None:
        raise Http404
    return candidate


def merge_get(*, user: Any, pk: int) -> PersonMerge:
    """One merge if the user may review and may change its surviving record."""
    require_perm(user, Perm.MATCH_REVIEW)
    visible = persons_visible_to(user, Perm.PERSON_CHANGE).values("pk")
    merge = PersonMerge.objects.filter(pk=pk, survivor__in=visible).select_related("survivor", "merged_by").first()
    if merge is None:
        raise Http404
    return merge


def _split(name: PersonName) -> tuple[str, str]:
    if name.given_name or name.family_name:
        return name.given_name, name.family_name
    parts = name.full_name.split(maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else (name.full_name, "")


def engine_person(person: Person, name: PersonName) -> EnginePerson:
    """One name of a registered person as the engine's record (an estimated date carries its range)."""
    given, family = _split(name)
    estimated = person.birth_date is not None and person.birth_date_precision != BirthDatePrecision.EXACT
    uncertainty = None
    if estimated and person.birth_date_min and person.birth_date_max:
        uncertainty = max((person.birth_date_max - person.birth_date_min).days // 2, 1)
    return EnginePerson.build(
        given=given,
        family=family,
        birth_date=person.birth_date,
        birth_date_estimated=estimated,
        birth_uncertainty_days=uncertainty,
        sex=person.sex,
    )


@dataclass(frozen=True)
class EvidenceRow:
    field: str
    label: Promise | str
    level: str
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
class Evidence:
    """The engine's verdict on the best pair of names of two persons."""

    left_name: PersonName
    right_name: PersonName
    score: Score
    rows: list[EvidenceRow]
    names_compared: int

    @property
    def probability(self) -> float:
        return self.score.probability


def candidate_evidence(candidate: DuplicateCandidate) -> Evidence | None:
    """Score every name of one person against every name of the other; explain the best pair."""
    left_names = list(candidate.person_a.names.all())
    right_names = list(candidate.person_b.names.all())
    best: tuple[Score, PersonName, PersonName] | None = None
    for left, right in itertools.product(left_names, right_names):
        result = score_pair(engine_person(candidate.person_a, left), engine_person(candidate.person_b, right))
        if best is None or result.probability > best[0].probability:
            best = (result, left, right)
    if best is None:
        return None
    result, left, right = best
    rows = _reasons(result)
    return Evidence(
        left_name=left, right_name=right, score=result, rows=rows, names_compared=len(left_names) * len(right_names)
    )


# --------------------------------------------------------------------------------------------------
# Real-time warning: likely duplicates of a person being registered or edited
# --------------------------------------------------------------------------------------------------

#: ``person_id + 0``: read the key index first, not the person id index (see registry.selectors).
_PERSON_ID = ExpressionWrapper(F("person_id") + 0, output_field=BigIntegerField())
#: An estimated date may be off by this much beyond its stated range; farther apart is not a candidate.
_BIRTH_SLACK = dt.timedelta(days=3 * 366)
_MAX_TOKENS = 4


@dataclass(frozen=True)
class LikelyDuplicate:
    person: Person
    probability: float
    reasons: list[EvidenceRow]
    name: PersonName


#: Up to this many persons sharing keys with the name are read as ids first (below).
_CANDIDATE_IDS_CAP = 5000


def _key_groups(token_keys: list[set[str]]) -> Sequence[Sequence[set[str]]]:
    return [token_keys] if len(token_keys) <= 2 else list(itertools.combinations(token_keys, len(token_keys) - 1))


def _candidate_ids(token_keys: list[set[str]]) -> list[int] | None:
    """The ids of the persons sharing a key with every token of the name (as ``_candidate_q``), or ``None``
    when there are more than ``_CANDIDATE_IDS_CAP``. The key lists are intersected first (``INTERSECT``), so
    that only the persons in the intersection are looked at: for two common names (tens of thousands of persons
    with each in a registry of a million) the database would otherwise check every person of the first list."""
    table = NameKey._meta.db_table
    parts: list[str] = []
    params: list[Any] = []
    for position, group in enumerate(_key_groups(token_keys)):
        selects = []
        for keys in group:
            ordered = sorted(keys)
            selects.append(f"SELECT person_id FROM {table} WHERE key IN ({', '.join(['%s'] * len(ordered))})")  # noqa: S608
            params.extend(ordered)
        parts.append(f"SELECT person_id FROM ({' INTERSECT '.join(selects)}) AS group_{position}")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"{' UNION '.join(parts)} LIMIT {_CANDIDATE_IDS_CAP + 1}", params)
        ids = [row[0] for row in cursor.fetchall()]
    return ids if len(ids) <= _CANDIDATE_IDS_CAP else None


def _candidate_q(token_keys: list[set[str]]) -> Q:
    """Persons sharing a key with every token of the name (with more than two tokens: all but one of them)."""
    q = Q(pk__in=[])
    for group in _key_groups(token_keys):
        group_q = Q()
        for keys in group:
            group_q &= Q(pk__in=NameKey.objects.filter(key__in=sorted(keys)).values_list(_PERSON_ID))
        q |= group_q
    return q


def _query_person(
    given_name: str, family_name: str, birth_date: dt.date | None, low: dt.date | None, high: dt.date | None, sex: str
) -> EnginePerson:
    estimated = low is not None and high is not None and low != high
    uncertainty = max((high - low).days // 2, 1) if estimated and low and high else None
    if birth_date is None and low is not None and high is not None:
        birth_date = low + (high - low) / 2
    return EnginePerson.build(
        given=given_name,
        family=family_name,
        birth_date=birth_date,
        birth_date_estimated=estimated,
        birth_uncertainty_days=uncertainty,
        sex=sex,
    )


def _reasons(score: Score) -> list[EvidenceRow]:
    rows = []
    for item in score.explanation:
        kind = "name" if item.field.endswith("_name") else item.field
        rows.append(
            EvidenceRow(
                field=item.field,
                label=FIELD_LABELS.get(item.field, item.field),
                level=item.level,
                text=LEVEL_TEXT.get(kind, {}).get(item.level, item.level),
                weight=round(item.weight, 1),
            )
        )
    return rows


def likely_duplicates(
    *,
    user: Any,
    given_name: str = "",
    family_name: str = "",
    birth_date: dt.date | None = None,
    birth_date_min: dt.date | None = None,
    birth_date_max: dt.date | None = None,
    sex: str = "",
    exclude: int | None = None,
    threshold: float = 0.5,
    limit: int = 5,
    max_candidates: int = 100,
    among: QuerySet[Person] | None = None,
) -> list[LikelyDuplicate]:
    """Registered persons (visible to ``user``) who are likely the person being typed in, most likely first,
    each with its probability and per-field reasons (the engine's weights, in bits).

    Indexed, not a scan: candidates share a search key (``NameKey``) with each token of the name, in any
    script or order, and a date of birth within three years of the range given (or none); persons of the
    other sex and pairs already decided "different people" with ``exclude`` are left out. At most
    ``max_candidates`` are scored by the engine (best pair of names), those at ``threshold`` or above kept."""
    full = f"{given_name} {family_name}".strip()
    token_keys = [keys for keys, _roman in query_token_keys(full) if keys][:_MAX_TOKENS]
    if not token_keys:
        return []
    low = birth_date_min or birth_date
    high = birth_date_max or birth_date
    # ``among``: another set of persons to search (tracing searches the whole registry and shows
    # only the minimum about records out of the user's scope).
    base = among if among is not None else persons_visible_to(user, Perm.PERSON_VIEW)
    ids = _candidate_ids(token_keys)
    qs = base.filter(pk__in=ids) if ids is not None else base.filter(_candidate_q(token_keys))
    if low is not None and high is not None:
        qs = qs.filter(Q(birth_date__isnull=True) | Q(birth_date__range=(low - _BIRTH_SLACK, high + _BIRTH_SLACK)))
    opposite = {"F": "M", "M": "F"}.get((sex or "").upper()[:1])
    if opposite:
        qs = qs.exclude(sex=opposite)
    if exclude is not None:
        decided = DuplicateCandidate.objects.filter(status=DuplicateStatus.NOT_SAME)
        qs = (
            qs.exclude(pk=exclude)
            .exclude(pk__in=decided.filter(person_a_id=exclude).values("person_b_id"))
            .exclude(pk__in=decided.filter(person_b_id=exclude).values("person_a_id"))
        )
    # More candidates than are scored (a common name in a large registry): those born nearest the date given
    # come first, then those with no date, so the cap does not drop the likeliest person.
    ordering: list[Any] = []
    if low is not None and high is not None:
        year = dt.timedelta(days=366)
        ordering.append(
            Case(
                When(birth_date__range=(low, high), then=Value(0)),
                When(birth_date__range=(low - year, high + year), then=Value(1)),
                When(birth_date__isnull=True, then=Value(3)),
                default=Value(2),
            )
        )
    if opposite:
        ordering.append(
            Case(When(sex__in=("F", "M"), then=Value(0)), default=Value(1))
        )  # sex known (and not the opposite)
    # Two steps: the ids first (the filters and the order need only the person's dates, sex and agency, which
    # the covering index ``registry_person_match_cover`` holds: no visit to each candidate's row), then the
    # chosen persons with their names.
    chosen = list(qs.order_by(*ordering).values_list("pk", flat=True)[:max_candidates])
    candidates = list(
        Person.objects.filter(pk__in=chosen)
        .order_by()
        .only("id", "display_name", "sex", "birth_date", "birth_date_min", "birth_date_max", "birth_date_precision", "owner_agency_id")
        .prefetch_related(Prefetch("names", queryset=PersonName.objects.only("id", "person_id", "full_name", "given_name", "family_name")))
    )  # fmt: skip
    query = _query_person(given_name, family_name, birth_date, birth_date_min, birth_date_max, sex)
    found = []
    for person in candidates:
        best: tuple[Score, PersonName] | None = None
        for name in person.names.all():
            result = score_pair(query, engine_person(person, name))
            if best is None or result.probability > best[0].probability:
                best = (result, name)
        if best is not None and best[0].probability >= threshold:
            found.append(LikelyDuplicate(person=person, probability=best[0].probability, reasons=_reasons(best[0]), name=best[1]))  # fmt: skip
    found.sort(key=lambda item: (-item.probability, item.person.pk))
    return found[:limit]
