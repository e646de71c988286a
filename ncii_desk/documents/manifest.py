"""The hash manifest of an evidence packet, and its offline verification.

A packet is a folder (or a ZIP of that folder) whose files are all listed, with their SHA-256
and size, in ``manifest.json`` and ``manifest.csv`` at its top. The two manifests carry the
same list plus the facts a court needs to tie the packet to its source: the vault id, the
audit-chain head (sequence number and MAC) at build time, the tool version and the build time
in UTC. A manifest cannot list its own hash (writing the hash changes the file), so the two
manifest files at the top are not listed; the vault records the SHA-256 of ``manifest.json``
in its audit trail when the packet is built, which covers them. Nor are the two files made
after the manifests: ``manifest.sig``, the vault key's Ed25519 signature over both manifests
(``packet_seal``), and ``manifest.tst``, the optional RFC 3161 time stamp of manifest.json
(``timestamp``). Verification requires the signature: without it, someone who rewrote an
exhibit and then all three manifests to match could not be told from the original.

A sealed volume (``sealed/``) has its own ``sealed/manifest.csv`` with paths relative to
``sealed/``, so it can be verified on its own once it is filed separately; the main manifest
lists the sealed files and that CSV too.

Verification needs no vault and writes nothing: folders are read file by file and ZIP members
are hashed as they stream out of the archive, never extracted. ZIP entries are accepted
whatever tool made the archive: a Unix mode is only trusted for its file-type bits, so an
archive re-made on Windows (no mode, or permission bits only) still reads. Each failure
names the file and what is wrong with it. This module knows nothing of the vault; checking
the audit head against a vault's chain is done by the service that has one open.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ncii_desk import TOOL_NAME, __version__
from ncii_desk.documents import packet_seal, standalone
from ncii_desk.documents import timestamp as tsa
from ncii_desk.hardening import create_private_file

MANIFEST_JSON = "manifest.json"
MANIFEST_CSV = "manifest.csv"
MANIFEST_NAMES = (MANIFEST_JSON, MANIFEST_CSV)
#: Top-level files that no manifest lists (the manifests, the signature, the time stamp).
UNLISTED = standalone.UNLISTED
SEALED_DIR = "sealed"
FORMAT = "ncii-desk-packet-manifest/1"
CSV_COLUMNS = ("path", "sha256", "size")
SELF_NOTE = (
    "manifest.json and manifest.csv are not listed: a manifest cannot contain its own hash. "
    "The SHA-256 of manifest.json is recorded in the vault's audit trail (event packet.built). "
    "manifest.sig (the vault key's signature over both manifests) and manifest.tst (an "
    "optional RFC 3161 time stamp of manifest.json) are made after them."
)
_READ_BLOCK = 1024 * 1024
_HEX = frozenset("0123456789abcdef")


class ManifestUnreadable(ValueError):
    """A manifest file that cannot be parsed; the message says what is wrong, in words."""


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative, "/"-separated
    sha256: str
    size: int

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "size": self.size}


@dataclass(frozen=True)
class AuditHeadRef:
    seq: int
    mac: str


@dataclass
class Manifest:
    files: list[FileEntry]
    built_at: str  # ISO 8601 UTC, ending in Z
    tool: str  # "NCII Desk 0.1.0"
    vault_id: str | None = None
    case_id: str | None = None
    audit_head: AuditHeadRef | None = None
    volume: str = "packet"  # "packet" for the main manifest, "sealed" for sealed/manifest.csv
    info: dict[str, Any] = field(default_factory=dict)

    # --- writing ------------------------------------------------------------------------

    def to_json_bytes(self) -> bytes:
        doc: dict[str, Any] = {
            "format": FORMAT,
            "volume": self.volume,
            "tool": self.tool,
            "built_at_utc": self.built_at,
            "vault_id": self.vault_id,
            "case_id": self.case_id,
            "audit_head": None
            if self.audit_head is None
            else {"seq": self.audit_head.seq, "mac": self.audit_head.mac},
            "not_listed": list(UNLISTED),
            "note": SELF_NOTE,
            "info": self.info,
            "files": [f.as_dict() for f in self.files],
        }
        return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    def _meta_lines(self) -> list[tuple[str, str]]:
        head = self.audit_head
        return [
            ("format", FORMAT),
            ("volume", self.volume),
            ("tool", self.tool),
            ("built_at_utc", self.built_at),
            ("vault_id", self.vault_id or ""),
            ("case_id", self.case_id or ""),
            ("audit_head_seq", "" if head is None else str(head.seq)),
            ("audit_head_mac", "" if head is None else head.mac),
        ]

    def to_csv_bytes(self) -> bytes:
        out = io.StringIO(newline="")
        for key, value in self._meta_lines():
            out.write(f"# {key}: {value}\n")
        note = SELF_NOTE if self.volume == "packet" else "This file is not listed in itself."
        out.write(f"# {note}\n")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for f in self.files:
            writer.writerow([f.path, f.sha256, f.size])
        return out.getvalue().encode("utf-8")

    # --- reading ------------------------------------------------------------------------

    @classmethod
    def from_json_bytes(cls, data: bytes) -> Manifest:
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ManifestUnreadable(f"it is not valid JSON ({exc})") from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise ManifestUnreadable(f"it is not an NCII Desk packet manifest ({FORMAT})")
        raw_files = doc.get("files")
        if not isinstance(raw_files, list):
            raise ManifestUnreadable("it has no list of files")
        files = [_entry(f.get("path"), f.get("sha256"), f.get("size")) for f in raw_files]
        head = doc.get("audit_head")
        head_ref = None
        if isinstance(head, dict):
            head_ref = _head(head.get("seq"), head.get("mac"))
        return cls(
            files=files,
            built_at=str(doc.get("built_at_utc", "")),
            tool=str(doc.get("tool", "")),
            vault_id=doc.get("vault_id") or None,
            case_id=doc.get("case_id") or None,
            audit_head=head_ref,
            volume=str(doc.get("volume", "packet")),
            info=dict(info) if isinstance(info := doc.get("info"), dict) else {},
        )

    @classmethod
    def from_csv_bytes(cls, data: bytes) -> Manifest:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ManifestUnreadable("it is not UTF-8 text") from None
        meta: dict[str, str] = {}
        body: list[str] = []
        for line in text.splitlines():
            if line.startswith("#"):
                key, sep, value = line[1:].strip().partition(":")
                if sep:
                    meta[key.strip()] = value.strip()
            elif line.strip():
                body.append(line)
        if meta.get("format") != FORMAT:
            raise ManifestUnreadable(f"it is not an NCII Desk packet manifest ({FORMAT})")
        rows = list(csv.reader(body))
        if not rows or tuple(rows[0]) != CSV_COLUMNS:
            raise ManifestUnreadable("its header row is not 'path,sha256,size'")
        files = []
        for number, row in enumerate(rows[1:], start=2):
            if len(row) != 3:
                raise ManifestUnreadable(f"row {number} does not have three columns")
            files.append(_entry(row[0], row[1], row[2]))
        head_ref = None
        if meta.get("audit_head_seq"):
            head_ref = _head(meta.get("audit_head_seq"), meta.get("audit_head_mac"))
        return cls(
            files=files,
            built_at=meta.get("built_at_utc", ""),
            tool=meta.get("tool", ""),
            vault_id=meta.get("vault_id") or None,
            case_id=meta.get("case_id") or None,
            audit_head=head_ref,
            volume=meta.get("volume", "packet"),
        )


def _entry(path: object, sha256: object, size: object) -> FileEntry:
    if not isinstance(path, str) or not is_safe_relpath(path):
        raise ManifestUnreadable(f"it lists an unsafe or empty file path: {path!r}")
    digest = str(sha256).lower()
    if len(digest) != 64 or not set(digest) <= _HEX:
        raise ManifestUnreadable(f"the SHA-256 given for {path} is not 64 hex digits")
    try:
        n = int(str(size))
    except ValueError:
        raise ManifestUnreadable(f"the size given for {path} is not a number") from None
    if n < 0:
        raise ManifestUnreadable(f"the size given for {path} is negative")
    return FileEntry(path, digest, n)


def _head(seq: object, mac: object) -> AuditHeadRef:
    try:
        number = int(str(seq))
    except ValueError:
        raise ManifestUnreadable("its audit head sequence number is not a number") from None
    text = str(mac or "").lower()
    if len(text) != 64 or not set(text) <= _HEX:
        raise ManifestUnreadable("its audit head MAC is not 64 hex digits")
    return AuditHeadRef(number, text)


def is_safe_relpath(path: str) -> bool:
    """Relative, "/"-separated, no empty, "." or ".." parts, no backslash or drive letter."""
    if not path or "\\" in path or path.startswith("/") or "\x00" in path:
        return False
    parts = path.split("/")
    if any(p in ("", ".", "..") for p in parts):
        return False
    return ":" not in parts[0]


# --- hashing the files of a folder ------------------------------------------------------------


def hash_stream(fh: IO[bytes]) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    while block := fh.read(_READ_BLOCK):
        sha.update(block)
        size += len(block)
    return sha.hexdigest(), size


def hash_path(path: Path) -> tuple[str, int]:
    with open(path, "rb") as fh:
        return hash_stream(fh)


def entries_of_folder(root: Path, *, skip_top: Iterable[str] = MANIFEST_NAMES) -> list[FileEntry]:
    """Every plain file under ``root`` (sorted by path), except ``skip_top`` at the top.

    Used when building: the packet folder holds only files we wrote, so a link or special
    file here is a programming error and raises.
    """
    skipped = set(skip_top)
    out: list[FileEntry] = []
    for rel, full, kind in _walk_folder(root):
        if kind != "file":
            raise ValueError(f"{rel} in a packet being built is not a plain file")
        if rel in skipped:
            continue
        digest, size = hash_path(full)
        out.append(FileEntry(rel, digest, size))
    return sorted(out, key=lambda e: e.path)


def _walk_folder(root: Path) -> Iterator[tuple[str, Path, str]]:
    """(relative posix path, full path, "file" | "link" | "special") for everything but dirs."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        base = Path(dirpath)
        for name in list(dirnames):
            if (base / name).is_symlink():
                dirnames.remove(name)
                filenames.append(name)
        dirnames.sort()
        for name in sorted(filenames):
            full = base / name
            rel = full.relative_to(root).as_posix()
            mode = os.lstat(full).st_mode
            if stat.S_ISLNK(mode):
                yield rel, full, "link"
            elif stat.S_ISREG(mode):
                yield rel, full, "file"
            else:
                yield rel, full, "special"


