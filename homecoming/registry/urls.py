"""Pages of the registry, under /persons/ (facilities under /persons/facilities/)."""

from django.urls import path

from homecoming.registry import views

app_name = "registry"

urlpatterns = [
    path("", views.PersonListView.as_view(), name="person_list"),
    path("new/", views.PersonCreateView.as_view(), name="person_create"),
    path("pick/", views.PersonPickView.as_view(), name="person_pick"),
    path("similar/", views.PersonSimilarView.as_view(), name="person_similar"),
    path("<int:pk>/", views.PersonDetailView.as_view(), name="person_detail"),
    path("<int:pk>/edit/", views.PersonEditView.as_view(), name="person_edit"),
    path("<int:pk>/names/new/", views.PersonNameAddView.as_view(), name="person_name_add"),
    path("<int:pk>/names/<int:name_pk>/remove/", views.PersonNameRemoveView.as_view(), name="person_name_remove"),
    path("<int:pk>/names/<int:name_pk>/primary/", views.PersonNamePrimaryView.as_view(), name="person_name_primary"),
    path("<int:pk>/nationality/new/", views.NationalityCreateView.as_view(), name="nationality_create"),
    path(
        "<int:pk>/nationality/<int:claim_pk>/decide/",
        views.NationalityDecideView.as_view(),
        name="nationality_decide",
    ),
    path("<int:pk>/identifiers/new/", views.IdentifierCreateView.as_view(), name="identifier_create"),
    path(
        "<int:pk>/identifiers/<int:identifier_pk>/remove/",
        views.IdentifierRemoveView.as_view(),
        name="identifier_remove",
    ),
    path("<int:pk>/family/new/", views.FamilyLinkCreateView.as_view(), name="family_link_create"),
    path("<int:pk>/family/<int:link_pk>/remove/", views.FamilyLinkRemoveView.as_view(), name="family_link_remove"),
    path("<int:pk>/family/group/new/", views.FamilyGroupCreateView.as_view(), name="family_group_create"),
    path("<int:pk>/family/group/leave/", views.FamilyGroupLeaveView.as_view(), name="family_group_leave"),
    path("<int:pk>/custody/new/", views.CustodyCreateView.as_view(), name="custody_create"),
    path("<int:pk>/custody/<int:custody_pk>/edit/", views.CustodyEditView.as_view(), name="custody_edit"),
    path("<int:pk>/documents/new/", views.DocumentUploadView.as_view(), name="document_upload"),
    path(
        "<int:pk>/documents/<int:document_pk>/",
        views.DocumentDownloadView.as_view(),
        name="document_download",
    ),
    path("facilities/", views.FacilityListView.as_view(), name="facility_list"),
    path("facilities/new/", views.FacilityCreateView.as_view(), name="facility_create"),
    path("facilities/<int:pk>/", views.FacilityDetailView.as_view(), name="facility_detail"),
    path("facilities/<int:pk>/edit/", views.FacilityEditView.as_view(), name="facility_edit"),
]
