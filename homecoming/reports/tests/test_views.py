"""The figures pages: exact for managers, through disclosure control for statisticians, and the
register of reported figures beside the records' own."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.core.testing.factories import AgencyFactory, user_with_role
from homecoming.reports import services
from homecoming.reports.choices import FigureMeasure
from homecoming.reports.tests.factories import returned_operation

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    mfa = AgencyFactory(code="mfa", kind=AgencyKind.FOREIGN_MINISTRY)
    stat = AgencyFactory(code="stat", kind=AgencyKind.STATISTICS)
    consul = user_with_role(Role.CONSULAR_OFFICER, mfa, username="consul")
    big = returned_operation(agency=mfa, by=consul, name="Big flight", children=12, women=6, fee_each=Decimal(400))
    small = returned_operation(
        agency=mfa, by=consul, name="Small flight", children=3, day=dt.date(2020, 5, 5), origin="SYR"
    )
    return {
        "manager": user_with_role(Role.MANAGER, mfa, username="manager"),
        "stats": user_with_role(Role.STATISTICIAN, stat, username="stats"),
        "big": big,
        "small": small,
    }


def _client(client, user):
    client.force_login(user)
    return client


def _row(html: str, marker: str) -> str:
    """The table row of ``html`` that contains ``marker``."""
    for row in re.findall(r"<tr[^>]*>.*?</tr>", html, flags=re.S):
        if marker in row:
            return row
    raise AssertionError(f"no row with {marker!r}")


def test_dashboard_shows_exact_counts_to_managers(client, world):
    html = _client(client, world["manager"]).get(reverse("reports:dashboard")).content.decode()
    small = _row(html, "Small flight")
    assert 'data-figure="returned_children">3<' in small
    big = _row(html, "Big flight")
    assert 'data-figure="returned_children">12<' in big
    assert 'data-figure="returned_women">6<' in big
    assert "USD 7200" in big


def test_statisticians_do_not_get_the_exact_dashboard(client, world):
    assert _client(client, world["stats"]).get(reverse("reports:dashboard")).status_code == 403


def test_published_figures_hide_small_counts(client, world):
    response = _client(client, world["stats"]).get(reverse("reports:published"))
    assert response.status_code == 200
    html = response.content.decode()
    returned = html[html.index('data-testid="published-returned"') : html.index('data-testid="published-handed_over"')]
    small = _row(returned, "Small flight")
    assert 'data-hidden="primary"' in small  # the 3 children
    assert ">3<" not in small
    big = _row(returned, "Big flight")
    # 12 children and 6 women would be shown, but the column totals would give the 3 away: they
    # are hidden too, and nothing in the table lets 3 be worked out.
    assert 'data-hidden="secondary"' in returned
    for value in re.findall(r"<td[^>]*>\s*(\d+)\s*</td>", returned):
        assert not 1 <= int(value) <= 4
    assert big.count("data-hidden") >= 1


def test_reported_figures_beside_the_records(client, world):
    by = world["manager"]
    for value in (12, 15):
        services.reported_figure_create(
            by=by,
            period_start=dt.date(2019, 4, 30),
            period_end=None,
            home_country="TJK",
            origin_countries="IRQ",
            measure=FigureMeasure.RETURNED_CHILDREN,
            value=Decimal(value),
            source_name=f"Newspaper {value}",
        )
    services.reported_figure_create(
        by=by,
        period_start=dt.date(2020, 5, 5),
        period_end=None,
        home_country="TJK",
        origin_countries="SYR",
        measure=FigureMeasure.RETURNED_CHILDREN,
        value=Decimal(2),
        source_name="Small paper",
    )
    html = _client(client, by).get(reverse("reports:reported_figure_list")).content.decode()
    assert 'data-agrees="yes"' in _row(html, "Newspaper 12")
    differs = _row(html, "Newspaper 15")
    assert 'data-agrees="no"' in differs
    assert "-3" in differs
    assert "+1" in _row(html, "Small paper")  # managers see the exact 3 against the quoted 2

    client.logout()
    html = _client(client, world["stats"]).get(reverse("reports:reported_figure_list")).content.decode()
    small = _row(html, "Small paper")
    assert "hidden" in small
    assert 'data-agrees="unknown"' in small


def test_figures_command_prints_pure_json(world):
    out = io.StringIO()
    call_command("figures", "--json", stdout=out)
    doc = json.loads(out.getvalue())
    big = next(op for op in doc["operations"] if op["name"] == "Big flight")
    assert (big["returned_children"], big["returned_women"]) == (12, 6)
    assert big["fees"] == [{"currency": "USD", "total": 7200}]

    out = io.StringIO()
    call_command("figures", "--json", "--public", stdout=out)
    public = json.loads(out.getvalue())
    small = next(op for op in public["operations"] if op["name"] == "Small flight")
    assert small["returned_children"] is None


def test_figures_api_exact_for_managers_public_for_statisticians(client, world):
    def small(user):
        client.force_login(user)
        doc = client.get(reverse("figures")).json()
        return next(op for op in doc["operations"] if op["name"] == "Small flight"), doc["public"]

    exact, public = small(world["manager"])
    assert (exact["returned_children"], public) == (3, False)
    hidden, public = small(world["stats"])
    assert (hidden["returned_children"], public) == (None, True)
