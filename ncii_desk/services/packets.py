"""Building the civil-claim evidence packet of a case, verifying a packet, PDF signing setup.

``build_packet`` puts the packet together in a hidden staging folder beside the target and
moves it into place only when everything is written, so a failed or cancelled build leaves no
half packet (the staging folder is removed). Order of work:

1. every exhibit's stored copy is read back and authenticated (thumbnails are made from those
   bytes, in memory); with ``sealed`` the originals are exported through the vault's verifying
   export path into ``sealed/`` and each export is an ``item.exported`` audit event;
2. the case is gathered (so the chain of custody includes those exports) together with the
   audit-chain head, which the PDF, the README and the manifests all state;
3. packet.pdf (signed when a clinic certificate is configured), README.txt, SIGNING-KEY.txt
   and the stand-alone verifier verify_packet.py, the sealed volume's own manifest, then
   manifest.csv / manifest.json over every file;
4. manifest.sig, the vault's Ed25519 signature over both manifests (always), and with
   ``timestamp`` manifest.tst, an RFC 3161 time stamp of manifest.json from the configured
   time-stamp authority. A TSA that cannot be reached or refuses fails the build with a
   TimestampError and leaves no packet: the user asked for a stamp, so a packet quietly
   without one is not what they would send;
5. the optional ZIP, then the audit event ``packet.built`` with the SHA-256 of manifest.json.

Suspected-minor cases never get thumbnails or a sealed volume, whatever was asked; the result
says so in ``warnings``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from ncii_desk import TOOL_NAME, __version__
from ncii_desk.documents import manifest as mf
from ncii_desk.documents import packet as pk
from ncii_desk.documents import packet_seal, signing
from ncii_desk.documents import timestamp as tsa
from ncii_desk.documents.clock import clock_source
from ncii_desk.documents.forms import load_forms
from ncii_desk.documents.packet_pdf import render
from ncii_desk.documents.thumbs import NoThumbnail, Thumbnail, make_thumbnail
from ncii_desk.documents.thumbs import ThumbMode as ThumbMode  # callers pick the mode
from ncii_desk.errors import ExportError, InvalidSetting, SigningError, TimestampError
from ncii_desk.hardening import create_private_file, make_private_dir
from ncii_desk.services import access
from ncii_desk.services.cases import find_case
from ncii_desk.services.jobs import Job
from ncii_desk.services.settings import check_tsa_url, request_settings_in, tsa_url
from ncii_desk.vault.atomic import fsync_dir
from ncii_desk.vault.models import AuditEvent, Blob, Capture, Setting
from ncii_desk.vault.store import CaseStore

PDF_NAME = "packet.pdf"
README_NAME = "README.txt"
SIGNING_SETTING = "packet.signing"
BUILT_ACTION = "packet.built"
MINOR_REFUSAL = (
    "the case is marked as possibly involving a person under 18, so the packet never holds "
    "images: no thumbnails and no sealed volume. Report to NCMEC (CyberTipline, Take It "
    "Down) with the hashes and addresses instead."
)


@dataclass
class PacketResult:
    folder: Path
    zip_path: Path | None
    manifest_sha256: str
    pdf_pages: int
    pdf_bytes: int
    exhibits: int
    sealed_files: int
    signed_by: str
    audit_head: tuple[int, str] | None
    warnings: list[str] = field(default_factory=list)
    #: Fingerprint of the vault key that signed manifest.sig.
    signing_key: str = ""
    #: The time stamp's check when one was obtained (time, TSA name).
    timestamp: tsa.TimestampCheck | None = None
    #: Advocate notes ticked into the public volume ("case" and item ids); none by default.
    notes_included: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "zip": None if self.zip_path is None else str(self.zip_path),
            "manifest_sha256": self.manifest_sha256,
            "pdf_pages": self.pdf_pages,
            "pdf_bytes": self.pdf_bytes,
            "exhibits": self.exhibits,
            "sealed_files": self.sealed_files,
            "signed_by": self.signed_by or None,
            "audit_head": None
            if self.audit_head is None
            else {"seq": self.audit_head[0], "mac": self.audit_head[1]},
            "warnings": self.warnings,
            "signing_key": self.signing_key,
            "timestamp": None if self.timestamp is None else self.timestamp.as_dict(),
            "notes_included": self.notes_included,
        }


def _check_target(out: Path, zip_path: Path | None) -> None:
    if not out.parent.is_dir():
        raise ExportError(
            f"The folder {out.parent} does not exist.",
            "Create it first, or give a packet folder inside an existing folder.",
        )
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportError(
            f"{out} already exists and is not an empty folder; a packet is always built in a "
            "fresh folder.",
            "Give the name of a new folder (it is created), or empty this one first.",
        )
    if zip_path is not None and zip_path.exists():
        raise ExportError(
            f"{zip_path} already exists; the packet's ZIP will not overwrite it.",
            "Give a different packet folder name, or move the old ZIP away.",
        )


def _write_new(path: Path, data: bytes) -> None:
    with create_private_file(path) as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _signer(vault: CaseStore) -> tuple[Any, dict[str, Any]] | None:
    """The configured clinic signer and its setting, or None when signing is not set up."""
    with vault.session() as s:
        setting = s.get(Setting, SIGNING_SETTING)
        if setting is None or not setting.value.get("pkcs12_blob_id"):
            return None
        value = dict(setting.value)
        blob = s.get(Blob, value["pkcs12_blob_id"])
    if blob is None:
        raise SigningError("The clinic certificate for signing packets is missing from the vault.")
    signer = signing.load_signer(vault.read_blob(blob), value.get("passphrase"))
    return signer, value


def signing_key(vault: CaseStore) -> Ed25519PrivateKey:
    """The vault's packet-signing key (Ed25519), derived from its secret keys when needed."""
    return packet_seal.derive_key(vault.export_key, vault.vault_id)


