"""Per-case blob keys of a clinic store: each case's files under a key of that case.

A blob of a case (an evidence file, a WARC, a screenshot, a letter's package) is written
under a key derived from the case key version that is current when it is written, and its
row records ``blobs.case_id`` and ``blobs.key_version``. The derivation::

    context  = canonical_json({"clinic_id", "case_id", "version"})
    salt     = SHA-256(SALT_LABEL | context)
    blob key = HKDF-SHA256(case key of that version, BLOB_KEY_LABEL | context, salt)

The label differs from the field-sealing use (which keys AES-GCM with the case key itself,
its associated data labelled ``ncii-desk/v1/field|``) and from the case key's public
commitment (``key_commitment``), so none of those reveals or equals this key. The folder
blob store then derives one key per blob from it as for any vault (salted with the blob's
own random salt and bound to its id).

Who can open what. Only a member who holds that version of the case key: a clinic member
not on the case, or one removed from it before the version was made, gets
:class:`NotCaseMember` (a clear message, no decryption error). Blobs of no case (the
hash-list index, the self-test, the letter-signing key) stay under the clinic key
(``case_id`` NULL, ``key_version`` the clinic key's version, NULL = 1).

Keys are cached per (case, version) while the store is open and forgotten when it closes.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.orm import Session

from ncii_desk.clinic.errors import NotCaseMember
from ncii_desk.errors import Cancelled, VaultCorrupt
from ncii_desk.vault.blobs import BLOBS_DIR
from ncii_desk.vault.blobs import BlobStore as FolderBlobStore
from ncii_desk.vault.keys import canonical_json, hkdf
from ncii_desk.vault.members import CaseKey, CaseKeyRefused, MemberKeys
from ncii_desk.vault.reports import IntegrityReport, Problem
from ncii_desk.vault.roles import NotPermitted
from ncii_desk.vault.store import info_of

if TYPE_CHECKING:
    from ncii_desk.clinic.casekeys import OpenCase
    from ncii_desk.vault.models import Blob

BLOB_KEY_LABEL = b"ncii-desk/v1/case-blob-key|"
SALT_LABEL = b"ncii-desk/v1/case-blob-salt|"


def case_blob_key(key: CaseKey) -> bytes:
    """The master key of a case's blobs of version ``key.version`` (see the module text)."""
    context = canonical_json(
        {"clinic_id": key.clinic_id, "case_id": key.case_id, "version": key.version}
    )
    salt = hashlib.sha256(SALT_LABEL + context).digest()
    return hkdf(key.key, BLOB_KEY_LABEL + context, salt)


class _Keyed(Protocol):
    """What the case blobs need of the clinic store (no import of the store module)."""

    member: MemberKeys | None

    def session(self) -> AbstractContextManager[Session]: ...


def _not_on_case(case_id: str) -> NotCaseMember:
    return NotCaseMember(
        f"You are not a member of case {case_id}, so you cannot open or add its stored "
        "files (they are encrypted with the case's own key).",
        "Ask a supervising attorney on the case to add you to it.",
    )


def _version_not_held(case_id: str, version: int) -> NotCaseMember:
    return NotCaseMember(
        f"This stored file of case {case_id} is encrypted with version {version} of the "
        "case's key, which you do not hold (it was written after you were removed from "
        "the case, or the key was withheld from you).",
        "Ask a supervising attorney on the case to add you to it again so that you receive "
        "its newer keys.",
    )


