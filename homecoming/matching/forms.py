"""The merge form: which record survives, and for each field whose value is kept."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from homecoming.matching.services import MERGE_FIELDS, MergeSide

__all__ = ["MERGE_FIELD_LABELS", "MergeForm"]

SIDES = (("a", _("first record")), ("b", _("second record")))

MERGE_FIELD_LABELS = {
    "name": _("Primary name"),
    "sex": _("Sex"),
    "birth_date": _("Date of birth"),
    "birth_place": _("Place of birth"),
    "birth_country": _("Country of birth"),
}


class MergeForm(forms.Form):
    """``survivor``: the record kept (``a`` the first, ``b`` the second); one field per value: the record it comes from."""

    survivor = forms.ChoiceField(label=_("Record kept"), choices=SIDES, widget=forms.RadioSelect, initial="a")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in MERGE_FIELDS:
            self.fields[name] = forms.ChoiceField(
                label=MERGE_FIELD_LABELS[name], choices=SIDES, widget=forms.RadioSelect, required=False
            )

    def choices(self) -> dict[str, str]:
        """The service's choices: per field, the survivor's or the merged record's value (default: survivor's)."""
        survivor = self.cleaned_data["survivor"]
        return {
            name: MergeSide.SURVIVOR if (self.cleaned_data.get(name) or survivor) == survivor else MergeSide.MERGED
            for name in MERGE_FIELDS
        }
