"""Reading hash lists line by line: format detection, the per-line checks of both formats
(each bad line becomes a LineError with its number), whole-text and whole-file reading.
The streaming reader (hashing/list_stream.py) uses the same functions for every line that
is not plain, so the error a person sees is always the same (see hashing/lists.py)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Final

from ncii_desk import errors
from ncii_desk.hashing.kinds import InvalidHashEntry
from ncii_desk.hashing.list_entries import (
    _CSV_COLUMNS,
    _CSV_VARIANT_COLUMNS,
    _FORMULA_STARTS,
    _SHOWN_CHARS,
    _UTF8_BOM,
    MAX_FILE_BYTES,
    MAX_LINE_CHARS,
    MAX_LISTED_ERRORS,
    VARIANT_LINE_KIND,
    HashEntry,
    LineError,
    ListFormat,
    ParsedList,
    _shown,
)

_Line = tuple[int, str | LineError]

#: Bytes read at a time, and the most bytes a line can have before it is certainly over
#: MAX_LINE_CHARS characters (4 bytes per character at most in UTF-8).
_READ_BLOCK: Final = 1 << 20
_MAX_RAW_LINE: Final = 4 * MAX_LINE_CHARS


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
