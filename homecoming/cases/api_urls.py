"""Routes of the cases API under /api/v1/ (names: case-list, case-detail, case-transition, …)."""

from rest_framework.routers import SimpleRouter

from homecoming.cases import api

router = SimpleRouter()
router.register("cases", api.CaseViewSet, basename="case")
router.register("approvals", api.ApprovalViewSet, basename="approval")
router.register("assessments", api.AssessmentViewSet, basename="assessment")
router.register("consents", api.ConsentViewSet, basename="consent")

urlpatterns = router.urls
