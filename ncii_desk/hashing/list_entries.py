"""Hash-list entries: one checked, normalised hash with its quality and label; a skipped line;
what came out of a whole list. The kinds themselves (hex length, value checks) are
hashing/kinds.py's; this module adds what a list entry carries (see hashing/lists.py)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Final, Literal, cast

from ncii_desk.hashing.kinds import (
    KINDS,
    LIST_KINDS,
    PDQ,
    InvalidHashEntry,
    list_kind_names,
)

HashKind = Literal["pdq", "video_md5", "md5", "sha256", "phash"]
ListFormat = Literal["pytx", "csv"]

#: Hex digits each kind has. Also the set of kinds this module knows (the list kinds of
#: hashing/kinds.py, in their order).
HEX_LENGTHS: Final[dict[HashKind, int]] = cast(
    "dict[HashKind, int]", {k.name: k.hex_digits for k in LIST_KINDS}
)
_KIND_BY_NAME: Final[dict[str, HashKind]] = cast(
    "dict[str, HashKind]", {k.name: k.name for k in LIST_KINDS}
)
_KIND_NAMES: Final = list_kind_names()

#: Largest list file read into memory (load_hash_list, parse_hash_list: `scan`). Far above
#: most lists (a million PDQ lines is about 70 MiB), low enough that a wrong file picked by
#: mistake (a disk image, a video) is refused at once instead of being read into memory.
MAX_FILE_BYTES: Final = 512 * 1024 * 1024
#: Longest line read. A valid line is under 100 characters plus its label; anything longer
#: is not a hash line (and a binary file without newlines must not become one huge string).
MAX_LINE_CHARS: Final = 4096
#: Longest label kept. Keeps every written CSV row under MAX_LINE_CHARS, even with every
#: character a quote that the CSV writer doubles.
MAX_LABEL_CHARS: Final = 1000
#: Largest list file imported as a stream (HashListStream, hash-list import): it is read in
#: blocks, so this bounds the time and the vault's growth, not memory. About 30 million
#: PDQ lines.
MAX_STREAM_BYTES: Final = 2 * 1024 * 1024 * 1024
#: Lines checked together when streaming: large enough for numpy to pay, small enough to
#: keep a batch (and a progress step) well under a second and a few MiB.
STREAM_BATCH_LINES: Final = 100_000
#: Errors listed one by one; a binary file would otherwise produce millions. The rest are
#: only counted (ParsedList.errors_not_listed).
MAX_LISTED_ERRORS: Final = 1000
#: How much of an offending line a LineError shows.
_SHOWN_CHARS: Final = 80

_HEX_RE: Final = re.compile(r"[0-9a-fA-F]+")
_QUALITY_RE: Final = re.compile(r"[0-9]{1,3}")
_UTF8_BOM: Final = "\ufeff"
_UTF16_BOMS: Final = (b"\xff\xfe", b"\xfe\xff")
#: Bidirectional embedding/override/isolate characters (format characters, category Cf):
#: they can make a label display as something other than what it is ("Trojan Source").
_BIDI_CONTROLS: Final = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS_RE: Final = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
#: First characters that make a spreadsheet treat a cell as a formula (CSV injection); the
#: apostrophe is included so that our own escape can be undone without ambiguity.
_FORMULA_STARTS: Final = frozenset("=+-@'")
_CSV_COLUMNS: Final = ("kind", "value", "quality", "label")
#: Written only when a list has variants; readers that know only _CSV_COLUMNS ignore them.
_CSV_VARIANT_COLUMNS: Final = ("variant", "original")


def _is_strippable(ch: str) -> bool:
    """Control characters, bidi overrides and lone surrogates: never kept in a label."""
    return ch in _BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cs")


def clean_label(label: str) -> str:
    """Make an outside label safe to store, show and write, without interpreting it.

    Line breaks become a space (so words do not run together), then control characters
    other than tab, bidi overrides and lone surrogates are removed, and the ends are
    stripped. Nothing else is changed: no unescaping, no formatting, no markup.
    """
    if label.isprintable() and label == label.strip():  # the usual case: nothing to do
        return label
    label = _LINE_BREAKS_RE.sub(" ", label)
    label = "".join(ch for ch in label if ch == "\t" or not _is_strippable(ch))
    return label.strip()


def _shown(text: str) -> str:
    """Cut outside text for an error report, with control characters escaped.

    A hash file can contain anything, including terminal escape sequences; an error report
    must show where the problem is without acting on it.
    """
    out: list[str] = []
    for ch in text[: _SHOWN_CHARS + 1]:
        if ch != "\t" and _is_strippable(ch):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    shown = "".join(out)
    if len(shown) > _SHOWN_CHARS:
        shown = shown[: _SHOWN_CHARS - 1] + "…"
    return shown


def _check_value(kind: HashKind, value: str) -> str:
    """Return the lowercase hex of a valid hash, or raise InvalidHashEntry saying why not."""
    return KINDS[kind].parse(value)


#: A variant tag: letters, digits and - _ . % + ° (no spaces: one field of a pytx line).
_VARIANT_RE: Final = re.compile(r"[0-9A-Za-z_.%+°-]{1,64}")
#: Line kind of a variant in a pytx list. python-threatexchange reads every line as
#: ``<signal type> <signal>`` and leaves out signal types it does not know, so it skips these
#: lines and keeps exactly one PDQ line per picture (see docs/hashlists.md).
VARIANT_LINE_KIND: Final = "ncii_variant"


def variant_tag(name: str) -> str:
    """A variant name as hashing gives it ("center-crop 80%") as a one-field tag."""
    return re.sub(r"\s+", "-", name.strip())[:64] or "variant"


def _check_variant(entry: HashEntry) -> None:
    variant: object = entry.variant
    original: object = entry.original
    if not isinstance(variant, str) or not isinstance(original, str):
        raise InvalidHashEntry("the variant tag and its original must be text")
    if not variant or not original:
        raise InvalidHashEntry(
            "a variant hash needs both its tag and the canonical PDQ hash of its picture"
        )
    if not _VARIANT_RE.fullmatch(variant):
        raise InvalidHashEntry(
            f"the variant tag '{_shown(variant)[:24]}' has characters other than letters, "
            "digits and - _ . % + °"
        )
    if KINDS[entry.kind].exact:  # only a picture's hashes have variants
        raise InvalidHashEntry("only pdq and phash hashes can be variants of a picture")
    if not _HEX_RE.fullmatch(original) or len(original) != PDQ.hex_digits:
        raise InvalidHashEntry(
            "the original of a variant must be the picture's PDQ hash (64 hex digits)"
        )
    object.__setattr__(entry, "original", original.lower())


@dataclass(frozen=True)
class HashEntry:
    """One hash of a list, always valid and normalised.

    Construction checks and normalises every field (lowercase hex, cleaned label), so an
    entry that exists can always be written and read back unchanged, and two entries for
    the same hash compare equal whatever case they arrived in. Invalid input raises
    :class:`InvalidHashEntry`. To build one from text (kind in any case, quality as a
    string), use :meth:`from_text`.

    ``quality`` is PDQ's 0-100 score where known; ``None`` means unknown (pytx files carry
    none) and is treated as acceptable. It is kept for other kinds if a list gives one.
    """

    kind: HashKind
    value: str
    quality: int | None = None
    label: str = ""
    #: For a variant hash (a crop, mirror or turn of a picture; see docs/hashlists.md): its
    #: tag, e.g. ``crop-80%-top-left``. Empty for the canonical hash of a picture.
    variant: str = ""
    #: For a variant: the canonical PDQ hash of the picture it belongs to (what a match on
    #: it names). Empty for a canonical hash.
    original: str = ""

    def __post_init__(self) -> None:
        kind: object = self.kind
        if not isinstance(kind, str) or kind not in _KIND_BY_NAME:
            raise InvalidHashEntry(f"unknown hash kind: use {_KIND_NAMES}")
        value: object = self.value
        if not isinstance(value, str):
            raise InvalidHashEntry(f"the {self.kind} hash must be text")
        object.__setattr__(self, "value", _check_value(self.kind, value))
        quality: object = self.quality
        if quality is not None and (
            not isinstance(quality, int) or isinstance(quality, bool) or not 0 <= quality <= 100
        ):
            raise InvalidHashEntry("the quality must be a whole number from 0 to 100")
        label: object = self.label
        if not isinstance(label, str):
            raise InvalidHashEntry("the label must be text")
        label = clean_label(label)
        if len(label) > MAX_LABEL_CHARS:
            raise InvalidHashEntry(f"the label is longer than {MAX_LABEL_CHARS} characters")
        object.__setattr__(self, "label", label)
        if self.variant or self.original:
            _check_variant(self)

    @property
    def picture(self) -> str:
        """The hash that names the picture this entry belongs to: the canonical hash for a
        variant, the entry's own value otherwise."""
        return self.original or self.value

    @classmethod
    def from_text(
        cls,
        kind: str,
        value: str,
        quality: str | int | None = None,
        label: str = "",
        variant: str = "",
        original: str = "",
    ) -> HashEntry:
        """Build an entry from fields as read from a file or typed by a person.

        The kind is case-insensitive, surrounding spaces are ignored, and an empty quality
        means unknown. A quality must be written as plain digits (no sign, no decimals):
        "75.5" or "+80" are refused rather than guessed at.
        """
        name = kind.strip()
        known = _KIND_BY_NAME.get(name.lower())
        if known is None:
            shown = _shown(name)[:24] if name else ""
            if not shown:
                raise InvalidHashEntry(f"the hash kind is missing: use {_KIND_NAMES}")
            raise InvalidHashEntry(f"unknown hash kind '{shown}': use {_KIND_NAMES}")
        number: int | None
        if isinstance(quality, str):
            text = quality.strip()
            if not text:
                number = None
            elif _QUALITY_RE.fullmatch(text) and int(text) <= 100:
                number = int(text)
            else:
                raise InvalidHashEntry(
                    f"the quality must be a whole number from 0 to 100, not '{_shown(text)[:12]}'"
                )
        else:
            number = quality
        return cls(known, value.strip(), number, label, variant.strip(), original.strip())

    @classmethod
    def _already_checked(
        cls, kind: HashKind, value: str, quality: int | None, label: str
    ) -> HashEntry:
        """An entry from fields that HashListStream has checked and normalised already."""
        entry = object.__new__(cls)
        object.__setattr__(entry, "kind", kind)
        object.__setattr__(entry, "value", value)
        object.__setattr__(entry, "quality", quality)
        object.__setattr__(entry, "label", label)
        return entry

    @property
    def is_low_quality(self) -> bool:
        """A PDQ hash whose known quality is below PDQ_MIN_QUALITY: matching skips it."""
        return not KINDS[self.kind].usable(self.quality)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "value": self.value,
            "quality": self.quality,
            "label": self.label,
        }
        if self.variant:
            data |= {"variant": self.variant, "original": self.original}
        return data


