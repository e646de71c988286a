"""Case analysis with the real models: gallery, face match, classifiers, video, resume, cancel.

Photos: ../shared/testdata/faces (chirac1-4 are one person, codait_luciano another; chirac3
shows five people) plus generated images and scikit-image's coffee picture. Models come from
../shared/models; the module skips when either folder is absent.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import skimage.data
from modelkit import FACES_DIR, require_models
from PIL import Image
from sqlalchemy import func, select

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.errors import InvalidSetting, NotFound
from ncii_desk.services import cases, intake
from ncii_desk.services.analysis import (
    DEEPFAKE_PRODUCER,
    FACE_MATCH_KIND,
    AnalysisReport,
    analyze_case,
)
from ncii_desk.services.faces_gallery import (
    AUTO,
    face_models,
    list_reference_faces,
    load_gallery,
    pick_reference_face,
    unpick_reference_face,
)
from ncii_desk.services.jobs import Job
from ncii_desk.services.matching import list_matches
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Analysis, AuditEvent, Blob, FaceReference, Match, Role
from ncii_desk.vault.store import CaseStore
from ncii_desk.vision import faces as F
from ncii_desk.vision.registry import MODELS_ENV, ModelRegistry
from ncii_desk.vision.runtime import shared_runtime

require_models("face_api_dlib_resnet/" + F.DLIB_FILE, "mesonet")

ort = pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")

#: The default embedder's (dlib) match line on the reported scale: 1 - distance 0.6.
THRESHOLD = F.match_threshold()


def _png(rgb: np.ndarray, path: Path, **text: str) -> Path:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    for key, value in text.items():
        info.add_text(key, value)
    Image.fromarray(rgb).save(path, "PNG", pnginfo=info)
    return path


def _no_face(path: Path, shift: int = 0) -> Path:
    """A generated colour pattern without any face (``shift`` makes a different file)."""
    yy, xx = np.mgrid[0:240, 0:320]
    rgb = np.stack([xx % 256, yy % 256, (xx + yy + shift) % 256], axis=-1).astype(np.uint8)
    return _png(rgb, path)


def _edited_coffee(path: Path) -> Path:
    """scikit-image's coffee photo with a region painted over, saved as JPEG (quality 85)."""
    rgb = skimage.data.coffee().copy()
    rgb[100:220, 250:400] = (200, 60, 160)
    Image.fromarray(rgb).save(path, "JPEG", quality=85)
    return path


def _rows(vault: Vault, item_id: str) -> list[Analysis]:
    with vault.session() as s:
        return list(s.scalars(select(Analysis).where(Analysis.item_id == item_id)))


def _count(vault: Vault, model: Any) -> int:
    with vault.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _audit_actions(vault: Vault) -> list[tuple[str, str | None]]:
    with vault.session() as s:
        return [(e.action, e.object_id) for e in s.scalars(select(AuditEvent))]


def _add(vault: Vault, case_id: str, role: Role, *paths: Path, minor: bool = False) -> list[str]:
    result = intake.add_items(vault, case_id, role, list(paths), suspected_minor=minor)
    assert not result.errors, result.errors
    return [i.id for i in result.added]


# --- the reference gallery ----------------------------------------------------------------


