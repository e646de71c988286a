"""Taking files and folders into a case.

Files are stored in batches (:data:`BATCH_FILES` files or :data:`BATCH_BYTES` bytes): each
file's bytes go into the encrypted blob store first; then one file-system sync makes every
blob of the batch durable, and one database transaction records all its items (captures,
blob rows, items, audit events) and the audit head is written once. The rows of a batch go
in a fixed number of statements (:func:`_record_batch`: ids made here, one lookup of stored
blobs and one of earlier items with the same bytes, one executemany per table, the audit
events chained from one read of the newest); a batch holding hash-only files, or one whose
recording fails with a file's error, is recorded file by file, each in a savepoint.
Nothing is reported added before its batch has committed; a crash mid-batch leaves either the
whole batch or none of it in the database, and blobs written for a batch that did not commit
have no row, so opening the vault moves them to quarantine/. A file that fails is reported with
a specific reason and the batch goes on; a cancel stops between files and keeps the files
already read, so every item that was acknowledged is whole.

Suspected-minor mode: the bytes are read once, in memory, for hashes and type only. Nothing
of them is written anywhere (not the vault, not a temp file); the item records that its
pixels were deliberately not kept.

Each file also gets a Capture record (``details.kind == "file"``): its name and its path
inside the folder that was added, its size and filesystem times as found, and when, by whom
and with which tool version it was read. Where the advocate knows the web address a file was
found at (``found_at``, see services/found_at.py), it is checked before the file is read (a
bad address stops that file only, nothing of it is stored) and recorded in the item's
details, its Capture record and its ``item.added`` event. Web captures (services/capture/)
take bytes in through :func:`prepare_bytes` and :func:`record_item`, so both paths share the
same rules (same bytes stored once, duplicates linked, hash-only bytes never stored later).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Table, exists, select
from sqlalchemy.orm import Session

from ncii_desk import TOOL_NAME, __version__
from ncii_desk.clinic.hashseal import opened, probes
from ncii_desk.clinic.sealing import insert_rows, open_rows
from ncii_desk.errors import InputFileError, InvalidSetting, NciiDeskError
from ncii_desk.media.sniff import SNIFF_BYTES, media_kind, sniff_mime
from ncii_desk.media.walk import walk
from ncii_desk.services import access
from ncii_desk.services.cases import find_case
from ncii_desk.services.found_at import FoundAt
from ncii_desk.services.jobs import Job
from ncii_desk.services.views import ItemView, iso
from ncii_desk.vault.blobs import BlobInfo
from ncii_desk.vault.models import (
    Base,
    Blob,
    Capture,
    EvidenceItem,
    HashRecord,
    Role,
    Source,
    new_id,
    utcnow,
)
from ncii_desk.vault.store import BlobStore, CaseStore, blob_values, same_key_blobs

#: Item details key: items elsewhere switched to hashes only when this one was added hash-only.
COPIES_KEY = "copies_switched_to_hashes"
#: Largest single file taken in (a long phone video fits; a disk image does not).
MAX_ITEM_BYTES = 16 * 1024**3
READ_BLOCK = 1024 * 1024


@dataclass(frozen=True)
class IntakeError:
    path: str
    message: str
    hint: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message, "hint": self.hint}


@dataclass(frozen=True)
class AlreadyInCase:
    """A file whose bytes (SHA-256) an item of the same case and role already holds: it was
    not added again (``again=True`` adds it anyway)."""

    path: str
    item_id: str
    sha256: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "item_id": self.item_id, "sha256": self.sha256}


@dataclass
class IntakeResult:
    added: list[ItemView] = field(default_factory=list)
    errors: list[IntakeError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    cancelled: bool = False
    #: Files not added because the case already holds the same bytes in the same role.
    already_in_case: list[AlreadyInCase] = field(default_factory=list)
    #: (item id, source file) of each added item, for hashing right after intake; also of a
    #: hash-only item already in the case that has no hashes yet, when its file came again.
    sources: list[tuple[str, Path]] = field(default_factory=list)
    #: Files given a web address (``found_at``) that were not among the files taken in;
    #: None when no addresses were given.
    unused_addresses: list[str] | None = None
    #: Items already in the vault (this case or others) that held the same bytes as a file
    #: added hash-only, and were switched to hashes only with it.
    copies_switched: list[str] = field(default_factory=list)

    @property
    def duplicates(self) -> int:
        return sum(1 for item in self.added if item.duplicate_of is not None)

    def as_dict(self) -> dict[str, Any]:
        data = {
            "added": [i.as_dict() for i in self.added],
            "duplicates": self.duplicates,
            "errors": [e.as_dict() for e in self.errors],
            "skipped": self.skipped,
            "cancelled": self.cancelled,
            "already_in_case": [a.as_dict() for a in self.already_in_case],
        }
        if self.unused_addresses is not None:
            data["unused_addresses"] = self.unused_addresses
        if self.copies_switched:
            data[COPIES_KEY] = self.copies_switched
        return data


@dataclass(frozen=True)
class _Candidate:
    path: Path
    source: Source
    #: The file's name, or for a file found in a folder its path from that folder's name on.
    rel: str


def _walk(paths: Iterable[Path], result: IntakeResult) -> list[_Candidate]:
    """Files to take in, in order; what is skipped is listed in ``result.skipped``."""
    out: list[_Candidate] = []
    for given in paths:
        for path, in_folder in walk([given], lambda p: result.skipped.append(str(p))):
            if in_folder:
                rel = (Path(given.resolve().name) / path.relative_to(given)).as_posix()
                out.append(_Candidate(path, Source.FOLDER_SCAN, rel))
            else:
                out.append(_Candidate(path, Source.FILE, path.name))
    return out


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _birth_or_ctime(st: os.stat_result) -> float:
    return float(getattr(st, "st_birthtime", st.st_ctime))


class _Reader:
    """Reads a file once, feeding hashers; notices if the file changes while being read."""

    def __init__(self, fh: BinaryIO, hashers: tuple[Any, ...]) -> None:
        self._fh = fh
        self._hashers = hashers
        self.head = b""
        self.total = 0

    def read(self, size: int = -1) -> bytes:
        block = self._fh.read(size)
        if len(self.head) < SNIFF_BYTES:
            self.head += block[: SNIFF_BYTES - len(self.head)]
        for h in self._hashers:
            h.update(block)
        self.total += len(block)
        return block

    def drain(self) -> Iterator[bytes]:
        while block := self.read(READ_BLOCK):
            yield block


def _open_checked(path: Path) -> tuple[BinaryIO, os.stat_result]:
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputFileError(f"The file {path} does not exist.") from None
    except OSError as exc:
        raise InputFileError(f"The file {path} cannot be read: {exc.strerror}.") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputFileError(
            f"{path} is not a regular file.", "Add image or video files, or a folder of them."
        )
    if st.st_size == 0:
        raise InputFileError(f"The file {path} is empty (0 bytes).")
    if st.st_size > MAX_ITEM_BYTES:
        raise InputFileError(
            f"The file {path} is larger than {MAX_ITEM_BYTES // 1024**3} GiB.",
            "Split or compress it before adding it.",
        )
    try:
        fh = open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    except OSError as exc:
        raise InputFileError(f"The file {path} cannot be opened: {exc.strerror}.") from None
    return fh, st


def _ensure_unchanged(path: Path, before: os.stat_result, read: int) -> None:
    after = path.stat()
    if (
        read != before.st_size
        or after.st_size != before.st_size
        or (after.st_mtime_ns != before.st_mtime_ns)
    ):
        raise InputFileError(
            f"The file {path} changed while it was being read.",
            "Wait until it is fully copied or saved, then add it again.",
        )


class _KnownBytes:
    """The SHA-256 of the items of one case and role, to recognise a file already added.

    A file is read for its SHA-256 before it is stored only when an item of the same size is
    already there, so a new folder is still read once."""

    def __init__(self, vault: CaseStore, case_id: str, role: Role, *, hash_only: bool) -> None:
        query = (
            select(EvidenceItem.id, EvidenceItem.sha256, EvidenceItem.size)
            .where(EvidenceItem.case_id == case_id, EvidenceItem.role == role)
            .order_by(EvidenceItem.intake_at)
        )
        if hash_only:  # a stored copy does not make a hash-only record of the same bytes moot
            query = query.where(EvidenceItem.pixels_kept.is_(False))
        unhashed = select(EvidenceItem.id).where(
            EvidenceItem.case_id == case_id,
            EvidenceItem.role == role,
            EvidenceItem.pixels_kept.is_(False),
            ~exists().where(HashRecord.item_id == EvidenceItem.id),
        )
        with vault.session() as s:
            rows = s.execute(query).all()
            #: Hash-only items never hashed: their bytes exist nowhere else, so a file found
            #: to hold them is used to hash them (see :meth:`needs_hashing`).
            self._unhashed = set(s.scalars(unhashed))
            digests = [opened(s, "items", "sha256", r.sha256) for r in rows]
        self._ids: dict[str, str] = {}
        for r, sha256 in zip(rows, digests, strict=True):
            self._ids.setdefault(sha256, r.id)
        self._sizes = {r.size for r in rows}

    def needs_hashing(self, item_id: str) -> bool:
        """Once per item: whether this hash-only item still needs the file's hashes."""
        if item_id in self._unhashed:
            self._unhashed.discard(item_id)
            return True
        return False

    def find(self, path: Path) -> AlreadyInCase | None:
        try:
            st = path.stat()
            if not stat.S_ISREG(st.st_mode) or st.st_size not in self._sizes:
                return None
            sha256 = _prehash(path)
        except OSError:
            return None  # reported by the intake of the file itself
        item_id = self._ids.get(sha256)
        return None if item_id is None else AlreadyInCase(str(path), item_id, sha256)

    def learn(self, view: ItemView) -> None:
        self._ids.setdefault(view.sha256, view.id)
        self._sizes.add(view.size)


