"""QRDA I batches: a damaged zip member (bad CRC, unsupported compression, encrypted) is one
rejected document, the archive's valid files still import; the batch ends Done, Done with
rejected files (warning) or Failed; the uploaded bytes never stay in the database; a
rejection says where (line, element) and which rule."""

from __future__ import annotations

import struct
import zipfile

import pytest
from django_scopes import scope

from jobs.queue import EnqueueFailed
from mips.ecqm.tasks import recalculate_practice_every_ecqm
from mips.models import QrdaImportBatch, QrdaImportFile, QrdaImportResult
from mips.qrda import validation
from mips.qrda.batches import fail_batch, final_status, run_batch
from mips.qrda.safe_xml import expand_upload
from tests.factories import MedicalGroupFactory
from tests.mips.qrda.test_qrda_safe_xml import _zip as stored_zip

pytestmark = pytest.mark.django_db

LOCAL, CENTRAL = b"PK\x03\x04", b"PK\x01\x02"


def _zip(members: dict[str, bytes]) -> bytes:
    return stored_zip(members, zipfile.ZIP_STORED)  # stored: a flipped byte breaks the CRC


def _damage_crc(raw: bytes, member: str) -> bytes:
    """Flip one byte of a stored member's data, so its CRC-32 no longer matches."""
    pos = raw.index(LOCAL)
    while True:
        name_len, extra_len = struct.unpack("<HH", raw[pos + 26 : pos + 30])
        data = pos + 30 + name_len + extra_len
        if raw[pos + 30 : pos + 30 + name_len] == member.encode():
            return raw[: data + 2] + bytes([raw[data + 2] ^ 0xFF]) + raw[data + 3 :]
        pos = raw.index(LOCAL, data)


# (signature, offset of the compression method, of the name length, of the name)
HEADERS = ((LOCAL, 8, 26, 30), (CENTRAL, 10, 28, 46))


def _method(raw: bytes, member: str, method: int) -> bytes:
    """Set a member's compression method (local and central headers) to `method`."""
    out = bytearray(raw)
    for signature, method_at, length_at, name_at in HEADERS:
        pos = out.find(signature)
        while pos != -1:
            (name_len,) = struct.unpack("<H", out[pos + length_at : pos + length_at + 2])
            if out[pos + name_at : pos + name_at + name_len] == member.encode():
                out[pos + method_at : pos + method_at + 2] = struct.pack("<H", method)
            pos = out.find(signature, pos + 4)
    return bytes(out)


def test_bad_crc_member_is_one_refusal_the_others_are_read():
    raw = _damage_crc(_zip({"a.xml": b"<a>" + b"x" * 64 + b"</a>", "b.xml": b"<b/>"}), "a.xml")
    docs = expand_upload(raw, name="up.zip")
    assert [(d.name, bool(d.error)) for d in docs] == [
        ("up.zip/a.xml", True),
        ("up.zip/b.xml", False),
    ]
    assert "damaged (checksum mismatch)" in docs[0].error and docs[1].content == b"<b/>"


def test_unsupported_compression_member_is_one_refusal():
    raw = _method(_zip({"a.xml": b"<a/>", "b.xml": b"<b/>"}), "a.xml", 97)
    docs = expand_upload(raw, name="up.zip")
    assert docs[0].error and "compression method" in docs[0].error
    assert docs[1].content == b"<b/>" and not docs[1].error


@pytest.fixture
def qrda_batch(practice, samples):
    MedicalGroupFactory(practice=practice, tin="679235746", name="Previous EHR TIN")
    good = (samples / "valid_qrda1" / "good_cat1_single_encounter.xml").read_bytes()

    def make(*uploads: tuple[str, bytes]) -> QrdaImportBatch:
        batch = QrdaImportBatch.objects.create(practice=practice, year=2025)
        for n, (name, content) in enumerate(uploads):
            QrdaImportFile.objects.create(
                practice=practice, batch=batch, position=n, name=name, size=len(content),
                content=content,
            )  # fmt: skip
        return batch

    make.good = good
    return make


