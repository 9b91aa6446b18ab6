"""2026 exports before and after CMS's eMeasure identifiers are known (issue 15, point 1).

The QPP JSON identifies a measure by its quality measure id, so it is made for every year;
the QRDA III needs the version and population UUIDs: refused for 2026 until the operator
adds them (the message names the command), then valid against the CDA XSD and CMS's 2026
QRDA III schematron."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from mips.models import EcqmRun, EMeasureIdentifiers, MeasureResult
from mips.qrda import validation
from mips.qrda.identifiers import MissingIdentifiers, missing_identifiers, qrda3_identifiers
from mips.qrda.qrda3_data import build_report
from mips.qrda.qrda3_write import build_qrda3
from mips.submission.document import submission_document
from mips.submission.fake_api import validate_measurement_set

pytestmark = pytest.mark.django_db
CEHRT = "0015C1234567890"


@pytest.fixture
def results_2026(practice, tin_npi):
    run = EcqmRun.objects.create(practice=practice, year=2026, started_at=timezone.now())
    for cms_id, mips_id in (("CMS122", "001"), ("CMS165", "236")):
        MeasureResult.objects.create(
            practice=practice, run=run, year=2026, cms_id=cms_id, mips_id=mips_id,
            tin=tin_npi.tin, npi=tin_npi.npi, ipp=10, denom=9, numer=4, denex=1,
        )  # fmt: skip
    return tin_npi


def _identifiers_file(tmp_path, cms_ids=("CMS122", "CMS165")):
    def u():
        return str(uuid.uuid4()).upper()

    data = {
        cms: {
            "ecqm_id": f"{cms}v14",
            "version_uuid": str(uuid.uuid4()),
            "strata": [
                {
                    "initialPopulationUuid": u(),
                    "denominatorUuid": u(),
                    "numeratorUuid": u(),
                    "denominatorExclusionUuid": u(),
                }
            ],  # fmt: skip
            "source": "test",
        }
        for cms in cms_ids
    }
    path = tmp_path / "ids.json"
    path.write_text(json.dumps(data))
    return path


def test_qpp_json_needs_no_identifiers(practice, results_2026):
    tin_npi = results_2026
    report = build_report(practice, year=2026, tin=tin_npi.tin, npi=tin_npi.npi, cehrt_id=CEHRT)
    document = submission_document(report)
    quality = document["measurementSets"][0]
    assert {m["measureId"] for m in quality["measurements"]} == {"001", "236"}
    for measurement_set in document["measurementSets"]:
        stub = {k: v for k, v in document.items() if k != "measurementSets"}
        assert validate_measurement_set({**measurement_set, "submission": stub}) == []


def test_qrda3_refused_until_identifiers_are_added(practice, results_2026, tmp_path):
    tin_npi = results_2026
    assert ("CMS122", "CMS122v14") in missing_identifiers(2026)
    report = build_report(practice, year=2026, tin=tin_npi.tin, npi=tin_npi.npi, cehrt_id=CEHRT)
    with pytest.raises(MissingIdentifiers) as refused:
        build_qrda3(report)
    message = str(refused.value)
    assert "CMS122 (CMS122v14)" in message and "CMS165 (CMS165v14)" in message
    assert "python manage.py add_emeasure_identifiers --year 2026 --file" in message

    call_command(
        "add_emeasure_identifiers", "--year", "2026", "--file", str(_identifiers_file(tmp_path))
    )
    assert missing_identifiers(2026, {"CMS122", "CMS165"}) == []
    report = build_report(practice, year=2026, tin=tin_npi.tin, npi=tin_npi.npi, cehrt_id=CEHRT)
    tree = build_qrda3(report)
    if validation.available("qrda3-2026"):
        assert validation.validate(tree, "qrda3-2026") == []


def test_bad_identifiers_are_refused_and_nothing_stored(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "CMS122": {"version_uuid": "nope", "strata": [{}]},
                "CMS9999": {"version_uuid": str(uuid.uuid4()), "strata": []},
            }
        )
    )
    with pytest.raises(CommandError) as refused:
        call_command("add_emeasure_identifiers", "--year", "2026", "--file", str(path))
    text = str(refused.value)
    assert "version_uuid must be a UUID" in text and "lacks initialPopulationUuid" in text
    assert "CMS9999 is not an eCQM of 2026" in text
    assert not EMeasureIdentifiers.objects.exists()


def test_operator_row_overrides_the_file():
    EMeasureIdentifiers.objects.create(
        year=2025, cms_id="CMS122", ecqm_id="CMS122v13", version_uuid=str(uuid.UUID(int=1)),
        strata=[{"initialPopulationUuid": "A", "denominatorUuid": "B", "numeratorUuid": "C"}],
    )  # fmt: skip
    meta = qrda3_identifiers(2025)["CMS122"]
    assert meta["version_uuid"] == str(uuid.UUID(int=1))
    assert meta["strata"][0]["uuids"]["numeratorUuid"] == "C"


def test_ecqm_page_names_the_missing_identifiers_and_the_command(qm_client, results_2026):
    page = qm_client.get(reverse("mips:ecqm-data") + "?year=2026").content.decode()
    assert 'id="missing-identifiers"' in page and "CMS122v14" in page
    assert "python manage.py add_emeasure_identifiers --year 2026" in page
    assert (
        "missing-identifiers"
        not in qm_client.get(reverse("mips:ecqm-data") + "?year=2025").content.decode()
    )
    json_download = qm_client.get(
        reverse("mips:submission-download", args=[2026, "clinician", results_2026.public_id])
    )
    assert json_download.status_code == 200 and b'"measureId": "001"' in json_download.content
