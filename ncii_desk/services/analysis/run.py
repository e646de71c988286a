"""Analysing a case's suspect items, one item at a time (the steps run for each item, and
what their rows record, are described in the docstring of ``ncii_desk.services.analysis``).

:func:`analyze_case` loads the models and the case's gallery and originals, then for each
suspect item works out which steps are not current (or all of them with ``again``), runs
those, and stores the item's rows, new matches and audit events in one transaction.
Cancelling stops between items (and between video frames); every stored item is whole.
Items kept as hashes only (suspected minor) have no pixels: they are skipped, with the reason
stored. A file that cannot be decoded is reported for that item; the batch goes on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import select

from ncii_desk import __version__
from ncii_desk.errors import Cancelled, InvalidSetting, NciiDeskError
from ncii_desk.services import access
from ncii_desk.services.analysis.findings import _summary_step
from ncii_desk.services.analysis.results import (
    DEEPFAKE_KIND,
    DEEPFAKE_PRODUCER,
    DERIVATION_KIND,
    DERIVATION_MATCH_KIND,
    DERIVATION_PRODUCER,
    FACE_MATCH_KIND,
    METADATA_KIND,
    METADATA_PRODUCER,
    SKIP_PRODUCER,
    SUMMARY_KIND,
    SUMMARY_PRODUCER,
    AnalysisReport,
    ItemReport,
    _current,
    _newest_rows,
    _Step,
    _summary_inputs,
)
from ncii_desk.services.analysis.steps import (
    _deepfake_step,
    _derivation_step,
    _error,
    _face_matches,
    _faces_step,
    _frames_of,
    _metadata_step,
    _not_applicable_step,
    _read,
    _Run,
)
from ncii_desk.services.cases import find_case
from ncii_desk.services.faces_gallery import (
    FACES_KIND,
    FACES_PRODUCER,
    FaceModels,
    Gallery,
    face_models,
    list_reference_faces,
    load_gallery,
)
from ncii_desk.services.jobs import Job
from ncii_desk.services.settings import uses_vault_embedder
from ncii_desk.vault.models import BankEntry, EvidenceItem, Match, Role
from ncii_desk.vault.store import CaseStore
from ncii_desk.vision.registry import ModelCorrupt, ModelMissing
from ncii_desk.vision.signals import Signal, Strength

if TYPE_CHECKING:
    from ncii_desk.vision.classifier import FaceClassifier


def _skip_item(run: _Run, item: EvidenceItem, media: str, reason: str) -> ItemReport:
    rows = _newest_rows(run.vault, item.id)
    report = ItemReport(item.id, item.original_filename, media, "skipped", reason=reason)
    if not _current(rows, SUMMARY_KIND, SKIP_PRODUCER, __version__, None, "skipped") or run.again:
        step = _Step(
            SUMMARY_KIND,
            SKIP_PRODUCER,
            __version__,
            None,
            None,
            {},
            {"skipped": True, "reason": reason, "inputs": "skipped", "signals": []},
            0.0,
        )
        with run.vault.transaction() as s:
            s.add(step.row(item.id))
            run.vault.audit(s, "item.analysis_skipped", item.id, {"reason": reason})
    return report


def _analyse_item(run: _Run, item: EvidenceItem, position: str) -> ItemReport:
    from ncii_desk.media.loader import load_image, media_kind
    from ncii_desk.vision.video import aggregate

    media = media_kind(item.mime) or ""
    if not item.pixels_kept or item.blob_id is None:
        return _skip_item(
            run,
            item,
            media,
            "Only the hashes of this file were kept (it may show a person under 18), so there "
            "are no pixels to analyse.",
        )
    if not media:
        return _skip_item(run, item, media, f"This file is not an image or a video ({item.mime}).")

    rows = _newest_rows(run.vault, item.id)
    faces_key = run.faces_key(media)

    def stale(kind: str, producer: str, version: str, sha: str | None, inputs: str) -> bool:
        return run.again or not _current(rows, kind, producer, version, sha, inputs)

    models = run.models
    need_faces = models is not None and stale(
        FACES_KIND, FACES_PRODUCER, models.version, models.embedder_sha256, faces_key
    )
    need_clfs = [
        c
        for c in run.classifiers
        if stale(
            DEEPFAKE_KIND,
            DEEPFAKE_PRODUCER + c.name,
            c.version,
            c.model_sha256,
            run.clf_key(media, c),
        )
    ]
    # outside a classifier's domain (MesoNet on a still photo) it is not run at all
    out_of_domain = [c for c in need_clfs if not c.applies_to(media)]
    need_clfs = [c for c in need_clfs if c.applies_to(media)]
    current = run.current_steps(rows)
    need_meta = stale(METADATA_KIND, METADATA_PRODUCER, __version__, None, "file")
    need_deriv = (
        media == "image"
        and bool(run.original_items)
        and stale(DERIVATION_KIND, DERIVATION_PRODUCER, __version__, None, run.originals_key)
    )
    report = ItemReport(item.id, item.original_filename, media, "analysed")
    summary_row = rows.get((SUMMARY_KIND, SUMMARY_PRODUCER))
    summary_current = summary_row is not None and summary_row.result.get(
        "inputs"
    ) == _summary_inputs(current)
    if (
        not (need_faces or need_clfs or out_of_domain or need_meta or need_deriv)
        and summary_current
        and summary_row is not None
    ):
        report.status = "up-to-date"
        report.summary = summary_row.result.get("summary")
        face_row = rows.get((FACES_KIND, FACES_PRODUCER))
        report.faces = face_row.result.get("aggregate") if face_row else None
        return report

    data = _read(run.vault, item)
    steps: list[_Step] = []
    matches: list[Match] = []
    if need_meta:
        try:
            steps.append(_metadata_step(item, data))
        except (NciiDeskError, ValueError) as exc:
            report.errors.append(_error(METADATA_KIND, exc))

    rgb = None
    if media == "image" and (need_faces or need_clfs or out_of_domain or need_deriv):
        try:
            rgb = load_image(data).pixels
        except NciiDeskError as exc:
            report.errors.append(_error("decode", exc))
            need_faces, need_clfs, need_deriv, out_of_domain = False, [], False, []
    # a file that decodes, outside a classifier's domain: recorded as not applicable
    steps += [_not_applicable_step(c, media, run.clf_key(media, c)) for c in out_of_domain]

    if need_faces or need_clfs:
        try:
            frames = _frames_of(run, media, data, rgb, need_faces, need_clfs, position)
        except Cancelled:
            raise
        except NciiDeskError as exc:
            report.errors.append(_error("decode", exc))
        else:
            agg = aggregate(frames, run.threshold, {c.name: c.threshold for c in run.classifiers})
            report.faces = agg.as_dict()
            if need_faces:
                steps.append(_faces_step(run, media, frames, agg, faces_key))
                matches += _face_matches(run, item, frames, agg)
            steps += [
                _deepfake_step(c, media, frames, agg, run.clf_key(media, c)) for c in need_clfs
            ]

    if need_deriv and rgb is not None:
        try:
            step, match = _derivation_step(run, item, rgb)
        except ValueError as exc:
            report.errors.append(_error(DERIVATION_KIND, exc))
        else:
            steps.append(step)
            matches += [match] if match is not None else []

    report.steps_run = [s.kind for s in steps]
    if not steps and report.errors:
        report.status = "failed"
        return report
    steps.append(_summary_step(rows, steps, run.notes, current))
    report.summary = steps[-1].result["summary"]
    report.new_matches = _store(run, item, steps, matches, report)
    return report


def _store(
    run: _Run, item: EvidenceItem, steps: list[_Step], matches: list[Match], report: ItemReport
) -> int:
    """One transaction per item: its rows, its new matches and the audit events."""
    vault = run.vault
    with vault.transaction() as s:
        existing = {
            (m.target_item_id, m.kind)
            for m in s.scalars(select(Match).where(Match.suspect_item_id == item.id))
        }
        negative = {
            (b.suspect_value, b.target_value)
            for b in s.scalars(
                select(BankEntry).where(
                    BankEntry.bank == "negative",
                    BankEntry.kind.in_((FACE_MATCH_KIND, DERIVATION_MATCH_KIND)),
                )
            )
        }
        rows = [step.row(item.id) for step in steps]
        for row in rows:
            s.add(row)
        s.flush()
        by_kind = {row.kind: row.id for row in rows}
        new = [
            m
            for m in matches
            if (m.target_item_id, m.kind) not in existing
            and (m.details.get("suspect_hash"), m.details.get("target_hash")) not in negative
        ]
        for m in new:
            m.analysis_id = by_kind.get(FACES_KIND if m.kind == FACE_MATCH_KIND else m.kind)
            s.add(m)
        s.flush()
        for m in new:
            vault.audit(
                s,
                "match.found",
                m.id,
                {
                    "suspect": m.suspect_item_id,
                    "target": m.target_item_id,
                    "kind": m.kind,
                    "score": m.score,
                    "threshold": m.threshold,
                },
            )
        vault.audit(
            s,
            "item.analyzed",
            item.id,
            {
                "steps": [
                    {
                        "kind": r.kind,
                        "producer": r.producer,
                        "model_sha256": r.model_sha256,
                        "provider": r.provider,
                    }
                    for r in rows
                ],
                "errors": [e["step"] for e in report.errors],
                "new_matches": len(new),
            },
        )
    return len(new)


@uses_vault_embedder
def analyze_case(
    vault: CaseStore,
    case_ref: str,
    job: Job | None = None,
    *,
    again: bool = False,
    every_s: float | None = None,
    classifiers: Sequence[str | FaceClassifier] | None = None,
    threshold: float | None = None,
) -> AnalysisReport:
    """Analyse every suspect item of a case (see the module docstring).

    ``classifiers``: manifest names or loaded classifiers (default: the manifest's default
    set, :func:`ncii_desk.vision.classifier.default_classifier_names`). Missing or altered
    model files stop the run before any item with ModelMissing / ModelCorrupt.
    The face embedder is the vault's setting (services/settings.py ``set_embedder``) unless
    ``--embedder`` (``faces.use_embedder``) or NCII_DESK_FACE_EMBEDDER chose one.
    ``threshold``: the face similarity for a match; None uses the vault's stored threshold
    (services/settings.py; a stored value that is not valid gives the default and a problem
    in the report).
    """
    from ncii_desk.services.settings import thresholds
    from ncii_desk.services.validation import apply_clinic_validation
    from ncii_desk.vision import faces as F
    from ncii_desk.vision.classifier import default_classifier_names, load_classifier
    from ncii_desk.vision.runtime import shared_runtime
    from ncii_desk.vision.video import DEFAULT_EVERY_S

    job = job or Job()
    setting_problems: list[dict[str, str]] = []
    if threshold is None:
        stored = thresholds(vault)
        threshold = stored.face_similarity
        setting_problems = [InvalidSetting(w, "").as_dict() for w in stored.warnings]
    every = DEFAULT_EVERY_S if every_s is None else float(every_s)
    if not every > 0:
        raise NciiDeskError(
            f"The frame interval must be more than 0 seconds, not {every_s}.",
            "Use for example 1 (one frame per second) or 0.5.",
        )
    with vault.session() as s:
        case = find_case(s, case_ref)
        case_id = case.id
        access.require(vault, case_id, access.Action.ITEM_EDIT)
        items = list(
            s.scalars(
                select(EvidenceItem)
                .where(EvidenceItem.case_id == case_id)
                .order_by(EvidenceItem.intake_at, EvidenceItem.id)
            )
        )
    suspects = [i for i in items if i.role == Role.SUSPECT]
    originals = [
        i
        for i in items
        if i.role == Role.ORIGINAL
        and i.pixels_kept
        and i.blob_id is not None
        and i.mime.startswith("image/")
    ]
    # An original added again (same bytes) is compared through its first copy only.
    firsts = {i.id for i in originals}
    originals = [i for i in originals if i.duplicate_of not in firsts]
    runtime = shared_runtime()
    problems: list[dict[str, str]] = setting_problems
    notes: list[Signal] = []
    models: FaceModels | None = None
    try:
        models = face_models()
    except (ModelMissing, ModelCorrupt) as exc:
        problems.append(exc.as_dict())
        notes.append(
            Signal(
                "face_match",
                f"Faces were not looked at in this run: the model '{exc.name}' is "
                f"{'not installed' if isinstance(exc, ModelMissing) else 'damaged'}.",
                Strength.NONE,
                "Until the file is in place ('ncii-desk models verify' says where it goes), face "
                "comparison and the face-crop manipulation classifiers do not run; the other "
                "checks (whole-image classifiers included) do.",
                {"model": exc.name, "error": type(exc).__name__},
            )
        )
    loaded: list[FaceClassifier] = []
    registry = runtime.registry

    def usable(name: str) -> bool:
        # without the face models only whole-image classifiers can run (they need no faces)
        if models is not None:
            return True
        return name in registry and registry.spec(name).domain.input == "whole-image"

    for c in classifiers if classifiers is not None else []:
        if isinstance(c, str):
            if usable(c):
                loaded.append(load_classifier(c, runtime))
        elif models is not None or c.whole_image:
            loaded.append(c)
    for name in default_classifier_names(registry) if classifiers is None else []:
        if not usable(name):
            continue
        try:
            loaded.append(load_classifier(name, runtime))
        except NciiDeskError as exc:  # not installed, damaged, or an entry that does not fit
            problems.append(exc.as_dict() | {"model": name})
    for name, bad in registry.rejected.items() if classifiers is None else []:
        problems.append(bad.as_dict() | {"model": name})  # a clinic entry that is not valid
    apply_clinic_validation(vault, loaded)  # the vault's newest record for the weights
    if models is not None:
        list_reference_faces(vault, case_id)  # searches new reference photos; automatic picks
        gallery = load_gallery(vault, case_id)
    else:
        gallery = Gallery((), np.zeros((0, F.EMBEDDING_DIM), np.float32), 0)
    run = _Run(
        vault,
        case_id,
        job,
        again=again,
        every_s=every,
        threshold=float(threshold),
        models=models,
        gallery=gallery,
        classifiers=loaded,
        reference_sha={i.id: i.sha256 for i in items},
        original_items=originals,
    )
    run.notes = notes
    described = runtime.describe()
    report = AnalysisReport(
        case_id=case_id,
        # the provider a session really ran on; "" when no model could be opened
        provider=(models.provider if models else "") or described["provider"],
        runtime={
            k: described[k]
            for k in ("provider", "fallbacks", "onnxruntime", "device", "onnxruntime_build")
        },
        gallery={
            "embedder": models.embedder if models is not None else "",
            "faces": len(gallery),
            "fingerprint": gallery.fingerprint,
            "other_model": gallery.other_model,
        },
        classifiers=[c.describe() for c in loaded],
        originals={"count": len(originals), "errors": run.original_errors},
        problems=problems,
    )
    run.total = len(suspects)
    for n, item in enumerate(suspects):
        run.done = n
        position = f"item {n + 1} of {len(suspects)}"
        job.progress(n, len(suspects), position)
        if job.cancelled:
            report.cancelled = True
            break
        try:
            report.items.append(_analyse_item(run, item, position))
        except Cancelled:
            report.cancelled = True
            break
    else:
        job.progress(len(suspects), len(suspects), "done")
    with vault.transaction() as s:
        vault.audit(
            s,
            "case.analyzed",
            case_id,
            {
                "counts": report.counts(),
                "new_matches": report.new_matches,
                "cancelled": report.cancelled,
                "again": again,
                "provider": report.provider,
                "classifiers": [c.name for c in loaded],
                "gallery_faces": len(gallery),
            },
        )
    return report