def write_manifests(root: Path, manifest: Manifest) -> tuple[str, str]:
    """Write manifest.json and manifest.csv into ``root``; returns their SHA-256 (json, csv)."""
    data_json = manifest.to_json_bytes()
    data_csv = manifest.to_csv_bytes()
    _write_new(root / MANIFEST_JSON, data_json)
    _write_new(root / MANIFEST_CSV, data_csv)
    return hashlib.sha256(data_json).hexdigest(), hashlib.sha256(data_csv).hexdigest()


def write_csv_manifest(folder: Path, manifest: Manifest) -> str:
    """Write only ``manifest.csv`` (the sealed volume's); returns its SHA-256."""
    data = manifest.to_csv_bytes()
    _write_new(folder / MANIFEST_CSV, data)
    return hashlib.sha256(data).hexdigest()


def _write_new(path: Path, data: bytes) -> None:
    with create_private_file(path) as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


# --- verification -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    file: str
    problem: str

    def as_dict(self) -> dict[str, str]:
        return {"file": self.file, "problem": self.problem}


@dataclass
class VerifyReport:
    source: str  # "folder" or "zip"
    path: str
    files_checked: int = 0
    bytes_checked: int = 0
    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    manifest: Manifest | None = None
    manifest_sha256: str | None = None
    #: True once the audit head was compared with a vault (see services.packets).
    vault_checked: bool = False
    #: Fingerprint of the key that signed the manifests (set when the key could be read).
    signer: str | None = None
    signature_valid: bool = False
    #: The RFC 3161 time stamp's check, when the packet has one.
    timestamp: tsa.TimestampCheck | None = None

    @property
    def ok(self) -> bool:
        return not self.failures

    def fail(self, file: str, problem: str) -> None:
        self.failures.append(Failure(file, problem))

    def as_dict(self) -> dict[str, Any]:
        m = self.manifest
        return {
            "ok": self.ok,
            "source": self.source,
            "path": self.path,
            "files_checked": self.files_checked,
            "bytes_checked": self.bytes_checked,
            "manifest_sha256": self.manifest_sha256,
            "vault_id": None if m is None else m.vault_id,
            "built_at_utc": None if m is None else m.built_at,
            "tool": None if m is None else m.tool,
            "audit_head": None
            if m is None or m.audit_head is None
            else {"seq": m.audit_head.seq, "mac": m.audit_head.mac},
            "vault_checked": self.vault_checked,
            "signer_fingerprint": self.signer,
            "signature_valid": self.signature_valid,
            "timestamp": None if self.timestamp is None else self.timestamp.as_dict(),
            "failures": [f.as_dict() for f in self.failures],
            "notes": self.notes,
        }


