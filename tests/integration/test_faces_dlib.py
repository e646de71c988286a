"""The default face embedder (dlib's ResNet, public-domain weights) and the detection
fall-backs for sideways or upside-down photos and for small faces in large photos.

Photos: ../shared/testdata/faces (four of Jacques Chirac, one of "Luciano") and scikit-image's
astronaut; rotated copies are made with PIL, the large photo is a generated gradient with one
face pasted in. Run with ``-s`` to see the distance matrix.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import numpy as np
import pytest
import skimage.data
from modelkit import FACES_DIR, MODELS, require_models
from PIL import Image

pytest.importorskip("onnxruntime", reason="onnxruntime is not installed (face models need it)")

from ncii_desk.vision import faces as F
from ncii_desk.vision.registry import MODELS_ENV, ModelRegistry

require_models(F.YUNET_FILE, "face_api_dlib_resnet/" + F.DLIB_FILE, what="face models")

PHOTOS = ("chirac1", "chirac2", "chirac3", "chirac4", "codait_luciano", "astronaut")
PERSON = {n: "chirac" for n in PHOTOS[:4]} | {"codait_luciano": "luciano", "astronaut": "nasa"}


@pytest.fixture(scope="module", autouse=True)
def _module_env() -> Iterator[None]:
    old = os.environ.get(MODELS_ENV)
    os.environ[MODELS_ENV] = str(MODELS)
    F.use_embedder(None)  # the default
    yield
    if old is None:
        os.environ.pop(MODELS_ENV, None)
    else:
        os.environ[MODELS_ENV] = old


def _pil(name: str) -> Image.Image:
    if name == "astronaut":
        return Image.fromarray(skimage.data.astronaut())
    return Image.open(next(FACES_DIR.glob(f"{name}.*"))).convert("RGB")


@pytest.fixture(scope="module")
def images() -> dict[str, np.ndarray]:
    return {n: np.asarray(_pil(n)) for n in PHOTOS}


def _main(faces: list[F.Face]) -> F.Face:
    return max(faces, key=lambda f: f.area)


@pytest.fixture(scope="module")
def embeddings(images: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    crops = np.stack([F.align(images[n], _main(F.detect(images[n]))) for n in PHOTOS])
    return dict(zip(PHOTOS, F.embed(crops), strict=True))


def test_dlib_is_the_default_and_its_rule_comes_from_the_manifest() -> None:
    spec = ModelRegistry().spec("dlib-resnet-128")
    assert spec.bundled and spec.match is not None
    assert (spec.match.metric, spec.match.threshold) == ("euclidean", 0.6)
    assert F.embedder_name() == "dlib-resnet-128"
    rule = F.embedder_spec()
    assert (rule.size, rule.metric, rule.threshold) == (150, "euclidean", 0.6)
    assert F.match_threshold() == pytest.approx(0.4)  # reported as 1 - distance
    mobile = ModelRegistry().spec("mobilefacenet-128").match
    assert mobile is not None and (mobile.metric, mobile.threshold) == ("cosine", 0.4)


def test_alignment_puts_the_eye_centres_on_dlibs_chip(images: dict[str, np.ndarray]) -> None:
    """Checked on the pixels: YuNet finds the eyes again inside the (upright) 150 px crop at
    the template points. (A 2-point Umeyama fit once mirrored faces upside down.)"""
    for name in PHOTOS:
        crop = F.align(images[name], _main(F.detect(images[name])))
        assert crop.shape == (150, 150, 3)
        canvas = np.full((600, 600, 3), 128, np.uint8)
        canvas[150:450, 150:450] = np.asarray(Image.fromarray(crop).resize((300, 300)))
        (again,) = F.detect(canvas, rotations=False)
        eyes = (again.landmarks[:2] - 150) / 2
        assert again.rotation == 0
        assert np.linalg.norm(eyes - [[47.73, 47.14], [100.28, 47.12]], axis=1).max() < 6, name


def test_same_person_pairs_match_and_different_people_do_not(
    embeddings: dict[str, np.ndarray],
) -> None:
    vectors = np.stack([embeddings[n] for n in PHOTOS])
    assert np.linalg.norm(vectors, axis=1).min() > 1.0  # raw descriptors, not unit length
    sims = F.similarity_matrix(vectors, vectors)
    distance = 1.0 - sims
    print("\nEuclidean distance (dlib; a match is <= 0.6):")
    for name, row in zip(PHOTOS, distance, strict=True):
        print(f"{name:<15}" + "".join(f" {v:6.3f}" for v in row))
    same, different = [], []
    for (i, a), (j, b) in itertools.combinations(enumerate(PHOTOS), 2):
        (same if PERSON[a] == PERSON[b] else different).append((float(distance[i, j]), a, b))
    assert len(same) == 6 and len(different) == 9
    assert all(d <= 0.6 for d, _, _ in same), same
    assert all(d > 0.6 for d, _, _ in different), different
    np.testing.assert_allclose(np.diag(distance), 0.0, atol=1e-3)
    references = np.stack([embeddings["chirac1"], embeddings["chirac2"]])
    crowd = F.compare_image(references, np.asarray(_pil("chirac3")))
    assert len(crowd) == 5 and sum(m.match for m in crowd) == 1
    assert all(m.threshold == pytest.approx(0.4) for m in crowd)
    assert not any(m.match for m in F.compare_image(references, np.asarray(_pil("astronaut"))))


def test_mobilefacenet_stays_selectable(images: dict[str, np.ndarray]) -> None:
    F.use_embedder("mobilefacenet-128")
    try:
        assert F.aligned_size() == 112 and F.embedder_spec().metric == "cosine"
        crop = F.align(images["chirac2"], _main(F.detect(images["chirac2"])))
        vector = F.embed(crop[None])[0]
        assert crop.shape == (112, 112, 3)
        assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)
    finally:
        F.use_embedder(None)
    with pytest.raises(ValueError, match="unknown face embedder"):
        F.use_embedder("no-such-embedder")


@pytest.mark.parametrize("degrees", [90, 180, 270])
@pytest.mark.parametrize("name", ["chirac1", "chirac2", "codait_luciano"])
def test_rotated_photos_are_found_and_say_how_they_were_turned(
    name: str, degrees: int, embeddings: dict[str, np.ndarray]
) -> None:
    # PIL turns counter-clockwise; turning that back takes `degrees` clockwise.
    turned = np.asarray(_pil(name).rotate(degrees, expand=True))
    plain = F.detect(turned, rotations=False)
    assert not plain or plain[0].score < F.ROTATION_RETRY_BELOW  # what went wrong before
    faces = F.detect(turned)
    assert faces, (name, degrees)
    face = _main(faces)
    assert face.rotation == degrees and face.as_dict()["rotation"] == degrees
    # The box is in the turned photo's own pixels and holds the face.
    x, y, w, h = face.box
    assert 0 <= x + w / 2 <= turned.shape[1] and 0 <= y + h / 2 <= turned.shape[0]
    vector = F.embed(F.align(turned, face)[None])[0]
    matches = F.compare(embeddings[name][None], [face], vector[None])
    assert matches[0].match and matches[0].best_similarity > 0.8  # the same face again


def test_no_rotated_faces_in_scenes_without_people() -> None:
    for scene in ("coffee", "rocket", "chelsea", "brick", "grass"):
        assert F.detect(getattr(skimage.data, scene)()) == [], scene


def _large_photo_with_a_small_face(name: str, face_px: int = 40) -> tuple[np.ndarray, tuple]:
    """A 4000x3000 generated gradient with the face of ``name`` pasted at (2500, 1700),
    scaled so the detected face box is ``face_px`` pixels tall."""
    image = _pil(name)
    x, y, w, h = _main(F.detect(np.asarray(image))).box
    margin = 0.4
    crop = image.crop(
        (
            int(x - margin * w),
            int(y - margin * h),
            int(x + w * (1 + margin)),
            int(y + h * (1 + margin)),
        )
    )
    k = face_px / h
    crop = crop.resize((round(crop.width * k), round(crop.height * k)), Image.Resampling.LANCZOS)
    yy, xx = np.mgrid[0:3000, 0:4000]
    background = np.stack([xx * 255 // 4000, yy * 255 // 3000, np.full_like(xx, 128)], -1)
    canvas = Image.fromarray(background.astype(np.uint8))
    canvas.paste(crop, (2500, 1700))
    centre = (2500 + crop.width / 2, 1700 + crop.height / 2)
    return np.asarray(canvas), centre


@pytest.mark.parametrize("name", ["chirac1", "chirac2", "codait_luciano"])
def test_a_40_pixel_face_in_a_4000_pixel_photo_is_found(
    name: str, embeddings: dict[str, np.ndarray]
) -> None:
    photo, (cx, cy) = _large_photo_with_a_small_face(name)
    assert F.detect(photo, small_faces=False, rotations=False) == []  # lost at 640 px
    faces = F.detect(photo)
    assert len(faces) == 1, faces
    x, y, w, h = faces[0].box
    assert abs(x + w / 2 - cx) < 10 and abs(y + h / 2 - cy) < 10
    assert 25 <= h <= 60 and faces[0].rotation == 0


def test_the_cli_offers_exactly_the_embedders_there_are() -> None:
    from ncii_desk.cli.vision_cmds import EMBEDDER_CHOICES

    assert tuple(EMBEDDER_CHOICES) == F.EMBEDDERS
    assert set(F.EMBEDDERS) == {s.name for s in ModelRegistry() if s.task == "face-embedding"}


def test_analysis_of_a_sideways_picture_matches_and_records_the_turn(
    embeddings: dict[str, np.ndarray],
) -> None:
    from ncii_desk.vision.video import analyse_frame

    turned = np.asarray(_pil("chirac2").rotate(270, expand=True))
    gallery = embeddings["chirac1"][None]
    picture = analyse_frame(turned, None, gallery=gallery)
    (face,) = picture.faces
    assert face.match and face.rotation == 270 and face.as_dict()["rotation"] == 270
    # A video frame gets the upright 640 px pass only (its rotation is applied on decoding).
    frame = analyse_frame(turned, 0, gallery=gallery)
    assert all(f.rotation == 0 and not f.match for f in frame.faces)
