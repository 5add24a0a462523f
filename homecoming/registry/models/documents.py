"""Documents and photos of a person: files kept outside the web root, served only through the
access-checked, audited download view."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from homecoming.registry.choices import DocumentKind
from homecoming.registry.models.persons import Person

__all__ = ["PersonDocument"]


class PersonDocument(models.Model):
    """A scanned document or a photo. The type is read from the file's first bytes (PDF, JPEG or
    PNG only); the stored name is random, the original name is kept for the download."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind of document"), max_length=30, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="registry/documents/", max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title or self.original_name

    def get_absolute_url(self) -> str:
        return reverse("registry:document_download", kwargs={"pk": self.person_id, "document_pk": self.pk})

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
