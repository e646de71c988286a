"""Hash kinds: one small class per kind of hash, and a registry from names to kinds.

Every kind of hash NCII Desk computes, stores or exchanges is described in one place: its
name (the python-threatexchange signal-type name where pytx has one), other names it is
known by, how many hex digits and bits it has, how its text is checked (with a clear error
for a bad value), how two values are compared (the distance), the default match threshold
(from :mod:`ncii_desk.hashing.defaults`), how it is computed from what the hashing pipeline
already holds (file bytes, or the prepared picture), and one or two plain sentences on what
a match on it can and cannot show, for documents and tooltips.

The stored names are the vault's and the lists' (``pdq``, ``video_md5``, ``md5``,
``sha256``, ``phash``, ``dhash``): nothing stored changes. This module imports neither
numpy nor OpenCV, so the CLI can list kinds and check values without loading them; a
picture kind loads :mod:`ncii_desk.hashing.perceptual` only when it computes a hash.
"""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from typing import Any, ClassVar, Final, Literal

from ncii_desk import errors
from ncii_desk.hashing.defaults import (
    PDQ_DEFAULT_THRESHOLD,
    PDQ_MIN_QUALITY,
    PHASH_DEFAULT_THRESHOLD,
)

__all__ = [
    "DHASH",
    "KINDS",
    "LIST_KINDS",
    "MD5",
    "PDQ",
    "PHASH",
    "SHA256",
    "VIDEO_MD5",
    "DigestKind",
    "InvalidHashEntry",
    "PictureKind",
    "SignalKind",
    "digest_kinds",
    "find_kind",
    "kind_named",
    "list_kind_names",
]

_HEX_RE: Final = re.compile(r"[0-9a-fA-F]+")

#: The MD5 and SHA-256 of zero bytes: a list holding one would flag every empty file.
EMPTY_FILE_DIGESTS: Final[dict[str, str]] = {
    "d41d8cd98f00b204e9800998ecf8427e": "MD5",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855": "SHA-256",
}

FileDigest = Literal["sha256", "md5"]


class InvalidHashEntry(errors.NciiDeskError, ValueError):
    """A hash, kind, quality or label that cannot be a list entry.

    A ``ValueError`` too, so code that builds entries can treat it like any bad value. The
    list parsers turn it into a line error for the line and go on.
    """

    exit_code = 2
    default_hint = (
        "Check the hash: PDQ has 64 hex digits, video MD5 and MD5 32, SHA-256 64, pHash 16."
    )


