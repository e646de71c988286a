"""Keys per clinic member and per case (issue 19 §2, "Keys"): the server never sees plaintext.

Member identity
    A member holds a random 32-byte secret seed. Two key pairs come from it through HKDF:
    X25519 (case keys are wrapped to it) and Ed25519 (membership changes are signed with it).
    The seed is stored only wrapped, in the member's key record (a JSON text the clinic
    server keeps): under an Argon2id key from the member's passphrase (same bounds as the
    vault header: parameters in the record, checked against the ceilings before Argon2id
    runs) and, separately, under the member's recovery key (32 random bytes, printed once in
    the vault's base32 groups). The record carries an HMAC under a key from the seed, so an
    edit anywhere in it (public keys, generation, the other wrap) is caught after unlock.

Case keys
    Each case has random 256-bit data keys, numbered by version (1, 2, ...); the newest is
    the one new writes use. A key is wrapped to a member with an ephemeral X25519 exchange,
    HKDF-SHA256 and AES-256-GCM; the HKDF input and the associated data both bind the clinic
    id, case id, key version and member id, so a wrap copied to another member, case or
    version does not open. Adding a member wraps every version the adder holds for them;
    removing one makes a new version wrapped only to those who remain (old versions stay
    readable to them) and deletes the removed member's wraps.

Membership records
    Every change (case created, member added, member removed) is a record signed with the
    acting member's Ed25519 key, chained to the previous record by SHA-256 and listing the
    whole membership after the change (member id, role, key fingerprints). Its text goes
    into the audit chain; :func:`verify_membership` checks a case's records end to end.
    Each record also commits to the current key version (:func:`key_commitment`), so a key
    that someone wrapped on their own to members' public keys is refused.

Letter sign-off
    :func:`sign_off` signs a document's id and SHA-256 with a supervising attorney's Ed25519
    key and names the membership it was made under; :func:`verify_sign_off` checks it
    against the records as they stood then.

Someone with the clinic database (and not a member's passphrase or recovery key) cannot read
a case key, a sensitive column or a private key, cannot forge a membership change, a role
or a letter sign-off, and cannot slip in a key of their own or swap a member's public key
unnoticed (:meth:`CaseKeyring.verify`). They can see ids, times, sizes, who is on which case,
roles and key fingerprints; delete or withhold rows (a denial, shown by verification when
the records no longer chain); show an older but complete state to a client that never saw
a newer one (a client that did passes its last (seq, head) as ``seen`` and refuses it); and
try passphrases offline against a member's Argon2id record. A removed member keeps whatever
they already read or saved, including old key versions: rotation protects what is written
afterwards.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ncii_desk.errors import RecoveryKeyInvalid, VaultCorrupt, WrongPassphrase
from ncii_desk.vault import keys as _keys
from ncii_desk.vault import roles
from ncii_desk.vault.keys import (
    KdfParamError,
    KdfParams,
    b64d,
    b64e,
    canonical_json,
    check_passphrase_strength,
    derive_passphrase_key,
    format_recovery_key,
    hkdf,
    new_recovery_key,
    parse_recovery_key,
    tune_kdf,
    utc_now_iso,
)
from ncii_desk.vault.roles import MemberRole

RECORD_FORMAT = "ncii-desk-member-key"
WRAP_FORMAT = "ncii-desk-case-key-wrap"
CHANGE_FORMAT = "ncii-desk-membership-change"
FORMAT_VERSION = 1
SEED_BYTES = 32
CASE_KEY_BYTES = 32
_X25519_LABEL = b"ncii-desk/v1/member/x25519"
_ED25519_LABEL = b"ncii-desk/v1/member/ed25519"
_RECORD_MAC_LABEL = b"ncii-desk/v1/member/record-mac"
_RECOVERY_LABEL = b"ncii-desk/v1/member/recovery-wrap"
_CASE_WRAP_LABEL = b"ncii-desk/v1/case-key-wrap"
_CHANGE_SIG_LABEL = b"ncii-desk/v1/membership-change|"
_COMMIT_LABEL = b"ncii-desk/v1/case-key-commitment"
_SIGN_OFF_LABEL = b"ncii-desk/v1/letter-sign-off|"
SIGN_OFF_FORMAT = "ncii-desk-letter-sign-off"


class MemberKeyCorrupt(VaultCorrupt):
    """A member's key record was damaged or altered."""

    def __init__(self, message: str, *, member_id: str, entry: str | None = None) -> None:
        super().__init__(
            message,
            file=f"member key record {member_id}",
            entry=entry,
            hint="Do not change this member's keys. Ask the clinic's administrator to restore "
            "the member's key record from a backup; the member's recovery key still opens a "
            "good copy.",
        )


class CaseKeyRefused(VaultCorrupt):
    """A wrapped case key does not open for this member, case and version."""

    def __init__(
        self, message: str, *, case_id: str, version: int, hint: str | None = None
    ) -> None:
        super().__init__(
            message,
            file=f"case key {case_id} version {version}",
            entry="wrap",
            hint=hint
            or "Ask a supervising attorney on the case to add you to it again; if they see the "
            "same error, the clinic server's key table was altered and needs checking.",
        )


