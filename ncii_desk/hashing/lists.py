"""Hash lists exchanged between clinics, hotlines and advocates: reading, checking, writing.

People who help victims swap *hashes* of the images and videos, never the pixels. A list
arrives from outside, often hand-edited or exported from a spreadsheet, so every line is
checked on its own: a bad line is reported with its line number and skipped, and the rest
of the list still loads. One bad line must never cost a victim the other hashes of a batch.

Two formats are read and written:

``pytx``
    The python-threatexchange local-file format: one ``<kind> <hex>`` per line, e.g.
    ``pdq f8f8f0ce...`` or ``video_md5 9e107d9d...``. Reading is strict (exactly two fields)
    but allows blank lines, ``#`` comment lines and a trailing ``# comment``. The format has
    no place for a PDQ quality or a label; see :func:`write_pytx`.
``csv``
    A header row naming the columns ``kind,value,quality,label`` (``quality`` and ``label``
    optional, names case-insensitive, other columns ignored), then one hash per row.

Kinds and their hex lengths: ``pdq`` 64 (images, with a quality score 0-100), ``video_md5``
32, ``md5`` 32, ``sha256`` 64 (exact file hashes) and ``phash`` 16 (a second opinion on
images). Hex is accepted in either case and always stored lowercase, so equal hashes compare
equal.

Hashes that would match almost anything are refused, because one of them in a list would
flag unrelated images and send a frightened person a false alarm: all-zero values, PDQ (and
pHash) values with almost all bits equal (they come from blank, single-colour images), and
the MD5/SHA-256 of an empty file. PDQ hashes whose quality is below ``PDQ_MIN_QUALITY`` are
kept (the list is the sender's, and the count is shown to the person) but counted in
``ParsedList.low_quality``; matching skips them, as Meta's PDQ guidance recommends, since
low-quality hashes come from flat or tiny images and match too much.

Labels come from outside. They are never interpreted, only cleaned: control characters
(except tab), bidirectional-override characters and lone surrogates are removed, line breaks
become spaces. That keeps every CSV record on one line, so line numbers in error reports are
the line numbers a person sees in a text editor, and a label cannot spoof or garble a
terminal or a table.

Lists of millions of lines are read with :class:`HashListStream`: the same checks, batch by
batch, keeping only the distinct hash values as bytes (32 per PDQ hash) rather than an
object per entry, so importing a 10-million-line list fits in an ordinary laptop's memory.
:func:`load_hash_list` uses the same reader and keeps every entry; :func:`parse_hash_list`
(text already in memory) checks line by line.
"""

from __future__ import annotations

import binascii
import bisect
import csv
import hashlib
import itertools
import re
import secrets
import stat
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, TextIO

import numpy as np

from ncii_desk import errors
from ncii_desk.hashing.perceptual import PDQ_MIN_QUALITY, is_degenerate_pdq

__all__ = [
    "HEX_LENGTHS",
    "MAX_FILE_BYTES",
    "MAX_LABEL_CHARS",
    "MAX_LINE_CHARS",
    "MAX_LISTED_ERRORS",
    "MAX_STREAM_BYTES",
    "STREAM_BATCH_LINES",
    "EntryBatch",
    "HashEntry",
    "HashKind",
    "HashListStream",
    "InvalidHashEntry",
    "LineError",
    "ListFormat",
    "ParsedList",
    "PdqIndexRows",
    "clean_label",
    "detect_format",
    "load_hash_list",
    "parse_hash_list",
    "variant_tag",
    "write_csv",
    "write_pytx",
]

HashKind = Literal["pdq", "video_md5", "md5", "sha256", "phash"]
ListFormat = Literal["pytx", "csv"]

#: Hex digits each kind has. Also the set of kinds this module knows.
HEX_LENGTHS: Final[dict[HashKind, int]] = {
    "pdq": 64,
    "video_md5": 32,
    "md5": 32,
    "sha256": 64,
    "phash": 16,
}
_KIND_BY_NAME: Final[dict[str, HashKind]] = {kind: kind for kind in HEX_LENGTHS}
_KIND_NAMES: Final = "pdq, video_md5, md5, sha256 or phash"

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
_PHASH_BITS: Final = 64
#: Same rule as is_degenerate_pdq (fewer than 1/16 of the bits differ from the rest), scaled
#: to 64 bits. A blank image's pHash is 8000000000000000: one bit set.
_PHASH_MIN_MINORITY_BITS: Final = 4
#: Hashes of zero bytes: a list holding one would flag every empty file (failed downloads).
_EMPTY_FILE_HASHES: Final[dict[str, str]] = {
    "d41d8cd98f00b204e9800998ecf8427e": "MD5",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855": "SHA-256",
}
_UTF8_BOM: Final = "\ufeff"
_UTF16_BOMS: Final = (b"\xff\xfe", b"\xfe\xff")
#: Bytes read at a time, and the most bytes a line can have before it is certainly over
#: MAX_LINE_CHARS characters (4 bytes per character at most in UTF-8).
_READ_BLOCK: Final = 1 << 20
_MAX_RAW_LINE: Final = 4 * MAX_LINE_CHARS
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


