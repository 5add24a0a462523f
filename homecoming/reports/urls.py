from django.urls import path

from homecoming.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("published/", views.PublishedView.as_view(), name="published"),
    path("reported/", views.ReportedFigureListView.as_view(), name="reported_figure_list"),
]