class SignOffInvalid(VaultCorrupt):
    """A letter's sign-off does not verify."""

    def __init__(self, message: str, *, document_id: str) -> None:
        super().__init__(
            message,
            file=f"sign-off of document {document_id}",
            entry="signature",
            hint="Do not send this letter as signed off. Ask a supervising attorney on the "
            "case to review and sign it off again.",
        )


class MembershipInvalid(VaultCorrupt):
    """A case's chain of signed membership records does not verify."""

    def __init__(self, message: str, *, case_id: str, seq: int) -> None:
        super().__init__(
            message,
            file=f"membership of case {case_id}",
            entry=f"record {seq}",
            hint="Do not add or remove members until this is resolved: the clinic server's "
            "records were altered. Compare with a case export or backup.",
        )


# --- small helpers ------------------------------------------------------------------------


def key_fingerprint(public_key: bytes) -> str:
    """First 20 bytes of SHA-256 of a raw public key, base32 in groups of four (read aloud
    by phone to compare; the same form as the hand-over keys' fingerprints)."""
    text = base64.b32encode(hashlib.sha256(public_key).digest()[:20]).decode("ascii")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def _raw_public(key: X25519PublicKey | Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _uuid_bytes(value: str) -> bytes:
    return uuid.UUID(value).bytes


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


# --- member identity ----------------------------------------------------------------------


@dataclass(frozen=True)
class MemberPublic:
    """What anyone may know about a member: ids, public keys, fingerprints."""

    clinic_id: str
    member_id: str
    x25519: bytes
    ed25519: bytes

    @property
    def fingerprint(self) -> str:
        """The fingerprint members compare by phone before trusting a key (of the wrapping
        key; the signing key's comes with it in every membership record)."""
        return key_fingerprint(self.x25519)

    @property
    def signing_fingerprint(self) -> str:
        return key_fingerprint(self.ed25519)


class MemberKeys:
    """An unlocked member: the private keys, in memory only while the member works."""

    def __init__(self, clinic_id: str, member_id: str, seed: bytes) -> None:
        self.clinic_id = clinic_id
        self.member_id = member_id
        self._seed = seed
        salt = _uuid_bytes(member_id)
        self._x25519 = X25519PrivateKey.from_private_bytes(hkdf(seed, _X25519_LABEL, salt))
        self._ed25519 = Ed25519PrivateKey.from_private_bytes(hkdf(seed, _ED25519_LABEL, salt))
        self.public = MemberPublic(
            clinic_id,
            member_id,
            _raw_public(self._x25519.public_key()),
            _raw_public(self._ed25519.public_key()),
        )

    def __repr__(self) -> str:  # never the keys
        return f"MemberKeys(member_id={self.member_id!r})"

    def _record_mac_key(self) -> bytes:
        return hkdf(self._seed, _RECORD_MAC_LABEL, _uuid_bytes(self.member_id))

    def exchange(self, peer_public: bytes) -> bytes:
        return self._x25519.exchange(X25519PublicKey.from_public_bytes(peer_public))

    def sign(self, data: bytes) -> bytes:
        return self._ed25519.sign(data)


def _wrap(key: bytes, secret: bytes, aad: bytes) -> dict[str, str]:
    nonce = secrets.token_bytes(12)
    return {"nonce": b64e(nonce), "ciphertext": b64e(AESGCM(key).encrypt(nonce, secret, aad))}


@dataclass(frozen=True)
class MemberKeyRecord:
    """A member's key record as the clinic server stores it (:meth:`to_text`)."""

    body: Mapping[str, Any]

    # fields ------------------------------------------------------------------------------

    @property
    def clinic_id(self) -> str:
        return str(self.body["clinic_id"])

    @property
    def member_id(self) -> str:
        return str(self.body["member_id"])

    @property
    def generation(self) -> int:
        return int(self.body["generation"])

    @property
    def kdf(self) -> KdfParams:
        return KdfParams.from_json(self.body["kdf"])

    @property
    def public(self) -> MemberPublic:
        pub = self.body["public"]
        return MemberPublic(
            self.clinic_id, self.member_id, b64d(pub["x25519"]), b64d(pub["ed25519"])
        )

    def _id_fields(self) -> dict[str, Any]:
        return {k: self.body[k] for k in ("format", "version", "clinic_id", "member_id")}

    def _passphrase_aad(self) -> bytes:
        return canonical_json(self._id_fields() | {"kdf": self.body["kdf"]}) + b"|passphrase"

    def _recovery_aad(self) -> bytes:
        salt = self.body["wrapped"]["recovery"]["salt"]
        return canonical_json(self._id_fields() | {"salt": salt}) + b"|recovery"

    def _recovery_wrap_key(self, recovery_key: bytes) -> bytes:
        return hkdf(recovery_key, _RECOVERY_LABEL, b64d(self.body["wrapped"]["recovery"]["salt"]))

    def _mac(self, keys: MemberKeys) -> str:
        body = {k: v for k, v in self.body.items() if k != "mac"}
        return hmac.new(keys._record_mac_key(), canonical_json(body), hashlib.sha256).hexdigest()

    # unlock ------------------------------------------------------------------------------

    def _open(self, key: bytes, wrapped: Mapping[str, Any], aad: bytes) -> bytes | None:
        try:
            seed = AESGCM(key).decrypt(b64d(wrapped["nonce"]), b64d(wrapped["ciphertext"]), aad)
        except InvalidTag:
            return None
        return seed

    def _keys_from(self, seed: bytes) -> MemberKeys:
        keys = MemberKeys(self.clinic_id, self.member_id, seed)
        if not hmac.compare_digest(self._mac(keys), str(self.body.get("mac", ""))):
            raise MemberKeyCorrupt(
                "This member's key record was altered: its authentication code does not match.",
                member_id=self.member_id,
                entry="mac",
            )
        if keys.public != self.public:
            raise MemberKeyCorrupt(
                "This member's key record names public keys that do not belong to it.",
                member_id=self.member_id,
                entry="public",
            )
        return keys

    def unlock(self, passphrase: str) -> MemberKeys:
        key = derive_passphrase_key(passphrase, self.kdf)
        seed = self._open(key, self.body["wrapped"]["passphrase"], self._passphrase_aad())
        if seed is None:
            raise WrongPassphrase(
                "The passphrase is not correct for this member.",
                hint="Check Caps Lock and the keyboard layout and try again. If the passphrase "
                "is lost, use your personal recovery key to set a new one.",
            )
        return self._keys_from(seed)

    def recover(self, recovery_key: str) -> MemberKeys:
        raw = parse_recovery_key(recovery_key)
        seed = self._open(
            self._recovery_wrap_key(raw), self.body["wrapped"]["recovery"], self._recovery_aad()
        )
        if seed is None:
            raise RecoveryKeyInvalid(
                "This recovery key does not belong to this member.",
                hint="Check that you typed the recovery key printed for you (not the vault's or "
                "another member's).",
            )
        return self._keys_from(seed)

    # change ------------------------------------------------------------------------------

    def with_passphrase(
        self, keys: MemberKeys, new_passphrase: str, kdf: KdfParams | None = None
    ) -> MemberKeyRecord:
        """A new record (generation + 1) whose passphrase wrap uses ``new_passphrase``; the
        recovery wrap is kept, so the recovery key goes on working."""
        if keys.member_id != self.member_id or keys.public != self.public:
            raise ValueError("keys of another member")
        check_passphrase_strength(new_passphrase)
        return _build_record(
            keys,
            seed=keys._seed,
            passphrase=new_passphrase,
            kdf=kdf
            or tune_kdf(  # never weaker than before, and lifted to the floor if it was below
                memory_kib=max(self.kdf.memory_kib, _keys.TUNING_FLOOR.memory_kib),
                parallelism=self.kdf.parallelism,
            ),
            created_at=str(self.body["created_at"]),
            generation=self.generation + 1,
            recovery_wrapped=dict(self.body["wrapped"]["recovery"]),
        )

    def with_new_recovery_key(self, keys: MemberKeys) -> tuple[MemberKeyRecord, str]:
        """A new record (generation + 1) with a fresh recovery key, for when the old one was
        lost or seen by someone else; the old one stops working, the passphrase goes on.
        Returns the record and the new key's text (shown once)."""
        if keys.member_id != self.member_id or keys.public != self.public:
            raise ValueError("keys of another member")
        recovery = new_recovery_key()
        record = _build_record(
            keys,
            seed=keys._seed,
            kdf=self.kdf,
            created_at=str(self.body["created_at"]),
            generation=self.generation + 1,
            passphrase_wrapped=dict(self.body["wrapped"]["passphrase"]),
            recovery_key=recovery,
        )
        return record, format_recovery_key(recovery)

    def reset_passphrase(
        self, recovery_key: str, new_passphrase: str, kdf: KdfParams | None = None
    ) -> tuple[MemberKeys, MemberKeyRecord]:
        """For a forgotten passphrase: open with the recovery key, set a new passphrase."""
        keys = self.recover(recovery_key)
        return keys, self.with_passphrase(keys, new_passphrase, kdf)

    # text --------------------------------------------------------------------------------

    def to_text(self) -> str:
        return canonical_json(dict(self.body)).decode("utf-8")

    @classmethod
    def from_text(cls, text: str) -> MemberKeyRecord:
        body = _loads(text)
        member_id = str(body.get("member_id", "?")) if isinstance(body, dict) else "?"
        if (
            not isinstance(body, dict)
            or body.get("format") != RECORD_FORMAT
            or body.get("version") != FORMAT_VERSION
        ):
            raise MemberKeyCorrupt(
                "This is not a member key record of a known version.",
                member_id=member_id,
                entry="format",
            )
        record = cls(body)
        try:
            uuid.UUID(record.member_id)
            uuid.UUID(record.clinic_id)
            int(body["generation"])
            pub = record.public
            if len(pub.x25519) != 32 or len(pub.ed25519) != 32:
                raise ValueError("public key size")
            for name in ("passphrase", "recovery"):
                wrapped = body["wrapped"][name]
                b64d(wrapped["nonce"])
                b64d(wrapped["ciphertext"])
            b64d(body["wrapped"]["recovery"]["salt"])
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            raise MemberKeyCorrupt(
                "This member's key record has missing or invalid fields.",
                member_id=member_id,
                entry="fields",
            ) from exc
        try:
            record.kdf  # noqa: B018 - bound-checked before any Argon2id run
        except (KdfParamError, KeyError, TypeError, AttributeError) as exc:
            field_name = exc.field if isinstance(exc, KdfParamError) else "kdf"
            raise MemberKeyCorrupt(
                f"This member's key record has an unacceptable key-derivation setting "
                f"({field_name}); it was refused before any key was derived.",
                member_id=member_id,
                entry=f"kdf.{field_name}",
            ) from exc
        return record


def _build_record(
    keys: MemberKeys,
    *,
    seed: bytes,
    kdf: KdfParams,
    created_at: str,
    generation: int,
    passphrase: str | None = None,
    passphrase_wrapped: dict[str, str] | None = None,
    recovery_wrapped: dict[str, str] | None = None,
    recovery_key: bytes | None = None,
) -> MemberKeyRecord:
    """A record with a new passphrase wrap (``passphrase``) or the old one kept
    (``passphrase_wrapped``, with its ``kdf``), and likewise for the recovery wrap."""
    kdf.validate()
    pub = keys.public
    body: dict[str, Any] = {
        "format": RECORD_FORMAT,
        "version": FORMAT_VERSION,
        "clinic_id": keys.clinic_id,
        "member_id": keys.member_id,
        "created_at": created_at,
        "generation": generation,
        "kdf": kdf.to_json(),
        "public": {"x25519": b64e(pub.x25519), "ed25519": b64e(pub.ed25519)},
        "wrapped": {},
    }
    record = MemberKeyRecord(body)
    if recovery_wrapped is None:
        assert recovery_key is not None
        body["wrapped"]["recovery"] = {"salt": b64e(secrets.token_bytes(16))}
        body["wrapped"]["recovery"].update(
            _wrap(record._recovery_wrap_key(recovery_key), seed, record._recovery_aad())
        )
    else:
        body["wrapped"]["recovery"] = recovery_wrapped
    if passphrase_wrapped is None:
        assert passphrase is not None
        body["wrapped"]["passphrase"] = _wrap(
            derive_passphrase_key(passphrase, kdf), seed, record._passphrase_aad()
        )
    else:
        body["wrapped"]["passphrase"] = passphrase_wrapped
    body["mac"] = record._mac(keys)
    return record


@dataclass(frozen=True)
class NewMember:
    keys: MemberKeys
    record: MemberKeyRecord
    #: Shown once, to print or write down; NCII Desk keeps no copy.
    recovery_key: str


def create_member(
    clinic_id: str,
    passphrase: str,
    *,
    kdf: KdfParams | None = None,
    member_id: str | None = None,
) -> NewMember:
    """A new member identity: fresh seed, key pairs, passphrase and recovery wraps."""
    check_passphrase_strength(passphrase)
    member_id = member_id or uuid.uuid4().hex
    uuid.UUID(clinic_id)
    uuid.UUID(member_id)
    seed = secrets.token_bytes(SEED_BYTES)
    recovery = new_recovery_key()
    keys = MemberKeys(clinic_id, member_id, seed)
    record = _build_record(
        keys,
        seed=seed,
        passphrase=passphrase,
        kdf=kdf or tune_kdf(),
        created_at=utc_now_iso(),
        generation=1,
        recovery_key=recovery,
    )
    return NewMember(keys, record, format_recovery_key(recovery))


# --- case keys ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseKey:
    """One version of a case's data key (in memory only)."""

    clinic_id: str
    case_id: str
    version: int
    key: bytes = field(repr=False)


def key_commitment(case_key: CaseKey) -> str:
    """A one-way check value of a case key version, which the signed membership records
    carry: a key the database offers is used only if it matches (see :func:`check_case_key`)."""
    context = canonical_json(
        {"clinic_id": case_key.clinic_id, "case_id": case_key.case_id, "version": case_key.version}
    )
    return hkdf(case_key.key, _COMMIT_LABEL + context).hex()


def _wrap_context(clinic_id: str, case_id: str, version: int, member_id: str) -> bytes:
    return canonical_json(
        {"clinic_id": clinic_id, "case_id": case_id, "key_version": version, "member_id": member_id}
    )


def _case_wrap_key(shared: bytes, ephemeral: bytes, member_x25519: bytes, context: bytes) -> bytes:
    if not any(shared):  # a low-order point: refuse rather than derive from zeros
        raise ValueError("degenerate key exchange")
    return hkdf(shared, _CASE_WRAP_LABEL + ephemeral + member_x25519 + context)


def wrap_case_key(case_key: CaseKey, member: MemberPublic) -> str:
    """``case_key`` wrapped to ``member``, as the text the key table stores."""
    if member.clinic_id != case_key.clinic_id:
        raise ValueError("member of another clinic")
    context = _wrap_context(
        case_key.clinic_id, case_key.case_id, case_key.version, member.member_id
    )
    ephemeral = X25519PrivateKey.generate()
    eph_pub = _raw_public(ephemeral.public_key())
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(member.x25519))
    key = _case_wrap_key(shared, eph_pub, member.x25519, context)
    nonce = secrets.token_bytes(12)
    body = {
        "format": WRAP_FORMAT,
        "version": FORMAT_VERSION,
        "clinic_id": case_key.clinic_id,
        "case_id": case_key.case_id,
        "key_version": case_key.version,
        "member_id": member.member_id,
        "ephemeral": b64e(eph_pub),
        "nonce": b64e(nonce),
        "ciphertext": b64e(AESGCM(key).encrypt(nonce, case_key.key, _CASE_WRAP_LABEL + context)),
    }
    return canonical_json(body).decode("ascii")


