"""A member's identity: keys from a secret seed, and the key record that keeps the seed
wrapped under a passphrase and a recovery key."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ncii_desk.errors import RecoveryKeyInvalid, WrongPassphrase
from ncii_desk.vault import keys as _keys
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
from ncii_desk.vault.members.formats import (
    _ED25519_LABEL,
    _RECORD_MAC_LABEL,
    _RECOVERY_LABEL,
    _X25519_LABEL,
    FORMAT_VERSION,
    RECORD_FORMAT,
    SEED_BYTES,
    MemberKeyCorrupt,
    _loads,
    _raw_public,
    _uuid_bytes,
    key_fingerprint,
)

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
