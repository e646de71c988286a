"""A clinic validates a classifier on its own labelled pictures (issue 14, section 2).

* ``evaluate`` scores every picture and gives exactly the AUC that the definition (a pair
  count written here) gives on the same scores, an interval that holds it, FP/FN rates,
  quantiles, owner-only roc.png / histogram.png / report.json; bad files and pictures
  without a face are rows, not stops;
* ``save_record`` stores a record and an audit event carrying its SHA-256; the audit chain
  still verifies; an altered record is not used;
* a saved record meeting the minimum changes the summary and the packet (a finding, citing
  "validated by the clinic on N ... AUC x [lo-hi]"); one below it does not; a record for
  other weights does not apply;
* the CLI's exit codes.

Real face detector from ../shared/models, MesoNet for the CLI, a small ONNX classifier built
in test_honest_signals with onnx.helper (red minus blue: its score is known from the picture's
colour), pictures made here from ../shared/testdata/faces and scikit-image.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import stat
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import skimage.data
from modelkit import FACES_DIR, require_models
from PIL import Image
from sqlalchemy import select
from test_honest_signals import _case, _exhibit, _load_rmb, _newest
from test_packet import flat, pdf_text

from ncii_desk.documents import packet as pk
from ncii_desk.errors import InvalidSetting
from ncii_desk.services import packets
from ncii_desk.services import validation as V
from ncii_desk.services.analysis import analyze_case
from ncii_desk.vault.models import AuditEvent, ModelValidation
from ncii_desk.vault.store import CaseStore
from ncii_desk.vision import faces as F

require_models(F.MOBILEFACENET_FILE, "mesonet")

PHOTOS = ("chirac1.jpg", "chirac2.jpg", "chirac3.jpg", "chirac4.jpg", "codait_luciano.png")


def _faces() -> list[Image.Image]:
    out = [Image.open(FACES_DIR / n).convert("RGB") for n in PHOTOS]
    out.append(Image.fromarray(skimage.data.astronaut()))
    return [im.resize((360, round(360 * im.height / im.width))) for im in out]


def _tint(img: Image.Image, red: float) -> Image.Image:
    """``red`` > 1 makes the picture redder and less blue, < 1 bluer (the test model's
    score follows mean red minus mean blue)."""
    a = np.asarray(img, dtype=np.float32)
    a[..., 0] *= red
    a[..., 2] *= 2.0 - red
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def _labelled(
    root: Path, per_class: int, real_red: tuple[float, float], fake_red: tuple[float, float]
) -> tuple[Path, Path]:
    """``per_class`` pictures per folder: the six faces in turn, tinted evenly across each
    class's range of ``red``."""
    faces = _faces()
    real, fake = root / "real", root / "fake"
    for folder, (lo, hi) in ((real, real_red), (fake, fake_red)):
        folder.mkdir(parents=True)
        for i, red in enumerate(np.linspace(lo, hi, per_class)):
            _tint(faces[i % len(faces)], float(red)).save(folder / f"{i:03d}.jpg", quality=92)
    return real, fake


def pair_count_auc(real: list[float], fake: list[float]) -> float:
    total = 0.0
    for f, r in itertools.product(fake, real):
        total += 1.0 if f > r else 0.5 if f == r else 0.0
    return total / (len(real) * len(fake))


def _direct_score(clf: Any, path: Path) -> tuple[float | None, int]:
    """The classifier applied by hand: every face found, crops, scores, the highest."""
    from ncii_desk.media.loader import load_image

    rgb = load_image(path).pixels
    crops = [clf.crop(rgb, face) for face in F.detect(rgb)]
    return (float(np.max(clf.score(crops))) if crops else None), len(crops)


@pytest.fixture
def rmb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    return _load_rmb(tmp_path, monkeypatch, 'status = "unvalidated"')


# --- evaluate ---------------------------------------------------------------------------------


