"""Choices of the reports app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FigureMeasure(models.TextChoices):
    """What a figure quoted in a report counts. Each has a selector in ``reports.figures``
    that computes the same thing from the records (``figures.record_figure_for``)."""

    RETURNED_TOTAL = "returned_total", _("returned: everyone")
    RETURNED_WOMEN = "returned_women", _("returned: women")
    RETURNED_CHILDREN = "returned_children", _("returned: children")
    RETURNED_MEN = "returned_men", _("returned: men")
    HELD_WOMEN = "held_women", _("held abroad: women")
    HELD_CHILDREN = "held_children", _("held abroad: children")
    REMAINING_WOMEN = "remaining_women", _("still held afterwards: women")
    REMAINING_CHILDREN = "remaining_children", _("still held afterwards: children")
    ELIGIBLE_CHILDREN = "eligible_children", _("children found eligible")
    RELEASED_TOTAL = "released_total", _("released by the detaining authority")
    HANDED_OVER_TOTAL = "handed_over_total", _("handed over to another state")
    FEE_PER_CHILD = "fee_per_child", _("fee per child paid to the detaining authority")


#: Measures that are sums of money (they carry a currency); the others count people.
MONEY_MEASURES = frozenset({FigureMeasure.FEE_PER_CHILD})
