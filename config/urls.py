from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("homecoming.core.urls")),
    path("accounts/", include("homecoming.accounts.urls")),
    path("audit/", include("homecoming.audit.urls")),
    path("persons/", include("homecoming.registry.urls")),
    path("cases/", include("homecoming.cases.urls")),
    path("matching/", include("homecoming.matching.urls")),
    path("intake/", include("homecoming.intake.urls")),
    path("exports/", include("homecoming.exports.urls")),
    path("reintegration/", include("homecoming.reintegration.urls")),
    path("operations/", include("homecoming.operations.urls")),
    path("reports/", include("homecoming.reports.urls")),
    path("tracing/", include("homecoming.tracing.urls")),
    path("api/v1/", include("config.api_urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
]

handler404 = "homecoming.core.errors.page_not_found"
handler403 = "homecoming.core.errors.permission_denied"
handler500 = "homecoming.core.errors.server_error"
