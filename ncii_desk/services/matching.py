"""Hashing items on intake, matching suspects, hash lists and the review banks.

Every suspect of a case is compared with the case's originals (PDQ of all stored variants,
local features when hashes do not match, vPDQ-style frame shares for videos) and with every
hash list in the vault. Each Match row records the method, the distance or score, the
threshold and which hashes met. Pairs an advocate rejected go to the negative bank and are
never reported again; confirmed ones go to the confirmed bank.
"""

from __future__ import annotations

import hashlib
import json
import time
import weakref
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from ncii_desk.clinic.hashseal import opened, probes
from ncii_desk.clinic.sealing import learn_item_cases
from ncii_desk.errors import NciiDeskError, NotFound
from ncii_desk.hashing.kinds import PDQ, digest_kinds
from ncii_desk.services import access
from ncii_desk.services.cases import find_case
from ncii_desk.services.hashstore import FEATURES_KIND as FEATURES_KIND
from ncii_desk.services.hashstore import READ_CHUNK as READ_CHUNK
from ncii_desk.services.hashstore import STORE_BATCH as STORE_BATCH
from ncii_desk.services.hashstore import STORE_WAIT_S as STORE_WAIT_S
from ncii_desk.services.hashstore import HashingReport as HashingReport
from ncii_desk.services.hashstore import _HashStore, _role_for
from ncii_desk.services.hashstore import store_hashes as store_hashes
from ncii_desk.services.hashstore import store_many_hashes as store_many_hashes
from ncii_desk.services.jobs import Job
from ncii_desk.services.listindex import list_index_notices as list_index_notices
from ncii_desk.services.listindex import list_indexes as _list_indexes
from ncii_desk.services.lookup import by_id
from ncii_desk.services.unhashed import unhashed_items
from ncii_desk.services.views import iso
from ncii_desk.vault.models import (
    Analysis,
    BankEntry,
    Blob,
    EvidenceItem,
    HashList,
    HashListEntry,
    HashRecord,
    Match,
    ReviewState,
    Role,
)
from ncii_desk.vault.store import CaseStore

# --- hashing on intake ---------------------------------------------------------------------


def hash_items(
    vault: CaseStore,
    sources: Sequence[tuple[str, Path]],
    *,
    job: Job | None = None,
    workers: int | None = None,
) -> HashingReport:
    """Hash items from their source files (still at hand right after intake) and store the
    hashes; then match the cases concerned."""
    from ncii_desk.hashing.pipeline import hash_file, hash_many  # heavy imports, on demand

    job = job or Job()
    report = HashingReport()
    roles: dict[str, str] = {}
    ids = list(dict.fromkeys(item_id for item_id, _ in sources))
    with vault.session() as s:
        for chunk in range(0, len(ids), READ_CHUNK):
            query = select(EvidenceItem).where(EvidenceItem.id.in_(ids[chunk : chunk + READ_CHUNK]))
            roles.update((item.id, _role_for(item)) for item in s.scalars(query))
    for item_id in ids:
        if item_id not in roles:
            raise NotFound(f"No item has the id '{item_id}'.")
    by_path = {str(path): item_id for item_id, path in sources}
    total = len(sources)
    job.progress(0, total, "hashing")
    groups: dict[str, list[Path]] = defaultdict(list)
    for item_id, path in sources:
        groups[roles[item_id]].append(path)
    done = 0
    store = _HashStore(vault, report)
    try:
        for role, paths in groups.items():
            results = (
                hash_many(paths, role, workers=workers, should_stop=lambda: job.cancelled)  # type: ignore[arg-type]
                if len(paths) > 1
                else iter([hash_file(paths[0], role)])  # type: ignore[arg-type]
            )
            for result in results:
                item_id = by_path[result.path]
                done += 1
                job.progress(done, total, "hashing")
                if result.error:
                    report.errors.append(
                        {
                            "item": item_id,
                            "path": result.path,
                            "error": result.error,
                            "hint": result.hint or "",
                        }
                    )
                    continue
                store.add(item_id, result.path, result)
    finally:
        store.flush()  # also when hashing stopped on an error: what was hashed is kept
    cases = store.cases
    report.not_hashed = total - done
    report.cancelled = job.cancelled and report.not_hashed > 0
    if cases:
        from ncii_desk.services.settings import thresholds

        report.warnings = thresholds(vault).warnings
    for case_id in sorted(cases):
        report.new_matches += len(match_case(vault, case_id))
    return report


