"""Access matrix of the figures pages: exact figures for managers, published figures and the
register of reported figures for whoever may see public figures; nobody else."""

from __future__ import annotations

from homecoming.core.access import Perm
from homecoming.core.testing.matrix import AccessMatrix, Endpoint


class TestReportsPagesAccess(AccessMatrix):
    endpoints = [
        Endpoint("reports:dashboard", perm=Perm.FIGURES_EXACT),
        Endpoint("reports:published", perm=Perm.FIGURES_PUBLIC),
        Endpoint("reports:reported_figure_list", perm=Perm.FIGURES_PUBLIC),
        Endpoint("reports:reported_figure_list", perm=Perm.FIGURES_PUBLIC, query="?show=differ"),
    ]


class TestReportsApiAccess(AccessMatrix):
    endpoints = [
        Endpoint("figures", perm=Perm.FIGURES_PUBLIC, api=True),
    ]
