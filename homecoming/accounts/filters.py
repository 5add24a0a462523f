"""Filters of the administrators' user list."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.choices import Role
from homecoming.accounts.models import Agency, User


class UserStatus:
    ACTIVE = "active"
    DISABLED = "disabled"
    CHOICES = ((ACTIVE, _("active")), (DISABLED, _("disabled")))


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or username"), method="filter_q", max_length=150)
    agency = django_filters.ModelChoiceFilter(
        label=_("Agency"),
        queryset=Agency.objects.none(),
        to_field_name="code",
        method="filter_agency",
        empty_label=_("any of your agencies"),
    )
    role = django_filters.ChoiceFilter(
        label=_("Role"), choices=Role.choices, method="filter_role", empty_label=_("any role")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=UserStatus.CHOICES, method="filter_status", empty_label=_("all")
    )

    class Meta:
        model = User
        fields = ["q", "agency", "role", "status"]

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["agency"].queryset = agencies
        self.agencies = agencies

    @property
    def form(self) -> Any:
        form = super().form
        if not getattr(form, "_hc_styled", False):
            for name, field in form.fields.items():
                field.widget.attrs.setdefault("class", "form-control" if name == "q" else "form-select")
            form._hc_styled = True
        return form

    def filter_q(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(username__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(email__icontains=value)
        )

    def filter_agency(self, queryset: QuerySet[User], name: str, value: Agency | None) -> QuerySet[User]:
        return queryset.filter(memberships__agency=value).distinct() if value else queryset

    def filter_role(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        if not value:
            return queryset
        # Only roles held in the administrator's own agencies count.
        return queryset.filter(memberships__role=value, memberships__agency__in=self.agencies).distinct()

    def filter_status(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        if value == UserStatus.ACTIVE:
            return queryset.filter(is_active=True)
        if value == UserStatus.DISABLED:
            return queryset.filter(is_active=False)
        return queryset
