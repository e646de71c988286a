"""A request's documents: stored in the vault as ONE encrypted blob
(``document_blob_id``), a ZIP holding ``<name>.pdf`` and the editable ``<name>.docx`` with the
same content, so both always travel together; read back, shown for reading, or exported.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ncii_desk.documents.forms import load_forms
from ncii_desk.documents.letters import Letter
from ncii_desk.errors import ExportError, NciiDeskError
from ncii_desk.hardening import make_private_dir
from ncii_desk.services import access
from ncii_desk.services.requests.records import RequestStateError, _change, find_request
from ncii_desk.vault.atomic import atomic_write_bytes
from ncii_desk.vault.models import Blob
from ncii_desk.vault.store import CaseStore


def _package(letter: Letter) -> bytes:
    """The ZIP stored as the request's document blob: PDF and DOCX of the same letter."""
    buffer = io.BytesIO()
    stamp = letter.created.astimezone(UTC).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for suffix, data in ((".pdf", letter.pdf()), (".docx", letter.docx())):
            info = zipfile.ZipInfo(letter.filename + suffix, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def _hashes(package: bytes) -> dict[str, str]:
    """File name -> SHA-256 of each document in a request's stored ZIP."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return {n: hashlib.sha256(archive.read(n)).hexdigest() for n in archive.namelist()}


def request_documents(vault: CaseStore, ref: str) -> dict[str, bytes]:
    """The stored documents of a request: file name -> bytes (PDF and DOCX)."""
    with vault.session() as s:
        row = find_request(s, ref)
        access.require(vault, row.case_id, access.Action.CASE_READ)
        blob = s.get(Blob, row.document_blob_id) if row.document_blob_id else None
        if blob is None:
            raise RequestStateError("This request has no stored documents.")
        data = vault.read_blob(blob)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@dataclass(frozen=True)
class LetterReading:
    """A request's letter for reading in the app: the PDF's bytes (kept in memory, never
    written), its text (from the DOCX, for screens that cannot draw PDF pages), and what a
    mail client needs (the platform's e-mail address for this kind of request, if it has
    one, and a subject)."""

    pdf_name: str
    pdf: bytes
    text: str
    email: str
    subject: str


def _docx_text(data: bytes) -> str:
    """The paragraphs of a DOCX we made, as plain text."""
    from xml.etree import ElementTree

    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = ElementTree.fromstring(archive.read("word/document.xml"))
    lines = []
    for paragraph in root.iter(f"{ns}p"):
        lines.append("".join(t.text or "" for t in paragraph.iter(f"{ns}t")))
    return "\n".join(lines).strip()


def letter_for_reading(vault: CaseStore, ref: str) -> LetterReading:
    """The letter of a request, to read before and after it is sent."""
    documents = request_documents(vault, ref)
    pdf_name = next((n for n in documents if n.endswith(".pdf")), "")
    docx_name = next((n for n in documents if n.endswith(".docx")), "")
    with vault.session() as s:
        row = find_request(s, ref)
        platform, route, request_id = row.platform, row.route, row.id
    email = ""
    try:
        channels = load_forms().platform(platform).channels_for(route)
        email = next((c.email for c in channels if c.email), "")
    except NciiDeskError:
        pass  # a platform no longer listed: no address to offer
    return LetterReading(
        pdf_name=pdf_name,
        pdf=documents.get(pdf_name, b""),
        text=_docx_text(documents[docx_name]) if docx_name else "",
        email=email,
        subject=f"Removal request {request_id[:12]}",
    )


def export_documents(
    vault: CaseStore,
    ref: str,
    out_dir: Path,
    *,
    formats: Sequence[str] = ("pdf", "docx"),
    overwrite: bool = False,
    now: datetime | None = None,
) -> list[Path]:
    """Write a request's PDF and/or DOCX into ``out_dir`` (recorded in the audit trail)."""
    with vault.session() as s:
        access.require(vault, find_request(s, ref).case_id, access.Action.CASE_EXPORT)
    documents = {
        name: data
        for name, data in request_documents(vault, ref).items()
        if name.rsplit(".", 1)[-1] in formats
    }
    written = write_files(out_dir, documents, overwrite=overwrite)
    _change(
        vault,
        ref,
        "exported",
        lambda _row: {"files": sorted(documents)},
        now or datetime.now(UTC),
    )
    return written


def write_files(out_dir: Path, files: dict[str, bytes], *, overwrite: bool = False) -> list[Path]:
    """Write documents into a folder: nothing is written if any target exists (unless told).

    Files are owner-only (0600), as are the folders created for them (0700)."""
    make_private_dir(out_dir, parents=True)
    targets = {out_dir / name: data for name, data in files.items()}
    clashes = [p.name for p in targets if p.exists()]
    if clashes and not overwrite:
        raise ExportError(
            f"{len(clashes)} file(s) already exist in the folder, for example {clashes[0]}.",
            "Choose another folder, or add --overwrite.",
        )
    for path, data in targets.items():
        atomic_write_bytes(path, data)
    return list(targets)
