"""Routes of the audit API under /api/v1/ (names: audit-entry-list, audit-entry-detail)."""

from rest_framework.routers import SimpleRouter

from homecoming.audit import api

router = SimpleRouter()
router.register("audit-entries", api.AuditEntryViewSet, basename="audit-entry")

urlpatterns = router.urls
