"""Forms of the case pages. They parse input; the services validate across rows and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Agency, User
from homecoming.cases.choices import (
    AssessmentKind,
    AssessmentOutcome,
    CasePriority,
    ConsentGiver,
    ConsentScope,
)
from homecoming.cases.selectors import NextMove
from homecoming.core.access import persons_visible_to
from homecoming.core.forms import DateInput, StyledForm
from homecoming.registry.models import Person

__all__ = [
    "ApprovalDecisionForm",
    "AssessmentForm",
    "CaseCreateForm",
    "CaseEditForm",
    "ConsentForm",
    "ConsentWithdrawForm",
    "TransitionForm",
]


class UserChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.username})" if name else obj.username


class CaseCreateForm(StyledForm):
    person = forms.IntegerField(widget=forms.HiddenInput)
    owner_agency = forms.ModelChoiceField(
        label=_("Owner agency"), queryset=Agency.objects.none(), help_text=_("The agency responsible for the case.")
    )
    assigned_to = UserChoiceField(
        label=_("Assigned worker"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("not assigned yet"),
        help_text=_("Someone who works on cases in the owner agency."),
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=CasePriority.choices, initial=CasePriority.NORMAL)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is known so far and what needs doing. Keep it factual."),
    )

    def __init__(self, *args: Any, agencies: Any, assignable: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["assigned_to"].queryset = assignable  # type: ignore[attr-defined]


class CaseEditForm(StyledForm):
    assigned_to = UserChoiceField(
        label=_("Assigned worker"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("not assigned"),
        help_text=_("Someone who works on cases in the owner agency."),
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=CasePriority.choices)
    summary = forms.CharField(
        label=_("Summary"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args: Any, assignable: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = assignable  # type: ignore[attr-defined]


class TransitionForm(StyledForm):
    to_stage = forms.ChoiceField(label=_("Move to"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the case moves now. This is kept in the case history."),
        error_messages={"required": _("Give the reason for this move.")},
    )

    def __init__(self, *args: Any, moves: list[NextMove], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].choices = [(m.stage.value, m.label) for m in moves]  # type: ignore[attr-defined]
        self.fields["to_stage"].error_messages["invalid_choice"] = _(
            "The case cannot move to that stage from where it is now."
        )


class AssessmentForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind of assessment"), choices=AssessmentKind.choices)
    assessed_on = forms.DateField(label=_("Date of assessment"), widget=DateInput)
    round_label = forms.CharField(
        label=_("Assessment round"),
        required=False,
        max_length=60,
        help_text=_("Optional, for example “February 2019”."),
    )
    assessor = UserChoiceField(
        label=_("Assessor (a user)"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("someone without an account"),
    )
    assessor_name = forms.CharField(
        label=_("Assessor's name"),
        required=False,
        max_length=200,
        help_text=_("Leave empty to use the chosen user's name."),
    )
    assessor_role = forms.CharField(
        label=_("Assessor's role"), required=False, max_length=200, help_text=_("For example “social worker”.")
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=AssessmentOutcome.choices, widget=forms.RadioSelect)
    reasons = forms.CharField(
        label=_("Reasons"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Give the reasons for the outcome.")},
    )
    recommendations = forms.CharField(
        label=_("Recommendations"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, assessors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessor"].queryset = assessors  # type: ignore[attr-defined]
        self.fields["assessed_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("assessor") and not (data.get("assessor_name") or "").strip():
            self.add_error("assessor_name", _("Name who made the assessment, or choose them as a user."))
        return data


class ConsentForm(StyledForm):
    given_by_relation = forms.ChoiceField(label=_("Consent given by"), choices=ConsentGiver.choices)
    given_by_name = forms.CharField(
        label=_("Name of who consented"),
        required=False,
        max_length=300,
        help_text=_("As written on the signed document. Left empty for the person themself."),
    )
    given_by_person = forms.IntegerField(
        label=_("Registry number of who consented"),
        required=False,
        min_value=1,
        help_text=_("Optional: link the mother, father or guardian to their record in the registry."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("The consent covers"),
        choices=ConsentScope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ConsentScope.REPATRIATION],
        error_messages={"required": _("Tick at least one thing the consent covers.")},
    )
    given_on = forms.DateField(label=_("Date of consent"), widget=DateInput)
    witness_name = forms.CharField(label=_("Witness"), required=False, max_length=300)
    interpreter_name = forms.CharField(label=_("Interpreter"), required=False, max_length=300)
    language = forms.CharField(
        label=_("Language of the consent"),
        required=False,
        max_length=60,
        help_text=_("The language in which consent was explained and given."),
    )
    document = forms.FileField(
        label=_("Signed document"),
        required=False,
        help_text=_("A scan or photo of the signed consent: PDF, JPEG or PNG."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["given_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["document"].help_text = _(
            "A scan or photo of the signed consent: PDF, JPEG or PNG, up to %(limit)s."
        ) % {"limit": filesizeformat(settings.HOMECOMING_DOCUMENT_MAX_BYTES)}

    def clean_given_by_person(self) -> Person | None:
        pk = self.cleaned_data.get("given_by_person")
        if pk is None:
            return None
        person = persons_visible_to(self.user).filter(pk=pk).first()
        if person is None:
            raise ValidationError(_("No person with this number is in your records."))
        return person


class ConsentWithdrawForm(StyledForm):
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=DateInput)
    reason = forms.CharField(
        label=_("Reason for withdrawal"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the consent was withdrawn.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["withdrawn_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["withdrawn_on"].initial = timezone.localdate()


class ApprovalDecisionForm(StyledForm):
    APPROVE = "approve"
    REJECT = "reject"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=((APPROVE, _("Approve")), (REJECT, _("Reject"))),
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when rejecting: say why."),
    )

    @property
    def approve(self) -> bool:
        return bool(self.cleaned_data.get("decision") == self.APPROVE)
