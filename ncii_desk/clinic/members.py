"""The clinic's member directory: who may open the clinic store, with which key.

Each row of ``clinic_members`` holds a member's key record (public keys in clear, the
private seed wrapped under the member's passphrase and recovery key) and, once the member
is admitted, the clinic's 32-byte data key wrapped to the member's X25519 key. The wrap is
the case-key construction of :mod:`ncii_desk.vault.members.casekeys` with the pseudo case
id :data:`CLINIC_KEY_CASE` and version 1 (no real case has that id: case ids are UUIDs),
so a case key's wrap never opens as the clinic key and the other way round.

Life of a member:

* ``enrol`` (``ncii-desk clinic join``): the new member makes their own key record; the row
  has no wrap yet (pending). The display name cannot be sealed with the clinic key, which
  the newcomer does not hold: it is encrypted under a random key wrapped to every admitted
  member, and signed with the newcomer's Ed25519 key (a name swapped in the database does
  not verify).
* ``admit``: an admitted member compares the newcomer's key fingerprint (read out by phone)
  with the record's; only on a match is the clinic key wrapped to the newcomer and the name
  sealed under a key derived from the clinic key.
* ``remove``: the wrap is deleted and ``removed_at`` set; the row stays (audit trail). In
  the same transaction the clinic key is rotated (:mod:`ncii_desk.clinic.clinickeys`): a
  new version wrapped to every remaining admitted member, names re-sealed under it, the
  audit chain, head row and drop list MACed with it from then on. A removed member who
  copied an older version keeps what it opened, not what is written after.

The server sees member ids, key fingerprints, times and who admitted whom; never a name, a
passphrase or a key. Every change is an audit event naming ids and fingerprints only.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import Session

from ncii_desk.clinic import clinickeys
from ncii_desk.clinic.clinickeys import CLINIC_KEY_CASE as CLINIC_KEY_CASE
from ncii_desk.clinic.clinickeys import ClinicKeyring
from ncii_desk.clinic.store import (
    ClinicError,
    ClinicStore,
    _reachable,
    _read_record,
    check_revision,
    lock_writers,
    make_engine,
    member_record,
    resolve_member,
    status_of,
    wrap_clinic_key,
)
from ncii_desk.clinic.store import ClinicRolledBack as ClinicRolledBack
from ncii_desk.clinic.store import MemberKeyUnusable as MemberKeyUnusable
from ncii_desk.clinic.store import MemberPending as MemberPending
from ncii_desk.clinic.store import MemberRemoved as MemberRemoved
from ncii_desk.clinic.store import MemberUnknown as MemberUnknown
from ncii_desk.clinic.store import check_not_rolled_back as check_not_rolled_back
from ncii_desk.clinic.store import current_head as current_head
from ncii_desk.clinic.store import unwrap_clinic_key as unwrap_clinic_key
from ncii_desk.errors import VaultCorrupt
from ncii_desk.vault.keys import KdfParams, b64d, b64e, canonical_json, hkdf, utc_now
from ncii_desk.vault.members import (
    CaseKey,
    CaseKeyRefused,
    MemberKeys,
    MemberPublic,
    NewMember,
    create_member,
    unwrap_case_key,
    wrap_case_key,
)
from ncii_desk.vault.models import ClinicMember, Setting

if TYPE_CHECKING:
    from collections.abc import Iterable

_NAME_LABEL = b"ncii-desk/v1/clinic/member-name"
_PENDING_LABEL = b"ncii-desk/v1/clinic/pending-name|"
_NAME_PREFIX = "nm1."  # version 1 of the clinic key
_NAME_PREFIX_V = "nm2."  # later versions: nm2.<version>.<sealed>
_PENDING_FORMAT = "ncii-desk-pending-name"
NAME_MAX_CHARS = 200

ACTION_ADMITTED = "clinic.member_admitted"
ACTION_REMOVED = "clinic.member_removed"
ACTION_KEY_CHANGED = "clinic.member_key_changed"


# --- errors --------------------------------------------------------------------------------


class FingerprintMismatch(ClinicError):
    exit_code = 3
    default_hint = (
        "Nothing was changed. Ask the new member to read their fingerprint out again (ncii-desk "
        "prints it at 'clinic join'); if it still differs, someone may have put another key in "
        "the clinic database: do not admit it and tell your administrator."
    )


# --- key wraps and sealed names ----------------------------------------------------------


def _name_key(data_key: bytes, clinic_id: str) -> bytes:
    return hkdf(data_key, _NAME_LABEL, uuid.UUID(clinic_id).bytes)


def _name_aad(clinic_id: str, member_id: str, version: int = 1) -> bytes:
    bound = b"" if version == 1 else b"|v%d" % version
    return _NAME_LABEL + b"|" + clinic_id.encode() + b"|" + member_id.encode() + bound


def clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > NAME_MAX_CHARS:
        raise ClinicError(
            "A member's display name must be 1 to 200 characters.",
            "Give the name the other members know you by (--name or --member-name).",
        )
    return name


def seal_name(data_key: bytes, clinic_id: str, member_id: str, name: str, version: int = 1) -> str:
    """``name`` sealed under version ``version`` of the clinic key (``data_key``)."""
    nonce = secrets.token_bytes(12)
    body = AESGCM(_name_key(data_key, clinic_id)).encrypt(
        nonce, name.encode("utf-8"), _name_aad(clinic_id, member_id, version)
    )
    prefix = _NAME_PREFIX if version == 1 else f"{_NAME_PREFIX_V}{version}."
    return prefix + b64e(nonce + body)


def open_name(
    keys: ClinicKeyring, clinic_id: str, member_id: str, sealed: str | None
) -> str | None:
    """The display name, or None when there is none or it does not open (altered, moved,
    or sealed under a clinic key version ``keys`` does not reach)."""
    if not sealed:
        return None
    if sealed.startswith(_NAME_PREFIX):
        version, text = 1, sealed[len(_NAME_PREFIX) :]
    elif sealed.startswith(_NAME_PREFIX_V):
        number, _, text = sealed[len(_NAME_PREFIX_V) :].partition(".")
        if not number.isdigit():
            return None
        version = int(number)
    else:
        return None
    if not keys.has(version):
        return None
    try:
        raw = b64d(text)
        plain = AESGCM(_name_key(keys.key(version), clinic_id)).decrypt(
            raw[:12], raw[12:], _name_aad(clinic_id, member_id, version)
        )
        return plain.decode("utf-8")
    except (InvalidTag, ValueError, UnicodeDecodeError):
        return None


def _pending_context(clinic_id: str, member_id: str) -> bytes:
    return _PENDING_LABEL + canonical_json({"clinic_id": clinic_id, "member_id": member_id})


def seal_pending_name(newcomer: MemberKeys, name: str, readers: Iterable[MemberPublic]) -> str:
    """A newcomer's name, readable by ``readers`` (the admitted members) and signed by the
    newcomer, for the row while it waits to be admitted."""
    key = secrets.token_bytes(32)
    nonce = secrets.token_bytes(12)
    context = _pending_context(newcomer.clinic_id, newcomer.member_id)
    body: dict[str, Any] = {
        "format": _PENDING_FORMAT,
        "nonce": b64e(nonce),
        "ciphertext": b64e(AESGCM(key).encrypt(nonce, name.encode("utf-8"), context)),
        "wraps": {
            r.member_id: wrap_case_key(
                CaseKey(newcomer.clinic_id, "pending-name:" + newcomer.member_id, 1, key), r
            )
            for r in readers
        },
    }
    body["signature"] = b64e(newcomer.sign(context + canonical_json(body)))
    return canonical_json(body).decode("utf-8")


def open_pending_name(sealed: str | None, reader: MemberKeys, newcomer: MemberPublic) -> str | None:
    """The name a pending member gave, if ``reader`` was admitted when they joined and the
    newcomer's signature holds; else None."""
    import json

    try:
        body = json.loads(sealed or "")
        if not isinstance(body, dict) or body.get("format") != _PENDING_FORMAT:
            return None
        signature = b64d(body.pop("signature"))
        context = _pending_context(newcomer.clinic_id, newcomer.member_id)
        Ed25519PublicKey.from_public_bytes(newcomer.ed25519).verify(
            signature, context + canonical_json(body)
        )
        wrapped = body["wraps"].get(reader.member_id)
        if wrapped is None:
            return None
        key = unwrap_case_key(
            wrapped, reader, case_id="pending-name:" + newcomer.member_id, version=1
        ).key
        plain = AESGCM(key).decrypt(b64d(body["nonce"]), b64d(body["ciphertext"]), context)
        return plain.decode("utf-8")
    except (InvalidSignature, InvalidTag, CaseKeyRefused, ValueError, KeyError, TypeError):
        return None


