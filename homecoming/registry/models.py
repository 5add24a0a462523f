from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Agency


class Sex(models.TextChoices):
    FEMALE = "F", _("female")
    MALE = "M", _("male")
    UNKNOWN = "U", _("unknown")


class Person(models.Model):
    """Anyone the system tracks: a child, a woman, a man, a relative at home."""

    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="owned_persons")
    display_name = models.CharField(_("name"), max_length=300, help_text=_("The primary name as written."))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return self.display_name


class ShareKind(models.TextChoices):
    SHARED = "shared", _("shared")
    REFERRED = "referred", _("referred")


class PersonShare(models.Model):
    """Another agency's access to a person (and their cases): shared for information or referred for services."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="shares")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="shared_persons")
    kind = models.CharField(_("kind"), max_length=20, choices=ShareKind.choices, default=ShareKind.SHARED)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        constraints = [
            models.UniqueConstraint(fields=["person", "agency"], name="%(app_label)s_%(class)s_unique_person_agency")
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.agency}"
