from __future__ import annotations

from django.urls import path

from .views import ecqm, test_patients

app_name = "mips"

urlpatterns = [
    path("ecqm/", ecqm.ecqm_data, name="ecqm-data"),
    path("ecqm/upload/", ecqm.ecqm_upload, name="ecqm-upload"),
    path("ecqm/recalculate/", ecqm.ecqm_recalculate, name="ecqm-recalculate"),
    path(
        "ecqm/imports/<uuid:public_id>/withdraw/", ecqm.ecqm_withdraw, name="ecqm-withdraw"
    ),
    path(
        "ecqm/<int:year>/<str:cms_id>/<str:kind>/<uuid:public_id>/",
        ecqm.ecqm_patients,
        name="ecqm-patients",
    ),
    path("test-patients/", test_patients.test_patient_list, name="test-patients"),
    path(
        "test-patients/<uuid:public_id>/",
        test_patients.test_patient_toggle,
        name="test-patient-toggle",
    ),
]
