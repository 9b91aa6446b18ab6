from __future__ import annotations

from django.urls import path

from .views import ecqm, qrda, test_patients

app_name = "mips"

urlpatterns = [
    path("ecqm/", ecqm.ecqm_data, name="ecqm-data"),
    path("ecqm/upload/", ecqm.ecqm_upload, name="ecqm-upload"),
    path("ecqm/recalculate/", ecqm.ecqm_recalculate, name="ecqm-recalculate"),
    path("ecqm/imports/<uuid:public_id>/withdraw/", ecqm.ecqm_withdraw, name="ecqm-withdraw"),
    # Before the drill-down pattern, whose <str:cms_id> would match "qrda3".
    path("ecqm/qrda/upload/", qrda.qrda_upload, name="qrda-upload"),
    path("ecqm/qrda/batches/<uuid:public_id>/", qrda.qrda_batch, name="qrda-batch"),
    path(
        "ecqm/<int:year>/qrda3/<str:kind>/<uuid:public_id>/",
        qrda.qrda3_download,
        name="qrda3-download",
    ),
    path("ecqm/<int:year>/qrda1/<uuid:public_id>/", qrda.qrda1_download, name="qrda1-download"),
    path(
        "ecqm/<int:year>/submission/<str:kind>/<uuid:public_id>/",
        qrda.submission_download,
        name="submission-download",
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