# --- items never hashed ------------------------------------------------------------------------

#: Largest item hashed again from the vault: its bytes are decrypted into memory in full.
MAX_REHASH_BYTES = 2 * 1024**3


def hash_missing(
    vault: CaseStore, case_ref: str, *, job: Job | None = None, match: bool = True
) -> HashingReport:
    """Hash a case's items that have no hashes yet, from their bytes in the vault (decrypted
    into memory, one item at a time; never written anywhere), then match the case when
    ``match`` and anything was hashed. Hash-only items without hashes cannot be hashed
    again (no bytes were kept): they are counted in ``hash_only_unhashable``."""

    job = job or Job()
    report = HashingReport()
    with vault.session() as s:
        case_id = find_case(s, case_ref).id
        missing = unhashed_items(s, case_id)
    access.require(vault, case_id, access.Action.ITEM_EDIT)
    report.hash_only_unhashable = len(missing.hash_only)
    total = len(missing.stored)
    job.progress(0, total, "hashing items not hashed yet")
    store = _HashStore(vault, report)
    try:
        _hash_from_vault(vault, missing.stored, store, job)
    finally:
        store.flush()
    report.not_hashed = total - report.hashed - len(report.errors)
    report.cancelled = job.cancelled and report.not_hashed > 0
    if match and report.hashed:
        from ncii_desk.services.settings import thresholds

        report.warnings = thresholds(vault).warnings
        report.new_matches = len(match_case(vault, case_id))
    return report


def _hash_from_vault(
    vault: CaseStore, item_ids: Sequence[str], store: _HashStore, job: Job
) -> None:
    """Hash items from their bytes in the vault, one at a time (decrypted into memory only)."""
    from ncii_desk.hashing.pipeline import hash_bytes

    total = len(item_ids)
    for done, item_id in enumerate(item_ids, 1):
        if job.cancelled:
            break
        with vault.session() as s:
            item = s.get(EvidenceItem, item_id)
            if item is None:
                continue
            role, name, size = _role_for(item), item.original_filename or item.id, item.size
            blob = s.get(Blob, item.blob_id) if item.blob_id else None
            try:
                if blob is None:
                    raise NciiDeskError(f"The stored file of {name} is missing.")
                if size > MAX_REHASH_BYTES:
                    raise NciiDeskError(
                        f"{name} is too large to hash from the vault "
                        f"({size // 1024**2:,} MiB; at most {MAX_REHASH_BYTES // 1024**3} GiB).",
                        "Export it and compare it by hand, or split the video.",
                    )
                data = vault.read_blob(blob)
            except NciiDeskError as exc:
                store.report.errors.append(
                    {"item": item_id, "path": name, "error": exc.message, "hint": exc.hint}
                )
                job.progress(done, total, "hashing items not hashed yet")
                continue
        result = hash_bytes(data, name, role)  # type: ignore[arg-type]
        del data
        if result.error:
            store.report.errors.append(
                {"item": item_id, "path": name, "error": result.error, "hint": result.hint or ""}
            )
        else:
            store.add(item_id, name, result)
        job.progress(done, total, "hashing items not hashed yet")


