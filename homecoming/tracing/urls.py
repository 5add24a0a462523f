"""Tracing pages under /tracing/."""

from django.urls import path

from homecoming.tracing import views

app_name = "tracing"

urlpatterns = [
    path("", views.request_list, name="request_list"),
    path("new/", views.request_create, name="request_create"),
    path("<int:pk>/", views.request_detail, name="request_detail"),
    path("<int:pk>/edit/", views.request_edit, name="request_edit"),
    path("<int:pk>/search/", views.request_search, name="request_search"),
    path("<int:pk>/matches/<int:match_pk>/decide/", views.match_decide, name="match_decide"),
    path("<int:pk>/consent/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("<int:pk>/close/", views.request_close, name="request_close"),
]
