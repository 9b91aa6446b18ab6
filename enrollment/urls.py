from __future__ import annotations

from django.urls import path

from .views import cases, files, program_enrollment, subgroups, terms

app_name = "enrollment"

urlpatterns = [
    path("", program_enrollment.program_enrollment, name="program-enrollment"),
    path("enroll/", program_enrollment.enroll, name="enroll"),
    path("enroll-group/", program_enrollment.enroll_group, name="enroll-group"),
    path("subgroups/", subgroups.subgroup_list, name="subgroups"),
    path("subgroups/<uuid:public_id>/", subgroups.subgroup_detail, name="subgroup-detail"),
    path("subgroups/<uuid:public_id>/end/", subgroups.subgroup_end, name="subgroup-end"),
    path("cases/", cases.case_list, name="case-list"),
    path("cases/new/", cases.case_create, name="case-create"),
    path("cases/<uuid:public_id>/", cases.case_detail, name="case-detail"),
    path("cases/<uuid:public_id>/created/", cases.case_created, name="case-created"),
    path("cases/<uuid:public_id>/comment/", cases.case_comment, name="case-comment"),
    path("files/", files.file_list, name="files"),
    path(
        "files/additional-measures.csv",
        files.additional_measures_csv,
        name="additional-measures-csv",
    ),
    path("files/<uuid:public_id>/", files.file_download, name="file-download"),
    path("terms/", terms.terms, name="terms"),
]