def test_evaluate_gives_the_auc_a_direct_computation_gives(rmb: Any, tmp_path: Path) -> None:
    real, fake = _labelled(tmp_path / "set", 12, (0.7, 1.25), (0.9, 1.35))  # overlapping
    (real / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG")
    Image.fromarray(skimage.data.coffee()).save(fake / "no-face.png")  # a cup, no face
    out = tmp_path / "report"
    report = V.evaluate("rmb", real, fake, classifier=rmb, out=out, resamples=500, seed=3)

    rows = {Path(r.path).name + r.label: r for r in report.rows}
    assert rows["broken.jpgreal"].status == "error" and rows["broken.jpgreal"].message
    assert rows["no-face.pngfake"].status == "no-face" and rows["no-face.pngfake"].score is None
    counts = report.counts()
    several = {k: c.pop("several_faces") for k, c in counts.items()}
    assert counts["real"] == {"files": 13, "scored": 12, "no_face": 0, "errors": 1}
    assert counts["fake"] == {"files": 13, "scored": 12, "no_face": 1, "errors": 0}

    direct: dict[str, list[float]] = {"real": [], "fake": []}
    for label, folder in (("real", real), ("fake", fake)):
        for path in sorted(folder.glob("0*.jpg")):
            score, faces = _direct_score(rmb, path)
            assert score is not None
            assert rows[path.name + label].score == pytest.approx(score, abs=1e-6)
            assert rows[path.name + label].faces == faces
            several[label] -= faces > 1
            direct[label].append(score)
    assert several == {"real": 0, "fake": 0}  # pictures with several faces, counted as such
    expected = pair_count_auc(direct["real"], direct["fake"])
    assert 0.6 < expected < 1.0  # the classes overlap: a figure worth checking
    assert report.auc == pytest.approx(expected, abs=1e-9)
    lo, hi = report.ci
    assert lo <= report.auc <= hi and lo < hi
    assert report.resamples == 500 and report.seed == 3
    assert report.threshold == 0.5
    assert report.fp_rate == pytest.approx(np.mean(np.asarray(direct["real"]) >= 0.5))
    assert report.fn_rate == pytest.approx(np.mean(np.asarray(direct["fake"]) < 0.5))
    assert report.quantiles["fake"]["q50"] == pytest.approx(
        float(np.median(direct["fake"])), abs=1e-6
    )
    assert not report.meets_minimum and "Below the minimum" in report.minimum_words()

    for name in ("roc.png", "histogram.png", "report.json"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    with Image.open(out / "roc.png") as im:
        assert im.format == "PNG" and im.size == (560, 560)
    with Image.open(out / "histogram.png") as im:
        assert im.format == "PNG"
    saved = json.loads((out / "report.json").read_text())
    assert saved["auc"] == report.auc and saved["auc_ci95"] == [lo, hi]
    assert saved["counts"]["fake"]["no_face"] == 1 and len(saved["rows"]) == 26

    # another threshold moves only the rates
    strict = V.evaluate("rmb", real, fake, classifier=rmb, threshold=0.9, resamples=500, seed=3)
    assert strict.auc == report.auc and strict.ci == report.ci
    assert strict.fp_rate == pytest.approx(np.mean(np.asarray(direct["real"]) >= 0.9))


def test_a_picture_with_several_faces_gets_its_highest_face_score(rmb: Any, tmp_path: Path) -> None:
    faces = _faces()
    real, fake = _labelled(tmp_path / "set", 10, (0.6, 0.8), (1.2, 1.4))
    blue, red = _tint(faces[0], 0.6), _tint(faces[4], 1.4)
    pair = Image.new("RGB", (blue.width + red.width, max(blue.height, red.height)))
    pair.paste(blue, (0, 0))
    pair.paste(red, (blue.width, 0))
    pair.save(fake / "two.jpg", quality=92)
    report = V.evaluate("rmb", real, fake, classifier=rmb, resamples=200)
    (row,) = [r for r in report.rows if Path(r.path).name == "two.jpg"]
    assert row.faces == 2 and row.score == max(row.face_scores)
    assert min(row.face_scores) < 0.5 <= row.score
    others = sum(r.faces > 1 for r in report.rows if r.label == "fake" and r is not row)
    assert report.counts()["fake"]["several_faces"] == others + 1


def test_too_few_pictures_are_refused(rmb: Any, tmp_path: Path) -> None:
    real, fake = _labelled(tmp_path / "set", 10, (0.7, 0.9), (1.1, 1.3))
    for p in list(fake.iterdir())[:2]:
        p.unlink()
    with pytest.raises(InvalidSetting) as info:
        V.evaluate("rmb", real, fake, classifier=rmb)
    assert "10 real, 8 fake" in info.value.message and "at least 10" in info.value.message
    # enough files, but too few with a face
    for i in range(2):
        Image.fromarray(skimage.data.coffee()).save(fake / f"cup{i}.png")
    with pytest.raises(InvalidSetting) as info:
        V.evaluate("rmb", real, fake, classifier=rmb)
    assert "could be scored" in info.value.message
    with pytest.raises(InvalidSetting):
        V.evaluate("rmb", tmp_path / "nowhere", fake, classifier=rmb)


# --- the record in the vault ------------------------------------------------------------------


def test_save_writes_a_record_and_an_audit_event_and_the_chain_verifies(
    store: CaseStore, rmb: Any, tmp_path: Path
) -> None:
    real, fake = _labelled(tmp_path / "set", 10, (0.6, 0.9), (1.1, 1.4))
    report = V.evaluate("rmb", real, fake, classifier=rmb, resamples=200)
    with pytest.raises(InvalidSetting):
        V.save_record(store, report, domain="  ")
    saved = V.save_record(store, report, domain="test faces, tinted")
    with store.session() as s:
        row = s.scalars(select(ModelValidation)).one()
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "model.validated")).one()
    assert row.model_sha256 == rmb.model_sha256 and row.record_sha256 == saved.record_sha256
    details = json.loads(event.details)
    assert event.object_id == row.id and details["record_sha256"] == saved.record_sha256
    assert row.record["n_real"] == 10 and row.record["operator"] == "test-advocate"
    assert row.record["domain"] == "test faces, tinted" and row.record["auc_ci95"] == list(
        report.ci
    )
    assert store.verify_audit().ok

    (listed,) = V.list_records(store)
    assert listed.intact and not listed.meets_minimum
    v = listed.validation()
    assert v.auc == report.auc and v.images == 20 and v.ci == report.ci
    assert V.validation_for(store, rmb.model_sha256) is not None

    # altered afterwards (outside the app): not used, and said so
    with store.transaction() as s:
        row = s.scalars(select(ModelValidation)).one()
        row.record = {**row.record, "auc": 0.99}
    (listed,) = V.list_records(store)
    assert not listed.intact and "no longer match" in listed.problem
    assert V.validation_for(store, rmb.model_sha256) is None


