from __future__ import annotations

from django.urls import path

from .views import groups, home, members, providers

app_name = "practices"

urlpatterns = [
    path("switch/", home.switch_practice, name="switch"),
    path("users/", members.member_list, name="member-list"),
    path("users/<uuid:public_id>/role/", members.member_role, name="member-role"),
    path("users/<uuid:public_id>/remove/", members.member_remove, name="member-remove"),
    path(
        "users/invitations/<uuid:public_id>/revoke/",
        members.invitation_revoke,
        name="invitation-revoke",
    ),
    path("providers/", providers.provider_list, name="provider-list"),
    path("providers/new/", providers.provider_create, name="provider-create"),
    path("providers/<uuid:public_id>/", providers.provider_detail, name="provider-detail"),
    path("providers/<uuid:public_id>/groups/", providers.provider_groups, name="provider-groups"),
    path(
        "providers/<uuid:public_id>/numbers/", providers.provider_numbers, name="provider-numbers"
    ),
    path("numbers/", providers.number_list, name="number-list"),
    path("numbers/<uuid:public_id>/delete/", providers.number_delete, name="number-delete"),
    path("groups/", groups.group_list, name="group-list"),
    path("groups/<uuid:public_id>/", groups.group_detail, name="group-detail"),
    path("payer-enrollment/", groups.override_list, name="override-list"),
    path("payer-enrollment/new/", groups.override_edit, name="override-create"),
    path("payer-enrollment/<uuid:public_id>/", groups.override_edit, name="override-edit"),
    path(
        "payer-enrollment/<uuid:public_id>/delete/", groups.override_delete, name="override-delete"
    ),
]
