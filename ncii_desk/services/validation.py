"""A clinic validates a manipulation classifier on its own labelled images.

:func:`evaluate` runs one classifier over every file of a folder of real pictures and a
folder of manipulated ones and measures how well its score separates the two:

* **ROC AUC**, computed exactly: the Mann-Whitney statistic with average ranks for ties,
  i.e. the chance that a randomly chosen manipulated picture scores higher than a randomly
  chosen real one, ties counting one half;
* a **bootstrap 95 % confidence interval** of the AUC (stratified: each resample draws the
  real and the manipulated pictures separately, with replacement; a fixed seed and number
  of resamples, both stated in the report, so a rerun gives the same interval);
* the **score distributions** (quantiles per class), and the **false-positive and
  false-negative rates** at a threshold (default: the classifier's own decision point);
* counts, and one row per file.

How a picture is scored. A face-crop classifier (every MesoNet weight, and a clinic's ONNX
entry with ``domain.input = "face-crop"``) looks at the faces the face detector finds:
a picture with **several faces** gets the highest manipulation score among its faces (the
item summary of an analysis also reports the face the model rates highest), and is counted
under ``several_faces``; a picture with **no face** is not scored, is left out of every
figure and is counted under ``no_face``. A whole-image classifier
(``domain.input = "whole-image"``) scores the whole picture. A file that cannot be read is a
row with its error; the run goes on. Each picture is scored on its own (one call per
picture), so a model that only takes a batch of one works.

:func:`save_record` stores the result in the vault: one ``model_validations`` row whose
canonical JSON record has a SHA-256 that the ``model.validated`` audit event, written in the
same transaction, carries. :func:`apply_clinic_validation` gives a loaded classifier the
newest intact record for its exact weights (same sha256), which then replaces the manifest's
validation for the headline rule (``Validation.meets_minimum``) and is quoted in summaries
and packets. A record for other weights never applies.

Nothing here imports Qt; the CLI and the GUI call these functions.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
from sqlalchemy import select

from ncii_desk.errors import InvalidSetting, NciiDeskError
from ncii_desk.services.jobs import Job
from ncii_desk.vault.models import AuditEvent, ModelValidation
from ncii_desk.vision.registry import MIN_VALIDATED_AUC, MIN_VALIDATED_IMAGES, ModelRegistry

if TYPE_CHECKING:
    from ncii_desk.vault.store import CaseStore
    from ncii_desk.vision.classifier import FaceClassifier
    from ncii_desk.vision.registry import Validation
    from ncii_desk.vision.runtime import Runtime

__all__ = [
    "BOOTSTRAP_RESAMPLES",
    "BOOTSTRAP_SEED",
    "MIN_PER_CLASS",
    "MIN_VALIDATED_AUC",
    "MIN_VALIDATED_IMAGES",
    "EvaluationOutcome",
    "EvaluationReport",
    "ImageRow",
    "ValidationRecord",
    "apply_clinic_validation",
    "bootstrap_auc_ci",
    "classifier_choices",
    "evaluate",
    "evaluate_and_save",
    "list_records",
    "roc_auc",
    "roc_points",
    "save_record",
    "validation_for",
]

#: Fewer scored pictures than this in either class give no figure at all: an AUC on a
#: handful of pictures says nothing (and its interval would be nearly 0 to 1).
MIN_PER_CLASS: Final = 10
#: Stratified bootstrap resamples for the AUC's 95 % interval, and the fixed seed.
BOOTSTRAP_RESAMPLES: Final = 2000
BOOTSTRAP_SEED: Final = 20261206
#: Quantiles reported for each class's scores.
QUANTILES: Final = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0)
AUDIT_ACTION: Final = "model.validated"
RECORD_VERSION: Final = 1

REAL, FAKE = "real", "fake"
FloatArray = npt.NDArray[np.float64]


# --- the statistics ---------------------------------------------------------------------------


def _average_ranks(values: FloatArray) -> FloatArray:
    """Ranks 1..n of ``values``; tied values share the mean of their ranks."""
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(len(values), dtype=np.float64)
    ordered = values[order]
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1] == ordered[start]:
            end += 1
        ranks[order[start : end + 1]] = (start + end) / 2.0 + 1.0
        start = end + 1
    return ranks


def roc_auc(real: Sequence[float] | FloatArray, fake: Sequence[float] | FloatArray) -> float:
    """Exact ROC AUC of "higher score = manipulated": the Mann-Whitney U of the manipulated
    scores over the real ones, divided by n_real * n_fake (ties count one half)."""
    r = np.asarray(real, dtype=np.float64)
    f = np.asarray(fake, dtype=np.float64)
    if len(r) == 0 or len(f) == 0:
        raise ValueError("both classes need at least one score")
    ranks = _average_ranks(np.concatenate([f, r]))
    u = float(ranks[: len(f)].sum()) - len(f) * (len(f) + 1) / 2.0
    return u / (len(f) * len(r))


def _auc_many(real: FloatArray, fake: FloatArray) -> FloatArray:
    """AUC of each row pair (resamples x n): by counting, for speed in the bootstrap."""
    out = np.empty(real.shape[0], dtype=np.float64)
    for i in range(real.shape[0]):
        r = np.sort(real[i])
        below = np.searchsorted(r, fake[i], side="left")
        equal = np.searchsorted(r, fake[i], side="right") - below
        out[i] = (below.sum() + 0.5 * equal.sum()) / (real.shape[1] * fake.shape[1])
    return out


def bootstrap_auc_ci(
    real: Sequence[float] | FloatArray,
    fake: Sequence[float] | FloatArray,
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile interval of the AUC over stratified bootstrap resamples (each class drawn
    with replacement at its own size), reproducible from ``seed``."""
    r = np.asarray(real, dtype=np.float64)
    f = np.asarray(fake, dtype=np.float64)
    rng = np.random.default_rng(seed)
    aucs = _auc_many(
        r[rng.integers(0, len(r), size=(resamples, len(r)))],
        f[rng.integers(0, len(f), size=(resamples, len(f)))],
    )
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(aucs, [tail, 1.0 - tail])
    return float(low), float(high)


