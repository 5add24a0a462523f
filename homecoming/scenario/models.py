"""A scenario loaded into the database: which one, from which seed, and what it created (so that
loading twice duplicates nothing and ``--reset`` can take it out again)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ScenarioLoad(models.Model):
    name = models.CharField(_("scenario"), max_length=60, unique=True)
    seed = models.BigIntegerField(_("seed"))
    loaded_at = models.DateTimeField(_("loaded"), default=timezone.now)
    seconds = models.FloatField(_("time taken (seconds)"), default=0)
    counts = models.JSONField(_("what was created"), default=dict, blank=True)
    object_ids = models.JSONField(_("ids of the records created"), default=dict, blank=True)

    class Meta:
        verbose_name = _("scenario load")
        verbose_name_plural = _("scenario loads")

    def __str__(self) -> str:
        return f"{self.name} (seed {self.seed})"