class SignalKind(ABC):
    """One kind of hash. Subclasses set the class attributes and, where needed, compute.

    Instances are immutable singletons (``PDQ``, ``MD5`` ...); compare kinds with ``is``
    or by ``name``.
    """

    #: The name stored in the vault and written in lists (pytx's signal-type name).
    name: ClassVar[str]
    #: Other spellings that :func:`find_kind` accepts (ThreatExchange indicator types).
    aliases: ClassVar[tuple[str, ...]] = ()
    #: Hex digits of a value.
    hex_digits: ClassVar[int]
    #: True for digests of the file's bytes: equal or not, no nearness.
    exact: ClassVar[bool]
    #: Whether hash lists carry this kind (read, written and matched on).
    in_lists: ClassVar[bool] = True
    #: Distance at or below which two values are a match; None: never matched on.
    threshold: ClassVar[int | None]
    #: A value with fewer bits set (or unset) than this comes from a blank picture and would
    #: match almost anything; None: no such rule.
    min_minority_bits: ClassVar[int | None] = None
    #: Quality below which a value is kept but not matched on; None: no quality score.
    min_quality: ClassVar[int | None] = None
    #: Short name for people ("PDQ", "SHA-256").
    title: ClassVar[str]
    #: How a value is called in a sentence ("PDQ hash", "pHash").
    called: ClassVar[str]
    #: What a match on this kind can show, and what it cannot (one sentence each).
    can_show: ClassVar[str]
    cannot_show: ClassVar[str]

    @property
    def bits(self) -> int:
        return 4 * self.hex_digits

    def __repr__(self) -> str:
        return f"<hash kind {self.name}>"

    def explain(self) -> str:
        """The two plain sentences on what a match on this kind can and cannot show."""
        return f"{self.can_show} {self.cannot_show}"

    # --- text <-> bytes ---------------------------------------------------------------

    def parse(self, value: str) -> str:
        """The lowercase hex of a valid value, or InvalidHashEntry saying what is wrong."""
        name, want = self.name, self.hex_digits
        if not value:
            raise InvalidHashEntry(f"the {name} hash is missing")
        if not _HEX_RE.fullmatch(value):
            raise InvalidHashEntry(
                f"the {name} hash contains characters other than the hex digits 0-9 and a-f"
            )
        if len(value) != want:
            raise InvalidHashEntry(
                f"a {name} hash has {want} hex digits; this one has {len(value)}"
            )
        value = value.lower()
        number = int(value, 16)
        self._refuse_blank(number)
        if number == 0:
            raise InvalidHashEntry(
                f"this {name} hash is all zeros: that is a placeholder, not the hash of a file, "
                "and it could match anything a broken tool produced"
            )
        if value in EMPTY_FILE_DIGESTS:
            raise InvalidHashEntry(
                f"this is the {EMPTY_FILE_DIGESTS[value]} of an empty (zero-byte) file, not of "
                "an image or video: it would match every empty file"
            )
        return value

    def _refuse_blank(self, number: int) -> None:
        least = self.min_minority_bits
        if least is None:
            return
        ones = number.bit_count()
        if min(ones, self.bits - ones) < least:
            raise InvalidHashEntry(
                f"this {self.called} is all or nearly all zeros or ones: such hashes come "
                "from blank or single-colour images and would match almost anything, so it is "
                "not used"
            )

    def to_bytes(self, value: str) -> bytes:
        """A checked value as its bytes (most significant first, as the hex reads)."""
        return bytes.fromhex(self.parse(value))

    def from_bytes(self, data: bytes) -> str:
        """Bytes as this kind's hex text (checked: the same rules as :meth:`parse`)."""
        if len(data) * 2 != self.hex_digits:
            raise InvalidHashEntry(
                f"a {self.name} hash has {self.hex_digits // 2} bytes; this one has {len(data)}"
            )
        return self.parse(data.hex())

    # --- comparing --------------------------------------------------------------------

    def distance(self, a: str, b: str) -> int:
        """How far apart two values are: bits that differ, or for a digest 0 (the same
        file bytes) or 1 (different bytes; a digest has no nearness)."""
        x, y = self.parse(a), self.parse(b)
        if self.exact:
            return 0 if x == y else 1
        return (int(x, 16) ^ int(y, 16)).bit_count()

    def matches(self, a: str, b: str, threshold: int | None = None) -> bool:
        """Whether two values match at ``threshold`` (this kind's default if None)."""
        limit = self.threshold if threshold is None else threshold
        if limit is None:
            raise ValueError(f"{self.name} hashes are not matched on")
        return self.distance(a, b) <= limit

    def usable(self, quality: int | None) -> bool:
        """Whether a value of this quality is matched on (unknown quality counts as good)."""
        least = self.min_quality
        return least is None or quality is None or quality >= least

    # --- computing --------------------------------------------------------------------

    @abstractmethod
    def compute(self, source: Any) -> tuple[str, int | None]:
        """(hex value, quality or None) from what the pipeline holds for a file."""


class DigestKind(SignalKind):
    """A cryptographic digest of the file's bytes: computed from the bytes."""

    exact = True
    threshold = 0
    #: The file digest (FileHashes attribute) a list value of this kind is compared with.
    file_digest: ClassVar[FileDigest]
    _algorithm: ClassVar[str]

    def compute(self, source: Any) -> tuple[str, int | None]:
        data = bytes(source)
        digest = hashlib.new(self._algorithm, data, usedforsecurity=False)
        return digest.hexdigest(), None


class PictureKind(SignalKind):
    """A perceptual hash of the pixels: computed from the prepared picture (the pipeline's
    ``reduce_for_hash`` pixels; PDQ from the picture it hashes for exchange)."""

    exact = False


class Pdq(PictureKind):
    name = "pdq"
    aliases = ("hash_pdq", "pdq_hash")
    hex_digits = 64
    threshold = PDQ_DEFAULT_THRESHOLD
    min_minority_bits = 16
    min_quality = PDQ_MIN_QUALITY
    title = "PDQ"
    called = "PDQ hash"
    can_show = (
        "A PDQ match shows that two pictures look the same, even after resizing, "
        "re-compression or small edits."
    )
    cannot_show = (
        "It cannot show who is in the picture or that the files are identical, and a "
        "picture that was heavily cropped, turned or drawn over may not match."
    )

    def compute(self, source: Any) -> tuple[str, int | None]:
        from ncii_desk.hashing import perceptual as ph

        value = ph.pdq(source)
        return value.hex, value.quality