def signing_key_info(vault: CaseStore) -> packet_seal.PublicKeyInfo:
    """The public key and fingerprint the clinic publishes so recipients can check packets."""
    return packet_seal.public_info(signing_key(vault))


@dataclass(frozen=True)
class NoteView:
    """An advocate note that could be ticked into the packet's public volume."""

    id: str  # "case" for the case's own note, else the item's id
    kind: str  # "case" or "item"
    label: str  # how to name it: "Case note" or the item's label / file name
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "label": self.label, "text": self.text}


def case_notes(vault: CaseStore, case_ref: str) -> list[NoteView]:
    """The advocate notes of a case (its own and its items'), each of which stays out of
    the packet unless ticked in (``build_packet(include_notes=...)``)."""
    with vault.session() as s:
        case = find_case(s, case_ref)
        found = [NoteView(pk.CASE_NOTE, "case", "Case note", case.notes)] if case.notes else []
        for item in pk.exhibit_order(s, case.id):
            if item.notes.strip():
                label = item.label or item.original_filename or f"item {item.id[:12]}"
                found.append(NoteView(item.id, "item", label, item.notes))
    return [n for n in found if n.text.strip()]


def _resolve_notes(vault: CaseStore, case_id: str, refs: Sequence[str]) -> list[str]:
    """The note ids that ``refs`` ("case", item ids or id prefixes) name; each must be a
    note of this case that exists in the packet."""
    notes = case_notes(vault, case_id)
    chosen: list[str] = []
    for ref in refs:
        wanted = ref.strip().lower()
        hits = [
            n for n in notes if n.id == wanted or (len(wanted) >= 6 and n.id.startswith(wanted))
        ]
        if len(hits) != 1:
            known = ", ".join(n.id if n.kind == "case" else n.id[:12] for n in notes) or "none"
            raise InvalidSetting(
                f"'{ref.strip()}' is not a note of this case's packet"
                + (" (more than one matches)." if hits else "."),
                f"Notes that can be included: {known}. Use 'case' for the case's own note, or "
                "an exhibit's item id.",
            )
        chosen.append(hits[0].id)
    return chosen


