from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CONSULAR_OFFICER = "consular_officer", _("Consular officer")
    CASE_WORKER = "case_worker", _("Case worker")
    HEALTH_WORKER = "health_worker", _("Health worker")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    TEACHER = "teacher", _("Teacher")
    FOCAL_POINT = "focal_point", _("Local focal point")
    MANAGER = "manager", _("Manager")
    AUDITOR = "auditor", _("Auditor")
    STATISTICIAN = "statistician", _("Statistician")
    ADMINISTRATOR = "administrator", _("Administrator")


class AgencyKind(models.TextChoices):
    FOREIGN_MINISTRY = "foreign_ministry", _("Ministry of foreign affairs")
    CHILD_PROTECTION = "child_protection", _("Child-protection agency")
    HEALTH = "health", _("Health service")
    EDUCATION = "education", _("Education service")
    NGO = "ngo", _("Non-governmental organisation")
    FOREIGN_STATE = "foreign_state", _("Another state's authority")
    OVERSIGHT = "oversight", _("Oversight body")
    STATISTICS = "statistics", _("Statistics office")