def roc_points(
    real: Sequence[float] | FloatArray, fake: Sequence[float] | FloatArray
) -> list[tuple[float, float, float]]:
    """(false-positive rate, true-positive rate, threshold) from the strictest threshold
    down, one point per distinct score; "flagged" means score >= threshold."""
    r = np.asarray(real, dtype=np.float64)
    f = np.asarray(fake, dtype=np.float64)
    points = [(0.0, 0.0, math.inf)]
    for t in sorted(set(r.tolist()) | set(f.tolist()), reverse=True):
        points.append((float((r >= t).mean()), float((f >= t).mean()), float(t)))
    return points


def _quantiles(scores: FloatArray) -> dict[str, float]:
    values = np.quantile(scores, QUANTILES)
    return {
        f"q{round(q * 100):02d}": round(float(v), 6) for q, v in zip(QUANTILES, values, strict=True)
    }


# --- one run ----------------------------------------------------------------------------------


@dataclass
class ImageRow:
    """One file of the labelled set and what happened to it."""

    path: str
    label: str  # "real" or "fake"
    status: str  # "scored", "no-face" or "error"
    score: float | None = None
    faces: int = 0
    face_scores: list[float] = field(default_factory=list)
    error: str = ""
    message: str = ""
    hint: str = ""
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path,
            "label": self.label,
            "status": self.status,
            "score": self.score,
            "faces": self.faces,
            "face_scores": self.face_scores,
            "seconds": round(self.seconds, 4),
        }
        if self.status == "error":
            out |= {"error": self.error, "message": self.message, "hint": self.hint}
        return out


