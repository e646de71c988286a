"""The case hand-over file (``.ncii``): one encrypted, signed, streamable file.

Layout::

    MAGIC (8 bytes) | header length (u32, big-endian) | header (canonical JSON) | chunks

The header is in clear and says how the file key is found:

* ``x25519``: the sender made an ephemeral X25519 key pair; the file key is
  HKDF-SHA256(ECDH(ephemeral, recipient), salt, label | ephemeral public | recipient public).
  The header names the recipient key's fingerprint, so a wrong recipient is told so.
* ``passphrase``: the file key is HKDF-SHA256(Argon2id(passphrase, parameters in the header)).

Either way the header carries ``key_check`` (an HKDF output of the file key under its own
label), so a wrong passphrase or key is reported as such and never as damage.

The chunks are AES-256-GCM in the style of age's STREAM: plaintext chunks of ``chunk_size``
bytes (the last one shorter, possibly empty), nonce = random 7-byte prefix | chunk counter
(u32) | last-chunk flag, and the whole clear part of the file (magic, length, header) as
associated data. Reordering, dropping, duplicating or truncating chunks (at a chunk boundary
too) and any change to the header fail authentication.

The plaintext inside is a sequence of frames ``type (1 byte) | length (u32) | payload``;
the services layer (``services/handover/``) defines their meaning. Nothing here holds
more than one chunk and one frame in memory.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ncii_desk.errors import HandoverCorrupt, HandoverNotForYou, WrongPassphrase
from ncii_desk.vault.keys import (
    KdfParamError,
    KdfParams,
    b64d,
    b64e,
    canonical_json,
    derive_passphrase_key,
    hkdf,
)

MAGIC = b"NCIIHOV1"
FORMAT = "ncii-desk-case-handover"
VERSION = 1
CHUNK_SIZE = 64 * 1024
MAX_HEADER_BYTES = 16 * 1024
MAX_FRAME_BYTES = 4 * 1024 * 1024
TAG_BYTES = 16
PREFIX_BYTES = 7
SALT_BYTES = 32
FILE_KEY_LABEL = b"ncii-desk/v1/handover/file-key"
CHECK_LABEL = b"ncii-desk/v1/handover/key-check"
RECIPIENT_KEY_LABEL = b"ncii-desk/v1/handover/x25519"
PUBKEY_TITLE = "NCII Desk case hand-over public key"
_FRAME = struct.Struct(">cI")


# --- recipient keys -----------------------------------------------------------------------


def fingerprint(public_key: bytes) -> str:
    """First 20 bytes of SHA-256 of a raw public key, base32 in groups of four (read aloud
    by phone; the same form as the packet-signing key's fingerprint)."""
    text = base64.b32encode(hashlib.sha256(public_key).digest()[:20]).decode("ascii")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def raw_x25519_public(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def derive_recipient_key(secret: bytes, vault_salt: bytes) -> X25519PrivateKey:
    """A vault's hand-over key (X25519), derived from one of its secret keys when needed."""
    return X25519PrivateKey.from_private_bytes(hkdf(secret, RECIPIENT_KEY_LABEL, vault_salt))


@dataclass(frozen=True)
class RecipientKey:
    """A recipient's public key as written to and read from a ``.pub`` file."""

    public_key: bytes
    vault_id: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def to_text(self) -> str:
        return (
            f"{PUBKEY_TITLE}\n"
            f"vault: {self.vault_id}\n"
            f"key: {b64e(self.public_key)}\n"
            f"fingerprint: {self.fingerprint}\n"
        )

    @classmethod
    def from_text(cls, text: str) -> RecipientKey:
        fields: dict[str, str] = {}
        for line in text.splitlines():
            name, sep, value = line.partition(":")
            if sep:
                fields[name.strip().lower()] = value.strip()
        hint = "Ask the recipient for the file 'ncii-desk vault pubkey --out FILE' writes."
        try:
            raw = b64d(fields["key"])
        except (KeyError, ValueError):
            raise HandoverCorrupt("The recipient key file holds no readable key.", hint) from None
        if len(raw) != 32:
            raise HandoverCorrupt("The recipient key file holds a key of the wrong size.", hint)
        key = cls(raw, fields.get("vault", ""))
        stated = fields.get("fingerprint")
        if stated is not None and stated.replace(" ", "").upper() != key.fingerprint:
            raise HandoverCorrupt(
                "The recipient key file's fingerprint does not match its key (the file was "
                "edited or damaged).",
                hint,
            )
        return key


# --- header -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    fields: dict[str, Any]
    raw: bytes  # magic | length | JSON: the associated data of every chunk

    @property
    def mode(self) -> str:
        return str(self.fields["mode"])

    @property
    def recipient_fingerprint(self) -> str | None:
        value = self.fields.get("recipient_fingerprint")
        return None if value is None else str(value)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


def _pack_header(fields: dict[str, Any]) -> Header:
    body = canonical_json(fields)
    return Header(fields, MAGIC + struct.pack(">I", len(body)) + body)


def read_header(fh: BinaryIO) -> Header:
    start = fh.read(len(MAGIC) + 4)
    if len(start) < len(MAGIC) + 4 or start[: len(MAGIC)] != MAGIC:
        raise HandoverCorrupt(
            "This is not an NCII Desk case hand-over file (or its beginning is damaged).",
            "Check that you chose the .ncii file you were sent.",
        )
    (length,) = struct.unpack(">I", start[len(MAGIC) :])
    if length > MAX_HEADER_BYTES:
        raise HandoverCorrupt("The hand-over file's header is damaged (its length is wrong).")
    body = fh.read(length)
    try:
        fields = json.loads(body)
    except ValueError:
        fields = None
    if (
        not isinstance(fields, dict)
        or fields.get("format") != FORMAT
        or fields.get("version") != VERSION
        or fields.get("mode") not in ("x25519", "passphrase")
        or fields.get("chunk_size") != CHUNK_SIZE
    ):
        raise HandoverCorrupt(
            "The hand-over file's header is damaged or from an unknown version.",
            "Ask the sender to export the case again with this version of NCII Desk.",
        )
    try:
        sizes_ok = (
            len(b64d(str(fields.get("nonce_prefix")))) == PREFIX_BYTES
            and len(b64d(str(fields.get("salt")))) == SALT_BYTES
        )
    except ValueError:
        sizes_ok = False
    if not sizes_ok:
        raise HandoverCorrupt("The hand-over file's header is damaged (salt or nonce).")
    return Header(fields, start + body)


def _file_key_x25519(
    shared: bytes, ephemeral: bytes, recipient: bytes, salt: bytes
) -> tuple[bytes, str]:
    key = hkdf(shared, FILE_KEY_LABEL + ephemeral + recipient, salt)
    return key, b64e(hkdf(key, CHECK_LABEL, salt, 16))


def _file_key_passphrase(passphrase: str, params: KdfParams, salt: bytes) -> tuple[bytes, str]:
    key = hkdf(derive_passphrase_key(passphrase, params), FILE_KEY_LABEL, salt)
    return key, b64e(hkdf(key, CHECK_LABEL, salt, 16))


# --- writing ------------------------------------------------------------------------------


class Sink(Protocol):
    def write(self, data: bytes, /) -> int: ...


class Writer:
    """Encrypts a frame stream into ``fh`` chunk by chunk. Call :meth:`close` at the end."""

    def __init__(self, fh: Sink, header: Header, key: bytes) -> None:
        self._fh = fh
        self._header = header
        self._aead = AESGCM(key)
        self._prefix = b64d(header.fields["nonce_prefix"])
        self._buffer = bytearray()
        self._index = 0
        self.plain_hash = hashlib.sha256()
        fh.write(header.raw)

    @classmethod
    def to_recipient(cls, fh: Sink, recipient: RecipientKey) -> Writer:
        ephemeral = X25519PrivateKey.generate()
        eph_pub = raw_x25519_public(ephemeral.public_key())
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient.public_key))
        salt = secrets.token_bytes(SALT_BYTES)
        key, check = _file_key_x25519(shared, eph_pub, recipient.public_key, salt)
        header = _pack_header(
            {
                "format": FORMAT,
                "version": VERSION,
                "mode": "x25519",
                "chunk_size": CHUNK_SIZE,
                "salt": b64e(salt),
                "nonce_prefix": b64e(secrets.token_bytes(PREFIX_BYTES)),
                "ephemeral": b64e(eph_pub),
                "recipient_fingerprint": recipient.fingerprint,
                "key_check": check,
            }
        )
        return cls(fh, header, key)

    @classmethod
    def with_passphrase(cls, fh: Sink, passphrase: str, params: KdfParams) -> Writer:
        salt = secrets.token_bytes(SALT_BYTES)
        key, check = _file_key_passphrase(passphrase, params, salt)
        header = _pack_header(
            {
                "format": FORMAT,
                "version": VERSION,
                "mode": "passphrase",
                "chunk_size": CHUNK_SIZE,
                "salt": b64e(salt),
                "nonce_prefix": b64e(secrets.token_bytes(PREFIX_BYTES)),
                "kdf": params.to_json(),
                "key_check": check,
            }
        )
        return cls(fh, header, key)

    @property
    def header(self) -> Header:
        return self._header

    def frame(self, kind: bytes, payload: bytes) -> None:
        if len(payload) > MAX_FRAME_BYTES:
            raise ValueError("frame too large")
        data = _FRAME.pack(kind, len(payload)) + payload
        self.plain_hash.update(data)
        self._buffer += data
        while len(self._buffer) > CHUNK_SIZE:  # keep one full chunk back: it may be the last
            self._emit(bytes(self._buffer[:CHUNK_SIZE]), last=False)
            del self._buffer[:CHUNK_SIZE]

    def _emit(self, plain: bytes, *, last: bool) -> None:
        nonce = self._prefix + struct.pack(">IB", self._index, 1 if last else 0)
        self._fh.write(self._aead.encrypt(nonce, plain, self._header.raw))
        self._index += 1

    def close(self) -> int:
        """Write the last chunk; returns the number of chunks."""
        self._emit(bytes(self._buffer), last=True)
        self._buffer.clear()
        return self._index


