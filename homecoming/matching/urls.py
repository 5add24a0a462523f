from django.urls import path

from homecoming.matching import views

app_name = "matching"

urlpatterns = [
    path("duplicates/", views.CandidateListView.as_view(), name="candidate_list"),
    path("duplicates/<int:pk>/", views.CandidateDetailView.as_view(), name="candidate_detail"),
    path("duplicates/<int:pk>/different/", views.CandidateNotSameView.as_view(), name="candidate_not_same"),
    path("duplicates/<int:pk>/merge/", views.CandidateMergeView.as_view(), name="candidate_merge"),
    path("merges/<int:pk>/", views.MergeDetailView.as_view(), name="merge_detail"),
    path("merges/<int:pk>/undo/", views.MergeUndoView.as_view(), name="merge_undo"),
]