class InvalidHashEntry(errors.NciiDeskError, ValueError):
    """A hash, kind, quality or label that cannot be a list entry.

    A ``ValueError`` too, so code that builds entries can treat it like any bad value. The
    parsers turn it into a :class:`LineError` for the line and go on.
    """

    exit_code = 2
    default_hint = (
        "Check the hash: PDQ has 64 hex digits, video MD5 and MD5 32, SHA-256 64, pHash 16."
    )


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
    want = HEX_LENGTHS[kind]
    if not value:
        raise InvalidHashEntry(f"the {kind} hash is missing")
    if not _HEX_RE.fullmatch(value):
        raise InvalidHashEntry(
            f"the {kind} hash contains characters other than the hex digits 0-9 and a-f"
        )
    if len(value) != want:
        raise InvalidHashEntry(f"a {kind} hash has {want} hex digits; this one has {len(value)}")
    value = value.lower()
    number = int(value, 16)
    if kind == "pdq" and is_degenerate_pdq(value):
        raise InvalidHashEntry(
            "this PDQ hash is all or nearly all zeros or ones: such hashes come from blank "
            "or single-colour images and would match almost anything, so it is not used"
        )
    if kind == "phash":
        ones = number.bit_count()
        if min(ones, _PHASH_BITS - ones) < _PHASH_MIN_MINORITY_BITS:
            raise InvalidHashEntry(
                "this pHash is all or nearly all zeros or ones: such hashes come from blank "
                "or single-colour images and would match almost anything, so it is not used"
            )
    if number == 0:
        raise InvalidHashEntry(
            f"this {kind} hash is all zeros: that is a placeholder, not the hash of a file, "
            "and it could match anything a broken tool produced"
        )
    if value in _EMPTY_FILE_HASHES:
        raise InvalidHashEntry(
            f"this is the {_EMPTY_FILE_HASHES[value]} of an empty (zero-byte) file, not of an "
            "image or video: it would match every empty file"
        )
    return value


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
    if entry.kind not in ("pdq", "phash"):
        raise InvalidHashEntry("only pdq and phash hashes can be variants of a picture")
    if not _HEX_RE.fullmatch(original) or len(original) != HEX_LENGTHS["pdq"]:
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
        return self.kind == "pdq" and self.quality is not None and self.quality < PDQ_MIN_QUALITY

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


# --- reading ---------------------------------------------------------------------------------

_Line = tuple[int, str | LineError]


