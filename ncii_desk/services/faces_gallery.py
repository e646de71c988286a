"""A case's reference gallery: the victim's face, as picked in her reference photos.

Each item of role ``reference`` (and, when asked, ``original``) is searched for faces once;
the faces found (box, detector score, landmarks and embedding) are stored as an Analysis row
of kind ``faces``, so listing them again needs no model. The gallery itself is the case's
FaceReference rows: an embedding plus where the face was, never a new image.

A reference photo with exactly one face is picked automatically (``chosen_by = "auto"``);
with several faces the advocate picks which one is the victim. Every pick and unpick is an
audit event. Faces are numbered from 1, largest first, in every listing and command.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from ncii_desk import __version__, cmdline
from ncii_desk.errors import InvalidSetting, NciiDeskError, NotFound
from ncii_desk.services import access
from ncii_desk.services.cases import find_case
from ncii_desk.services.items import find_item
from ncii_desk.services.jobs import Job
from ncii_desk.services.settings import uses_vault_embedder
from ncii_desk.services.views import iso
from ncii_desk.vault.models import Analysis, EvidenceItem, FaceReference, Role
from ncii_desk.vault.store import CaseStore

FACES_KIND: Final = "faces"
FACES_PRODUCER: Final = "ncii_desk.vision.faces"
AUTO: Final = "auto"
#: Item details key remembering that the advocate removed an automatic pick (so it is not
#: made again).
_DETAILS_KEY: Final = "face_gallery"
GALLERY_ROLES: Final = (Role.REFERENCE, Role.ORIGINAL)


# --- the face models, as records need to name them -----------------------------------------


@dataclass(frozen=True)
class FaceModels:
    """The detector and embedding model in use, and where their sessions run."""

    detector_sha256: str
    embedder_sha256: str
    provider: str  # the embedding session's provider ("" if unknown)
    detector_provider: str
    embedder: str = ""  # the embedding model's manifest name

    @property
    def version(self) -> str:
        return f"{__version__}; yunet {self.detector_sha256[:12]}"

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


_models: dict[str, FaceModels] = {}


def face_models() -> FaceModels:
    """Load (once per embedder) and describe the face models. ModelMissing / ModelCorrupt
    when a file is absent or altered: the clear, early error rather than one per item."""
    from ncii_desk.vision import faces as F

    name = F.embedder_name()
    if name not in _models:
        from ncii_desk.vision.runtime import shared_runtime

        side = F.aligned_size(name)
        F.detect(np.zeros((64, 64, 3), np.uint8))  # builds the detector session
        F.embed(np.zeros((1, side, side, 3), np.uint8), name)  # and the embedder
        runtime = shared_runtime()
        sessions: dict[str, str] = runtime.describe()["sessions"]

        def provider(model: str) -> str:
            found = [p for key, p in sessions.items() if key.startswith(model + ":")]
            return found[0] if found else ""

        _models[name] = FaceModels(
            detector_sha256=runtime.registry.spec(F.YUNET_MODEL).sha256,
            embedder_sha256=runtime.registry.spec(name).sha256,
            provider=provider(name),
            detector_provider=provider(F.YUNET_MODEL),
            embedder=name,
        )
    return _models[name]


# --- views ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FaceCandidate:
    """One face found in a reference photo, and whether it is in the gallery."""

    index: int  # 1-based, largest face first
    box: list[float]  # x, y, w, h in the photo's pixels
    detection_score: float
    picked: bool
    reference_id: str | None
    chosen_by: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ReferencePhoto:
    """A reference (or original) photo and the faces found in it."""

    item_id: str
    role: str
    file_name: str
    status: str  # "faces", "no-face", "unreadable", "not-kept", "not-a-photo"
    message: str
    size: tuple[int, int] | None
    faces: tuple[FaceCandidate, ...]

    @property
    def picked(self) -> list[FaceCandidate]:
        return [f for f in self.faces if f.picked]

    def as_dict(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "role": self.role,
            "file_name": self.file_name,
            "status": self.status,
            "message": self.message,
            "size": list(self.size) if self.size else None,
            "faces": [f.as_dict() for f in self.faces],
        }


@dataclass(frozen=True)
class FaceReferenceView:
    id: str
    case_id: str
    item_id: str
    face_index: int
    box: list[float]
    detector_score: float
    model_sha256: str
    chosen_by: str
    created_at: str | None

    @classmethod
    def of(cls, row: FaceReference) -> FaceReferenceView:
        return cls(
            id=row.id,
            case_id=row.case_id,
            item_id=row.item_id,
            face_index=row.face_index,
            box=[float(v) for v in row.box],
            detector_score=row.detector_score,
            model_sha256=row.model_sha256,
            chosen_by=row.chosen_by,
            created_at=iso(row.created_at),
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Gallery:
    """The reference faces an analysis compares with (current embedding model only)."""

    references: tuple[FaceReferenceView, ...]
    embeddings: npt.NDArray[np.float32]  # (R, 128), row i belongs to references[i]
    other_model: int  # picks made with another embedding model (not comparable, left out)

    @property
    def fingerprint(self) -> str:
        """Identifies this exact set of picks (picks are never edited, only added/removed)."""
        ids = "\n".join(sorted(r.id for r in self.references))
        return hashlib.sha256(ids.encode()).hexdigest()[:32] if ids else "empty"

    def __len__(self) -> int:
        return len(self.references)


# --- finding the faces of a photo -----------------------------------------------------------


def _stored_faces(s: Session, item_id: str, embedder_sha: str) -> Analysis | None:
    query = (
        select(Analysis)
        .where(
            Analysis.item_id == item_id,
            Analysis.kind == FACES_KIND,
            Analysis.producer == FACES_PRODUCER,
            Analysis.model_sha256 == embedder_sha,
        )
        .order_by(Analysis.created_at.desc())
    )
    return s.scalars(query).first()


def _detect_photo(vault: CaseStore, item: EvidenceItem, models: FaceModels) -> Analysis:
    """Decode the photo from the vault (in memory), find and embed every face, and return
    the (unsaved) Analysis row. Input errors propagate (InputFileError subclasses)."""
    from ncii_desk.media.loader import load_image
    from ncii_desk.vault.models import Blob
    from ncii_desk.vision import faces as F
    from ncii_desk.vision.video import DETECTOR_SCORE

    with vault.session() as s:
        blob = s.get(Blob, item.blob_id) if item.blob_id else None
        if blob is None:
            raise NotFound(f"The stored file of item {item.id[:12]} is missing.")
        data = vault.read_blob(blob)
    started = time.perf_counter()
    image = load_image(data)
    found, vectors = F.detect_and_embed(image.pixels, score_threshold=DETECTOR_SCORE)
    order = sorted(range(len(found)), key=lambda i: -found[i].area)
    faces = []
    for n, i in enumerate(order, 1):
        face = found[i]
        faces.append(
            {
                "index": n,
                "box": [round(float(v), 1) for v in face.box],
                "detection_score": round(face.score, 4),
                "rotation": face.rotation,
                "landmarks": [[round(float(x), 1), round(float(y), 1)] for x, y in face.landmarks],
                "embedding": [round(float(v), 6) for v in vectors[i]],
            }
        )
    height, width = image.pixels.shape[:2]
    return Analysis(
        item_id=item.id,
        kind=FACES_KIND,
        producer=FACES_PRODUCER,
        producer_version=models.version,
        model_sha256=models.embedder_sha256,
        provider=models.provider,
        thresholds={"detector_score": DETECTOR_SCORE},
        duration_ms=round((time.perf_counter() - started) * 1000, 1),
        result={
            "purpose": "gallery candidates",
            "size": [int(width), int(height)],
            "faces": faces,
            "models": models.as_dict(),
            "signals": [],
        },
    )


def _declined_auto(item: EvidenceItem) -> bool:
    entry = (item.details or {}).get(_DETAILS_KEY, {})
    return isinstance(entry, dict) and bool(entry.get("auto_pick_declined"))


def _new_reference(
    item: EvidenceItem, face: dict[str, Any], models_sha: str, chosen_by: str
) -> FaceReference:
    return FaceReference(
        case_id=item.case_id,
        item_id=item.id,
        face_index=int(face["index"]),
        box=list(face["box"]),
        detector_score=float(face["detection_score"]),
        embedding=list(face["embedding"]),
        model_sha256=models_sha,
        chosen_by=chosen_by,
    )


def _audit_pick(vault: CaseStore, s: Session, ref: FaceReference) -> None:
    vault.audit(
        s,
        "face.picked",
        ref.id,
        {
            "item": ref.item_id,
            "face_index": ref.face_index,
            "box": ref.box,
            "detector_score": ref.detector_score,
            "model_sha256": ref.model_sha256,
            "chosen_by": ref.chosen_by,
        },
    )


def _photo_view(
    item: EvidenceItem, analysis: Analysis | None, picks: list[FaceReference]
) -> ReferencePhoto:
    picked = {p.face_index: p for p in picks}
    faces: list[FaceCandidate] = []
    size: tuple[int, int] | None = None
    if analysis is not None:
        w, h = analysis.result.get("size", [0, 0])
        size = (int(w), int(h))
        for face in analysis.result.get("faces", []):
            pick = picked.get(int(face["index"]))
            faces.append(
                FaceCandidate(
                    index=int(face["index"]),
                    box=[float(v) for v in face["box"]],
                    detection_score=float(face["detection_score"]),
                    picked=pick is not None,
                    reference_id=pick.id if pick else None,
                    chosen_by=pick.chosen_by if pick else None,
                )
            )
    if not faces:
        status, message = "no-face", "No face was found in this photo."
    elif len(faces) == 1:
        status, message = "faces", "One face was found."
    else:
        status = "faces"
        chosen = [str(f.index) for f in faces if f.picked]
        message = f"{len(faces)} faces were found; " + (
            f"picked: face {', '.join(chosen)}."
            if chosen
            else "pick the victim's with 'ncii-desk faces pick'."
        )
    return ReferencePhoto(
        item.id, item.role.value, item.original_filename, status, message, size, tuple(faces)
    )


def _unreadable(item: EvidenceItem, status: str, message: str) -> ReferencePhoto:
    return ReferencePhoto(
        item.id, item.role.value, item.original_filename, status, message, None, ()
    )


def _ensure_photo(vault: CaseStore, item: EvidenceItem, models: FaceModels) -> ReferencePhoto:
    """One photo's faces (searched now if never searched with this model), with the
    automatic pick made where it applies."""
    from ncii_desk.media.loader import media_kind

    if not item.pixels_kept or item.blob_id is None:
        return _unreadable(item, "not-kept", "Only hashes of this file were kept; no faces.")
    if media_kind(item.mime) != "image":
        return _unreadable(item, "not-a-photo", "Only photos can hold reference faces.")
    with vault.session() as s:
        analysis = _stored_faces(s, item.id, models.embedder_sha256)
    if analysis is None:
        try:
            analysis = _detect_photo(vault, item, models)
        except NciiDeskError as exc:
            return _unreadable(item, "unreadable", exc.message)
        with vault.transaction() as s:
            s.add(analysis)
            s.flush()
            vault.audit(
                s,
                "item.faces_found",
                item.id,
                {"faces": len(analysis.result["faces"]), "model_sha256": analysis.model_sha256},
            )
    faces = analysis.result.get("faces", [])
    # Picks are per embedding model: a face picked with another embedder is not compared
    # with this one's embeddings (load_gallery), so it is neither shown as picked here nor
    # does it stop the automatic pick of a photo's only face with this model.
    mine = (FaceReference.item_id == item.id) & (
        FaceReference.model_sha256 == models.embedder_sha256
    )
    with vault.session() as s:
        fresh = s.get(EvidenceItem, item.id)
        assert fresh is not None
        picks = list(s.scalars(select(FaceReference).where(mine)))
    auto = fresh.role == Role.REFERENCE and len(faces) == 1 and not _declined_auto(fresh)
    if auto and not picks:
        with vault.transaction() as s:  # looked again under the write lock
            picks = list(s.scalars(select(FaceReference).where(mine)))
            if not picks:
                ref = _new_reference(fresh, faces[0], models.embedder_sha256, AUTO)
                s.add(ref)
                s.flush()
                _audit_pick(vault, s, ref)
                picks = [ref]
    return _photo_view(fresh, analysis, picks)


@uses_vault_embedder
def list_reference_faces(
    vault: CaseStore,
    case_ref: str,
    *,
    include_originals: bool = False,
    job: Job | None = None,
) -> list[ReferencePhoto]:
    """Every reference photo of a case with its faces, and which are picked.

    Photos not searched yet are searched now (stored as an Analysis). A photo with exactly
    one face that has no pick yet gets it picked automatically, unless an automatic pick of
    that photo was removed before. An unreadable photo is listed with the reason; the rest
    go on.
    """
    job = job or Job()
    roles = GALLERY_ROLES if include_originals else (Role.REFERENCE,)
    with vault.session() as s:
        case = find_case(s, case_ref)
        items = list(
            s.scalars(
                select(EvidenceItem)
                .where(EvidenceItem.case_id == case.id, EvidenceItem.role.in_(roles))
                .order_by(EvidenceItem.intake_at, EvidenceItem.id)
            )
        )
    photos: list[ReferencePhoto] = []
    for done, item in enumerate(items):
        job.progress(done, len(items), "finding faces in reference photos")
        if job.cancelled:
            break
        photos.append(_ensure_photo(vault, item, face_models()))
    job.progress(len(photos), len(items), "finding faces in reference photos")
    return photos


def _gallery_item(s: Session, item_ref: str) -> EvidenceItem:
    item = find_item(s, item_ref)
    if item.role not in GALLERY_ROLES:
        raise InvalidSetting(
            f"Item {item.id[:12]} is a {item.role.value} item; faces can be picked only in "
            "reference or original photos.",
            "List the case's reference faces with "
            f"{cmdline.command('faces', 'list', item.case.label)}.",
        )
    return item


@uses_vault_embedder
def pick_reference_face(
    vault: CaseStore, item_ref: str, face_index: int, operator: str | None = None
) -> FaceReferenceView:
    """Put face ``face_index`` (1-based, as listed) of a reference photo in the gallery."""
    with vault.session() as s:
        item = _gallery_item(s, item_ref)
        case_label = item.case.label
        access.require(vault, item.case_id, access.Action.ITEM_EDIT)
    models = face_models()
    photo = _ensure_photo(vault, item, models)
    if photo.status != "faces":
        raise InvalidSetting(
            f"Item {item.id[:12]} has no faces to pick: {photo.message}",
            "Add a clearer photo of the victim's face as a reference.",
        )
    candidate = next((f for f in photo.faces if f.index == face_index), None)
    if candidate is None:
        raise InvalidSetting(
            f"This photo has no face number {face_index}; it has {len(photo.faces)} "
            f"(numbered 1 to {len(photo.faces)}, largest first).",
            f"See the faces and their boxes with {cmdline.command('faces', 'list', case_label)}.",
        )
    with vault.transaction() as s:
        fresh = s.get(EvidenceItem, item.id)
        assert fresh is not None
        existing = s.scalars(
            select(FaceReference).where(
                FaceReference.item_id == item.id,
                FaceReference.face_index == face_index,
                FaceReference.model_sha256 == models.embedder_sha256,  # picks are per model
            )
        ).first()
        if existing is not None:
            raise InvalidSetting(
                f"Face {face_index} of item {item.id[:12]} is already picked.", "Nothing to do."
            )
        analysis = _stored_faces(s, item.id, models.embedder_sha256)
        assert analysis is not None
        face = next(f for f in analysis.result["faces"] if int(f["index"]) == face_index)
        ref = _new_reference(fresh, face, models.embedder_sha256, operator or vault.actor)
        s.add(ref)
        s.flush()
        _audit_pick(vault, s, ref)
        return FaceReferenceView.of(ref)


def unpick_reference_face(
    vault: CaseStore, item_ref: str, face_index: int | None = None
) -> list[FaceReferenceView]:
    """Take a photo's picked face (or, with no index, all its picks) out of the gallery.

    Removing an automatic pick is remembered, so the photo is not picked automatically again.
    """
    with vault.transaction() as s:
        item = _gallery_item(s, item_ref)
        access.require(vault, item.case_id, access.Action.ITEM_EDIT)
        query = select(FaceReference).where(FaceReference.item_id == item.id)
        if face_index is not None:
            query = query.where(FaceReference.face_index == face_index)
        rows = list(s.scalars(query))
        if not rows:
            which = f"face {face_index} of " if face_index is not None else "face of "
            raise NotFound(
                f"No {which}item {item.id[:12]} is picked.",
                f"See what is picked with {cmdline.command('faces', 'list', item.case.label)}.",
            )
        views = [FaceReferenceView.of(r) for r in rows]
        if any(r.chosen_by == AUTO for r in rows):
            details = dict(item.details or {})
            details[_DETAILS_KEY] = {"auto_pick_declined": True}
            item.details = details
        for row in rows:
            s.delete(row)
            vault.audit(
                s,
                "face.unpicked",
                row.id,
                {"item": row.item_id, "face_index": row.face_index, "chosen_by": row.chosen_by},
            )
        return views


@uses_vault_embedder
def picked_faces(vault: CaseStore, case_id: str) -> dict[str, list[int]]:
    """Which faces are picked in each photo of a case (item id -> face numbers, 1-based as
    listed, largest face first), for screens that list the photos. Only picks made with the
    face comparison model in use count: picks are kept per model. Reads the model's sha256
    from the manifest, so no model is loaded for it."""
    from ncii_desk.vision import faces as F
    from ncii_desk.vision.runtime import shared_runtime

    sha = shared_runtime().registry.spec(F.embedder_name()).sha256
    with vault.session() as s:
        rows = s.execute(
            select(FaceReference.item_id, FaceReference.face_index)
            .where(FaceReference.case_id == case_id, FaceReference.model_sha256 == sha)
            .order_by(FaceReference.face_index)
        ).all()
    out: dict[str, list[int]] = {}
    for item_id, index in rows:
        out.setdefault(item_id, []).append(int(index))
    return out


@uses_vault_embedder
def load_gallery(vault: CaseStore, case_id: str) -> Gallery:
    """The case's picked faces made with the current embedding model, as one matrix."""
    sha = face_models().embedder_sha256
    with vault.session() as s:
        rows = list(
            s.scalars(
                select(FaceReference)
                .where(FaceReference.case_id == case_id)
                .order_by(FaceReference.created_at, FaceReference.id)
            )
        )
    current = [r for r in rows if r.model_sha256 == sha]
    vectors = (
        np.asarray([r.embedding for r in current], dtype=np.float32)
        if current
        else np.zeros((0, 128), np.float32)
    )
    return Gallery(
        references=tuple(FaceReferenceView.of(r) for r in current),
        embeddings=vectors,
        other_model=len(rows) - len(current),
    )


