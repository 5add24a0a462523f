"""Routes of the reports API under /api/v1/."""

from django.urls import path

from homecoming.reports import api

urlpatterns = [
    path("figures/", api.FiguresApi.as_view(), name="figures"),
]
