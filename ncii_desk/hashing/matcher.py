"""Matching hashed files against hash lists: exact digests and PDQ within a distance.

The PDQ threshold is the exchange standard (31) unless the user sets another; it is never
raised to find more. Robustness comes from querying more hashes of each suspect (its
rotations/mirrors, the picture regions inside screenshots and collages, video frames), and
every match says which hash of the suspect matched, by which method, at what distance.
Hashes of quality below 50 are not used for matching (they come from near-blank images).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

import numpy as np

from ncii_desk.hashing.index import HashIndex, hex_to_rows
from ncii_desk.hashing.kinds import KINDS, PDQ, PHASH, digest_kinds
from ncii_desk.hashing.lists import HashEntry
from ncii_desk.hashing.perceptual import DIHEDRAL_NAMES
from ncii_desk.hashing.pipeline import FileHashes, HashValue

#: A file's digest (FileHashes attribute) -> the list kinds compared with it.
EXACT_KINDS = {"sha256": digest_kinds("sha256"), "md5": digest_kinds("md5")}
#: Method of a pHash match on a low-texture picture (PDQ quality below the cut-off): a
#: weaker method than PDQ, shown as such so that a person checks it by eye.
WEAK_METHOD = "phash-weak"
#: Tag of the pHash an exported list carries for a low-texture original.
LOW_TEXTURE_TAG = "low-texture-phash"
#: A suspect whose PDQ quality is at least this is not low-texture: no weak matches for it.
WEAK_MAX_QUALITY = (PDQ.min_quality or 0) + 10


def method_of(value: HashValue) -> str:
    """Name of the matching method a suspect hash stands for, as shown to the user."""
    if value.frame_ms is not None:
        return "vpdq-frame"
    if value.variant in ("", "full"):
        return value.kind
    if value.variant.removeprefix("suspect ") in (*DIHEDRAL_NAMES, "mirror"):
        return "pdq-dihedral"
    if value.variant.startswith("deskew "):  # turned back by a few degrees
        return "pdq-dihedral"
    return "pdq-region"


@dataclass(frozen=True)
class ListMatch:
    path: str
    list: str
    kind: str
    matched_value: str
    label: str
    method: str
    distance: int
    suspect_value: str
    suspect_variant: str
    frame_ms: int | None = None
    #: The canonical hash of the listed picture this match names: ``matched_value`` itself,
    #: or, when a variant hash of the list matched, the canonical hash of its picture.
    original: str = ""
    #: The tag of the list's variant hash that matched ("" for a canonical hash).
    list_variant: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class ListMatcher:
    """All entries of the given lists, indexed once; then any number of files matched."""

    def __init__(
        self,
        lists: Sequence[tuple[str, Sequence[HashEntry]]],
        *,
        pdq_threshold: int = PDQ.threshold,
        phash_threshold: int = PHASH.threshold,
    ) -> None:
        if not 0 <= pdq_threshold <= 128:
            raise ValueError("the PDQ threshold must be between 0 and 128")
        self.pdq_threshold = pdq_threshold
        self.phash_threshold = phash_threshold
        self._exact: dict[tuple[str, str], list[tuple[str, HashEntry]]] = {}
        pdq: list[tuple[str, HashEntry]] = []
        phash: list[tuple[str, HashEntry]] = []
        for name, entries in lists:
            for e in entries:
                kind = KINDS[e.kind]
                if kind.exact:
                    self._exact.setdefault((e.kind, e.value), []).append((name, e))
                elif kind is PDQ:
                    if kind.usable(e.quality):
                        pdq.append((name, e))
                elif kind is PHASH:
                    phash.append((name, e))
        self._pdq_entries = pdq
        self._phash_entries = phash
        self._pdq_index = HashIndex(PDQ.bits)
        if pdq:
            self._pdq_index.add(hex_to_rows([e.value for _, e in pdq], PDQ.bits))
        self._phash_index = HashIndex(PHASH.bits)
        if phash:
            self._phash_index.add(hex_to_rows([e.value for _, e in phash], PHASH.bits))

    @property
    def size(self) -> int:
        return (
            len(self._pdq_entries)
            + len(self._phash_entries)
            + sum(len(v) for v in self._exact.values())
        )

    def match(self, fh: FileHashes) -> list[ListMatch]:
        out: list[ListMatch] = []
        for digest_kind, list_kinds in EXACT_KINDS.items():
            value = getattr(fh, digest_kind)
            for list_kind in list_kinds:
                for name, e in self._exact.get((list_kind, value), []):
                    out.append(
                        ListMatch(
                            fh.path,
                            name,
                            list_kind,
                            e.value,
                            e.label,
                            list_kind,
                            0,
                            value,
                            "file bytes",
                        )
                    )
        queries = [v for v in fh.all_pdq() if PDQ.usable(v.quality)]
        out.extend(
            self._search(
                fh.path, queries, self._pdq_index, self._pdq_entries, PDQ.bits, self.pdq_threshold
            )
        )
        if fh.phash is not None and self._phash_entries:
            low_texture = fh.pdq_quality is not None and fh.pdq_quality < WEAK_MAX_QUALITY
            for m in self._search(
                fh.path,
                [HashValue(PHASH.name, fh.phash, None, "full")],
                self._phash_index,
                self._phash_entries,
                PHASH.bits,
                self.phash_threshold,
            ):
                if m.list_variant != LOW_TEXTURE_TAG:
                    out.append(m)
                elif low_texture:  # the fallback for pictures PDQ cannot describe
                    out.append(replace(m, method=WEAK_METHOD))
        return _one_per_picture(out)

    def _search(
        self,
        path: str,
        queries: list[HashValue],
        index: HashIndex,
        entries: list[tuple[str, HashEntry]],
        bits: int,
        radius: int,
    ) -> list[ListMatch]:
        if not queries or len(index) == 0:
            return []
        rows = hex_to_rows([q.value for q in queries], bits)
        found = index.search(rows, radius)
        best: dict[int, tuple[int, int]] = {}  # entry -> (distance, query)
        for q, e, d in zip(
            found.query_idx.tolist(), found.entry_idx.tolist(), found.distance.tolist(), strict=True
        ):
            if e not in best or d < best[e][0]:
                best[e] = (d, q)
        out = []
        for e, (d, q) in sorted(best.items(), key=lambda kv: (kv[1][0], kv[0])):
            name, entry = entries[e]
            query = queries[q]
            out.append(
                ListMatch(
                    path,
                    name,
                    entry.kind,
                    entry.value,
                    entry.label,
                    method_of(query),
                    int(d),
                    query.value,
                    query.variant,
                    query.frame_ms,
                    entry.picture,
                    entry.variant,
                )
            )
        return out


def _one_per_picture(matches: list[ListMatch]) -> list[ListMatch]:
    """One match per listed picture and list: the closest of its canonical and variant
    hashes (a canonical hash wins a tie), so a picture is named once, by its own hash."""
    best: dict[tuple[str, str, str], ListMatch] = {}
    order: list[tuple[str, str, str]] = []
    for m in matches:
        key = (m.list, m.kind, m.original or m.matched_value)
        held = best.get(key)
        if held is None:
            order.append(key)
            best[key] = m
        elif (m.distance, bool(m.list_variant)) < (held.distance, bool(held.list_variant)):
            best[key] = m
    return [best[k] for k in order]


def pairwise_distances(a: Sequence[str], b: Sequence[str], bits: int = 256) -> np.ndarray:
    """Hamming distances between two small sets of hex hashes (rows of a, columns of b)."""
    ra, rb = hex_to_rows(list(a), bits), hex_to_rows(list(b), bits)
    if len(ra) == 0 or len(rb) == 0:
        return np.zeros((len(ra), len(rb)), dtype=np.int32)
    # In blocks of rows: two long videos (thousands of frame hashes each, with variants)
    # would otherwise need gigabytes for the XOR at once.
    step = max(1, _PAIRWISE_BYTES // max(1, rb.size))
    distances = np.empty((len(ra), len(rb)), dtype=np.int32)
    for r0 in range(0, len(ra), step):
        x = np.bitwise_xor(ra[r0 : r0 + step, None, :], rb[None, :, :])
        distances[r0 : r0 + step] = np.bitwise_count(x).sum(axis=2)
    return distances


#: Largest XOR block pairwise_distances makes at once.
_PAIRWISE_BYTES = 32 * 1024 * 1024