def test_gallery_picks_one_face_automatically_and_lets_the_advocate_choose_in_a_crowd(
    store: CaseStore,
) -> None:
    case = cases.new_case(store, "Gallery case")
    (single,) = _add(store, case.id, Role.REFERENCE, FACES_DIR / "chirac1.jpg")
    (crowd,) = _add(store, case.id, Role.REFERENCE, FACES_DIR / "chirac3.jpg")
    blobs_before = _count(store, Blob)

    photos = {p.item_id: p for p in list_reference_faces(store, case.id)}
    one, five = photos[single], photos[crowd]
    assert one.status == "faces" and len(one.faces) == 1
    assert one.faces[0].picked and one.faces[0].chosen_by == AUTO
    assert five.status == "faces" and [f.index for f in five.faces] == [1, 2, 3, 4, 5]
    assert not any(f.picked for f in five.faces)  # several faces: nobody is picked for her
    areas = [f.box[2] * f.box[3] for f in five.faces]
    assert areas == sorted(areas, reverse=True)
    x, y, w, h = five.faces[0].box  # face 1 (the largest) is Chirac's, centre-left
    assert 190 <= x + w / 2 <= 270 and 130 <= y + h / 2 <= 210

    view = pick_reference_face(store, crowd, 1)
    assert view.chosen_by == "test-advocate" and view.face_index == 1
    assert view.model_sha256 == face_models().embedder_sha256
    with pytest.raises(InvalidSetting, match="already picked"):
        pick_reference_face(store, crowd, 1)
    with pytest.raises(InvalidSetting, match="no face number 6"):
        pick_reference_face(store, crowd, 6)

    gallery = load_gallery(store, case.id)
    assert len(gallery) == 2 and gallery.embeddings.shape == (2, 128)
    # the two picks are the same person; Chirac's neighbour (face 2) is not
    pair = F.similarity_matrix(gallery.embeddings[:1], gallery.embeddings[1:])
    assert float(pair[0, 0]) >= THRESHOLD
    with store.session() as s:
        stored = s.scalars(select(Analysis).where(Analysis.item_id == crowd)).one()
        neighbour = np.asarray(stored.result["faces"][1]["embedding"], np.float32)
        picked_rows = list(s.scalars(select(FaceReference)))
    assert float(F.similarity_matrix(gallery.embeddings[:1], neighbour[None])[0, 0]) < THRESHOLD
    assert {len(r.embedding) for r in picked_rows} == {128}
    assert _count(store, Blob) == blobs_before  # embeddings only, never a new image

    # Removing the automatic pick sticks: listing again does not pick it again.
    removed = unpick_reference_face(store, single)
    assert [r.chosen_by for r in removed] == [AUTO]
    again = {p.item_id: p for p in list_reference_faces(store, case.id)}
    assert not again[single].faces[0].picked
    assert [f.index for f in again[crowd].faces if f.picked] == [1]
    with pytest.raises(NotFound):
        unpick_reference_face(store, single)

    with store.session() as s:
        events = [
            (e.action, json.loads(e.details))
            for e in s.scalars(select(AuditEvent).where(AuditEvent.action.like("face.%")))
        ]
    assert [a for a, _ in events] == ["face.picked", "face.picked", "face.unpicked"]
    assert events[0][1]["chosen_by"] == AUTO and events[0][1]["item"] == single
    assert events[1][1]["chosen_by"] == "test-advocate" and events[1][1]["face_index"] == 1
    assert events[2][1] == {"item": single, "face_index": 1, "chosen_by": AUTO}


# --- a whole small case ---------------------------------------------------------------------


@dataclass
class Analysed:
    vault: Vault
    case_id: str
    ids: dict[str, str]
    report: AnalysisReport


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Analysed]:
    """References chirac1; an original (coffee); suspects chirac2, chirac4, luciano, a
    picture without faces, an edit of the original, a truncated JPEG and a hash-only item."""
    base = tmp_path_factory.mktemp("analysed")
    files = base / "files"
    files.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_DATA_HOME", str(base / "data"))  # model cache for this module
        vault, _ = Vault.create(base / "vault", PASSPHRASE, kdf=fast_kdf(), actor="advocate")
        case = cases.new_case(vault, "Small case")
        ids: dict[str, str] = {}
        (ids["chirac1"],) = _add(vault, case.id, Role.REFERENCE, FACES_DIR / "chirac1.jpg")
        coffee = _png(skimage.data.coffee(), files / "coffee.png")
        (ids["coffee"],) = _add(vault, case.id, Role.ORIGINAL, coffee)
        truncated = files / "truncated.jpg"
        truncated.write_bytes((FACES_DIR / "chirac4.jpg").read_bytes()[:3000])
        suspects = {
            "chirac2": FACES_DIR / "chirac2.jpg",
            "chirac4": FACES_DIR / "chirac4.jpg",
            "luciano": FACES_DIR / "codait_luciano.png",
            "noface": _no_face(files / "pattern.png"),
            "generated": _png(
                np.linspace(0, 255, 200 * 300 * 3).reshape(200, 300, 3).astype(np.uint8),
                files / "generated.png",
                parameters="a cup of coffee\nSteps: 20, Sampler: Euler a, CFG scale: 7, "
                "Seed: 42, Size: 300x200, Model: sd_xl_base_1.0",
            ),
            "edited": _edited_coffee(files / "edited.jpg"),
            "truncated": truncated,
        }
        for name, path in suspects.items():
            (ids[name],) = _add(vault, case.id, Role.SUSPECT, path)
        (ids["minor"],) = _add(
            # a different file: a hash-only copy of the same bytes would switch "noface" too
            vault,
            case.id,
            Role.SUSPECT,
            _no_face(files / "kept-as-hashes.png", shift=7),
            minor=True,
        )
        report = analyze_case(vault, case.id)
        try:
            yield Analysed(vault, case.id, ids, report)
        finally:
            vault.close()


