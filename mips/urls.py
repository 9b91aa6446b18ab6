from __future__ import annotations

from django.urls import path

from .dashboard.views import attestations, measures, performance, report_card, submit, what_if
from .qmr import views as qmr
from .views import care_gaps, ecqm, qrda, subgroups, test_patients

app_name = "mips"

urlpatterns = [
    # MIPS Dashboard
    path("dashboard/", performance.practice_performance, name="dashboard"),
    path("dashboard/csv/", performance.practice_performance_csv, name="dashboard-csv"),
    path(
        "dashboard/clinician/<uuid:public_id>/",
        report_card.clinician_report_card,
        name="report-card",
    ),
    path(
        "dashboard/group/<uuid:public_id>/",
        report_card.group_report_card,
        name="group-report-card",
    ),
    path(
        "dashboard/clinician/<uuid:public_id>/what-if/",
        what_if.clinician_what_if,
        name="what-if",
    ),
    path(
        "dashboard/group/<uuid:public_id>/what-if/",
        what_if.group_what_if,
        name="group-what-if",
    ),
    path(
        "dashboard/clinician/<uuid:public_id>/submit/",
        submit.clinician_submit,
        name="report-card-submit",
    ),
    path(
        "dashboard/submission/<uuid:public_id>/progress/",
        submit.submission_progress,
        name="submission-progress",
    ),
    path(
        "dashboard/group/<uuid:public_id>/submit/",
        submit.group_submit,
        name="group-report-card-submit",
    ),
    path("subgroups/<uuid:public_id>/submit/", subgroups.subgroup_submit, name="subgroup-submit"),
    path("dashboard/measures/", measures.measure_performance, name="measure-performance"),
    path(
        "dashboard/measures/csv/",
        measures.measure_performance_csv,
        name="measure-performance-csv",
    ),
    path("dashboard/attestations/", attestations.attestation_list, name="attestations"),
    path(
        "dashboard/attestations/clinician/<uuid:public_id>/",
        attestations.clinician_attestations,
        name="attest-clinician",
    ),
    path(
        "dashboard/attestations/group/<uuid:public_id>/",
        attestations.group_attestations,
        name="attest-group",
    ),
    path("ecqm/", ecqm.ecqm_data, name="ecqm-data"),
    path("ecqm/csv/", ecqm.ecqm_data_csv, name="ecqm-data-csv"),
    path("ecqm/upload/", ecqm.ecqm_upload, name="ecqm-upload"),
    path("ecqm/recalculate/", ecqm.ecqm_recalculate, name="ecqm-recalculate"),
    path("ecqm/recalculation/", ecqm.ecqm_recalculation, name="ecqm-recalculation"),
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
    path("care-gaps/<str:kind>/<uuid:public_id>/", care_gaps.care_gaps, name="care-gaps"),
    path(
        "care-gaps/<str:kind>/<uuid:public_id>/csv/",
        care_gaps.care_gaps_csv,
        name="care-gaps-csv",
    ),
    path("patients/<uuid:public_id>/", care_gaps.patient_detail, name="patient"),
    path("qmr/", qmr.qmr, name="qmr"),
    path("qmr/csv/", qmr.qmr_csv, name="qmr-csv"),
    path("test-patients/", test_patients.test_patient_list, name="test-patients"),
    path(
        "test-patients/<uuid:public_id>/",
        test_patients.test_patient_toggle,
        name="test-patient-toggle",
    ),
]