class Phash(PictureKind):
    name = "phash"
    aliases = ("hash_phash",)
    hex_digits = 16
    threshold = PHASH_DEFAULT_THRESHOLD
    min_minority_bits = 4
    title = "pHash"
    called = "pHash"
    can_show = (
        "A pHash match shows that two pictures have the same overall light and dark "
        "layout; it is a second opinion beside PDQ, used for low-texture pictures."
    )
    cannot_show = (
        "It is weaker than PDQ: unrelated pictures with a similar layout can match, so a "
        "person must check every pHash match by eye."
    )

    def compute(self, source: Any) -> tuple[str, int | None]:
        from ncii_desk.hashing import perceptual as ph

        return ph.phash(source), None


class Dhash(PictureKind):
    name = "dhash"
    aliases = ("hash_dhash",)
    hex_digits = 16
    in_lists = False
    threshold = None
    min_minority_bits = 4
    title = "dHash"
    called = "dHash"
    can_show = "A dHash records the left-to-right brightness steps of a picture."
    cannot_show = (
        "It is kept as a record only: NCII Desk does not match on it, so it shows nothing "
        "about another picture on its own."
    )

    def compute(self, source: Any) -> tuple[str, int | None]:
        from ncii_desk.hashing import perceptual as ph

        return ph.dhash(source), None


class Md5(DigestKind):
    name = "md5"
    aliases = ("hash_md5",)
    hex_digits = 32
    file_digest = "md5"
    _algorithm = "md5"
    title = "MD5"
    called = "MD5"
    can_show = "An MD5 match shows that two files have exactly the same bytes."
    cannot_show = (
        "It cannot show that two pictures look alike: a file re-saved, resized or "
        "trimmed by one byte has a different MD5."
    )


class VideoMd5(DigestKind):
    name = "video_md5"
    aliases = ("hash_video_md5",)
    hex_digits = 32
    file_digest = "md5"
    _algorithm = "md5"
    title = "video MD5"
    called = "video MD5"
    can_show = "A video MD5 match shows that two video files have exactly the same bytes."
    cannot_show = (
        "It cannot show that two videos look alike: a video cut, re-encoded or re-uploaded "
        "has a different MD5 (its frame PDQ hashes find those)."
    )


class Sha256(DigestKind):
    name = "sha256"
    aliases = ("hash_sha256", "sha-256")
    hex_digits = 64
    file_digest = "sha256"
    _algorithm = "sha256"
    title = "SHA-256"
    called = "SHA-256"
    can_show = "A SHA-256 match shows that two files have exactly the same bytes."
    cannot_show = (
        "It cannot show that two pictures look alike: a file re-saved, resized or "
        "trimmed by one byte has a different SHA-256."
    )


PDQ: Final = Pdq()
VIDEO_MD5: Final = VideoMd5()
MD5: Final = Md5()
SHA256: Final = Sha256()
PHASH: Final = Phash()
DHASH: Final = Dhash()

#: Every kind by its stored name, in the order lists have always numbered them.
KINDS: Final[dict[str, SignalKind]] = {
    k.name: k for k in (PDQ, VIDEO_MD5, MD5, SHA256, PHASH, DHASH)
}
#: The kinds a hash list carries, in that order.
LIST_KINDS: Final[tuple[SignalKind, ...]] = tuple(k for k in KINDS.values() if k.in_lists)
_BY_ALIAS: Final[dict[str, SignalKind]] = {
    alias: k for k in KINDS.values() for alias in (k.name, *k.aliases)
}


def list_kind_names() -> str:
    """The list kinds for a message: "pdq, video_md5, md5, sha256 or phash"."""
    names = [k.name for k in LIST_KINDS]
    return f"{', '.join(names[:-1])} or {names[-1]}"


def kind_named(name: str) -> SignalKind:
    """The kind stored under ``name`` (exactly as stored); KeyError names it otherwise."""
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"unknown hash kind {name!r}") from None


def find_kind(name: str) -> SignalKind | None:
    """The kind a person or another tool calls ``name``: any case, stored name or alias
    (``HASH_PDQ``, ``SHA-256``); None if no kind has that name."""
    return _BY_ALIAS.get(name.strip().lower())


def digest_kinds(file_digest: FileDigest) -> tuple[str, ...]:
    """Names of the list kinds whose values are compared with a file's ``file_digest``, the
    kind named like the digest first ("sha256": sha256; "md5": md5, video_md5)."""
    names = [
        k.name for k in LIST_KINDS if isinstance(k, DigestKind) and k.file_digest == file_digest
    ]
    return tuple(sorted(names, key=lambda name: name != file_digest))