@dataclass(frozen=True)
class _Member:
    """One file of a packet, whichever container it is in."""

    name: str  # path relative to the packet's top
    kind: str  # "file", "link", "special"
    open: Callable[[], IO[bytes]]


class _Source:
    """What verification reads: the members of a folder or of a ZIP, by relative path."""

    def __init__(self, kind: str, members: list[_Member], outside: list[str]) -> None:
        self.kind = kind
        self.members = members
        self.by_name = {m.name: m for m in members}
        self.outside = outside  # names that are not inside the packet's top folder

    def read(self, name: str) -> bytes | None:
        member = self.by_name.get(name)
        if member is None or member.kind != "file":
            return None
        with member.open() as fh:
            return fh.read()


def _opener(path: Path) -> Callable[[], IO[bytes]]:
    return lambda: open(path, "rb")  # the caller closes it


def _zip_opener(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[], IO[bytes]]:
    return lambda: zf.open(info)


def _folder_source(root: Path) -> _Source:
    members = [_Member(rel, kind, _opener(full)) for rel, full, kind in _walk_folder(root)]
    return _Source("folder", members, [])


def _zip_source(zf: zipfile.ZipFile, report: VerifyReport) -> _Source:
    entries = [
        (standalone.zip_entry_name(i), kind, i)
        for i in zf.infolist()
        if (kind := standalone.zip_entry_kind(i)) != "dir"
    ]
    names = [name for name, _, _ in entries]
    tops = {n.split("/", 1)[0] for n in names}
    prefix = ""
    if MANIFEST_JSON not in names and MANIFEST_CSV not in names:
        candidates = sorted(
            t for t in tops if f"{t}/{MANIFEST_JSON}" in names or f"{t}/{MANIFEST_CSV}" in names
        )
        if len(candidates) == 1:
            prefix = candidates[0] + "/"
    members: list[_Member] = []
    outside: list[str] = []
    seen: set[str] = set()
    for name, kind, info in entries:
        if not is_safe_relpath(name):
            report.fail(name, "unsafe path inside the ZIP (absolute or with '..')")
            continue
        if prefix and not name.startswith(prefix):
            outside.append(name)
            continue
        rel = name[len(prefix) :]
        if rel in seen:
            report.fail(rel, "appears more than once in the ZIP")
            continue
        seen.add(rel)
        members.append(_Member(rel, kind, _zip_opener(zf, info)))
    return _Source("zip", members, outside)


