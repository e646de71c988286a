"""Versions of a clinic's data key, and the rotation that makes a new one.

Version 1 is the key ``clinic-server init`` made. Removing a clinic member makes version
n+1 in the same transaction (:func:`rotate`): a new random 32-byte key, wrapped to every
remaining admitted member (``clinic_members.clinic_key_wrap``, the case-key wrap of the
pseudo case ``clinic`` at that version, so the wrap text binds the version). Pending
members get the newest version when they are admitted.

Older versions stay reachable to whoever holds the newest: the settings row
:data:`KEYCHAIN_KEY` holds, per version n > 1, version n-1 sealed under a key derived from
version n (AES-GCM, bound to the clinic and both version numbers), and per version a check
value (an HMAC under a key derived from that version) by which a raw key names its version.
A key holder derives the older versions on open; someone with database access alone can
delete the row (old data then does not open) but cannot make it say anything else.

What switches to the newest version: the audit MAC key of every event after the rotation
event, the head row's MAC (which names its key version), the drop list's MACs, sealed member
names (all re-sealed at the rotation), settings values authenticated with
:func:`mac_setting` (the letters sign-off rule; re-authenticated at the rotation), and blobs
of no case written after it. The rotation
itself is the audit event :data:`ACTION_KEY_ROTATED`, MACed with the OLD key and naming the
new version in its object id; verification (:class:`ChainWalk`) starts at version 1 and
switches key at each rotation event it authenticated, so an event after a rotation MACed with
a replaced key (a removed member who kept it) is reported. The export sub-key stays version
1's: it is the clinic's hand-over address and packet signing identity, which senders and
recipients already hold.

A client that opened before a rotation learns of it under the writer lock (the head row and
the key-chain row name the newest version) and unwraps the new version from its own member
row before writing; a client holding only a replaced key is refused (:class:`KeyReplaced`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import Session

from ncii_desk.clinic.errors import ClinicError, MemberKeyUnusable, MemberRemoved
from ncii_desk.vault.blobs import BlobInfo, Hasher, Readable
from ncii_desk.vault.blobs import BlobStore as FolderBlobStore
from ncii_desk.vault.keys import SubKeys, b64d, b64e, derive_subkeys, hkdf
from ncii_desk.vault.members import (
    CaseKey,
    CaseKeyRefused,
    MemberKeys,
    MemberPublic,
    unwrap_case_key,
    wrap_case_key,
)
from ncii_desk.vault.models import AuditEvent, Blob, ClinicMember, Setting


class ClinicStore(Protocol):
    """What this module needs of the clinic store (:class:`.store.ClinicStore`; named here
    so this module does not import the store, which builds on it)."""

    vault_id: str
    member: MemberKeys | None
    _blob_stores: dict[int, FolderBlobStore]

    @property
    def keyring(self) -> ClinicKeyring: ...

    def set_keyring(self, ring: ClinicKeyring) -> None: ...

    def session(self) -> AbstractContextManager[Session]: ...

    def clinic_blobs(self, version: int | None) -> FolderBlobStore: ...


#: settings row holding the audit chain's head ({"seq", "mac", "head_mac"}).
HEAD_KEY = "clinic.audit_head"
#: settings row listing blobs whose rows were deleted and whose files must go too.
DROPPED_KEY = "clinic.dropped_blobs"
#: settings row: {"newest": n, "links": {"2": sealed v1, ...}, "checks": {"1": hex, ...}}.
KEYCHAIN_KEY = "clinic.key_chain"
#: Audit action of a rotation (object id ``clinic-key/<new version>``).
ACTION_KEY_ROTATED = "clinic.key_rotated"
ROTATED_PREFIX = "clinic-key/"
#: The pseudo case id the clinic data key is wrapped under.
CLINIC_KEY_CASE = "clinic"
#: Key of Session.info holding the keyring a transaction switched to (a rotation in it).
PENDING_RING = "ncii_clinic_pending_keyring"

_LINK_LABEL = b"ncii-desk/v1/clinic/key-link"
_CHECK_LABEL = b"ncii-desk/v1/clinic/key-check"
_BLOB_LABEL = b"ncii-desk/v1/clinic/blob-key"
_SETTING_LABEL = b"ncii-desk/v1/clinic/setting"


class KeyReplaced(ClinicError):
    """The clinic key this client holds was replaced by a newer version it cannot reach."""

    exit_code = 3
    default_hint = (
        "Nothing was written. Open the clinic store as a member (--member ID): members "
        "receive the newest clinic key. A removed member cannot."
    )


# --- key material ----------------------------------------------------------------------------


def _salt(clinic_id: str) -> bytes:
    return uuid.UUID(clinic_id).bytes


def _link_aad(clinic_id: str, version: int) -> bytes:
    return _LINK_LABEL + f"|{clinic_id}|{version - 1}->{version}".encode()


def seal_link(new_key: bytes, old_key: bytes, clinic_id: str, version: int) -> str:
    """Version ``version - 1`` (``old_key``) sealed under version ``version``."""
    key = hkdf(new_key, _LINK_LABEL + f"|{version}".encode(), _salt(clinic_id))
    nonce = secrets.token_bytes(12)
    return b64e(nonce + AESGCM(key).encrypt(nonce, old_key, _link_aad(clinic_id, version)))


def open_link(new_key: bytes, link: object, clinic_id: str, version: int) -> bytes | None:
    if not isinstance(link, str):
        return None
    key = hkdf(new_key, _LINK_LABEL + f"|{version}".encode(), _salt(clinic_id))
    try:
        raw = b64d(link)
        return AESGCM(key).decrypt(raw[:12], raw[12:], _link_aad(clinic_id, version))
    except (InvalidTag, ValueError):
        return None


def key_check(key: bytes, clinic_id: str, version: int) -> str:
    """A value naming ``key`` as version ``version`` (no use without the key)."""
    check_key = hkdf(key, _CHECK_LABEL, _salt(clinic_id))
    return hmac.new(check_key, f"{clinic_id}|{version}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ClinicKeyring:
    """The clinic data key versions a client holds (``newest`` and what it derived)."""

    clinic_id: str
    keys: Mapping[int, bytes]
    newest: int
    _subkeys: dict[int, SubKeys] = field(default_factory=dict, compare=False, repr=False)

    def has(self, version: int | None) -> bool:
        return (version or 1) in self.keys

    def key(self, version: int | None = None) -> bytes:
        version = self.newest if version is None else version
        found = self.keys.get(version)
        if found is None:
            raise ClinicError(
                f"Version {version} of the clinic key cannot be reached from the clinic key "
                f"this client holds (version {self.newest}).",
                "The clinic's key-chain row was removed or damaged; ask your administrator "
                "to restore the clinic database from a backup.",
            )
        return found

    def subkeys(self, version: int | None = None) -> SubKeys:
        version = self.newest if version is None else version
        got = self._subkeys.get(version)
        if got is None:
            got = self._subkeys[version] = derive_subkeys(self.key(version), self.clinic_id)
        return got

    def blob_key(self, version: int | None) -> bytes:
        """Blob master key of a version: version 1 keeps the vault derivation (blobs
        written before versions existed); later ones are domain-separated by version."""
        version = version or 1
        if version == 1:
            return self.subkeys(1).blob
        return hkdf(self.key(version), _BLOB_LABEL + f"|{version}".encode(), _salt(self.clinic_id))

    def added(self, version: int, key: bytes) -> ClinicKeyring:
        return ClinicKeyring(self.clinic_id, {**self.keys, version: key}, max(self.newest, version))


def read_chain(s: Session) -> dict[str, Any]:
    row = s.get(Setting, KEYCHAIN_KEY)
    value = row.value if row is not None else None
    return value if isinstance(value, dict) else {}


def _int(value: object, default: int = 1) -> int:
    return (
        value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default
    )


def announced_version(s: Session) -> int:
    """The newest version the key-chain row or the audit head row name (1 before any)."""
    head = s.get(Setting, HEAD_KEY)
    head_version = (
        _int(head.value.get("key_version")) if head and isinstance(head.value, dict) else 1
    )
    return max(_int(read_chain(s).get("newest")), head_version)


def ring_for(
    chain: dict[str, Any], clinic_id: str, key: bytes, claimed: int | None
) -> ClinicKeyring:
    """The keyring from ``key`` (version ``claimed``, or the version its check value names
    when None) and every older version the chain's links reach."""
    checks = chain.get("checks") if isinstance(chain.get("checks"), dict) else {}
    assert isinstance(checks, dict)
    if claimed is None:
        named = [
            int(v)
            for v, c in checks.items()
            if str(v).isdigit() and hmac.compare_digest(str(c), key_check(key, clinic_id, int(v)))
        ]
        if named:
            claimed = named[0]
        elif not checks:
            claimed = 1  # no rotation yet: the only version
        else:
            raise ClinicError(
                "This key is no version of this clinic's data key.",
                "Open the clinic store as a member (--member ID), or give the right key.",
            )
    elif str(claimed) in checks and not hmac.compare_digest(
        str(checks[str(claimed)]), key_check(key, clinic_id, claimed)
    ):
        raise MemberKeyUnusable(
            f"The clinic key stored for you as version {claimed} is not that version of the "
            "clinic key: it was altered or replaced in the database."
        )
    keys = {claimed: key}
    links = chain.get("links") if isinstance(chain.get("links"), dict) else {}
    assert isinstance(links, dict)
    current = key
    for version in range(claimed, 1, -1):
        older = open_link(current, links.get(str(version)), clinic_id, version)
        if older is None:
            break  # older versions out of reach: reading what they sealed says so
        keys[version - 1] = current = older
    return ClinicKeyring(clinic_id, keys, claimed)