@dataclass
class EvaluationReport:
    model: str
    model_sha256: str
    version: str
    provider: str
    input: str  # "face-crop" or "whole-image"
    threshold: float
    rows: list[ImageRow]
    auc: float
    ci: tuple[float, float]
    resamples: int
    seed: int
    fp_rate: float
    fn_rate: float
    false_positives: int
    false_negatives: int
    quantiles: dict[str, dict[str, float]]
    roc: list[tuple[float, float, float]]
    seconds: float
    evaluated_at: str
    files: dict[str, str] = field(default_factory=dict)

    def _scores(self, label: str) -> list[float]:
        return [r.score for r in self.rows if r.label == label and r.score is not None]

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for label in (REAL, FAKE):
            rows = [r for r in self.rows if r.label == label]
            out[label] = {
                "files": len(rows),
                "scored": sum(r.status == "scored" for r in rows),
                "no_face": sum(r.status == "no-face" for r in rows),
                "several_faces": sum(r.status == "scored" and r.faces > 1 for r in rows),
                "errors": sum(r.status == "error" for r in rows),
            }
        return out

    @property
    def n_real(self) -> int:
        return len(self._scores(REAL))

    @property
    def n_fake(self) -> int:
        return len(self._scores(FAKE))

    @property
    def scored_seconds_per_image(self) -> float:
        scored = [r.seconds for r in self.rows if r.status != "error"]
        return float(np.median(scored)) if scored else 0.0

    @property
    def meets_minimum(self) -> bool:
        """Whether the figures reach the headline minimum (the domain is the clinic's word,
        given when the record is saved)."""
        images = self.n_real + self.n_fake
        return self.auc >= MIN_VALIDATED_AUC and images >= MIN_VALIDATED_IMAGES

    def minimum_words(self) -> str:
        images = self.n_real + self.n_fake
        if self.meets_minimum:
            return (
                f"This meets the minimum (ROC AUC at least {MIN_VALIDATED_AUC} on at least "
                f"{MIN_VALIDATED_IMAGES} labelled images). Saved with --save, it lets the "
                "model's findings count for pictures of the domain you name."
            )
        why = []
        if images < MIN_VALIDATED_IMAGES:
            why.append(f"only {images} pictures were scored (at least {MIN_VALIDATED_IMAGES})")
        if self.auc < MIN_VALIDATED_AUC:
            why.append(f"the ROC AUC is {self.auc:.2f} (at least {MIN_VALIDATED_AUC})")
        return (
            "Below the minimum: "
            + " and ".join(why)
            + ". A saved record of this run keeps the model's score a weak, unvalidated "
            "signal: never a headline or a finding."
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "model_sha256": self.model_sha256,
            "version": self.version,
            "provider": self.provider,
            "input": self.input,
            "evaluated_at": self.evaluated_at,
            "scoring": SCORING_RULE[self.input],
            "positive_class": "fake (manipulated): a higher score means more likely manipulated",
            "counts": self.counts(),
            "n_real": self.n_real,
            "n_fake": self.n_fake,
            "auc": self.auc,
            "auc_ci95": list(self.ci),
            "bootstrap": {"resamples": self.resamples, "seed": self.seed, "stratified": True},
            "threshold": self.threshold,
            "at_threshold": {
                "false_positive_rate": self.fp_rate,
                "false_negative_rate": self.fn_rate,
                "false_positives": self.false_positives,
                "false_negatives": self.false_negatives,
                "rule": "flagged as manipulated when score >= threshold",
            },
            "quantiles": self.quantiles,
            "roc": [[fpr, tpr, None if math.isinf(t) else t] for fpr, tpr, t in self.roc],
            "meets_minimum": self.meets_minimum,
            "minimum": self.minimum_words(),
            "seconds": round(self.seconds, 3),
            "seconds_per_image_median": round(self.scored_seconds_per_image, 4),
            "files": self.files,
            "rows": [r.as_dict() for r in self.rows],
        }


SCORING_RULE: Final = {
    "face-crop": (
        "Each picture's faces are found with the face detector and scored one by one; a "
        "picture with several faces gets its highest score; a picture with no face is not "
        "scored and is left out of every figure (counted as no_face)."
    ),
    "whole-image": "Each picture is scored whole, once.",
}


def _label_files(folder: Path, label: str) -> list[Path]:
    from ncii_desk.media.walk import walk

    if not folder.is_dir():
        raise InvalidSetting(
            f"The {label} folder {folder} does not exist or is not a folder.",
            f"Give the folder that holds the {label} pictures (--{label} DIR).",
        )
    return [p for p, _ in walk([folder])]