def unwrap_case_key(wrapped: str, member: MemberKeys, *, case_id: str, version: int) -> CaseKey:
    """Open a wrapped case key for ``member``, expecting it to be ``case_id`` at ``version``.

    The expected values (never the ones the wrap states) go into the key derivation and the
    associated data, so a wrap moved from another member, case or version is refused."""
    body = _loads(wrapped)
    if not isinstance(body, dict) or body.get("format") != WRAP_FORMAT:
        raise CaseKeyRefused(
            f"The stored key of case {case_id} (version {version}) is not a wrapped case key.",
            case_id=case_id,
            version=version,
        )
    if body.get("member_id") != member.member_id:
        raise CaseKeyRefused(
            f"The stored key of case {case_id} (version {version}) was wrapped for another "
            "member, not for you.",
            case_id=case_id,
            version=version,
            hint="Ask a supervising attorney on the case to add you to it.",
        )
    if (
        body.get("case_id") != case_id
        or body.get("key_version") != version
        or body.get("clinic_id") != member.clinic_id
    ):
        raise CaseKeyRefused(
            f"The stored key of case {case_id} (version {version}) belongs to another case, "
            "version or clinic.",
            case_id=case_id,
            version=version,
        )
    context = _wrap_context(member.clinic_id, case_id, version, member.member_id)
    try:
        eph = b64d(body["ephemeral"])
        shared = member.exchange(eph)
        key = _case_wrap_key(shared, eph, member.public.x25519, context)
        secret = AESGCM(key).decrypt(
            b64d(body["nonce"]), b64d(body["ciphertext"]), _CASE_WRAP_LABEL + context
        )
    except (InvalidTag, KeyError, ValueError, TypeError):
        raise CaseKeyRefused(
            f"The stored key of case {case_id} (version {version}) does not open with your "
            "key: it was altered, or copied from another member, case or version.",
            case_id=case_id,
            version=version,
        ) from None
    if len(secret) != CASE_KEY_BYTES:
        raise CaseKeyRefused(
            f"The stored key of case {case_id} (version {version}) has the wrong size.",
            case_id=case_id,
            version=version,
        )
    return CaseKey(member.clinic_id, case_id, version, secret)


