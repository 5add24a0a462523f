"""Routes of the registry API under /api/v1/ (names: person-list, person-detail, person-names, …)."""

from rest_framework.routers import SimpleRouter

from homecoming.registry import api

router = SimpleRouter()
router.register("persons", api.PersonViewSet, basename="person")
router.register("facilities", api.FacilityViewSet, basename="facility")
router.register("custody-records", api.CustodyViewSet, basename="custody-record")

urlpatterns = router.urls
