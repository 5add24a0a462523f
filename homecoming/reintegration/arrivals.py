"""When and how each returned person arrived home.

The arrival date, best source first: the reintegration plan's (confirmed by the case worker); the
actual arrival of the operation whose manifest records the person as arrived (when the operations
app is installed); the day the case moved to "returned". The operation is the one of that
manifest entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.db.models import Min
from django.utils import timezone

from homecoming.cases.choices import CaseStage
from homecoming.cases.models import CaseTransition

ARRIVED = "arrived"  # operations.choices.ManifestStatus.ARRIVED


@dataclass(frozen=True)
class Arrival:
    date: date | None
    operation_id: int | None = None
    operation: str = ""


def operations_installed() -> bool:
    return apps.is_installed("homecoming.operations")


def arrivals(case_ids: Iterable[int]) -> dict[int, Arrival]:
    """Case id -> its arrival, for every case id given (date None when nothing records it)."""
    from homecoming.reintegration.models import ReintegrationPlan

    ids = list(case_ids)
    dates: dict[int, date | None] = dict.fromkeys(ids)
    operations: dict[int, tuple[int, str]] = {}
    for case_id, at in (
        CaseTransition.objects.filter(case_id__in=ids, to_stage=CaseStage.RETURNED)
        .values("case_id")
        .annotate(first=Min("at"))
        .values_list("case_id", "first")
    ):
        dates[case_id] = timezone.localdate(at)
    if operations_installed():
        entry_model = apps.get_model("operations", "ManifestEntry")
        rows = (
            entry_model.objects.filter(case_id__in=ids, status=ARRIVED)
            .order_by("operation__actual_end", "id")
            .values_list("case_id", "operation_id", "operation__name", "operation__actual_end")
        )
        for case_id, operation_id, name, arrived in rows:
            operations[case_id] = (operation_id, name)
            if arrived is not None:
                dates[case_id] = arrived
    for case_id, arrived in ReintegrationPlan.objects.filter(case_id__in=ids).values_list("case_id", "arrival_date"):
        dates[case_id] = arrived
    return {
        case_id: Arrival(
            date=dates[case_id],
            operation_id=operations.get(case_id, (None, ""))[0],
            operation=operations.get(case_id, (None, ""))[1],
        )
        for case_id in ids
    }
