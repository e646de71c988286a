"""Video frame hashes in exchanged hash lists: tagged CSV rows, and matching a video by them.

A video original is exported as its MD5 (``video_md5``) plus one PDQ per distinct sampled
frame, vPDQ-style, and the frame variants a re-post needs (mirrored, centre crops from 95 %
to 75 %, without letterbox bars). In CSV each row says what it is, in columns after the four that
every reader knows::

    kind,value,quality,label,variant,original,frame,time_ms
    video_md5,9e10...,,clinic,file,5d41402abc4b2a76,,
    pdq,f8f8...,87,clinic,frame,5d41402abc4b2a76,0,0
    pdq,0a1b...,87,clinic,frame mirror,5d41402abc4b2a76,0,0
    pdq,77c0...,85,clinic,frame center-crop 90%,5d41402abc4b2a76,1,1000

``variant`` is ``full`` (a picture's canonical hash), ``file`` (digests of the bytes),
``frame`` (a video frame as it is) or ``frame <edit>``; ``original`` is an opaque tag of the
original (the first 16 hex digits of its SHA-256, which the list holds anyway); ``frame`` is
the sampled frame's number (one per second) and ``time_ms`` its time in the video. Readers
that know only ``kind,value,quality,label`` ignore the other columns and see ordinary PDQ
rows. A pytx list has no room for tags: frame hashes are plain ``pdq`` lines there.

``scan`` reads the tags (:func:`read_frame_tags`) and matches a suspect *video* against a
tagged original only by the frame rule of hashing/video_variants.py (enough frames, in time
order), and says which frames matched at which times. A suspect *picture* (a still) matches a
frame hash on its own, and the match names the original and the frame's time.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ncii_desk.hashing.defaults import PDQ_MIN_QUALITY
from ncii_desk.hashing.kinds import PDQ
from ncii_desk.hashing.list_write import _escape_formula
from ncii_desk.hashing.lists import HashEntry
from ncii_desk.hashing.matcher import ListMatch
from ncii_desk.hashing.perceptual import hamming_hex
from ncii_desk.hashing.pipeline import FileHashes, HashValue
from ncii_desk.hashing.video_variants import frame_rule_for

TAGGED_COLUMNS = ("kind", "value", "quality", "label", "variant", "original", "frame", "time_ms")
_PDQ_HEX = re.compile(r"[0-9a-fA-F]{64}")
_DIGITS = re.compile(r"[0-9]{1,12}")


@dataclass(frozen=True)
class TaggedRow:
    """One exported hash with what it is of."""

    entry: HashEntry
    variant: str = ""
    original: str = ""
    frame: int | None = None
    time_ms: int | None = None


def original_tag(sha256: str) -> str:
    """The opaque tag that ties an original's rows together in an exported list."""
    return sha256[:16]


def frame_rows(
    records: Iterable[tuple[str, str, int | None, int]], original: str, label: str
) -> list[TaggedRow]:
    """Tagged rows for one video's frame hashes (variant, value, quality, time in ms).

    vPDQ-style: a hash equal to an earlier one of the same variant (a still scene) is left
    out; frames are numbered by their time among the video's sampled frames.
    """
    rows = sorted(records, key=lambda r: (r[3], r[0] != "frame", r[0]))
    numbers = {t: k for k, t in enumerate(sorted({r[3] for r in rows}))}
    seen: set[tuple[str, str]] = set()
    out: list[TaggedRow] = []
    for variant, value, quality, time_ms in rows:
        if (variant, value) in seen:
            continue
        seen.add((variant, value))
        try:
            entry = HashEntry("pdq", value, quality, label)
        except ValueError:  # a blank frame's hash would match any blank frame: never shared
            continue
        out.append(TaggedRow(entry, variant, original, numbers[time_ms], time_ms))
    return out


def write_tagged_csv(rows: Iterable[TaggedRow], fh: TextIO) -> int:
    """A CSV list with the tag columns (module docstring); returns the row count."""
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(TAGGED_COLUMNS)
    written = 0
    for row in rows:
        e = row.entry
        writer.writerow(
            [
                e.kind,
                e.value,
                "" if e.quality is None else str(e.quality),
                _escape_formula(e.label),
                row.variant,
                row.original,
                "" if row.frame is None else str(row.frame),
                "" if row.time_ms is None else str(row.time_ms),
            ]
        )
        written += 1
    return written


@dataclass
class FrameTags:
    """The video frames of one tagged list: which originals and times each hash stands for,
    and each original's frame hashes (usable ones: quality unknown or >= the cut-off)."""

    by_value: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    by_original: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    def add(self, value: str, original: str, variant: str, time_ms: int) -> None:
        self.by_value.setdefault(value, []).append((original, variant, time_ms))
        self.by_original.setdefault(original, []).append((value, time_ms))