# --- the directory -----------------------------------------------------------------------


@dataclass(frozen=True)
class MemberInfo:
    """One row of the directory, as the members list shows it."""

    member_id: str
    name: str | None
    fingerprint: str
    status: str  # "admitted", "pending" or "removed"
    added_at: datetime
    added_by: str | None
    removed_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "member_id": self.member_id,
            "name": self.name,
            "fingerprint": self.fingerprint,
            "status": self.status,
            "added_at": self.added_at.isoformat(),
            "added_by": self.added_by,
            "removed_at": self.removed_at.isoformat() if self.removed_at else None,
        }


def normal_fingerprint(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def list_members(store: ClinicStore) -> list[MemberInfo]:
    """Every member, oldest first, with names opened by the clinic key (a pending member's
    name only if this member was admitted when they joined)."""
    out = []
    with store.session() as s:
        ring = clinickeys.refresh(store, s)
        rows = list(s.scalars(select(ClinicMember).order_by(ClinicMember.added_at)))
    for row in rows:
        try:
            public: MemberPublic | None = member_record(row, store.vault_id).public
        except VaultCorrupt:
            public = None
        status = status_of(row)
        if status == "pending":
            name = (
                open_pending_name(row.name_sealed, store.member, public)
                if store.member is not None and public is not None
                else None
            )
        else:
            name = open_name(ring, store.vault_id, row.member_id, row.name_sealed)
        out.append(
            MemberInfo(
                member_id=row.member_id,
                name=name,
                fingerprint=public.fingerprint if public else "(damaged key record)",
                status=status,
                added_at=row.added_at,
                added_by=row.added_by,
                removed_at=row.removed_at,
            )
        )
    return out


def _admitted_event(public: MemberPublic, by: str | None) -> dict[str, Any]:
    return {
        "member_id": public.member_id,
        "fingerprint": public.fingerprint,
        "signing_fingerprint": public.signing_fingerprint,
        "admitted_by": by,
    }


def add_first_member(store: ClinicStore, new: NewMember, name: str) -> MemberInfo:
    """Inside a freshly initialised clinic: the first member, admitted by the clinic key's
    creator (who holds it in memory only)."""
    data_key = store.clinic_data_key()
    name = clean_name(name)
    public = new.record.public
    with store.transaction() as s:
        if s.scalar(select(ClinicMember.member_id).limit(1)) is not None:
            raise ClinicError(
                "This clinic already has members; the first member is made only at init.",
                "Join with 'ncii-desk clinic join' and ask a member to admit you.",
            )
        row = ClinicMember(
            member_id=public.member_id,
            key_record=new.record.to_text(),
            clinic_key_wrap=wrap_clinic_key(store.vault_id, data_key, public),
            name_sealed=seal_name(data_key, store.vault_id, public.member_id, name),
            added_at=utc_now(),
            added_by=public.member_id,
        )
        s.add(row)
        store.audit(s, ACTION_ADMITTED, public.member_id, _admitted_event(public, None))
    return MemberInfo(
        public.member_id, name, public.fingerprint, "admitted", row.added_at, row.added_by, None
    )


def enrol(url: str, passphrase: str, name: str, *, kdf: KdfParams | None = None) -> NewMember:
    """``clinic join``: a new member's identity, stored as a pending row (no clinic key)."""
    name = clean_name(name)
    engine = make_engine(url)
    try:
        with _reachable(url), Session(engine) as s:
            record = _read_record(s, url)
            check_revision(record)
        new = create_member(record.clinic_id, passphrase, kdf=kdf)
        with _reachable(url), Session(engine) as s, s.begin():
            lock_writers(s)
            readers = []
            for row in s.scalars(select(ClinicMember)):
                if status_of(row) == "admitted":
                    try:
                        readers.append(member_record(row, record.clinic_id).public)
                    except VaultCorrupt:
                        continue
            s.add(
                ClinicMember(
                    member_id=new.keys.member_id,
                    key_record=new.record.to_text(),
                    clinic_key_wrap=None,
                    name_sealed=seal_pending_name(new.keys, name, readers),
                    added_at=utc_now(),
                    added_by=None,
                )
            )
    finally:
        engine.dispose()
    return new


def _require_member(store: ClinicStore, what: str) -> MemberKeys:
    if store.member is None:
        raise ClinicError(
            f"Only a member can {what}; this clinic store was opened with a bare key.",
            "Open it as a member (--member ID).",
        )
    return store.member


def admit(store: ClinicStore, member: str, fingerprint: str) -> MemberInfo:
    """Wrap the clinic key to a pending member whose fingerprint matches ``fingerprint``.

    A mismatch (or a member who is not pending) is refused before anything is written."""
    admitter = _require_member(store, "admit a new member")
    with store.transaction() as s:
        ring = store.keyring  # the newest version (the transaction picked up any rotation)
        data_key, version = ring.key(), ring.newest
        row = resolve_member(s, member)
        status = status_of(row)
        if status != "pending":
            raise ClinicError(
                f"Member {row.member_id} is {status}, not waiting to be admitted.",
                "A removed member joins anew with 'ncii-desk clinic join'."
                if status == "removed"
                else "Nothing to do.",
            )
        public = member_record(row, store.vault_id).public
        if not hmac.compare_digest(
            normal_fingerprint(public.fingerprint), normal_fingerprint(fingerprint)
        ):
            raise FingerprintMismatch(
                f"The fingerprint you typed does not match the key of member {row.member_id}: "
                "the member was not admitted."
            )
        name = open_pending_name(row.name_sealed, admitter, public)
        row.clinic_key_wrap = wrap_clinic_key(store.vault_id, data_key, public, version)
        row.name_sealed = (
            seal_name(data_key, store.vault_id, row.member_id, name, version) if name else None
        )
        row.added_by = admitter.member_id
        store.audit(s, ACTION_ADMITTED, row.member_id, _admitted_event(public, admitter.member_id))
        return MemberInfo(
            row.member_id, name, public.fingerprint, "admitted", row.added_at, row.added_by, None
        )


def rotate(store: ClinicStore, s: Session, reason: dict[str, Any]) -> int:
    """Inside ``store``'s write transaction: make the next version, wrap it to every admitted
    member, seal the previous version under it, record the rotation in the audit chain (MACed
    with the previous version), re-seal member names and the drop list. Returns the version.
    """
    ring = clinickeys.session_ring(store, s)
    old_version, old_key = ring.newest, ring.key()
    version, new_key = old_version + 1, secrets.token_bytes(32)
    chain = clinickeys.read_chain(s)
    links = dict(chain.get("links") or {})
    checks = dict(chain.get("checks") or {})
    links[str(version)] = clinickeys.seal_link(new_key, old_key, store.vault_id, version)
    checks.setdefault(str(old_version), clinickeys.key_check(old_key, store.vault_id, old_version))
    checks[str(version)] = clinickeys.key_check(new_key, store.vault_id, version)
    value = {"newest": version, "links": links, "checks": checks}
    row = s.get(Setting, clinickeys.KEYCHAIN_KEY)
    if row is None:
        s.add(Setting(key=clinickeys.KEYCHAIN_KEY, value=value))
    else:
        row.value = value
    wrapped_to = []
    for member in s.scalars(select(ClinicMember).order_by(ClinicMember.member_id)):
        if status_of(member) == "removed":
            continue
        name = open_name(ring, store.vault_id, member.member_id, member.name_sealed)
        if status_of(member) == "admitted":
            try:
                public = member_record(member, store.vault_id).public
            except ClinicError:
                continue  # a damaged key record opens nothing; its old wrap stays old
            member.clinic_key_wrap = clinickeys.wrap_clinic_key(
                store.vault_id, new_key, public, version
            )
            wrapped_to.append(member.member_id)
        if name is not None:
            member.name_sealed = seal_name(new_key, store.vault_id, member.member_id, name, version)
    store.audit(
        s,
        clinickeys.ACTION_KEY_ROTATED,
        f"{clinickeys.ROTATED_PREFIX}{version}",
        {"version": version, "wrapped_to": wrapped_to, **reason},
    )
    new_ring = ring.added(version, new_key)
    s.info[clinickeys.PENDING_RING] = new_ring
    clinickeys.remac_settings(s, ring, new_ring)
    dropped = s.get(Setting, clinickeys.DROPPED_KEY)
    if dropped is not None:  # listed blobs stay listed, under the new version's MAC
        dropped.value = clinickeys.drop_list(new_ring, clinickeys.dropped_in(s, ring))
    return version


def remove(store: ClinicStore, member: str) -> MemberInfo:
    """Delete a member's clinic key wrap, mark them removed (the row stays) and rotate the
    clinic key (:func:`ncii_desk.clinic.clinickeys.rotate`), all in one transaction."""
    actor = _require_member(store, "remove a member")
    with store.transaction() as s:
        row = resolve_member(s, member)
        if row.member_id == actor.member_id:
            raise ClinicError(
                "You cannot remove yourself from the clinic.",
                "Ask another admitted member to remove you.",
            )
        if row.removed_at is not None:
            raise ClinicError(f"Member {row.member_id} was already removed.", "Nothing to do.")
        try:
            fingerprint = member_record(row, store.vault_id).public.fingerprint
        except VaultCorrupt:
            fingerprint = None
        row.clinic_key_wrap = None
        row.removed_at = utc_now()
        s.flush()
        # A new clinic key version for everyone still admitted (its event MACed with the
        # old version); the removal event after it is the first under the new version.
        rotate(store, s, {"removed": row.member_id})
        store.audit(
            s,
            ACTION_REMOVED,
            row.member_id,
            {"member_id": row.member_id, "fingerprint": fingerprint, "removed_by": actor.member_id},
        )
        name = open_name(store.keyring, store.vault_id, row.member_id, row.name_sealed)
        return MemberInfo(
            row.member_id,
            name,
            fingerprint or "(damaged key record)",
            "removed",
            row.added_at,
            row.added_by,
            row.removed_at,
        )


def change_passphrase(
    store: ClinicStore, new_passphrase: str, *, current: str | None, kdf: KdfParams | None = None
) -> int:
    """A new passphrase for the member who opened the store; returns the record's new
    generation. With ``current`` the present passphrase is checked first."""
    keys = _require_member(store, "change a member passphrase")
    from ncii_desk.errors import WrongPassphrase

    with store.transaction() as s:
        row = resolve_member(s, keys.member_id)
        record = member_record(row, store.vault_id)
        if current is not None:
            try:
                record.unlock(current)
            except WrongPassphrase:
                raise WrongPassphrase(
                    "The current passphrase is not right, so the passphrase was not changed.",
                    "Type the passphrase you opened the clinic store with (check Caps Lock).",
                ) from None
        new_record = record.with_passphrase(keys, new_passphrase, kdf)
        row.key_record = new_record.to_text()
        store.audit(
            s,
            ACTION_KEY_CHANGED,
            keys.member_id,
            {"member_id": keys.member_id, "generation": new_record.generation},
        )
        return new_record.generation