# --- matching ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchView:
    id: str
    case_id: str
    suspect_item_id: str
    target_item_id: str | None
    target_external: str | None
    kind: str
    score: float | None
    distance: float | None
    threshold: float | None
    review_state: str
    reviewed_by: str | None
    reviewed_at: str | None
    details: dict[str, Any]
    created_at: str | None

    @classmethod
    def of(cls, m: Match) -> MatchView:
        return cls(
            m.id,
            m.case_id,
            m.suspect_item_id,
            m.target_item_id,
            m.target_external,
            m.kind,
            m.score,
            m.distance,
            m.threshold,
            m.review_state.value,
            m.reviewed_by,
            iso(m.reviewed_at),
            m.details,
            iso(m.created_at),
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class PdqRecord(NamedTuple):
    """One stored PDQ hash of an item, as plain values (no ORM object: a case's records are
    read in bulk, and thousands of ORM objects held the interpreter for long stretches)."""

    item_id: str
    kind: str
    value: str
    quality: int | None
    variant: str
    frame_ms: int | None


def _pdq_records(s: Session, item_ids: Sequence[str]) -> dict[str, list[PdqRecord]]:
    """The usable PDQ records of the items, in the order they were stored (by item), read as
    column values in chunks of :data:`READ_CHUNK` items."""
    out: dict[str, list[PdqRecord]] = defaultdict(list)
    ids = list(item_ids)
    for chunk in range(0, len(ids), READ_CHUNK):
        query = (
            select(
                HashRecord.item_id,
                HashRecord.kind,
                HashRecord.value,
                HashRecord.quality,
                HashRecord.variant,
                HashRecord.frame_ms,
            )
            .where(
                HashRecord.item_id.in_(ids[chunk : chunk + READ_CHUNK]),
                HashRecord.kind == PDQ.name,
            )
            .order_by(HashRecord.id)
        )
        for row in s.execute(query):
            rec = PdqRecord._make(row)
            rec = rec._replace(value=opened(s, "hashes", "value", rec.value))
            if PDQ.usable(rec.quality):
                out[rec.item_id].append(rec)
        time.sleep(0)  # let the window's thread run between chunks
    return out


def _method(suspect: PdqRecord, target: PdqRecord) -> str:
    from ncii_desk.hashing.matcher import method_of
    from ncii_desk.hashing.pipeline import HashValue

    if suspect.frame_ms is not None and target.frame_ms is not None:
        return "vpdq"
    # Both hashed turned the same way ('suspect rotate-180' against 'rotate-180') is an
    # upright, unmirrored copy, not a rotated or mirrored one.
    turned = {"mirror": "flip-horizontal"}
    s_turn = suspect.variant.removeprefix("suspect ")
    t_turn = target.variant.removeprefix("frame ")  # a video frame's variant, e.g. mirror
    if s_turn != suspect.variant and turned.get(s_turn, s_turn) == turned.get(t_turn, t_turn):
        return "vpdq-frame" if target.frame_ms is not None else "pdq"
    for rec in (suspect, target):
        name = method_of(HashValue(rec.kind, rec.value, rec.quality, rec.variant, rec.frame_ms))
        if name != "pdq":
            return name
    return "pdq"


#: Analysis kind of a suspect's record of the originals it was already compared with, so
#: that matching again (every ``add``) compares only new pairs.
SCREENED_KIND = "match-screening"
#: Changes whenever what a comparison does changes; older records are then ignored.
SCREENING_VERSION = "hashes + local features of the top feature-index candidates, v1"


@dataclass
class MatchStats:
    """What one ``match_case`` run compared (a debug statistic: tests and benchmarks)."""

    suspects: int = 0
    #: Suspect x original pairs compared in this run.
    pairs_compared: int = 0
    #: Pairs left alone: compared in an earlier run (recorded in the vault).
    pairs_already_compared: int = 0
    #: Originals the feature index proposed for local-feature checks.
    candidates: int = 0
    #: Local-feature verifications run (the costly step).
    verified: int = 0
    #: Times the case's feature index was built or rebuilt in this run.
    index_builds: int = 0


@dataclass
class _CaseFeatures:
    """Decoded local features of a case's originals and their index, per unlocked vault."""

    index: Any  # hashing.feature_index.FeatureIndex
    features: dict[str, Any] = field(default_factory=dict)  # item id -> features.Features


_CASE_FEATURES: weakref.WeakKeyDictionary[CaseStore, dict[str, _CaseFeatures]] = (
    weakref.WeakKeyDictionary()
)


def _case_features(vault: CaseStore, s: Session, case_id: str, wanted: set[str]) -> _CaseFeatures:
    """The case's feature index holding (at least) the ``wanted`` originals; features are
    read from the vault only for originals not indexed yet in this session."""
    from ncii_desk.hashing import features as lf
    from ncii_desk.hashing.feature_index import FeatureIndex

    cache = _CASE_FEATURES.setdefault(vault, {})
    held = cache.get(case_id)
    if held is None:
        held = cache[case_id] = _CaseFeatures(FeatureIndex())
    missing = sorted(wanted - held.features.keys())
    learn_item_cases(s, missing)
    for chunk in range(0, len(missing), 500):
        for a in s.scalars(
            select(Analysis).where(
                Analysis.item_id.in_(missing[chunk : chunk + 500]),
                Analysis.kind == FEATURES_KIND,
            )
        ):
            if a.item_id not in held.features:
                feats = lf.Features.from_json(a.result)
                held.features[a.item_id] = feats
                held.index.add(a.item_id, feats)
    return held


def _hash_hit(
    srecs: list[PdqRecord], orecs: list[PdqRecord], threshold: int
) -> tuple[str, float | None, float | None, dict[str, Any]] | None:
    """The best hash evidence that a suspect shows an original (None: none within reach)."""
    from ncii_desk.hashing.matcher import pairwise_distances

    if not srecs or not orecs:
        return None
    if _is_video(srecs) and _is_video(orecs):
        # Frame by frame, in bounded memory: every frame has several hashes.
        return _video_match(srecs, orecs, None, threshold)
    dist = pairwise_distances([r.value for r in srecs], [r.value for r in orecs])
    a, b = divmod(int(dist.argmin()), dist.shape[1])
    if dist[a, b] > threshold:
        return None
    sr, orr = srecs[a], orecs[b]
    return (
        _method(sr, orr),
        float(dist[a, b]),
        None,
        {
            "suspect_hash": sr.value,
            "suspect_variant": sr.variant,
            "target_hash": orr.value,
            "target_variant": orr.variant,
        },
    )


class _OriginalHashes:
    """All originals' PDQ records as one array, to find in one pass which originals have a
    hash within the threshold of a suspect's (the exact pair check then runs on those only)."""

    def __init__(self, originals: list[str], records: dict[str, list[PdqRecord]]) -> None:
        from ncii_desk.hashing.index import hex_to_rows

        self.ids = [o for o in originals if records.get(o)]
        values = [r.value for o in self.ids for r in records[o]]
        sizes = np.asarray([len(records[o]) for o in self.ids], dtype=np.int64)
        self.starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        rows = hex_to_rows(values, PDQ.bits) if values else np.zeros((0, PDQ.bits // 8), np.uint8)
        self.words = np.ascontiguousarray(rows).view(np.uint64).reshape(-1, 4)

    def within(self, srecs: list[PdqRecord], threshold: int) -> set[str]:
        from ncii_desk.hashing.index import hex_to_rows

        if not srecs or not self.ids:
            return set()
        best = np.full(self.words.shape[0], 257, dtype=np.int64)
        queries = np.ascontiguousarray(hex_to_rows([r.value for r in srecs], PDQ.bits))
        for q in queries.view(np.uint64).reshape(-1, 4):
            np.minimum(best, np.bitwise_count(self.words ^ q).sum(axis=1, dtype=np.int64), out=best)
        per_original = np.minimum.reduceat(best, self.starts)
        return {self.ids[i] for i in np.flatnonzero(per_original <= threshold).tolist()}


def match_case(
    vault: CaseStore,
    case_ref: str,
    *,
    pdq_threshold: int | None = None,
    stats: MatchStats | None = None,
) -> list[MatchView]:
    """Compare every suspect of a case with its originals and all hash lists; store and
    return the new matches (pairs already matched or in the negative bank are skipped).

    A suspect is compared with an original once: the pairs compared are recorded in the
    vault (per suspect, with the threshold and method), so matching again after an ``add``
    compares new suspects with every original and every suspect with new originals only.
    Hashes are compared with every original; local features (the costly check) only with
    the originals the case's feature index proposes (:mod:`ncii_desk.hashing.feature_index`).
    Hash lists are searched for every suspect each time (a list may be new).

    ``pdq_threshold``: None uses the vault's stored threshold (services/settings.py), the
    default when none is stored; the value used is recorded in each Match row; changing it
    compares every pair again. ``stats`` (optional) is filled with what was compared."""
    from ncii_desk.hashing import features as lf
    from ncii_desk.hashing.feature_index import DEFAULT_CANDIDATES

    stats = stats if stats is not None else MatchStats()
    if pdq_threshold is None:
        from ncii_desk.services.settings import thresholds

        pdq_threshold = thresholds(vault).pdq_distance
    screening_key = {"version": SCREENING_VERSION, "pdq_threshold": int(pdq_threshold)}

    with vault.session() as s:
        case = find_case(s, case_ref)
        case_id = case.id
        access.require(vault, case_id, access.Action.MATCH_REVIEW)
        items = list(s.scalars(select(EvidenceItem).where(EvidenceItem.case_id == case_id)))
        originals = [i for i in items if i.role == Role.ORIGINAL]
        # An original added again (same bytes) is matched through its first copy only.
        firsts = {i.id for i in originals}
        originals = [i for i in originals if i.duplicate_of not in firsts]
        suspects = [i for i in items if i.role == Role.SUSPECT]
        item_ids = [i.id for i in originals + suspects]
        hashed: set[str] = set()
        with_features: set[str] = set()
        for chunk in range(0, len(item_ids), 500):
            part = item_ids[chunk : chunk + 500]
            hashed.update(
                s.scalars(select(HashRecord.item_id).where(HashRecord.item_id.in_(part)).distinct())
            )
            with_features.update(
                s.scalars(
                    select(Analysis.item_id).where(
                        Analysis.item_id.in_(part), Analysis.kind == FEATURES_KIND
                    )
                )
            )
        screened: dict[str, set[str]] = {}
        screen_rows: dict[str, str] = {}
        learn_item_cases(s, [i.id for i in suspects] + [i.id for i in originals])
        for a in s.scalars(
            select(Analysis).where(
                Analysis.item_id.in_([i.id for i in suspects]), Analysis.kind == SCREENED_KIND
            )
        ):
            screen_rows[a.item_id] = a.id
            result = a.result or {}
            if all(result.get(k) == v for k, v in screening_key.items()):
                screened[a.item_id] = set(result.get("originals") or [])
        todo: dict[str, list[str]] = {}
        for sus in suspects:
            done = screened.get(sus.id, set())
            todo[sus.id] = [o.id for o in originals if o.id not in done]
            stats.pairs_already_compared += len(originals) - len(todo[sus.id])
        busy = [sid for sid, pending in todo.items() if pending]
        # Originals' hashes only when a pair is to be compared; suspects' for the lists.
        records = _pdq_records(
            s, ([i.id for i in originals] if busy else []) + [i.id for i in suspects]
        )
        held: _CaseFeatures | None = None
        builds_before = 0
        suspect_feats: dict[str, Any] = {}
        if busy:
            wanted = {o.id for o in originals} & with_features
            held = _case_features(vault, s, case_id, wanted)
            builds_before = held.index.builds
            for a in s.scalars(
                select(Analysis).where(
                    Analysis.item_id.in_([sid for sid in busy if sid in with_features]),
                    Analysis.kind == FEATURES_KIND,
                )
            ):
                suspect_feats[a.item_id] = lf.Features.from_json(a.result)
        existing = {
            (m.suspect_item_id, m.target_item_id or m.target_external, m.kind)
            for m in s.scalars(select(Match).where(Match.case_id == case_id))
        }
        negative = {
            (b.suspect_value, b.target_value)
            for b in s.scalars(select(BankEntry).where(BankEntry.bank == "negative"))
        }
        suspect_digests = {i.id: (i.sha256, i.md5) for i in suspects}
        sha_of = {i.id: i.sha256 for i in originals}

    found: list[Match] = []
    newly_screened: dict[str, set[str]] = {}

    def add(match: Match, key_target: str, pair: tuple[str, str]) -> None:
        if pair in negative or (match.suspect_item_id, key_target, match.kind) in existing:
            return
        existing.add((match.suspect_item_id, key_target, match.kind))
        found.append(match)

    all_hashes = _OriginalHashes([o.id for o in originals], records) if busy else None
    exact = _exact_list_entries(vault, suspect_digests)
    indexes = _list_indexes(vault)
    video_originals = [o.id for o in originals if _is_video(records.get(o.id, []))]
    for sus in suspects:
        srecs = records.get(sus.id, [])
        pending = todo[sus.id]
        if pending and all_hashes is not None:
            stats.suspects += 1
            stats.pairs_compared += len(pending)
            pending_set = set(pending)
            hits: dict[str, tuple[str, float | None, float | None, dict[str, Any]]] = {}
            near = all_hashes.within(srecs, pdq_threshold) & pending_set
            if _is_video(srecs):  # video pairs match by frame share, not by the best pair
                near |= pending_set.intersection(video_originals)
            for oid in sorted(near, key=pending.index):
                hit = _hash_hit(srecs, records.get(oid, []), pdq_threshold)
                if hit is not None:
                    hits[oid] = hit
            sfeat = suspect_feats.get(sus.id)
            if sfeat is not None and held is not None:
                among = [
                    o
                    for o in pending
                    if o not in hits and o in with_features and o in held.features
                ]
                cands = held.index.candidates(sfeat, DEFAULT_CANDIDATES, among=among)
                stats.candidates += len(cands)
                for oid, _votes in cands:
                    stats.verified += 1
                    check = lf.verify(sfeat, held.features[oid])
                    if check.matched:
                        hits[oid] = (
                            "local-features",
                            None,
                            float(check.inliers),
                            check.as_dict()
                            | {"suspect_hash": sus.sha256, "target_hash": sha_of[oid]},
                        )
            for oid in pending:  # in the case's order, as before
                if oid not in hits:
                    continue
                kind, distance, score, details = hits[oid]
                threshold = float(pdq_threshold) if distance is not None else float(lf.MIN_INLIERS)
                add(
                    Match(
                        case_id=case_id,
                        suspect_item_id=sus.id,
                        target_item_id=oid,
                        kind=kind,
                        distance=distance,
                        score=score,
                        threshold=threshold,
                        details=details,
                    ),
                    oid,
                    (details["suspect_hash"], details["target_hash"]),
                )
            if sus.id in hashed:
                # Only pairs of two hashed items are settled: an item hashed later (after a
                # cancel or 'add --no-hash') is compared when it has its hashes.
                newly_screened[sus.id] = screened.get(sus.id, set()) | {
                    o for o in pending if o in hashed
                }
        _match_lists(
            vault, sus.id, srecs, exact.get(sus.id, []), indexes, pdq_threshold, case_id, add
        )
    if held is not None:
        stats.index_builds += held.index.builds - builds_before

    if not found and not newly_screened:
        return []
    with vault.transaction() as s:
        for sid, done in newly_screened.items():
            result = screening_key | {"originals": sorted(done)}
            row = s.get(Analysis, screen_rows[sid]) if sid in screen_rows else None
            if row is None:
                s.add(
                    Analysis(
                        item_id=sid,
                        kind=SCREENED_KIND,
                        result=result,
                        producer="ncii-desk matching",
                        producer_version=SCREENING_VERSION,
                    )
                )
            else:
                row.result = result
        for m in found:
            s.add(m)
        s.flush()
        for m in found:
            vault.audit(
                s,
                "match.found",
                m.id,
                {
                    "suspect": m.suspect_item_id,
                    "target": m.target_item_id or m.target_external,
                    "kind": m.kind,
                    "distance": m.distance,
                    "score": m.score,
                },
            )
        return [MatchView.of(m) for m in found]


def _is_video(recs: list[PdqRecord]) -> bool:
    return any(r.frame_ms is not None for r in recs)


def _video_match(
    srecs: list[PdqRecord], orecs: list[PdqRecord], dist: Any, threshold: int
) -> tuple[str, float, float, dict[str, Any]] | None:
    """vPDQ-style: enough of the shorter video's sampled frames match, in time order (every
    hash of a frame counts: the frame, mirrored, cropped, without letterbox bars); the
    details list which frames matched at which times (hashing/video_variants.py)."""
    from ncii_desk.hashing.video_variants import frame_rule, frame_rule_for

    s_idx = [i for i, r in enumerate(srecs) if r.frame_ms is not None]
    o_idx = [j for j, r in enumerate(orecs) if r.frame_ms is not None]
    if dist is None:  # with bounded memory (long videos, every frame's variants)
        verdict = frame_rule_for(
            [(srecs[i].value, int(srecs[i].frame_ms or 0)) for i in s_idx],
            [(orecs[j].value, int(orecs[j].frame_ms or 0)) for j in o_idx],
            threshold,
        )
    else:
        verdict = frame_rule(
            [int(srecs[i].frame_ms or 0) for i in s_idx],
            [int(orecs[j].frame_ms or 0) for j in o_idx],
            dist[s_idx][:, o_idx],
            threshold,
        )
    if not verdict.matched:
        return None
    return (
        "vpdq",
        float(verdict.best),
        round(verdict.suspect_share, 4),
        verdict.details()
        | {
            "suspect_hash": hashlib.sha256(
                json.dumps(sorted(srecs[i].value for i in s_idx)).encode()
            ).hexdigest(),
            "target_hash": hashlib.sha256(
                json.dumps(sorted(orecs[j].value for j in o_idx)).encode()
            ).hexdigest(),
        },
    )


def _exact_list_entries(
    vault: CaseStore, digests: dict[str, tuple[str, str]]
) -> dict[str, list[tuple[HashListEntry, str]]]:
    """Hash-list entries (with their list's name) equal to each suspect's SHA-256 or MD5,
    read in one query per :data:`READ_CHUNK` suspects rather than one session each."""
    out: dict[str, list[tuple[HashListEntry, str]]] = defaultdict(list)
    suspects = list(digests)
    with vault.session() as s:
        if s.scalar(select(HashListEntry.id).limit(1)) is None:
            return out  # no list holds anything
        for chunk in range(0, len(suspects), READ_CHUNK):
            part = suspects[chunk : chunk + READ_CHUNK]
            by_sha: dict[str, list[str]] = defaultdict(list)
            by_md5: dict[str, list[str]] = defaultdict(list)
            for sid in part:
                by_sha[digests[sid][0]].append(sid)
                by_md5[digests[sid][1]].append(sid)
            rows = s.execute(  # the list loaded whole: its name is sealed on a clinic store
                select(HashListEntry, HashList)
                .join(HashList, HashList.id == HashListEntry.list_id)
                .where(
                    (
                        HashListEntry.kind.in_(digest_kinds("sha256"))
                        & HashListEntry.value.in_(probes(s, "hash_list_entries", "value", by_sha))
                    )
                    | (
                        HashListEntry.kind.in_(digest_kinds("md5"))
                        & HashListEntry.value.in_(probes(s, "hash_list_entries", "value", by_md5))
                    )
                )
                .order_by(HashListEntry.list_id, HashListEntry.position)
            ).all()
            for e, hl in rows:
                owners = by_sha if e.kind in digest_kinds("sha256") else by_md5
                for sid in owners.get(e.value, []):
                    out[sid].append((e, hl.name))
    return out


def _match_lists(
    vault: CaseStore,
    suspect_id: str,
    srecs: list[PdqRecord],
    exact: list[tuple[HashListEntry, str]],
    indexes: list[tuple[HashList, Any, Any]],
    threshold: int,
    case_id: str,
    add: Any,
) -> None:
    from ncii_desk.hashing.index import hex_to_rows

    for e, name in exact:
        add(
            Match(
                case_id=case_id,
                suspect_item_id=suspect_id,
                target_external=f"{name}: {e.kind} {e.value}",
                kind=e.kind,
                distance=0.0,
                threshold=0.0,
                details={
                    "list": name,
                    "label": e.label,
                    "suspect_hash": e.value,
                    "target_hash": e.value,
                },
            ),
            f"{name}: {e.kind} {e.value}",
            (e.value, e.value),
        )
    if not srecs:
        return
    queries = hex_to_rows([r.value for r in srecs], PDQ.bits)
    for hl, index, positions in indexes:
        if len(index) == 0:
            continue
        found = index.search(queries, threshold)
        best: dict[int, tuple[int, int]] = {}
        for q, e, d in zip(
            found.query_idx.tolist(),
            found.entry_idx.tolist(),
            found.distance.tolist(),
            strict=True,
        ):
            if e not in best or d < best[e][0]:
                best[e] = (int(d), int(q))
        if not best:
            continue
        with vault.session() as s:
            entries = {
                row.position: row
                for row in s.scalars(
                    select(HashListEntry).where(
                        HashListEntry.list_id == hl.id,
                        HashListEntry.position.in_([int(positions[k]) for k in best]),
                    )
                )
            }
        for k, (d, q) in sorted(best.items(), key=lambda kv: kv[1]):
            entry = entries[int(positions[k])]
            sr = srecs[q]
            # A variant (crop, turn) of a listed picture names the picture's own hash.
            target = f"{hl.name}: {PDQ.name} {entry.original or entry.value}"
            add(
                Match(
                    case_id=case_id,
                    suspect_item_id=suspect_id,
                    target_external=target,
                    kind=_method(sr, sr),
                    distance=float(d),
                    threshold=float(threshold),
                    details={
                        "list": hl.name,
                        "label": entry.label,
                        "suspect_hash": sr.value,
                        "suspect_variant": sr.variant,
                        "target_hash": entry.value,
                        "target_variant": entry.variant or "",
                    },
                ),
                target,
                (sr.value, entry.value),
            )


def list_matches(vault: CaseStore, case_ref: str) -> list[MatchView]:
    with vault.session() as s:
        case = find_case(s, case_ref)
        query = select(Match).where(Match.case_id == case.id).order_by(Match.created_at, Match.id)
        return [MatchView.of(m) for m in s.scalars(query)]


def review_match(vault: CaseStore, ref: str, confirm: bool, note: str = "") -> MatchView:
    """Confirm or reject a match; the pair goes to the confirmed or negative bank."""
    with vault.transaction() as s:
        missing = NotFound(
            f"No match has the id '{ref.strip()}'.",
            "List the matches with 'ncii-desk matches CASE'.",
        )
        match = by_id(s, Match, ref, what="match", missing=missing)
        access.require(vault, match.case_id, access.Action.MATCH_REVIEW)
        state = ReviewState.CONFIRMED if confirm else ReviewState.REJECTED
        if match.review_state == state:
            raise NciiDeskError(f"This match is already {state.value}.", "Nothing to do.")
        match.review_state = state
        match.reviewed_by = vault.actor
        match.reviewed_at = datetime.now(UTC)
        s.add(
            BankEntry(
                bank="confirmed" if confirm else "negative",
                kind=match.kind,
                suspect_value=str(match.details.get("suspect_hash", "")),
                target_value=str(match.details.get("target_hash", "")),
                match_id=match.id,
                reviewer=vault.actor,
            )
        )
        vault.audit(s, "match.confirmed" if confirm else "match.rejected", match.id, {"note": note})
        s.flush()
        return MatchView.of(match)
