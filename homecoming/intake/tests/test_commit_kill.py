"""Killing the worker in the middle of an import leaves nothing of it (PostgreSQL, ten tries).

The import runs in a separate process, as the job worker would run it, in bulk writes of two rows, each
slowed down so that it can be caught half-way: the test waits until the job's progress (written through the
import's second connection, so visible while the transaction is open) reaches a point, then kills
the process with SIGKILL. Nothing of the import may remain: no person, no case, no row linked to a
person, no audit entry of it, the list not marked imported. Finally the same list is imported in
full, which shows the killed attempts left no lock or half-written row in the way.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from django.conf import settings
from django.db import connection

from homecoming.audit.models import AuditEntry
from homecoming.cases.models import Case
from homecoming.core.jobs import job_create
from homecoming.core.models import Job
from homecoming.intake import services
from homecoming.intake.choices import BatchStatus, SourceKind
from homecoming.intake.commit import COMMIT_KIND, batch_commit, batch_commit_start
from homecoming.intake.tests.files import csv_bytes
from homecoming.registry.models import Person

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROWS = 60
KILL_AT_PERCENT = [2, 8, 15, 25, 35, 45, 55, 65, 75, 85]

WORKER = textwrap.dedent(
    """
    import sys, time
    import django
    django.setup()
    from homecoming.accounts.models import User
    from homecoming.core.jobs import JobRun, job_start
    from homecoming.core.models import Job
    from homecoming.intake import commit, registry_bridge
    from homecoming.intake.commit import batch_commit

    batch_id, job_id, user_id = (int(a) for a in sys.argv[1:4])
    commit.COMMIT_CHUNK = 2  # many small bulk writes, each slowed down, so that progress moves in steps
    for name in ("persons_register_from_list", "cases_open_for"):
        real = getattr(registry_bridge, name)
        def slow(*args, _real=real, **kwargs):
            time.sleep(0.03)
            return _real(*args, **kwargs)
        setattr(registry_bridge, name, slow)
    assert job_start(job_id=job_id)
    run = JobRun(job=Job.objects.get(pk=job_id), min_interval=0)
    batch_commit(batch_id=batch_id, user=User.objects.get(pk=user_id), run=run)
    print("finished", flush=True)
    """
)


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start_worker(tmp_path, batch_id: int, job_id: int, user_id: int) -> subprocess.Popen[bytes]:
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    return subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(script), str(batch_id), str(job_id), str(user_id)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _nothing_imported(batch) -> None:
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTING
    assert not Person.objects.exists()
    assert not Case.objects.exists()
    assert not batch.rows.filter(person__isnull=False).exists()
    assert not AuditEntry.objects.filter(object_type__in=["registry.person", "cases.case"]).exists()


@pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="needs PostgreSQL")
def test_killing_the_worker_mid_import_leaves_nothing(officer, agency, tmp_path):
    rows = [["Full name", "Sex", "Date of birth", "Identifier"]]
    given = ["Zarina", "Farhod", "Madina", "Somon", "Nilufar", "Rustam", "Gulnora", "Dilshod", "Parvina", "Shahzod"]
    family = ["Rahimov", "Nazarov", "Sharipov", "Karimzoda", "Saidov", "Ismoilov"]
    rows += [
        [f"{given[i % 10]} {family[i // 10]}", "F" if i % 2 else "M", f"{2000 + i // 3}-0{1 + i % 9}-15", f"K-{i}"]
        for i in range(ROWS)
    ]
    batch = services.batch_upload(
        user=officer,
        agency=agency,
        file_name="kill.csv",
        data=csv_bytes(rows),
        source="Test authority",
        source_kind=SourceKind.FOREIGN_AUTHORITY,
    )
    batch = services.batch_map(batch=batch, user=officer, mapping=batch.mapping)
    assert batch.new_count == ROWS
    batch_commit_start(batch=batch, user=officer)  # status "importing"; its queued job is never run here
    for attempt, percent in enumerate(KILL_AT_PERCENT, start=1):
        job = job_create(kind=COMMIT_KIND, created_by=officer, owner_agency=agency, params={"attempt": attempt})
        worker = _start_worker(tmp_path, batch.pk, job.pk, officer.pk)
        deadline = time.monotonic() + 60
        progress = 0
        while time.monotonic() < deadline and worker.poll() is None:
            progress = Job.objects.filter(pk=job.pk).values_list("progress", flat=True).get()
            if progress >= percent:
                break
            time.sleep(0.02)
        assert worker.poll() is None, f"attempt {attempt}: the worker ended first: {worker.communicate()}"
        assert progress >= percent, f"attempt {attempt}: no progress within a minute"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        assert worker.returncode == -signal.SIGKILL
        # The server notices the dropped connection and rolls its transaction back.
        time.sleep(0.2)
        _nothing_imported(batch)
    counts = batch_commit(batch_id=batch.pk, user=officer)
    assert counts["created"] == ROWS
    assert counts["cases"] == ROWS
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTED
    assert Person.objects.count() == ROWS
