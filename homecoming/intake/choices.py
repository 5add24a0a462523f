from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    UPLOADED = "uploaded", _("uploaded")
    VALIDATING = "validating", _("validating")
    VALIDATED = "validated", _("validated")
    MATCHED = "matched", _("matched")
    COMMITTING = "committing", _("importing")
    COMMITTED = "committed", _("imported")
    FAILED = "failed", _("failed")
    DISCARDED = "discarded", _("discarded")


# A batch in one of these states can no longer be changed.
CLOSED_BATCH_STATUSES = frozenset({BatchStatus.COMMITTED, BatchStatus.DISCARDED})
# These states hold a file that counts for the "same file twice" rule.
LIVE_BATCH_STATUSES = frozenset(s for s in BatchStatus if s != BatchStatus.DISCARDED)


class SourceKind(models.TextChoices):
    FOREIGN_AUTHORITY = "foreign_authority", _("A foreign authority (a case is opened for each new person)")
    OWN_AGENCY = "own_agency", _("Our own or another national agency")
    ORGANISATION = "organisation", _("An international or non-governmental organisation")


class MatchStatus(models.TextChoices):
    PENDING = "", _("not matched yet")
    NEW = "new", _("new person")
    EXISTING = "existing", _("already registered")
    AMBIGUOUS = "ambiguous", _("may be registered")
    DUPLICATE = "duplicate", _("repeats another row")


class Resolution(models.TextChoices):
    NONE = "", _("not decided")
    NEW = "new", _("register as a new person")
    EXISTING = "existing", _("the registered person chosen")
    SKIP = "skip", _("same person as another row; not imported again")
