"""Writing hash lists: pytx lines and CSV rows that read back unchanged (see hashing/lists.py)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from ncii_desk.hashing.list_entries import (
    _CSV_COLUMNS,
    _CSV_VARIANT_COLUMNS,
    _FORMULA_STARTS,
    VARIANT_LINE_KIND,
    HashEntry,
)


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