@dataclass(frozen=True)
class _Options:
    without_sealed: bool = False
    expect_key: str | None = None
    tsa_roots: list[Any] | None = None


def verify_packet(
    path: Path,
    *,
    without_sealed: bool = False,
    expect_key: str | None = None,
    tsa_roots: list[Any] | None = None,
) -> VerifyReport:
    """Check a packet folder or ZIP against its manifest; nothing is written anywhere.

    ``without_sealed``: the sealed volume was deliberately separated (filed under seal), so
    the absence of the whole ``sealed/`` folder is not a failure (it is noted). A packet with
    only part of the sealed folder still fails.

    The signature (manifest.sig) must be present and valid; ``expect_key`` (a fingerprint)
    also requires it to be made by that key. A time stamp (manifest.tst) is checked when
    present; ``tsa_roots`` (x509 certificates) are the roots its TSA must chain to.
    """
    options = _Options(without_sealed, expect_key, tsa_roots)
    path = path.expanduser()
    if path.is_dir():
        report = VerifyReport("folder", str(path))
        _verify_source(_folder_source(path), report, options)
        return report
    report = VerifyReport("zip", str(path))
    if not path.is_file():
        report.fail(path.name, "no packet folder or ZIP file exists at this path")
        return report
    try:
        with zipfile.ZipFile(path) as zf:
            _verify_source(_zip_source(zf, report), report, options)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        report.fail(path.name, f"cannot be read as a ZIP archive ({exc})")
    return report