def test_a_saved_record_meeting_the_minimum_changes_the_summary_and_one_below_does_not(
    store: CaseStore, rmb: Any, tmp_path: Path
) -> None:
    case_id, suspect = _case(store, "Clinic validation")
    analyze_case(store, case_id, classifiers=[rmb])
    (sig,) = _newest(store, suspect, "deepfake").result["signals"]
    assert sig["value"]["validated"] is False and sig["value"]["max"] >= 0.5

    # below the minimum (20 pictures): saved, cited, but the score stays unvalidated
    real, fake = _labelled(tmp_path / "small", 10, (0.6, 0.9), (1.1, 1.4))
    small = V.evaluate("rmb", real, fake, classifier=rmb, resamples=200)
    assert small.auc == 1.0
    V.save_record(store, small, domain="tinted test faces")
    report = analyze_case(store, case_id, classifiers=[rmb])
    assert report.items[0].status == "analysed"  # the new record made the row stale
    (sig,) = _newest(store, suspect, "deepfake").result["signals"]
    assert sig["value"]["validated"] is False and sig["strength"] == "weak"
    assert (
        "measured at ROC AUC 1.00 [1.00\u20131.00] on 20 labelled images, below the minimum"
        in sig["caveat"]
    )
    overview = report.items[0].summary["overview"]  # type: ignore[index]
    assert "Weak or unvalidated signals" in overview and "looking manipulated" not in overview
    assert overview.startswith("1 check reported a finding")  # the face match only

    # meeting the minimum (100 + 100 pictures, AUC 1.0), but saved for other weights: no effect
    real, fake = _labelled(tmp_path / "big", 100, (0.6, 0.9), (1.1, 1.4))
    big = V.evaluate("rmb", real, fake, classifier=rmb, resamples=200)
    assert big.meets_minimum and big.n_real + big.n_fake == 200
    V.save_record(store, dataclasses.replace(big, model_sha256="ab" * 32), domain="other")
    analyze_case(store, case_id, classifiers=[rmb])
    (sig,) = _newest(store, suspect, "deepfake").result["signals"]
    assert sig["value"]["validated"] is False and "20 labelled images" in sig["caveat"]

    # the same figures for these weights: now a finding, cited in words
    V.save_record(store, big, domain="tinted test faces")
    report = analyze_case(store, case_id, classifiers=[rmb])
    (sig,) = _newest(store, suspect, "deepfake").result["signals"]
    assert sig["value"]["validated"] is True and sig["strength"] == "moderate"
    day = big.evaluated_at[:10]
    cited = (
        "validated by the clinic on 200 labelled images (tinted test faces) on "
        f"{day}: ROC AUC 1.00 [1.00\u20131.00]"
    )
    assert cited in sig["caveat"]
    overview = report.items[0].summary["overview"]  # type: ignore[index]
    assert overview.startswith("2 checks reported a finding")  # face match + manipulation
    assert "Weak or unvalidated signals" not in overview
    assert pk.supports(_exhibit(store, case_id, suspect), "manipulation")
    out = tmp_path / "packet"
    packets.build_packet(store, case_id, out)
    pdf = flat(pdf_text(next(out.glob("*.pdf")))[0])
    assert "Finding: deepfake_score" in pdf
    assert "validated by the clinic on 200 labelled images" in pdf
    assert store.verify_audit().ok


