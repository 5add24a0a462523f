"""Forms of the registry pages. They parse input; the services validate across rows and write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Agency
from homecoming.core.forms import DateInput, StyledForm
from homecoming.registry.birth import birth_range_from_age
from homecoming.registry.choices import (
    INPUT_RELATIONS,
    BirthDatePrecision,
    CustodyEndReason,
    DnaKinshipResult,
    DocumentKind,
    FacilityKind,
    IdentifierType,
    LinkConfidence,
    NameKind,
    NationalityBasis,
    NationalityStatus,
    Sex,
)
from homecoming.registry.countries import COUNTRY_CHOICES
from homecoming.registry.models import Facility, Person, PersonDocument
from homecoming.registry.services import NameInput

__all__ = [
    "CustodyForm",
    "DocumentForm",
    "FacilityForm",
    "FamilyGroupForm",
    "FamilyLinkForm",
    "IdentifierForm",
    "NameForm",
    "NationalityClaimForm",
    "NationalityDecisionForm",
    "PersonCreateForm",
    "PersonEditForm",
]

COUNTRY_OPTIONS = [("", _("— choose a country —")), *COUNTRY_CHOICES]


def _date(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(), help_text=help_text)


# --- persons ---------------------------------------------------------------------------------------


class _IdentityForm(StyledForm):
    """The primary name and the identity of a person (shared by registering and editing)."""

    full_name = forms.CharField(
        label=_("Name as written"),
        max_length=300,
        help_text=_("In any script (Latin, Cyrillic, Arabic…), exactly as written; it becomes the primary name."),
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
    )
    given_name = forms.CharField(
        label=_("Given name"), max_length=150, required=False, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    family_name = forms.CharField(
        label=_("Family name"), max_length=150, required=False, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN, widget=forms.RadioSelect)
    birth_date_precision = forms.ChoiceField(
        label=_("How well is the date of birth known?"),
        choices=BirthDatePrecision.choices,
        initial=BirthDatePrecision.EXACT,
    )
    birth_date = _date(
        _("Date of birth"),
        help_text=_("Leave empty if unknown. For a month or a year only, give any day of it."),
    )
    birth_date_min = _date(_("Born at the earliest on"), help_text=_("For an estimate: the earliest likely date."))
    birth_date_max = _date(_("Born at the latest on"), help_text=_("For an estimate: the latest likely date."))
    age_years = forms.IntegerField(
        label=_("Or: age in years"),
        min_value=0,
        max_value=120,
        required=False,
        help_text=_("For an estimate from an age, e.g. “4 years old in March 2019”."),
    )
    age_on = _date(_("Age told on"), help_text=_("When that age was true (the date of the list or interview)."))
    age_approximate = forms.BooleanField(label=_("The age itself is approximate (about, ± 1 year)"), required=False)
    birth_place = forms.CharField(
        label=_("Place of birth"), max_length=200, required=False, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    birth_country = forms.ChoiceField(label=_("Country of birth"), choices=COUNTRY_OPTIONS, required=False)

    BIRTH_FIELDS = ("birth_date_precision", "birth_date", "birth_date_min", "birth_date_max")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        precision = data.get("birth_date_precision")
        if precision != BirthDatePrecision.ESTIMATED:
            if data.get("age_years") is not None:
                self.add_error(
                    "birth_date_precision",
                    _("An age gives an estimated date of birth: choose “estimated” or leave the age empty."),
                )
            return data
        age, on = data.get("age_years"), data.get("age_on")
        if age is not None or on is not None:
            if age is None:
                self.add_error("age_years", _("Give the age that was told."))
                return data
            if on is None:
                self.add_error("age_on", _("Give the date when the person was that age."))
                return data
            if on > today:
                self.add_error("age_on", _("The date cannot be in the future."))
                return data
            born = birth_range_from_age(age=age, on=on, margin=1 if data.get("age_approximate") else 0)
            data["birth_date_min"], data["birth_date_max"] = born.earliest, born.latest
            if data.get("birth_date") not in born:
                data["birth_date"] = None
        return data

    def identity(self) -> dict[str, Any]:
        """The cleaned identity, as the services take it."""
        data = self.cleaned_data
        return {
            "sex": data["sex"],
            "birth_date": data.get("birth_date"),
            "birth_date_precision": data["birth_date_precision"],
            "birth_date_min": data.get("birth_date_min"),
            "birth_date_max": data.get("birth_date_max"),
            "birth_place": data.get("birth_place") or "",
            "birth_country": data.get("birth_country") or "",
        }

    def primary_name(self) -> NameInput:
        data = self.cleaned_data
        return NameInput(
            full_name=data["full_name"],
            given_name=data.get("given_name") or "",
            family_name=data.get("family_name") or "",
            kind=NameKind.PRIMARY,
        )


class SimilarQueryForm(forms.Form):
    """What the registration form holds so far, read leniently for the duplicate warning."""

    full_name = forms.CharField(max_length=300, required=False)
    other_names = forms.CharField(max_length=3000, required=False)
    given_name = forms.CharField(max_length=150, required=False)
    family_name = forms.CharField(max_length=150, required=False)
    sex = forms.ChoiceField(choices=Sex.choices, required=False)
    birth_date_precision = forms.ChoiceField(choices=BirthDatePrecision.choices, required=False)
    birth_date = forms.DateField(required=False)
    birth_date_min = forms.DateField(required=False)
    birth_date_max = forms.DateField(required=False)
    exclude = forms.IntegerField(required=False, min_value=1)


class PersonCreateForm(_IdentityForm):
    owner_agency = forms.ModelChoiceField(label=_("Owner agency"), queryset=Agency.objects.none(), empty_label=None)
    other_names = forms.CharField(
        label=_("Other spellings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_("One per line: the same name in other scripts or as other lists spell it."),
    )
    other_names_source = forms.CharField(label=_("Where the other spellings come from"), max_length=200, required=False)
    link_to = forms.IntegerField(required=False, widget=forms.HiddenInput)
    link_relation = forms.ChoiceField(
        label=_("This person is the …"),
        required=False,
        choices=[("", _("— not a relative —")), *[(r.value, r.label) for r in INPUT_RELATIONS]],
    )

    field_order = ["owner_agency", "full_name", "given_name", "family_name", "other_names", "other_names_source"]

    def __init__(self, *args: Any, agencies: QuerySet[Agency], link_to: Person | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if link_to is None:
            self.fields["link_relation"].widget = forms.HiddenInput()
        else:
            self.fields["link_relation"].label = _("This person is the … of %(name)s") % {"name": link_to.display_name}
        owner = self.fields["owner_agency"]
        assert isinstance(owner, forms.ModelChoiceField)  # noqa: S101 - narrows the type
        owner.queryset = agencies
        if agencies.count() == 1:
            owner.initial = agencies.first()
            owner.widget = forms.HiddenInput()

    def other_name_inputs(self) -> list[NameInput]:
        source = self.cleaned_data.get("other_names_source") or ""
        lines = (self.cleaned_data.get("other_names") or "").splitlines()
        return [NameInput(full_name=line, source=source) for line in lines if line.strip()]


class PersonEditForm(_IdentityForm):
    @classmethod
    def initial_for(cls, person: Person) -> dict[str, Any]:
        primary = next((n for n in person.names.all() if n.is_primary), None)
        return {
            "full_name": primary.full_name if primary else person.display_name,
            "given_name": primary.given_name if primary else "",
            "family_name": primary.family_name if primary else "",
            "sex": person.sex,
            "birth_date_precision": person.birth_date_precision,
            "birth_date": person.birth_date,
            "birth_date_min": person.birth_date_min,
            "birth_date_max": person.birth_date_max,
            "birth_place": person.birth_place,
            "birth_country": person.birth_country,
        }


class NameForm(StyledForm):
    full_name = forms.CharField(
        label=_("Name as written"), max_length=300, widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"})
    )
    given_name = forms.CharField(
        label=_("Given name"), max_length=150, required=False, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    family_name = forms.CharField(
        label=_("Family name"), max_length=150, required=False, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    kind = forms.ChoiceField(
        label=_("Kind of name"),
        choices=[(k.value, k.label) for k in NameKind if k != NameKind.PRIMARY],
        initial=NameKind.ALIAS,
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        required=False,
        help_text=_("Where this spelling comes from, e.g. “Iraqi Ministry of Justice list, February 2019”."),
    )
    make_primary = forms.BooleanField(label=_("Make this the primary name"), required=False)

    def name_input(self) -> NameInput:
        data = self.cleaned_data
        return NameInput(
            full_name=data["full_name"],
            given_name=data.get("given_name") or "",
            family_name=data.get("family_name") or "",
            kind=data["kind"],
            source=data.get("source") or "",
        )


# --- nationality and identifiers ----------------------------------------------------------------


class _DocumentChoices(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_kind_display()}: {obj}"


class _PersonChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class NationalityClaimForm(StyledForm):
    country = forms.ChoiceField(label=_("Nationality"), choices=COUNTRY_OPTIONS)
    basis = forms.ChoiceField(label=_("Basis of the claim"), choices=NationalityBasis.choices)
    statement = forms.CharField(
        label=_("Statements"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who said what, and when (the person, a relative, an authority)."),
    )
    evidence_documents = _DocumentChoices(
        label=_("Documents"),
        queryset=PersonDocument.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    dna_result = forms.ChoiceField(label=_("DNA kinship result"), choices=DnaKinshipResult.choices, required=False)
    dna_relative = _PersonChoice(
        label=_("DNA compared with"), queryset=Person.objects.none(), required=False, empty_label=_("— nobody —")
    )
    dna_reference = forms.CharField(label=_("DNA report reference"), max_length=100, required=False)

    def __init__(self, *args: Any, documents: QuerySet[PersonDocument], relatives: QuerySet[Person], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["evidence_documents"].queryset = documents  # type: ignore[attr-defined]
        self.fields["dna_relative"].queryset = relatives  # type: ignore[attr-defined]


class NationalityDecisionForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[(NationalityStatus.VERIFIED.value, _("verified")), (NationalityStatus.REJECTED.value, _("rejected"))],
        widget=forms.RadioSelect,
    )
    decision_note = forms.CharField(
        label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}), help_text=_("What the decision rests on.")
    )
    evidence_documents = _DocumentChoices(
        label=_("Documents"),
        queryset=PersonDocument.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    dna_result = forms.ChoiceField(label=_("DNA kinship result"), choices=DnaKinshipResult.choices, required=False)
    dna_reference = forms.CharField(label=_("DNA report reference"), max_length=100, required=False)

    def __init__(self, *args: Any, documents: QuerySet[PersonDocument], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["evidence_documents"].queryset = documents  # type: ignore[attr-defined]


class IdentifierForm(StyledForm):
    identifier_type = forms.ChoiceField(label=_("Type"), choices=IdentifierType.choices)
    value = forms.CharField(label=_("Number"), max_length=100)
    issuer_country = forms.ChoiceField(label=_("Issuing country"), choices=COUNTRY_OPTIONS, required=False)
    issuing_authority = forms.CharField(
        label=_("Issuing authority"),
        max_length=200,
        required=False,
        help_text=_("e.g. “Ministry of Internal Affairs”, “ICRC Baghdad delegation”."),
    )
    issued_on = _date(_("Issued on"))
    valid_until = _date(_("Valid until"))


class DocumentForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )
    issued_on = _date(_("Issued on"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("PDF, JPEG or PNG, up to %(limit)s. Photos: JPEG or PNG.") % {
            "limit": filesizeformat(settings.HOMECOMING_DOCUMENT_MAX_BYTES)
        }


# --- family ------------------------------------------------------------------------------------------


class FamilyLinkForm(StyledForm):
    relative = forms.ModelChoiceField(
        label=_("Relative"),
        queryset=Person.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Find the relative and choose them from the list (or register them first)."),
            "invalid_choice": _("Find the relative and choose them from the list (or register them first)."),
        },
    )
    relation = forms.ChoiceField(
        label=_("is the … of this person"), choices=[(r.value, r.label) for r in INPUT_RELATIONS]
    )
    source = forms.CharField(
        label=_("How is it known?"),
        max_length=200,
        required=False,
        help_text=_("e.g. “mother's statement”, “birth certificate”, “DNA report 2019/17”."),
    )
    confidence = forms.ChoiceField(
        label=_("Confidence"), choices=LinkConfidence.choices, initial=LinkConfidence.PROBABLE
    )

    def __init__(self, *args: Any, candidates: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["relative"].queryset = candidates  # type: ignore[attr-defined]


class _MemberChoices(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class FamilyGroupForm(StyledForm):
    name = forms.CharField(
        label=_("Name of the group"), max_length=200, help_text=_("e.g. the mother's family name: “Rahimova family”.")
    )
    members = _MemberChoices(
        label=_("Who travels together"), queryset=Person.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, candidates: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = candidates  # type: ignore[attr-defined]


# --- facilities and custody ---------------------------------------------------------------------


class FacilityForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=FacilityKind.choices)
    country = forms.ChoiceField(label=_("Country"), choices=COUNTRY_OPTIONS)
    locality = forms.CharField(label=_("Town or region"), max_length=200, required=False)
    custodian_authority = forms.CharField(
        label=_("Custodian authority"),
        max_length=200,
        required=False,
        help_text=_("Who holds or runs it, e.g. “Government of Iraq”, “North-east Syria administration”."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class _FacilityChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_country_display()})"


class CustodyForm(StyledForm):
    facility = _FacilityChoice(
        label=_("Facility"), queryset=Facility.objects.filter(is_active=True).order_by("country", "name")
    )
    since = _date(
        _("Since"), required=True, help_text=_("The day they arrived, or the earliest day they are known to be there.")
    )
    until = _date(_("Until"), help_text=_("Leave empty while they are still there."))
    end_reason = forms.ChoiceField(label=_("How it ended"), choices=CustodyEndReason.choices, required=False)
    end_current = forms.BooleanField(label=_("This ends the current stay (a transfer or a release)"), required=False)
    charge = forms.CharField(label=_("Charge"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    sentence = forms.CharField(label=_("Sentence as pronounced"), max_length=300, required=False)
    sentence_months = forms.IntegerField(
        label=_("Length of the sentence (months)"), min_value=1, max_value=1200, required=False
    )
    life_sentence = forms.BooleanField(label=_("Life sentence"), required=False)
    court = forms.CharField(label=_("Court"), max_length=200, required=False)
    sentenced_on = _date(_("Sentenced on"))
    notes = forms.CharField(label=_("Legal notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    LEGAL = ("charge", "sentence", "sentence_months", "life_sentence", "court", "sentenced_on", "notes")

    def __init__(self, *args: Any, legal: bool, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.legal = legal
        if not legal:
            for name in self.LEGAL:
                del self.fields[name]
        if editing:
            del self.fields["end_current"]
            self.fields["facility"].queryset = Facility.objects.order_by("country", "name")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("life_sentence") and data.get("sentence_months"):
            self.add_error("sentence_months", _("A life sentence has no length; leave the months empty."))
        since, until = data.get("since"), data.get("until")
        if isinstance(since, dt.date) and isinstance(until, dt.date) and until < since:
            self.add_error("until", _("The end date cannot be before the start date."))
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = ["since", "until", "end_reason", *(self.LEGAL if self.legal else ())]
        return {name: data.get(name) for name in fields} | {"end_reason": data.get("end_reason") or ""}
