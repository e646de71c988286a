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
"""

from __future__ import annotations

import csv
import io
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, TextIO

from ncii_desk import errors
from ncii_desk.hashing.perceptual import PDQ_MIN_QUALITY, is_degenerate_pdq

__all__ = [
    "HEX_LENGTHS",
    "MAX_FILE_BYTES",
    "MAX_LABEL_CHARS",
    "MAX_LINE_CHARS",
    "MAX_LISTED_ERRORS",
    "HashEntry",
    "HashKind",
    "InvalidHashEntry",
    "LineError",
    "ListFormat",
    "ParsedList",
    "clean_label",
    "detect_format",
    "load_hash_list",
    "parse_hash_list",
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

#: Largest list file read. Far above any real list (a million PDQ lines is about 70 MiB),
#: low enough that a wrong file picked by mistake (a disk image, a video) is refused at
#: once instead of being read into memory.
MAX_FILE_BYTES: Final = 512 * 1024 * 1024
#: Longest line read. A valid line is under 100 characters plus its label; anything longer
#: is not a hash line (and a binary file without newlines must not become one huge string).
MAX_LINE_CHARS: Final = 4096
#: Longest label kept. Keeps every written CSV row under MAX_LINE_CHARS, even with every
#: character a quote that the CSV writer doubles.
MAX_LABEL_CHARS: Final = 1000
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
#: Bidirectional embedding/override/isolate characters (format characters, category Cf):
#: they can make a label display as something other than what it is ("Trojan Source").
_BIDI_CONTROLS: Final = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS_RE: Final = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
#: First characters that make a spreadsheet treat a cell as a formula (CSV injection); the
#: apostrophe is included so that our own escape can be undone without ambiguity.
_FORMULA_STARTS: Final = frozenset("=+-@'")
_CSV_COLUMNS: Final = ("kind", "value", "quality", "label")


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

    @classmethod
    def from_text(
        cls, kind: str, value: str, quality: str | int | None = None, label: str = ""
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
        return cls(known, value.strip(), number, label)

    @property
    def is_low_quality(self) -> bool:
        """A PDQ hash whose known quality is below PDQ_MIN_QUALITY: matching skips it."""
        return self.kind == "pdq" and self.quality is not None and self.quality < PDQ_MIN_QUALITY

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "value": self.value,
            "quality": self.quality,
            "label": self.label,
        }


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
        if name in _CSV_COLUMNS and name not in columns:
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


def _byte_lines(data: bytes) -> Iterator[_Line]:
    """Physical lines of a file, each decoded on its own so one bad line spoils nothing else."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for number, raw in enumerate(io.BytesIO(data), start=1):
        raw = raw.removesuffix(b"\n").removesuffix(b"\r")
        if len(raw) > 4 * MAX_LINE_CHARS:  # too long whatever it decodes to: do not decode
            head = raw[: 4 * (_SHOWN_CHARS + 1)].decode("utf-8", "replace")
            yield (
                number,
                LineError(
                    number, _shown(head), f"this line is longer than {MAX_LINE_CHARS} characters"
                ),
            )
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield (
                number,
                LineError(
                    number,
                    _shown(raw.decode("utf-8", "replace")),
                    f"this line is not valid UTF-8 text (at byte {exc.start + 1}); save the file "
                    "as UTF-8",
                ),
            )
            continue
        yield number, _checked(number, line)


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


def _parse_pytx_line(number: int, line: str) -> HashEntry | LineError:
    content = line.split("#", 1)[0]
    fields = content.split()
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
    try:
        return HashEntry.from_text(kind, value, cell("quality"), _unescape_formula(label.strip()))
    except InvalidHashEntry as exc:
        return LineError(number, _shown(line), exc.message)