# --- the member wrap ---------------------------------------------------------------------------


def wrap_clinic_key(clinic_id: str, data_key: bytes, member: MemberPublic, version: int = 1) -> str:
    """Version ``version`` of the clinic data key wrapped to ``member``."""
    return wrap_case_key(CaseKey(clinic_id, CLINIC_KEY_CASE, version, data_key), member)


def unwrap_clinic_key_version(wrapped: str, member: MemberKeys) -> tuple[int, bytes]:
    """(version, key) of a member's wrap; the version the wrap states is bound into its
    authentication, so a wrap of one version never opens as another."""
    try:
        stated = json.loads(wrapped).get("key_version")
    except (ValueError, AttributeError):
        stated = None
    version = _int(stated)
    try:
        return version, unwrap_case_key(
            wrapped, member, case_id=CLINIC_KEY_CASE, version=version
        ).key
    except CaseKeyRefused as exc:
        raise MemberKeyUnusable(
            f"The clinic key stored for member {member.member_id} does not open with that "
            "member's key: it was altered, or copied from another member."
        ) from exc


def unwrap_clinic_key(wrapped: str, member: MemberKeys) -> bytes:
    return unwrap_clinic_key_version(wrapped, member)[1]


def member_ring(
    chain: dict[str, Any], announced: int, clinic_id: str, keys: MemberKeys, wrapped: str
) -> ClinicKeyring:
    """A member's keyring from their wrap, refused when the clinic announces a newer version
    than the wrap (a wrap put back from an older state of the database)."""
    version, key = unwrap_clinic_key_version(wrapped, keys)
    ring = ring_for(chain, clinic_id, key, version)
    if announced > ring.newest:
        raise MemberKeyUnusable(
            f"The clinic key stored for member {keys.member_id} is version {ring.newest}, but "
            f"the clinic moved to version {announced}: the member row was put back from an "
            "older state of the database."
        )
    return ring