# --- the CLI ----------------------------------------------------------------------------------


def test_cli_evaluate_save_list_and_exit_codes(cli: Any, cli_vault: Path, tmp_path: Path) -> None:
    real, fake = _labelled(tmp_path / "set", 10, (0.8, 1.1), (0.8, 1.1))
    out = tmp_path / "out"
    ok = cli(
        "models",
        "evaluate",
        "meso4-df",
        "--real",
        str(real),
        "--fake",
        str(fake),
        "--out",
        str(out),
        "--json",
    )
    assert ok.rc == 0, ok.err
    data = ok.json()
    assert data["model"] == "meso4-df" and data["n_real"] == 10 and data["n_fake"] == 10
    assert data["bootstrap"] == {"resamples": 2000, "seed": V.BOOTSTRAP_SEED, "stratified": True}
    assert 0.0 <= data["auc_ci95"][0] <= data["auc"] <= data["auc_ci95"][1] <= 1.0
    assert json.loads((out / "report.json").read_text())["auc"] == data["auc"]

    (real / "notes.txt").write_text("not a picture")
    words = cli("models", "evaluate", "meso4-df", "--real", str(real), "--fake", str(fake))
    assert words.rc == 7, words.err  # a bad file: a row with its error, the run finished
    assert "notes.txt" in words.out and "ROC AUC" in words.out and "Below the minimum" in words.out

    no_domain = cli(
        "models", "evaluate", "meso4-df", "--real", str(real), "--fake", str(fake), "--save"
    )
    assert no_domain.rc == 2 and "--domain" in no_domain.err
    saved = cli(
        "models",
        "evaluate",
        "meso4-df",
        "--real",
        str(real),
        "--fake",
        str(fake),
        "--save",
        "--domain",
        "tinted stills",
        "--threshold",
        "0.3",
    )
    assert saved.rc == 7, saved.err
    assert "Saved in the vault as validation record" in saved.out
    assert "below the minimum" in saved.out
    listed = cli("models", "validations", "--json")
    assert listed.rc == 0
    (rec,) = listed.json()
    assert rec["intact"] and rec["record"]["domain"] == "tinted stills"
    assert rec["record"]["threshold"] == 0.3 and rec["record"]["errors"] == 1
    assert cli("audit", "verify").rc == 0
    check = cli("vault", "check")
    assert check.rc == 0, check.out + check.err

    few = tmp_path / "few"
    few.mkdir()
    too_few = cli("models", "evaluate", "meso4-df", "--real", str(few), "--fake", str(fake))
    assert too_few.rc == 2 and "Too few files" in too_few.err
    unknown = cli("models", "evaluate", "no-such-model", "--real", str(real), "--fake", str(fake))
    assert unknown.rc == 8 and "no-such-model" in unknown.err
    bad_t = cli(
        "models",
        "evaluate",
        "meso4-df",
        "--real",
        str(real),
        "--fake",
        str(fake),
        "--threshold",
        "2",
    )
    assert bad_t.rc == 2


