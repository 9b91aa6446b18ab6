from __future__ import annotations

from django.urls import path

from . import views

app_name = "exceptions"

urlpatterns = [
    path("", views.status_list, name="status-list"),
    path("<int:year>/", views.status_list, name="status-list-year"),
    path("<int:year>/batch/", views.status_batch, name="status-batch"),
    path("<int:year>/history/", views.status_history, name="status-history"),
    path("<int:year>/<uuid:public_id>/", views.status_edit, name="status-edit"),
]
