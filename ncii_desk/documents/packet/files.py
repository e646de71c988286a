"""The packet's files: sealed names, the ZIP, and the README."""

from __future__ import annotations

import mimetypes
import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from ncii_desk.documents.common import property_text
from ncii_desk.documents.packet.records import PacketData
from ncii_desk.hardening import create_private_file

# --- files of the packet --------------------------------------------------------------------------


def extension_for(mime: str) -> str:
    special = {"image/jpeg": ".jpg", "image/heic": ".heic", "image/heif": ".heif"}
    if mime in special:
        return special[mime]
    return mimetypes.guess_extension(mime, strict=False) or ".bin"


def sealed_name(number: int, sha256: str, mime: str) -> str:
    """File name in sealed/: our own words only (never the name the file came with)."""
    return f"exhibit-{number:03d}-{sha256[:12]}{extension_for(mime)}"


def write_zip(folder: Path, zip_path: Path, top: str) -> None:
    """ZIP every file of ``folder`` under the top folder name ``top`` (stored paths use "/")."""
    with (
        create_private_file(zip_path) as out,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf,
    ):
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            for name in sorted(filenames):
                full = Path(dirpath) / name
                rel = full.relative_to(folder).as_posix()
                info = zipfile.ZipInfo(f"{top}/{rel}", date_time=_zip_time(full))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o100600 << 16  # owner-only once unpacked too
                with open(full, "rb") as src, zf.open(info, "w") as dst:
                    while block := src.read(1024 * 1024):
                        dst.write(block)
    with open(zip_path, "rb+") as fh:
        os.fsync(fh.fileno())


def _zip_time(path: Path) -> tuple[int, int, int, int, int, int]:
    moment = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return (
        max(moment.year, 1980),
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
    )


def readme_text(
    data: PacketData,
    *,
    sealed_files: int,
    sealed_refused: str | None,
    signed: bool,
) -> str:
    """README.txt of the packet: what is where, and how to check it without NCII Desk."""
    lines = [
        "NCII Desk evidence packet",
        "=========================",
        "",
        "Draft prepared with NCII Desk - not legal advice. An advocate or attorney must review",
        "everything before it is filed or sent.",
        "",
        f"Client (pseudonym): {property_text(data.pseudonym, 300)}",
        f"Built (UTC):        {data.built_at_text}",
        f"Built with:         {data.tool}",
        f"Exhibits:           {len(data.exhibits)}",
        f"Vault id:           {data.vault_id}",
    ]
    if data.audit_head is not None:
        lines += [
            f"Audit-chain head:   event {data.audit_head.seq}",
            f"                    MAC {data.audit_head.mac}",
        ]
    lines += [
        "",
        "What is in this folder",
        "----------------------",
        "packet.pdf      The public volume: cover with a pseudonymous caption, case summary,",
        "                elements index for 15 U.S.C. 6851, exhibit list, one page per exhibit",
        "                (capture record, hashes, matches, findings, chain of custody),",
        "                removal-request history, rechecks, and a draft certification under",
        "                Federal Rules of Evidence 902(13)/(14). It shows no intimate imagery:",
        "                at most a heavily blurred or face-only thumbnail.",
    ]
    if signed:
        lines.append("                It carries the clinic's digital signature.")
    lines += [
        "README.txt      This file.",
        "manifest.csv    Every file of the packet with its SHA-256 digest and size, plus the",
        "manifest.json   vault id, audit-chain head, tool version and build time. The two",
        "                manifests do not list themselves (a file cannot contain its own",
        "                digest); the vault's audit trail records the SHA-256 of manifest.json",
        "                (event packet.built).",
        "manifest.sig    The vault's Ed25519 signature over manifest.json and manifest.csv.",
        f"                Signing key fingerprint: {data.signing_fingerprint}",
        "                Compare it with the fingerprint the clinic publishes.",
        "SIGNING-KEY.txt The signing key's public half and fingerprint.",
        "verify_packet.py A checker that needs only Python 3.9 or newer (see below).",
    ]
    if data.timestamp_tsa:
        lines += [
            "manifest.tst    RFC 3161 time stamp of manifest.json from the time-stamp",
            f"                authority at {data.timestamp_tsa}.",
        ]
    if sealed_files:
        lines += [
            "sealed/         SEALED VOLUME - MUST BE FILED UNDER SEAL. The original evidence",
            f"                files ({sealed_files}), exactly as stored in the vault, named by",
            "                exhibit number, with their own sealed/manifest.csv. Keep this folder",
            "                apart from the public volume; never post, email or share it openly.",
            "                Beside each capture's WARC file (exhibit-NNN-capture.warc) is the",
            "                screenshot of the page drawn from that WARC, where one was made",
            "                (exhibit-NNN-capture-screenshot.png; its SHA-256 is on the exhibit",
            "                page).",
        ]
    elif sealed_refused:
        lines += ["", f"No sealed volume: {sealed_refused}"]
    lines += [
        "",
        "How to check the packet (offline)",
        "---------------------------------",
        "1. With NCII Desk:",
        '       ncii-desk verify "PACKET_FOLDER"        (or the .zip file)',
        "   It lists every file that changed, is missing or is not in the manifest. On the",
        "   computer with the case vault, add --with-vault to confirm that the audit-chain",
        "   head above is part of the vault's chain and that the vault recorded this packet.",
    ]
    if sealed_files:
        lines += [
            "   When the sealed volume has been separated, check the public part with",
            '       ncii-desk verify "PACKET_FOLDER" --without-sealed',
            '   and the sealed volume on its own with  ncii-desk verify "PACKET_FOLDER/sealed"',
        ]
    lines += [
        "",
        "2. With Python 3.9 or newer only (nothing to install, writes nothing):",
        '       python3 verify_packet.py "PACKET_FOLDER"     (or the .zip file)',
        "   It checks every digest, missing and extra files, the signature and the time",
        "   stamp's digest, and prints the signing key's fingerprint. Add",
        "   --expect-key FINGERPRINT to fail on any other key.",
        "",
        "3. By hand: compute the SHA-256 of each file and compare it with manifest.csv.",
        "   Linux (in the packet folder):",
        "       grep -v '^#' manifest.csv | awk -F, 'NR>1 {print $2\"  \"$1}' | sha256sum -c",
        "   macOS: the same line with  shasum -a 256 -c  instead of  sha256sum -c",
        "   Windows (PowerShell), one file at a time:",
        "       Get-FileHash -Algorithm SHA256 packet.pdf",
        "   Every line must say OK (or the digest must equal the one in manifest.csv), and the",
        "   folder must hold no file that the manifest does not list.",
        "",
        "A matching digest shows that a file has not changed since it was taken in or",
        "exported. It does not show who made a picture or whether its content is real.",
        "",
    ]
    return "\n".join(lines)