# --- membership records -------------------------------------------------------------------


@dataclass(frozen=True)
class MemberEntry:
    """One member of a case as a membership record lists them."""

    role: MemberRole
    x25519: str  # fingerprints
    ed25519: str

    def to_json(self) -> dict[str, str]:
        return {"role": self.role.value, "x25519": self.x25519, "ed25519": self.ed25519}


@dataclass(frozen=True)
class MembershipRecord:
    """A signed membership change; :attr:`text` goes into the audit chain as it is."""

    text: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def parts(self) -> tuple[dict[str, Any], bytes, bytes]:
        """(body, signature, signer's Ed25519 public key); ValueError when malformed."""
        outer = _loads(self.text)
        if not isinstance(outer, dict) or not isinstance(outer.get("body"), dict):
            raise ValueError("not a membership record")
        body: dict[str, Any] = outer["body"]
        if body.get("format") != CHANGE_FORMAT or body.get("version") != FORMAT_VERSION:
            raise ValueError("unknown format")
        return body, b64d(str(outer.get("sig"))), b64d(str(outer.get("signer")))

    @property
    def body(self) -> dict[str, Any]:
        return self.parts()[0]

    def audit_details(self) -> dict[str, Any]:
        """The record as an audit event's ``details``; the audit chain stores details as
        canonical JSON, which gives back this record's text byte for byte."""
        return dict(json.loads(self.text))

    @classmethod
    def from_audit_details(cls, details: Mapping[str, Any]) -> MembershipRecord:
        return cls(canonical_json(dict(details)).decode("utf-8"))

    def verify_signature(self) -> None:
        """Check the signature against the signer key the record names (who that signer is
        allowed to be is :func:`verify_membership`'s job). InvalidSignature on failure."""
        body, sig, signer = self.parts()
        Ed25519PublicKey.from_public_bytes(signer).verify(
            sig, _CHANGE_SIG_LABEL + canonical_json(body)
        )


