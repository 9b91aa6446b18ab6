"""Importing CMS score-preview responses as snapshots."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from mips.models import ScoreSnapshot, ScoreSource
from mips.scoring import EntityInput, QualityMeasurement, score_entity
from mips.snapshots import current_snapshots
from practices.models import AuditEvent

pytestmark = pytest.mark.django_db


def cms_document(tin, npi, *, year=2026) -> dict:
    entity = EntityInput(
        performance_year=year, tin=tin, npi=npi,
        quality=(QualityMeasurement("236", "electronicHealthRecord", 40, 10, 50),),
    )  # fmt: skip
    return score_entity(entity).to_dict()


def test_import_command_stores_a_cms_preview_with_history(tin_npi, tmp_path, capsys):
    path = tmp_path / "preview.json"
    path.write_text(json.dumps(cms_document(tin_npi.tin, tin_npi.npi)))
    args = ["import_cms_score", str(path), "--practice", tin_npi.practice.slug, "--year", "2026"]
    args += ["--tin", tin_npi.tin, "--npi", tin_npi.npi]
    call_command(*args)
    call_command(*args, "--source", "cms_submitted", "--submission-id", "sub-1")
    call_command(*args)
    assert "Imported CMS preview 2026" in capsys.readouterr().out
    assert ScoreSnapshot.objects.filter(source=ScoreSource.CMS_PREVIEW).count() == 2
    found = current_snapshots(tin_npi.practice, 2026)
    assert {source for _, source in found} == {"cms_preview", "cms_submitted"}
    submitted = ScoreSnapshot.objects.get(source="cms_submitted")
    assert submitted.submission_id == "sub-1" and submitted.quality_score > 0
    assert submitted.final_score == Decimal(str(submitted.document["data"]["score"]["value"]))
    assert AuditEvent.objects.filter(action="mips.cms_score_imported").count() == 3


def test_group_score_import(medical_group, tmp_path):
    path = tmp_path / "g.json"
    path.write_text(json.dumps(cms_document(medical_group.tin, None)))
    call_command(
        "import_cms_score", str(path), "--practice", medical_group.practice.slug,
        "--year", "2026", "--tin", medical_group.tin,
    )  # fmt: skip
    snap = ScoreSnapshot.objects.get()
    assert snap.is_group and snap.categories["quality"]["contribution"] is not None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["data"]["score"]["metadata"].update(performanceYear=2025), "for 2025"),
        (lambda d: d["data"]["score"]["metadata"].update(taxpayerIdentificationNumber="1"), "TIN"),
        (lambda d: d.update(data={}), "Not a score-preview"),
    ],
)
def test_import_rejects_a_mismatched_document(tin_npi, tmp_path, change, message):
    document = cms_document(tin_npi.tin, tin_npi.npi)
    change(document)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with pytest.raises(CommandError, match=message):
        call_command(
            "import_cms_score", str(path), "--practice", tin_npi.practice.slug, "--year", "2026",
            "--tin", tin_npi.tin, "--npi", tin_npi.npi,
        )  # fmt: skip
    assert not ScoreSnapshot.objects.exists()


def test_unknown_tin_is_an_error(tin_npi, tmp_path):
    path = tmp_path / "x.json"
    path.write_text("{}")
    with pytest.raises(CommandError, match="no medical group"):
        call_command(
            "import_cms_score", str(path), "--practice", tin_npi.practice.slug, "--year", "2026",
            "--tin", "999999999",
        )  # fmt: skip


def test_import_accepts_the_medicare_override_tin(tin_npi, tmp_path):
    """CMS scores the TIN the data was submitted under: a Medicare TIN override in effect
    for the provider (issue 14 item 7). Both --tin spellings find the entity."""
    import datetime as dt

    from practices.models import MedicareTinOverride

    MedicareTinOverride.objects.create(
        practice=tin_npi.practice, medical_group=tin_npi.medical_group,
        provider=tin_npi.provider, overriding_tin="555666777",
        effective_from=dt.date(2026, 1, 1),
    )  # fmt: skip
    path = tmp_path / "o.json"
    path.write_text(json.dumps(cms_document("555666777", tin_npi.npi)))
    for tin in (tin_npi.tin, "555666777"):
        call_command(
            "import_cms_score", str(path), "--practice", tin_npi.practice.slug, "--year", "2026",
            "--tin", tin, "--npi", tin_npi.npi,
        )  # fmt: skip
    assert ScoreSnapshot.objects.filter(tin_npi=tin_npi).count() == 2
    # an override of another provider does not make the TIN acceptable
    other = tmp_path / "other.json"
    other.write_text(json.dumps(cms_document("111222333", tin_npi.npi)))
    with pytest.raises(CommandError, match="Medicare TIN override"):
        call_command(
            "import_cms_score", str(other), "--practice", tin_npi.practice.slug, "--year",
            "2026", "--tin", tin_npi.tin, "--npi", tin_npi.npi,
        )  # fmt: skip