def _score_one(clf: FaceClassifier, path: Path, label: str) -> ImageRow:
    from ncii_desk.media.loader import load_image
    from ncii_desk.vision import faces as F
    from ncii_desk.vision.classifier import ClassifierError
    from ncii_desk.vision.registry import ModelCorrupt, ModelMissing

    started = time.perf_counter()
    row = ImageRow(str(path), label, "error")
    try:
        rgb = load_image(path).pixels
        if clf.domain.input == "whole-image":
            scores = clf.score([rgb])
            row.faces = 0
        else:
            found = F.detect(rgb)
            row.faces = len(found)
            crops = [clf.crop(rgb, face) for face in found]
            scores = clf.score(crops) if crops else np.zeros(0, np.float32)
        row.face_scores = [float(s) for s in scores]
        if len(scores) == 0:
            row.status = "no-face"
        else:
            row.status, row.score = "scored", float(np.max(scores))
    except (ClassifierError, ModelMissing, ModelCorrupt):
        raise  # about the model, not this file: stop with its own message
    except NciiDeskError as exc:
        row.error, row.message, row.hint = type(exc).__name__, exc.message, exc.hint
    except (OSError, ValueError) as exc:  # a file that vanished, landmarks that are degenerate
        row.error, row.message = type(exc).__name__, f"{path.name} could not be scored: {exc}"
        row.hint = "Check the file opens in an image viewer, or leave it out of the folder."
    row.seconds = time.perf_counter() - started
    return row


def _too_few(what: str, counts: dict[str, int]) -> InvalidSetting:
    short = ", ".join(f"{counts[k]} {k}" for k in (REAL, FAKE))
    return InvalidSetting(
        f"Too few {what} to measure the classifier: {short}; at least {MIN_PER_CLASS} of each "
        "are needed (and at least 200 in all before a validation can count).",
        "Add more labelled pictures of the kind the classifier will be used on to both folders.",
    )


