from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStage(models.TextChoices):
    IDENTIFIED = "identified", _("identified")
    VERIFIED = "verified", _("verified")
    ASSESSED = "assessed", _("assessed")
    CONSENTED = "consented", _("consented")
    APPROVED = "approved", _("approved")
    SCHEDULED = "scheduled", _("scheduled")
    RETURNED = "returned", _("returned")
    REINTEGRATING = "reintegrating", _("reintegrating")
    CLOSED = "closed", _("closed")
    ON_HOLD = "on_hold", _("on hold")
    NOT_ELIGIBLE = "not_eligible", _("not eligible")
    HANDED_OVER = "handed_over", _("handed over")
