"""practices.id_urls: a URL reversed once and filled in per id is reverse()'s URL."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse, set_script_prefix

from practices.id_urls import id_url_filler, url_for_id


@pytest.mark.parametrize(
    ("name", "before"),
    [("mips:report-card", ()), ("mips:group-report-card", ()), ("mips:attest-clinician", ()),
     ("mips:care-gaps", ("clinician",)), ("mips:care-gaps", ("group",))],
)  # fmt: skip
def test_url_for_id_is_reverse(name, before):
    for public_id in (uuid.uuid4(), uuid.uuid4(), str(uuid.uuid4())):
        assert url_for_id(name, public_id, before=before) == reverse(
            name, args=[*before, public_id]
        )


def test_url_for_id_follows_the_script_prefix():
    public_id = uuid.uuid4()
    set_script_prefix("/portal/")
    try:
        assert url_for_id("mips:report-card", public_id).startswith("/portal/")
        assert url_for_id("mips:report-card", public_id) == reverse(
            "mips:report-card", args=[public_id]
        )
    finally:
        set_script_prefix("/")
    assert url_for_id("mips:report-card", public_id) == reverse(
        "mips:report-card", args=[public_id]
    )


def test_id_url_filler_is_reverse():
    fill = id_url_filler("mips:care-gaps", before=("group",))
    for public_id in (uuid.uuid4(), str(uuid.uuid4())):
        assert fill(public_id) == reverse("mips:care-gaps", args=["group", public_id])
