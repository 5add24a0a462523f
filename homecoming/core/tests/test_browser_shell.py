"""The shell in a real browser: sign-in by role, navigation, Arabic (right to left), a job's live progress."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.core.models import Job
from homecoming.core.testing.factories import TEST_PASSWORD, AgencyFactory, UserFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def people():
    cpa = AgencyFactory(code="cpa", name="Child Protection Agency", kind=AgencyKind.CHILD_PROTECTION)
    oversight = AgencyFactory(code="oversight", name="Oversight Office", kind=AgencyKind.OVERSIGHT)
    caseworker = user_with_role(Role.CASE_WORKER, cpa, "caseworker")
    auditor = user_with_role(Role.AUDITOR, oversight, "auditor")
    admin = user_with_role(Role.ADMINISTRATOR, cpa, "admin")
    manager = user_with_role(Role.MANAGER, cpa, "manager")
    for user, first, last in [
        (caseworker, "Malika", "Caseworker"),
        (auditor, "Aziz", "Auditor"),
        (admin, "Ada", "Admin"),
        (manager, "Nigora", "Manager"),
    ]:
        user.first_name, user.last_name = first, last
        user.save()
    return {"caseworker": caseworker, "auditor": auditor, "admin": admin, "manager": manager}


@pytest.fixture
def no_third_party_requests(page: Page, live_server):
    """Every request the page makes goes to our own server."""
    foreign: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(live_server.url) else foreign.append(r.url))
    yield
    assert not foreign, f"third-party requests: {foreign}"


def sign_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("whoami")).to_be_visible()
    page.wait_for_load_state("networkidle")


def nav_labels(page: Page) -> list[str]:
    """Every entry of the top bar, those inside drop-down menus included."""
    links = page.get_by_test_id("main-nav").locator("a.nav-link:not(.dropdown-toggle), a.dropdown-item")
    return [t.strip() for t in links.all_text_contents()]


def test_a_case_worker_and_an_auditor_see_their_own_navigation(
    page: Page, live_server, people, no_third_party_requests
) -> None:
    sign_in(page, live_server, "caseworker")
    expect(page.locator("h1")).to_have_text("Welcome, Malika")
    expect(page.get_by_test_id("whoami")).to_have_text("Malika Caseworker")
    page.get_by_test_id("whoami").click()
    expect(page.get_by_test_id("user-roles")).to_be_visible()
    expect(page.get_by_test_id("user-roles")).to_contain_text("Case worker")
    shot(page, "shell-user-menu")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("memberships")).to_contain_text("Case worker — Child Protection Agency")
    labels = nav_labels(page)
    assert labels[0] == "Home"
    assert "Jobs" in labels
    assert "Audit trail" not in labels
    assert "Users" not in labels
    expect(page.get_by_test_id("home-cards").get_by_role("link", name="Jobs")).to_be_visible()
    expect(page.locator("footer")).to_contain_text("recorded in the audit trail")
    shot(page, "shell-home-caseworker")

    page.get_by_test_id("whoami").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")

    sign_in(page, live_server, "auditor")
    page.get_by_test_id("whoami").click()
    expect(page.get_by_test_id("user-roles")).to_contain_text("Auditor")
    page.keyboard.press("Escape")
    labels = nav_labels(page)
    assert "Jobs" not in labels
    assert "Persons" not in labels
    assert "Cases" not in labels
    shot(page, "shell-home-auditor")


def test_switching_to_arabic_turns_the_page_right_to_left(
    page: Page, live_server, people, no_third_party_requests
) -> None:
    sign_in(page, live_server, "caseworker")
    page.get_by_test_id("language-select").select_option("ar")
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("h1")).to_have_text("مرحبًا، Malika")
    # Right to left for real: the brand sits at the right edge, the user menu at the left,
    # and the menu opens inside the window.
    width = page.viewport_size["width"] if page.viewport_size else 1280
    brand = page.locator(".navbar-brand").bounding_box()
    page.get_by_test_id("whoami").click()
    expect(page.get_by_role("button", name="تسجيل الخروج")).to_be_visible()
    sign_out = page.get_by_role("button", name="تسجيل الخروج").bounding_box()
    assert brand
    assert sign_out
    assert brand["x"] > width / 2
    assert sign_out["x"] < width / 2
    assert sign_out["x"] >= 0
    shot(page, "shell-home-ar-menu")
    page.keyboard.press("Escape")
    shot(page, "shell-home-ar")

    page.goto(f"{live_server.url}/jobs/")
    expect(page.locator("h1")).to_have_text("المهام")
    shot(page, "shell-jobs-ar")

    page.get_by_test_id("language-select").select_option("tg")
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("h1")).to_have_text("Супоришҳо")


@pytest.mark.parametrize("language", ["ru", "tg", "ar"])
def test_the_top_bar_fits_on_one_line_on_a_small_laptop_in_every_language(
    page: Page, live_server, people, language: str
) -> None:
    page.set_viewport_size({"width": 1024, "height": 700})
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    sign_in(page, live_server, "manager")
    expect(page.locator("html")).to_have_attribute("lang", language)
    shot(page, f"shell-home-manager-{language}-1024")
    navbar = page.locator("nav.navbar").bounding_box()
    assert navbar
    assert navbar["height"] < 80, f"the top bar wraps in {language}: {navbar['height']}px high"
    for link in page.get_by_test_id("main-nav").locator("a.nav-link").all():
        expect(link).to_be_visible()


def test_an_auditor_starts_the_audit_check_and_watches_it_finish(
    page: Page, live_server, people, no_third_party_requests
) -> None:
    sign_in(page, live_server, "auditor")
    page.get_by_role("link", name="Audit trail", exact=True).first.click()
    page.get_by_test_id("start-audit.verify_chain").click()

    expect(page.locator("h1")).to_contain_text("Verify the audit trail")
    expect(page.get_by_test_id("job-status")).to_have_text("Queued")
    expect(page.get_by_text("Waiting for a worker to pick it up.")).to_be_visible()
    shot(page, "shell-job-queued")

    job = Job.objects.get()
    call_command("db_worker", batch=True, startup_delay=False, queue_name="*", reload=False, verbosity=0)

    # The page polls every second (HTMX) and stops once the job has finished: no reload needed.
    expect(page.get_by_test_id("job-status")).to_have_text("Succeeded", timeout=10_000)
    progress = page.get_by_role("progressbar")
    expect(progress).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_test_id("job-result")).to_contain_text("The audit trail is intact")
    expect(page.get_by_test_id("job-log")).to_contain_text("entries to check.")
    assert page.locator("#job-live[hx-trigger]").count() == 0
    shot(page, "shell-job-succeeded")

    job.refresh_from_db()
    assert job.status == "succeeded"
    page.goto(f"{live_server.url}/jobs/")  # an auditor's own jobs (no "Jobs" entry in the menu)
    expect(page.locator("tbody tr")).to_have_count(1)
    shot(page, "shell-jobs-list")


def test_a_polling_page_goes_to_sign_in_when_the_session_ends(page: Page, live_server, people) -> None:
    sign_in(page, live_server, "auditor")
    page.goto(f"{live_server.url}/audit/")
    page.get_by_test_id("start-audit.verify_chain").click()
    expect(page.get_by_test_id("job-status")).to_have_text("Queued")
    job_url = page.url
    page.context.clear_cookies()  # the session ends while the page polls
    page.wait_for_url(f"{live_server.url}/accounts/login/**", timeout=10_000)
    expect(page.locator("#job-live")).to_have_count(0)
    assert page.url.endswith("?next=" + job_url.removeprefix(live_server.url).replace("/", "%2F"))


def test_error_pages_and_api_documentation_render_without_third_party_requests(
    page: Page, live_server, people, no_third_party_requests
) -> None:
    sign_in(page, live_server, "auditor")
    response = page.goto(f"{live_server.url}/no/such/page/")
    assert response is not None
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    shot(page, "shell-404")

    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Homecoming API", timeout=15_000)
    expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/jobs/")
    shot(page, "shell-api-docs")


def test_a_user_without_a_role_is_told_what_to_do(page: Page, live_server) -> None:
    UserFactory(username="nobody")
    sign_in(page, live_server, "nobody")
    expect(page.get_by_role("alert")).to_contain_text("no role in any agency")
    assert nav_labels(page) == ["Home"]
