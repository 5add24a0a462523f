"""Appends from many connections at once keep one chain (PostgreSQL's advisory lock)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from homecoming.audit.models import AuditAction, AuditEntry
from homecoming.audit.services import audit_record, audit_verify_chain

THREADS = 8
APPENDS = 50

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has a single writer; nothing to race"),
]


def test_concurrent_appends_never_fork_the_chain(transactional_db) -> None:
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def append(worker: int) -> None:
        try:
            start.wait(timeout=30)  # all threads begin together, each on its own connection
            for n in range(APPENDS):
                audit_record(actor=None, action=AuditAction.VIEW, object_type="test.worker", object_id=f"{worker}-{n}")
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert AuditEntry.objects.count() == THREADS * APPENDS
    prev_hashes = list(AuditEntry.objects.values_list("prev_hash", flat=True))
    assert len(prev_hashes) == len(set(prev_hashes)), "two entries share a predecessor: the chain forked"
    report = audit_verify_chain()
    assert report.intact, report
    assert report.checked == THREADS * APPENDS
