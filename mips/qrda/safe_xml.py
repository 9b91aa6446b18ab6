"""Parse untrusted XML uploads (QRDA I files, zips of them) without trusting them.

Uploaded files come from other EHRs and from users; a hostile file could try XXE (an
external entity that reads a local file or calls a URL), entity expansion ("billion
laughs") or a zip bomb. CDA documents never need a DTD, so any DOCTYPE is refused before
lxml sees the bytes, and the parser itself is configured not to resolve entities, load
DTDs or touch the network as a second line of defence. Sizes, element counts, archive
members and compression ratios are capped; every refusal is an `UnsafeXmlError` whose
message can be shown to the user as is.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
import zlib
from dataclasses import dataclass

from lxml import etree

MAX_FILE_BYTES = 20 * 1024 * 1024  # one QRDA I file (a patient); real ones are < 2 MB
MAX_ELEMENTS = 200_000
MAX_ARCHIVE_MEMBERS = 5_000
MAX_ARCHIVE_TOTAL_BYTES = 500 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100  # XML compresses ~10-20x; bombs reach 1000x and more

_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_ZIP_MAGIC = b"PK\x03\x04"


class UnsafeXmlError(ValueError):
    """The upload was refused; the message says why (safe to show to the user)."""


@dataclass(frozen=True)
class UploadedXml:
    """One XML document taken from an upload (a plain file or a zip member). A member
    that cannot be read (damaged, unsupported compression, encrypted) comes back with
    empty `content` and the reason in `error`, so the archive's other files still import."""

    name: str
    content: bytes
    error: str = ""


# What zipfile raises for one damaged member: a bad CRC (BadZipFile), a compression
# method it does not implement (NotImplementedError), a corrupt deflate stream
# (zlib.error), a truncated member (EOFError), an encrypted one (RuntimeError).
_MEMBER_ERRORS = (zipfile.BadZipFile, NotImplementedError, zlib.error, EOFError, RuntimeError)


def _member_problem(exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, NotImplementedError) or "compression" in text.lower():
        return f"uses a compression method that cannot be read ({text}); re-create the zip"
    if "CRC" in text:
        return "is damaged (checksum mismatch); re-create the zip or upload the file on its own"
    return f"cannot be read ({type(exc).__name__}: {text}); re-create the zip"


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
        collect_ids=False,
    )