def _load_manifest(source: _Source, report: VerifyReport) -> Manifest | None:
    data_json = source.read(MANIFEST_JSON)
    data_csv = source.read(MANIFEST_CSV)
    if data_json is None and data_csv is None:
        report.fail(MANIFEST_JSON, "missing: no manifest.json or manifest.csv at the top")
        return None
    manifest: Manifest | None = None
    if data_json is not None:
        report.manifest_sha256 = hashlib.sha256(data_json).hexdigest()
        try:
            manifest = Manifest.from_json_bytes(data_json)
        except ManifestUnreadable as exc:
            report.fail(MANIFEST_JSON, f"cannot be read: {exc}")
            return None
        if manifest.tool == f"{TOOL_NAME} {__version__}" and manifest.to_json_bytes() != data_json:
            report.fail(MANIFEST_JSON, "changed: its text is not as NCII Desk wrote it")
    if data_csv is not None:
        try:
            from_csv = Manifest.from_csv_bytes(data_csv)
        except ManifestUnreadable as exc:
            report.fail(MANIFEST_CSV, f"cannot be read: {exc}")
            return manifest
        if manifest is None:
            report.notes.append("Only manifest.csv was found; it was used.")
            return from_csv
        before = len(report.failures)
        _compare_manifests(manifest, from_csv, report)
        # Any other changed byte (a comment line, the note) is caught by writing the CSV
        # again from manifest.json, for packets of this very version (older ones may differ).
        same_tool = manifest.tool == f"{TOOL_NAME} {__version__}"
        if len(report.failures) == before and same_tool and manifest.to_csv_bytes() != data_csv:
            report.fail(MANIFEST_CSV, "changed: its text differs from what manifest.json lists")
    else:
        report.fail(MANIFEST_CSV, "missing: the packet should have it next to manifest.json")
    return manifest


def _compare_manifests(main: Manifest, other: Manifest, report: VerifyReport) -> None:
    a = {f.path: f for f in main.files}
    b = {f.path: f for f in other.files}
    for name in sorted(a.keys() | b.keys()):
        if a.get(name) != b.get(name):
            report.fail(MANIFEST_CSV, f"its entry for {name} differs from manifest.json")
    if (main.vault_id, main.audit_head, main.built_at) != (
        other.vault_id,
        other.audit_head,
        other.built_at,
    ):
        report.fail(MANIFEST_CSV, "its vault id, audit head or build time differ from JSON")


def _verify_source(source: _Source, report: VerifyReport, options: _Options) -> None:
    for name in source.outside:
        report.fail(name, "extra: outside the packet folder in the ZIP")
    manifest = _load_manifest(source, report)
    if manifest is None:
        return
    report.manifest = manifest
    listed = {f.path: f for f in manifest.files}
    sealed_listed = [p for p in listed if p.startswith(SEALED_DIR + "/")]
    sealed_absent = bool(sealed_listed) and not any(
        m.name.startswith(SEALED_DIR + "/") for m in source.members
    )
    skip_sealed = options.without_sealed and sealed_absent
    if skip_sealed:
        report.notes.append(
            f"The sealed volume is not part of this copy; its {len(sealed_listed)} file(s) "
            "were not checked (verify it separately)."
        )
    for member in source.members:
        if member.name in UNLISTED:
            continue
        entry = listed.get(member.name)
        if entry is None:
            report.fail(member.name, "extra: not listed in the manifest")
            continue
        if member.kind != "file":
            report.fail(member.name, f"is a {'link' if member.kind == 'link' else 'special file'}")
            continue
        _check_member(member, entry, report)
    for name in sorted(listed):
        if name in source.by_name or (skip_sealed and name in sealed_listed):
            continue
        report.fail(name, "missing: listed in the manifest but not in the packet")
    if not skip_sealed and sealed_listed and f"{SEALED_DIR}/{MANIFEST_CSV}" in source.by_name:
        _check_sealed_manifest(source, listed, report)
    if manifest.volume == SEALED_DIR:
        report.notes.append(
            "This is a sealed volume on its own: it carries no signature. Its manifest.csv "
            f"(SHA-256 {hashlib.sha256(source.read(MANIFEST_CSV) or b'').hexdigest()}) is "
            "listed with its digest in the main packet's signed manifest.json; compare them."
        )
        return
    digests = {}
    for name in standalone.SIGNED_FILES:
        data = source.read(name)
        if data is not None:
            digests[name] = hashlib.sha256(data).hexdigest()
    _check_signature(source, manifest, digests, report, options.expect_key)
    _check_timestamp(source, digests.get(MANIFEST_JSON), report, options.tsa_roots)


