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

The code is split by responsibility: the kinds (hex lengths, value checks) are
hashing/kinds.py's; entries, skipped lines and results are in hashing/list_entries.py,
line-by-line reading in hashing/list_parse.py, streaming in hashing/list_stream.py and
writing in hashing/list_write.py. Every public name stays importable from here.
"""

from __future__ import annotations

from ncii_desk.hashing.kinds import InvalidHashEntry as InvalidHashEntry
from ncii_desk.hashing.list_entries import HEX_LENGTHS as HEX_LENGTHS
from ncii_desk.hashing.list_entries import MAX_FILE_BYTES as MAX_FILE_BYTES
from ncii_desk.hashing.list_entries import MAX_LABEL_CHARS as MAX_LABEL_CHARS
from ncii_desk.hashing.list_entries import MAX_LINE_CHARS as MAX_LINE_CHARS
from ncii_desk.hashing.list_entries import MAX_LISTED_ERRORS as MAX_LISTED_ERRORS
from ncii_desk.hashing.list_entries import MAX_STREAM_BYTES as MAX_STREAM_BYTES
from ncii_desk.hashing.list_entries import STREAM_BATCH_LINES as STREAM_BATCH_LINES
from ncii_desk.hashing.list_entries import VARIANT_LINE_KIND as VARIANT_LINE_KIND
from ncii_desk.hashing.list_entries import HashEntry as HashEntry
from ncii_desk.hashing.list_entries import HashKind as HashKind
from ncii_desk.hashing.list_entries import LineError as LineError
from ncii_desk.hashing.list_entries import ListFormat as ListFormat
from ncii_desk.hashing.list_entries import ParsedList as ParsedList
from ncii_desk.hashing.list_entries import clean_label as clean_label
from ncii_desk.hashing.list_entries import variant_tag as variant_tag
from ncii_desk.hashing.list_parse import detect_format as detect_format
from ncii_desk.hashing.list_parse import parse_hash_list as parse_hash_list
from ncii_desk.hashing.list_stream import EntryBatch as EntryBatch
from ncii_desk.hashing.list_stream import HashListStream as HashListStream
from ncii_desk.hashing.list_stream import PdqIndexRows as PdqIndexRows
from ncii_desk.hashing.list_stream import load_hash_list as load_hash_list
from ncii_desk.hashing.list_write import _escape_formula as _escape_formula
from ncii_desk.hashing.list_write import write_csv as write_csv
from ncii_desk.hashing.list_write import write_pytx as write_pytx

__all__ = [
    "HEX_LENGTHS",
    "MAX_FILE_BYTES",
    "MAX_LABEL_CHARS",
    "MAX_LINE_CHARS",
    "MAX_LISTED_ERRORS",
    "MAX_STREAM_BYTES",
    "STREAM_BATCH_LINES",
    "VARIANT_LINE_KIND",
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