def refresh(store: ClinicStore, s: Session) -> ClinicKeyring:
    """Inside a session (under the writer lock for a write): the store's keyring, moved to
    the newest version the clinic announces. A member unwraps it from their own row; a
    client without one (raw key) is refused."""
    ring = store.keyring
    if announced_version(s) <= ring.newest:
        return ring
    keys = store.member
    if keys is None:
        raise KeyReplaced(
            f"The clinic key was replaced (version {announced_version(s)}) since this clinic "
            f"store was opened with version {ring.newest}."
        )
    row = s.get(ClinicMember, keys.member_id)
    if row is None or row.removed_at is not None or row.clinic_key_wrap is None:
        raise MemberRemoved(
            f"Member {keys.member_id} was removed from this clinic; nothing was written.",
            "Ask an admitted member if this is a mistake; a removed member joins anew.",
        )
    fresh = member_ring(
        read_chain(s), announced_version(s), store.vault_id, keys, row.clinic_key_wrap
    )
    merged = ClinicKeyring(store.vault_id, {**ring.keys, **fresh.keys}, fresh.newest)
    store.set_keyring(merged)
    return merged


def session_ring(store: ClinicStore, s: Session) -> ClinicKeyring:
    """The keyring writes in ``s`` use (the new one once a rotation happened in it)."""
    pending = s.info.get(PENDING_RING)
    return pending if isinstance(pending, ClinicKeyring) else store.keyring


