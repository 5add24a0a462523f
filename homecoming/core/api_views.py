"""The jobs API: follow background work from a script (status, progress, result)."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import generics

from homecoming.core import selectors
from homecoming.core.choices import JobStatus
from homecoming.core.models import Job
from homecoming.core.serializers import JobSerializer


class JobListApi(generics.ListAPIView[Job]):
    """Jobs the caller started, and those of their agencies if a role of theirs may follow jobs.

    Filter with ``?status=queued|running|succeeded|failed|cancelled``.
    """

    serializer_class = JobSerializer

    def get_queryset(self) -> QuerySet[Job]:
        status = self.request.query_params.get("status", "")
        return selectors.job_list(user=self.request.user, status=status if status in JobStatus.values else "")


class JobDetailApi(generics.RetrieveAPIView[Job]):
    """One job; 404 when it is not the caller's to see."""

    serializer_class = JobSerializer

    def get_object(self) -> Job:
        return selectors.job_get(user=self.request.user, pk=self.kwargs["pk"])