def build_packet(
    vault: CaseStore,
    case_ref: str,
    out_dir: Path,
    *,
    sealed: bool = False,
    make_zip: bool = False,
    thumbnails: ThumbMode = ThumbMode.BLUR,
    timestamp: bool = False,
    tsa_server: str | None = None,
    include_notes: Sequence[str] = (),
    job: Job | None = None,
) -> PacketResult:
    """Build the evidence packet of a case into the new folder ``out_dir`` (module docstring).

    ``timestamp``: ask the time-stamp authority ``tsa_server`` (default: the vault's setting) for an
    RFC 3161 stamp of the manifest; nothing is sent anywhere without it.

    Advocate notes (attorney work product) stay out of the public volume unless named one by
    one in ``include_notes`` ("case" for the case's note, item ids for an exhibit's note)."""
    access.require_case_ref(vault, case_ref, access.Action.CASE_EXPORT)
    job = job or Job()
    out = out_dir.expanduser().resolve()
    zip_path = out.with_name(out.name + ".zip") if make_zip else None
    _check_target(out, zip_path)
    tsa_address: str | None = None
    if timestamp:
        tsa_address = check_tsa_url(tsa_server) if tsa_server else tsa_url(vault)
        if tsa_address is None:
            raise InvalidSetting(
                "No time-stamp authority is set, so the packet cannot be time-stamped.",
                "Give one with --tsa URL, or store one with 'ncii-desk clinic tsa URL' "
                "(docs/documents.md names an example); or build without --timestamp.",
            )
    elif tsa_server:
        raise InvalidSetting(
            "A time-stamp authority was given without asking for a time stamp.",
            "Add --timestamp to have the packet time-stamped, or leave out --tsa.",
        )
    with vault.session() as s:
        case = find_case(s, case_ref)
        case_id, minor = case.id, case.suspected_minor
    notes = _resolve_notes(vault, case_id, include_notes)
    warnings: list[str] = []
    refused: str | None = None
    if minor:
        refused = MINOR_REFUSAL
        if sealed:
            warnings.append(f"No sealed volume was made: {MINOR_REFUSAL}")
        sealed = False
        thumbnails = ThumbMode.NONE
    signer = _signer(vault)

    staging = out.parent / f".{out.name}.building-{secrets.token_hex(4)}"
    make_private_dir(staging)  # becomes the packet folder: owner-only, like all inside it
    zip_tmp = None if zip_path is None else zip_path.with_name(f".{zip_path.name}.{staging.name}")
    try:
        result = _build_into(
            vault,
            case_id,
            staging,
            _Options(sealed, thumbnails, signer, refused, tsa_address),
            job,
            warnings,
            notes,
        )
        if zip_path is not None and zip_tmp is not None:
            job.progress(0, 1, "writing the ZIP")
            pk.write_zip(staging, zip_tmp, out.name)
        job.raise_if_cancelled()
        with vault.transaction() as s:
            vault.audit(
                s,
                BUILT_ACTION,
                case_id,
                {
                    "manifest_sha256": result.manifest_sha256,
                    "manifest_csv_sha256": result.csv_sha256,
                    "files": result.files,
                    "exhibits": result.exhibits,
                    "sealed_files": result.sealed_files,
                    "signed": bool(result.signed_by),
                    "signing_key": result.signing_key,
                    "timestamp": None
                    if result.timestamp is None
                    else {"time": result.timestamp.time_text, "tsa": result.timestamp.tsa_name},
                    "zip": zip_path is not None,
                    "notes_included": notes,
                    "audit_head_seq": None if result.head is None else result.head[0],
                },
            )
        if out.exists():
            out.rmdir()  # checked empty above; os.replace cannot replace a folder on Windows
        os.replace(staging, out)
        fsync_dir(out.parent)
        if zip_path is not None and zip_tmp is not None:
            os.replace(zip_tmp, zip_path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if zip_tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                zip_tmp.unlink()
        raise
    return PacketResult(
        folder=out,
        zip_path=zip_path,
        manifest_sha256=result.manifest_sha256,
        pdf_pages=result.pages,
        pdf_bytes=result.pdf_bytes,
        exhibits=result.exhibits,
        sealed_files=result.sealed_files,
        signed_by=result.signed_by,
        audit_head=result.head,
        warnings=warnings,
        signing_key=result.signing_key,
        timestamp=result.timestamp,
        notes_included=notes,
    )


@dataclass
class _Built:
    manifest_sha256: str
    csv_sha256: str
    files: int
    exhibits: int
    sealed_files: int
    pages: int
    pdf_bytes: int
    signed_by: str
    head: tuple[int, str] | None
    signing_key: str = ""
    timestamp: tsa.TimestampCheck | None = None


@dataclass(frozen=True)
class _Options:
    sealed: bool
    thumbnails: ThumbMode
    signer: tuple[Any, dict[str, Any]] | None
    refused: str | None
    tsa_url: str | None


@dataclass
class _Prepared:
    thumbs: dict[int, Thumbnail | NoThumbnail]
    stored: dict[int, str]
    sealed_files: dict[int, str]
    sealed_warcs: dict[int, str]
    sealed_screenshots: dict[int, str] = field(default_factory=dict)


def _prepare_exhibits(
    vault: CaseStore,
    case_id: str,
    staging: Path,
    sealed: bool,
    thumbnails: ThumbMode,
    job: Job,
) -> _Prepared:
    """Authenticate each stored copy, make thumbnails in memory, export the sealed files."""
    with vault.session() as s:
        items = pk.exhibit_order(s, case_id)
        rows = []
        for n, item in enumerate(items, start=1):
            blob = s.get(Blob, item.blob_id) if item.blob_id else None
            warc = shot = None
            if item.capture_id:
                cap = s.get(Capture, item.capture_id)
                if cap is not None and cap.warc_blob_id:
                    warc = s.get(Blob, cap.warc_blob_id)
                    shot_id = ((cap.details or {}).get("screenshot") or {}).get("blob_id")
                    shot = s.get(Blob, shot_id) if shot_id else None
            rows.append((n, item, blob, warc, shot))
    prepared = _Prepared({}, {}, {}, {})
    sealed_dir = staging / mf.SEALED_DIR
    exported: list[tuple[str, str, str]] = []  # (item id, sha256, file name)
    warcs_done: dict[str, str] = {}
    total = len(rows)
    shots_done: dict[str, str] = {}
    for done, (n, item, blob, warc, shot) in enumerate(rows, start=1):
        job.raise_if_cancelled()
        job.progress(done - 1, total, "reading exhibits")
        may_show = item.pixels_kept and not item.suspected_minor and blob is not None
        if blob is None:
            prepared.stored[n] = (
                "not kept: only its hashes and details were recorded (possible minor)"
                if not item.pixels_kept
                else "no stored copy"
            )
            prepared.thumbs[n] = NoThumbnail(
                "No picture: this item's file was deliberately not kept."
                if not item.pixels_kept
                else "No picture: there is no stored copy."
            )
            continue
        info = vault.blob_info(blob)
        if thumbnails != ThumbMode.NONE and may_show:
            data = vault.read_blob(blob)  # authenticated in full before it is returned
            prepared.thumbs[n] = make_thumbnail(data, item.mime, thumbnails)
            del data
        else:
            vault.blobs_of(blob).verify(blob.id, info)
            prepared.thumbs[n] = make_thumbnail(
                b"", item.mime, ThumbMode.NONE, pixels_kept=may_show
            )
        prepared.stored[n] = "read back at build; its SHA-256 matches the digest taken at intake"
        if sealed and may_show:
            make_private_dir(sealed_dir)
            name = pk.sealed_name(n, item.sha256, item.mime)
            vault.blobs_of(blob).export(blob.id, sealed_dir / name, info)
            prepared.sealed_files[n] = name
            exported.append((item.id, item.sha256, name))
            if warc is not None:
                if warc.id not in warcs_done:
                    warc_name = f"exhibit-{n:03d}-capture.warc"
                    if vault.read_blob(warc)[:2] == b"\x1f\x8b":
                        warc_name += ".gz"
                    warc_store = vault.blobs_of(warc)
                    warc_store.export(warc.id, sealed_dir / warc_name, vault.blob_info(warc))
                    warcs_done[warc.id] = warc_name
                prepared.sealed_warcs[n] = warcs_done[warc.id]
            if shot is not None:  # the page's screenshot, next to its WARC
                if shot.id not in shots_done:
                    shot_name = f"exhibit-{n:03d}-capture-screenshot.png"
                    shot_store = vault.blobs_of(shot)
                    shot_store.export(shot.id, sealed_dir / shot_name, vault.blob_info(shot))
                    shots_done[shot.id] = shot_name
                prepared.sealed_screenshots[n] = shots_done[shot.id]
    job.progress(total, total, "reading exhibits")
    if exported:
        with vault.transaction() as s:
            for item_id, sha256, name in exported:
                vault.audit(
                    s,
                    "item.exported",
                    item_id,
                    {
                        "sha256": sha256,
                        "file_name": f"{mf.SEALED_DIR}/{name}",
                        "reason": "sealed volume of an evidence packet",
                    },
                )
    return prepared


def _build_into(
    vault: CaseStore,
    case_id: str,
    staging: Path,
    options: _Options,
    job: Job,
    warnings: list[str],
    notes: Sequence[str] = (),
) -> _Built:
    sealed, thumbnails, signer = options.sealed, options.thumbnails, options.signer
    key = signing_key(vault)
    key_info = packet_seal.public_info(key)
    prepared = _prepare_exhibits(vault, case_id, staging, sealed, thumbnails, job)
    index = load_forms().elements
    built_at = datetime.now(UTC).replace(microsecond=0)
    with vault.session() as s:
        case = find_case(s, case_id)
        data = pk.gather(
            s,
            case,
            vault_id=vault.vault_id,
            operator=vault.actor,
            built_at=built_at,
            include_notes=notes,
            zone=request_settings_in(s).zone,
        )
    data.clock = clock_source()  # an RFC 3161 time is added with data.clock.with_rfc3161()
    for ex in data.exhibits:
        ex.stored_state = prepared.stored.get(ex.number, "-")
        ex.sealed_file = prepared.sealed_files.get(ex.number)
        ex.sealed_warc = prepared.sealed_warcs.get(ex.number)
        ex.sealed_screenshot = prepared.sealed_screenshots.get(ex.number)
    data.sealed = bool(prepared.sealed_files)
    if sealed and not prepared.sealed_files:
        warnings.append("No sealed volume was made: no exhibit of this case has a stored file.")
    if signer is not None:
        data.signed_by = signing.describe(signer[0]).subject
    data.signing_key = key_info.public_key_b64
    data.signing_fingerprint = key_info.fingerprint
    data.timestamp_tsa = options.tsa_url or ""
    job.progress(0, 1, "writing the PDF")
    shortened: list[str] = []
    pdf = render(data, index, prepared.thumbs, shortened)
    if signer is not None:
        settings = signer[1]
        pdf = signing.sign_pdf(
            pdf,
            signer[0],
            reason=str(settings.get("reason") or "Evidence packet prepared by the clinic"),
            location=str(settings.get("location") or ""),
            contact=str(settings.get("contact") or ""),
        )
    _write_new(staging / PDF_NAME, pdf)
    readme = pk.readme_text(
        data,
        sealed_files=len(prepared.sealed_files),
        sealed_refused=options.refused,
        signed=signer is not None,
    )
    _write_new(staging / README_NAME, readme.encode("utf-8"))
    _write_new(
        staging / packet_seal.KEY_FILE,
        packet_seal.key_text(key_info, vault.vault_id).encode("utf-8"),
    )
    _write_new(staging / packet_seal.VERIFIER_FILE, verifier_source())
    head = None if data.audit_head is None else (data.audit_head.seq, data.audit_head.mac)
    head_ref = None if head is None else mf.AuditHeadRef(*head)
    stamp = built_at.isoformat().replace("+00:00", "Z")
    tool = f"{TOOL_NAME} {__version__}"
    sealed_dir = staging / mf.SEALED_DIR
    if sealed_dir.is_dir():
        mf.write_csv_manifest(
            sealed_dir,
            mf.Manifest(
                files=mf.entries_of_folder(sealed_dir),
                built_at=stamp,
                tool=tool,
                vault_id=vault.vault_id,
                case_id=case_id,
                audit_head=head_ref,
                volume="sealed",
            ),
        )
        fsync_dir(sealed_dir)
    entries = mf.entries_of_folder(staging)
    manifest = mf.Manifest(
        files=entries,
        built_at=stamp,
        tool=tool,
        vault_id=vault.vault_id,
        case_id=case_id,
        audit_head=head_ref,
        info={
            "exhibits": len(data.exhibits),
            "sealed_files": len(prepared.sealed_files),
            "signed": signer is not None,
            "suspected_minor": data.suspected_minor,
            "signing_key": key_info.fingerprint,
            # Values too long for their place in packet.pdf, which shows them shortened.
            "full_values": [{"characters": len(v), "value": v} for v in shortened],
        },
    )
    json_sha, csv_sha = mf.write_manifests(staging, manifest)
    _write_new(
        staging / packet_seal.SIGNATURE_FILE,
        packet_seal.signature_bytes(key, {mf.MANIFEST_JSON: json_sha, mf.MANIFEST_CSV: csv_sha}),
    )
    stamp_check: tsa.TimestampCheck | None = None
    if options.tsa_url:
        job.progress(0, 1, "asking the time-stamp authority")
        digest = bytes.fromhex(json_sha)
        token = tsa.fetch_token(options.tsa_url, digest)
        stamp_check = tsa.check_token(token, digest)
        if not stamp_check.ok:
            raise TimestampError(
                f"The time stamp from {options.tsa_url} does not hold: "
                + "; ".join(stamp_check.problems)
                + ".",
                "Ask the authority's operator, use another authority (--tsa URL), or build "
                "without --timestamp.",
            )
        _write_new(staging / packet_seal.TIMESTAMP_FILE, token)
    fsync_dir(staging)
    return _Built(
        manifest_sha256=json_sha,
        csv_sha256=csv_sha,
        files=len(entries),
        exhibits=len(data.exhibits),
        sealed_files=len(prepared.sealed_files),
        pages=signing.page_count(pdf),
        pdf_bytes=len(pdf),
        signed_by=data.signed_by,
        head=head,
        signing_key=key_info.fingerprint,
        timestamp=stamp_check,
    )


def verifier_source() -> bytes:
    """The stand-alone verifier shipped in every packet (the source of documents.standalone)."""
    return (files("ncii_desk.documents") / "standalone.py").read_bytes()


# --- verification ---------------------------------------------------------------------------


def verify_packet(
    path: Path,
    *,
    vault: CaseStore | None = None,
    without_sealed: bool = False,
    expect_key: str | None = None,
    tsa_roots: Path | None = None,
) -> mf.VerifyReport:
    """Check a packet folder or ZIP against its manifest and signature (offline).

    ``expect_key``: the fingerprint the signature must be made with. ``tsa_roots``: a PEM
    file of trusted roots the time stamp's authority must chain to. With ``vault``, also its
    audit head, and the signature must be this vault's.
    """
    roots = None
    if tsa_roots is not None:
        try:
            roots = tsa.load_roots(tsa_roots.expanduser().read_bytes())
        except (OSError, ValueError) as exc:
            raise InvalidSetting(
                f"The trusted roots file {tsa_roots} cannot be read as certificates ({exc}).",
                "Give a PEM file of root certificates (the TSA's published root).",
            ) from None
    if expect_key is not None and len(packet_seal.normal_fingerprint(expect_key)) != 39:
        raise InvalidSetting(
            f"'{expect_key}' is not a key fingerprint.",
            "A fingerprint is 32 letters and digits in groups of four, as in SIGNING-KEY.txt.",
        )
    report = mf.verify_packet(
        path, without_sealed=without_sealed, expect_key=expect_key, tsa_roots=roots
    )
    if vault is not None:
        _check_against_vault(report, vault)
    return report


def _check_against_vault(report: mf.VerifyReport, vault: CaseStore) -> None:
    m = report.manifest
    if m is None:
        report.fail(mf.MANIFEST_JSON, "cannot be compared with the vault: no readable manifest")
        return
    report.vault_checked = True
    own = signing_key_info(vault).fingerprint
    if report.signer is not None and report.signer != own:
        report.fail(
            packet_seal.SIGNATURE_FILE,
            f"signed by a different key: {report.signer} (this vault's key is {own})",
        )
    if m.vault_id != vault.vault_id:
        report.fail(
            mf.MANIFEST_JSON,
            f"the packet comes from vault {m.vault_id}, not from this vault ({vault.vault_id})",
        )
        return
    with vault.session() as s:
        if m.audit_head is None:
            report.fail(mf.MANIFEST_JSON, "records no audit-chain head")
        else:
            event = s.get(AuditEvent, m.audit_head.seq)
            if event is None:
                report.fail(
                    mf.MANIFEST_JSON,
                    f"its audit-chain head (event {m.audit_head.seq}) is not in the vault: "
                    "events were removed or the vault was rolled back to an older copy",
                )
            elif event.mac != m.audit_head.mac:
                report.fail(
                    mf.MANIFEST_JSON,
                    f"the vault's audit event {m.audit_head.seq} has a different MAC than the "
                    "packet records: the vault's audit trail was rewritten",
                )
        recorded = False
        if report.manifest_sha256 is not None:
            for ev in s.scalars(select(AuditEvent).where(AuditEvent.action == BUILT_ACTION)):
                details = json.loads(ev.details)
                if details.get("manifest_sha256") == report.manifest_sha256:
                    recorded = True
                    break
        if report.manifest_sha256 is not None and not recorded:
            report.fail(
                mf.MANIFEST_JSON,
                "the vault has no record of building a packet with this manifest "
                f"(SHA-256 {report.manifest_sha256})",
            )
    chain = vault.verify_audit()
    for problem in chain.problems:
        where = "" if problem["seq"] is None else f" at event {problem['seq']}"
        report.fail("vault audit chain", f"{problem['problem']}{where}")


# --- signing setup --------------------------------------------------------------------------


def configure_signing(
    vault: CaseStore,
    pkcs12: bytes,
    passphrase: str | None,
    *,
    reason: str = "",
    location: str = "",
    contact: str = "",
) -> signing.SignerInfo:
    """Keep a clinic certificate (PKCS#12) in the vault; later packets are signed with it."""
    signer = signing.load_signer(pkcs12, passphrase)
    info = signing.describe(signer)
    blob = vault.case_blobs(None).put_bytes(pkcs12)  # the clinic's, of no case
    old_blob: str | None = None
    try:
        with vault.transaction() as s:
            vault.store_blob(s, blob)
            old = s.get(Setting, SIGNING_SETTING)
            value = {
                "pkcs12_blob_id": blob.blob_id,
                "passphrase": passphrase,
                "reason": reason,
                "location": location,
                "contact": contact,
                "signer": info.as_dict(),
            }
            if old is None:
                s.add(Setting(key=SIGNING_SETTING, value=value))
            else:
                old_blob = old.value.get("pkcs12_blob_id")
                old.value = value
                if old_blob:
                    row = s.get(Blob, old_blob)
                    if row is not None:
                        s.delete(row)
            vault.audit(
                s,
                "packet.signing_configured",
                None,
                {"subject": info.subject, "cert_sha256": info.cert_sha256},
            )
    except BaseException:
        vault.blobs.delete(blob.blob_id)
        raise
    if old_blob:
        vault.blobs.delete(old_blob)
    return info


def signing_status(vault: CaseStore) -> dict[str, Any] | None:
    with vault.session() as s:
        setting = s.get(Setting, SIGNING_SETTING)
        if setting is None or not setting.value.get("pkcs12_blob_id"):
            return None
        value = dict(setting.value)
    return {k: value.get(k) for k in ("signer", "reason", "location", "contact")}


def clear_signing(vault: CaseStore) -> bool:
    with vault.transaction() as s:
        setting = s.get(Setting, SIGNING_SETTING)
        if setting is None:
            return False
        blob_id = setting.value.get("pkcs12_blob_id")
        s.delete(setting)
        if blob_id:
            row = s.get(Blob, blob_id)
            if row is not None:
                s.delete(row)
        vault.audit(s, "packet.signing_cleared", None, {})
    if blob_id:
        vault.blobs.delete(blob_id)
    return True