def evaluate(
    model: str,
    real_dir: Path,
    fake_dir: Path,
    *,
    threshold: float | None = None,
    out: Path | None = None,
    job: Job | None = None,
    runtime: Runtime | None = None,
    classifier: FaceClassifier | None = None,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> EvaluationReport:
    """Score every file under ``real_dir`` and ``fake_dir`` with classifier ``model`` and
    measure the separation (module docstring). ``out``: a folder (made owner-only when new)
    for roc.png, histogram.png and report.json, each written owner-only.

    Raises InvalidSetting (exit 2) for a missing folder, an unusable threshold or fewer than
    MIN_PER_CLASS files or scored pictures in a class; ModelMissing / ModelCorrupt /
    ClassifierError when the model cannot be loaded. Bad files are rows, never a stop."""
    from ncii_desk.vision.classifier import load_classifier

    job = job or Job()
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise InvalidSetting(
            f"The threshold must lie between 0 and 1, not {threshold}.",
            "Give a manipulation probability such as 0.5.",
        )
    if resamples < 100:
        raise InvalidSetting(f"{resamples} bootstrap resamples are too few.", "Use 1000 or more.")
    files = {REAL: _label_files(real_dir, REAL), FAKE: _label_files(fake_dir, FAKE)}
    counts = {k: len(v) for k, v in files.items()}
    if min(counts.values()) < MIN_PER_CLASS:
        raise _too_few("files", counts)
    clf = classifier or load_classifier(model, runtime)
    cut = clf.threshold if threshold is None else float(threshold)
    started = time.perf_counter()
    rows: list[ImageRow] = []
    total = sum(counts.values())
    for label in (REAL, FAKE):
        for path in files[label]:
            job.raise_if_cancelled()
            job.progress(len(rows), total, f"Scoring {label} pictures {len(rows) + 1}/{total}")
            rows.append(_score_one(clf, path, label))
    job.progress(total, total, "Measuring")
    real = np.asarray([r.score for r in rows if r.label == REAL and r.score is not None])
    fake = np.asarray([r.score for r in rows if r.label == FAKE and r.score is not None])
    scored = {REAL: len(real), FAKE: len(fake)}
    if min(scored.values()) < MIN_PER_CLASS:
        raise _too_few(
            "pictures could be scored (the others had no face or could not be read)", scored
        )
    report = EvaluationReport(
        model=clf.name,
        model_sha256=clf.model_sha256,
        version=clf.version,
        provider=clf.provider,
        input=clf.domain.input if clf.domain.input in SCORING_RULE else "face-crop",
        threshold=cut,
        rows=rows,
        auc=roc_auc(real, fake),
        ci=bootstrap_auc_ci(real, fake, resamples=resamples, seed=seed),
        resamples=resamples,
        seed=seed,
        fp_rate=float((real >= cut).mean()),
        fn_rate=float((fake < cut).mean()),
        false_positives=int((real >= cut).sum()),
        false_negatives=int((fake < cut).sum()),
        quantiles={REAL: _quantiles(real), FAKE: _quantiles(fake)},
        roc=roc_points(real, fake),
        seconds=time.perf_counter() - started,
        evaluated_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    if out is not None:
        write_outputs(report, out)
    return report


# --- pictures and the JSON file ---------------------------------------------------------------


def _png(image: Any) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def _axes(
    draw: Any, box: tuple[int, int, int, int], xlabel: str, ylabel: str, ytop: float = 1.0
) -> None:
    left, top, right, bottom = box
    draw.rectangle(box, outline=(0, 0, 0))
    for i in range(11):
        x = left + (right - left) * i / 10
        y = bottom - (bottom - top) * i / 10
        draw.line([(x, bottom), (x, bottom + 4)], fill=(0, 0, 0))
        draw.line([(left - 4, y), (left, y)], fill=(0, 0, 0))
        if i % 2 == 0:
            draw.text((x - 8, bottom + 8), f"{i / 10:.1f}", fill=(0, 0, 0))
            draw.text((left - 34, y - 6), f"{i / 10 * ytop:.2f}", fill=(0, 0, 0))
    draw.text(((left + right) // 2 - 3 * len(xlabel), bottom + 26), xlabel, fill=(0, 0, 0))
    draw.text((8, top - 22), ylabel, fill=(0, 0, 0))


def roc_png(report: EvaluationReport) -> bytes:
    """The ROC curve with the chance line, the AUC and its interval, and the threshold's
    point marked."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (560, 560), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    box = (60, 50, 530, 500)
    left, top, right, bottom = box

    def at(fpr: float, tpr: float) -> tuple[float, float]:
        return left + fpr * (right - left), bottom - tpr * (bottom - top)

    _axes(draw, box, "false-positive rate (real pictures flagged)", "true-positive rate")
    draw.line([at(0, 0), at(1, 1)], fill=(170, 170, 170), width=1)
    curve = [at(fpr, tpr) for fpr, tpr, _ in report.roc] + [at(1.0, 1.0)]
    draw.line(curve, fill=(0, 70, 160), width=3)
    px, py = at(report.fp_rate, 1.0 - report.fn_rate)
    draw.ellipse([px - 5, py - 5, px + 5, py + 5], outline=(190, 0, 0), width=2)
    draw.text(
        (left + 10, top + 8),
        f"{report.model}: ROC AUC {report.auc:.3f} "
        f"[{report.ci[0]:.3f}-{report.ci[1]:.3f}], {report.n_real} real, {report.n_fake} fake",
        fill=(0, 0, 0),
    )
    draw.text(
        (left + 10, top + 24),
        f"circle: threshold {report.threshold:.2f} (FP {report.fp_rate:.0%}, "
        f"FN {report.fn_rate:.0%})",
        fill=(190, 0, 0),
    )
    return _png(img)


def histogram_png(report: EvaluationReport, bins: int = 20) -> bytes:
    """Score histograms of both classes (share of each class per bin), threshold marked."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (640, 420), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    box = (60, 50, 610, 360)
    left, top, right, bottom = box
    edges = np.linspace(0.0, 1.0, bins + 1)
    shares = {}
    for label in (REAL, FAKE):
        scores = np.asarray(report._scores(label))
        hist, _ = np.histogram(np.clip(scores, 0.0, 1.0), bins=edges)
        shares[label] = hist / max(1, len(scores))
    peak = max(float(max(s.max() for s in shares.values())), 1e-9)
    _axes(draw, box, "manipulation score", "share of each class's pictures", ytop=peak)
    width = (right - left) / bins
    colours = {REAL: (0, 120, 60), FAKE: (190, 60, 0)}
    for i in range(bins):
        for k, label in enumerate((REAL, FAKE)):
            h = shares[label][i] / peak * (bottom - top)
            x0 = left + i * width + k * width / 2
            draw.rectangle([x0 + 1, bottom - h, x0 + width / 2 - 1, bottom], fill=colours[label])
    tx = left + report.threshold * (right - left)
    draw.line([(tx, top), (tx, bottom)], fill=(0, 0, 0), width=2)
    draw.text(
        (left + 200, top - 22),
        f"green: {report.n_real} real, orange: {report.n_fake} fake; line: threshold "
        f"{report.threshold:.2f}",
        fill=(0, 0, 0),
    )
    return _png(img)


def write_outputs(report: EvaluationReport, out: Path) -> dict[str, str]:
    """roc.png, histogram.png and report.json in ``out`` (owner-only; files of a previous
    run there are replaced)."""
    from ncii_desk.hardening import make_private_dir, write_private_bytes

    try:
        make_private_dir(out, parents=True)
        files = {"roc": out / "roc.png", "histogram": out / "histogram.png"}
        files["report"] = out / "report.json"
        report.files = {k: str(v) for k, v in files.items()}
        write_private_bytes(files["roc"], roc_png(report), exclusive=False)
        write_private_bytes(files["histogram"], histogram_png(report), exclusive=False)
        data = json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"
        write_private_bytes(files["report"], data.encode("utf-8"), exclusive=False)
    except OSError as exc:
        raise InvalidSetting(
            f"The report could not be written to {out}: {exc.strerror or exc}.",
            "Give a folder you can write to with --out (it is created if missing).",
        ) from exc
    return report.files


# --- records in the vault ---------------------------------------------------------------------


def _canonical(record: dict[str, Any]) -> bytes:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class ValidationRecord:
    """A stored validation record, and whether it is intact (its digest matches the record
    and the audit event that signed it)."""

    id: str
    record: dict[str, Any]
    record_sha256: str
    intact: bool
    problem: str = ""

    @property
    def model(self) -> str:
        return str(self.record.get("model", ""))

    @property
    def model_sha256(self) -> str:
        return str(self.record.get("model_sha256", ""))

    @property
    def images(self) -> int:
        return int(self.record.get("n_real", 0)) + int(self.record.get("n_fake", 0))

    def validation(self) -> Validation:
        from ncii_desk.vision.registry import Validation

        r = self.record
        ci = r.get("auc_ci95") or [None, None]
        return Validation(
            status="validated",
            auc=float(r["auc"]),
            images=self.images,
            domain=str(r.get("domain", "")),
            date=str(r.get("date", ""))[:10],
            by="the clinic",
            notes=f"clinic record {self.record_sha256[:16]} by {r.get('operator') or 'unknown'}",
            ci=(float(ci[0]), float(ci[1])) if None not in ci else None,
            record_sha256=self.record_sha256,
        )

    @property
    def meets_minimum(self) -> bool:
        return self.intact and self.validation().meets_minimum

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "record": self.record,
            "record_sha256": self.record_sha256,
            "intact": self.intact,
            "problem": self.problem,
            "meets_minimum": self.meets_minimum,
            "words": self.validation().words(),
        }


def save_record(
    vault: CaseStore, report: EvaluationReport, *, domain: str, operator: str | None = None
) -> ValidationRecord:
    """Store ``report`` as the clinic's validation record for the model's exact weights,
    with a ``model.validated`` audit event carrying the record's SHA-256, in one
    transaction. ``domain``: what the labelled pictures are (required)."""
    domain = " ".join(domain.split())
    if not domain:
        raise InvalidSetting(
            "Saving a validation record needs the domain of the labelled pictures.",
            'Say what the pictures are with --domain, e.g. --domain "face-swap video frames '
            'from phone recordings".',
        )
    counts = report.counts()
    record: dict[str, Any] = {
        "version": RECORD_VERSION,
        "model": report.model,
        "model_sha256": report.model_sha256,
        "model_version": report.version,
        "input": report.input,
        "domain": domain,
        "date": report.evaluated_at,
        "operator": operator if operator is not None else vault.actor,
        "n_real": report.n_real,
        "n_fake": report.n_fake,
        "no_face": counts[REAL]["no_face"] + counts[FAKE]["no_face"],
        "errors": counts[REAL]["errors"] + counts[FAKE]["errors"],
        "several_faces": counts[REAL]["several_faces"] + counts[FAKE]["several_faces"],
        "auc": report.auc,
        "auc_ci95": list(report.ci),
        "bootstrap": {"resamples": report.resamples, "seed": report.seed},
        "threshold": report.threshold,
        "false_positive_rate": report.fp_rate,
        "false_negative_rate": report.fn_rate,
        "quantiles": report.quantiles,
        "scoring": SCORING_RULE[report.input],
    }
    digest = hashlib.sha256(_canonical(record)).hexdigest()
    with vault.transaction() as s:
        row = ModelValidation(
            model_name=report.model,
            model_sha256=report.model_sha256,
            operator=str(record["operator"]),
            domain=domain,
            n_real=report.n_real,
            n_fake=report.n_fake,
            auc=report.auc,
            record=record,
            record_sha256=digest,
        )
        s.add(row)
        s.flush()
        vault.audit(
            s,
            AUDIT_ACTION,
            row.id,
            {
                "model": report.model,
                "model_sha256": report.model_sha256,
                "record_sha256": digest,
                "images": report.n_real + report.n_fake,
                "auc": round(report.auc, 6),
            },
        )
        return ValidationRecord(row.id, record, digest, intact=True)


def _signed_digest(details: str) -> str:
    try:
        data = json.loads(details or "{}")
    except ValueError:
        return ""
    return str(data.get("record_sha256", "")) if isinstance(data, dict) else ""


def _check(row: ModelValidation, signed: dict[str, str]) -> ValidationRecord:
    actual = hashlib.sha256(_canonical(row.record)).hexdigest()
    problem = ""
    if actual != row.record_sha256:
        problem = "the record's contents no longer match its SHA-256"
    elif signed.get(row.id) != row.record_sha256:
        problem = "no audit event signs this record"
    elif row.model_sha256 != row.record.get("model_sha256"):
        problem = "the record names other weights than its row"
    return ValidationRecord(row.id, dict(row.record), row.record_sha256, not problem, problem)


def list_records(vault: CaseStore, model_sha256: str | None = None) -> list[ValidationRecord]:
    """Stored records, newest first (for one model's weights when ``model_sha256`` is
    given), each checked against its digest and its audit event."""
    with vault.session() as s:
        query = select(ModelValidation).order_by(ModelValidation.created_at.desc())
        if model_sha256 is not None:
            query = query.where(ModelValidation.model_sha256 == model_sha256)
        rows = list(s.scalars(query))
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == AUDIT_ACTION))
        signed = {str(e.object_id): _signed_digest(e.details) for e in events}
    return [_check(r, signed) for r in rows]


def validation_for(vault: CaseStore, model_sha256: str) -> ValidationRecord | None:
    """The newest intact record for these exact weights, or None."""
    return next((r for r in list_records(vault, model_sha256) if r.intact), None)


def apply_clinic_validation(vault: CaseStore, classifiers: Sequence[FaceClassifier]) -> None:
    """Give each classifier its effective validation: the vault's newest intact record for
    its weights' sha256 when there is one (it replaces the manifest's: it is the clinic's own
    measurement on its own kind of pictures), else the manifest's."""
    for clf in classifiers:
        found = validation_for(vault, clf.model_sha256)
        if found is not None:
            clf.validation = found.validation()


def classifier_choices() -> list[str]:
    """The manipulation classifiers of the manifest, for a picker (reads the manifest only:
    no model is loaded)."""
    return [spec.name for spec in ModelRegistry() if spec.task == "deepfake-classifier"]


@dataclass
class EvaluationOutcome:
    """What the GUI's evaluation task returns: the report, and the record when saved."""

    report: EvaluationReport
    saved: ValidationRecord | None


def evaluate_and_save(
    vault: CaseStore,
    model: str,
    real_dir: Path,
    fake_dir: Path,
    *,
    domain: str = "",
    save: bool = False,
    job: Job | None = None,
) -> EvaluationOutcome:
    """:func:`evaluate`, then :func:`save_record` when ``save`` (the domain is checked before
    any picture is scored, so a missing one never costs a run)."""
    if save and not " ".join(domain.split()):
        raise InvalidSetting(
            "Saving a validation record needs the domain of the labelled pictures.",
            "Say what kind of pictures the two folders hold, e.g. face-swap video frames.",
        )
    report = evaluate(model, real_dir, fake_dir, job=job)
    saved = save_record(vault, report, domain=domain) if save else None
    return EvaluationOutcome(report, saved)
