"""Forms of the reintegration pages. They parse input; the services validate across rows and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Agency, User
from homecoming.core.forms import DateInput, StyledForm
from homecoming.reintegration.choices import (
    CaregiverAssessment,
    CivilDocumentKind,
    DoseSource,
    PlacementType,
    ServiceKind,
    ServiceStatus,
    VisitOutcome,
    VisitStatus,
)
from homecoming.reintegration.models import FollowUpTemplate, Service, Vaccine, VaccineScheduleItem
from homecoming.reintegration.rules import KIND_FIELD_GROUP, NOTE_FIELDS
from homecoming.reintegration.vaccination import humanise_age

# The fields each kind of service asks for, besides date, status, provider and notes.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    ServiceKind.SCHOOL: ("school_name", "grade"),
    ServiceKind.PLACEMENT: (
        "placement_type",
        "caregiver_name",
        "caregiver_relationship",
        "caregiver_phone",
        "address",
        "district",
        "caregiver_assessment",
    ),
    ServiceKind.CIVIL_DOCUMENTS: ("document_kind",),
}


def _text(label: Any, *, rows: int = 3, required: bool = False, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )


def _user_label(user: User) -> str:
    return user.get_full_name() or user.username


class UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return _user_label(obj)


# --- services ----------------------------------------------------------------------------------


class ServiceForm(StyledForm):
    """Plan or record one kind of service. Only the notes of field groups the user may see are offered."""

    status = forms.ChoiceField(label=_("Status"), choices=ServiceStatus.choices)
    date = forms.DateField(
        label=_("Date"), widget=DateInput(), help_text=_("When it is planned for, or when it happened.")
    )
    provider_agency = forms.ModelChoiceField(label=_("Provider agency"), queryset=Agency.objects.none(), required=False)
    provider = UserChoiceField(label=_("Worker"), queryset=User.objects.none(), required=False)
    notes = _text(
        _("Notes"), help_text=_("Seen by everyone who may see this service. Keep details in the notes below.")
    )
    health_notes = _text(_("Health notes"), help_text=_("Seen only by health workers."))
    psychosocial_notes = _text(_("Psychosocial notes"), help_text=_("Seen only by psychologists."))
    legal_notes = _text(_("Legal notes"), help_text=_("Seen only by those working on legal matters."))
    school_name = forms.CharField(label=_("School"), max_length=200, required=False)
    grade = forms.IntegerField(
        label=_("Grade"), min_value=0, max_value=12, required=False, help_text=_("0 for the preparatory class.")
    )
    placement_type = forms.ChoiceField(
        label=_("Placement"), choices=[("", "—"), *PlacementType.choices], required=False
    )
    caregiver_name = forms.CharField(label=_("Caregiver"), max_length=300, required=False)
    caregiver_relationship = forms.CharField(
        label=_("Caregiver's relationship to the child"), max_length=100, required=False
    )
    caregiver_phone = forms.CharField(label=_("Caregiver's telephone"), max_length=40, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    district = forms.CharField(label=_("District"), max_length=100, required=False)
    caregiver_assessment = forms.ChoiceField(
        label=_("Caregiver assessment"), choices=[("", "—"), *CaregiverAssessment.choices], required=False
    )
    document_kind = forms.ChoiceField(
        label=_("Document"), choices=[("", "—"), *CivilDocumentKind.choices], required=False
    )

    def __init__(
        self,
        *args: Any,
        kind: str,
        statuses: list[str],
        note_groups: set[str],
        agencies: QuerySet[Agency],
        workers: QuerySet[User],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["status"].choices = [(s, ServiceStatus(s).label) for s in statuses]  # type: ignore[attr-defined]
        self.fields["provider_agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["provider"].queryset = workers  # type: ignore[attr-defined]
        for group, name in NOTE_FIELDS.items():
            if group not in note_groups:
                del self.fields[name]
        own = KIND_FIELDS.get(kind, ())
        for name in {n for fields in KIND_FIELDS.values() for n in fields} - set(own):
            del self.fields[name]
        if kind == ServiceKind.SCHOOL:
            self.fields["school_name"].required = True
            self.fields["grade"].required = True
        if kind == ServiceKind.PLACEMENT:
            for name in ("placement_type", "address", "district"):
                self.fields[name].required = True
        if kind == ServiceKind.CIVIL_DOCUMENTS:
            self.fields["document_kind"].required = True
        if editing:
            self.fields["date"].help_text = ""

    @property
    def detail_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in KIND_FIELDS.get(self.kind, ()) if name in self.fields]

    @property
    def note_fields(self) -> list[forms.BoundField]:
        """The group notes offered, the kind's own group first."""
        own = KIND_FIELD_GROUP.get(ServiceKind(self.kind))
        names = [NOTE_FIELDS[own]] if own else []
        names += [n for n in NOTE_FIELDS.values() if n not in names]
        return [self[n] for n in names if n in self.fields]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        when = data.get("date")
        status = data.get("status")
        if when and status and status != ServiceStatus.PLANNED and when > timezone.localdate():
            self.add_error("date", _("A service that happened cannot be dated in the future."))
        return data

    def service_values(self) -> dict[str, Any]:
        """The cleaned fields the services take, blank strings for the kind's unset fields."""
        values: dict[str, Any] = {}
        for name in ["notes", *NOTE_FIELDS.values(), *KIND_FIELDS.get(self.kind, ())]:
            if name in self.fields:
                value = self.cleaned_data.get(name)
                values[name] = value if value is not None or name == "grade" else ""
        return values