def _is_ignored(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _csv_cells(line: str) -> list[str]:
    """One physical line as CSV cells; raises csv.Error on unbalanced quotes."""
    return next(csv.reader([line], strict=True), [])


def _header_columns(line: str) -> dict[str, int] | None:
    """Column positions if ``line`` is a CSV header with at least kind and value, else None."""
    try:
        cells = _csv_cells(line)
    except csv.Error:
        return None
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = cell.strip().lstrip(_UTF8_BOM).strip().lower()
        if name in (*_CSV_COLUMNS, *_CSV_VARIANT_COLUMNS, "time_ms") and name not in columns:
            columns[name] = index
    if "kind" in columns and "value" in columns:
        return columns
    return None


def detect_format(first_lines: Iterable[str]) -> ListFormat:
    """``"csv"`` if the first line that is not blank or a comment is a CSV header, else pytx.

    Only the header decides: a comma-separated file without the header row is read as pytx
    and every line is reported (with a message that points at the missing header), rather
    than guessing which column is which. An empty input is pytx (and has no entries).
    """
    for line in first_lines:
        if _is_ignored(line.lstrip(_UTF8_BOM)):
            continue
        return "csv" if _header_columns(line.lstrip(_UTF8_BOM)) is not None else "pytx"
    return "pytx"


def _checked(number: int, line: str) -> str | LineError:
    """Checks that apply to every line of either format, before any parsing."""
    if len(line) > MAX_LINE_CHARS:
        return LineError(
            number, _shown(line), f"this line is longer than {MAX_LINE_CHARS} characters"
        )
    if "\x00" in line:
        return LineError(
            number,
            _shown(line),
            "this line contains a NUL byte: the file may not be a text file, or may be saved "
            "as UTF-16; save it as UTF-8 text",
        )
    return line


def _text_lines(text: str) -> Iterator[_Line]:
    """Physical lines of a string: split on LF only (CRLF allowed), BOM dropped."""
    if text.startswith(_UTF8_BOM):
        text = text[1:]
    pieces = text.split("\n")
    if pieces and pieces[-1] == "":
        pieces.pop()
    for number, piece in enumerate(pieces, start=1):
        yield number, _checked(number, piece.removesuffix("\r"))


def _too_long(number: int, head: bytes) -> LineError:
    """The error for a line too long to be a hash line; ``head`` is its first bytes."""
    shown = _shown(head[: 4 * (_SHOWN_CHARS + 1)].decode("utf-8", "replace"))
    return LineError(number, shown, f"this line is longer than {MAX_LINE_CHARS} characters")


def _raw_line(number: int, raw: bytes) -> bytes | LineError:
    """One complete line of a file without its LF: one CR before the LF is dropped."""
    raw = raw.removesuffix(b"\r")
    if len(raw) > _MAX_RAW_LINE:  # too long whatever it decodes to: do not decode
        return _too_long(number, raw)
    return raw


def _raw_lines(
    read: Callable[[int], bytes], on_block: Callable[[bytes], None] | None = None
) -> Iterator[tuple[int, bytes | LineError]]:
    """Physical lines of a file as bytes, read block by block, numbered from 1.

    Lines are split on LF only (a CR before it is dropped) and a UTF-8 BOM at the start of
    the file is ignored. Memory stays bounded whatever the file holds: a line longer than
    any hash line (a binary file without newlines) is reported as a LineError as soon as it
    is known to be too long, and only its first bytes are kept for the report. ``on_block``
    sees every block read, BOM included (for the file's digest and progress).
    """
    number = 0
    carry = b""
    long_head: bytes | None = None  # first bytes of a line already known to be too long
    first = True
    while True:
        block = read(_READ_BLOCK)
        if not block:
            break
        if on_block is not None:
            on_block(block)
        if first:
            first = False
            while len(block) < 3:  # a BOM is three bytes: have them all before looking
                more = read(_READ_BLOCK)
                if not more:
                    break
                if on_block is not None:
                    on_block(more)
                block += more
            block = block.removeprefix(b"\xef\xbb\xbf")
        pieces = block.split(b"\n")
        if long_head is None:
            pieces[0] = carry + pieces[0]
        elif len(pieces) == 1:
            continue  # still inside the long line
        else:
            number += 1
            yield number, _too_long(number, long_head)
            long_head = None
            del pieces[0]
        carry = pieces.pop()
        for raw in pieces:
            number += 1
            yield number, _raw_line(number, raw)
        if len(carry) > _MAX_RAW_LINE + 1:  # + 1: a CR that may come before the LF
            long_head = carry[: 4 * (_SHOWN_CHARS + 1)]
            carry = b""
    if long_head is not None:
        yield number + 1, _too_long(number + 1, long_head)
    elif carry:
        yield number + 1, _raw_line(number + 1, carry)


def _decoded(number: int, raw: bytes) -> str | LineError:
    """A raw line as text: each line is decoded on its own so one bad line spoils nothing."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return LineError(
            number,
            _shown(raw.decode("utf-8", "replace")),
            f"this line is not valid UTF-8 text (at byte {exc.start + 1}); save the file as UTF-8",
        )
    return _checked(number, line)


class _Collector:
    """Accumulates one ParsedList: dedupes, counts low quality, caps the error list."""

    def __init__(self, fmt: ListFormat) -> None:
        self.result = ParsedList(fmt)
        self._seen: set[tuple[str, str]] = set()

    def error(self, err: LineError) -> None:
        if len(self.result.errors) < MAX_LISTED_ERRORS:
            self.result.errors.append(err)
        else:
            self.result.errors_not_listed += 1

    def entry(self, entry: HashEntry) -> None:
        key = (entry.kind, entry.value)
        if key in self._seen:
            self.result.duplicates += 1
            return
        self._seen.add(key)
        self.result.entries.append(entry)
        if entry.is_low_quality:
            self.result.low_quality += 1


def _parse_variant_line(number: int, line: str, fields: list[str]) -> HashEntry | LineError:
    """``ncii_variant <kind> <hash> <picture's PDQ> <tag>`` (written by write_pytx)."""
    if len(fields) != 5:
        return LineError(
            number,
            _shown(line),
            f"a {VARIANT_LINE_KIND} line has five fields, '{VARIANT_LINE_KIND} <kind> <hash> "
            f"<original PDQ> <tag>', but this one has {len(fields)}",
        )
    try:
        return HashEntry.from_text(fields[1], fields[2], None, "", fields[4], fields[3])
    except InvalidHashEntry as exc:
        return LineError(number, _shown(line), exc.message)


def _parse_pytx_line(number: int, line: str) -> HashEntry | LineError:
    content = line.split("#", 1)[0]
    fields = content.split()
    if fields and fields[0].lower() == VARIANT_LINE_KIND:
        return _parse_variant_line(number, line, fields)
    if len(fields) != 2:
        found = {0: "nothing", 1: "one field"}.get(len(fields), f"{len(fields)} fields")
        message = f"expected two fields, '<kind> <hash>', but found {found}"
        if "," in content:
            message += (
                "; if this is a CSV file, its first row must be the header kind,value,quality,label"
            )
        elif len(fields) > 2:
            message += "; a comment after the hash must start with #"
        return LineError(number, _shown(line), message)
    try:
        return HashEntry.from_text(fields[0], fields[1])
    except InvalidHashEntry as exc:
        return LineError(number, _shown(line), exc.message)


def _unescape_formula(label: str) -> str:
    """Undo write_csv's spreadsheet-formula escape (a leading apostrophe)."""
    if len(label) > 1 and label[0] == "'" and label[1] in _FORMULA_STARTS:
        return label[1:]
    return label


def _parse_csv_row(number: int, line: str, columns: dict[str, int]) -> HashEntry | LineError:
    try:
        cells = _csv_cells(line)
    except csv.Error:
        return LineError(
            number,
            _shown(line),
            "the quotes on this line are not balanced (a label cannot run over several lines)",
        )

    def cell(name: str) -> str | None:
        index = columns.get(name)
        if index is None or index >= len(cells):
            return None
        return cells[index]

    kind, value = cell("kind"), cell("value")
    if kind is None or value is None:
        return LineError(
            number,
            _shown(line),
            f"this row has {len(cells)} column(s): the kind or the value column is missing",
        )
    label = cell("label") or ""
    variant, original = cell("variant") or "", cell("original") or ""
    if (cell("time_ms") or "").strip() or variant.strip() in ("full", "file"):
        # A video's rows (a frame's time, or the file's digests) carry the video's opaque
        # tag in `original`: read as ordinary hashes here; hashing/video_lists.py reads the
        # frame tags for the frame rule.
        variant = original = ""
    try:
        return HashEntry.from_text(
            kind,
            value,
            cell("quality"),
            _unescape_formula(label.strip()),
            variant,
            original,
        )
    except InvalidHashEntry as exc:
        return LineError(number, _shown(line), exc.message)


def _format_named(fmt: str) -> ListFormat:
    if fmt in ("pytx", "csv"):
        return "csv" if fmt == "csv" else "pytx"
    raise errors.InvalidSetting(
        f"'{_shown(fmt)[:20]}' is not a hash-list format.",
        "Use 'pytx' (one '<kind> <hash>' per line) or 'csv' (header kind,value,quality,"
        "label), or leave the format out to detect it.",
    )


def _no_header(number: int) -> errors.InputFileError:
    return errors.InputFileError(
        f"The CSV hash list has no header row (line {number} is not one).",
        "Add a first row naming the columns: kind,value,quality,label "
        "(quality and label may be left out).",
    )


def _csv_line(number: int, line: str, columns: dict[str, int]) -> HashEntry | LineError | None:
    """A CSV line after the header; None for a row that is skipped without a report."""
    if not line.replace(",", "").strip():  # ",,," rows spreadsheets leave behind
        return None
    if _header_columns(line) is not None:  # header repeated: lists joined together
        return None
    return _parse_csv_row(number, line, columns)


def _parse_lines(lines: Sequence[_Line], fmt: str | None) -> ParsedList:
    if fmt is None:
        chosen = detect_format(line for _, line in lines if isinstance(line, str))
    else:
        chosen = _format_named(fmt)
    out = _Collector(chosen)
    columns: dict[str, int] | None = None
    for number, line in lines:
        if isinstance(line, LineError):
            out.error(line)
            continue
        if _is_ignored(line):
            continue
        if chosen == "csv" and columns is None:
            columns = _header_columns(line)
            if columns is None:
                raise _no_header(number)
            continue
        if columns is None:
            parsed: HashEntry | LineError | None = _parse_pytx_line(number, line)
        else:
            parsed = _csv_line(number, line, columns)
        if isinstance(parsed, LineError):
            out.error(parsed)
        elif parsed is not None:
            out.entry(parsed)
    return out.result


def parse_hash_list(text: str, fmt: str | None = None) -> ParsedList:
    """Read a hash list from a string; ``fmt`` is "pytx", "csv" or None to detect it.

    Lines are split on LF (a CR before it is dropped), so the line numbers in errors are
    those of a text editor. Bad lines are reported and skipped; an empty text gives an
    empty list. Raises InputFileError only for what spoils the whole list: a CSV without
    its header row, or text over MAX_FILE_BYTES characters.
    """
    if len(text) > MAX_FILE_BYTES:
        raise _too_large("The hash list", len(text))
    return _parse_lines(list(_text_lines(text)), fmt)


def _too_large(what: str, size: int, limit: int | None = None) -> errors.InputFileError:
    limit = MAX_FILE_BYTES if limit is None else limit
    return errors.InputFileError(
        f"{what} is {size / 2**20:.0f} MiB; NCII Desk reads hash lists of up to "
        f"{limit // 2**20} MiB.",
        "Check that this is the right file (a hash list is text, one hash per line). A real "
        "list this large can be split into smaller files, each added on its own.",
    )


def load_hash_list(path: Path, fmt: str | None = None) -> ParsedList:
    """Read a hash-list file, checking each line on its own, into memory.

    The file is read as bytes and each line decoded separately, so a line of non-UTF-8
    bytes (or a NUL, or a line of thousands of characters) is reported with its number and
    every other line still loads. A UTF-8 BOM is ignored. Files over MAX_FILE_BYTES, files
    that are not regular files, unreadable files and UTF-16 files (whole-file problems)
    raise InputFileError; an empty file is an empty list. The same reader as
    :class:`HashListStream`, with every entry kept: for lists of millions of lines, use the
    stream and store each batch as it comes.
    """
    entries: list[HashEntry] = []
    with HashListStream(path, fmt, max_bytes=MAX_FILE_BYTES) as stream:
        for batch in stream.batches():
            entries.extend(batch.entries())
        return ParsedList(
            stream.format,
            entries,
            list(stream.errors),
            stream.duplicates,
            stream.low_quality,
            stream.errors_not_listed,
        )


# --- streaming large lists -------------------------------------------------------------------
#
# Lists of millions of lines are read in batches: every line is checked exactly as above (the
# same functions give the same errors), but the common lines (``pdq <hex>``, plain CSV rows)
# take a quick path and their hashes are checked a whole batch at a time with numpy; anything
# unusual, and every line that fails a check, goes through the exact per-line code, so the
# error a person sees is always the same. Duplicates are found without keeping millions of
# strings: each kind's distinct values are kept as rows of bytes with a compact hash table.

_KIND_CODES: Final[dict[str, int]] = {kind: code for code, kind in enumerate(HEX_LENGTHS)}
_KINDS_BY_CODE: Final[tuple[HashKind, ...]] = tuple(HEX_LENGTHS)
_WIDTHS: Final[tuple[int, ...]] = tuple(HEX_LENGTHS[k] // 2 for k in _KINDS_BY_CODE)
_KIND_CODES_BYTES: Final[dict[bytes, int]] = {k.encode(): c for k, c in _KIND_CODES.items()}
_PDQ_CODE: Final = _KIND_CODES["pdq"]
_PHASH_CODE: Final = _KIND_CODES["phash"]
#: ``<kind> <hex>`` with one space, as every tool writes it; other spellings (upper-case kind,
#: tabs, comments) are read by the exact per-line code. Bounded, so a fast line is never one
#: that the length check would refuse.
_FAST_PYTX: Final = re.compile(r"(pdq|video_md5|md5|sha256|phash) ([0-9a-fA-F]{16,64})[ \t]{0,64}")
_FAST_PYTX_BYTES: Final = re.compile(
    rb"(pdq|video_md5|md5|sha256|phash) ([0-9a-fA-F]{16,64})[ \t]{0,64}"
)
#: is_degenerate_pdq's rule (fewer than 16 of the 256 bits differ from the rest).
_PDQ_MIN_MINORITY_BITS: Final = 16
_EMPTY_FILE_ROWS: Final[dict[int, Any]] = {
    len(value) // 2: np.frombuffer(bytes.fromhex(value), np.uint8) for value in _EMPTY_FILE_HASHES
}


class _UniqueRows:
    """The distinct values of one hash kind, each kept once as a row of bytes.

    Rows live in blocks of ``_BLOCK`` (so nothing is copied as the set grows); an
    open-addressing table (linear probing, at most 3/4 full) maps a keyed 64-bit mix of a
    value to its row number + 1. A value counts as seen only when its whole row is equal, so
    the answer is exact. The key is random per set, so a list crafted to collide cannot slow
    the import down. 10 million PDQ values: 320 MB of rows and a 64 MiB table.
    """

    _BLOCK_BITS: Final = 20
    _BLOCK: Final = 1 << 20

    def __init__(self, width: int) -> None:
        self.width = width
        self.count = 0
        self._blocks: list[Any] = []
        self._table = np.zeros(1 << 12, np.int32)
        self._void = np.dtype((np.void, width))
        words = width // 8
        key = np.frombuffer(secrets.token_bytes(8 * (words + 1)), np.uint64)
        self._seed = np.uint64(key[0])
        self._mult = [np.uint64(int(k) | 1) for k in key[1:]]

    def _mix(self, rows: Any) -> Any:
        words = np.ascontiguousarray(rows).view(np.uint64)
        h = np.full(words.shape[0], self._seed, np.uint64)
        shift = np.uint64(31)
        for j, mult in enumerate(self._mult):
            h ^= words[:, j]
            h *= mult
            h ^= h >> shift
        return h

    def _rows_at(self, ids: Any) -> Any:
        """Rows of the given row numbers (0-based)."""
        if len(self._blocks) == 1:
            return self._blocks[0][ids]
        block = ids >> self._BLOCK_BITS
        offset = ids & (self._BLOCK - 1)
        out = np.empty((len(ids), self.width), np.uint8)
        for k in np.unique(block).tolist():
            hit = block == k
            out[hit] = self._blocks[k][offset[hit]]
        return out

    def _append(self, rows: Any) -> None:
        at = 0
        while at < len(rows):
            used = self.count % self._BLOCK
            if used == 0:
                self._blocks.append(np.empty((self._BLOCK, self.width), np.uint8))
            take = min(self._BLOCK - used, len(rows) - at)
            self._blocks[-1][used : used + take] = rows[at : at + take]
            self.count += take
            at += take

    def _reserve(self, count: int) -> None:
        """Grow the table (doubling, then re-placing every row) to stay at most 3/4 full."""
        size = len(self._table)
        if count * 4 <= size * 3:
            return
        while count * 4 > size * 3:
            size *= 2
        self._table = np.zeros(size, np.int32)
        mask = size - 1
        for k, block in enumerate(self._blocks):
            filled = block[: min(self._BLOCK, self.count - k * self._BLOCK)]
            slots = (self._mix(filled) & np.uint64(mask)).astype(np.int64)
            tags = np.arange(k * self._BLOCK + 1, k * self._BLOCK + 1 + len(filled))
            pending = np.arange(len(filled))
            while pending.size:  # every row is distinct: take the first free slot
                s = slots[pending]
                free = self._table[s] == 0
                self._table[s[free]] = tags[pending[free]]
                won = np.zeros(len(pending), bool)
                won[free] = self._table[s[free]] == tags[pending[free]]
                slots[pending[~free]] = (s[~free] + 1) & mask
                pending = pending[~won]

    def add(self, rows: Any) -> Any:
        """Keep the values not seen before; returns a mask: True for a row's first sighting."""
        is_new = np.zeros(len(rows), bool)
        if not len(rows):
            return is_new
        rows = np.ascontiguousarray(rows)
        _, first = np.unique(rows.view(self._void).ravel(), return_index=True)
        first.sort()  # the first of equal rows in this batch, in order
        cand = rows[first]
        n = len(cand)
        self._reserve(self.count + n)
        table = self._table
        mask = len(table) - 1
        slots = (self._mix(cand) & np.uint64(mask)).astype(np.int64)
        tags = np.arange(self.count + 1, self.count + 1 + n)  # row numbers + 1 if all new
        dup = np.zeros(n, bool)
        pending = np.arange(n)
        # Linear probing without deletions: a value already stored lies between its home
        # slot and the first free one, so it is met before any free slot is claimed.
        while pending.size:
            s = slots[pending]
            t = table[s]
            free = t == 0
            done = np.zeros(len(pending), bool)
            if free.any():
                at = np.flatnonzero(free)
                table[s[at]] = tags[pending[at]]
                done[at] = table[s[at]] == tags[pending[at]]  # one claim per slot wins
            old = np.flatnonzero(~free & (t <= self.count))
            if old.size:
                same = (self._rows_at(t[old].astype(np.int64) - 1) == cand[pending[old]]).all(1)
                dup[pending[old[same]]] = True
                done[old[same]] = True
            move = ~free & ~done  # another value (stored, or new in this batch): next slot
            slots[pending[move]] = (s[move] + 1) & mask
            pending = pending[~done]
        new = ~dup
        if dup.any():  # renumber the new rows without gaps
            table[slots[new]] = self.count + np.arange(1, int(new.sum()) + 1)
        self._append(cand[new])
        is_new[first[new]] = True
        return is_new

    def take(self, keep: Any) -> Iterator[Any]:
        """The stored rows where ``keep`` is True, in order, a block at a time; each block
        is released once handed out (the set is empty afterwards)."""
        self._table = np.zeros(1, np.int32)
        blocks, count = self._blocks, self.count
        self._blocks, self.count = [], 0
        for k in range(len(blocks)):
            lo = k * self._BLOCK
            filled = blocks[k][: min(self._BLOCK, count - lo)]
            blocks[k] = None
            yield np.compress(keep[lo : lo + len(filled)], filled, axis=0)
            del filled


def _rows_hex(rows: Any) -> list[str]:
    text = np.ascontiguousarray(rows).tobytes().hex()
    step = 2 * rows.shape[1]
    return [text[i : i + step] for i in range(0, len(text), step)]


def _bad_values(code: int, rows: Any) -> Any:
    """Mask of the values _check_value refuses, for a whole batch of one kind at once."""
    bad = ~rows.any(axis=1)
    if code in (_PDQ_CODE, _PHASH_CODE):
        bits = rows.shape[1] * 8
        ones = np.bitwise_count(rows).sum(axis=1, dtype=np.int32)
        least = _PDQ_MIN_MINORITY_BITS if code == _PDQ_CODE else _PHASH_MIN_MINORITY_BITS
        bad |= np.minimum(ones, bits - ones) < least
    empty = _EMPTY_FILE_ROWS.get(rows.shape[1])
    if empty is not None:
        bad |= (rows == empty).all(axis=1)
    return bad


@dataclass(frozen=True)
class EntryBatch:
    """The new entries of one slice of a list, in file order, as parallel lists.

    ``start`` is the position of the first one in the whole list (entries are numbered from
    0 in the order they first appear; duplicates are left out and take no number). Values
    are checked and normalised exactly as in :class:`HashEntry`.
    """

    start: int
    kinds: list[HashKind]
    values: list[str]
    qualities: list[int | None]
    labels: list[str]
    #: Index in this batch -> (variant tag, picture's canonical PDQ), for variant entries.
    tags: dict[int, tuple[str, str]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.kinds)

    def entries(self) -> list[HashEntry]:
        out = [
            HashEntry._already_checked(k, v, q, lab)
            for k, v, q, lab in zip(
                self.kinds, self.values, self.qualities, self.labels, strict=True
            )
        ]
        for k, (variant, original) in self.tags.items():
            object.__setattr__(out[k], "variant", variant)
            object.__setattr__(out[k], "original", original)
        return out


@dataclass
class PdqIndexRows:
    """A list's matchable PDQ hashes (quality unknown or >= PDQ_MIN_QUALITY), for the
    search index: ``count`` hashes, their ``positions`` in the list (int32, in order) and
    ``blocks``, the hash bytes as (n, 32) uint8 arrays whose rows add up to ``count``, in
    the same order. ``blocks`` can be read once; each is freed when the next is made."""

    count: int
    positions: Any
    blocks: Iterator[Any]


class _Candidates:
    """Lines of one batch that look like entries, before the batch-wide value checks."""

    __slots__ = ("codes", "hexes", "labels", "numbers", "qualities", "sources", "tags")

    def __init__(self) -> None:
        self.codes: list[int] = []
        self.hexes: list[bytes] = []
        self.qualities: list[int | None] = []
        self.labels: list[str] = []
        self.numbers: list[int] = []
        self.sources: list[bytes | str] = []
        #: Candidate number -> (variant tag, picture's canonical PDQ), for variant lines.
        self.tags: dict[int, tuple[str, str]] = {}

    def add(
        self,
        code: int,
        value: bytes,
        quality: int | None,
        label: str,
        number: int,
        src: bytes | str,
    ) -> None:
        self.codes.append(code)
        self.hexes.append(value)
        self.qualities.append(quality)
        self.labels.append(label)
        self.numbers.append(number)
        self.sources.append(src)


_Item = tuple[int, bytes | str | LineError]


class _StreamParser:
    """The rules of _parse_lines, applied batch by batch with bounded memory."""

    def __init__(self, fmt: str | None) -> None:
        self.format: ListFormat | None = None if fmt is None else _format_named(fmt)
        self.columns: dict[str, int] | None = None
        self.errors: list[LineError] = []
        self.errors_not_listed = 0
        self.duplicates = 0
        self.low_quality = 0
        self.entry_count = 0
        self._unique: dict[int, _UniqueRows] = {}
        self._pdq_positions: list[Any] = []
        self._pdq_matchable: list[Any] = []
        # Before the format is known: lines that are blank or a comment once a leading BOM
        # is removed, but not with it. _parse_lines reports them (pytx) or stops at them
        # (CSV without a header) once it knows the format, so they wait until then.
        self._held: list[tuple[int, str]] = []
        self._held_more = 0

    def error(self, err: LineError) -> None:
        """Keep the first MAX_LISTED_ERRORS bad lines by line number, count the rest."""
        errs = self.errors
        if errs and err.line < errs[-1].line:  # a line checked after later ones
            bisect.insort(errs, err, key=lambda e: e.line)
            if len(errs) > MAX_LISTED_ERRORS:
                errs.pop()
                self.errors_not_listed += 1
        elif len(errs) < MAX_LISTED_ERRORS:
            errs.append(err)
        else:
            self.errors_not_listed += 1

    def feed(self, items: Sequence[_Item]) -> EntryBatch:
        cands = _Candidates()
        start = self._undecided(items, cands) if self.format is None else 0
        if self.format == "pytx":
            self._pytx(items, start, cands)
        elif self.format == "csv":
            self._csv(items, start, cands)
        return self._settle(cands)

    def finish(self) -> EntryBatch:
        cands = _Candidates()
        if self.format is None:  # nothing but blank, comment and bad lines: pytx
            self.format = "pytx"
            self._replay(cands)
        return self._settle(cands)

    # per line ---------------------------------------------------------------------------

    def _undecided(self, items: Sequence[_Item], cands: _Candidates) -> int:
        """Lines before the first one that decides the format (detect_format's rule)."""
        for i, (number, item) in enumerate(items):
            line = _decoded(number, item) if isinstance(item, bytes) else item
            if isinstance(line, LineError):
                self.error(line)
                continue
            bare = line.lstrip(_UTF8_BOM)
            if _is_ignored(bare):
                if not _is_ignored(line):
                    if len(self._held) <= MAX_LISTED_ERRORS:
                        self._held.append((number, line))
                    else:  # never listed: the held lines before it come first
                        self._held_more += 1
                continue
            self.format = "csv" if _header_columns(bare) is not None else "pytx"
            self._replay(cands)
            return i
        return len(items)

    def _replay(self, cands: _Candidates) -> None:
        for number, line in self._held:
            self._exact(number, line, cands)
        self.errors_not_listed += self._held_more
        self._held, self._held_more = [], 0

    def _exact(self, number: int, item: bytes | str | LineError, cands: _Candidates) -> None:
        """One line the exact (per-line) way, once the format is known."""
        line = _decoded(number, item) if isinstance(item, bytes) else item
        if isinstance(line, LineError):
            self.error(line)
            return
        if _is_ignored(line):
            return
        if self.format == "csv":
            if self.columns is None:
                self.columns = _header_columns(line)
                if self.columns is None:
                    raise _no_header(number)
                return
            parsed = _csv_line(number, line, self.columns)
        else:
            parsed = _parse_pytx_line(number, line)
        if isinstance(parsed, LineError):
            self.error(parsed)
        elif parsed is not None:
            code = _KIND_CODES[parsed.kind]
            if parsed.variant:
                cands.tags[len(cands.codes)] = (parsed.variant, parsed.original)
            cands.add(code, parsed.value.encode(), parsed.quality, parsed.label, number, line)

    def _pytx(self, items: Sequence[_Item], start: int, cands: _Candidates) -> None:
        fast_bytes, fast_text = _FAST_PYTX_BYTES.fullmatch, _FAST_PYTX.fullmatch
        add = cands.add
        for number, item in itertools.islice(items, start, None):
            if type(item) is bytes:
                m = fast_bytes(item)
                if m is not None:
                    name, value = m.groups()
                    code = _KIND_CODES_BYTES[name]
                    if len(value) == 2 * _WIDTHS[code]:
                        add(code, value, None, "", number, item)
                        continue
            elif type(item) is str:
                t = fast_text(item)
                if t is not None:
                    kind, text = t.groups()
                    code = _KIND_CODES[kind]
                    if len(text) == 2 * _WIDTHS[code]:
                        add(code, text.encode(), None, "", number, item)
                        continue
            self._exact(number, item, cands)

    def _csv(self, items: Sequence[_Item], start: int, cands: _Candidates) -> None:
        for number, item in itertools.islice(items, start, None):
            if self.columns is None:
                self._exact(number, item, cands)
                continue
            line = _decoded(number, item) if isinstance(item, bytes) else item
            if isinstance(line, str) and self._fast_csv(number, line, self.columns, cands):
                continue
            self._exact(number, line, cands)

    def _fast_csv(
        self, number: int, line: str, columns: dict[str, int], cands: _Candidates
    ) -> bool:
        """A plain row (no quotes, nothing unusual) read without the csv module; False
        sends the line to the exact code. Same rules as _csv_line and HashEntry.from_text,
        except the value checks, which _settle does for the whole batch."""
        if _is_ignored(line):
            return True
        if '"' in line or "\r" in line or "kind" in line.lower():  # quoted, odd, or a header
            return False
        if not line.replace(",", "").strip():
            return True
        cells = line.split(",")
        n = len(cells)
        ki, vi = columns["kind"], columns["value"]
        if ki >= n or vi >= n:
            return False
        code = _KIND_CODES.get(cells[ki])
        if code is None:
            return False
        value = cells[vi]
        if len(value) != 2 * _WIDTHS[code] or not _HEX_RE.fullmatch(value):
            return False
        quality: int | None = None
        qi = columns.get("quality")
        if qi is not None and qi < n:
            text = cells[qi].strip()
            if text:
                if not (_QUALITY_RE.fullmatch(text) and int(text) <= 100):
                    return False
                quality = int(text)
        for name in _CSV_VARIANT_COLUMNS:  # a variant row: the exact code reads its tag
            at = columns.get(name)
            if at is not None and at < n and cells[at].strip():
                return False
        li = columns.get("label")
        label = cells[li] if li is not None and li < n else ""
        label = clean_label(_unescape_formula(label.strip()))
        if len(label) > MAX_LABEL_CHARS:
            return False
        cands.add(code, value.encode(), quality, label, number, line)
        return True

    # per batch ---------------------------------------------------------------------------

    def _refused(self, number: int, source: bytes | str) -> LineError:
        """The exact error for a line whose value the batch check refused."""
        line = _decoded(number, source) if isinstance(source, bytes) else source
        if isinstance(line, str):
            if self.format == "csv" and self.columns is not None:
                parsed = _csv_line(number, line, self.columns)
            else:
                parsed = _parse_pytx_line(number, line)
            line = parsed if isinstance(parsed, LineError) else line
        if isinstance(line, LineError):
            return line
        raise RuntimeError(f"the hash-list checks disagree about line {number}")

    def _settle(self, cands: _Candidates) -> EntryBatch:
        """Check the batch's values, drop duplicates, number the new entries."""
        start = self.entry_count
        total = len(cands.codes)
        if not total:
            return EntryBatch(start, [], [], [], [])
        codes = np.asarray(cands.codes, np.int8)
        new = np.zeros(total, bool)
        accepted = 0
        values: list[str] = [""] * total
        pdq_rows_new: Any = None
        for code in np.unique(codes).tolist():
            sel = np.flatnonzero(codes == code)
            hexes = cands.hexes
            raw = binascii.unhexlify(b"".join([hexes[i] for i in sel.tolist()]))
            rows = np.frombuffer(raw, np.uint8).reshape(len(sel), _WIDTHS[code])
            bad = _bad_values(code, rows)
            if bad.any():
                for i in sel[bad].tolist():
                    self.error(self._refused(cands.numbers[i], cands.sources[i]))
                sel, rows = sel[~bad], rows[~bad]
            accepted += len(sel)
            unique = self._unique.get(code)
            if unique is None:
                unique = self._unique[code] = _UniqueRows(_WIDTHS[code])
            first = unique.add(rows)
            fresh = sel[first]
            new[fresh] = True
            for i, text in zip(fresh.tolist(), _rows_hex(rows[first]), strict=True):
                values[i] = text
            if code == _PDQ_CODE:
                pdq_rows_new = fresh
        order = np.flatnonzero(new)
        self.duplicates += accepted - len(order)
        self.entry_count += len(order)
        if pdq_rows_new is not None and len(pdq_rows_new):
            positions = start + np.searchsorted(order, pdq_rows_new)
            quality = np.array(
                [
                    -1 if q is None else q
                    for q in map(cands.qualities.__getitem__, pdq_rows_new.tolist())
                ],
                np.int16,
            )
            low = (quality >= 0) & (quality < PDQ_MIN_QUALITY)
            self.low_quality += int(np.count_nonzero(low))
            self._pdq_positions.append(positions.astype(np.int32))
            self._pdq_matchable.append(~low)
        picked = order.tolist()
        tags = cands.tags
        return EntryBatch(
            start,
            [_KINDS_BY_CODE[c] for c in codes[order].tolist()],
            [values[i] for i in picked],
            [cands.qualities[i] for i in picked],
            [cands.labels[i] for i in picked],
            {k: tags[i] for k, i in enumerate(picked) if i in tags} if tags else {},
        )

    def pdq_index(self) -> PdqIndexRows:
        unique = self._unique.pop(_PDQ_CODE, None)
        if unique is None:
            return PdqIndexRows(0, np.empty(0, np.int32), iter(()))
        matchable = np.concatenate(self._pdq_matchable)
        positions = np.concatenate(
            [p[m] for p, m in zip(self._pdq_positions, self._pdq_matchable, strict=True)]
        )
        self._pdq_matchable, self._pdq_positions = [], []
        return PdqIndexRows(len(positions), positions, unique.take(matchable))


class HashListStream:
    """A hash-list file read in bounded batches: for lists of millions of lines.

    Gives the same entries, positions, bad lines (with their line numbers), duplicate and
    low-quality counts as :func:`load_hash_list`, but one :class:`EntryBatch` at a time, so
    the caller can store each batch and drop it. What stays in memory is the distinct
    values as bytes (32 bytes per PDQ hash), not millions of Python objects. The file's
    SHA-256 is computed while it is read. Use as a context manager (the file is closed at
    the end)::

        with HashListStream(path) as stream:
            for batch in stream.batches():
                store(batch)
            rows, positions = stream.pdq_index_rows()

    Whole-file problems raise InputFileError when the stream is made (not a file, too large,
    unreadable, UTF-16) or while reading (the file grew past the limit, a read failed); a
    CSV list without its header raises it when that line is reached.
    """

    def __init__(
        self,
        path: Path,
        fmt: str | None = None,
        *,
        batch_lines: int | None = None,
        max_bytes: int | None = None,
    ) -> None:
        self.name = path.name or str(path)
        self._limit = MAX_STREAM_BYTES if max_bytes is None else max_bytes
        self._batch_lines = max(1, STREAM_BATCH_LINES if batch_lines is None else batch_lines)
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode):
                raise errors.InputFileError(f"'{self.name}' is not a file.")
            if info.st_size > self._limit:
                raise _too_large(f"The hash list '{self.name}'", info.st_size, self._limit)
            self._fh = path.open("rb")
        except OSError as exc:
            raise self._unreadable(exc) from exc
        try:
            head = self._fh.read(2)
            self._fh.seek(0)
        except OSError as exc:
            self._fh.close()
            raise self._unreadable(exc) from exc
        if head in _UTF16_BOMS:
            self._fh.close()
            raise errors.InputFileError(
                f"The hash list '{self.name}' is saved as UTF-16 text.",
                "Save it again as UTF-8 (in a spreadsheet: 'CSV UTF-8'), then add it again.",
            )
        self._parser = _StreamParser(fmt)
        self._hasher = hashlib.sha256()
        #: Bytes in the file when it was opened, and bytes read so far (for progress).
        self.size = info.st_size
        self.bytes_read = 0
        #: Physical lines read so far.
        self.lines_read = 0
        self._finished = False

    def _unreadable(self, exc: OSError) -> errors.InputFileError:
        return errors.InputFileError(
            f"The hash list '{self.name}' could not be read ({exc.strerror or 'read error'})."
        )

    def __enter__(self) -> HashListStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._fh.close()

    def _read(self, size: int) -> bytes:
        try:
            block = self._fh.read(size)
        except OSError as exc:
            raise self._unreadable(exc) from exc
        self.bytes_read += len(block)
        if self.bytes_read > self._limit:  # grew after it was opened
            raise _too_large(f"The hash list '{self.name}'", self.bytes_read, self._limit)
        self._hasher.update(block)
        return block

    def batches(self) -> Iterator[EntryBatch]:
        """The list's new entries, batch by batch, in file order (read once)."""
        if self._finished:
            raise RuntimeError("the list has already been read")
        items: list[_Item] = []
        for item in _raw_lines(self._read):
            items.append(item)
            if len(items) >= self._batch_lines:
                self.lines_read = item[0]
                yield self._parser.feed(items)
                items = []
        if items:
            self.lines_read = items[-1][0]
            yield self._parser.feed(items)
        last = self._parser.finish()
        self._finished = True
        if len(last):
            yield last

    def _done(self) -> _StreamParser:
        if not self._finished:
            raise RuntimeError("read the whole list (batches()) first")
        return self._parser

    @property
    def format(self) -> ListFormat:
        return self._parser.format or "pytx"

    @property
    def errors(self) -> list[LineError]:
        """The first MAX_LISTED_ERRORS bad lines so far, by line number."""
        return self._parser.errors

    @property
    def errors_not_listed(self) -> int:
        return self._parser.errors_not_listed

    @property
    def bad_lines(self) -> int:
        return len(self._parser.errors) + self._parser.errors_not_listed

    @property
    def duplicates(self) -> int:
        return self._parser.duplicates

    @property
    def low_quality(self) -> int:
        return self._parser.low_quality

    @property
    def entry_count(self) -> int:
        return self._parser.entry_count

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the file's bytes (known once the whole list has been read)."""
        self._done()
        return self._hasher.hexdigest()

    def pdq_index(self) -> PdqIndexRows:
        """The matchable PDQ entries, for the search index (see :class:`PdqIndexRows`).

        Hands over the values kept for finding duplicates (their memory is freed block by
        block as they are read), so it can be called once, after the whole list was read.
        """
        return self._done().pdq_index()


# --- writing ---------------------------------------------------------------------------------


def write_pytx(entries: Iterable[HashEntry], fh: TextIO, *, keep_low_quality: bool = False) -> int:
    """Write ``<kind> <hex>`` lines that python-threatexchange's file exchange can read.

    Returns the number of lines written. Each canonical line is exactly kind, one space,
    hash: pytx splits on the first space and takes the rest as the hash, so no comment or
    extra field is ever written on it (variant lines: below).

    python-threatexchange knows ``pdq`` and ``video_md5``. Entries of the other kinds are
    written the same way as ``md5``, ``sha256`` and ``phash`` lines: this module reads them
    back, but pytx will not recognise those kinds.

    The format has no place for a quality or a label, so both are lost (reading the file
    back gives quality None and an empty label; use CSV to keep them). Because a reader
    could then not tell low-quality PDQ hashes apart, and would match on them, those are
    left out unless ``keep_low_quality`` is set.

    A variant entry (crop, mirror, turn of a picture) is written as one line of five
    fields, ``ncii_variant <kind> <hash> <picture's PDQ> <tag>``. pytx takes
    ``ncii_variant`` as a signal type it does not know and leaves the line out, so a pytx
    reader sees exactly the canonical ``pdq`` line of each picture; this module reads the
    variant back with its tag and its picture (docs/hashlists.md).
    """
    written = 0
    for entry in entries:
        if entry.is_low_quality and not keep_low_quality:
            continue
        if entry.variant:
            fh.write(
                f"{VARIANT_LINE_KIND} {entry.kind} {entry.value} {entry.original} {entry.variant}\n"
            )
        else:
            fh.write(f"{entry.kind} {entry.value}\n")
        written += 1
    return written


def _escape_formula(label: str) -> str:
    """Keep a spreadsheet from running an outside label as a formula (CSV injection).

    A leading apostrophe makes Excel and LibreOffice show the cell as text; the reader in
    this module removes it again, so a round trip gives the label back unchanged.
    """
    return "'" + label if label and label[0] in _FORMULA_STARTS else label


def write_csv(entries: Iterable[HashEntry], fh: TextIO) -> int:
    """Write a CSV list with the header ``kind,value,quality,label``; returns the row count.

    Quoting is the csv module's (labels with commas or quotes are quoted, quotes doubled).
    Labels never hold line breaks (see clean_label), so every row is one line. An unknown
    quality is an empty cell. Labels that a spreadsheet would take for a formula get a
    leading apostrophe, which parse_hash_list removes. Rows end in LF; open the file with
    ``newline=""`` to get LF on every system (CRLF is read back just as well).

    When some entry is a variant, two more columns follow: ``variant`` (its tag) and
    ``original`` (its picture's canonical PDQ), empty for canonical rows. A reader that knows
    only the first four columns ignores them and takes a variant row as an ordinary hash.
    """
    entries = list(entries)
    tagged = any(e.variant for e in entries)
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow((*_CSV_COLUMNS, *_CSV_VARIANT_COLUMNS) if tagged else _CSV_COLUMNS)
    written = 0
    for entry in entries:
        quality = "" if entry.quality is None else str(entry.quality)
        row = [entry.kind, entry.value, quality, _escape_formula(entry.label)]
        writer.writerow([*row, entry.variant, entry.original] if tagged else row)
        written += 1
    return written