# --- reading ------------------------------------------------------------------------------


def open_x25519(header: Header, private: X25519PrivateKey) -> bytes:
    """The file key for a recipient's private key; HandoverNotForYou if it is another's."""
    mine = raw_x25519_public(private.public_key())
    if header.mode != "x25519":
        raise HandoverNotForYou(
            "This hand-over file is protected by a passphrase, not by this vault's key.",
            "Import it with --passphrase and type the passphrase the sender gave you.",
        )
    if header.recipient_fingerprint != fingerprint(mine):
        raise HandoverNotForYou(
            f"This hand-over file was encrypted for another vault (key fingerprint "
            f"{header.recipient_fingerprint}); this vault's key is {fingerprint(mine)}.",
            "Ask the sender to export the case again to your public key "
            "('ncii-desk vault pubkey').",
        )
    try:
        eph = b64d(header.fields["ephemeral"])
        salt = b64d(header.fields["salt"])
        shared = private.exchange(X25519PublicKey.from_public_bytes(eph))
    except (KeyError, ValueError, TypeError):
        raise HandoverCorrupt("The hand-over file's header is damaged (ephemeral key).") from None
    key, check = _file_key_x25519(shared, eph, mine, salt)
    if not hmac.compare_digest(check, str(header.fields.get("key_check", ""))):
        raise HandoverCorrupt(
            "The hand-over file's header was altered: its key does not open it.",
            "Ask the sender for a fresh copy of the file.",
        )
    return key