# --- settings authenticated with the newest version ------------------------------------------


def _setting_mac(ring: ClinicKeyring, version: int, name: str, body: dict[str, Any]) -> str:
    key = hkdf(ring.key(version), _SETTING_LABEL, _salt(ring.clinic_id))
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    msg = f"{ring.clinic_id}|{name}|v{version}|{text}".encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def mac_setting(ring: ClinicKeyring, name: str, body: dict[str, Any]) -> dict[str, Any]:
    """The settings value ``body`` authenticated with the newest clinic key version held
    (the value gains ``key_version`` and ``mac``; :func:`rotate` re-authenticates it)."""
    plain = {k: v for k, v in body.items() if k not in ("key_version", "mac")}
    version = ring.newest
    return {**plain, "key_version": version, "mac": _setting_mac(ring, version, name, plain)}


def setting_authentic(ring: ClinicKeyring, name: str, value: object) -> bool:
    """Whether ``value`` (from :func:`mac_setting`) authenticates under the NEWEST version:
    a value MACed with a replaced version (put back from before a rotation, or written by a
    removed member who kept the old key) does not."""
    if not isinstance(value, dict) or value.get("key_version") != ring.newest:
        return False
    plain = {k: v for k, v in value.items() if k not in ("key_version", "mac")}
    expected = _setting_mac(ring, ring.newest, name, plain)
    return hmac.compare_digest(str(value.get("mac", "")), expected)


def remac_settings(s: Session, old: ClinicKeyring, new: ClinicKeyring) -> None:
    """At a rotation: every settings value authenticated under the old newest version is
    authenticated again under the new one (values that did not authenticate stay as they
    are, so they still do not)."""
    for row in s.scalars(select(Setting).where(Setting.key != KEYCHAIN_KEY)):
        if setting_authentic(old, row.key, row.value):
            row.value = mac_setting(new, row.key, dict(row.value))


# --- rotation ----------------------------------------------------------------------------------


# --- verification ------------------------------------------------------------------------------


def rotated_to(ev: AuditEvent) -> int | None:
    if ev.action != ACTION_KEY_ROTATED or not (ev.object_id or "").startswith(ROTATED_PREFIX):
        return None
    text = str(ev.object_id)[len(ROTATED_PREFIX) :]
    return int(text) if text.isdigit() else None


@dataclass
class ChainWalk:
    """The audit key each event must be MACed with: version 1's until a rotation event
    (authenticated under the version before it) names the next one."""

    ring: ClinicKeyring
    current: int = 1
    switched_at: int = 0

    def key(self, ev: AuditEvent) -> bytes | None:
        return self.ring.subkeys(self.current).audit if self.ring.has(self.current) else None

    def unavailable(self, ev: AuditEvent) -> str:
        return (
            f"cannot be checked: it is authenticated with clinic key version {self.current}, "
            "which the key this client holds does not reach"
        )

    def mismatch(self, ev: AuditEvent, mac_of: Callable[[bytes], str]) -> str:
        for version in sorted(self.ring.keys):
            if version < self.current and hmac.compare_digest(
                ev.mac, mac_of(self.ring.subkeys(version).audit)
            ):
                return (
                    f"event is authenticated with clinic key version {version}, which version "
                    f"{self.current} replaced at event {self.switched_at}: it was written by "
                    "someone holding a replaced key (a removed member?)"
                )
        return "event was altered (MAC mismatch)"

    def behind(self, newest: int) -> str:
        return (
            f"the audit log's rotation events end at clinic key version {self.current}, but "
            f"the clinic key is at version {newest}: rotation events are missing"
        )

    def accepted(self, ev: AuditEvent) -> str | None:
        version = rotated_to(ev)
        if version is None:
            return None
        if version != self.current + 1:
            return f"the clinic key rotation names version {version} after {self.current}"
        self.current, self.switched_at = version, ev.seq
        return None


# --- the list of blob files to delete ----------------------------------------------------------


def drop_mac(ring: ClinicKeyring, blob_id: str) -> str:
    """An entry of the drop list, MACed with the newest version (bound from version 2)."""
    bound = "" if ring.newest == 1 else f"|v{ring.newest}"
    msg = f"clinic-drop|{ring.clinic_id}|{blob_id}{bound}".encode()
    return hmac.new(ring.subkeys().audit, msg, hashlib.sha256).hexdigest()


