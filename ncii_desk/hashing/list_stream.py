"""Hash lists of millions of lines, read in bounded batches (see hashing/lists.py)."""

from __future__ import annotations

import binascii
import bisect
import hashlib
import itertools
import re
import secrets
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np

from ncii_desk import errors
from ncii_desk.hashing.kinds import EMPTY_FILE_DIGESTS, KINDS, PDQ
from ncii_desk.hashing.list_entries import (
    _CSV_VARIANT_COLUMNS,
    _HEX_RE,
    _QUALITY_RE,
    _UTF8_BOM,
    _UTF16_BOMS,
    HEX_LENGTHS,
    MAX_FILE_BYTES,
    MAX_LABEL_CHARS,
    MAX_LISTED_ERRORS,
    MAX_STREAM_BYTES,
    STREAM_BATCH_LINES,
    HashEntry,
    HashKind,
    LineError,
    ListFormat,
    ParsedList,
    clean_label,
)
from ncii_desk.hashing.list_parse import (
    _csv_line,
    _decoded,
    _format_named,
    _header_columns,
    _is_ignored,
    _no_header,
    _parse_pytx_line,
    _raw_lines,
    _too_large,
    _unescape_formula,
)

# --- streaming large lists -------------------------------------------------------------------
#
# Lists of millions of lines are read in batches: every line is checked exactly as above (the
# same functions give the same errors), but the common lines (``pdq <hex>``, plain CSV rows)
# take a quick path and their hashes are checked a whole batch at a time with numpy; anything
# unusual, and every line that fails a check, goes through the exact per-line code, so the
# error a person sees is always the same. Duplicates are found without keeping millions of
# strings: each kind's distinct values are kept as rows of bytes with a compact hash table.

_KINDS_BY_CODE: Final[tuple[HashKind, ...]] = tuple(HEX_LENGTHS)
_KIND_CODES: Final[dict[str, int]] = {kind: code for code, kind in enumerate(_KINDS_BY_CODE)}
_WIDTHS: Final[tuple[int, ...]] = tuple(HEX_LENGTHS[k] // 2 for k in _KINDS_BY_CODE)
#: Each code's least number of minority bits (the kind's blank-picture rule), or 0.
_MINORITY_BITS: Final[tuple[int, ...]] = tuple(
    KINDS[k].min_minority_bits or 0 for k in _KINDS_BY_CODE
)
_KIND_CODES_BYTES: Final[dict[bytes, int]] = {k.encode(): c for k, c in _KIND_CODES.items()}
_PDQ_CODE: Final = _KIND_CODES[PDQ.name]
#: ``<kind> <hex>`` with one space, as every tool writes it; other spellings (upper-case kind,
#: tabs, comments) are read by the exact per-line code. Bounded, so a fast line is never one
#: that the length check would refuse.
_FAST_PATTERN: Final = (
    f"({'|'.join(map(re.escape, _KINDS_BY_CODE))}) "
    rf"([0-9a-fA-F]{{{min(HEX_LENGTHS.values())},{max(HEX_LENGTHS.values())}}})[ \t]{{0,64}}"
)
_FAST_PYTX: Final = re.compile(_FAST_PATTERN)
_FAST_PYTX_BYTES: Final = re.compile(_FAST_PATTERN.encode())
_EMPTY_FILE_ROWS: Final[dict[int, Any]] = {
    len(value) // 2: np.frombuffer(bytes.fromhex(value), np.uint8) for value in EMPTY_FILE_DIGESTS
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
    least = _MINORITY_BITS[code]
    if least:
        bits = rows.shape[1] * 8
        ones = np.bitwise_count(rows).sum(axis=1, dtype=np.int32)
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
            low = (quality >= 0) & (quality < (PDQ.min_quality or 0))
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
