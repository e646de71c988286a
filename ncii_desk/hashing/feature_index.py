"""Which originals are worth a local-feature check: an inverted index of ORB descriptors.

Verifying a suspect against an original with local features (:func:`features.verify`: a
brute-force descriptor match, a ratio test and a RANSAC fit) costs about 1-5 ms a pair. Doing it
against every original of a case costs seconds per suspect once a case holds hundreds of
originals. This index picks the few originals that can pass that check, so the verifier runs
on a short candidate list only.

Design. Every 256-bit ORB descriptor is cut into 16 slices of 16 bits; for each slice position
the index keeps the descriptors sorted by the slice value with an offsets table (a counting
sort), so the descriptors sharing a slice value with a query are one contiguous run. A
suspect's descriptors are looked up slice by slice and every hit is a vote for the original
that owns the descriptor, weighted by ``1 / sqrt(run length)`` so that common slice values
(flat regions, repeated texture) count for little, and runs far longer than the mean are
skipped (they held 90 % of the hits and almost none of the signal). Originals are ranked by
their votes and the top ``k`` are the candidates, provided they have a vote and, when there
are enough originals to measure it, clearly more than the accidental votes every original
collects (the median).

Why this keeps recall: a verified match needs at least ``MIN_INLIERS`` (30) descriptor pairs
that pass the ratio test and agree on one geometric transform; such pairs are close in Hamming
distance (true ORB matches are mostly under 40 of 256 bits), and a pair at distance 40 shares
at least one of its 16 slices exactly with probability about 0.67, so an original that can
pass the verifier collects tens of votes, while unrelated originals collect a handful of
accidental ones. On the benchmark (bench/match_scaling.py) every suspect the verifier accepts
ranked first or second among 1,000 originals. Originals with no vote at all are never
candidates (one with 30 close descriptor pairs and no shared slice among any of them has a
probability below 1e-14).

The index only chooses which pairs to verify; the verifier decides every match, so a wrong
candidate can cost a verification but never produce a match.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from ncii_desk.hashing.features import Features

#: Originals verified per suspect at most (the best ranked by votes). Every suspect the
#: verifier accepted on the benchmark ranked first or second (second: the same photo twice).
DEFAULT_CANDIDATES: Final = 4
#: With at least this many originals to choose from, the median vote is the noise floor (the
#: accidental slice collisions every original collects) ...
NOISE_FLOOR_MIN_ORIGINALS: Final = 32
#: ... and a candidate needs this many times that floor. Originals the verifier accepted had
#: 1.7-25 times the median on the benchmark (25 % scale + JPEG q30 the lowest); unrelated ones
#: mostly 1.2-1.6 (related textures up to 3.6, which the verifier then turns down).
NOISE_FLOOR_RATIO: Final = 1.4
_SLICES: Final = 16  # 16-bit slices of a 256-bit descriptor
_VALUES: Final = 1 << 16
#: Runs longer than this many times the mean run (and than _MIN_RUN_CAP) are skipped: ORB
#: slices are far from uniform (flat and repeated texture give a few very common values), and
#: those runs held 90 % of the hits at 1,000 originals while each hit weighs almost nothing.
_RUN_CAP_FACTOR: Final = 4.0
_MIN_RUN_CAP: Final = 32

I64Array = npt.NDArray[np.int64]
I32Array = npt.NDArray[np.int32]


@dataclass(frozen=True)
class _Tables:
    owners: tuple[I32Array, ...]  # per slice: owner number of each descriptor, sorted by value
    offsets: tuple[I64Array, ...]  # per slice: start of each value's run (65,537 entries)


class FeatureIndex:
    """Inverted index of the local-feature descriptors of a set of originals (by key)."""

    def __init__(self) -> None:
        self._keys: list[str] = []
        self._number: dict[str, int] = {}
        self._parts: list[npt.NDArray[np.uint8]] = []
        self._owner_parts: list[I32Array] = []
        self._tables: _Tables | None = None
        #: Times the lookup tables were (re)built: a debug statistic for tests and benches.
        self.builds = 0

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._number

    @property
    def keys(self) -> Sequence[str]:
        return tuple(self._keys)

    def add(self, key: str, features: Features) -> None:
        """Index one original's descriptors under ``key`` (a key is added once)."""
        if key in self._number:
            raise ValueError(f"{key!r} is already in the feature index")
        number = len(self._keys)
        self._keys.append(key)
        self._number[key] = number
        desc = np.ascontiguousarray(features.descriptors, dtype=np.uint8).reshape(-1, 32)
        self._parts.append(desc)
        self._owner_parts.append(np.full(len(desc), number, dtype=np.int32))
        self._tables = None

    def _build(self) -> _Tables:
        tables = self._tables
        if tables is not None:
            return tables
        desc = np.concatenate(self._parts) if self._parts else np.zeros((0, 32), np.uint8)
        owner = np.concatenate(self._owner_parts) if self._owner_parts else np.zeros(0, np.int32)
        self._parts, self._owner_parts = [desc], [owner]
        slices = desc.view(np.uint16).reshape(-1, _SLICES)
        owners, offsets = [], []
        for b in range(_SLICES):
            column = slices[:, b]
            order = np.argsort(column, kind="stable")  # a radix sort for 16-bit values
            start = np.zeros(_VALUES + 1, dtype=np.int64)
            np.cumsum(np.bincount(column, minlength=_VALUES), out=start[1:])
            owners.append(owner[order])
            offsets.append(start)
        self._tables = _Tables(tuple(owners), tuple(offsets))
        self.builds += 1
        return self._tables

    def votes(self, features: Features) -> npt.NDArray[np.float64]:
        """Each indexed original's vote from the suspect's descriptors (in ``keys`` order)."""
        votes = np.zeros(len(self._keys), dtype=np.float64)
        if not self._keys or not len(features.descriptors):
            return votes
        tables = self._build()
        query = np.ascontiguousarray(features.descriptors, dtype=np.uint8).reshape(-1, 32)
        slices = query.view(np.uint16).reshape(-1, _SLICES).astype(np.int64)
        hits: list[I32Array] = []
        weights: list[npt.NDArray[np.float64]] = []
        cap = max(_MIN_RUN_CAP, _RUN_CAP_FACTOR * len(tables.owners[0]) / _VALUES)
        for b in range(_SLICES):
            offsets = tables.offsets[b]
            lo = offsets[slices[:, b]]
            run = offsets[slices[:, b] + 1] - lo
            run[run > cap] = 0
            total = int(run.sum())
            if not total:
                continue
            # Positions of every hit: lo of its query plus 0 .. run - 1, without a Python loop.
            ends = np.cumsum(run)
            at = np.repeat(lo - ends + run, run) + np.arange(total, dtype=np.int64)
            hits.append(tables.owners[b][at])
            weights.append(np.repeat(1.0 / np.sqrt(np.maximum(run, 1).astype(np.float64)), run))
        if hits:
            votes += np.bincount(
                np.concatenate(hits), weights=np.concatenate(weights), minlength=len(self._keys)
            )
        return votes

    def candidates(
        self,
        features: Features,
        k: int = DEFAULT_CANDIDATES,
        among: Collection[str] | None = None,
    ) -> list[tuple[str, float]]:
        """The ``k`` originals with the most votes, best first, as (key, votes); only those
        with a vote and above the noise floor; ``among`` restricts them to those keys."""
        if k <= 0:
            return []
        votes = self.votes(features)
        allowed = np.ones(len(self._keys), dtype=bool)
        if among is not None:
            allowed[:] = False
            allowed[[self._number[key] for key in among if key in self._number]] = True
            votes[~allowed] = 0.0
        floor = 0.0
        if int(allowed.sum()) >= NOISE_FLOOR_MIN_ORIGINALS:
            floor = NOISE_FLOOR_RATIO * float(np.median(votes[allowed]))
        order = np.argsort(-votes, kind="stable")[:k]
        return [
            (self._keys[int(i)], float(votes[i]))
            for i in order
            if votes[i] > 0.0 and votes[i] >= floor
        ]


def index_of(features: dict[str, Features]) -> FeatureIndex:
    """A feature index of the given originals (key -> features)."""
    index = FeatureIndex()
    for key, feats in features.items():
        index.add(key, feats)
    return index


__all__ = [
    "DEFAULT_CANDIDATES",
    "NOISE_FLOOR_MIN_ORIGINALS",
    "NOISE_FLOOR_RATIO",
    "FeatureIndex",
    "index_of",
]
