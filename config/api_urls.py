"""The REST API, /api/v1/. Each app adds its routes in its own api_urls.py."""

from django.urls import include, path

urlpatterns = [
    path("", include("homecoming.core.api_urls")),
    path("", include("homecoming.accounts.api_urls")),
    path("", include("homecoming.registry.api_urls")),
    path("", include("homecoming.cases.api_urls")),
    path("", include("homecoming.audit.api_urls")),
    path("", include("homecoming.reintegration.api_urls")),
    path("", include("homecoming.reports.api_urls")),
]