# --- comparing files without a vault ---------------------------------------------------------


def _file_error(path: Path, exc: NciiDeskError) -> dict[str, Any]:
    return {
        "path": str(path),
        "error": type(exc).__name__,
        "message": exc.message,
        "hint": exc.hint,
    }


def _face_choice(faces: Sequence[int], n: int, count: int) -> int | None:
    """The face number chosen for reference photo ``n`` of ``count`` (``--face``: one number
    for every photo, or one per photo in order); None when none was given."""
    if not faces:
        return None
    if len(faces) == 1:
        return int(faces[0])
    if len(faces) != count:
        raise InvalidSetting(
            f"{len(faces)} face numbers were given for {count} reference photos.",
            "Give --face once (used for every photo with several faces) or once per "
            "--reference photo, in the same order.",
        )
    return int(faces[n])


def compare_files(
    references: Sequence[Path],
    suspects: Sequence[Path],
    *,
    threshold: float | None = None,
    faces: Sequence[int] = (),
    embedder: str | None = None,
    job: Job | None = None,
) -> dict[str, Any]:
    """Compare the faces of suspect photos with reference photos; nothing is stored.

    ``embedder``: the face embedding model for this comparison (None: the default, or
    $NCII_DESK_FACE_EMBEDDER); the process's choice is restored afterwards. The rest as
    :func:`_compare_files`.
    """
    from ncii_desk.vision import faces as F

    before = F.chosen_embedder()
    if embedder is not None:
        try:
            F.use_embedder(embedder)
        except ValueError as exc:
            raise InvalidSetting(
                str(exc), "Choose one of the face embedders the model manifest lists."
            ) from None
    try:
        return _compare_files(
            references, suspects, threshold=threshold, face_numbers=faces, job=job
        )
    finally:
        F.use_embedder(before)


