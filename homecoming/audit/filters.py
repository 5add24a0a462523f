"""Search filters of the audit trail, shared by the auditor's page and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from homecoming.audit.models import AuditAction, AuditEntry


def known_object_types() -> list[str]:
    """``app_label.model_name`` of every model of the project, to suggest in the object type field."""
    return sorted(
        f"{model._meta.app_label}.{model._meta.model_name}"
        for model in apps.get_models()
        if model.__module__.startswith("homecoming.")
    )


class AuditEntryFilterSet(django_filters.FilterSet):
    user = django_filters.CharFilter(label=_("User"), field_name="actor_username", lookup_expr="iexact", max_length=150)
    action = django_filters.MultipleChoiceFilter(label=_("Action"), choices=AuditAction.choices)
    object_type = django_filters.CharFilter(label=_("Object type"), lookup_expr="iexact", max_length=60)
    object_id = django_filters.CharFilter(label=_("Object id"), method="filter_object_id", max_length=64)
    date_from = django_filters.DateFilter(
        label=_("From"),
        field_name="occurred_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="occurred_at", lookup_expr="date__lte", widget=forms.DateInput(attrs={"type": "date"})
    )
    q = django_filters.CharFilter(label=_("Text"), method="filter_q", max_length=200)

    class Meta:
        model = AuditEntry
        fields = ["user", "action", "object_type", "object_id", "date_from", "date_to", "q"]

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        # An empty choice ("any action") of the page's select means no filter, not an invalid action.
        if data is not None and hasattr(data, "getlist") and "" in data.getlist("action"):
            data = data.copy()
            data.setlist("action", [value for value in data.getlist("action") if value])
        super().__init__(data, *args, **kwargs)

    @property
    def form(self) -> Any:
        form = super().form
        if not getattr(form, "_hc_styled", False):
            for name, field in form.fields.items():
                css = "form-select" if name == "action" else "form-control"
                field.widget.attrs.setdefault("class", css)
            form._hc_styled = True
        return form

    def filter_object_id(self, queryset: QuerySet[AuditEntry], name: str, value: str) -> QuerySet[AuditEntry]:
        """The entries about this object, and the lists that showed it (its id among ``object_ids``)."""
        value = value.strip()
        if not value:
            return queryset
        # object_ids is a JSON list of strings; matching the quoted id works on SQLite and PostgreSQL
        # alike and cannot match a longer id ("12" is not found in ["112"]).
        quoted = '"' + value.replace("\\", "").replace('"', "") + '"'
        return queryset.filter(Q(object_id=value) | Q(object_ids__icontains=quoted))

    def filter_q(self, queryset: QuerySet[AuditEntry], name: str, value: str) -> QuerySet[AuditEntry]:
        """Free text: user, agencies, object, stated purpose and the details of the entry."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(actor_username__icontains=value)
            | Q(agency_codes__icontains=value)
            | Q(object_type__icontains=value)
            | Q(object_id=value)
            | Q(purpose__icontains=value)
            | Q(detail__icontains=value)
        )
