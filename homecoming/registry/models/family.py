"""Family links between persons, and family groups (who travels together)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Agency
from homecoming.registry.choices import STORED_RELATIONS, LinkConfidence, Relation
from homecoming.registry.models.persons import Person

__all__ = ["FamilyGroup", "FamilyGroupMember", "FamilyLink"]


class FamilyLink(models.Model):
    """``person`` is the ``relation`` of ``relative`` ("Zarina is the mother of Amir").

    Stored once per pair of persons, in one direction; the other direction is derived
    (``registry.family.inverse_relation``). Children and grandchildren are stored from the
    parent's side, so the stored relations are those of ``STORED_RELATIONS``.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="family_links_out")
    relative = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="family_links_in")
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("How the link is known: a statement, a document, a list.")
    )
    confidence = models.CharField(
        _("confidence"), max_length=20, choices=LinkConfidence.choices, default=LinkConfidence.PROBABLE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("family link")
        verbose_name_plural = _("family links")
        constraints = [
            models.CheckConstraint(
                condition=~Q(person=F("relative")),
                name="%(app_label)s_%(class)s_not_self",
                violation_error_message=_("A person cannot be their own relative."),
            ),
            models.CheckConstraint(
                condition=Q(relation__in=sorted(STORED_RELATIONS)),
                name="%(app_label)s_%(class)s_stored_relation",
            ),
            models.UniqueConstraint(
                Least("person", "relative"),
                Greatest("person", "relative"),
                name="%(app_label)s_%(class)s_once_per_pair",
                violation_error_message=_("These two persons are already linked."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_relation_display()} → {self.relative}"


class FamilyGroup(models.Model):
    """Persons who travel together (a mother and her children), whatever their links."""

    name = models.CharField(_("name of the group"), max_length=200)
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(_("notes"), blank=True)
    members: models.ManyToManyField[Person, FamilyGroupMember] = models.ManyToManyField(
        Person, through="FamilyGroupMember", related_name="family_groups"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("family group")
        verbose_name_plural = _("family groups")

    def __str__(self) -> str:
        return self.name


class FamilyGroupMember(models.Model):
    """A person in a family group; a person travels with one group at a time."""

    group = models.ForeignKey(FamilyGroup, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="family_group_memberships")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("member of a family group")
        verbose_name_plural = _("members of family groups")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                name="%(app_label)s_%(class)s_one_group_per_person",
                violation_error_message=_("This person is already in a family group."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.group} · {self.person}"
