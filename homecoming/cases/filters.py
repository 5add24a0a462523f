"""Filters of the case list, shared by the page and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Agency
from homecoming.cases.choices import AssessmentKind, AssessmentOutcome, CasePriority, CaseStage, ConsentScope
from homecoming.cases.models import Assessment, Case, Consent


class AssignedChoice:
    ME = "me"
    NOBODY = "nobody"
    CHOICES = ((ME, _("assigned to me")), (NOBODY, _("not assigned")))


class CaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="filter_q", max_length=200)
    stage = django_filters.MultipleChoiceFilter(label=_("Stage"), choices=CaseStage.choices)
    owner_agency = django_filters.ModelChoiceFilter(
        label=_("Owner agency"),
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        to_field_name="code",
        empty_label=_("any agency"),
    )
    assigned = django_filters.ChoiceFilter(
        label=_("Assigned"), choices=AssignedChoice.CHOICES, method="filter_assigned", empty_label=_("anyone")
    )
    priority = django_filters.ChoiceFilter(label=_("Priority"), choices=CasePriority.choices, empty_label=_("any"))
    is_open = django_filters.BooleanFilter(label=_("Open cases only"), method="filter_is_open")
    ordering = django_filters.OrderingFilter(
        label=_("Order by"),
        fields=(("opened_at", "opened"), ("updated_at", "updated"), ("person__display_name", "name")),
        field_labels={
            "opened_at": _("date opened"),
            "updated_at": _("last change"),
            "person__display_name": _("name"),
        },
    )

    class Meta:
        model = Case
        fields = ["q", "stage", "owner_agency", "assigned", "priority", "is_open"]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user if user is not None else getattr(self.request, "user", None)

    @property
    def form(self) -> Any:
        form = super().form
        if not getattr(form, "_hc_styled", False):
            for field in form.fields.values():
                css = "form-select" if getattr(field.widget, "input_type", "") == "select" else "form-control"
                field.widget.attrs.setdefault("class", css)
            form._hc_styled = True
        return form

    def filter_q(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        from homecoming.cases.selectors import person_search_q

        if not value.strip():
            return queryset
        return queryset.filter(person_search_q(value))

    def filter_assigned(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if value == AssignedChoice.ME:
            if self.user is None or not getattr(self.user, "is_authenticated", False):
                return queryset.none()
            return queryset.filter(assigned_to=self.user)
        if value == AssignedChoice.NOBODY:
            return queryset.filter(assigned_to__isnull=True)
        return queryset

    def filter_is_open(self, queryset: QuerySet[Case], name: str, value: bool | None) -> QuerySet[Case]:
        if value is None:
            return queryset
        closed = Q(stage=CaseStage.CLOSED)
        return queryset.exclude(closed) if value else queryset.filter(closed)


class AssessmentFilterSet(django_filters.FilterSet):
    case = django_filters.NumberFilter(label=_("Case"), field_name="case_id")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=AssessmentKind.choices)
    outcome = django_filters.ChoiceFilter(label=_("Outcome"), choices=AssessmentOutcome.choices)
    round_label = django_filters.CharFilter(label=_("Assessment round"), lookup_expr="iexact")

    class Meta:
        model = Assessment
        fields = ["case", "kind", "outcome", "round_label"]


class ConsentFilterSet(django_filters.FilterSet):
    case = django_filters.NumberFilter(label=_("Case"), field_name="case_id")
    scope = django_filters.ChoiceFilter(label=_("Scope"), choices=ConsentScope.choices, method="filter_scope")
    withdrawn = django_filters.BooleanFilter(
        label=_("Withdrawn"), field_name="withdrawn_on", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Consent
        fields = ["case", "scope", "withdrawn"]

    def filter_scope(self, queryset: QuerySet[Consent], name: str, value: str) -> QuerySet[Consent]:
        return queryset.filter(scope_entries__scope=value) if value else queryset
