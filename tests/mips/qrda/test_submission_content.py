"""What a submission and a QRDA III export carry: IA and PI from the current attestations
of the enrolled categories, EUC-exempted categories left out (recorded, automatic, and the
"two or more categories negate" rule), and the refusal while sign-offs are missing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from enrollment.models import Enrollment
from exceptions import services as euc
from mips import attestations as svc
from mips.ecqm.engine import calculate
from mips.models import QppSubmission, SubmissionStatus
from mips.qrda import validation
from mips.qrda.qrda3_write import build_qrda3
from mips.submission.client import QppSubmissionsClient
from mips.submission.content import entity_content
from mips.submission.document import submission_document
from mips.submission.fake_api import validate_measurement_set
from mips.submission.services import SubmissionRefused, submit_entity
from practices.models import AuditEvent
from tests.mips.factories import diabetic_patient
from tests.mips.score_helpers import eligibility, enroll, programs

# Submissions in these tests happen inside CMS's 2025 submission period (injected clock).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("submission_period")]

YEAR = 2025
CEHRT = "0015C0000000000"
V3 = {"h": "urn:hl7-org:v3"}
PI_START, PI_END = dt.date(2025, 7, 1), dt.date(2025, 12, 27)  # a 180-day PI period
EUC_OPEN = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)


@pytest.fixture
def results(practice, tin_npi, valuesets):
    diabetic_patient(practice, tin_npi, hba1c="10.2")
    diabetic_patient(practice, tin_npi, hba1c="7.0")
    calculate(practice, YEAR)


def _enroll(tin_npi, kinds=("mips_quality", "mips_pi", "mips_ia")):
    """Individual enrollments; PI with its own 180-day period."""
    progs = programs(YEAR)
    for kind in kinds:
        pi = kind == "mips_pi"
        Enrollment.objects.create(
            program=progs[kind], level="individual", source="operator", tin_npi=tin_npi,
            medical_group=tin_npi.medical_group,
            period_start=PI_START if pi else dt.date(YEAR, 1, 1),
            period_end=PI_END if pi else dt.date(YEAR, 12, 31),
        )  # fmt: skip


def _pi(user, tin_npi, *, required=True) -> None:
    entity = {"tin_npi": tin_npi, "user": user, "year": YEAR, "recalculate": False}
    if required:
        for mid, _ in svc.required_pi_attestations(YEAR):
            svc.attest_pi(measure_id=mid, value=True, **entity)
    for mid, (n, d) in {"PI_EP_1": (90, 100), "PI_HIE_1": (80, 100), "PI_PEA_1": (95, 100)}.items():
        svc.attest_pi(measure_id=mid, numerator=n, denominator=d, **entity)
    # Two immunization registries at different engagement levels, and an exclusion.
    svc.attest_pi(measure_id="PI_PHCDRR_1", value=True, registry="State IIS",
                  engagement="prod", **entity)  # fmt: skip
    svc.attest_pi(measure_id="PI_PHCDRR_1", value=True, registry="County IIS",
                  engagement="pre", **entity)  # fmt: skip
    svc.attest_pi(measure_id="PI_PHCDRR_3_EX_1", value=True, **entity)
    svc.attest_pi(measure_id="PI_HIE_4", numerator=0, denominator=0, **entity)


def _ia(user, tin_npi) -> None:
    entity = {"tin_npi": tin_npi, "user": user, "year": YEAR, "recalculate": False}
    svc.attest_ia(activity_id="IA_BE_1", start_date=dt.date(2025, 3, 1),
                  end_date=dt.date(2025, 6, 30), **entity)  # fmt: skip
    svc.attest_ia(activity_id="IA_BE_12", start_date=dt.date(2025, 5, 1),
                  end_date=dt.date(2025, 9, 30), **entity)  # fmt: skip
    svc.attest_ia(activity_id="IA_BE_14", attested=False, **entity)  # withdrawn: not sent


def _sign_quality(user, tin_npi) -> None:
    svc.sign_off(year=YEAR, category="quality", user=user, tin_npi=tin_npi, recalculate=False)


def _content(tin_npi):
    return entity_content(
        tin_npi.practice, year=YEAR, tin=tin_npi.tin, npi=tin_npi.npi, cehrt_id=CEHRT
    )


def _sets(content) -> dict[str, dict]:
    return {s["category"]: s for s in submission_document(content.report)["measurementSets"]}


def _period(tree, title: str) -> tuple[str, str]:
    section = tree.xpath(f"//h:section[h:title='{title}']", namespaces=V3)[0]
    act = section.xpath("h:entry/h:act/h:effectiveTime", namespaces=V3)[0]
    return act.find("h:low", V3).get("value"), act.find("h:high", V3).get("value")


@pytest.fixture
def full(practice, tin_npi, results, quality_manager):
    _enroll(tin_npi)
    _pi(quality_manager, tin_npi)
    _ia(quality_manager, tin_npi)
    _sign_quality(quality_manager, tin_npi)


def test_json_carries_ia_and_pi_from_the_current_attestations(tin_npi, full, quality_manager):
    # A later change supersedes the earlier entry: the current value is what is sent.
    svc.attest_pi(year=YEAR, measure_id="PI_EP_1", numerator=91, denominator=100,
                  user=quality_manager, tin_npi=tin_npi, recalculate=False)  # fmt: skip
    content = _content(tin_npi)
    assert content.sent == {"quality", "pi", "ia"} and not content.missing_signoffs
    document = submission_document(content.report)
    stub = {k: v for k, v in document.items() if k != "measurementSets"}
    for measurement_set in document["measurementSets"]:
        assert validate_measurement_set({**measurement_set, "submission": stub}) == []
    sets = _sets(content)
    assert "001" in [m["measureId"] for m in sets["quality"]["measurements"]]

    pi = sets["pi"]
    assert (pi["performanceStart"], pi["performanceEnd"]) == ("2025-07-01", "2025-12-27")
    assert pi["cehrtId"] == CEHRT and pi["submissionMethod"] == "electronicHealthRecord"
    values = {m["measureId"]: m["value"] for m in pi["measurements"]}
    assert values["PI_EP_1"] == {"numerator": 91, "denominator": 100}
    assert values["PI_HIE_4"] == {"numerator": 0, "denominator": 0}
    for yes in ("PI_PPHI_1", "PI_PPHI_2", "PI_INFBLO_1", "PI_ONCDIR_1", "PI_PHCDRR_1",
                "PI_PHCDRR_1_PROD", "PI_PHCDRR_1_PRE", "PI_PHCDRR_3_EX_1"):  # fmt: skip
        assert values[yes] is True, yes
    assert len(values) == len(pi["measurements"])  # two registries: one PI_PHCDRR_1

    ia = sets["ia"]
    assert ia["measurements"] == [
        {"measureId": "IA_BE_1", "value": True},
        {"measureId": "IA_BE_12", "value": True},
    ]
    assert (ia["performanceStart"], ia["performanceEnd"]) == ("2025-03-01", "2025-09-30")
    assert "cehrtId" not in ia


def test_qrda3_carries_ia_and_pi_sections_with_their_periods(tin_npi, full):
    tree = build_qrda3(_content(tin_npi).report)
    titles = tree.xpath("//h:section/h:title/text()", namespaces=V3)
    assert titles == ["Measure Section", "Improvement Activity", "Promoting Interoperability"]
    assert _period(tree, "Improvement Activity") == ("20250301", "20250930")
    assert _period(tree, "Promoting Interoperability") == ("20250701", "20251227")
    assert _period(tree, "Measure Section") == ("20250101", "20251231")
    ids = tree.xpath("//h:externalDocument/h:id/@extension", namespaces=V3)
    assert {"IA_BE_1", "IA_BE_12", "PI_EP_1", "PI_PHCDRR_1_PRE"} <= set(ids)
    assert "IA_BE_14" not in ids
    if validation.available("qrda3-2025"):
        assert validation.validate(tree, "qrda3-2025") == []


def test_only_enrolled_categories_are_carried(tin_npi, results, quality_manager):
    _enroll(tin_npi, ("mips_quality",))
    _pi(quality_manager, tin_npi, required=False)
    _ia(quality_manager, tin_npi)
    content = _content(tin_npi)
    assert content.enrolled == {"quality"} and content.sent == {"quality"}
    assert set(_sets(content)) == {"quality"}
    # Without the quality sign-off the submission is refused; PI attestations not needed.
    assert [a.code for a in content.missing_signoffs] == ["cqm_signoff"]


def test_recorded_exception_leaves_its_category_out(practice, tin_npi, results, quality_manager):
    _enroll(tin_npi)
    _pi(quality_manager, tin_npi, required=False)  # required PI attestations missing
    _sign_quality(quality_manager, tin_npi)
    euc.set_status(practice=practice, tin_npi=tin_npi, year=YEAR, status="pi", actor=None,
                   now=EUC_OPEN)  # fmt: skip
    content = _content(tin_npi)
    assert content.exempted == {"pi"} and content.sent == {"quality"}
    assert set(_sets(content)) == {"quality"}
    tree = build_qrda3(content.report)
    assert not tree.xpath("//h:section[h:title='Promoting Interoperability']", namespaces=V3)
    # PI is not sent, so its mandatory attestations do not block the submission.
    assert content.missing_signoffs == ()
    assert any("PI reweighted" in n for n in content.notes)


def test_two_other_categories_do_not_negate_a_recorded_exception(
    practice, tin_npi, results, quality_manager
):
    """CMS decides an approved application EUC per category (exceptions.rules, issue 14):
    Quality and IA data do not void the PI exception, so PI stays out of the submission."""
    _enroll(tin_npi)
    _pi(quality_manager, tin_npi)
    _ia(quality_manager, tin_npi)
    _sign_quality(quality_manager, tin_npi)
    euc.set_status(practice=practice, tin_npi=tin_npi, year=YEAR, status="pi", actor=None,
                   now=EUC_OPEN)  # fmt: skip
    content = _content(tin_npi)
    assert content.exempted == {"pi"} and content.sent == {"quality", "ia"}
    assert any("PI exception stands" in n for n in content.notes)


def test_automatic_exception_leaves_its_category_out(practice, tin_npi, quality_manager):
    _enroll(tin_npi)
    _pi(quality_manager, tin_npi)
    eligibility(tin_npi, year=YEAR, euc=True, euc_categories=["pi", "cost"])
    content = _content(tin_npi)
    assert content.exempted == {"pi"} and content.sent == frozenset()
    assert submission_document(content.report)["measurementSets"] == []
    assert content.is_empty
    sub = submit_entity(practice=practice, year=YEAR, tin=tin_npi.tin, npi=tin_npi.npi)
    assert sub.status == SubmissionStatus.FAILED
    assert "PI exempted by an EUC exception" in sub.failure_reason


def test_automatic_exception_is_negated_by_two_categories(
    practice, tin_npi, results, quality_manager
):
    _enroll(tin_npi)
    _pi(quality_manager, tin_npi)
    eligibility(tin_npi, year=YEAR, euc=True, euc_categories=["pi"])
    content = _content(tin_npi)
    assert content.sent == {"quality", "pi"} and content.exempted == frozenset()


def test_export_commands_leave_exempted_categories_out(
    practice, tin_npi, results, quality_manager, tmp_path
):
    _enroll(tin_npi)
    _pi(quality_manager, tin_npi)
    euc.set_status(practice=practice, tin_npi=tin_npi, year=YEAR, status="pi", actor=None,
                   now=EUC_OPEN)  # fmt: skip
    out = tmp_path / "qrda3.xml"
    call_command("export_qrda3", "--practice", practice.slug, "--tin", tin_npi.tin,
                 "--npi", tin_npi.npi, "--year", str(YEAR), "--output", str(out))  # fmt: skip
    assert b"Promoting Interoperability" not in out.read_bytes()
    json_out = tmp_path / "doc.json"
    call_command("export_submission", "--practice", practice.slug, "--tin", tin_npi.tin,
                 "--npi", tin_npi.npi, "--year", str(YEAR), "--output", str(json_out))  # fmt: skip
    assert '"category": "pi"' not in json_out.read_text()


def test_submit_entity_refuses_while_sign_offs_are_missing(
    practice, tin_npi, results, quality_manager, settings
):
    settings.MIPS_CEHRT_ID = CEHRT
    _enroll(tin_npi, ("mips_quality", "mips_pi"))
    _pi(quality_manager, tin_npi, required=False)
    with pytest.raises(SubmissionRefused) as refused:
        submit_entity(
            practice=practice, year=YEAR, tin=tin_npi.tin, npi=tin_npi.npi,
            user=quality_manager, client=QppSubmissionsClient("http://127.0.0.1:9"),
        )  # fmt: skip
    message = str(refused.value)
    assert "missing sign-offs" in message and "Sign off the CQM data" in message
    assert "Security Risk Analysis" in message
    assert {a.code for a in refused.value.missing} == {
        "cqm_signoff", "PI_PPHI_1", "PI_PPHI_2", "PI_INFBLO_1",
    }  # fmt: skip
    assert not QppSubmission.objects.exists()  # no attempt recorded ...
    assert (
        AuditEvent.objects.filter(action="mips.qpp_submission_refused").count() == 1
    )  # ... but audited


def test_group_submission_uses_group_enrollment(practice, medical_group, tin_npi, results,
                                                quality_manager):  # fmt: skip
    enroll(medical_group, ("mips_quality", "mips_ia"), year=YEAR, level="group")
    svc.attest_ia(year=YEAR, activity_id="IA_BE_1", start_date=dt.date(2025, 1, 1),
                  end_date=dt.date(2025, 12, 31), user=quality_manager,
                  medical_group=medical_group, recalculate=False)  # fmt: skip
    content = entity_content(practice, year=YEAR, tin=tin_npi.tin, npi="", cehrt_id=CEHRT)
    assert content.sent == {"quality", "ia"}
    sets = _sets(content)
    assert sets["ia"]["measurements"] == [{"measureId": "IA_BE_1", "value": True}]
    tree = build_qrda3(content.report)
    if validation.available("qrda3-2025"):
        assert validation.validate(tree, "qrda3-2025") == []


def test_mvp_enrollment_submits_mvp_measurement_sets(tin_npi, quality_manager):
    """An MVP participant's measurement sets carry the MVP id as programName (QPP_API.md
    2.3 measurementSet.programName: "mips", "app1" or an MVP ID; issue 14 item 5)."""
    from enrollment.models import Mvp, Program

    mvp = Mvp.objects.create(year=YEAR, mvp_id="G0053", title="Advancing Rheumatology Patient Care")
    program = Program.objects.create(
        year=YEAR, kind="mvp", code="mvp-g0053", name="MVP: Rheumatology", mvp=mvp
    )
    Enrollment.objects.create(
        program=program, tin_npi=tin_npi, medical_group=tin_npi.medical_group,
        level="individual", source="operator",
        period_start=dt.date(YEAR, 1, 1), period_end=dt.date(YEAR, 12, 31),
    )  # fmt: skip
    _ia(quality_manager, tin_npi)
    content = _content(tin_npi)
    assert content.program_name == "G0053"
    document = submission_document(content.report, program_name=content.program_name)
    assert document["measurementSets"]
    assert {s["programName"] for s in document["measurementSets"]} == {"G0053"}


def test_incomplete_pi_is_no_pi_data_for_the_automatic_euc_rule_but_is_still_sent(
    practice, tin_npi, results, quality_manager
):
    """CMS 2025 (SCORING.md 1.1 [C: S18]: an incomplete PI submission is not scored; SCORING.md
    5, automatic EUC: data in two or more categories voids it): Quality data plus PI without
    its required attestations is one category for the rule, so the automatic EUC on Quality
    and PI stands in the preview. The submission still carries what was attested."""
    from mips.submission.content import _assembled, _entity_key

    _enroll(tin_npi)
    _pi(quality_manager, tin_npi, required=False)
    _sign_quality(quality_manager, tin_npi)
    eligibility(tin_npi, year=YEAR, euc=True, euc_categories=["quality", "pi"])
    item = _assembled(practice, YEAR, _entity_key(practice, tin_npi.tin, tin_npi.npi))
    euc_context = item.context["euc"]
    assert euc_context["submitted"] == ["pi", "quality"]
    assert euc_context["reweighted"] == ["pi", "quality"] and not euc_context["negated"]
    assert euc_context["counted"] == ["quality"]
    content = _content(tin_npi)
    assert content.sent == {"quality", "pi"}  # unchanged: what was attested is sent
    assert set(_sets(content)) == {"quality", "pi"}