class CaseBlobs:
    """The per-case blob stores of one open clinic store, for its member."""

    def __init__(
        self,
        store: _Keyed,
        base: FolderBlobStore,
        open_case: Callable[[Session, str], OpenCase],
    ) -> None:
        self._store = store
        self._base = base
        self._open_case = open_case
        self._stores: dict[tuple[str, int], FolderBlobStore] = {}
        self._lock = threading.Lock()

    def _member(self, case_id: str) -> MemberKeys:
        member = self._store.member
        if member is None:
            raise NotCaseMember(
                f"The stored files of case {case_id} are encrypted with the case's own key, "
                "and this clinic store was opened without a member's keys.",
                "Open the clinic store as a member of the case (--member ID and your passphrase).",
            )
        return member

    def _learn(self, opened: OpenCase, case_id: str) -> None:
        """Every version of the case key this member holds, as blob stores (one unwrap per
        version for the life of the open store)."""
        member = self._member(case_id)
        if opened.cipher is None:
            raise _not_on_case(case_id)
        try:
            keys = opened.ring.open(member)
        except (NotPermitted, CaseKeyRefused) as exc:
            if isinstance(exc, NotPermitted):
                raise _not_on_case(case_id) from None
            raise
        with self._lock:
            for version, key in keys.items():
                if (case_id, version) not in self._stores:
                    self._stores[(case_id, version)] = self._base.keyed(
                        case_blob_key(key), case_id, version
                    )

    def for_write(self, case_id: str, session: Session | None = None) -> FolderBlobStore:
        """The store new blobs of ``case_id`` go to: the case key's current version as
        the newest verified membership record names it."""
        self._member(case_id)
        if session is not None:
            opened = self._open_case(session, case_id)
        else:
            with self._store.session() as s:
                opened = self._open_case(s, case_id)
        if opened.cipher is None:
            raise _not_on_case(case_id)
        version = opened.ring.current_version
        with self._lock:
            found = self._stores.get((case_id, version))
        if found is None:
            self._learn(opened, case_id)
            with self._lock:
                found = self._stores.get((case_id, version))
            if found is None:
                raise _version_not_held(case_id, version)
        return found

    def for_read(self, case_id: str, version: int) -> FolderBlobStore:
        """The store that opens blobs of ``case_id`` under key ``version``."""
        self._member(case_id)
        with self._lock:
            found = self._stores.get((case_id, version))
        if found is not None:
            return found
        with self._store.session() as s:
            opened = self._open_case(s, case_id)
        self._learn(opened, case_id)
        with self._lock:
            found = self._stores.get((case_id, version))
        if found is None:
            raise _version_not_held(case_id, version)
        return found

    def forget(self) -> None:
        with self._lock:
            self._stores.clear()


def check_blobs(
    rows: list[Blob],
    store_of: Callable[[Blob], FolderBlobStore],
    base: FolderBlobStore,
    report: IntegrityReport,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> None:
    """Each blob authenticated in full with its key where this member holds it; a blob of
    a case the member cannot open has only its ciphertext hashed against
    ``blobs.cipher_sha256`` (as the keyless server check does). ``report.warnings`` says
    how many were checked that way."""
    hashed_only = 0
    for done, row in enumerate(rows, 1):
        if should_stop is not None and should_stop():
            raise Cancelled("The clinic store check was cancelled before it finished.")
        try:
            store = store_of(row)
        except NotCaseMember:
            store = None
        if store is None:
            hashed_only += 1
            problem = _cipher_problem(base, row)
            if problem is not None:
                report.problems.append(problem)
        else:
            try:
                report.bytes_checked += store.verify(row.id, info_of(row))
            except VaultCorrupt as exc:
                report.problems.append(Problem(exc.file, exc.entry, exc.message))
        report.blobs_checked += 1
        if progress is not None:
            progress(done, len(rows), "checking stored evidence")
    if hashed_only:
        report.warnings.append(
            f"{hashed_only} stored file(s) of cases you are not a member of were checked by "
            "their encrypted form only (its SHA-256 against the recorded one); a member of "
            "those cases checks their content."
        )


def _cipher_problem(base: FolderBlobStore, row: Blob) -> Problem | None:
    rel = f"{BLOBS_DIR}/{row.id[:2]}/{row.id}"
    try:
        digest = hashlib.sha256()
        for block in _file_blocks(base, row.id):
            digest.update(block)
    except FileNotFoundError:
        return Problem(rel, row.id, "An evidence file is missing from the clinic's blob folder.")
    if not hmac.compare_digest(digest.hexdigest(), row.cipher_sha256):
        return Problem(
            rel,
            "sha256",
            "An evidence file does not match the encrypted hash recorded when it was stored "
            "(it was changed, truncated or damaged).",
        )
    return None


def _file_blocks(base: FolderBlobStore, blob_id: str) -> Iterator[bytes]:
    with open(base.path_for(blob_id), "rb") as fh:
        while block := fh.read(1024 * 1024):
            yield block