def _item(a: Analysed, name: str) -> dict[str, Any]:
    return next(i.as_dict() for i in a.report.items if i.item_id == a.ids[name])


def _row(a: Analysed, name: str, kind: str, producer: str | None = None) -> Analysis:
    rows = [r for r in _rows(a.vault, a.ids[name]) if r.kind == kind]
    if producer is not None:
        rows = [r for r in rows if r.producer == producer]
    assert len(rows) == 1, (name, kind, [r.producer for r in rows])
    return rows[0]


def test_same_person_matches_and_a_different_person_does_not(analysed: Analysed) -> None:
    a = analysed
    assert a.report.gallery["faces"] == 1  # chirac1 picked automatically
    # dlib distances to chirac1: chirac2 0.386 (similarity 0.61, clear of the line by more
    # than CLEAR_MARGIN: "moderate"), chirac4 0.509 (similarity 0.49: a "weak" match).
    for name, strength in (("chirac2", "moderate"), ("chirac4", "weak")):
        agg = _row(a, name, "faces").result["aggregate"]
        assert agg["faces"] == 1 and agg["frames_matching"] == 1
        assert agg["best_similarity"] >= THRESHOLD
        signal = _row(a, name, "faces").result["signals"][0]
        assert signal["kind"] == "face_match" and signal["strength"] == strength
    luciano = _row(a, "luciano", "faces").result
    assert luciano["aggregate"]["faces"] == 1
    assert luciano["aggregate"]["best_similarity"] < THRESHOLD
    assert luciano["aggregate"]["frames_matching"] == 0
    assert luciano["signals"][0]["strength"] == "none"
    noface = _row(a, "noface", "faces").result
    assert noface["aggregate"]["faces"] == 0
    assert "No face was found" in noface["signals"][0]["finding"]

    matches = [m for m in list_matches(a.vault, a.case_id) if m.kind == FACE_MATCH_KIND]
    assert sorted(m.suspect_item_id for m in matches) == sorted(
        [a.ids["chirac2"], a.ids["chirac4"]]
    )
    for m in matches:
        assert m.target_item_id == a.ids["chirac1"]
        assert m.score is not None and m.score >= THRESHOLD and m.threshold == THRESHOLD
        assert len(m.details["box"]) == 4 and m.details["frame_ms"] is None
        assert m.review_state == "pending"


def test_every_row_records_what_produced_it(analysed: Analysed) -> None:
    a = analysed
    registry = shared_runtime().registry
    provider = face_models().provider
    assert provider and a.report.provider == provider
    faces = _row(a, "chirac2", "faces")
    assert faces.model_sha256 == registry.spec(F.DLIB_MODEL).sha256
    assert faces.provider == provider
    assert faces.thresholds == {"face_match": THRESHOLD, "detector_score": 0.6}
    assert faces.duration_ms is not None and faces.duration_ms > 0
    assert faces.result["models"]["detector_sha256"] == registry.spec(F.YUNET_MODEL).sha256
    for name in ("meso4-df", "mesoinception-df"):
        # a still photo is outside MesoNet's domain (video frames): recorded, not run
        row = _row(a, "chirac2", "deepfake", DEEPFAKE_PRODUCER + name)
        assert row.model_sha256 == registry.spec(name).sha256
        assert row.provider is None and row.result["applicable"] is False
        assert row.thresholds["fake"] == 0.5
        clf = row.result["classifier"]
        assert "2018" in clf["training_domain"] and "GAN or diffusion" in clf["blind_spots"]
        assert clf["domain"]["media"] == ["video"] and clf["published"]
        assert clf["validation"]["meets_minimum"] is False
        assert row.result["faces"] == []
        assert "Not applicable" in row.result["signals"][0]["finding"]
    for row in _rows(a.vault, a.ids["chirac2"]):
        assert row.producer and row.producer_version
        assert isinstance(row.result["signals"], list)
    kinds = sorted(r.kind for r in _rows(a.vault, a.ids["chirac2"]))
    assert kinds == ["deepfake", "deepfake", "derivation", "faces", "metadata", "summary"]


