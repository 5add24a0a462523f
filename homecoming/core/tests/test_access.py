"""The access policy itself: roles, record scope by agency, sharing and assignment, audit of reads."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from homecoming.accounts.choices import Role
from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.core import access
from homecoming.core.access import ROLE_PERMISSIONS, ROLE_SCOPE, Perm, Scope
from homecoming.core.testing.factories import AgencyFactory, CaseFactory, PersonFactory, UserFactory, user_with_role
from homecoming.registry.models import PersonShare

pytestmark = pytest.mark.django_db


@pytest.fixture
def own():
    return AgencyFactory(code="cpa")


@pytest.fixture
def other():
    return AgencyFactory(code="ngo")


def test_every_role_has_permissions_and_a_scope() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert set(ROLE_SCOPE) == set(Role)


def test_roles_without_person_scope_never_see_a_person(own) -> None:
    for role in (Role.AUDITOR, Role.STATISTICIAN, Role.ADMINISTRATOR):
        assert ROLE_SCOPE[role] == Scope.NONE
        PersonFactory(owner_agency=own)
        user = user_with_role(role, own)
        assert not access.persons_visible_to(user).exists()
        assert not access.cases_visible_to(user).exists()


def test_case_worker_sees_own_agency_and_shared_persons_only(own, other) -> None:
    mine = PersonFactory(owner_agency=own)
    theirs = PersonFactory(owner_agency=other)
    shared = PersonFactory(owner_agency=other)
    PersonShare.objects.create(person=shared, agency=own)
    user = user_with_role(Role.CASE_WORKER, own)
    assert set(access.persons_visible_to(user)) == {mine, shared}
    with pytest.raises(Http404):
        access.access_person(user, theirs.pk)


def test_withdrawn_share_no_longer_gives_access(own, other) -> None:
    person = PersonFactory(owner_agency=other)
    share = PersonShare.objects.create(person=person, agency=own, is_active=False)
    user = user_with_role(Role.CASE_WORKER, own)
    assert share.pk
    assert not access.persons_visible_to(user).exists()


def test_cases_follow_person_shares(own, other) -> None:
    case = CaseFactory(person=PersonFactory(owner_agency=other))
    PersonShare.objects.create(person=case.person, agency=own)
    user = user_with_role(Role.CASE_WORKER, own)
    assert list(access.cases_visible_to(user)) == [case]


def test_focal_point_sees_only_assigned_records(own) -> None:
    focal = user_with_role(Role.FOCAL_POINT, own)
    assigned = CaseFactory(person=PersonFactory(owner_agency=own), assigned_to=focal)
    CaseFactory(person=PersonFactory(owner_agency=own))
    assert list(access.persons_visible_to(focal)) == [assigned.person]
    assert list(access.cases_visible_to(focal)) == [assigned]


def test_inactive_user_and_inactive_agency_see_nothing(own) -> None:
    PersonFactory(owner_agency=own)
    user = user_with_role(Role.MANAGER, own)
    user.is_active = False
    assert not access.persons_visible_to(user).exists()
    user.is_active = True
    own.is_active = False
    own.save()
    access.forget_cached_memberships(user)
    assert not access.persons_visible_to(user).exists()


def test_anonymous_has_no_permission() -> None:
    from django.contrib.auth.models import AnonymousUser

    anon = AnonymousUser()
    assert not access.has_perm(anon, Perm.PERSON_VIEW)
    assert not access.persons_visible_to(anon).exists()
    with pytest.raises(PermissionDenied):
        access.require_perm(anon, Perm.PERSON_VIEW)


def test_user_without_membership_has_no_roles() -> None:
    user = UserFactory()
    assert access.user_roles(user) == set()
    assert access.user_agency_codes(user) == set()


def test_view_of_a_person_writes_one_audit_entry(own) -> None:
    person = PersonFactory(owner_agency=own)
    user = user_with_role(Role.CASE_WORKER, own)
    access.access_person(user, person.pk)
    entry = AuditEntry.objects.get(action=AuditAction.VIEW)
    assert (entry.actor, entry.object_type, entry.object_id) == (user, "registry.person", str(person.pk))
    assert entry.agency_codes == "cpa"


def test_access_for_change_is_not_a_read_entry(own) -> None:
    person = PersonFactory(owner_agency=own)
    user = user_with_role(Role.CASE_WORKER, own)
    assert access.access_person(user, person.pk, action="change") == person
    assert not AuditEntry.objects.filter(action=AuditAction.VIEW).exists()


def test_health_worker_may_view_but_not_change(own) -> None:
    person = PersonFactory(owner_agency=own)
    user = user_with_role(Role.HEALTH_WORKER, own)
    assert access.access_person(user, person.pk) == person
    with pytest.raises(PermissionDenied):
        access.access_person(user, person.pk, action="change")


def test_change_permission_in_one_agency_does_not_reach_another(own, other) -> None:
    """Viewing in agency A (shared) and changing in agency B must not allow changing A's record."""
    person = PersonFactory(owner_agency=other)
    PersonShare.objects.create(person=person, agency=own)
    user = user_with_role(Role.HEALTH_WORKER, own)
    third = AgencyFactory(code="third")
    from homecoming.accounts.models import Membership

    Membership.objects.create(user=user, agency=third, role=Role.CASE_WORKER)
    access.forget_cached_memberships(user)
    assert access.access_person(user, person.pk) == person
    with pytest.raises(PermissionDenied):
        access.access_person(user, person.pk, action="change")