def open_passphrase(header: Header, passphrase: str) -> bytes:
    if header.mode != "passphrase":
        raise HandoverNotForYou(
            "This hand-over file is encrypted to a vault's key, not to a passphrase.",
            "Import it without --passphrase, into the vault whose key it was made for.",
        )
    try:
        params = KdfParams.from_json(header.fields["kdf"])
        salt = b64d(header.fields["salt"])
    except (KeyError, ValueError, TypeError, KdfParamError):
        raise HandoverCorrupt(
            "The hand-over file's key-derivation settings are damaged or out of range."
        ) from None
    key, check = _file_key_passphrase(passphrase, params, salt)
    if not hmac.compare_digest(check, str(header.fields.get("key_check", ""))):
        raise WrongPassphrase(
            "The passphrase does not open this hand-over file.",
            "Check the passphrase with the sender (by phone, not by e-mail) and try again.",
        )
    return key


def decrypt_chunks(fh: BinaryIO, header: Header, key: bytes) -> Iterator[bytes]:
    """Authenticated plaintext chunks in order. ``fh`` is positioned after the header.

    A caller must treat the content as unverified until the generator is exhausted (the
    last-chunk flag proves nothing was cut off)."""
    aead = AESGCM(key)
    prefix = b64d(header.fields["nonce_prefix"])
    stride = CHUNK_SIZE + TAG_BYTES
    index = 0
    block = fh.read(stride)
    while True:
        nxt = fh.read(stride) if len(block) == stride else b""
        last = not nxt
        if len(block) < TAG_BYTES:
            raise HandoverCorrupt(
                f"The hand-over file is truncated (chunk {index} is incomplete).",
                "Ask the sender for a complete copy of the file.",
            )
        nonce = prefix + struct.pack(">IB", index, 1 if last else 0)
        try:
            plain = aead.decrypt(nonce, block, header.raw)
        except InvalidTag:
            raise HandoverCorrupt(
                f"The hand-over file failed its integrity check at chunk {index} (it was "
                "changed, reordered, truncated or damaged).",
                "Ask the sender for a fresh copy; nothing was imported.",
            ) from None
        yield plain
        if last:
            return
        block = nxt
        index += 1


def iter_frames(chunks: Iterator[bytes]) -> Iterator[tuple[bytes, bytes]]:
    """(type, payload) frames from decrypted chunks, one frame in memory at a time."""
    buffer = bytearray()
    for chunk in chunks:
        buffer += chunk
        while len(buffer) >= _FRAME.size:
            kind, length = _FRAME.unpack_from(buffer)
            if length > MAX_FRAME_BYTES:
                raise HandoverCorrupt("The hand-over file holds a frame of an impossible size.")
            if len(buffer) < _FRAME.size + length:
                break
            payload = bytes(buffer[_FRAME.size : _FRAME.size + length])
            del buffer[: _FRAME.size + length]
            yield kind, payload
    if buffer:
        raise HandoverCorrupt("The hand-over file ends in the middle of a record.")


def frame_bytes(kind: bytes, payload: bytes) -> bytes:
    """A frame as the stream holds it (for hashing the stream on the reading side)."""
    return _FRAME.pack(kind, len(payload)) + payload


def normal_fingerprint(text: str) -> str:
    """A fingerprint as typed (any case, spaces or dashes) in the form fingerprint() gives."""
    plain = "".join(ch for ch in text.upper() if ch.isalnum())
    return "-".join(plain[i : i + 4] for i in range(0, len(plain), 4))