def test_classifiers_score_faces_only(analysed: Analysed) -> None:
    a = analysed
    for producer in (DEEPFAKE_PRODUCER + "meso4-df", DEEPFAKE_PRODUCER + "mesoinception-df"):
        row = _row(a, "noface", "deepfake", producer)
        assert row.result["faces"] == []  # a still image: outside the domain, nothing scored
        assert row.result["signals"][0]["strength"] == "none"
        assert "Not applicable" in row.result["signals"][0]["finding"]


def test_derivation_finds_the_original_an_edit_was_made_from(analysed: Analysed) -> None:
    a = analysed
    row = _row(a, "edited", "derivation")
    assert row.result["found"] is True
    assert row.result["original_id"] == a.ids["coffee"]
    assert row.result["originals_compared"] == [a.ids["coffee"]]
    assert row.result["signals"][0]["kind"] == "derivation"
    assert row.result["signals"][0]["strength"] in ("strong", "moderate")
    # The finding names the original by its file name and the start of its id, not a bare id.
    finding = row.result["signals"][0]["finding"]
    assert finding.startswith(f"Made from original 'coffee.png' (item {a.ids['coffee'][:12]}): ")
    (match,) = [m for m in list_matches(a.vault, a.case_id) if m.kind == "derivation"]
    assert match.suspect_item_id == a.ids["edited"] and match.target_item_id == a.ids["coffee"]
    assert match.threshold is not None and match.score is not None
    assert match.score >= match.threshold
    assert 0.0 < match.details["altered_share"] < 0.3
    # a photo that is not made from the original: looked, found nothing
    other = _row(a, "chirac2", "derivation").result
    assert other["found"] is False and other["signals"][0]["strength"] == "none"
    summary = _item(a, "edited")["summary"]
    assert summary["findings"][0]["kind"] == "derivation"
    assert "comparison with the victim's original photos" in summary["overview"]


def test_generator_metadata_is_read_from_the_stored_file(analysed: Analysed) -> None:
    a = analysed
    row = _row(a, "generated", "metadata")
    assert row.producer == "ncii_desk.vision.metadata" and row.model_sha256 is None
    (signal,) = [s for s in row.result["signals"] if s["kind"] == "generator_metadata"]
    assert signal["strength"] != "none" and "Stable Diffusion" in signal["finding"]
    summary = _item(a, "generated")["summary"]
    assert summary["findings"][0]["kind"] == "generator_metadata"
    assert "generator information in the file" in summary["overview"]
    plain = _row(a, "chirac2", "metadata").result["signals"]
    assert [s["strength"] for s in plain if s["kind"] == "generator_metadata"] == ["none"]


def test_summary_rows_list_findings_side_by_side(analysed: Analysed) -> None:
    a = analysed
    summary = _row(a, "chirac2", "summary").result["summary"]
    assert summary["findings"][0]["kind"] == "face_match"
    kinds = {f["kind"] for f in summary["findings"]}
    assert {"face_match", "deepfake_score", "derivation", "generator_metadata"} <= kinds
    order = {"strong": 0, "moderate": 1, "weak": 2, "none": 3}
    ranks = [order[f["strength"]] for f in summary["findings"]]
    assert ranks == sorted(ranks)
    assert "not combined into one score" in summary["overview"]
    assert _item(a, "chirac2")["summary"] == summary


