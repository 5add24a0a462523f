from django.urls import path

from homecoming.operations import views

app_name = "operations"

urlpatterns = [
    path("", views.OperationListView.as_view(), name="operation_list"),
    path("new/", views.OperationCreateView.as_view(), name="operation_create"),
    path("<int:pk>/", views.OperationDetailView.as_view(), name="operation_detail"),
    path("<int:pk>/edit/", views.OperationEditView.as_view(), name="operation_edit"),
    path("<int:pk>/status/", views.OperationStatusView.as_view(), name="operation_status"),
    path("<int:pk>/legs/new/", views.LegCreateView.as_view(), name="leg_create"),
    path("<int:pk>/legs/<int:leg_pk>/remove/", views.LegDeleteView.as_view(), name="leg_delete"),
    path("<int:pk>/manifest/add/", views.ManifestAddView.as_view(), name="manifest_add"),
    path("<int:pk>/manifest/group/", views.ManifestGroupStatusView.as_view(), name="manifest_group_status"),
    path("<int:pk>/manifest/<int:entry_pk>/", views.ManifestEntryStatusView.as_view(), name="manifest_entry_status"),
    path("<int:pk>/manifest/print/", views.ManifestPrintView.as_view(), name="manifest_print"),
    path("<int:pk>/fees/new/", views.FeeCreateView.as_view(), name="fee_create"),
    path("<int:pk>/handovers/new/", views.HandoverCreateView.as_view(), name="handover_create"),
    path("<int:pk>/arrival/", views.ArrivalView.as_view(), name="arrival_record"),
    path("negotiations/", views.NegotiationListView.as_view(), name="negotiation_list"),
    path("negotiations/new/", views.NegotiationCreateView.as_view(), name="negotiation_create"),
    path("negotiations/<int:pk>/", views.NegotiationDetailView.as_view(), name="negotiation_detail"),
    path("negotiations/<int:pk>/edit/", views.NegotiationEditView.as_view(), name="negotiation_edit"),
    path("negotiations/<int:pk>/actions/", views.ActionCreateView.as_view(), name="action_create"),
    path("negotiations/<int:pk>/actions/<int:action_pk>/", views.ActionStatusView.as_view(), name="action_status"),
]