def read_frame_tags(path: Path) -> FrameTags | None:
    """The frame tags of a CSV list written by :func:`write_tagged_csv`; None for a list
    without them (pytx, plain CSV). Rows that are not valid frame rows are passed over here:
    the list reader reports bad lines."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            while header is not None and (not header or header[0].lstrip().startswith("#")):
                header = next(reader, None)
            if header is None:
                return None
            names = [h.strip().lower() for h in header]
            if not {"kind", "value", "original", "time_ms"} <= set(names):
                return None
            at = {n: names.index(n) for n in set(names)}
            tags = FrameTags()
            for cells in reader:
                row = _frame_row(cells, at)
                if row is not None:
                    tags.add(*row)
            return tags if tags.by_original else None
    except (OSError, csv.Error):
        return None


def _frame_row(cells: Sequence[str], at: dict[str, int]) -> tuple[str, str, str, int] | None:
    def cell(name: str) -> str:
        i = at.get(name)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    value, time_ms, original = cell("value"), cell("time_ms"), cell("original")
    if cell("kind").lower() != PDQ.name or not _PDQ_HEX.fullmatch(value):
        return None
    if not _DIGITS.fullmatch(time_ms) or not original:
        return None
    quality = cell("quality")
    if _DIGITS.fullmatch(quality) and int(quality) < PDQ_MIN_QUALITY:
        return None
    return value.lower(), original, cell("variant"), int(time_ms)


@dataclass(frozen=True)
class VideoListMatch(ListMatch):
    """A match on a tagged list's video frames: the original it names and, for a suspect
    video, the frames that matched in time order (suspect ms, original ms, distance)."""

    original: str = ""
    target_ms: int | None = None
    frames_in_order: int | None = None
    frames_required: int | None = None
    matched_frames: list[dict[str, int]] = field(default_factory=list)


def video_list_matches(
    fh: FileHashes, found: list[ListMatch], tags: dict[str, FrameTags], threshold: int
) -> list[ListMatch]:
    """``found`` (a file's per-hash list matches) with the frame rule applied where a list
    has frame tags: a suspect video's frame hits become one match per original that passes
    the rule (or none); a picture's hit on a frame names the original and the time."""
    out: list[ListMatch] = []
    candidates: dict[tuple[str, str], ListMatch] = {}
    for m in found:
        frames = tags.get(m.list)
        hit = frames.by_value.get(m.matched_value) if frames is not None else None
        if m.kind != PDQ.name or not hit:
            out.append(m)
            continue
        if fh.kind != "video":
            original, variant, time_ms = hit[0]
            fields = _fields(m)
            if _turn(m.suspect_variant.removeprefix("suspect ")) == _turn(variant):
                fields["method"] = "vpdq-frame"  # both mirrored (or neither): a plain copy
            out.append(VideoListMatch(**fields, original=original, target_ms=time_ms))
            continue
        for original, _, _ in hit:
            candidates.setdefault((m.list, original), m)
    if not candidates:
        return out
    queries = [
        v
        for v in fh.frames
        if v.frame_ms is not None and (v.quality is None or v.quality >= PDQ_MIN_QUALITY)
    ]
    for (name, original), first in candidates.items():
        rows = tags[name].by_original[original]
        verdict = frame_rule_for(
            [(q.value, int(q.frame_ms or 0)) for q in queries], rows, threshold
        )
        if not verdict.matched:
            continue
        best, distance = _best_query(queries, rows, verdict.chain)
        details = verdict.details()
        out.append(
            VideoListMatch(
                fh.path,
                name,
                "vpdq",
                original,
                first.label,
                "vpdq",
                distance,
                best.value,
                best.variant,
                best.frame_ms,
                original=original,
                target_ms=verdict.chain[0][1],
                frames_in_order=len(verdict.chain),
                frames_required=verdict.required,
                matched_frames=details["matched_frames"],
            )
        )
    return out


def _fields(m: ListMatch) -> dict[str, Any]:
    return {
        "path": m.path,
        "list": m.list,
        "kind": m.kind,
        "matched_value": m.matched_value,
        "label": m.label,
        "method": m.method,
        "distance": m.distance,
        "suspect_value": m.suspect_value,
        "suspect_variant": m.suspect_variant,
        "frame_ms": m.frame_ms,
    }


def _turn(variant: str) -> str:
    """ "mirror" for a mirrored hash (a picture's or a frame's), "" for one as it is."""
    name = variant.removeprefix("frame").strip()
    name = {"full": "", "flip-horizontal": "mirror"}.get(name, name)
    return name if name in ("", "mirror") else "other"


def _best_query(
    queries: list[HashValue], rows: list[tuple[str, int]], chain: list[tuple[int, int, int]]
) -> tuple[HashValue, int]:
    """The suspect hash of the closest frame pair on the chain, and its distance."""
    s_ms, t_ms, distance = min(chain, key=lambda c: c[2])
    targets = [v for v, t in rows if t == t_ms]
    here = [q for q in queries if q.frame_ms == s_ms]
    return min(here, key=lambda q: min(hamming_hex(q.value, v) for v in targets)), distance