def test_bad_and_hash_only_items_are_reported_and_the_batch_goes_on(analysed: Analysed) -> None:
    a = analysed
    counts = a.report.counts()
    assert counts["analysed"] == 7 and counts["skipped"] == 1 and not a.report.cancelled
    minor = _item(a, "minor")
    assert minor["status"] == "skipped" and "under 18" in minor["reason"]
    skip_row = _row(a, "minor", "summary")
    assert skip_row.result["skipped"] is True and "under 18" in skip_row.result["reason"]
    broken = _item(a, "truncated")
    assert [e["step"] for e in broken["errors"]] == ["decode"]
    assert broken["errors"][0]["error"] == "DecodeError"
    assert {r.kind for r in _rows(a.vault, a.ids["truncated"])} <= {"metadata", "summary"}
    assert ("item.analysis_skipped", a.ids["minor"]) in _audit_actions(a.vault)
    analyzed = [o for act, o in _audit_actions(a.vault) if act == "item.analyzed"]
    assert a.ids["chirac2"] in analyzed and a.ids["edited"] in analyzed


def test_second_run_skips_finished_work_and_again_redoes_it(analysed: Analysed) -> None:
    a = analysed
    rows_before = _count(a.vault, Analysis)
    matches_before = _count(a.vault, Match)
    second = analyze_case(a.vault, a.case_id)
    statuses = {i.item_id: i.status for i in second.items}
    assert statuses[a.ids["chirac2"]] == "up-to-date"
    assert statuses[a.ids["edited"]] == "up-to-date"
    assert statuses[a.ids["minor"]] == "skipped"
    # only the item that could not be decoded is tried again (its face steps are missing)
    assert statuses[a.ids["truncated"]] == "failed"
    assert _count(a.vault, Analysis) == rows_before
    assert second.items[0].summary is not None

    third = analyze_case(a.vault, a.case_id, again=True)
    assert third.counts()["analysed"] == 7
    assert _count(a.vault, Analysis) > rows_before
    assert _count(a.vault, Match) == matches_before  # known pairs are not reported twice


# --- resuming, cancelling, the gallery changing ---------------------------------------------


def test_cancel_keeps_finished_items_and_the_next_run_resumes(store: CaseStore) -> None:
    case = cases.new_case(store, "Cancel case")
    _add(store, case.id, Role.REFERENCE, FACES_DIR / "chirac1.jpg")
    first, second, third = (
        _add(store, case.id, Role.SUSPECT, FACES_DIR / n)[0]
        for n in ("chirac2.jpg", "chirac4.jpg", "codait_luciano.png")
    )
    job = Job()

    def stop_after_first(done: int, total: int, message: str) -> None:
        if done == 1:
            job.token.cancel()

    job.on_progress = stop_after_first
    report = analyze_case(store, case.id, job)
    assert report.cancelled and [i.item_id for i in report.items] == [first]
    assert report.items[0].status == "analysed"
    assert {r.kind for r in _rows(store, first)} >= {"faces", "deepfake", "summary"}
    assert _rows(store, second) == [] and _rows(store, third) == []

    resumed = analyze_case(store, case.id)
    assert [(i.item_id, i.status) for i in resumed.items] == [
        (first, "up-to-date"),
        (second, "analysed"),
        (third, "analysed"),
    ]


def test_a_new_reference_face_reruns_only_the_face_step(store: CaseStore) -> None:
    case = cases.new_case(store, "Gallery change")
    (crowd,) = _add(store, case.id, Role.REFERENCE, FACES_DIR / "chirac3.jpg")
    (suspect,) = _add(store, case.id, Role.SUSPECT, FACES_DIR / "chirac4.jpg")
    first = analyze_case(store, case.id)
    faces = [r for r in _rows(store, suspect) if r.kind == "faces"]
    assert first.gallery["faces"] == 0  # five faces: nothing picked automatically
    assert "no reference face" in faces[0].result["signals"][0]["finding"]
    assert not [m for m in list_matches(store, case.id) if m.kind == FACE_MATCH_KIND]

    pick_reference_face(store, crowd, 1)
    second = analyze_case(store, case.id)
    assert second.items[0].steps_run == ["faces"]
    newest = max(
        (r for r in _rows(store, suspect) if r.kind == "faces"), key=lambda r: r.created_at
    )
    assert newest.result["aggregate"]["best_similarity"] >= THRESHOLD
    (match,) = [m for m in list_matches(store, case.id) if m.kind == FACE_MATCH_KIND]
    assert match.target_item_id == crowd and match.details["face_reference_id"]


