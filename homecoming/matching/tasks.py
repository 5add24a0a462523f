"""The matching app's background tasks (discovered at start-up by the jobs framework)."""

from homecoming.matching.batch.tasks import dedup_registry_job

__all__ = ["dedup_registry_job"]
