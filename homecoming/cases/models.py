from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Agency
from homecoming.cases.choices import CaseStage
from homecoming.registry.models import Person


class Case(models.Model):
    """The file of one person's journey home."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="owned_cases")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_cases"
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=CaseStage.choices, default=CaseStage.IDENTIFIED, db_index=True
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"{self.person} ({self.get_stage_display()})"