def _sign_change(actor: MemberKeys, body: dict[str, Any]) -> MembershipRecord:
    sig = actor.sign(_CHANGE_SIG_LABEL + canonical_json(body))
    outer = {"body": body, "sig": b64e(sig), "signer": b64e(actor.public.ed25519)}
    return MembershipRecord(canonical_json(outer).decode("utf-8"))


def _entries_json(members: Mapping[str, MemberEntry]) -> dict[str, Any]:
    return {mid: entry.to_json() for mid, entry in sorted(members.items())}


def _entry_for(public: MemberPublic, role: MemberRole) -> MemberEntry:
    return MemberEntry(role, public.fingerprint, public.signing_fingerprint)


@dataclass
class CaseKeyring:
    """A case's keys as the clinic server holds them: wrapped only, plus the membership.

    ``wraps`` maps (key version, member id) to wrapped-key text. ``publics`` are the
    members' public keys, ``members`` their roles and fingerprints as the newest signed
    record states them; ``head`` is that record's digest.
    """

    clinic_id: str
    case_id: str
    current_version: int
    wraps: dict[tuple[int, str], str]
    publics: dict[str, MemberPublic]
    members: dict[str, MemberEntry]
    head: str
    seq: int
    #: key version -> :func:`key_commitment`, as the signed records state them.
    commits: dict[int, str]

    @classmethod
    def create(
        cls,
        case_id: str,
        creator: MemberKeys,
        role: MemberRole = MemberRole.ADVOCATE,
    ) -> tuple[CaseKeyring, CaseKey, MembershipRecord]:
        """A new case key (version 1) wrapped to its creator, and the signed first record."""
        case_key = CaseKey(creator.clinic_id, case_id, 1, secrets.token_bytes(CASE_KEY_BYTES))
        ring = cls(
            clinic_id=creator.clinic_id,
            case_id=case_id,
            current_version=1,
            wraps={(1, creator.member_id): wrap_case_key(case_key, creator.public)},
            publics={creator.member_id: creator.public},
            members={creator.member_id: _entry_for(creator.public, role)},
            head="",
            seq=0,
            commits={1: key_commitment(case_key)},
        )
        record = ring._record(creator, "case.create", creator.member_id)
        return ring, case_key, record

    # reading -----------------------------------------------------------------------------

    def versions_for(self, member_id: str) -> list[int]:
        return sorted(v for v, m in self.wraps if m == member_id)

    def open(self, member: MemberKeys) -> dict[int, CaseKey]:
        """Every version of the case key this member holds, by version."""
        self._require_member(member)
        keys = {
            v: unwrap_case_key(
                self.wraps[(v, member.member_id)], member, case_id=self.case_id, version=v
            )
            for v in self.versions_for(member.member_id)
        }
        for key in keys.values():
            self._check(key)
        return keys

    def _check(self, key: CaseKey) -> None:
        if not hmac.compare_digest(self.commits.get(key.version, ""), key_commitment(key)):
            raise CaseKeyRefused(
                f"Version {key.version} of the key of case {self.case_id} is not the key the "
                "case's signed membership records name: someone with access to the clinic "
                "server put in a key of their own.",
                case_id=self.case_id,
                version=key.version,
                hint="Write nothing to this case. Tell the clinic's administrator; compare the "
                "case with an export or backup.",
            )

    def verify(
        self, records: Sequence[MembershipRecord], seen: tuple[int, str] | None = None
    ) -> Membership:
        """Check the case's signed records (:func:`verify_membership`, with ``seen``) and
        that this keyring (as read from the server) agrees with them: members, roles, key
        fingerprints, current version and key commitments. Call before using its keys."""
        membership = verify_membership(
            records, clinic_id=self.clinic_id, case_id=self.case_id, seen=seen
        )
        last = len(records)
        if (
            membership.members != self.members
            or membership.key_version != self.current_version
            or membership.commits != self.commits
            or membership.head != self.head
        ):
            raise MembershipInvalid(
                f"The clinic server's key table for case {self.case_id} does not agree with "
                "the case's signed membership records.",
                case_id=self.case_id,
                seq=last,
            )
        for mid, public in self.publics.items():
            entry = self.members.get(mid)
            if entry is None or (entry.x25519, entry.ed25519) != (
                public.fingerprint,
                public.signing_fingerprint,
            ):
                raise MembershipInvalid(
                    f"The clinic server holds a public key for a member of case {self.case_id} "
                    "that the signed membership records do not name.",
                    case_id=self.case_id,
                    seq=last,
                )
        return membership

    def _require_member(self, member: MemberKeys) -> None:
        if member.member_id not in self.members:
            raise roles.NotPermitted(
                f"You are not a member of case {self.case_id}, so you cannot open it.",
                hint="Ask a supervising attorney on the case to add you to it.",
            )

    def current_key(self, member: MemberKeys) -> CaseKey:
        self._require_member(member)
        wrapped = self.wraps.get((self.current_version, member.member_id))
        if wrapped is None:
            raise CaseKeyRefused(
                f"You hold no key for the current version ({self.current_version}) of case "
                f"{self.case_id}.",
                case_id=self.case_id,
                version=self.current_version,
                hint="Ask a supervising attorney on the case to add you to it.",
            )
        key = unwrap_case_key(wrapped, member, case_id=self.case_id, version=self.current_version)
        self._check(key)
        return key

    # changes -----------------------------------------------------------------------------

    def _role_of(self, actor: MemberKeys) -> MemberRole:
        entry = self.members.get(actor.member_id)
        if entry is None:
            raise roles.NotPermitted(
                f"You are not a member of case {self.case_id}, so you cannot change who is.",
                hint="Ask a supervising attorney on the case to do it.",
            )
        return entry.role

    def _record(self, actor: MemberKeys, action: str, subject: str) -> MembershipRecord:
        body = {
            "format": CHANGE_FORMAT,
            "version": FORMAT_VERSION,
            "clinic_id": self.clinic_id,
            "case_id": self.case_id,
            "seq": self.seq + 1,
            "prev": self.head,
            "at": utc_now_iso(),
            "action": action,
            "subject": subject,
            "actor": actor.member_id,
            "key_version": self.current_version,
            "key_commit": self.commits[self.current_version],
            "members": _entries_json(self.members),
        }
        record = _sign_change(actor, body)
        self.seq += 1
        self.head = record.digest
        return record

    def add_member(
        self, actor: MemberKeys, new: MemberPublic, role: MemberRole
    ) -> MembershipRecord:
        """Wrap every version ``actor`` holds for ``new`` (so they read the whole case)."""
        roles.check_grant(self._role_of(actor), role)
        if new.member_id in self.members:
            raise roles.NotPermitted(
                f"That person is already a member of case {self.case_id}.",
                hint="Remove them first to give them another role.",
            )
        if new.clinic_id != self.clinic_id:
            raise roles.NotPermitted(
                "That person's keys belong to another clinic.",
                hint="Add members of this clinic only; hand a case to another organisation "
                "with 'ncii-desk case export'.",
            )
        for version, key in sorted(self.open(actor).items()):
            self.wraps[(version, new.member_id)] = wrap_case_key(key, new)
        self.publics[new.member_id] = new
        self.members[new.member_id] = _entry_for(new, role)
        return self._record(actor, "member.add", new.member_id)

    def remove_member(self, actor: MemberKeys, member_id: str) -> tuple[CaseKey, MembershipRecord]:
        """Drop ``member_id`` and their wraps, and start a new key version for new writes,
        wrapped to every member who remains. Returns the new key and the signed record."""
        roles.check(self._role_of(actor), roles.Action.MEMBER_REMOVE)
        if member_id not in self.members:
            raise roles.NotPermitted(
                f"That person is not a member of case {self.case_id}.",
                hint="List the case's members to check whom to remove.",
            )
        if member_id == actor.member_id:
            raise roles.NotPermitted(
                "You cannot remove yourself from a case.",
                hint="Ask another member who may manage the case's members to remove you.",
            )
        self.current_key(actor)  # the actor must hold the current key to be trusted with this
        version = self.current_version + 1
        new_key = CaseKey(
            self.clinic_id, self.case_id, version, secrets.token_bytes(CASE_KEY_BYTES)
        )
        new_wraps = {
            (version, mid): wrap_case_key(new_key, public)
            for mid, public in self.publics.items()
            if mid != member_id
        }
        del self.members[member_id]
        del self.publics[member_id]
        for slot in [s for s in self.wraps if s[1] == member_id]:
            del self.wraps[slot]
        self.wraps.update(new_wraps)
        self.current_version = version
        self.commits[version] = key_commitment(new_key)
        return new_key, self._record(actor, "member.remove", member_id)


