"""Choices of the operations app, and the table of allowed status moves of an operation."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OperationStatus(models.TextChoices):
    PLANNING = "planning", _("planning")
    APPROVED = "approved", _("approved")
    UNDER_WAY = "under_way", _("under way")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")


_O = OperationStatus

#: THE table of an operation's status moves; ``operation_set_status`` refuses any other.
OPERATION_MOVES: dict[OperationStatus, frozenset[OperationStatus]] = {
    _O.PLANNING: frozenset({_O.APPROVED, _O.CANCELLED}),
    _O.APPROVED: frozenset({_O.UNDER_WAY, _O.PLANNING, _O.CANCELLED}),
    # An operation under way is completed by recording its arrival (operation_record_arrival).
    _O.UNDER_WAY: frozenset({_O.CANCELLED}),
    _O.COMPLETED: frozenset(),
    _O.CANCELLED: frozenset(),
}

#: An operation in one of these statuses can still change its manifest, legs and fees.
OPEN_STATUSES: frozenset[OperationStatus] = frozenset({_O.PLANNING, _O.APPROVED, _O.UNDER_WAY})
#: Finished operations: nothing more is planned on them.
FINISHED_STATUSES: frozenset[OperationStatus] = frozenset({_O.COMPLETED, _O.CANCELLED})


class ManifestStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    CLEARED = "cleared", _("cleared to travel")
    BOARDED = "boarded", _("boarded")
    ARRIVED = "arrived", _("arrived")
    WITHDRAWN = "withdrawn", _("withdrawn")
    NO_SHOW = "no_show", _("did not travel")


_M = ManifestStatus

#: THE table of a manifest entry's status moves (``manifest_entry_set_status``). "Arrived" is
#: set by ``operation_record_arrival``, which reconciles the whole manifest at once.
MANIFEST_MOVES: dict[ManifestStatus, frozenset[ManifestStatus]] = {
    _M.PLANNED: frozenset({_M.CLEARED, _M.WITHDRAWN}),
    _M.CLEARED: frozenset({_M.BOARDED, _M.PLANNED, _M.WITHDRAWN, _M.NO_SHOW}),
    _M.BOARDED: frozenset({_M.CLEARED, _M.NO_SHOW}),
    _M.ARRIVED: frozenset(),
    _M.WITHDRAWN: frozenset(),
    _M.NO_SHOW: frozenset(),
}

#: Entries in these statuses hold the person's place: the case is on this manifest.
ACTIVE_MANIFEST_STATUSES: frozenset[ManifestStatus] = frozenset({_M.PLANNED, _M.CLEARED, _M.BOARDED})
#: Entries in these statuses need a reason.
REASON_MANIFEST_STATUSES: frozenset[ManifestStatus] = frozenset({_M.WITHDRAWN, _M.NO_SHOW})


class TransportMode(models.TextChoices):
    CHARTER_FLIGHT = "charter_flight", _("charter flight")
    SCHEDULED_FLIGHT = "scheduled_flight", _("scheduled flight")
    ROAD = "road", _("road convoy")
    RAIL = "rail", _("rail")
    OTHER = "other", _("other")


class FeeKind(models.TextChoices):
    DETAINING_AUTHORITY = "detaining_authority", _("fee to the detaining authority")
    FLIGHT = "flight", _("flight or transport")
    TESTS = "tests", _("medical and DNA tests")
    DOCUMENTS = "documents", _("travel documents")
    OTHER = "other", _("other")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("done")
    DROPPED = "dropped", _("dropped")
