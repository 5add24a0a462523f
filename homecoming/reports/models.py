"""The register of figures quoted in public reports (press, ministries), kept beside the
figures computed from the records so that disagreements are visible.

Rows are written only by ``homecoming.reports.services``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homecoming.operations.models import Operation, country_code, currency_code
from homecoming.reports.choices import MONEY_MEASURES, FigureMeasure

countries_code = RegexValidator(
    r"^[A-Z]{3}(\+[A-Z]{3})*$",
    _("Use three-letter ISO 3166 codes, joined by “+” when the report covers several: SYR+IRQ."),
)


class ReportedFigure(models.Model):
    """One number quoted by one source about one thing (for example: 84 children returned from
    Iraq to Tajikistan on 30 April 2019, according to Asia-Plus)."""

    reported_on = models.DateField(_("date of the event or statement"))
    period_label = models.CharField(
        _("date or period as reported"), max_length=60, help_text=_("As the source gives it: “2019-01 to 2019-06”.")
    )
    period_start = models.DateField(_("counts from"))
    period_end = models.DateField(_("counts until"))
    home_country = models.CharField(_("home country"), max_length=3, validators=[country_code])
    origin_countries = models.CharField(
        _("from"), max_length=40, validators=[countries_code], help_text=_("For example IRQ, or SYR+IRQ.")
    )
    measure = models.CharField(_("what it counts"), max_length=30, choices=FigureMeasure.choices)
    value = models.DecimalField(
        _("figure quoted"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True, validators=[currency_code])
    source_name = models.CharField(_("source"), max_length=200)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    operation = models.ForeignKey(
        Operation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_figures",
        verbose_name=_("operation in the records"),
        help_text=_("When set, the records' figure is taken from this operation only."),
    )
    operation_label = models.CharField(_("operation as named by the source"), max_length=120, blank=True)
    detail = models.TextField(_("what the source says"), blank=True)
    disagreement_note = models.TextField(
        _("note on disagreement"), blank=True, help_text=_("Where sources disagree, and how far to trust this one.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["reported_on", "home_country", "measure", "id"]
        verbose_name = _("reported figure")
        verbose_name_plural = _("reported figures")
        constraints = [
            models.UniqueConstraint(
                fields=["period_label", "home_country", "origin_countries", "measure", "source_name"],
                name="%(app_label)s_%(class)s_unique_quote",
                violation_error_message=_("This source's figure for this measure and period is already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(measure__in=FigureMeasure.values), name="%(app_label)s_%(class)s_measure_valid"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="%(app_label)s_%(class)s_period_order",
                violation_error_message=_("The period cannot end before it starts."),
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="%(app_label)s_%(class)s_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.period_label} {self.home_country}←{self.origin_countries}: {self.value} ({self.measure})"

    def get_absolute_url(self) -> str:
        return reverse("reports:reported_figure_list") + f"#figure-{self.pk}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        is_money = self.measure in MONEY_MEASURES
        if is_money and not self.currency:
            raise ValidationError({"currency": _("A sum of money needs its currency.")})
        if not is_money and self.currency:
            raise ValidationError({"currency": _("This figure counts people; leave the currency empty.")})
        value: Decimal | None = self.value  # None when the field itself was left empty
        if not is_money and value is not None and value != value.to_integral_value():
            raise ValidationError({"value": _("A number of people is a whole number.")})

    @property
    def origin_list(self) -> list[str]:
        return [code for code in self.origin_countries.split("+") if code]

    @property
    def is_money(self) -> bool:
        return self.measure in MONEY_MEASURES