@pytest.mark.skipif(not validation.available("qrda1"), reason="no QRDA schemas")
def test_damaged_members_do_not_fail_the_batch(
    practice, qrda_batch, valuesets, queued_recalculations
):
    archive = _zip({"good.xml": qrda_batch.good, "crc.xml": qrda_batch.good, "odd.xml": b"<x/>"})
    archive = _method(_damage_crc(archive, "crc.xml"), "odd.xml", 99)
    batch = qrda_batch(("export.zip", archive))
    with scope(practice=practice):
        run_batch(batch)
    batch.refresh_from_db()
    assert (batch.status, batch.total, batch.imported, batch.rejected) == ("warning", 3, 1, 2)
    results = {r.name: r for r in QrdaImportResult.objects.filter(batch=batch)}
    assert results["export.zip/good.xml"].ok
    assert "checksum mismatch" in results["export.zip/crc.xml"].message
    assert "compression method" in results["export.zip/odd.xml"].message
    # The uploaded bytes do not stay in the database.
    assert [bytes(c) for c in QrdaImportFile.objects.values_list("content", flat=True)] == [b""]
    # The imported file counts: every eCQM of every supported year is queued, not run here.
    assert queued_recalculations == [(practice.pk, 2025, None), (practice.pk, 2026, None)]
    assert batch.recalculation.startswith("Recalculation of every 2025 and 2026 eCQM queued")


@pytest.mark.skipif(not validation.available("qrda1"), reason="no QRDA schemas")
def test_all_rejected_is_failed_with_actionable_reasons(
    practice, qrda_batch, samples, queued_recalculations
):
    bad = (samples / "invalid_qrda1" / "sample_patient_bad_schema.xml").read_bytes()
    batch = qrda_batch(("bad.xml", bad))
    with scope(practice=practice):
        run_batch(batch)
    batch.refresh_from_db()
    assert batch.status == "failed" and "None of the 1 file(s)" in batch.error
    message = QrdaImportResult.objects.get(batch=batch).message
    # Where (line, element) and which rule, not a raw SVRL/XPath dump.
    assert "line " in message and "<ClinicalDocument>" in message
    assert "CONF:1198-16791" in message and "local-name()" not in message
    assert bytes(QrdaImportFile.objects.get(batch=batch).content) == b""
    assert queued_recalculations == [] and batch.recalculation == ""  # nothing new to count


def test_xsd_problem_names_element_and_line():
    from lxml import etree

    if not validation.available("qrda1"):
        pytest.skip("no QRDA schemas")
    doc = etree.ElementTree(
        etree.fromstring(
            b'<ClinicalDocument xmlns="urn:hl7-org:v3">\n<typeId root="x" extension="y"/>\n'
            b"<bogus/></ClinicalDocument>"
        )
    )
    problem = validation.xsd_problems(doc)[0]
    assert problem.line and problem.rule == "CDA schema" and "{urn:hl7-org:v3}" not in str(problem)
    assert str(problem).startswith(f"line {problem.line}, <")


@pytest.mark.skipif(not validation.available("qrda1"), reason="no QRDA schemas")
def test_broker_down_says_the_recalculation_was_not_queued(
    practice, qrda_batch, valuesets, monkeypatch
):
    def refuse(*args, **kwargs):
        raise EnqueueFailed("The background job service is unavailable right now.")

    monkeypatch.setattr(recalculate_practice_every_ecqm, "apply_async", refuse)
    batch = qrda_batch(("good.xml", qrda_batch.good))
    with scope(practice=practice):
        run_batch(batch)
    batch.refresh_from_db()
    # The import stands; the user is told to recalculate by hand.
    assert (batch.status, batch.imported) == ("done", 1)
    assert batch.recalculation.startswith("The eCQM results were not recalculated")
    assert "Use Recalculate" in batch.recalculation


def test_crashed_batch_drops_the_bytes(practice, qrda_batch):
    batch = qrda_batch(("a.xml", b"<a/>"))
    with scope(practice=practice):
        fail_batch(batch, "the import stopped unexpectedly")
    batch.refresh_from_db()
    assert batch.status == "failed" and bytes(QrdaImportFile.objects.get().content) == b""


@pytest.mark.parametrize(
    ("imported", "rejected", "status"),
    [(3, 0, "done"), (2, 1, "warning"), (0, 2, "failed")],
)
def test_final_status(imported, rejected, status):
    assert final_status(imported, rejected) == status
