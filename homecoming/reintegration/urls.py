from django.urls import path

from homecoming.reintegration import views

app_name = "reintegration"

urlpatterns = [
    path("", views.WorklistView.as_view(), name="worklist"),
    path("services/", views.ServiceListView.as_view(), name="service_list"),
    path("services/<int:pk>/", views.ServiceDetailView.as_view(), name="service_detail"),
    path("services/<int:pk>/edit/", views.ServiceEditView.as_view(), name="service_edit"),
    path("cases/<int:pk>/", views.CaseServicesView.as_view(), name="case_services"),
    path("cases/<int:pk>/services/new/", views.ServiceCreateView.as_view(), name="service_create"),
    path("cases/<int:pk>/screenings/new/", views.ScreeningCreateView.as_view(), name="screening_create"),
    path("cases/<int:pk>/vaccinations/", views.VaccinationPlanView.as_view(), name="vaccination_plan"),
    path("cases/<int:pk>/vaccinations/new/", views.DoseCreateView.as_view(), name="dose_create"),
    path("cases/<int:pk>/plan/new/", views.PlanCreateView.as_view(), name="plan_create"),
    path("cases/<int:pk>/visits/new/", views.VisitCreateView.as_view(), name="visit_create"),
    path("visits/", views.VisitListView.as_view(), name="visit_list"),
    path("visits/<int:pk>/", views.VisitDetailView.as_view(), name="visit_detail"),
    path("visits/<int:pk>/record/", views.VisitRecordView.as_view(), name="visit_record"),
    path("visits/<int:pk>/assign/", views.VisitAssignView.as_view(), name="visit_assign"),
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
    path("coverage/children/", views.CoverageChildrenView.as_view(), name="coverage_children"),
    path("schedule/", views.ScheduleListView.as_view(), name="schedule_list"),
    path("schedule/new/", views.ScheduleItemEditView.as_view(), name="schedule_create"),
    path("schedule/<int:pk>/edit/", views.ScheduleItemEditView.as_view(), name="schedule_edit"),
    path("schedule/templates/new/", views.TemplateEditView.as_view(), name="template_create"),
    path("schedule/templates/<int:pk>/edit/", views.TemplateEditView.as_view(), name="template_edit"),
]
