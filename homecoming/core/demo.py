"""Demo agencies and users for a newcomer's first look (./scripts/run). Idempotent."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import TextIO

from django.db import models, transaction
from django.utils import timezone

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
    # Another state's ministry in the same system: it records its own operation (the scenario).
    DemoUser("rus_consul", "Irina", "Consul", "rus-mfa", Role.CONSULAR_OFFICER),
    DemoUser("rus_manager", "Pavel", "Manager", "rus-mfa", Role.MANAGER),
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


def demo_load(*, stdout: TextIO | None = None) -> dict[str, int]:
    """Everything ./scripts/run loads: the accounts, then the seeds' scenario
    (``manage.py scenario load seeds``, which says so and does nothing when it is already loaded),
    demo cases for any other person of agency "cpa" without one, and the services and follow-up
    of the returned persons since their arrival."""
    from django.core.management import call_command

    from homecoming.cases.demo import demo_load_cases
    from homecoming.reintegration.demo import demo_load_reintegration

    result = demo_load_accounts()
    call_command("scenario", "load", "seeds", stdout=stdout or sys.stdout)
    result.update(demo_load_cases())
    result["referred_to_health"] = demo_refer_returned()
    result["shared_with_operation_owners"] = demo_share_with_operation_owners()
    # What the agencies recorded for the returned persons since their arrival (adds nothing twice).
    result["reintegration_cases"] = demo_load_reintegration(today=timezone.localdate()).cases
    return result


def demo_refer_returned() -> int:
    """The child-protection agency refers every returned person to the health ministry (arrival screening,
    vaccination), as it does on arrival day. Returns the number of new referrals; adds nothing twice."""
    from homecoming.accounts.models import Agency
    from homecoming.cases.choices import CaseStage
    from homecoming.cases.models import Case
    from homecoming.registry.models import ShareKind
    from homecoming.registry.services import person_share

    health = Agency.objects.filter(code="moh").first()
    if health is None:
        return 0
    returned = Case.objects.filter(
        stage__in=[CaseStage.RETURNED, CaseStage.REINTEGRATING, CaseStage.CLOSED], owner_agency__code="cpa"
    ).exclude(person__shares__agency=health)
    count = 0
    for case in returned.select_related("person"):
        person_share(
            person=case.person,
            agency=health,
            by=None,
            kind=ShareKind.REFERRED,
            reason="Arrival screening, vaccination catch-up and treatment.",
        )
        count += 1
    return count


def demo_share_with_operation_owners() -> int:
    """The child-protection agency shares the persons on the manifest of an operation run by another
    agency (the foreign ministry's consuls) with that agency, so that its officers can work the
    manifest. Returns the number of new shares; adds nothing twice."""
    from homecoming.operations.models import ManifestEntry
    from homecoming.registry.models import ShareKind
    from homecoming.registry.services import person_share

    entries = (
        ManifestEntry.objects.exclude(case__person__owner_agency=models.F("operation__owner_agency"))
        .exclude(case__person__shares__agency=models.F("operation__owner_agency"))
        .select_related("case__person", "operation__owner_agency")
        .order_by("pk")
    )
    count = 0
    for entry in entries:
        person_share(
            person=entry.case.person,
            agency=entry.operation.owner_agency,
            by=None,
            kind=ShareKind.SHARED,
            reason=f"Consular protection and repatriation ({entry.operation.name}).",
        )
        count += 1
    return count
