"""Key hierarchy and the vault header.

passphrase --Argon2id--> passphrase key --AES-256-GCM wraps--> data key (32 random bytes)
recovery key --HKDF---------------------> recovery wrap key --wraps the same data key
data key --HKDF(label)--> database key, blob key, audit key, export key, header MAC key

The header is JSON with two integrity layers:
* ``checksum`` (unkeyed SHA-256) tells an accidentally damaged header from a wrong passphrase
  before any key is tried: a bad checksum is corruption, a failed unwrap with a good checksum
  is a wrong passphrase.
* ``mac`` (HMAC under a key derived from the data key) catches deliberate edits by someone who
  also recomputed the checksum.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from argon2.exceptions import HashingError
from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ncii_desk.errors import (
    InvalidSetting,
    RecoveryKeyInvalid,
    VaultCorrupt,
    VaultError,
    WeakPassphrase,
    WrongPassphrase,
)

HEADER_FORMAT = "ncii-desk-vault"
HEADER_VERSION = 1
#: Hard minimum a header may hold (older vaults and test vaults were made with it).
MIN_MEMORY_KIB = 64 * 1024
DEFAULT_MEMORY_KIB = 256 * 1024
DEFAULT_TARGET_SECONDS = 1.0
#: Ceilings a header may hold. They are checked before Argon2id runs, because the header's
#: parameters are authenticated only by the key they derive: a crafted header could otherwise
#: make unlock run for days (time_cost 2**31) or allocate terabytes. 4 GiB is the most the
#: CLI and tuning offer; 40 passes is the most tuning picks; the product of both is capped
#: at 32 GiB-passes (4 GiB x 8, or 1 GiB x 32), which tuning also respects. On the 2-core
#: reference machine one 1 GiB pass costs about 2 s, so the worst header that can pass these
#: checks costs about a minute, not forever.
MAX_MEMORY_KIB = 4 * 1024 * 1024
MAX_TIME_COST = 40
MAX_WORK_KIB_PASSES = 32 * 1024 * 1024
MAX_PARALLELISM = 16
MIN_SALT_BYTES = 16
MAX_SALT_BYTES = 64
MIN_PASSPHRASE_CHARS = 8
DATA_KEY_BYTES = 32
RECOVERY_KEY_BYTES = 32
RECOVERY_CHECK_BYTES = 3

SUBKEY_LABELS = ("database", "blob", "audit", "export", "header-mac")


def canonical_json(value: Any) -> bytes:
    """Deterministic JSON bytes (sorted keys, no spaces) for MACs and associated data."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def b64e(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64d(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters; always read from the header, never assumed."""

    memory_kib: int
    time_cost: int
    parallelism: int
    salt: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "name": "argon2id",
            "version": 19,
            "memory_kib": self.memory_kib,
            "time_cost": self.time_cost,
            "parallelism": self.parallelism,
            "salt": b64e(self.salt),
        }

    def out_of_range(self) -> tuple[str, str] | None:
        """The first parameter outside what a vault may hold, as (field, reason), or None."""
        if self.memory_kib < MIN_MEMORY_KIB:
            return "memory_kib", f"below the vault's minimum of {MIN_MEMORY_KIB // 1024} MiB"
        if self.memory_kib > MAX_MEMORY_KIB:
            return "memory_kib", f"above the ceiling of {MAX_MEMORY_KIB // (1024 * 1024)} GiB"
        if self.time_cost < 1:
            return "time_cost", "below the vault's minimum of 1 pass"
        if self.time_cost > MAX_TIME_COST:
            return "time_cost", f"above the ceiling of {MAX_TIME_COST} passes"
        if self.memory_kib * self.time_cost > MAX_WORK_KIB_PASSES:
            return (
                "time_cost",
                f"memory x passes above the ceiling of {MAX_WORK_KIB_PASSES // (1024 * 1024)} "
                "GiB-passes",
            )
        if not 1 <= self.parallelism <= MAX_PARALLELISM:
            return "parallelism", f"parallelism out of range (1 to {MAX_PARALLELISM} lanes)"
        if len(self.salt) < MIN_SALT_BYTES:
            return "salt", f"salt shorter than the minimum of {MIN_SALT_BYTES} bytes"
        if len(self.salt) > MAX_SALT_BYTES:
            return "salt", f"salt longer than the ceiling of {MAX_SALT_BYTES} bytes"
        return None

    def validate(self) -> None:
        """Refuse parameters the vault would later refuse to read (so it could never open)."""
        if self.memory_kib < MIN_MEMORY_KIB:
            raise InvalidSetting(
                f"The key-derivation memory must be at least {MIN_MEMORY_KIB // 1024} MiB."
            )
        if self.out_of_range() is not None:
            raise InvalidSetting("The key-derivation settings are out of range.")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KdfParams:
        """Parse and bound-check header parameters without running Argon2id.

        Raises :class:`KdfParamError` naming the field (a ValueError)."""
        if data.get("name") != "argon2id" or data.get("version") != 19:
            raise KdfParamError("name", "unsupported key derivation function")
        values: dict[str, int] = {}
        for name in ("memory_kib", "time_cost", "parallelism"):
            value = data.get(name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise KdfParamError(name, "missing or not a whole number")
            values[name] = value
        try:
            salt = b64d(data["salt"])
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            raise KdfParamError("salt", "missing or not base64") from exc
        params = cls(salt=salt, **values)
        problem = params.out_of_range()
        if problem is not None:
            raise KdfParamError(*problem)
        return params


class KdfParamError(ValueError):
    """A header's key-derivation parameter is missing, malformed or out of range."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"key derivation {field}: {reason}")
        self.field = field
        self.reason = reason


def default_parallelism() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def derive_passphrase_key(passphrase: str, params: KdfParams) -> bytes:
    problem = params.out_of_range()
    if problem is not None:  # never run Argon2id on parameters a header may not hold
        raise KdfParamError(*problem)
    try:
        return hash_secret_raw(
            passphrase.encode("utf-8"),
            params.salt,
            time_cost=params.time_cost,
            memory_cost=params.memory_kib,
            parallelism=params.parallelism,
            hash_len=32,
            type=Type.ID,
        )
    except HashingError as exc:  # in practice: the memory could not be allocated
        raise VaultError(
            f"The passphrase could not be checked: the key derivation needs "
            f"{params.memory_kib // 1024} MiB of memory, which this computer could not give.",
            hint="Close other programs and try again.",
        ) from exc


@dataclass(frozen=True)
class KdfFloor:
    """The weakest parameters that creating a vault or changing its passphrase may choose."""

    memory_kib: int
    time_cost: int


#: What tuning never goes below, however busy the machine: load can make unlock slower, never
#: the vault weaker (tuning measured t=1 under load against t=4 idle). On the 2-core reference
#: machine, under load, 256 MiB with 3 passes costs about 0.7 s per unlock (see docs).
#: Vaults below it (but at or above the hard minimum) still open; changing the passphrase
#: lifts them to it.
PRODUCT_FLOOR = KdfFloor(memory_kib=256 * 1024, time_cost=3)
#: The floor in force. Nothing in the product changes it: no setting, option or variable.
#: Only the test suite lowers it (to the hard minimum) so that tests stay fast.
TUNING_FLOOR = PRODUCT_FLOOR


def tune_kdf(
    memory_kib: int = DEFAULT_MEMORY_KIB,
    target_seconds: float = DEFAULT_TARGET_SECONDS,
    parallelism: int | None = None,
) -> KdfParams:
    """Pick a time cost so that one derivation takes about ``target_seconds`` here, never
    below :data:`TUNING_FLOOR` and never above the header ceilings."""
    floor = TUNING_FLOOR
    if memory_kib < floor.memory_kib:
        raise ValueError(f"Argon2id memory must be at least {floor.memory_kib // 1024} MiB")
    if memory_kib > MAX_MEMORY_KIB:
        raise ValueError(f"Argon2id memory must be at most {MAX_MEMORY_KIB // (1024 * 1024)} GiB")
    lanes = parallelism or default_parallelism()
    probe = KdfParams(memory_kib, 1, lanes, secrets.token_bytes(16))
    derive_passphrase_key("warm-up", probe)  # the first run also pays for fresh memory pages
    start = time.perf_counter()
    derive_passphrase_key("calibration", probe)
    one = max(time.perf_counter() - start, 1e-3)
    ceiling = min(MAX_TIME_COST, MAX_WORK_KIB_PASSES // memory_kib)
    time_cost = max(floor.time_cost, min(ceiling, round(target_seconds / one)))
    return KdfParams(memory_kib, time_cost, lanes, secrets.token_bytes(16))


def hkdf(key: bytes, info: bytes, salt: bytes | None = None, length: int = 32) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(key)


@dataclass(frozen=True)
class SubKeys:
    database: bytes
    blob: bytes
    audit: bytes
    export: bytes
    header_mac: bytes


def derive_subkeys(data_key: bytes, vault_id: str) -> SubKeys:
    salt = uuid.UUID(vault_id).bytes
    keys = {
        label: hkdf(data_key, b"ncii-desk/v1/" + label.encode(), salt) for label in SUBKEY_LABELS
    }
    return SubKeys(
        database=keys["database"],
        blob=keys["blob"],
        audit=keys["audit"],
        export=keys["export"],
        header_mac=keys["header-mac"],
    )


# --- recovery key -----------------------------------------------------------------------


def new_recovery_key() -> bytes:
    return secrets.token_bytes(RECOVERY_KEY_BYTES)


def format_recovery_key(raw: bytes) -> str:
    """Base32 in groups of four, with a short checksum so typing mistakes are caught."""
    check = hashlib.sha256(raw).digest()[:RECOVERY_CHECK_BYTES]
    text = base64.b32encode(raw + check).decode("ascii").rstrip("=")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_recovery_key(text: str) -> bytes:
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\t\r\n")
    expected_len = ((RECOVERY_KEY_BYTES + RECOVERY_CHECK_BYTES) * 8 + 4) // 5
    if len(cleaned) != expected_len:
        raise RecoveryKeyInvalid(
            f"The recovery key should have {expected_len} letters and digits; "
            f"{len(cleaned)} were given."
        )
    padded = cleaned + "=" * (-len(cleaned) % 8)
    try:
        blob = base64.b32decode(padded)
    except ValueError as exc:
        raise RecoveryKeyInvalid(
            "The recovery key contains characters that cannot appear in it."
        ) from exc
    raw, check = blob[:RECOVERY_KEY_BYTES], blob[RECOVERY_KEY_BYTES:]
    if hashlib.sha256(raw).digest()[:RECOVERY_CHECK_BYTES] != check:
        raise RecoveryKeyInvalid("The recovery key has a typing mistake (its checksum is wrong).")
    return raw


# --- header -----------------------------------------------------------------------------


#: Passwords at the top of every list that guessing tools try first (checked after lower
#: casing, undoing common letter-for-digit swaps and dropping trailing digits and symbols).
COMMON_PASSWORDS = frozenset(
    {
        "password",
        "passphrase",
        "qwerty",
        "qwertyuiop",
        "azerty",
        "letmein",
        "iloveyou",
        "welcome",
        "admin",
        "administrator",
        "monkey",
        "dragon",
        "football",
        "baseball",
        "sunshine",
        "princess",
        "trustno",
        "secret",
        "changeme",
        "abc",
        "master",
        "login",
        "shadow",
        "superman",
        "whatever",
        "contrasena",
        "contraseña",
    }
)
#: A passphrase needs at least this many different characters ("aaaaaaaa" is refused).
MIN_DISTINCT_CHARS = 5
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
_SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiopasdfghjklzxcvbnm")


def _is_sequence(text: str) -> bool:
    """The whole text is one run along the alphabet, the digits or a keyboard row (either
    way), like 12345678 or abcdefgh."""
    return any(text in run or text in run[::-1] for run in _SEQUENCES)


def passphrase_weakness(passphrase: str) -> str | None:
    """Why a new passphrase is refused, or None when it may be used. The one rule for the CLI,
    the desktop app and the vault itself (creation and passphrase changes)."""
    if len(passphrase) < MIN_PASSPHRASE_CHARS:
        return (
            f"The passphrase is too short ({len(passphrase)} characters; "
            f"at least {MIN_PASSPHRASE_CHARS} are required)."
        )
    squeezed = "".join(passphrase.lower().split())
    if len(set(squeezed)) < MIN_DISTINCT_CHARS:
        return (
            "The passphrase repeats too few characters "
            f"(at least {MIN_DISTINCT_CHARS} different ones are required)."
        )
    if _is_sequence(squeezed):
        return "The passphrase is a run of keys or letters in order, which is guessed at once."
    core = squeezed.rstrip("0123456789!?.,;:*#_-+=~")
    if (
        core in COMMON_PASSWORDS
        or core.translate(_LEET) in COMMON_PASSWORDS
        or squeezed.translate(_LEET) in COMMON_PASSWORDS
        or (not core and squeezed)  # only digits and symbols
        or any(word and not core.replace(word, "") for word in COMMON_PASSWORDS)  # repeated
    ):
        return "The passphrase is one of the most common passwords, which are guessed first."
    return None


def check_passphrase_strength(passphrase: str) -> None:
    why = passphrase_weakness(passphrase)
    if why is not None:
        raise WeakPassphrase(why)


def _wrap(key: bytes, data_key: bytes, aad: bytes) -> dict[str, str]:
    nonce = secrets.token_bytes(12)
    return {
        "alg": "AES-256-GCM",
        "nonce": b64e(nonce),
        "ciphertext": b64e(AESGCM(key).encrypt(nonce, data_key, aad)),
    }


def _unwrap(key: bytes, wrapped: dict[str, Any], aad: bytes) -> bytes:
    return AESGCM(key).decrypt(b64d(wrapped["nonce"]), b64d(wrapped["ciphertext"]), aad)


@dataclass
class Header:
    """The parsed, checksum-verified vault header (keys not yet unwrapped)."""

    body: dict[str, Any]

    @property
    def vault_id(self) -> str:
        return str(self.body["vault_id"])

    @property
    def kdf(self) -> KdfParams:
        return KdfParams.from_json(self.body["kdf"])

    @property
    def generation(self) -> int:
        return int(self.body["generation"])

    def _passphrase_aad(self) -> bytes:
        b = self.body
        fields = {k: b[k] for k in ("format", "version", "vault_id", "kdf")}
        return canonical_json(fields) + b"|passphrase"

    def _recovery_aad(self) -> bytes:
        b = self.body
        fields = {k: b[k] for k in ("format", "version", "vault_id")}
        fields["salt"] = b["wrapped_keys"]["recovery"]["salt"]
        return canonical_json(fields) + b"|recovery"

    def _recovery_wrap_key(self, recovery_key: bytes) -> bytes:
        salt = b64d(self.body["wrapped_keys"]["recovery"]["salt"])
        return hkdf(recovery_key, b"ncii-desk/v1/recovery-wrap", salt)

    # unwrap ------------------------------------------------------------------------------

    def unwrap_with_passphrase(self, passphrase: str) -> bytes:
        key = derive_passphrase_key(passphrase, self.kdf)
        try:
            data_key = _unwrap(key, self.body["wrapped_keys"]["passphrase"], self._passphrase_aad())
        except InvalidTag:
            raise WrongPassphrase("The passphrase is not correct for this vault.") from None
        self._verify_mac(data_key)
        return data_key

    def unwrap_with_recovery_key(self, recovery_key: bytes) -> bytes:
        key = self._recovery_wrap_key(recovery_key)
        try:
            data_key = _unwrap(key, self.body["wrapped_keys"]["recovery"], self._recovery_aad())
        except InvalidTag:
            raise RecoveryKeyInvalid(
                "This recovery key does not belong to this vault.",
                hint="Check that you are opening the right vault folder and typed the key "
                "printed for it.",
            ) from None
        self._verify_mac(data_key)
        return data_key

    def _verify_mac(self, data_key: bytes) -> None:
        mac_key = derive_subkeys(data_key, self.vault_id).header_mac
        body = {k: v for k, v in self.body.items() if k != "mac"}
        expected = hmac.new(mac_key, canonical_json(body), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, str(self.body.get("mac", ""))):
            raise VaultCorrupt(
                "The vault header was altered: its authentication code does not match.",
                file="vault.hdr",
                entry="mac",
            )

    # build -------------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        *,
        vault_id: str,
        created_at: str,
        generation: int,
        kdf: KdfParams,
        passphrase: str,
        data_key: bytes,
        recovery_wrapped: dict[str, str] | None = None,
        recovery_key: bytes | None = None,
    ) -> Header:
        kdf.validate()
        body: dict[str, Any] = {
            "format": HEADER_FORMAT,
            "version": HEADER_VERSION,
            "vault_id": vault_id,
            "created_at": created_at,
            "generation": generation,
            "kdf": kdf.to_json(),
            "wrapped_keys": {},
        }
        header = cls(body)
        body["wrapped_keys"]["passphrase"] = _wrap(
            derive_passphrase_key(passphrase, kdf), data_key, header._passphrase_aad()
        )
        if recovery_wrapped is not None:
            body["wrapped_keys"]["recovery"] = recovery_wrapped
        else:
            assert recovery_key is not None
            body["wrapped_keys"]["recovery"] = {"kdf": "HKDF-SHA256", "salt": b64e(os.urandom(16))}
            rec = _wrap(header._recovery_wrap_key(recovery_key), data_key, header._recovery_aad())
            body["wrapped_keys"]["recovery"].update(rec)
        mac_key = derive_subkeys(data_key, vault_id).header_mac
        body["mac"] = hmac.new(mac_key, canonical_json(body), hashlib.sha256).hexdigest()
        return header

    def rewrap_passphrase(self, data_key: bytes, new_passphrase: str, kdf: KdfParams) -> Header:
        return Header.build(
            vault_id=self.vault_id,
            created_at=str(self.body["created_at"]),
            generation=self.generation + 1,
            kdf=kdf,
            passphrase=new_passphrase,
            data_key=data_key,
            recovery_wrapped=dict(self.body["wrapped_keys"]["recovery"]),
        )

    # serialise ---------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        checksum = hashlib.sha256(canonical_json(self.body)).hexdigest()
        return json.dumps({"header": self.body, "checksum": checksum}, indent=2).encode() + b"\n"

    @classmethod
    def from_bytes(cls, raw: bytes, file: str) -> Header:
        """Parse and checksum-verify; any damage is :class:`VaultCorrupt` naming ``file``."""
        try:
            outer = json.loads(raw.decode("utf-8"))
            body = outer["header"]
            checksum = outer["checksum"]
        except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            raise VaultCorrupt(
                "The vault header cannot be read.", file=file, entry="structure"
            ) from exc
        if not isinstance(body, dict) or hashlib.sha256(canonical_json(body)).hexdigest() != (
            checksum
        ):
            raise VaultCorrupt(
                "The vault header is damaged (its checksum does not match).",
                file=file,
                entry="checksum",
            )
        if body.get("format") != HEADER_FORMAT or body.get("version") != HEADER_VERSION:
            raise VaultCorrupt(
                "This is not an NCII Desk vault header of a known version.",
                file=file,
                entry="format",
            )
        header = cls(body)
        try:
            kdf = body["kdf"]
            if not isinstance(kdf, dict):
                raise KdfParamError("kdf", "missing")
            KdfParams.from_json(kdf)
        except KdfParamError as exc:
            raise VaultCorrupt(
                f"The vault header's key-derivation setting {exc.field} is not acceptable "
                f"({exc.reason}); it was refused before any key was derived.",
                file=file,
                entry=f"kdf.{exc.field}",
            ) from exc
        except KeyError as exc:
            raise VaultCorrupt(
                "The vault header has no key-derivation settings.", file=file, entry="kdf"
            ) from exc
        try:
            uuid.UUID(header.vault_id)
            for name in ("passphrase", "recovery"):
                wrapped = body["wrapped_keys"][name]
                b64d(wrapped["nonce"])
                b64d(wrapped["ciphertext"])
        except (KeyError, ValueError, TypeError) as exc:
            raise VaultCorrupt(
                "The vault header has missing or invalid fields.", file=file, entry="fields"
            ) from exc
        if raw != header.to_bytes():
            # Same content, other bytes (e.g. a cut-off last line): changed outside NCII Desk.
            raise VaultCorrupt(
                "The vault header file was changed: its bytes are not as written.",
                file=file,
                entry="layout",
            )
        return header


def utc_now() -> datetime:
    return datetime.now(UTC)


def utc_now_iso() -> str:
    return utc_now().isoformat(timespec="microseconds").replace("+00:00", "Z")
