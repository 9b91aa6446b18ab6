"""MVP subgroups: the services (who may be in a subgroup, the identifier, audit) and the
MVP subgroups page (roles, outsiders, query budget, errors).

CMS sources: QPP_API.md 2.3 (a subgroup submission needs `entityId`, the identifier CMS gave
at registration) and QRDA NOTES.md 2.1 (a subgroup reports an MVP). One subgroup per
clinician and TIN, clinicians of one TIN only: assumptions.py "MVP subgroups".
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from enrollment.errors import EnrollmentError
from enrollment.models import Mvp, Program, Subgroup
from enrollment.services.subgroups import create_subgroup, end_subgroup, set_subgroup_members
from practices.models import AuditEvent
from tests.factories import MedicalGroupFactory, ProviderFactory, TinNpiFactory

from .conftest import YEAR

pytestmark = pytest.mark.django_db
LIST = reverse("enrollment:subgroups") + f"?year={YEAR}"


@pytest.fixture
def mvp_program(programs):
    mvp = Mvp.objects.create(year=YEAR, mvp_id="G0053", title="Advancing Rheumatology Patient Care")
    return Program.objects.create(
        year=YEAR, kind="mvp", code="mvp-g0053", name="MVP: Rheumatology", mvp=mvp
    )


@pytest.fixture
def clinicians(practice, medical_group):
    return [
        TinNpiFactory(provider=ProviderFactory(practice=practice), medical_group=medical_group)
        for _ in range(3)
    ]


def _create(group, program, members, subgroup_id="SG-1", **kw):
    return create_subgroup(
        medical_group=group, program=program, subgroup_id=subgroup_id, name="Rheum",
        members=members, **kw,
    )  # fmt: skip


# --------------------------------------------------------------------------- services


def test_create_subgroup_is_audited(medical_group, mvp_program, clinicians, quality_manager):
    sub = _create(medical_group, mvp_program, clinicians[:2], actor=quality_manager)
    assert sub.year == YEAR and sub.practice_id == medical_group.practice_id
    assert set(sub.members.all()) == set(clinicians[:2])
    event = AuditEvent.objects.get(action="enrollment.subgroup_created")
    assert event.actor == quality_manager and event.object_id == str(sub.public_id)


@pytest.mark.parametrize(
    ("case", "field"),
    [("not_mvp", "program"), ("bad_id", "subgroup_id"), ("no_members", "members"),
     ("other_tin", "members"), ("no_name", "name")],
)  # fmt: skip
def test_create_subgroup_refuses_bad_input(
    practice, medical_group, mvp_program, programs, clinicians, case, field
):
    program, members, subgroup_id, name = mvp_program, clinicians[:1], "SG-1", "Rheum"
    if case == "not_mvp":
        program = programs["mips_quality"]
    elif case == "bad_id":
        subgroup_id = "SG 1; drop"
    elif case == "no_members":
        members = []
    elif case == "other_tin":
        other = MedicalGroupFactory(practice=practice, tin="987654321")
        members = [TinNpiFactory(provider=ProviderFactory(practice=practice), medical_group=other)]
    elif case == "no_name":
        name = " "
    with pytest.raises(EnrollmentError) as exc:
        create_subgroup(medical_group=medical_group, program=program, subgroup_id=subgroup_id,
                        name=name, members=members)  # fmt: skip
    assert exc.value.field == field
    assert not Subgroup.objects.exists()


def test_a_clinician_is_in_one_subgroup_per_tin(medical_group, mvp_program, clinicians):
    _create(medical_group, mvp_program, clinicians[:2])
    with pytest.raises(EnrollmentError, match="one subgroup of a TIN"):
        _create(medical_group, mvp_program, clinicians[1:], subgroup_id="SG-2")
    with pytest.raises(EnrollmentError, match="already used"):
        _create(medical_group, mvp_program, clinicians[2:], subgroup_id="sg-1")
    second = _create(medical_group, mvp_program, clinicians[2:], subgroup_id="SG-2")
    assert second.members.count() == 1


def test_members_change_and_end(medical_group, mvp_program, clinicians, quality_manager):
    sub = _create(medical_group, mvp_program, clinicians[:1])
    set_subgroup_members(subgroup=sub, members=clinicians, actor=quality_manager)
    assert sub.members.count() == 3
    event = AuditEvent.objects.get(action="enrollment.subgroup_members")
    assert len(event.detail["added"]) == 2
    end_subgroup(subgroup=sub, actor=quality_manager)
    sub.refresh_from_db()
    assert sub.status == "ended" and sub.ended_at is not None
    with pytest.raises(EnrollmentError, match="ended"):
        set_subgroup_members(subgroup=sub, members=clinicians[:1])
    # An ended subgroup frees its clinicians and its identifier.
    assert _create(medical_group, mvp_program, clinicians, subgroup_id="SG-1").is_active


# --------------------------------------------------------------------------- views


def test_page_lists_and_registers(qm_client, medical_group, mvp_program, clinicians):
    r = qm_client.get(LIST)
    assert r.status_code == 200 and b"No subgroups for" in r.content
    data = {"year": YEAR, "medical_group": medical_group.pk, "program": mvp_program.pk,
            "subgroup_id": "SG-77", "name": "Knees",
            "members": [clinicians[0].pk, clinicians[1].pk]}  # fmt: skip
    r = qm_client.post(LIST, data, follow=True)
    assert r.status_code == 200
    sub = Subgroup.objects.get()
    assert sub.subgroup_id == "SG-77" and sub.members.count() == 2
    assert b"SG-77" in r.content and b"registered" in r.content


def test_page_shows_a_clear_error_and_changes_nothing(
    qm_client, practice, medical_group, mvp_program, clinicians
):
    other = MedicalGroupFactory(practice=practice, tin="987654321")
    stranger = TinNpiFactory(provider=ProviderFactory(practice=practice), medical_group=other)
    data = {"year": YEAR, "medical_group": medical_group.pk, "program": mvp_program.pk,
            "subgroup_id": "SG-77", "name": "Knees", "members": [stranger.pk]}  # fmt: skip
    r = qm_client.post(LIST, data)
    assert r.status_code == 400
    assert b"is not an active clinician of TIN" in r.content
    assert not Subgroup.objects.exists()


def test_page_query_budget(qm_client, medical_group, mvp_program, clinicians,
                           django_assert_num_queries):  # fmt: skip
    _create(medical_group, mvp_program, clinicians[:1])
    qm_client.get(LIST)  # warm the session
    # user, memberships with their role permissions, program years, count, rows, scores, any
    # MVP open, the form's TINs, MVPs and clinicians (the session is read from the cache)
    with django_assert_num_queries(10) as first:
        qm_client.get(LIST)
    _create(medical_group, mvp_program, clinicians[1:2], subgroup_id="SG-2")
    _create(medical_group, mvp_program, clinicians[2:], subgroup_id="SG-3")
    with django_assert_num_queries(len(first.captured_queries)):
        r = qm_client.get(LIST)
    assert len(r.context["rows"]) == 3


def test_detail_changes_members_and_ends(qm_client, medical_group, mvp_program, clinicians):
    sub = _create(medical_group, mvp_program, clinicians[:1])
    url = reverse("enrollment:subgroup-detail", args=[sub.public_id])
    assert qm_client.get(url).status_code == 200
    r = qm_client.post(url, {"members": [c.pk for c in clinicians]})
    assert r.status_code == 302 and sub.members.count() == 3
    r = qm_client.post(url, {"members": []})
    assert r.status_code == 400 and sub.members.count() == 3
    qm_client.post(reverse("enrollment:subgroup-end", args=[sub.public_id]))
    sub.refresh_from_db()
    assert sub.status == "ended"


@pytest.mark.parametrize("client_name", ["billing_client", "clinician_client"])
def test_wrong_role_gets_403(request, client_name, medical_group, mvp_program, clinicians):
    sub = _create(medical_group, mvp_program, clinicians[:1])
    client = request.getfixturevalue(client_name)
    assert client.get(LIST).status_code == 403
    url = reverse("enrollment:subgroup-detail", args=[sub.public_id])
    assert client.post(url, {"members": [c.pk for c in clinicians]}).status_code == 403
    assert client.post(reverse("enrollment:subgroup-end", args=[sub.public_id])).status_code == 403
    assert sub.members.count() == 1 and Subgroup.objects.get().is_active


def test_outsider_gets_404(outsider_client, medical_group, mvp_program, clinicians):
    sub = _create(medical_group, mvp_program, clinicians[:1])
    detail = reverse("enrollment:subgroup-detail", args=[sub.public_id])
    assert outsider_client.get(detail).status_code == 404
    assert outsider_client.post(detail, {"members": []}).status_code == 404
    end = reverse("enrollment:subgroup-end", args=[sub.public_id])
    assert outsider_client.post(end).status_code == 404
    assert b"SG-1" not in outsider_client.get(LIST).content  # the list shows none of ours