@pytest.mark.parametrize("bad_pk", ["abc", None, "1 OR 1=1"])
def test_malformed_ids_are_not_found(own, bad_pk) -> None:
    user = user_with_role(Role.CASE_WORKER, own)
    with pytest.raises(Http404):
        access.access_person(user, bad_pk)
    with pytest.raises(Http404):
        access.access_case(user, bad_pk)


def test_case_access_other_agency_is_404_and_transition_needs_permission(own, other) -> None:
    mine = CaseFactory(person=PersonFactory(owner_agency=own))
    theirs = CaseFactory(person=PersonFactory(owner_agency=other))
    worker = user_with_role(Role.CASE_WORKER, own)
    teacher = user_with_role(Role.TEACHER, own)
    with pytest.raises(Http404):
        access.access_case(worker, theirs.pk)
    assert access.access_case(worker, mine.pk, action="transition") == mine
    with pytest.raises(PermissionDenied):
        access.access_case(teacher, mine.pk, action="transition")
    with pytest.raises(PermissionDenied):
        access.access_case(worker, mine.pk, action="approve")
    access.access_case(teacher, mine.pk)
    assert AuditEntry.objects.filter(action=AuditAction.VIEW, object_type="cases.case").count() == 1


def test_case_approve_across_agencies_is_refused(own, other) -> None:
    case = CaseFactory(person=PersonFactory(owner_agency=other))
    PersonShare.objects.create(person=case.person, agency=own)
    user = user_with_role(Role.CASE_WORKER, own)
    from homecoming.accounts.models import Membership

    Membership.objects.create(user=user, agency=AgencyFactory(code="third"), role=Role.MANAGER)
    access.forget_cached_memberships(user)
    with pytest.raises(PermissionDenied):
        access.access_case(user, case.pk, action="approve")


def test_field_groups(own) -> None:
    health = user_with_role(Role.HEALTH_WORKER, own)
    psych = user_with_role(Role.PSYCHOLOGIST, own)
    assert access.can_see_field_group(health, "health")
    assert not access.can_see_field_group(health, "psychosocial")
    assert access.can_see_field_group(psych, "psychosocial")
    assert not access.can_see_field_group(psych, "legal")


def test_list_audit_is_one_entry_with_ids(own) -> None:
    user = user_with_role(Role.CASE_WORKER, own)
    people = PersonFactory.create_batch(3, owner_agency=own)
    access.audit_list(user, people, object_type="registry.person")
    access.audit_list(user, [], object_type="registry.person")
    entry = AuditEntry.objects.get(action=AuditAction.LIST)
    assert sorted(entry.object_ids) == sorted(str(p.pk) for p in people)
