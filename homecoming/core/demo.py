"""Demo agencies and users for a newcomer's first look (./scripts/run). Idempotent."""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.db import transaction

from homecoming.accounts.choices import AgencyKind, Role
from homecoming.accounts.models import Agency, Membership, User

DEFAULT_DEMO_PASSWORD = "homecoming-demo"  # noqa: S105  (documented demo password, demo settings only)


def demo_password() -> str:
    return os.environ.get("HOMECOMING_DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)


@dataclass(frozen=True)
class DemoAgency:
    code: str
    name: str
    kind: AgencyKind
    country: str = "TJK"


DEMO_AGENCIES = [
    DemoAgency("mfa", "Ministry of Foreign Affairs", AgencyKind.FOREIGN_MINISTRY),
    DemoAgency("cpa", "Child Protection Agency", AgencyKind.CHILD_PROTECTION),
    DemoAgency("moh", "Ministry of Health", AgencyKind.HEALTH),
    DemoAgency("oversight", "Oversight Office", AgencyKind.OVERSIGHT),
    DemoAgency("stat", "Statistics Agency", AgencyKind.STATISTICS),
    DemoAgency("ngo", "Family Support NGO", AgencyKind.NGO),
    DemoAgency("rus-mfa", "Ministry of Foreign Affairs of the Russian Federation", AgencyKind.FOREIGN_STATE, "RUS"),
    DemoAgency("kaz-mfa", "Ministry of Foreign Affairs of Kazakhstan", AgencyKind.FOREIGN_STATE, "KAZ"),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    agency: str
    role: Role


DEMO_USERS = [
    DemoUser("admin", "Ada", "Admin", "cpa", Role.ADMINISTRATOR),
    DemoUser("consul", "Farrukh", "Consul", "mfa", Role.CONSULAR_OFFICER),
    DemoUser("caseworker", "Malika", "Caseworker", "cpa", Role.CASE_WORKER),
    DemoUser("psychologist", "Zarina", "Psychologist", "cpa", Role.PSYCHOLOGIST),
    DemoUser("teacher", "Dilnoza", "Teacher", "cpa", Role.TEACHER),
    DemoUser("focal_point", "Rustam", "Focal", "cpa", Role.FOCAL_POINT),
    DemoUser("manager", "Nigora", "Manager", "cpa", Role.MANAGER),
    DemoUser("health", "Sino", "Health", "moh", Role.HEALTH_WORKER),
    DemoUser("auditor", "Aziz", "Auditor", "oversight", Role.AUDITOR),
    DemoUser("stats", "Parvina", "Stats", "stat", Role.STATISTICIAN),
    DemoUser("ngo_worker", "Umed", "NGO", "ngo", Role.CASE_WORKER),
]


@transaction.atomic
def demo_load_accounts() -> dict[str, int]:
    """Create (or bring back to their demo state) the demo agencies and users."""
    agencies = {}
    for a in DEMO_AGENCIES:
        agencies[a.code], _ = Agency.objects.update_or_create(
            code=a.code, defaults={"name": a.name, "kind": a.kind, "country": a.country, "is_active": True}
        )
    password = demo_password()
    created = 0
    for u in DEMO_USERS:
        user, was_created = User.objects.get_or_create(
            username=u.username, defaults={"first_name": u.first_name, "last_name": u.last_name}
        )
        if was_created:
            user.set_password(password)
            user.save()
            created += 1
        Membership.objects.get_or_create(user=user, agency=agencies[u.agency], role=u.role)
    return {"agencies": len(agencies), "users_created": created}


def demo_load() -> dict[str, int]:
    """Everything ./scripts/run loads. Later layers (registry, scenario) add their part here."""
    from homecoming.cases.demo import demo_load_cases

    result = demo_load_accounts()
    result.update(demo_load_cases())
    return result
