"""Names written to the registry are looked for in the open tracing requests once their transaction commits.

All the persons whose names a transaction wrote are matched together, in one pass over the open requests
(an import of 50,000 rows costs one search per request and spelling, not one per row); more than
``INLINE_LIMIT`` persons are left to a job of their own."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from homecoming.registry.models import PersonName

logger = logging.getLogger(__name__)
_pending = threading.local()


#: A transaction that wrote names of more persons than this (an imported list) has them looked for by a job of
#: their own, so that the import's job ends without waiting for every open request to be searched.
INLINE_LIMIT = 200


def _match_pending() -> None:
    from homecoming.tracing.models import TracingRequest, TracingStatus
    from homecoming.tracing.services import tracing_match_persons

    person_ids = sorted(getattr(_pending, "ids", set()))
    _pending.ids = set()
    if not person_ids:
        return
    try:
        if len(person_ids) > INLINE_LIMIT:
            if not TracingRequest.objects.filter(status=TracingStatus.OPEN).exists():
                return
            from homecoming.core.jobs import job_submit
            from homecoming.tracing.tasks import MATCH_PERSONS_KIND, tracing_match_persons_job

            with transaction.atomic():
                job_submit(
                    kind=MATCH_PERSONS_KIND, task=tracing_match_persons_job, created_by=None, person_ids=person_ids
                )
            return
        tracing_match_persons(person_ids=person_ids)
    except Exception:  # the registration itself has succeeded; the nightly search will catch up
        logger.exception("Tracing: matching %s new persons against open requests failed.", len(person_ids))


@receiver(post_save, sender=PersonName, dispatch_uid="tracing_match_new_name")
def match_new_name(sender: Any, instance: PersonName, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    connection = transaction.get_connection()
    waiting = connection.in_atomic_block and any(func is _match_pending for _, func, _ in connection.run_on_commit)
    if not waiting:  # the first name of this transaction (an earlier one that rolled back left nothing to run)
        _pending.ids = set()
    _pending.ids.add(instance.person_id)
    if not waiting:
        transaction.on_commit(_match_pending)  # once per transaction, for every name it writes
