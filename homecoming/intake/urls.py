from django.urls import path

from homecoming.intake import views

app_name = "intake"

urlpatterns = [
    path("", views.batch_list, name="batch_list"),
    path("upload/", views.batch_upload, name="batch_upload"),
    path("<int:pk>/", views.batch_detail, name="batch_detail"),
    path("<int:pk>/mapping/", views.batch_mapping, name="batch_mapping"),
    path("<int:pk>/encoding/", views.batch_encoding, name="batch_encoding"),
    path("<int:pk>/annotated.xlsx", views.batch_annotated, name="batch_annotated"),
    path("<int:pk>/rows/<int:number>/resolve/", views.batch_resolve, name="batch_resolve"),
    path("<int:pk>/commit/", views.batch_commit, name="batch_commit"),
    path("<int:pk>/progress/", views.batch_progress, name="batch_progress"),
    path("<int:pk>/discard/", views.batch_discard, name="batch_discard"),
]
