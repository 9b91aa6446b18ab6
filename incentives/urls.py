from __future__ import annotations

from django.urls import path

from . import views

app_name = "incentives"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("statements/<uuid:public_id>/", views.statement, name="statement"),
    path(
        "programs/<uuid:public_id>/request-enrollment/",
        views.request_enrollment,
        name="request-enrollment",
    ),
]
