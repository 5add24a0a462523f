"""Bulk writes: ``bulk_copy`` stores what ``bulk_create`` stores (COPY on PostgreSQL)."""

from __future__ import annotations

import pytest

from homecoming.core.bulk import bulk_copy
from homecoming.core.models import Job
from homecoming.core.testing.factories import AgencyFactory

pytestmark = pytest.mark.django_db

FIELDS = ("status", "progress", "message", "params", "result", "cancel_requested", "owner_agency_id")


def _jobs(agency, kind: str) -> list[Job]:
    return [
        Job(
            kind=kind,
            progress=index,
            message=f"<b>Ҷамшед</b> — جمشيد\t{index}",
            params={"ids": [index, None], "name": "Қодирова", "nested": {"a": 1.5}},
            result=[] if index % 2 else {"empty": {}},
            owner_agency=agency,
        )
        for index in range(25)
    ]


def test_bulk_copy_stores_what_bulk_create_stores() -> None:
    agency = AgencyFactory(code="own")
    Job.objects.bulk_create(_jobs(agency, "created"))
    bulk_copy(Job, _jobs(agency, "copied"))
    created = list(Job.objects.filter(kind="created").order_by("progress").values_list(*FIELDS))
    copied = list(Job.objects.filter(kind="copied").order_by("progress").values_list(*FIELDS))
    assert copied == created
    assert all(job.created_at is not None for job in Job.objects.filter(kind="copied"))


def test_nothing_to_copy_writes_nothing() -> None:
    bulk_copy(Job, [])
    assert not Job.objects.exists()


def test_bulk_copy_gives_the_objects_their_ids_and_the_table_goes_on_after_them() -> None:
    agency = AgencyFactory(code="own")
    copied = bulk_copy(Job, _jobs(agency, "copied"))
    assert all(job.pk is not None and not job._state.adding for job in copied)
    assert sorted(job.pk for job in copied) == sorted(Job.objects.filter(kind="copied").values_list("pk", flat=True))
    later = Job.objects.create(kind="later")
    assert later.pk > max(job.pk for job in copied)


def test_bulk_copy_refuses_objects_that_already_have_ids() -> None:
    job = Job(kind="given", pk=10_000)
    with pytest.raises(ValueError, match="without ids"):
        bulk_copy(Job, [job, Job(kind="new")])
    assert not Job.objects.exists()


def test_values_of_other_types_are_converted_as_bulk_create_converts_them() -> None:
    """Strings and numbers are written as they are; a lazy translation or a number given as a bool is not
    a plain value and goes through its field's conversion."""
    from django.utils.translation import gettext_lazy

    agency = AgencyFactory(code="own")

    def jobs(kind: str) -> list[Job]:
        return [
            Job(kind=kind, progress=True, message=gettext_lazy("Registering persons"), owner_agency=agency),  # type: ignore[misc]
            Job(kind=kind, progress=7, message="plain", owner_agency_id=agency.pk),
        ]

    Job.objects.bulk_create(jobs("created"))
    bulk_copy(Job, jobs("copied"))
    created = list(Job.objects.filter(kind="created").order_by("progress").values_list(*FIELDS))
    copied = list(Job.objects.filter(kind="copied").order_by("progress").values_list(*FIELDS))
    assert copied == created
    assert copied[0][1:3] == (1, "Registering persons")
