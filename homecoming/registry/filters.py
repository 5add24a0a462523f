"""Filters of the person and facility lists, shared by the pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Agency
from homecoming.cases.choices import CaseStage
from homecoming.registry.birth import age_band_birth_range
from homecoming.registry.choices import AgeBand, FacilityKind, Sex
from homecoming.registry.countries import COUNTRY_CHOICES, country_name
from homecoming.registry.models import CustodyRecord, Facility, Person

__all__ = ["FacilityFilterSet", "PersonFilterSet", "facility_countries"]


class _Styled:
    """Bootstrap classes on the widgets of a filter form."""

    @staticmethod
    def style(form: Any) -> Any:
        if not getattr(form, "_hc_styled", False):
            for field in form.fields.values():
                css = "form-select" if getattr(field.widget, "input_type", "") == "select" else "form-control"
                field.widget.attrs.setdefault("class", css)
            form._hc_styled = True
        return form


def facility_countries() -> list[tuple[str, str]]:
    """The countries that have a registered facility (for the filter menus), by name."""
    codes = Facility.objects.order_by().values_list("country", flat=True).distinct()
    return sorted(((code, country_name(code)) for code in codes), key=lambda c: c[1])


class PersonFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="filter_q", max_length=200)
    sex = django_filters.ChoiceFilter(label=_("Sex"), choices=Sex.choices, empty_label=_("any"))
    stage = django_filters.ChoiceFilter(
        label=_("Case stage"), choices=CaseStage.choices, method="filter_stage", empty_label=_("any stage")
    )
    age_band = django_filters.ChoiceFilter(
        label=_("Age"), choices=AgeBand.choices, method="filter_age_band", empty_label=_("any age")
    )
    facility = django_filters.ModelChoiceFilter(
        label=_("Held or placed at"),
        queryset=Facility.objects.order_by("country", "name"),
        method="filter_facility",
        empty_label=_("any facility"),
    )
    custody_country = django_filters.ChoiceFilter(
        label=_("Held in country"),
        choices=COUNTRY_CHOICES,
        method="filter_custody_country",
        empty_label=_("any country"),
    )
    agency = django_filters.ModelChoiceFilter(
        label=_("Owner agency"),
        field_name="owner_agency",
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        to_field_name="code",
        empty_label=_("any agency"),
    )

    class Meta:
        model = Person
        fields = ["q", "sex", "stage", "age_band", "facility", "custody_country", "agency"]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user if user is not None else getattr(self.request, "user", None)

    @property
    def form(self) -> Any:
        return _Styled.style(super().form)

    def filter_q(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        from homecoming.registry.selectors import person_name_q

        if not value.strip():
            return queryset
        return queryset.filter(person_name_q(value))

    def filter_stage(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        """Persons with a case at ``value`` among the cases the user may see."""
        from homecoming.core.access import cases_visible_to

        if not value:
            return queryset
        if self.user is None:
            return queryset.none()
        cases = cases_visible_to(self.user).filter(person=OuterRef("pk"), stage=value)
        return queryset.filter(Exists(cases))

    def filter_age_band(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        if not value:
            return queryset
        if value == AgeBand.UNKNOWN:
            return queryset.filter(birth_date__isnull=True)
        born_after, born_before = age_band_birth_range(value, today=timezone.localdate())
        queryset = queryset.filter(birth_date__lte=born_before)
        return queryset.filter(birth_date__gte=born_after) if born_after else queryset

    def filter_facility(self, queryset: QuerySet[Person], name: str, value: Facility | None) -> QuerySet[Person]:
        if value is None:
            return queryset
        current = CustodyRecord.objects.filter(person=OuterRef("pk"), until__isnull=True, facility=value)
        return queryset.filter(Exists(current))

    def filter_custody_country(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        if not value:
            return queryset
        current = CustodyRecord.objects.filter(person=OuterRef("pk"), until__isnull=True, facility__country=value)
        return queryset.filter(Exists(current))


class FacilityFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="filter_q", max_length=200)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=FacilityKind.choices, empty_label=_("any kind"))
    country = django_filters.ChoiceFilter(label=_("Country"), choices=COUNTRY_CHOICES, empty_label=_("any country"))
    is_active = django_filters.BooleanFilter(label=_("In use"))

    class Meta:
        model = Facility
        fields = ["q", "kind", "country", "is_active"]

    @property
    def form(self) -> Any:
        return _Styled.style(super().form)

    def filter_q(self, queryset: QuerySet[Facility], name: str, value: str) -> QuerySet[Facility]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(name__icontains=value) | queryset.filter(custodian_authority__icontains=value)
