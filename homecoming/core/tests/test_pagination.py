"""The one pagination bar every list uses: it keeps the list's filters from page to page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


def _bar(query: str, number: int) -> str:
    request = RequestFactory().get(f"/jobs/?{query}")
    page = Paginator(list(range(120)), 50).get_page(number)
    return render_to_string("core/_pagination.html", {"page": page}, request=request)


def test_the_links_keep_the_filters_and_change_only_the_page() -> None:
    html = _bar("status=failed&q=nazar&page=2", 2)
    assert 'href="?status=failed&amp;q=nazar&amp;page=1" rel="prev"' in html
    assert 'href="?status=failed&amp;q=nazar&amp;page=3" rel="next"' in html
    assert "Page 2 of 3" in html


def test_first_and_last_appear_only_where_there_is_somewhere_to_go() -> None:
    first = _bar("", 1)
    assert "Previous" not in first
    assert "First" not in first
    assert 'href="?page=3">Last' in first
    last = _bar("page=3", 3)
    assert "Next" not in last
    assert "Last" not in last
    assert 'href="?page=1">First' in last


def test_a_single_page_shows_no_bar() -> None:
    request = RequestFactory().get("/jobs/")
    page = Paginator([1, 2], 50).get_page(1)
    assert render_to_string("core/_pagination.html", {"page": page}, request=request).strip() == ""
