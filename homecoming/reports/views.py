"""The figures pages: the managers' dashboard (exact counts), the figures as published (through
disclosure control) and the register of figures quoted in public reports beside the records' own.

Every number here is computed from the records by ``reports.figures`` / ``reports.selectors``; no
page shows a person, so no page writes a read entry of the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from homecoming.core.access import Perm, has_perm, require_perm
from homecoming.operations.choices import FeeKind
from homecoming.registry.choices import AgeBand, Sex
from homecoming.registry.countries import country_name
from homecoming.reports import figures, selectors
from homecoming.reports.disclosure import DEFAULT_THRESHOLD


def _share(value: int, largest: int) -> int:
    """A bar's length in percent of the largest value of its chart."""
    return round(100 * value / largest) if largest else 0


def _operation_bars(operations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    largest = max((op["returned_total"] or 0 for op in operations), default=0)
    bars = []
    for op in operations:
        bars.append(
            {
                **op,
                "origin_name": country_name(op["origin_country"]),
                "destination_name": country_name(op["destination_country"]),
                "children_share": _share(op["returned_children"], largest),
                "women_share": _share(op["returned_women"], largest),
                "men_share": _share(op["returned_men"], largest),
                "handed_over_total": sum(h["women"] + h["children"] for h in op["handed_over"]),
            }
        )
    return bars


def _assessment_bars(months: list[dict[str, Any]]) -> list[dict[str, Any]]:
    largest = max((m["assessed_children"] for m in months), default=0)
    return [
        {
            **m,
            "eligible_share": _share(m["eligible_children"], largest),
            "other_share": _share(m["assessed_children"] - m["eligible_children"], largest),
        }
        for m in months
    ]


class DashboardView(LoginRequiredMixin, View):
    """Exact figures, for managers: per operation, still held abroad, assessments over time, the
    pipeline of cases by country, the returned by age and sex, fees."""

    def get(self, request: HttpRequest) -> HttpResponse:
        require_perm(request.user, Perm.FIGURES_EXACT)
        doc = selectors.figures_document(public=False)
        by_age = figures.figure_returned_by_sex_and_age()
        age_rows = [
            {
                "band": AgeBand(band).label,
                "female": by_age[band][Sex.FEMALE],
                "male": by_age[band][Sex.MALE],
                "unknown": by_age[band][Sex.UNKNOWN],
                "total": sum(by_age[band].values()),
            }
            for band in AgeBand.values
        ]
        remaining = [{**row, "name": country_name(row["country"])} for row in doc["remaining"]]
        facilities = figures.figure_remaining()
        return render(
            request,
            "reports/dashboard.html",
            {
                "doc": doc,
                "operations": _operation_bars(doc["operations"]),
                "remaining": remaining,
                "facilities": facilities,
                "assessments": _assessment_bars(doc["assessments"]),
                "pipeline": figures.figure_pipeline(),
                "age_rows": age_rows,
                "fees": figures.figure_fees(kind=FeeKind.DETAINING_AUTHORITY),
                "all_fees": figures.figure_fees(),
                "can_see_published": has_perm(request.user, Perm.FIGURES_PUBLIC),
            },
        )


class PublishedView(LoginRequiredMixin, View):
    """The figures as they may leave the system: counts from 1 to 4 hidden, and anything that would
    let a hidden count be worked out hidden too."""

    def get(self, request: HttpRequest) -> HttpResponse:
        require_perm(request.user, Perm.FIGURES_PUBLIC)
        return render(
            request,
            "reports/published.html",
            {
                "tables": selectors.published_tables(),
                "fees": selectors.published_fees(public=True),
                "threshold": DEFAULT_THRESHOLD,
                "can_see_exact": has_perm(request.user, Perm.FIGURES_EXACT),
            },
        )


class ReportedFigureListView(LoginRequiredMixin, View):
    """Figures quoted by the press and ministries, each beside the records' figure for the same
    thing; the difference is highlighted. Without exact access the records' small counts are hidden."""

    def get(self, request: HttpRequest) -> HttpResponse:
        require_perm(request.user, Perm.FIGURES_PUBLIC)
        exact = has_perm(request.user, Perm.FIGURES_EXACT)
        comparisons = selectors.reported_figure_comparisons(exact=exact)
        summary = {
            "agree": sum(1 for c in comparisons if c.agrees is True),
            "differ": sum(1 for c in comparisons if c.agrees is False),
            "absent": sum(1 for c in comparisons if c.record.value is None),
            "hidden": sum(1 for c in comparisons if c.hidden),
        }
        only = request.GET.get("show", "")
        if only == "differ":
            comparisons = [c for c in comparisons if c.agrees is False]
        elif only == "recorded":
            comparisons = [c for c in comparisons if c.record.value is not None]
        return render(
            request,
            "reports/reported_figure_list.html",
            {
                "comparisons": comparisons,
                "summary": summary,
                "exact": exact,
                "show": only,
                "threshold": DEFAULT_THRESHOLD,
            },
        )