def drop_list(ring: ClinicKeyring, blob_ids: set[str]) -> dict[str, Any]:
    """The settings value listing ``blob_ids`` for deletion, each MACed with the audit
    key: a list written into the database by someone without the key names nothing."""
    return {"blob_ids": sorted(blob_ids), "macs": {b: drop_mac(ring, b) for b in sorted(blob_ids)}}


def dropped_in(session: Session, ring: ClinicKeyring) -> set[str]:
    """Blob ids listed for deletion whose entry carries a valid MAC and whose row is
    gone. Anything else in the list (an entry added in the database, or a blob that
    still has a row) is never deleted."""
    setting = session.get(Setting, DROPPED_KEY)
    value = setting.value if setting is not None and isinstance(setting.value, dict) else {}
    raw_macs = value.get("macs")
    macs: dict[str, Any] = raw_macs if isinstance(raw_macs, dict) else {}
    out = set()
    for blob_id in {str(b) for b in value.get("blob_ids", [])}:
        mac = macs.get(blob_id)
        if not isinstance(mac, str) or not hmac.compare_digest(mac, drop_mac(ring, blob_id)):
            continue
        if session.get(Blob, blob_id) is None:
            out.add(blob_id)
    return out


# --- blobs of no case --------------------------------------------------------------------------


class ClinicBlobs:
    """The store's blob folder for blobs of no case: writes under the newest clinic key
    version, reads under the version the blob's row records (or this client put it with)."""

    def __init__(self, store: ClinicStore, root: Path, key: bytes) -> None:
        self._store = store
        self._put: dict[str, int] = {}
        #: For paths, listing and deleting only (no key involved): they work after close.
        self._any = FolderBlobStore(root, key)

    @property
    def root(self) -> Path:
        return self._any.root

    def path_for(self, blob_id: str) -> Path:
        return self._any.path_for(blob_id)

    def relpath(self, blob_id: str) -> str:
        return self._any.relpath(blob_id)

    def iter_files(self) -> Iterator[Path]:
        return self._any.iter_files()

    def exists(self, blob_id: str) -> bool:
        return self._any.exists(blob_id)

    def ids(self) -> Iterator[str]:
        return self._any.ids()

    def delete(self, blob_id: str) -> None:
        self._any.delete(blob_id)
        self._put.pop(blob_id, None)

    def version_put(self, blob_id: str) -> int | None:
        return self._put.get(blob_id)

    def _writer(self) -> tuple[int, FolderBlobStore]:
        with self._store.session() as s:  # picks up a rotation another client made
            version = refresh(self._store, s).newest
        return version, self._store.clinic_blobs(version)

    def put_bytes(self, data: bytes) -> BlobInfo:
        version, folder = self._writer()
        info = folder.put_bytes(data)
        self._put[info.blob_id] = version
        return info

    def put_stream(
        self, src: Readable, extra_hashers: tuple[Hasher, ...] = (), *, durable: bool = True
    ) -> BlobInfo:
        version, folder = self._writer()
        info = folder.put_stream(src, extra_hashers, durable=durable)
        self._put[info.blob_id] = version
        return info

    def sync(self) -> None:
        for folder in list(self._store._blob_stores.values()):
            folder.sync()

    def _reader(self, blob_id: str) -> FolderBlobStore:
        version = self._put.get(blob_id)
        if version is None:
            with self._store.session() as s:
                version = s.scalar(select(Blob.key_version).where(Blob.id == blob_id))
        return self._store.clinic_blobs(version)

    def read(self, blob_id: str, expected: BlobInfo | None = None) -> bytes:
        return self._reader(blob_id).read(blob_id, expected)

    def stream(self, blob_id: str, expected: BlobInfo | None = None) -> Iterator[bytes]:
        return self._reader(blob_id).stream(blob_id, expected)

    def verify(
        self,
        blob_id: str,
        expected: BlobInfo | None = None,
        on_chunk: Callable[[int], None] | None = None,
    ) -> int:
        return self._reader(blob_id).verify(blob_id, expected, on_chunk)

    def export(self, blob_id: str, dest: Path, expected: BlobInfo | None = None) -> None:
        self._reader(blob_id).export(blob_id, dest, expected)