@dataclass(frozen=True)
class LineError:
    """A line that was skipped: where it is, what it says (cut, escaped) and what is wrong.

    ``line`` is 1-based and counts every physical line, blank and comment lines included,
    so it is the number a text editor shows.
    """

    line: int
    text: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "text": self.text, "message": self.message}


@dataclass
class ParsedList:
    """What came out of one list: the good entries, the skipped lines and some counts.

    ``duplicates`` counts lines whose kind and value repeat an earlier entry (the first one
    is kept, with its quality and label). ``low_quality`` counts kept PDQ entries with a
    quality below PDQ_MIN_QUALITY: they are in ``entries`` but matching skips them.
    ``errors`` lists the first MAX_LISTED_ERRORS bad lines; ``errors_not_listed`` counts
    the rest, so ``bad_lines`` is always the true number.
    """

    format: ListFormat
    entries: list[HashEntry] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    duplicates: int = 0
    low_quality: int = 0
    errors_not_listed: int = 0

    @property
    def bad_lines(self) -> int:
        return len(self.errors) + self.errors_not_listed

    def as_dict(self, *, include_entries: bool = True) -> dict[str, Any]:
        """Plain data for JSON output; entries can be left out of a summary of a big list."""
        data: dict[str, Any] = {
            "format": self.format,
            "entry_count": len(self.entries),
            "bad_lines": self.bad_lines,
            "duplicates": self.duplicates,
            "low_quality": self.low_quality,
            "errors": [e.as_dict() for e in self.errors],
            "errors_not_listed": self.errors_not_listed,
        }
        if include_entries:
            data["entries"] = [e.as_dict() for e in self.entries]
        return data