def test_a_whole_image_classifier_scores_each_picture_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No face needed: every picture is one score, the classifier's own on the whole picture."""
    from test_honest_signals import _clinic_manifest

    from ncii_desk.media.loader import load_image
    from ncii_desk.vision.classifier import load_classifier
    from ncii_desk.vision.registry import ModelRegistry
    from ncii_desk.vision.runtime import Runtime

    folder = tmp_path / "models"
    folder.mkdir()
    manifest = _clinic_manifest(folder, 'status = "unvalidated"')
    text_ = manifest.read_text().replace(
        'media = ["image", "video"]', 'media = ["image", "video"]\ninput = "whole-image"'
    )
    manifest.write_text(text_)
    monkeypatch.setenv("NCII_DESK_MODELS", str(folder))
    clf = load_classifier("rmb", Runtime(ModelRegistry(manifest)))
    assert clf.domain.input == "whole-image"
    rng = np.random.default_rng(5)
    real, fake = tmp_path / "real", tmp_path / "fake"
    for d, shift in ((real, -40), (fake, 40)):
        d.mkdir()
        for i in range(10):
            colour = np.clip(rng.integers(60, 200, 3) + np.array([shift, 0, -shift]), 0, 255)
            field = np.broadcast_to(colour.astype(np.uint8), (48, 64, 3))
            Image.fromarray(np.ascontiguousarray(field)).save(d / f"{i}.png")
    report = V.evaluate("rmb", real, fake, classifier=clf, resamples=200)
    assert report.input == "whole-image" and report.n_real == report.n_fake == 10
    assert all(r.faces == 0 and r.status == "scored" for r in report.rows)
    for row in report.rows:
        direct = float(clf.score([load_image(Path(row.path)).pixels])[0])
        assert row.score == pytest.approx(direct, abs=1e-6)
    real_s = [r.score for r in report.rows if r.label == "real"]
    fake_s = [r.score for r in report.rows if r.label == "fake"]
    assert report.auc == pytest.approx(pair_count_auc(real_s, fake_s), abs=1e-12)  # type: ignore[arg-type]


def test_a_model_that_fails_on_every_picture_stops_with_its_own_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broken model description is about the model, not a file: one clear error, not a row
    per picture and a misleading "too few pictures"."""
    from test_honest_signals import _clinic_manifest

    from ncii_desk.vision.classifier import ClassifierError, load_classifier
    from ncii_desk.vision.registry import ModelRegistry
    from ncii_desk.vision.runtime import Runtime

    folder = tmp_path / "models"
    folder.mkdir()
    manifest = _clinic_manifest(folder, 'status = "unvalidated"')
    manifest.write_text(manifest.read_text().replace("score_index = 1", "score_index = 5"))
    monkeypatch.setenv("NCII_DESK_MODELS", str(folder))
    clf = load_classifier("rmb", Runtime(ModelRegistry(manifest)))
    real, fake = _labelled(tmp_path / "set", 10, (0.7, 0.9), (1.1, 1.3))
    with pytest.raises(ClassifierError) as info:
        V.evaluate("rmb", real, fake, classifier=clf)
    assert "score_index = 5 does not exist" in info.value.message
