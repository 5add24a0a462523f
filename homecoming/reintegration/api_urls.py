"""Routes of the reintegration API under /api/v1/ (names: service-list, followup-detail, …)."""

from rest_framework.routers import SimpleRouter

from homecoming.reintegration import api

router = SimpleRouter()
router.register("services", api.ServiceViewSet, basename="service")
router.register("screenings", api.ScreeningViewSet, basename="screening")
router.register("vaccination-doses", api.VaccinationDoseViewSet, basename="vaccination-dose")
router.register("vaccination-plans", api.VaccinationPlanViewSet, basename="vaccination-plan")
router.register("followups", api.FollowUpViewSet, basename="followup")

urlpatterns = router.urls
