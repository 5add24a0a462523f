from django.urls import path

from homecoming.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="case_list"),
    path("new/", views.CaseCreateView.as_view(), name="case_create"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("<int:pk>/edit/", views.CaseEditView.as_view(), name="case_edit"),
    path("<int:pk>/move/", views.CaseTransitionView.as_view(), name="case_transition"),
    path("<int:pk>/assessments/new/", views.AssessmentCreateView.as_view(), name="assessment_create"),
    path("<int:pk>/consents/new/", views.ConsentCreateView.as_view(), name="consent_create"),
    path("<int:case_pk>/consents/<int:pk>/withdraw/", views.ConsentWithdrawView.as_view(), name="consent_withdraw"),
    path("<int:case_pk>/consents/<int:pk>/document/", views.ConsentDocumentView.as_view(), name="consent_document"),
    path("approvals/", views.ApprovalListView.as_view(), name="approval_list"),
    path("approvals/<int:pk>/", views.ApprovalDecideView.as_view(), name="approval_decide"),
]