# --- verification -------------------------------------------------------------------------


@dataclass(frozen=True)
class Membership:
    """A case's membership as its verified records leave it."""

    members: dict[str, MemberEntry]
    key_version: int
    commits: dict[int, str]
    head: str
    #: Number of records verified; keep (seq, head) to pass as ``seen`` next time.
    seq: int


def check_case_key(key: CaseKey, membership: Membership) -> None:
    """Refuse a case key that the verified records do not commit to."""
    if not hmac.compare_digest(membership.commits.get(key.version, ""), key_commitment(key)):
        raise CaseKeyRefused(
            f"Version {key.version} of the key of case {key.case_id} is not the key the case's "
            "signed membership records name.",
            case_id=key.case_id,
            version=key.version,
        )


def verify_membership(
    records: Sequence[MembershipRecord],
    *,
    clinic_id: str,
    case_id: str,
    seen: tuple[int, str] | None = None,
) -> Membership:
    """Check a case's membership records from the first and return the members after the
    last one. Each record must be signed by a member (per the record before it) whose role
    allows the change, chain to the previous record, and change exactly what it says.

    ``seen`` is the (seq, head) of the newest membership this client verified before (kept
    on the client, :attr:`Membership.seq` and :attr:`Membership.head`): the records must
    still hold it, so a server rolled back to before a removal is caught."""
    members: dict[str, MemberEntry] = {}
    head = ""
    key_version = 0
    commits: dict[int, str] = {}
    if not records:
        raise MembershipInvalid(
            f"Case {case_id} has no membership records.", case_id=case_id, seq=0
        )
    for index, record in enumerate(records, start=1):

        def bad(reason: str, index: int = index) -> MembershipInvalid:
            return MembershipInvalid(
                f"Membership record {index} of case {case_id} {reason}.", case_id=case_id, seq=index
            )

        try:
            body, sig, signer = record.parts()
            Ed25519PublicKey.from_public_bytes(signer).verify(
                sig, _CHANGE_SIG_LABEL + canonical_json(body)
            )
            after = {
                mid: MemberEntry(MemberRole(e["role"]), str(e["x25519"]), str(e["ed25519"]))
                for mid, e in dict(body["members"]).items()
            }
            action, actor, subject = str(body["action"]), str(body["actor"]), str(body["subject"])
            version = body["key_version"]
            commit = str(body["key_commit"])
        except InvalidSignature:
            raise bad("has a signature that does not verify (it was altered)") from None
        except (ValueError, KeyError, TypeError, AttributeError):
            raise bad("cannot be read") from None
        if body.get("clinic_id") != clinic_id or body.get("case_id") != case_id:
            raise bad("belongs to another case")
        if body.get("seq") != index or body.get("prev") != head:
            raise bad("is out of order, or a record before it is missing")
        signer_fp = key_fingerprint(signer)
        if action == "case.create":
            if index != 1 or version != 1 or set(after) != {actor} or subject != actor:
                raise bad("creates the case but does not start its membership")
            if after[actor].ed25519 != signer_fp:
                raise bad("is not signed by the member who created the case")
            commits = {1: commit}
        else:
            entry = members.get(actor)
            if entry is None or entry.ed25519 != signer_fp:
                raise bad("is signed by someone who was not a member of the case")
            try:
                if action == "member.add":
                    if subject in members or subject not in after:
                        raise bad("does not add the member it names")
                    roles.check_grant(entry.role, after[subject].role)
                    expected = dict(members) | {subject: after[subject]}
                    expected_version = key_version
                elif action == "member.remove":
                    roles.check(entry.role, roles.Action.MEMBER_REMOVE)
                    if subject not in members or subject == actor:
                        raise bad("does not remove the member it names")
                    expected = {m: e for m, e in members.items() if m != subject}
                    expected_version = key_version + 1
                else:
                    raise bad(f"has an unknown action ({action})")
            except roles.NotPermitted:
                raise bad("was made by a member whose role does not allow it") from None
            if after != expected or version != expected_version:
                raise bad("changes more than the one member it names")
            if action == "member.add" and commit != commits.get(version):
                raise bad("names another key than the case's current one")
            commits = commits | {int(version): commit}
        members, head, key_version = after, record.digest, int(version)
    if seen is not None:
        seq, digest = seen
        if seq > len(records) or records[seq - 1].digest != digest:
            raise MembershipInvalid(
                f"The membership records of case {case_id} end before, or differ from, what "
                f"this computer verified earlier (record {seq}): the clinic server was rolled "
                "back or altered.",
                case_id=case_id,
                seq=seq,
            )
    return Membership(members, key_version, commits, head, len(records))


