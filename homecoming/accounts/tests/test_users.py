"""Administrators manage the users of their own agencies, and nobody else's."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from homecoming.accounts.choices import Role
from homecoming.accounts.models import Membership, User
from homecoming.accounts.tests.factories import with_two_factor
from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.core.testing.factories import TEST_PASSWORD, user_with_role

pytestmark = pytest.mark.django_db

LIST = reverse("accounts:user_list")
CREATE = reverse("accounts:user_create")
GOOD_PASSWORD = "violet-harbour-lantern-42"


def url(name: str, user: User, **kwargs) -> str:
    return reverse(f"accounts:{name}", kwargs={"pk": user.pk, **kwargs})


def new_user_data(**overrides) -> dict[str, str]:
    data = {
        "username": "zarina",
        "first_name": "Zarina",
        "last_name": "Rahimova",
        "email": "zarina@example.org",
        "role": Role.CASE_WORKER,
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
    }
    data.update(overrides)
    return data


def test_the_list_shows_only_the_users_of_the_admins_agencies(client, admin, worker, ngo_worker, cpa) -> None:
    client.force_login(admin)
    response = client.get(LIST)
    assert response.status_code == 200
    shown = {u.username for u in response.context["users"]}
    assert shown == {"ada", "malika"}
    text = response.content.decode()
    assert "rustam" not in text
    assert "Case worker — Child Protection Agency" in text
    listed = AuditEntry.objects.filter(action=AuditAction.LIST, object_type="accounts.user").get()
    assert sorted(listed.object_ids) == sorted([str(admin.pk), str(worker.pk)])


def test_the_list_filters(client, admin, worker, cpa) -> None:
    manager = user_with_role(Role.MANAGER, cpa, username="nigora")
    manager.is_active = False
    manager.save()
    client.force_login(admin)
    names = lambda response: [u.username for u in response.context["users"]]  # noqa: E731
    assert names(client.get(LIST, {"q": "mali"})) == ["malika"]
    assert names(client.get(LIST, {"role": Role.MANAGER})) == ["nigora"]
    assert names(client.get(LIST, {"status": "disabled"})) == ["nigora"]
    assert names(client.get(LIST, {"status": "active"})) == ["ada", "malika"]
    assert names(client.get(LIST, {"agency": "cpa"})) == ["ada", "malika", "nigora"]
    response = client.get(LIST, {"agency": "ngo"})  # not theirs: not a choice
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_the_list_query_count_is_flat(client, admin, cpa, django_assert_max_num_queries) -> None:
    for n in range(30):
        user_with_role(Role.CASE_WORKER, cpa, username=f"worker{n}")
    client.force_login(admin)
    with django_assert_max_num_queries(16):
        assert client.get(LIST).status_code == 200


def test_an_admin_creates_a_user_with_a_role_in_their_agency(client, admin, cpa) -> None:
    client.force_login(admin)
    form = client.get(CREATE)
    assert form.status_code == 200
    response = client.post(CREATE, new_user_data(agency=cpa.pk))
    assert response.status_code == 302
    user = User.objects.get(username="zarina")
    assert response["Location"] == url("user_detail", user)
    assert user.check_password(GOOD_PASSWORD)
    assert (user.first_name, user.email, user.is_active) == ("Zarina", "zarina@example.org", True)
    assert list(user.memberships.values_list("agency__code", "role")) == [("cpa", Role.CASE_WORKER)]
    created = AuditEntry.objects.get(action=AuditAction.CREATE, object_type="accounts.user")
    assert (created.actor, created.object_id) == (admin, str(user.pk))
    assert created.detail == {"agency": "cpa", "role": "case_worker"}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password1": "short", "password2": "short"}, "password1", "This password is too short."),
        ({"password1": "password1234", "password2": "password1234"}, "password1", "This password is too common."),
        ({"password1": "zarinarahimova", "password2": "zarinarahimova"}, "password1", "too similar to the"),
        ({"password1": "83920174659312", "password2": "83920174659312"}, "password1", "entirely numeric"),
        ({"password2": "something-else-entirely"}, "password2", "The two passwords differ."),
        ({"username": "malika"}, "username", "A user with that username already exists."),
        ({"username": "MALIKA"}, "username", "already exists (letter case aside)"),
        ({"username": "zarina rahimova"}, "username", "Enter a valid username."),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"role": "superuser"}, "role", "Select a valid choice."),
    ],
)
def test_creating_a_user_with_bad_input_names_the_field(client, admin, worker, cpa, overrides, field, message) -> None:
    client.force_login(admin)
    response = client.post(CREATE, new_user_data(agency=cpa.pk, **overrides))
    assert response.status_code == 400
    text = response.content.decode()
    assert f'data-error-for="{field}"' in text
    assert message in text
    assert not User.objects.filter(username="zarina").exists()


def test_an_admin_cannot_create_a_user_in_another_agency(client, admin, ngo) -> None:
    client.force_login(admin)
    response = client.post(CREATE, new_user_data(agency=ngo.pk))
    assert response.status_code == 400
    assert 'data-error-for="agency"' in response.content.decode()
    assert not User.objects.filter(username="zarina").exists()


def test_another_agencys_user_is_404_everywhere(client, admin, ngo_worker) -> None:
    client.force_login(admin)
    membership = ngo_worker.memberships.get()
    for name, method in [
        ("user_detail", "get"),
        ("user_edit", "get"),
        ("user_password", "get"),
        ("user_disable", "post"),
        ("user_enable", "post"),
        ("user_two_factor_reset", "post"),
        ("membership_add", "post"),
    ]:
        assert getattr(client, method)(url(name, ngo_worker)).status_code == 404, name
    assert client.post(url("membership_remove", ngo_worker, membership_pk=membership.pk)).status_code == 404
    ngo_worker.refresh_from_db()
    assert ngo_worker.is_active


def test_people_without_the_permission_get_403(client, worker, admin) -> None:
    client.force_login(worker)
    assert client.get(LIST).status_code == 403
    assert client.get(CREATE).status_code == 403
    assert client.get(url("user_detail", admin)).status_code == 403


def test_the_user_page_shows_roles_and_security(client, admin, worker) -> None:
    with_two_factor(worker)
    Token.objects.create(user=worker)
    client.force_login(admin)
    response = client.get(url("user_detail", worker))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Case worker — Child Protection Agency" in text
    assert "10 recovery codes left" in text
    assert "Disable account" in text
    assert AuditEntry.objects.filter(
        action=AuditAction.VIEW, object_type="accounts.user", object_id=str(worker.pk)
    ).exists()


def test_adding_and_removing_roles(client, admin, worker, cpa) -> None:
    client.force_login(admin)
    response = client.post(url("membership_add", worker), {"agency": cpa.pk, "role": Role.MANAGER})
    assert response.status_code == 302
    assert set(worker.memberships.values_list("role", flat=True)) == {Role.CASE_WORKER, Role.MANAGER}
    again = client.post(url("membership_add", worker), {"agency": cpa.pk, "role": Role.MANAGER})
    assert again.status_code == 400
    assert "already holds the role “Manager” in Child Protection Agency" in again.content.decode()

    manager_role = worker.memberships.get(role=Role.MANAGER)
    response = client.post(url("membership_remove", worker, membership_pk=manager_role.pk), follow=True)
    assert "Role removed." in response.content.decode()
    last = worker.memberships.get()
    response = client.post(url("membership_remove", worker, membership_pk=last.pk), follow=True)
    assert "This is the user&#x27;s only role" in response.content.decode()
    assert worker.memberships.count() == 1
    events = list(
        AuditEntry.objects.filter(action=AuditAction.SECURITY, object_id=str(worker.pk)).values_list(
            "detail__event", "detail__role"
        )
    )
    assert events == [("role_added", "manager"), ("role_removed", "manager")]


def test_an_admin_cannot_remove_their_own_admin_role_or_disable_themselves(client, admin, cpa) -> None:
    Membership.objects.create(user=admin, agency=cpa, role=Role.MANAGER)
    client.force_login(admin)
    own = admin.memberships.get(role=Role.ADMINISTRATOR)
    response = client.post(url("membership_remove", admin, membership_pk=own.pk), follow=True)
    assert "You cannot remove your own administrator role" in response.content.decode()
    response = client.post(url("user_disable", admin), follow=True)
    assert "You cannot disable your own account." in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active


def test_disable_and_enable(client, admin, worker) -> None:
    Token.objects.create(user=worker)
    client.force_login(admin)
    response = client.post(url("user_disable", worker), follow=True)
    assert "can no longer sign in" in response.content.decode()
    worker.refresh_from_db()
    assert not worker.is_active
    assert not Token.objects.filter(user=worker).exists()
    assert 'data-testid="disabled-badge"' in response.content.decode()
    client.post(url("user_enable", worker))
    worker.refresh_from_db()
    assert worker.is_active
    events = list(
        AuditEntry.objects.filter(action=AuditAction.SECURITY, object_id=str(worker.pk)).values_list(
            "detail__event", flat=True
        )
    )
    assert events == ["disabled", "enabled"]


def test_a_disabled_users_session_stops_working(client, admin, worker) -> None:
    from django.test import Client

    theirs = Client()
    theirs.post(reverse("accounts:login"), {"username": "malika", "password": TEST_PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert theirs.get("/").status_code == 200
    client.force_login(admin)
    client.post(url("user_disable", worker))
    assert theirs.get("/").status_code == 302


def test_an_admin_sets_a_new_password(client, admin, worker) -> None:
    client.force_login(admin)
    assert client.get(url("user_password", worker)).status_code == 200
    bad = client.post(url("user_password", worker), {"password1": "malika", "password2": "malika"})
    assert bad.status_code == 400
    assert 'data-error-for="password1"' in bad.content.decode()
    response = client.post(url("user_password", worker), {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.check_password(GOOD_PASSWORD)
    entry = AuditEntry.objects.filter(action=AuditAction.SECURITY, object_id=str(worker.pk)).get()
    assert entry.detail["event"] == "password_set"
    assert entry.actor == admin


def test_an_admin_edits_name_and_email(client, admin, worker) -> None:
    client.force_login(admin)
    first = worker.first_name
    response = client.post(url("user_edit", worker), {"first_name": first, "last_name": "Karimova", "email": "x@"})
    assert response.status_code == 400
    assert 'data-error-for="email"' in response.content.decode()
    response = client.post(url("user_edit", worker), {"first_name": first, "last_name": "Karimova", "email": ""})
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.last_name == "Karimova"
    change = AuditEntry.objects.get(action=AuditAction.CHANGE, object_id=str(worker.pk))
    assert change.changed_fields == ["last_name"]


def test_an_admin_resets_a_lost_authenticator(client, admin, worker) -> None:
    with_two_factor(worker)
    client.force_login(admin)
    response = client.post(url("user_two_factor_reset", worker), follow=True)
    assert "was reset" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=worker).exists()
    entry = AuditEntry.objects.filter(action=AuditAction.SECURITY, detail__event="two_factor_reset").get()
    assert entry.actor == admin


def test_an_account_shared_with_another_agency_is_changed_only_in_its_roles(client, admin, ngo_worker, cpa) -> None:
    """Administrator A may not take over an account that also works for agency B."""
    Membership.objects.create(user=ngo_worker, agency=cpa, role=Role.TEACHER)
    client.force_login(admin)
    page = client.get(url("user_detail", ngo_worker))
    assert page.status_code == 200
    text = page.content.decode()
    assert "also holds roles in other agencies" in text
    assert "Family Support NGO" not in text  # their roles elsewhere are not shown
    assert "Disable account" not in text
    for name, method in [("user_password", "get"), ("user_edit", "get"), ("user_disable", "post")]:
        assert getattr(client, method)(url(name, ngo_worker)).status_code == 403, name
    response = client.post(url("user_password", ngo_worker), {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert response.status_code == 403
    ngo_worker.refresh_from_db()
    assert ngo_worker.check_password(TEST_PASSWORD)
    teacher = ngo_worker.memberships.get(agency=cpa)
    assert client.post(url("membership_remove", ngo_worker, membership_pk=teacher.pk)).status_code == 302
    assert not ngo_worker.memberships.filter(agency=cpa).exists()
