"""The access matrix: every role x every endpoint x (own record assigned, own record unassigned,
another agency's record), plus anonymous visitors.

How to use it (one module per app, ``homecoming/<app>/tests/test_access_matrix.py``)::

    from homecoming.core.access import Perm
    from homecoming.core.testing.matrix import AccessMatrix, Endpoint, World

    def a_person(world: World, agency, assignee):       # builds a record, returns URL kwargs
        person = PersonFactory(owner_agency=agency)
        if assignee is not None:                          # "assigned to the acting user"
            CaseFactory(person=person, assigned_to=assignee)
        return {"pk": person.pk}

    class TestRegistryAccess(AccessMatrix):
        endpoints = [
            Endpoint("registry:person_list", perm=Perm.PERSON_VIEW),
            Endpoint("registry:person_detail", perm=Perm.PERSON_VIEW, record=a_person),
            Endpoint("registry:person_edit", method="post", perm=Perm.PERSON_CHANGE,
                     record=a_person, data=lambda world, kwargs: {"sex": "F"}),
            Endpoint("person-list", perm=Perm.PERSON_VIEW, api=True),
        ]

The class generates one test per (endpoint, role, variant) and checks the status:

* anonymous: pages redirect to sign-in, API answers 401/403; ``public=True`` endpoints answer.
* not record-scoped (``record=None``): roles with ``perm`` get an allowed answer, others 403.
* record-scoped: another agency's record is **404** for every role that can see records of that
  kind (``view_perm``), 403 or 404 for roles that cannot; an own-agency record is allowed for
  roles with ``perm`` whose scope reaches it (``Scope.AGENCY``, or ``Scope.ASSIGNED`` when the
  record is assigned to them), 404 when the scope does not reach it, 403 when it does but the role
  lacks ``perm``.

"Allowed" means any answer that is not 401/403/404/405 and not a server error (a 400 for a
deliberately empty form is allowed: access was granted, validation said no).

``homecoming/core/tests/test_url_coverage.py`` fails when a named URL of the project is declared
in no matrix, so a new endpoint cannot slip past the policy.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
from django.test import Client
from django.urls import reverse

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.accounts.models import Agency, User
from homecoming.core.access import ROLE_PERMISSIONS, ROLE_SCOPE, Perm, Scope
from homecoming.core.testing.factories import AgencyFactory, user_with_role

VARIANTS = ("own_assigned", "own_unassigned", "other_agency")
DENIED = {401, 403, 404, 405}


@dataclass
class World:
    """The agencies of a matrix test and the acting user."""

    own: Agency
    other: Agency
    user: User | None
    extra: dict[str, Any] = field(default_factory=dict)


RecordBuilder = Callable[[World, Agency, User | None], dict[str, Any]]
DataBuilder = Callable[[World, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str = "get"
    perm: Perm | None = None
    record: RecordBuilder | None = None
    data: DataBuilder | None = None
    view_perm: Perm | None = None
    api: bool = False
    public: bool = False
    query: str = ""
    content_type: str | None = None
    # For an endpoint on reference data (not scoped by agency) that still needs URL kwargs.
    url_kwargs: Callable[[World], dict[str, Any]] | None = None

    @property
    def scoped(self) -> bool:
        return self.record is not None

    def visibility_perm(self) -> Perm | None:
        return self.view_perm or self.perm


def _allowed(status: int) -> bool:
    return status not in DENIED and status < 500


def expected(endpoint: Endpoint, role: Role | None, variant: str) -> set[int] | str:
    """The statuses the policy must answer, or "allowed"."""
    if endpoint.public:
        return "allowed"
    if role is None:
        return {401, 403} if endpoint.api else {302}
    perms = ROLE_PERMISSIONS[role]
    has = endpoint.perm is None or endpoint.perm in perms
    if not endpoint.scoped:
        return "allowed" if has else {403}
    view = endpoint.visibility_perm()
    can_view_kind = view is None or view in perms
    if variant == "other_agency":
        return {404} if can_view_kind else {403, 404}
    scope = ROLE_SCOPE[role]
    if not can_view_kind or scope == Scope.NONE:
        return {403, 404}
    if scope == Scope.ASSIGNED and variant == "own_unassigned":
        return {404}
    return "allowed" if has else {403}


def _cases(endpoints: list[Endpoint]) -> list[Any]:
    params = []
    for endpoint in endpoints:
        roles: list[Role | None] = [None, *Role]
        variants = VARIANTS if endpoint.scoped else ("none",)
        for role, variant in itertools.product(roles, variants):
            if role is None and variant not in ("none", "own_assigned"):
                continue
            role_id = role.value if role else "anonymous"
            params.append(pytest.param(endpoint, role, variant, id=f"{endpoint.name}-{role_id}-{variant}"))
    return params


@pytest.mark.matrix
@pytest.mark.django_db
class AccessMatrix:
    """Subclass with ``endpoints = [...]``; one test per endpoint x role x variant."""

    endpoints: ClassVar[list[Endpoint]] = []

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if metafunc.function.__name__ == "test_access":
            metafunc.parametrize(("endpoint", "role", "variant"), _cases(type(self).endpoints))

    def test_access(self, client: Client, endpoint: Endpoint, role: Role | None, variant: str) -> None:
        own = AgencyFactory(code="own", kind=AgencyKind.CHILD_PROTECTION)
        other = AgencyFactory(code="other", kind=AgencyKind.NGO)
        user = user_with_role(role, own) if role is not None else None
        world = World(own=own, other=other, user=user)
        kwargs: dict[str, Any] = {}
        if endpoint.record is not None:
            if variant == "other_agency":
                kwargs = endpoint.record(world, other, None)
            elif variant == "own_assigned":
                kwargs = endpoint.record(world, own, user)
            else:
                kwargs = endpoint.record(world, own, None)
        elif endpoint.url_kwargs is not None:
            kwargs = endpoint.url_kwargs(world)
        url = reverse(endpoint.name, kwargs=kwargs or None) + endpoint.query
        if user is not None:
            client.force_login(user)
        data = endpoint.data(world, kwargs) if endpoint.data else {}
        call = getattr(client, endpoint.method)
        if endpoint.method == "get":
            response = call(url, data)
        elif endpoint.content_type:
            response = call(url, data, content_type=endpoint.content_type)
        else:
            response = call(url, data)
        want = expected(endpoint, role, variant)
        where = f"{endpoint.method.upper()} {url} as {role or 'anonymous'} ({variant})"
        if want == "allowed":
            assert _allowed(response.status_code), f"{where}: expected access, got {response.status_code}"
        else:
            assert response.status_code in want, f"{where}: expected {sorted(want)}, got {response.status_code}"
            if role is None and not endpoint.api:
                assert "/accounts/login/" in response["Location"], where


def all_matrix_endpoint_names() -> set[str]:
    """Every URL name declared in any AccessMatrix subclass of the project's test modules."""
    import importlib
    import pkgutil

    import homecoming

    for module in pkgutil.walk_packages(homecoming.__path__, "homecoming."):
        if module.name.endswith(".tests.test_access_matrix"):
            importlib.import_module(module.name)
    names: set[str] = set()
    stack: list[type[AccessMatrix]] = list(AccessMatrix.__subclasses__())
    while stack:
        cls = stack.pop()
        names.update(e.name for e in cls.endpoints)
        stack.extend(cls.__subclasses__())
    return names
