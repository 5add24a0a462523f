"""The audit trail, read-only, for auditors: /api/v1/audit-entries/ (newest first).

Same filters as the page (``AuditEntryFilterSet``): ``user``, ``action`` (repeatable),
``object_type``, ``object_id`` (also finds the lists that showed the object), ``date_from``,
``date_to`` (YYYY-MM-DD, inclusive) and ``q`` (free text). Without ``Perm.AUDIT_VIEW`` the answer
is 403; an entry outside the caller's scope is 404. Each call writes one audit entry of its own.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from homecoming.audit import selectors
from homecoming.audit.filters import AuditEntryFilterSet
from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.audit.services import audit_record, audit_trail_read
from homecoming.core.access import Perm, require_perm


class AuditEntrySerializer(serializers.ModelSerializer[AuditEntry]):
    actor = serializers.IntegerField(source="actor_id", allow_null=True, read_only=True)
    agency_codes = serializers.SerializerMethodField()
    object_ids = serializers.ListField(child=serializers.CharField(), read_only=True)
    changed_fields = serializers.ListField(child=serializers.CharField(), read_only=True)
    detail = serializers.DictField(read_only=True)

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "occurred_at",
            "actor",
            "actor_username",
            "agency_codes",
            "ip_address",
            "action",
            "object_type",
            "object_id",
            "object_ids",
            "changed_fields",
            "purpose",
            "detail",
            "prev_hash",
            "entry_hash",
        ]
        read_only_fields = fields

    def get_agency_codes(self, obj: AuditEntry) -> list[str]:
        return [code for code in obj.agency_codes.split(",") if code]


@extend_schema_view(
    list=extend_schema(
        summary="Search the audit trail",
        description=(
            "Entries you may read, newest first. `object_type` + `object_id` answer “who opened this "
            "file”: entries about the object, and the lists and exports that showed it. The call writes "
            "one audit entry of its own, with the ids returned and the filters used."
        ),
    ),
    retrieve=extend_schema(summary="One audit entry", description="404 when the entry is outside your scope."),
)
class AuditEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[AuditEntry]):
    """Entries of the audit trail you may read, newest first."""

    serializer_class = AuditEntrySerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = AuditEntryFilterSet

    def get_queryset(self) -> QuerySet[AuditEntry]:
        return selectors.entries_visible_to(self.request.user).order_by("-id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request.user, Perm.AUDIT_VIEW)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = list(page or [])
        params = {key: values if len(values) > 1 else values[0] for key, values in request.query_params.lists()}
        audit_trail_read(actor=request.user, entries=rows, filters=params)
        return self.get_paginated_response(AuditEntrySerializer(rows, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request.user, Perm.AUDIT_VIEW)
        entry = selectors.entry_get(user=request.user, pk=kwargs["pk"])
        with transaction.atomic():
            audit_record(actor=request.user, action=AuditAction.VIEW, obj=entry)
        return Response(AuditEntrySerializer(entry).data)
