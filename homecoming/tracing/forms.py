"""Forms of the tracing pages. They parse input; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Agency
from homecoming.core.forms import DateInput, StyledForm
from homecoming.registry.birth import birth_range_from_age
from homecoming.registry.choices import Sex
from homecoming.registry.countries import COUNTRY_CHOICES
from homecoming.tracing.models import MatchStatus, RequesterRelation

__all__ = ["CloseForm", "ConsentWithdrawForm", "DecisionForm", "TracingRequestForm"]

NAME = forms.TextInput(attrs={"dir": "auto"})


class TracingRequestForm(StyledForm):
    owner_agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none(), empty_label=None)
    requester_name = forms.CharField(label=_("Name of the relative asking"), max_length=200, widget=NAME)
    requester_relation = forms.ChoiceField(label=_("They are the person's"), choices=RequesterRelation.choices)
    requester_contact = forms.CharField(label=_("Phone or address"), max_length=300, required=False)
    requester_district = forms.CharField(label=_("District at home"), max_length=120, required=False)
    sought_names = forms.CharField(
        label=_("Names of the person sought"),
        help_text=_("One spelling per line, in any script: as the family writes it, and as it may be written abroad."),
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
    sought_sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    age_years = forms.IntegerField(
        label=_("Age when last heard of"), min_value=0, max_value=100, required=False,
        help_text=_("An estimate is fine; or give the range of the date of birth below."),
    )  # fmt: skip
    sought_birth_date_min = forms.DateField(label=_("Born not before"), required=False, widget=DateInput())
    sought_birth_date_max = forms.DateField(label=_("Born not after"), required=False, widget=DateInput())
    sought_mother_name = forms.CharField(label=_("Mother's name"), max_length=200, required=False, widget=NAME)
    sought_father_name = forms.CharField(label=_("Father's name"), max_length=200, required=False, widget=NAME)
    last_known_place = forms.CharField(label=_("Last known place"), max_length=200, required=False)
    last_known_country = forms.ChoiceField(
        label=_("Last known country"), choices=[("", "—"), *COUNTRY_CHOICES], required=False
    )
    last_known_on = forms.DateField(label=_("Last news on"), required=False, widget=DateInput())
    circumstances = forms.CharField(
        label=_("What the family knows"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    consent_on = forms.DateField(
        label=_("Consent to tracing given on"),
        help_text=_(
            "The relative agrees that these details are used to look for the person and shared with the "
            "agency that may hold them."
        ),
        widget=DateInput(),
    )

    def __init__(self, *args: Any, agencies: Any = None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["owner_agency"]
        else:
            field: Any = self.fields["owner_agency"]
            field.queryset = agencies if agencies is not None else Agency.objects.none()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        age = data.get("age_years")
        if age is not None:
            if data.get("sought_birth_date_min") or data.get("sought_birth_date_max"):
                self.add_error("age_years", _("Give either an age or a range of dates of birth, not both."))
            else:
                on = data.get("last_known_on") or timezone.localdate()
                born = birth_range_from_age(age=age, on=on, margin=1)
                data["sought_birth_date_min"], data["sought_birth_date_max"] = born.earliest, born.latest
        return data

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("age_years", None)
        data.pop("owner_agency", None)
        return data


class DecisionForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[(MatchStatus.CONFIRMED, _("This is the person sought")), (MatchStatus.REJECTED, _("Not the person sought"))],
        widget=forms.RadioSelect,
    )  # fmt: skip
    note = forms.CharField(
        label=_("How you know"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. the mother recognised the photo; the birth dates and the father's name agree."),
    )


class ConsentWithdrawForm(StyledForm):
    consent_withdrawn_on = forms.DateField(label=_("Consent withdrawn on"), widget=DateInput())


class CloseForm(StyledForm):
    closed_reason = forms.CharField(label=_("Why the request is closed"), max_length=300)