def _as_utf8(raw: bytes, name: str) -> bytes:
    """Re-encode UTF-16/32 input (BOM) as UTF-8 so the DOCTYPE check sees every byte."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError as exc:
                raise UnsafeXmlError(f"{name}: not valid {encoding.upper()} text") from exc
            # Drop the XML declaration, which would still claim UTF-16.
            text = re.sub(r"^\ufeff?<\?xml[^>]*\?>", "", text)
            return text.encode("utf-8")
    if raw[:4] in (b"\x00\x00\x00<", b"<\x00\x00\x00", b"\x00<\x00?", b"<\x00?\x00"):
        raise UnsafeXmlError(f"{name}: UTF-16/32 text without a byte-order mark is not accepted")
    return raw


def parse_xml(
    raw: bytes,
    *,
    name: str = "file",
    max_bytes: int = MAX_FILE_BYTES,
    max_elements: int = MAX_ELEMENTS,
) -> etree._ElementTree:
    """Parse one untrusted XML document and return its tree, or raise UnsafeXmlError."""
    if len(raw) > max_bytes:
        raise UnsafeXmlError(
            f"{name}: file is {len(raw):,} bytes; the limit is {max_bytes:,} bytes per file"
        )
    if not raw.strip():
        raise UnsafeXmlError(f"{name}: file is empty")
    raw = _as_utf8(raw, name)
    if _DOCTYPE.search(raw):
        raise UnsafeXmlError(
            f"{name}: a DOCTYPE or ENTITY declaration is not allowed in QRDA files "
            "(refused: external entities (XXE) and entity expansion are not processed)"
        )
    try:
        tree = etree.parse(io.BytesIO(raw), _parser())
    except etree.XMLSyntaxError as exc:
        raise UnsafeXmlError(f"{name}: not well-formed XML ({exc.msg})") from exc
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise UnsafeXmlError(f"{name}: a DOCTYPE declaration is not allowed in QRDA files")
    for count, _ in enumerate(tree.iter(), start=1):
        if count > max_elements:
            raise UnsafeXmlError(
                f"{name}: more than {max_elements:,} XML elements; the file is too large to import"
            )
    return tree


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, name: str) -> bytes:
    """Read a member in chunks, stopping at `limit` whatever the header claims."""
    out = bytearray()
    with archive.open(info) as stream:
        while chunk := stream.read(64 * 1024):
            out += chunk
            if len(out) > limit:
                raise UnsafeXmlError(
                    f"{name}: {info.filename} expands beyond {limit:,} bytes (possible zip bomb)"
                )
    return bytes(out)


def expand_upload(
    raw: bytes,
    *,
    name: str,
    max_file_bytes: int = MAX_FILE_BYTES,
    max_members: int = MAX_ARCHIVE_MEMBERS,
    max_total_bytes: int = MAX_ARCHIVE_TOTAL_BYTES,
    max_ratio: int = MAX_COMPRESSION_RATIO,
) -> list[UploadedXml]:
    """A plain file -> [itself]; a zip -> its .xml members (directories and macOS resource
    forks skipped). A member that cannot be read (encrypted, damaged, unsupported
    compression) is returned with its `error` and the others are kept. Nested archives, too
    many members, members larger than `max_file_bytes`, more than `max_total_bytes` in all,
    or a compression ratio above `max_ratio` refuse the whole archive with UnsafeXmlError."""
    if not raw.startswith(_ZIP_MAGIC):
        return [UploadedXml(name=name, content=raw)]
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnsafeXmlError(f"{name}: not a readable zip archive ({exc})") from exc
    if len(members) > max_members:
        raise UnsafeXmlError(
            f"{name}: the archive has {len(members):,} entries; the limit is {max_members:,}"
        )
    out: list[UploadedXml] = []
    total = 0
    with archive:
        for info in members:
            member = info.filename
            if info.is_dir() or member.startswith("__MACOSX/") or "/._" in f"/{member}":
                continue
            if member.lower().endswith((".zip", ".gz", ".tar", ".7z", ".rar")):
                raise UnsafeXmlError(f"{name}: nested archive {member} is not accepted")
            if info.file_size > max_file_bytes:
                raise UnsafeXmlError(
                    f"{name}: {member} is {info.file_size:,} bytes uncompressed; "
                    f"the limit is {max_file_bytes:,} bytes per file"
                )
            if info.compress_size and info.file_size / info.compress_size > max_ratio:
                raise UnsafeXmlError(
                    f"{name}: {member} is compressed more than {max_ratio}:1 (possible zip bomb)"
                )
            if not member.lower().endswith(".xml"):
                continue
            label = f"{name}/{member}"
            if info.flag_bits & 0x1:
                out.append(UploadedXml(label, b"", f"{label}: is encrypted; upload it unencrypted"))
                continue
            try:
                content = _read_member(archive, info, max_file_bytes, name)
            except _MEMBER_ERRORS as exc:
                out.append(UploadedXml(label, b"", f"{label}: {_member_problem(exc)}"))
                continue
            if len(content) > max_ratio * max(info.compress_size, 1) + 1024:
                raise UnsafeXmlError(
                    f"{name}: {member} expands far beyond its size (possible zip bomb)"
                )
            total += len(content)
            if total > max_total_bytes:
                raise UnsafeXmlError(
                    f"{name}: archive expands beyond {max_total_bytes:,} bytes (possible zip bomb)"
                )
            out.append(UploadedXml(name=label, content=content))
    if not out:
        raise UnsafeXmlError(f"{name}: the archive contains no .xml files")
    return out