def _compare_files(
    references: Sequence[Path],
    suspects: Sequence[Path],
    *,
    threshold: float | None,
    face_numbers: Sequence[int],
    job: Job | None,
) -> dict[str, Any]:
    """Compare the faces of suspect photos with reference photos; nothing is stored.

    A reference photo with one face uses it. A reference photo with several faces needs the
    person's face number (``faces``, numbered 1 = largest, as ``faces list`` does); without
    one this raises InvalidSetting listing the faces, rather than guessing (a second person
    beside the victim must not silently become the reference). Every face of every suspect
    photo gets its box, its best similarity, the reference it came from and match yes/no at
    the threshold (default: the embedder's threshold from the model manifest). A file that
    cannot be read is reported on its own; the others go on. InvalidSetting when no
    reference photo gives a face.
    """
    from ncii_desk.media.loader import load_image
    from ncii_desk.vision import faces as F
    from ncii_desk.vision.video import DETECTOR_SCORE, analyse_frame

    job = job or Job()
    limit = F.match_threshold() if threshold is None else float(threshold)
    models = face_models()
    total = len(references) + len(suspects)
    ref_rows: list[dict[str, Any]] = []
    ref_paths: list[str] = []
    vectors: list[npt.NDArray[np.float32]] = []
    for n, path in enumerate(references):
        job.progress(n, total, "reference photos")
        chosen = _face_choice(face_numbers, n, len(references))
        try:
            rgb = load_image(path).pixels
        except NciiDeskError as exc:
            ref_rows.append(_file_error(path, exc))
            continue
        found, embedded = F.detect_and_embed(rgb, score_threshold=DETECTOR_SCORE)
        order = sorted(range(len(found)), key=lambda i: -found[i].area)  # 1 = largest
        row: dict[str, Any] = {"path": str(path), "faces_found": len(found), "used_face": None}
        if found:
            if chosen is None and len(found) > 1:
                listing = "; ".join(
                    f"{k}: box x={found[i].box[0]:.0f} y={found[i].box[1]:.0f} "
                    f"{found[i].box[2]:.0f}x{found[i].box[3]:.0f}"
                    for k, i in enumerate(order, 1)
                )
                raise InvalidSetting(
                    f"The reference photo {path} shows {len(found)} faces ({listing}); NCII "
                    "Desk does not guess which one is the person.",
                    "Say which face to use with --face N (1 = the largest), or crop the photo "
                    "to the person's face.",
                )
            number = chosen if chosen is not None else 1
            if not 1 <= number <= len(found):
                raise InvalidSetting(
                    f"The reference photo {path} has no face number {number}; it shows "
                    f"{len(found)} (numbered 1 to {len(found)}, largest first).",
                    "Give a face number that exists with --face N.",
                )
            use = order[number - 1]
            row["used_face"] = {
                "face": number,
                "box": [round(float(v), 1) for v in found[use].box],
                "detection_score": round(found[use].score, 4),
                "rotation": found[use].rotation,
            }
            vectors.append(embedded[use])
            ref_paths.append(str(path))
        ref_rows.append(row)
    if not vectors:
        raise InvalidSetting(
            "None of the reference photos shows a face that could be used.",
            "Give at least one clear, front-facing photo of the person with --reference.",
        )
    gallery = np.stack(vectors)
    suspect_rows: list[dict[str, Any]] = []
    for n, path in enumerate(suspects, len(references)):
        job.progress(n, total, "suspect photos")
        if job.cancelled:
            break
        try:
            rgb = load_image(path).pixels
        except NciiDeskError as exc:
            suspect_rows.append(_file_error(path, exc))
            continue
        frame = analyse_frame(rgb, None, gallery=gallery, threshold=limit)
        faces = [
            {
                "face": f.index,
                "box": [round(v, 1) for v in f.box],
                "detection_score": round(f.detection_score, 4),
                "similarity": None if f.similarity is None else round(f.similarity, 4),
                "reference": ref_paths[f.reference] if f.reference is not None else None,
                "match": f.match,
                "threshold": limit,
                "rotation": f.rotation,
            }
            for f in frame.faces
        ]
        suspect_rows.append(
            {"path": str(path), "faces": faces, "match": any(f["match"] for f in faces)}
        )
    job.progress(len(ref_rows) + len(suspect_rows), total, "done")
    return {
        "threshold": limit,
        "embedder": models.embedder,
        "metric": F.embedder_spec(models.embedder).metric,
        "provider": models.provider,
        "models": models.as_dict(),
        "references": ref_rows,
        "suspects": suspect_rows,
        "cancelled": job.cancelled,
    }


@contextlib.contextmanager
def embedder_chosen(name: str | None) -> Iterator[None]:
    """Compute face embeddings with the embedder ``name`` inside the block (``analyze
    --embedder``: it wins over the environment and the vault's setting), then go back to the
    one chosen before, also when the block fails. ``None`` keeps the current choice."""
    from ncii_desk.vision.embedders import chosen_embedder, use_embedder

    before = chosen_embedder()
    if name is not None:
        use_embedder(name)
    try:
        yield
    finally:
        use_embedder(before)