# --- letter sign-off ----------------------------------------------------------------------


@dataclass(frozen=True)
class SignOff:
    """A supervising attorney's signed approval of one document, as text to store."""

    text: str

    def parts(self) -> tuple[dict[str, Any], bytes, bytes]:
        outer = _loads(self.text)
        if not isinstance(outer, dict) or not isinstance(outer.get("body"), dict):
            raise ValueError("not a sign-off")
        body: dict[str, Any] = outer["body"]
        if body.get("format") != SIGN_OFF_FORMAT or body.get("version") != FORMAT_VERSION:
            raise ValueError("unknown format")
        return body, b64d(str(outer.get("sig"))), b64d(str(outer.get("signer")))


def sign_off(
    signer: MemberKeys,
    membership: Membership,
    *,
    case_id: str,
    document_id: str,
    document_sha256: str,
) -> SignOff:
    """Sign off a letter (its id and the SHA-256 of its exact bytes) as a supervising
    attorney on the case, per ``membership`` (from :func:`verify_membership`)."""
    entry = membership.members.get(signer.member_id)
    if entry is None:
        raise roles.NotPermitted(
            f"You are not a member of case {case_id}, so you cannot sign off its letters.",
            hint="Ask a supervising attorney on the case to sign it off.",
        )
    roles.check(entry.role, roles.Action.LETTER_SIGN_OFF)
    body = {
        "format": SIGN_OFF_FORMAT,
        "version": FORMAT_VERSION,
        "clinic_id": signer.clinic_id,
        "case_id": case_id,
        "document_id": document_id,
        "document_sha256": document_sha256,
        "member_id": signer.member_id,
        "membership_head": membership.head,
        "at": utc_now_iso(),
    }
    sig = signer.sign(_SIGN_OFF_LABEL + canonical_json(body))
    outer = {"body": body, "sig": b64e(sig), "signer": b64e(signer.public.ed25519)}
    return SignOff(canonical_json(outer).decode("utf-8"))


