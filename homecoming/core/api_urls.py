from django.urls import path

from homecoming.core import api_views

urlpatterns = [
    path("jobs/", api_views.JobListApi.as_view(), name="job-list"),
    path("jobs/<int:pk>/", api_views.JobDetailApi.as_view(), name="job-detail"),
]