# --- video ------------------------------------------------------------------------------------


def _video(path: Path) -> Path:
    """6 s at 5 fps, 480x360: 2 s of a plain picture, 2 s of chirac2, 2 s of luciano."""
    import av

    def fit(name: str) -> np.ndarray:
        im = Image.open(FACES_DIR / name).convert("RGB")
        im.thumbnail((480, 360))
        canvas = Image.new("RGB", (480, 360), (90, 90, 90))
        canvas.paste(im, ((480 - im.width) // 2, (360 - im.height) // 2))
        return np.asarray(canvas)

    scenes = [np.full((360, 480, 3), 120, np.uint8), fit("chirac2.jpg"), fit("codait_luciano.png")]
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=5)
        stream.width, stream.height, stream.pix_fmt = 480, 360, "yuv420p"
        for picture in scenes:
            for _ in range(10):
                for packet in stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
                    out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def test_video_is_sampled_per_second_and_summed_up_with_its_frames(
    store: CaseStore, tmp_path: Path
) -> None:
    case = cases.new_case(store, "Video case")
    (ref,) = _add(store, case.id, Role.REFERENCE, FACES_DIR / "chirac1.jpg")
    (clip,) = _add(store, case.id, Role.SUSPECT, _video(tmp_path / "clip.mp4"))
    report = analyze_case(store, case.id)
    (item,) = report.items
    assert item.media == "video" and item.status == "analysed"
    faces = next(r for r in _rows(store, clip) if r.kind == "faces")
    frames = faces.result["frames"]
    assert [f["t_ms"] for f in frames] == [0, 1000, 2000, 3000, 4000, 5000]
    assert [len(f["faces"]) for f in frames] == [0, 0, 1, 1, 1, 1]
    agg = faces.result["aggregate"]
    assert agg["frames"] == 6 and agg["frames_matching"] == 2
    assert agg["share_matching"] == pytest.approx(2 / 6, abs=1e-3)
    assert agg["best_similarity"] >= THRESHOLD and agg["best_t_ms"] in (2000, 3000)
    matching = [d["t_ms"] for d in agg["driving_frames"] if d["why"].startswith("face match")]
    assert sorted(matching) == [2000, 3000]
    assert faces.thresholds["every_s"] == 1.0
    assert "2 of 6 sampled frames" in faces.result["signals"][0]["finding"]
    meso = next(r for r in _rows(store, clip) if r.producer.endswith("mesoinception-df"))
    summary = meso.result["aggregate"]
    assert summary["faces_scored"] == 4 and summary["max_t_ms"] in (2000, 3000, 4000, 5000)
    assert summary["median"] <= summary["max"]
    assert meso.result["applicable"] is True  # video frames are inside MesoNet's domain
    assert meso.result["signals"][0]["value"]["validated"] is False
    overview = next(r for r in _rows(store, clip) if r.kind == "summary").result["summary"]
    assert "looking manipulated" not in overview["overview"]
    (match,) = [m for m in list_matches(store, case.id) if m.kind == FACE_MATCH_KIND]
    assert match.target_item_id == ref and match.details["frame_ms"] in (2000, 3000)
    assert match.details["frames_matching"] == 2 and match.details["frames_sampled"] == 6

    # another frame rate is another input: the face steps run again at 2 frames per second
    again = analyze_case(store, case.id, every_s=0.5)
    assert set(again.items[0].steps_run) >= {"faces", "deepfake"}
    newest = max((r for r in _rows(store, clip) if r.kind == "faces"), key=lambda r: r.created_at)
    assert len(newest.result["frames"]) == 12


# --- a clinic's own classifier --------------------------------------------------------------


def _tiny_classifier() -> bytes:
    """Input [N, 3, 16, 16]; output softmax over [real, fake] of (0, 8 * (mean R - mean B))."""
    from onnx import TensorProto, helper, numpy_helper

    weights = np.zeros((3, 2), np.float32)
    weights[0, 1], weights[2, 1] = 8.0, -8.0
    graph = helper.make_graph(
        [
            helper.make_node("GlobalAveragePool", ["input"], ["pooled"]),
            helper.make_node("Flatten", ["pooled"], ["flat"], axis=1),
            helper.make_node("MatMul", ["flat", "w"], ["logits"]),
            helper.make_node("Softmax", ["logits"], ["probs"], axis=1),
            helper.make_node("Identity", ["logits"], ["raw"]),
        ],
        "tiny",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 16, 16])],
        [
            helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["N", 2]),
            helper.make_tensor_value_info("raw", TensorProto.FLOAT, ["N", 2]),
        ],
        initializer=[numpy_helper.from_array(weights, "w")],
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8, producer_name="test"
    )
    onnx.checker.check_model(model)
    data: bytes = model.SerializeToString()
    return data


