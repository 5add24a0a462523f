"""Forms of the operation and negotiation pages. They parse input; the services validate across
rows and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Agency
from homecoming.core.forms import DateInput, StyledForm
from homecoming.operations.choices import FeeKind, FollowUpStatus, ManifestStatus, OperationStatus, TransportMode
from homecoming.operations.currencies import CURRENCY_CHOICES
from homecoming.operations.models import Operation
from homecoming.registry.choices import ABROAD_KINDS
from homecoming.registry.countries import COUNTRY_CHOICES
from homecoming.registry.models import Facility

__all__ = [
    "ActionForm",
    "ActionStatusForm",
    "ArrivalForm",
    "FeeForm",
    "HandoverForm",
    "LegForm",
    "ManifestAddForm",
    "ManifestStatusForm",
    "NegotiationForm",
    "OperationForm",
    "OperationStatusForm",
]

_COUNTRIES = [("", "—"), *COUNTRY_CHOICES]
_CURRENCIES = [("", "—"), *[(code, f"{code} · {name}") for code, name in CURRENCY_CHOICES]]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


# --- operations --------------------------------------------------------------------------------------


class OperationForm(StyledForm):
    name = forms.CharField(
        label=_("Name"), max_length=200, help_text=_("For example “Baghdad - Dushanbe, April 2019”.")
    )
    owner_agency = forms.ModelChoiceField(label=_("Owner agency"), queryset=Agency.objects.none())
    origin_country = forms.ChoiceField(label=_("Origin country"), choices=_COUNTRIES)
    origin_place = forms.CharField(label=_("Place of departure"), max_length=200, required=False)
    origin_facilities = forms.ModelMultipleChoiceField(
        label=_("Origin facilities"),
        queryset=Facility.objects.filter(kind__in=list(ABROAD_KINDS)).order_by("country", "name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("Prisons, camps and centres the people come from (in the origin country)."),
    )
    released_by = forms.CharField(
        label=_("Released by"),
        max_length=300,
        required=False,
        help_text=_("The detaining authority, for example the Government of Iraq."),
    )
    destination_country = forms.ChoiceField(label=_("Destination country"), choices=_COUNTRIES)
    destination_place = forms.CharField(label=_("Place of arrival"), max_length=200, required=False)
    planned_start = forms.DateField(label=_("Planned departure"), required=False, widget=DateInput())
    planned_end = forms.DateField(label=_("Planned arrival"), required=False, widget=DateInput())
    partner_agencies = forms.ModelMultipleChoiceField(
        label=_("Partner agencies"),
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Agencies in the system that take part; they see the operation."),
    )
    other_partners = forms.CharField(label=_("Other partners"), max_length=500, required=False)
    escorts = forms.CharField(label=_("Escorts"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_agency"].queryset = agencies  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("The planned arrival cannot be before the planned departure."))
        return data


class OperationStatusForm(StyledForm):
    to_status = forms.ChoiceField(label=_("New status"), choices=OperationStatus.choices)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    on = forms.DateField(
        label=_("Departure date"),
        required=False,
        widget=DateInput(),
        help_text=_("When the operation starts: the day it left (today if empty)."),
    )


class LegForm(StyledForm):
    mode = forms.ChoiceField(label=_("Mode"), choices=TransportMode.choices)
    carrier = forms.CharField(label=_("Carrier"), max_length=200, required=False)
    number = forms.CharField(label=_("Flight or convoy number"), max_length=60, required=False)
    from_place = forms.CharField(label=_("From"), max_length=200)
    from_country = forms.ChoiceField(label=_("From country"), choices=_COUNTRIES)
    to_place = forms.CharField(label=_("To"), max_length=200)
    to_country = forms.ChoiceField(label=_("To country"), choices=_COUNTRIES)
    departure_at = forms.DateTimeField(label=_("Departure"), required=False, widget=DateTimeInput())
    arrival_at = forms.DateTimeField(label=_("Arrival"), required=False, widget=DateTimeInput())
    notes = forms.CharField(label=_("Notes"), max_length=500, required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        dep, arr = data.get("departure_at"), data.get("arrival_at")
        if dep and arr and arr < dep:
            self.add_error("arrival_at", _("The arrival cannot be before the departure."))
        return data


class ManifestAddForm(StyledForm):
    cases = forms.MultipleChoiceField(
        label=_("People who travel together"), choices=[], widget=forms.CheckboxSelectMultiple
    )
    group_label = forms.CharField(
        label=_("Family group"),
        max_length=200,
        required=False,
        help_text=_("For example the mother's name. Left empty: the registry's family group of the people chosen."),
    )

    def __init__(self, *args: Any, candidates: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = candidates  # type: ignore[attr-defined]


class ManifestStatusForm(StyledForm):
    to_status = forms.ChoiceField(
        label=_("New status"),
        choices=[(s.value, s.label) for s in ManifestStatus if s != ManifestStatus.ARRIVED],
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)


class ArrivalForm(StyledForm):
    """Arrival date, and for each person still on the manifest: arrived, or why not."""

    arrived_on = forms.DateField(label=_("Arrival date"), widget=DateInput())

    def __init__(self, *args: Any, entries: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entries = entries
        for entry in entries:
            self.fields[f"arrived_{entry.pk}"] = forms.BooleanField(
                label=_("arrived"), required=False, initial=entry.status != ManifestStatus.PLANNED
            )
            self.fields[f"reason_{entry.pk}"] = forms.CharField(label=_("why not"), required=False, max_length=500)
            self.fields[f"arrived_{entry.pk}"].widget.attrs["class"] = "form-check-input"
            self.fields[f"reason_{entry.pk}"].widget.attrs["class"] = "form-control form-control-sm"

    def arrived_ids(self) -> set[int]:
        return {e.pk for e in self.entries if self.cleaned_data.get(f"arrived_{e.pk}")}

    def reasons(self) -> dict[int, str]:
        return {e.pk: self.cleaned_data.get(f"reason_{e.pk}", "") for e in self.entries}


class FeeForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=FeeKind.choices)
    amount = forms.DecimalField(
        label=_("Amount"),
        min_value=0.01,
        max_digits=14,
        decimal_places=2,
        help_text=_("For each person chosen, if any."),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=_CURRENCIES)
    payer = forms.CharField(label=_("Paid by"), max_length=200)
    payee = forms.CharField(label=_("Paid to"), max_length=200)
    paid_on = forms.DateField(label=_("Date paid"), widget=DateInput())
    persons = forms.MultipleChoiceField(
        label=_("For persons"),
        required=False,
        choices=[],
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Leave empty for one sum for the whole operation; choose persons to record the amount for each."),
    )
    reference = forms.CharField(label=_("Payment reference"), max_length=120, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, persons: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["persons"].choices = persons  # type: ignore[attr-defined]

    def clean_paid_on(self) -> Any:
        value = self.cleaned_data["paid_on"]
        if value and value > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return value


class HandoverForm(StyledForm):
    case = forms.ChoiceField(label=_("Person"), choices=[])
    receiving_country = forms.ChoiceField(label=_("Receiving state"), choices=_COUNTRIES)
    receiving_authority = forms.CharField(label=_("Receiving authority"), max_length=300)
    place = forms.CharField(label=_("Place"), max_length=200)
    handed_over_at = forms.DateTimeField(label=_("Time of handover"), widget=DateTimeInput())
    our_officials = forms.CharField(label=_("Our officials"), widget=forms.Textarea(attrs={"rows": 2}))
    their_officials = forms.CharField(label=_("Their officials"), widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, cases: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = [("", "—"), *cases]  # type: ignore[attr-defined]


# --- negotiations -------------------------------------------------------------------------------------


class NegotiationForm(StyledForm):
    owner_agency = forms.ModelChoiceField(label=_("Owner agency"), queryset=Agency.objects.none())
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=200)
    counterpart_country = forms.ChoiceField(label=_("Counterpart's country"), choices=_COUNTRIES)
    their_authority = forms.CharField(label=_("Counterpart's authority"), max_length=300)
    our_participants = forms.CharField(
        label=_("Our participants"), widget=forms.Textarea(attrs={"rows": 2}), help_text=_("One per line.")
    )
    their_participants = forms.CharField(
        label=_("Their participants"), widget=forms.Textarea(attrs={"rows": 2}), help_text=_("One per line.")
    )
    subject = forms.CharField(label=_("Subject"), max_length=300)
    outcome = forms.CharField(label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    operations = forms.ModelMultipleChoiceField(
        label=_("Operations concerned"),
        queryset=Operation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    facilities = forms.ModelMultipleChoiceField(
        label=_("Facilities concerned"),
        queryset=Facility.objects.filter(kind__in=list(ABROAD_KINDS)).order_by("country", "name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    persons = forms.MultipleChoiceField(
        label=_("Persons concerned"),
        required=False,
        choices=[],
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("People held abroad whom the meeting was about."),
    )

    def __init__(
        self, *args: Any, agencies: Any, operations: Any, persons: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["operations"].queryset = operations  # type: ignore[attr-defined]
        self.fields["persons"].choices = persons  # type: ignore[attr-defined]

    def clean_held_on(self) -> Any:
        value = self.cleaned_data["held_on"]
        if value and value > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return value


class ActionForm(StyledForm):
    description = forms.CharField(label=_("Follow-up action"), max_length=500)
    responsible = forms.CharField(label=_("Responsible"), max_length=200, required=False)
    due_on = forms.DateField(label=_("Due"), required=False, widget=DateInput())


class ActionStatusForm(StyledForm):
    status = forms.ChoiceField(label=_("Status"), choices=FollowUpStatus.choices)
    done_on = forms.DateField(label=_("Done on"), required=False, widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