_KIND_WORDS = {
    "application/pdf": "a PDF document",
    "application/zip": "a ZIP archive (or an office document)",
    "text/html": "a web page",
    "audio/wav": "a sound file",
    "image/x-icon": "an icon",
}


def _check_media(path: Path) -> None:
    """Refuse a file whose content is not a picture or video, whatever its name says."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return  # a pipe or device is refused, unopened, by the intake of the file
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError:
        return  # reported by the intake of the file itself
    if not head:
        return  # an empty file has its own error
    mime = sniff_mime(head)
    if media_kind(mime) is not None:
        return
    what = _KIND_WORDS.get(mime)
    if what is None:
        text = head.replace(b"\r", b"").replace(b"\n", b"").replace(b"\t", b"")
        try:
            printable = text.decode("utf-8").isprintable()
        except UnicodeDecodeError:
            printable = False
        what = "text" if printable else "data of an unknown kind"
    raise InputFileError(
        f"{path} is not an image or video (its content is {what}); it was not added.",
        "Only pictures and videos are taken in as evidence. To keep this file with the case "
        "as a document, add it on its own: ncii-desk add ROLE CASE --as-document FILE",
    )


def add_items(
    vault: CaseStore,
    case_ref: str,
    role: Role,
    paths: Iterable[Path],
    *,
    suspected_minor: bool = False,
    job: Job | None = None,
    found_at: Mapping[Path, FoundAt] | None = None,
    again: bool = False,
    as_document: bool = False,
) -> IntakeResult:
    """Add files (and the files inside folders) to a case as items of ``role``.

    ``found_at`` maps a file's resolved path to where it was found online; its addresses
    are checked per file (a bad one is that file's error, and the file is not added).

    A file whose bytes an item of the same case and role already holds is listed in
    ``already_in_case`` and not added, unless ``again``. A file that is not a picture or
    video (by its content, never its name) is an error for that file, unless
    ``as_document``: then any file is stored as a document of the case (``details.document``)
    and is never hashed or matched (it is left out of ``sources``)."""
    job = job or Job()
    paths = [Path(p) for p in paths]
    if as_document and any(p.is_dir() for p in paths):
        raise InvalidSetting(
            "Documents are added one file at a time, not as folders.",
            "Name each document file; add folders of pictures and videos without --as-document.",
        )
    with vault.session() as s:
        case = find_case(s, case_ref)
        case_id, case_minor = case.id, case.suspected_minor
    access.require(vault, case_id, access.Action.ITEM_ADD)
    minor = suspected_minor or case_minor
    known = None if again else _KnownBytes(vault, case_id, role, hash_only=minor)
    hash_only = hash_only_digests(vault)
    result = IntakeResult()
    candidates = _walk(paths, result)
    found_at = found_at or {}
    if found_at:
        taken = {c.path.resolve() for c in candidates}
        result.unused_addresses = sorted(str(p) for p in found_at if p not in taken)
    total = len(candidates)
    job.progress(0, total, "adding files")
    batch = _Batch(vault, case_id, role, result, known, as_document)
    try:
        _take_in(vault, candidates, batch, job, known, minor, hash_only, found_at, as_document)
    except BaseException:
        batch.discard()  # an interrupt (not a file's error): no row names those blobs
        raise
    result.copies_switched = copies_switched(
        vault, [v.id for v in result.added if not v.pixels_kept]
    )
    return result


def _take_in(
    vault: CaseStore,
    candidates: list[_Candidate],
    batch: _Batch,
    job: Job,
    known: _KnownBytes | None,
    minor: bool,
    hash_only: set[str],
    found_at: Mapping[Path, FoundAt],
    as_document: bool,
) -> None:
    """Stage each file into ``batch`` and commit it whenever it is full, then the rest."""
    result = batch.result
    total = len(candidates)
    for done, cand in enumerate(candidates, 1):
        if job.cancelled:
            result.cancelled = True
            break
        try:
            already = known.find(cand.path) if known is not None else None
            if already is None and known is not None and batch.holds_size(cand.path):
                batch.commit()  # the same bytes may be waiting in this batch: record them first
                already = known.find(cand.path)
            if already is not None:
                result.already_in_case.append(already)
                if known is not None and known.needs_hashing(already.item_id):
                    result.sources.append((already.item_id, cand.path))
                job.progress(done, total, "adding files")
                continue
            if not as_document:
                _check_media(cand.path)
            where = found_at.get(cand.path.resolve()) if found_at else None
            extra = {"document": True} if as_document else None
            batch.add(_stage(batch.blobs(), cand, minor, hash_only, where, extra))
        except NciiDeskError as exc:
            result.errors.append(IntakeError(str(cand.path), exc.message, exc.hint))
        except OSError as exc:
            result.errors.append(
                IntakeError(
                    str(cand.path),
                    f"The file {cand.path} could not be read: {exc.strerror or exc}.",
                    InputFileError.default_hint,
                )
            )
        if batch.full():
            batch.commit()
        job.progress(done, total, "adding files")
    batch.commit()  # also after a cancel: the files already read are whole


def copies_switched(vault: CaseStore, item_ids: list[str]) -> list[str]:
    """Items switched to hashes only because one of ``item_ids`` came in hash-only."""
    if not item_ids:
        return []
    with vault.session() as s:
        found = s.execute(
            select(EvidenceItem.id, EvidenceItem.case_id, EvidenceItem.details).where(
                EvidenceItem.id.in_(item_ids), EvidenceItem.pixels_kept.is_(False)
            )
        )
        rows = open_rows(s, "items", (r._mapping for r in found))
        return [str(c) for r in rows for c in (r["details"] or {}).get(COPIES_KEY, [])]


def hash_only_digests(vault: CaseStore) -> set[str]:
    """SHA-256 of every item recorded hash-only: such bytes must never be stored later."""
    with vault.session() as s:
        return {
            opened(s, "items", "sha256", v)
            for v in s.scalars(
                select(EvidenceItem.sha256).where(EvidenceItem.pixels_kept.is_(False))
            )
        }


def _prehash(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(READ_BLOCK):
            sha.update(block)
    return sha.hexdigest()


#: Files and bytes per batch: one file-system sync, one transaction and one audit-head write
#: for all of them (small files had spent most of their time in the fsyncs of each file).
BATCH_FILES = 64
BATCH_BYTES = 64 * 1024 * 1024


@dataclass
class _Staged:
    """A file read, hashed and (unless hash-only) stored as a blob, not yet recorded."""

    cand: _Candidate
    st: os.stat_result
    prepared: PreparedBytes
    started: datetime
    where: FoundAt | None
    extra: dict[str, Any] | None


def _stage(
    blobs: BlobStore,
    cand: _Candidate,
    minor: bool,
    hash_only: set[str],
    where: FoundAt | None = None,
    extra: dict[str, Any] | None = None,
) -> _Staged:
    """Read one file into a blob of ``blobs`` (the case's, from :meth:`_Batch.blobs`) that
    is not yet durable (the batch syncs them together)."""
    where = where.checked() if where is not None else None  # before anything is stored
    if not minor and hash_only and _prehash(cand.path) in hash_only:
        minor = True  # the same bytes were recorded as possibly showing a minor before
    md5 = hashlib.md5(usedforsecurity=False)
    sha = hashlib.sha256()
    started = datetime.now(UTC)
    fh, st = _open_checked(cand.path)
    info: BlobInfo | None = None
    try:
        with fh:
            reader = _Reader(fh, (md5,) if not minor else (md5, sha))
            if minor:
                for _ in reader.drain():
                    pass  # hashes only: the bytes are dropped as soon as they are hashed
                sha256 = sha.hexdigest()
            else:
                info = blobs.put_stream(reader, durable=False)
                sha256 = info.sha256
            _ensure_unchanged(cand.path, st, reader.total)
    except BaseException:
        if info is not None:  # no row can name it yet
            blobs.delete(info.blob_id)
        raise
    if minor:
        hash_only.add(sha256)  # later files of the same batch see it too
    prepared = PreparedBytes(
        reader.total, sha256, md5.hexdigest(), sniff_mime(reader.head), minor, info
    )
    return _Staged(cand, st, prepared, started, where, extra)


class _Batch:
    """Files staged for one commit; :meth:`commit` records them and reports them added."""

    def __init__(
        self,
        vault: CaseStore,
        case_id: str,
        role: Role,
        result: IntakeResult,
        known: _KnownBytes | None,
        as_document: bool,
    ) -> None:
        self.vault, self.case_id, self.role = vault, case_id, role
        self.result, self.known, self.as_document = result, known, as_document
        self.staged: list[_Staged] = []
        self.bytes = 0
        self._blobs: BlobStore | None = None

    def blobs(self) -> BlobStore:
        """Where this batch's files are written: the case's blob store, asked for again
        after each commit (a clinic case's key may have changed in between)."""
        if self._blobs is None:
            self._blobs = self.vault.case_blobs(self.case_id)
        return self._blobs

    def add(self, staged: _Staged) -> None:
        self.staged.append(staged)
        self.bytes += staged.prepared.size

    def full(self) -> bool:
        return len(self.staged) >= BATCH_FILES or self.bytes >= BATCH_BYTES

    def discard(self) -> None:
        """Delete the blobs of files staged but not committed."""
        staged, self.staged, self.bytes = self.staged, [], 0
        for b in staged:
            if b.prepared.info is not None:
                with contextlib.suppress(OSError):
                    self.vault.blobs.delete(b.prepared.info.blob_id)

    def holds_size(self, path: Path) -> bool:
        """Whether a staged file has the size of ``path`` (it may hold the same bytes)."""
        if not self.staged:
            return False
        try:
            size = path.stat().st_size
        except OSError:
            return False
        return any(b.prepared.size == size for b in self.staged)

    def commit(self) -> None:
        staged, self.staged, self.bytes = self.staged, [], 0
        self._blobs = None
        if not staged:
            return
        prepared = [b.prepared for b in staged]
        recorded: list[tuple[_Staged, ItemView]] = []
        failed: list[tuple[_Staged, NciiDeskError]] = []
        try:
            self.vault.blobs.sync()  # every blob durable before a row names it
            with self.vault.transaction() as s:
                if not any(b.prepared.minor for b in staged):
                    try:
                        with s.begin_nested():
                            views = _record_batch(self.vault, s, self.case_id, self.role, staged)
                        recorded = list(zip(staged, views, strict=True))
                    except NciiDeskError:
                        pass  # undone; file by file below, so the file at fault is named
                if not recorded:
                    for b in staged:
                        try:
                            with s.begin_nested():  # one file's failure undoes that file only
                                view = _record_in(self.vault, s, self.case_id, self.role, b)
                        except NciiDeskError as exc:
                            failed.append((b, exc))
                        else:
                            recorded.append((b, view))
        except NciiDeskError as exc:  # nothing of the batch committed
            release_unused_blobs(self.vault, prepared)
            for b in staged:
                self.result.errors.append(IntakeError(str(b.cand.path), exc.message, exc.hint))
            return
        except BaseException:
            release_unused_blobs(self.vault, prepared)
            raise
        release_unused_blobs(self.vault, prepared)  # failed files', and bytes stored before
        for b, problem in failed:
            self.result.errors.append(IntakeError(str(b.cand.path), problem.message, problem.hint))
        for b, view in recorded:  # durable now: acknowledged
            self.result.added.append(view)
            if self.known is not None:
                self.known.learn(view)
            if not self.as_document:
                self.result.sources.append((view.id, b.cand.path))


def _file_capture(
    vault: CaseStore,
    cand: _Candidate,
    st: os.stat_result,
    started: datetime,
    sha256: str,
    where: FoundAt | None = None,
) -> dict[str, Any]:
    """The columns of one file's Capture record (the same keys for every file): where it
    was found (on this computer, and online when the advocate said so), its size and times
    as found."""
    times = {
        "modified_at": iso(_utc(st.st_mtime)),
        "accessed_at": iso(_utc(st.st_atime)),
    }
    birth = getattr(st, "st_birthtime", None)
    if birth is not None:
        times["created_at"] = iso(_utc(float(birth)))
    if os.name == "nt":  # st_ctime is the creation time on Windows
        times.setdefault("created_at", iso(_utc(st.st_ctime)))
    else:
        times["metadata_changed_at"] = iso(_utc(st.st_ctime))
    return dict(
        url=f"file:{cand.rel}",
        tool_name=TOOL_NAME,
        tool_version=__version__,
        operator=vault.actor,
        started_at=started,
        ended_at=datetime.now(UTC),
        details={
            "kind": "file",
            "source": cand.source.value,
            "name": cand.path.name,
            "relative_path": cand.rel,
            "size": st.st_size,
            "sha256": sha256,
            **times,
            **(where.as_details() if where is not None else {}),
        },
    )


def _record_in(vault: CaseStore, s: Session, case_id: str, role: Role, b: _Staged) -> ItemView:
    """Inside the batch's transaction: file capture, blob row (or reuse of the same bytes),
    item, audit; ``b.extra`` adds to the item's details and its audit event."""
    online = _online(b)
    capture = Capture(
        case_id=case_id,
        **_file_capture(vault, b.cand, b.st, b.started, b.prepared.sha256, b.where),
    )
    s.add(capture)
    s.flush()
    item = record_item(
        vault,
        s,
        case_id,
        role,
        b.cand.source,
        b.prepared,
        name=b.cand.path.name,
        mtime=_utc(b.st.st_mtime),
        ctime=_utc(_birth_or_ctime(b.st)),
        capture_id=capture.id,
        details=online,
        audit_details=online,
    )
    return ItemView.of(item)


def _table(model: type[Base]) -> Table:
    """The table a model maps, for Core statements."""
    return Base.metadata.tables[model.__tablename__]


def _online(b: _Staged) -> dict[str, Any] | None:
    """What ``b`` adds to its item's details and its ``item.added`` event."""
    online = b.where.as_details() if b.where is not None else None
    if b.extra:
        online = {**(online or {}), **b.extra}
    return online


def _record_batch(
    vault: CaseStore, s: Session, case_id: str, role: Role, staged: list[_Staged]
) -> list[ItemView]:
    """Inside the batch's transaction: the same rows as :func:`_record_in` for each file, in
    a fixed number of statements whatever the batch's size. Ids are made here rather than
    by flushes; the blobs and earlier items with the batch's bytes are looked up in one
    query each; the rows of each table go in one executemany; the audit events are chained
    from one read of the newest event. Not for hash-only files (they switch other copies
    to hashes only, which :func:`record_item` does)."""
    kept = {b.prepared.sha256 for b in staged if b.prepared.info is not None}
    blob_of: dict[str, str] = {}
    infos = [b.prepared.info for b in staged if b.prepared.info is not None]
    if infos:  # a batch is of one case: its blobs are under that case's key
        scope = same_key_blobs(infos[0])
        rows = s.execute(
            select(Blob.id, Blob.sha256).where(
                Blob.sha256.in_(probes(s, "blobs", "sha256", kept, case_id)), scope
            )
        )
        for found_blob, digest in rows:
            blob_of.setdefault(opened(s, "blobs", "sha256", digest), found_blob)
    first_of: dict[str, str] = {}  # the case's earliest item with these bytes
    rows = s.execute(
        select(EvidenceItem.id, EvidenceItem.sha256)
        .where(
            EvidenceItem.case_id == case_id,
            EvidenceItem.sha256.in_(
                probes(s, "items", "sha256", {b.prepared.sha256 for b in staged}, case_id)
            ),
        )
        .order_by(EvidenceItem.intake_at)
    )
    for found_item, digest in rows:
        first_of.setdefault(opened(s, "items", "sha256", digest), found_item)
    captures: list[dict[str, Any]] = []
    blobs: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    events: list[tuple[str, str | None, dict[str, Any]]] = []
    views: list[ItemView] = []
    for b in staged:
        p = b.prepared
        online = _online(b)
        capture_id = new_id()
        captures.append(
            {
                "id": capture_id,
                "case_id": case_id,
                **_file_capture(vault, b.cand, b.st, b.started, p.sha256, b.where),
            }
        )
        blob_id: str | None = None
        if p.info is not None:
            blob_id = blob_of.get(p.sha256)
            if blob_id is None:  # new bytes: this file's blob gets its row
                blob_id = blob_of[p.sha256] = p.info.blob_id
                blobs.append({**blob_values(p.info), "created_at": utcnow()})
        fields = _item_fields(
            vault,
            case_id,
            role,
            b.cand.source,
            p,
            blob_id,
            b.cand.path.name,
            _utc(b.st.st_mtime),
            _utc(_birth_or_ctime(b.st)),
            capture_id,
        )
        item_id = new_id()
        duplicate_of = first_of.get(p.sha256)
        first_of.setdefault(p.sha256, item_id)
        row = {
            "id": item_id,
            "intake_at": utcnow(),
            **fields,
            "duplicate_of": duplicate_of,
            "details": dict(online or {}),
        }
        items.append(row)
        events.append((ITEM_ADDED, item_id, _added_details(fields, duplicate_of, [], online)))
        views.append(ItemView.of(EvidenceItem(**row)))
    insert_rows(s, _table(Capture), captures)
    if blobs:
        insert_rows(s, _table(Blob), blobs)
    insert_rows(s, _table(EvidenceItem), items)
    vault.audit_many(s, events)
    return views


# --- bytes already in memory (web captures) --------------------------------------------------


@dataclass
class PreparedBytes:
    """Bytes hashed and, unless they are to be kept as hashes only, written as a blob.

    The blob is written before the database transaction that records it (blob first, then
    row); :func:`release_unused_blobs` removes it again when no row came to use it.
    """

    size: int
    sha256: str
    md5: str
    mime: str
    minor: bool
    info: BlobInfo | None


def prepare_bytes(
    vault: CaseStore, data: bytes, *, case_id: str, minor: bool, hash_only: set[str]
) -> PreparedBytes:
    """Hash ``data`` and store it as an encrypted blob of case ``case_id`` (not when
    ``minor`` or when the same bytes were recorded hash-only before; ``hash_only`` comes
    from :func:`hash_only_digests` and learns the new hash-only digests)."""
    sha256 = hashlib.sha256(data).hexdigest()
    minor = minor or sha256 in hash_only
    md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
    info = None if minor else vault.case_blobs(case_id).put_bytes(data)
    if minor:
        hash_only.add(sha256)
    return PreparedBytes(len(data), sha256, md5, sniff_mime(data[:SNIFF_BYTES]), minor, info)


def record_item(
    vault: CaseStore,
    s: Session,
    case_id: str,
    role: Role,
    source: Source,
    prepared: PreparedBytes,
    *,
    name: str,
    mtime: datetime | None = None,
    ctime: datetime | None = None,
    capture_id: str | None = None,
    details: dict[str, Any] | None = None,
    audit_details: Mapping[str, Any] | None = None,
) -> EvidenceItem:
    """Inside the caller's transaction: the blob row (or the existing blob with the same
    bytes), the item (linked to an earlier item of the case with the same SHA-256) and its
    audit event (``audit_details`` adds to it)."""
    sha256 = prepared.sha256
    blob_id: str | None = None
    if prepared.info is not None:
        existing = s.scalars(
            select(Blob)
            .where(
                Blob.sha256.in_(probes(s, "blobs", "sha256", [sha256], case_id)),
                same_key_blobs(prepared.info),
            )
            .limit(1)
        ).first()
        if existing is not None:
            blob_id = existing.id
        else:
            vault.store_blob(s, prepared.info)
            blob_id = prepared.info.blob_id
    duplicate_of = s.scalars(
        select(EvidenceItem.id)
        .where(
            EvidenceItem.case_id == case_id,
            EvidenceItem.sha256.in_(probes(s, "items", "sha256", [sha256], case_id)),
        )
        .order_by(EvidenceItem.intake_at)
        .limit(1)
    ).first()
    fields = _item_fields(
        vault, case_id, role, source, prepared, blob_id, name, mtime, ctime, capture_id
    )
    item = EvidenceItem(**fields, duplicate_of=duplicate_of, details=dict(details or {}))
    s.add(item)
    s.flush()
    copies = _switch_other_copies(vault, s, item) if prepared.minor else []
    if copies:
        item.details = {**item.details, COPIES_KEY: copies}
    vault.audit(s, ITEM_ADDED, item.id, _added_details(fields, duplicate_of, copies, audit_details))
    return item


#: The audit action of an item taken in.
ITEM_ADDED = "item.added"


def _item_fields(
    vault: CaseStore,
    case_id: str,
    role: Role,
    source: Source,
    prepared: PreparedBytes,
    blob_id: str | None,
    name: str,
    mtime: datetime | None,
    ctime: datetime | None,
    capture_id: str | None,
) -> dict[str, Any]:
    """The item's columns known before it is recorded (both record paths use them)."""
    return {
        "case_id": case_id,
        "role": role,
        "source": source,
        "blob_id": blob_id,
        "size": prepared.size,
        "mime": prepared.mime,
        "sha256": prepared.sha256,
        "md5": prepared.md5,
        "original_filename": name,
        "file_mtime": mtime,
        "file_ctime": ctime,
        "operator": vault.actor,
        "suspected_minor": prepared.minor,
        "pixels_kept": not prepared.minor,
        "capture_id": capture_id,
    }


def _added_details(
    fields: Mapping[str, Any],
    duplicate_of: str | None,
    copies: list[str],
    audit_details: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The details of an item's ``item.added`` event."""
    return {
        "case_id": fields["case_id"],
        "role": fields["role"].value,
        "source": fields["source"].value,
        "size": fields["size"],
        "sha256": fields["sha256"],
        "md5": fields["md5"],
        "pixels_kept": fields["pixels_kept"],
        "duplicate_of": duplicate_of,
        "capture_id": fields["capture_id"],
        **({COPIES_KEY: copies} if copies else {}),
        **(audit_details or {}),
    }


def _switch_other_copies(vault: CaseStore, s: Session, item: EvidenceItem) -> list[str]:
    """Bytes recorded as possibly showing a minor: every other item in the vault that still
    keeps them is switched to hashes only in the same transaction, so no copy of those pixels
    stays anywhere (services/minor.py); returns the items switched."""
    from ncii_desk.services.items import (
        archived_in,
        drop_pixels,
        note_other_cases,
        same_bytes_elsewhere,
    )

    others = [i for i in same_bytes_elsewhere(s, {item.sha256}, set()) if i.id != item.id]
    if not others:
        return []
    cause = {"because_item": item.id, "because_case": item.case_id}
    dropped = drop_pixels(
        vault,
        s,
        others,
        archived_in(s, others),
        reason="the same file was added as possibly showing a person under 18",
        operator=vault.actor,
        cause=cause,
    )
    note_other_cases(vault, s, dropped, item.case_id, cause)
    return dropped.switched


def release_unused_blobs(vault: CaseStore, prepared: Iterable[PreparedBytes]) -> None:
    """Delete blobs written by :func:`prepare_bytes` that no database row refers to (same
    bytes were already stored, or the transaction did not commit)."""
    ids = [p.info.blob_id for p in prepared if p.info is not None]
    if not ids:
        return
    with vault.session() as s:
        recorded = set(s.scalars(select(Blob.id).where(Blob.id.in_(ids))))
    for blob_id in ids:
        if blob_id not in recorded:
            vault.blobs.delete(blob_id)