def _manifest(folder: Path, model: bytes, channels: str, output: str) -> Path:
    (folder / "tiny.onnx").write_bytes(model)
    text = f"""
[models.tiny-clf]
task = "deepfake-classifier"
training_domain = "Red and blue squares, for a test."
blind_spots = "Everything that is not a red or blue square."
version = "1"
file = "tiny.onnx"
sha256 = "{hashlib.sha256(model).hexdigest()}"
size = {len(model)}
format = "onnx"
source = "built in the test"
licence = "none"

[models.tiny-clf.input]
tensor = "input"
layout = "NCHW"
channels = "{channels}"
size = [16, 16]
resize = "stretch"
scale = 0.00392156862745098
mean = [0.5, 0.5, 0.5]
std = [0.5, 0.5, 0.5]

[models.tiny-clf.output]
names = ["{output}"]
score = "p-fake"
score_index = 1
"""
    path = folder / "manifest.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_manifest_onnx_classifier_plugs_in(
    store: CaseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ncii_desk.vision.classifier import ClassifierError, OnnxFaceClassifier, load_classifier
    from ncii_desk.vision.runtime import Runtime

    model = _tiny_classifier()
    folder = tmp_path / "clinic-models"
    folder.mkdir()
    monkeypatch.setenv(MODELS_ENV, str(folder))
    registry = ModelRegistry(_manifest(folder, model, "RGB", "probs"))
    clf = load_classifier("tiny-clf", Runtime(registry))
    assert isinstance(clf, OnnxFaceClassifier)
    assert clf.model_sha256 == hashlib.sha256(model).hexdigest()
    assert clf.training_domain == "Red and blue squares, for a test."
    assert clf.provider in ort.get_available_providers()

    red = np.zeros((40, 40, 3), np.uint8)
    red[..., 0] = 255
    blue = red[..., ::-1].copy()
    grey = np.full((40, 40, 3), 128, np.uint8)
    scores = clf.score([red, blue, grey])
    # preprocessing: (x/255 - 0.5) / 0.5 makes red (1, -1, -1); logit 8 * (1 - -1) = 16
    expected = 1 / (1 + np.exp(-np.array([16.0, -16.0, 0.0])))
    np.testing.assert_allclose(scores, expected, atol=1e-5)

    # channel order comes from the manifest: BGR swaps what the model sees
    bgr = load_classifier(
        "tiny-clf", Runtime(ModelRegistry(_manifest(folder, model, "BGR", "probs")))
    )
    np.testing.assert_allclose(bgr.score([red, blue]), expected[[1, 0]], atol=1e-5)
    # an output that is not a probability is refused, not silently used
    raw = load_classifier(
        "tiny-clf", Runtime(ModelRegistry(_manifest(folder, model, "RGB", "raw")))
    )
    with pytest.raises(ClassifierError, match=r"outside 0\.\.1"):
        raw.score([red])

    # and it runs in a case analysis like MesoNet, recorded under its own name and sha256
    case = cases.new_case(store, "Clinic model")
    (suspect,) = _add(store, case.id, Role.SUSPECT, FACES_DIR / "chirac2.jpg")
    analyze_case(store, case.id, classifiers=[clf])
    (row,) = [r for r in _rows(store, suspect) if r.kind == "deepfake"]
    assert row.producer == DEEPFAKE_PRODUCER + "tiny-clf"
    assert row.model_sha256 == clf.model_sha256
    (face,) = row.result["faces"]
    assert 0.0 <= face["score"] <= 1.0
    assert "Red and blue squares" in row.result["signals"][0]["caveat"]