def verify_sign_off(
    sign_off: SignOff,
    records: Sequence[MembershipRecord],
    *,
    clinic_id: str,
    case_id: str,
    document_id: str,
    document_sha256: str,
) -> str:
    """Check a sign-off against the document and the case's membership records as they
    stood when it was made (a later removal of the attorney does not undo it). Returns the
    signing member's id; :class:`SignOffInvalid` says what failed."""

    def bad(reason: str) -> SignOffInvalid:
        return SignOffInvalid(
            f"The sign-off of document {document_id} {reason}.", document_id=document_id
        )

    try:
        body, sig, signer = sign_off.parts()
        Ed25519PublicKey.from_public_bytes(signer).verify(
            sig, _SIGN_OFF_LABEL + canonical_json(body)
        )
        member_id, head = str(body["member_id"]), str(body["membership_head"])
    except InvalidSignature:
        raise bad("has a signature that does not verify (it was altered)") from None
    except (ValueError, KeyError, TypeError):
        raise bad("cannot be read") from None
    if (body.get("clinic_id"), body.get("case_id"), body.get("document_id")) != (
        clinic_id,
        case_id,
        document_id,
    ):
        raise bad("was made for another document or case")
    if body.get("document_sha256") != document_sha256:
        raise bad("was made for other contents: the letter changed after it was signed off")
    digests = [r.digest for r in records]
    if head not in digests:
        raise bad("names a membership of the case that its records do not hold")
    then = verify_membership(
        records[: digests.index(head) + 1], clinic_id=clinic_id, case_id=case_id
    )
    entry = then.members.get(member_id)
    if entry is None or entry.ed25519 != key_fingerprint(signer):
        raise bad("is signed by someone who was not a member of the case")
    if not roles.allowed(entry.role, roles.Action.LETTER_SIGN_OFF):
        raise bad("is signed by a member who was not a supervising attorney on the case")
    return member_id