def _check_signature(
    source: _Source,
    manifest: Manifest,
    digests: dict[str, str],
    report: VerifyReport,
    expect_key: str | None,
) -> None:
    name = packet_seal.SIGNATURE_FILE
    data = source.read(name)
    if data is None:
        report.fail(
            name,
            "missing: the packet is not signed, so a consistent rewrite of its files and "
            "manifests could not be told from the original (only --with-vault can vouch for it)",
        )
        return
    if len(digests) != len(standalone.SIGNED_FILES):
        report.fail(name, "cannot be checked: a manifest it signs is missing")
        return
    check = packet_seal.check_signature(data, digests)
    report.signer = check.fingerprint or None
    if not check.ok:
        report.fail(name, check.problem)
        return
    recorded = manifest.info.get("signing_key")
    if recorded and packet_seal.normal_fingerprint(str(recorded)) != check.fingerprint:
        report.fail(name, f"signed by key {check.fingerprint}, not the key manifest.json names")
        return
    if expect_key and packet_seal.normal_fingerprint(expect_key) != check.fingerprint:
        wanted = packet_seal.normal_fingerprint(expect_key)
        report.fail(name, f"signed by a different key: {check.fingerprint} (expected {wanted})")
        return
    report.signature_valid = True


def _check_timestamp(
    source: _Source, manifest_sha256: str | None, report: VerifyReport, roots: list[Any] | None
) -> None:
    name = packet_seal.TIMESTAMP_FILE
    data = source.read(name)
    if data is None:
        return
    if manifest_sha256 is None:
        report.fail(name, "cannot be checked: manifest.json is missing")
        return
    check = tsa.check_token(data, bytes.fromhex(manifest_sha256), roots=roots)
    report.timestamp = check
    for problem in check.problems:
        report.fail(name, problem)


def _check_member(member: _Member, entry: FileEntry, report: VerifyReport) -> None:
    try:
        with member.open() as fh:
            digest, size = hash_stream(fh)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        report.fail(member.name, f"cannot be read ({exc})")
        return
    report.files_checked += 1
    report.bytes_checked += size
    if size != entry.size:
        report.fail(
            member.name,
            f"changed: {size:,} bytes, the manifest says {entry.size:,} (SHA-256 {digest})",
        )
    elif digest != entry.sha256:
        report.fail(member.name, f"changed: SHA-256 is {digest}, the manifest says {entry.sha256}")


def _check_sealed_manifest(
    source: _Source, listed: dict[str, FileEntry], report: VerifyReport
) -> None:
    """sealed/manifest.csv must list exactly the sealed files, with the same hashes."""
    name = f"{SEALED_DIR}/{MANIFEST_CSV}"
    data = source.read(name)
    if data is None:
        return
    try:
        sealed = Manifest.from_csv_bytes(data)
    except ManifestUnreadable as exc:
        report.fail(name, f"cannot be read: {exc}")
        return
    inner = {f"{SEALED_DIR}/{f.path}": f for f in sealed.files}
    expected = {p: f for p, f in listed.items() if p.startswith(SEALED_DIR + "/") and p != name}
    for path in sorted(inner.keys() | expected.keys()):
        a, b = inner.get(path), expected.get(path)
        if a is None or b is None or (a.sha256, a.size) != (b.sha256, b.size):
            report.fail(name, f"its entry for {path} does not agree with the main manifest")
