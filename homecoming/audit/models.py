from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    VIEW = "view", _("viewed")
    LIST = "list", _("listed")
    SEARCH = "search", _("searched")
    CREATE = "create", _("created")
    CHANGE = "change", _("changed")
    DELETE = "delete", _("deleted")
    EXPORT = "export", _("exported")
    LOGIN = "login", _("signed in")
    LOGIN_FAILED = "login_failed", _("sign-in failed")
    LOGOUT = "logout", _("signed out")
    TRANSITION = "transition", _("moved stage")
    APPROVE = "approve", _("approved")
    SECURITY = "security", _("security setting changed")


class AuditEntry(models.Model):
    """One append-only, hash-chained entry of the audit trail.

    Each entry's ``entry_hash`` covers its own content and the ``prev_hash`` of the entry
    before it, so changing or removing any entry breaks the chain from there on
    (``manage.py audit verify`` finds the first break). Database triggers refuse UPDATE
    and DELETE; appends are serialised by ``homecoming.audit.services``.
    """

    occurred_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_username = models.CharField(_("user"), max_length=150, blank=True)
    agency_codes = models.CharField(_("agencies"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_ids = models.JSONField(_("objects shown"), default=list, blank=True)
    changed_fields = models.JSONField(_("changed fields"), default=list, blank=True)
    purpose = models.CharField(_("stated purpose"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["object_type", "object_id", "occurred_at"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.actor_username} {self.action} {self.object_type}:{self.object_id}"
