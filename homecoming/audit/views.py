"""The auditor's pages: search the audit trail, read one entry. Reading them is audited too."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views import View

from homecoming.audit import selectors
from homecoming.audit.filters import known_object_types
from homecoming.audit.models import AuditAction
from homecoming.audit.services import audit_record, audit_trail_read
from homecoming.core.access import Perm, require_perm

PAGE_SIZE = 50


def search_params(data: QueryDict) -> dict[str, Any]:
    """The search as it was asked (for the audit entry of the read), values cut to a sane length."""
    params: dict[str, Any] = {}
    for key, values in data.lists():
        cut = [str(v)[:200] for v in values[:20]]
        params[key[:40]] = cut if len(cut) > 1 else cut[0]
    return params


class EntryListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        require_perm(request.user, Perm.AUDIT_VIEW)
        filterset = selectors.entry_filterset(user=request.user, data=request.GET or None)
        valid = filterset.form.is_valid() if filterset.is_bound else True
        page = Paginator(filterset.qs if valid else filterset.queryset.none(), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        rows = list(page.object_list)
        audit_trail_read(actor=request.user, entries=rows, filters=search_params(request.GET))
        return render(
            request,
            "audit/entry_list.html",
            {
                "filter": filterset,
                "page": page,
                "entries": rows,
                "filtered": any(v for k, v in request.GET.items() if k != "page"),
                "actions": AuditAction.choices,
                "selected_actions": request.GET.getlist("action"),
                "object_types": known_object_types(),
            },
            status=200 if valid else 400,
        )


class EntryDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        require_perm(request.user, Perm.AUDIT_VIEW)
        entry = selectors.entry_get(user=request.user, pk=pk)
        with transaction.atomic():
            audit_record(actor=request.user, action=AuditAction.VIEW, obj=entry)
        return render(
            request,
            "audit/entry_detail.html",
            {"entry": entry, "chain": selectors.entry_chain_check(entry=entry)},
        )