class ScreeningForm(StyledForm):
    date = forms.DateField(label=_("Date of the screening"), widget=DateInput())
    planned = forms.ModelChoiceField(
        label=_("Planned screening it delivers"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("none: a new screening"),
    )
    weight_kg = forms.DecimalField(
        label=_("Weight (kg)"), max_digits=5, decimal_places=2, min_value=0.5, max_value=250, required=False
    )
    height_cm = forms.DecimalField(
        label=_("Length or height (cm)"), max_digits=4, decimal_places=1, min_value=30, max_value=230, required=False
    )
    muac_mm = forms.IntegerField(
        label=_("Mid-upper arm circumference (mm)"), min_value=50, max_value=500, required=False
    )
    oedema = forms.BooleanField(label=_("Bilateral pitting oedema"), required=False)
    findings = _text(_("Findings"), rows=4)
    referrals = _text(_("Referrals"), rows=2)
    notes = _text(_("Notes for the team"), rows=2, help_text=_("Seen by everyone who may see this service."))
    provider_agency = forms.ModelChoiceField(label=_("Provider agency"), queryset=Agency.objects.none(), required=False)

    def __init__(self, *args: Any, planned: QuerySet[Service], agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["planned"].queryset = planned  # type: ignore[attr-defined]
        self.fields["planned"].label_from_instance = lambda s: _("planned for %(date)s") % {"date": s.date}  # type: ignore[attr-defined]
        if not planned.exists():
            del self.fields["planned"]
        self.fields["provider_agency"].queryset = agencies  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date") and data["date"] > timezone.localdate():
            self.add_error("date", _("The date cannot be in the future."))
        if not any(data.get(n) is not None for n in ("weight_kg", "height_cm", "muac_mm")) and not data.get("findings"):
            self.add_error(None, _("Record at least one measurement or the findings."))
        return data


class ScheduleItemChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(_("%(vaccine)s, dose %(dose)s") % {"vaccine": obj.vaccine.name, "dose": obj.dose_number})


class DoseForm(StyledForm):
    item = ScheduleItemChoiceField(label=_("Vaccine and dose"), queryset=VaccineScheduleItem.objects.none())
    given_on = forms.DateField(label=_("Date given"), widget=DateInput())
    source = forms.ChoiceField(label=_("Source"), choices=DoseSource.choices, widget=forms.RadioSelect)
    batch_number = forms.CharField(label=_("Batch number"), max_length=60, required=False)
    notes = _text(_("Notes"), rows=2)

    def __init__(self, *args: Any, items: QuerySet[VaccineScheduleItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items  # type: ignore[attr-defined]

    def clean_given_on(self) -> Any:
        value = self.cleaned_data["given_on"]
        if value > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return value


# --- follow-up -----------------------------------------------------------------------------------


class PlanForm(StyledForm):
    arrival_date = forms.DateField(
        label=_("Arrival date"), widget=DateInput(), help_text=_("Visits are counted from this day.")
    )
    template = forms.ModelChoiceField(label=_("Visits"), queryset=FollowUpTemplate.objects.none(), empty_label=None)
    assigned_to = UserChoiceField(
        label=_("Visits assigned to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("the case's worker"),
        help_text=_("Each visit can be given to someone else later."),
    )

    def __init__(
        self, *args: Any, templates: QuerySet[FollowUpTemplate], visitors: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates  # type: ignore[attr-defined]
        self.fields["assigned_to"].queryset = visitors  # type: ignore[attr-defined]


class VisitRecordForm(StyledForm):
    status = forms.ChoiceField(
        label=_("The visit"),
        choices=[(VisitStatus.DONE, _("took place")), (VisitStatus.MISSED, _("did not take place"))],
        widget=forms.RadioSelect,
    )
    completed_on = forms.DateField(label=_("Date"), widget=DateInput())
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *VisitOutcome.choices], required=False)
    outcome_notes = _text(_("What was found"), rows=4)
    next_steps = _text(_("Next steps"), rows=3)
    next_visit_on = forms.DateField(
        label=_("Next visit"), widget=DateInput(), required=False, help_text=_("Optional: schedule another visit.")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == VisitStatus.DONE and not data.get("outcome"):
            self.add_error("outcome", _("Say what the visit found."))
        if data.get("completed_on") and data["completed_on"] > timezone.localdate():
            self.add_error("completed_on", _("The date cannot be in the future."))
        return data


class VisitAssignForm(StyledForm):
    assigned_to = UserChoiceField(label=_("Assigned to"), queryset=User.objects.none(), required=False)
    due_date = forms.DateField(label=_("Due"), widget=DateInput())

    def __init__(self, *args: Any, visitors: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = visitors  # type: ignore[attr-defined]


class VisitAddForm(VisitAssignForm):
    purpose = forms.CharField(label=_("Purpose"), max_length=300, required=False)


class VisitCancelForm(StyledForm):
    reason = _text(_("Why is the visit cancelled?"), rows=2, required=True)


# --- configuration -------------------------------------------------------------------------------

AGE_UNITS = (("days", _("days")), ("weeks", _("weeks")), ("months", _("months")), ("years", _("years")))
UNIT_DAYS = {"days": 1.0, "weeks": 7.0, "months": 30.4375, "years": 365.25}


class AgeWidget(forms.MultiWidget):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            [
                forms.NumberInput(attrs={"min": 0, "class": "form-control"}),
                forms.Select(choices=AGE_UNITS, attrs={"class": "form-select"}),
            ],
            attrs,
        )

    def decompress(self, value: Any) -> list[Any]:
        if value in (None, ""):
            return [None, "weeks"]
        days = int(value)
        for unit in ("years", "months", "weeks"):
            amount = round(days / UNIT_DAYS[unit])
            if amount > 0 and round(amount * UNIT_DAYS[unit]) == days:
                return [amount, unit]
        return [days, "days"]


class AgeField(forms.MultiValueField):
    """An age or interval as a number and a unit (days, weeks, months, years), kept in days."""

    widget = AgeWidget

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            fields=(forms.IntegerField(min_value=0, max_value=36600), forms.ChoiceField(choices=AGE_UNITS)),
            require_all_fields=False,
            **kwargs,
        )

    def compress(self, data_list: list[Any]) -> int | None:
        if not data_list or data_list[0] in (None, ""):
            return None
        amount, unit = data_list
        return round(int(amount) * UNIT_DAYS[unit or "days"])


class ScheduleItemForm(StyledForm):
    vaccine = forms.ModelChoiceField(label=_("Vaccine"), queryset=Vaccine.objects.filter(is_active=True))
    dose_number = forms.IntegerField(label=_("Dose"), min_value=1, max_value=10)
    recommended_age_days = AgeField(label=_("Recommended age"))
    minimum_age_days = AgeField(label=_("Minimum age"))
    minimum_interval_days = AgeField(
        label=_("Minimum interval from the previous dose"), required=False, help_text=_("Empty for a first dose.")
    )
    maximum_age_days = AgeField(
        label=_("Maximum age"), required=False, help_text=_("The oldest age at which the dose may still be given.")
    )
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)
    notes = _text(_("Notes"), rows=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("recommended_age_days", "minimum_age_days", "minimum_interval_days", "maximum_age_days"):
            for widget in getattr(self.fields[name].widget, "widgets", []):
                widget.attrs["aria-label"] = str(self.fields[name].label)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("recommended_age_days", "minimum_age_days"):
            if name in data and data[name] is None:
                self.add_error(name, _("This field is required."))
        return data


def age_words(days: int | None) -> Any:
    return "" if days is None else humanise_age(days)


class TemplateForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    months_after_arrival = forms.CharField(
        label=_("Visits (months after arrival)"),
        max_length=200,
        help_text=_("Months separated by commas, for example 1, 3, 6, 12, 24."),
    )
    is_default = forms.BooleanField(label=_("Default for new plans"), required=False)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def clean_months_after_arrival(self) -> list[int]:
        raw = self.cleaned_data["months_after_arrival"]
        try:
            months = [int(part) for part in raw.replace(";", ",").split(",") if part.strip()]
        except ValueError:
            raise ValidationError(_("Write whole months separated by commas, for example 1, 3, 6, 12, 24.")) from None
        if not months or any(m < 1 or m > 120 for m in months):
            raise ValidationError(_("Each month must be from 1 to 120."))
        if len(set(months)) != len(months):
            raise ValidationError(_("Each month may appear only once."))
        return sorted(months)