def _parse_lines(lines: Sequence[_Line], fmt: str | None) -> ParsedList:
    if fmt is None:
        chosen = detect_format(line for _, line in lines if isinstance(line, str))
    elif fmt in ("pytx", "csv"):
        chosen = "csv" if fmt == "csv" else "pytx"
    else:
        raise errors.InvalidSetting(
            f"'{_shown(fmt)[:20]}' is not a hash-list format.",
            "Use 'pytx' (one '<kind> <hash>' per line) or 'csv' (header kind,value,quality,"
            "label), or leave the format out to detect it.",
        )
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
                raise errors.InputFileError(
                    f"The CSV hash list has no header row (line {number} is not one).",
                    "Add a first row naming the columns: kind,value,quality,label "
                    "(quality and label may be left out).",
                )
            continue
        if columns is None:
            parsed = _parse_pytx_line(number, line)
        else:
            if not line.replace(",", "").strip():  # ",,," rows spreadsheets leave behind
                continue
            if _header_columns(line) is not None:  # header repeated: lists joined together
                continue
            parsed = _parse_csv_row(number, line, columns)
        if isinstance(parsed, LineError):
            out.error(parsed)
        else:
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


def _too_large(what: str, size: int) -> errors.InputFileError:
    return errors.InputFileError(
        f"{what} is {size / 2**20:.0f} MiB; NCII Desk reads hash lists of up to "
        f"{MAX_FILE_BYTES // 2**20} MiB.",
        "Check that this is the right file (a hash list is text, one hash per line). A real "
        "list this large can be split into smaller files, each added on its own.",
    )


def load_hash_list(path: Path, fmt: str | None = None) -> ParsedList:
    """Read a hash-list file, checking each line on its own.

    The file is read as bytes and each line decoded separately, so a line of non-UTF-8
    bytes (or a NUL, or a line of thousands of characters) is reported with its number and
    every other line still loads. A UTF-8 BOM is ignored. Files over MAX_FILE_BYTES, files
    that are not regular files, unreadable files and UTF-16 files (whole-file problems)
    raise InputFileError; an empty file is an empty list.
    """
    name = path.name or str(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise errors.InputFileError(f"'{name}' is not a file.")
        if info.st_size > MAX_FILE_BYTES:
            raise _too_large(f"The hash list '{name}'", info.st_size)
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise errors.InputFileError(
            f"The hash list '{name}' could not be read ({exc.strerror or 'read error'})."
        ) from exc
    if len(data) > MAX_FILE_BYTES:  # grew after stat()
        raise _too_large(f"The hash list '{name}'", len(data))
    if data.startswith(_UTF16_BOMS):
        raise errors.InputFileError(
            f"The hash list '{name}' is saved as UTF-16 text.",
            "Save it again as UTF-8 (in a spreadsheet: 'CSV UTF-8'), then add it again.",
        )
    return _parse_lines(list(_byte_lines(data)), fmt)


# --- writing ---------------------------------------------------------------------------------


def write_pytx(entries: Iterable[HashEntry], fh: TextIO, *, keep_low_quality: bool = False) -> int:
    """Write ``<kind> <hex>`` lines that python-threatexchange's file exchange can read.

    Returns the number of lines written. Each line is exactly kind, one space, hash: pytx
    splits on the first space and takes the rest as the hash, so no comment or extra field
    is ever written.

    python-threatexchange knows ``pdq`` and ``video_md5``. Entries of the other kinds are
    written the same way as ``md5``, ``sha256`` and ``phash`` lines: this module reads them
    back, but pytx will not recognise those kinds.

    The format has no place for a quality or a label, so both are lost (reading the file
    back gives quality None and an empty label; use CSV to keep them). Because a reader
    could then not tell low-quality PDQ hashes apart, and would match on them, those are
    left out unless ``keep_low_quality`` is set.
    """
    written = 0
    for entry in entries:
        if entry.is_low_quality and not keep_low_quality:
            continue
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
    """
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(_CSV_COLUMNS)
    written = 0
    for entry in entries:
        quality = "" if entry.quality is None else str(entry.quality)
        writer.writerow([entry.kind, entry.value, quality, _escape_formula(entry.label)])
        written += 1
    return written
