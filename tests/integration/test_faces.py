"""Face detection, alignment and embedding (ncii_desk.vision.faces) on benign photos.

Photos: ../shared/testdata/faces (four of Jacques Chirac, one of "Luciano"; see LICENSES.md
there) and scikit-image's astronaut (Eileen Collins, NASA, public domain). Models are read
from ../shared/models (or $NCII_DESK_MODELS); the module skips when they are absent.

Note on chirac3.jpg: it is a crowd photo. Besides Chirac it shows four other real people
(checked by eye: one on his left, three in the background along the top edge), and YuNet and
cv2.FaceDetectorYN both find those five faces; the test asserts five, with Chirac's the
largest. Every other photo has exactly one face.

Run with ``-s`` to see the similarity matrix.

This module checks the MobileFaceNet path (5-point ArcFace alignment, cosine, its in-memory
batch rewrite): it selects that embedder for the module. The default embedder (dlib's ResNet)
and the detection fall-backs (rotated photos, small faces) are in test_faces_dlib.py.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterator

import cv2
import numpy as np
import pytest
import skimage.data
from modelkit import FACES_DIR, MODELS, require_models

pytest.importorskip("onnxruntime", reason="onnxruntime is not installed (face models need it)")

from ncii_desk.vision import faces as F
from ncii_desk.vision.registry import MODELS_ENV

REFERENCE_YUNET = "face_detection_yunet_2023mar.onnx"  # fixed 640x640: cv2's reference path
require_models(F.YUNET_FILE, F.MOBILEFACENET_FILE, REFERENCE_YUNET, what="face models")

CHIRAC = ("chirac1", "chirac2", "chirac3", "chirac4")
PHOTOS = (*CHIRAC, "codait_luciano", "astronaut")
PERSON = {"chirac1": "chirac", "chirac2": "chirac", "chirac3": "chirac", "chirac4": "chirac"}
PERSON |= {"codait_luciano": "luciano", "astronaut": "astronaut"}

#: Where the (main) face is, checked by eye on each photo, in original pixels:
#: ((box centre x range), (box centre y range), (box width range)).
FACE_REGION = {
    "chirac1": ((500, 650), (540, 700), (400, 650)),  # 1200x1200, face in the centre
    "chirac2": ((380, 500), (330, 450), (300, 480)),  # 870x1200, face upper middle
    "chirac3": ((190, 270), (130, 210), (130, 220)),  # 463x623, Chirac centre-left
    "chirac4": ((260, 360), (250, 360), (250, 380)),  # 554x847, face upper middle
    "codait_luciano": ((170, 230), (110, 170), (100, 160)),  # 400x400, centred
    "astronaut": ((200, 250), (95, 140), (70, 115)),  # 512x512, upper middle
}
EXPECTED_COUNT = {name: 1 for name in PHOTOS} | {"chirac3": 5}


@pytest.fixture(scope="module", autouse=True)
def _module_env() -> Iterator[None]:
    """Load the models from MODELS (the ../shared beside this checkout, or $NCII_DESK_MODELS)
    and use MobileFaceNet for this module."""
    old = os.environ.get(MODELS_ENV)
    os.environ[MODELS_ENV] = str(MODELS)
    F.use_embedder(F.MOBILEFACENET_MODEL)
    yield
    F.use_embedder(None)
    if old is None:
        os.environ.pop(MODELS_ENV, None)
    else:
        os.environ[MODELS_ENV] = old


def _load(name: str) -> np.ndarray:
    if name == "astronaut":
        return np.ascontiguousarray(skimage.data.astronaut())
    path = next(FACES_DIR.glob(f"{name}.*"))
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert bgr is not None, path
    return np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))


@pytest.fixture(scope="module")
def images() -> dict[str, np.ndarray]:
    return {name: _load(name) for name in PHOTOS}


def _main_face(faces: list[F.Face]) -> F.Face:
    return max(faces, key=lambda f: f.area)


@pytest.fixture(scope="module")
def embeddings(images: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """One embedding per photo (its largest face), all crops through one embed() call."""
    crops = np.stack([F.align(images[n], _main_face(F.detect(images[n]))) for n in PHOTOS])
    vectors = F.embed(crops)
    return dict(zip(PHOTOS, vectors, strict=True))


def _reference_detect(rgb: np.ndarray) -> np.ndarray:
    """cv2.FaceDetectorYN on the fixed 640 model, on the same 640-long-side pixels as ours;
    rows (x, y, w, h, 10 landmark coords, score) mapped back to original pixels."""
    h, w = rgb.shape[:2]
    small = cv2.cvtColor(F._resize_for_detection(rgb), cv2.COLOR_RGB2BGR)
    nh, nw = small.shape[:2]
    assert max(nh, nw) == 640
    det = cv2.FaceDetectorYN.create(str(MODELS / REFERENCE_YUNET), "", (nw, nh), 0.6, 0.3, 5000)
    _, found = det.detect(small)
    if found is None:
        return np.zeros((0, 15), np.float32)
    rows = np.array(found, dtype=np.float32)
    rows[:, 0:14:2] *= w / nw
    rows[:, 1:14:2] *= h / nh
    return rows


# --- detection --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PHOTOS)
def test_detects_the_face_where_it_is(name: str, images: dict[str, np.ndarray]) -> None:
    rgb = images[name]
    faces = F.detect(rgb)
    assert len(faces) == EXPECTED_COUNT[name]
    assert [f.score for f in faces] == sorted((f.score for f in faces), reverse=True)
    face = _main_face(faces)
    x, y, w, h = face.box
    assert face.score >= 0.85
    assert face.landmarks.shape == (5, 2)
    # Every landmark sits inside the box...
    assert np.all(face.landmarks[:, 0] > x) and np.all(face.landmarks[:, 0] < x + w)
    assert np.all(face.landmarks[:, 1] > y) and np.all(face.landmarks[:, 1] < y + h)
    # ...in a face's layout: right eye (image-left) left of left eye, both above nose, nose
    # above the mouth corners, right mouth corner image-left of the left one.
    re, le, nose, rm, lm = face.landmarks
    assert re[0] < le[0] and rm[0] < lm[0]
    assert max(re[1], le[1]) < nose[1] < min(rm[1], lm[1])
    # And the box is where the face is (hand-checked regions).
    (cx_lo, cx_hi), (cy_lo, cy_hi), (w_lo, w_hi) = FACE_REGION[name]
    assert cx_lo <= x + w / 2 <= cx_hi, face.box
    assert cy_lo <= y + h / 2 <= cy_hi, face.box
    assert w_lo <= w <= w_hi, face.box
    json.dumps(face.as_dict())


@pytest.mark.parametrize("name", PHOTOS)
def test_matches_opencv_face_detector(name: str, images: dict[str, np.ndarray]) -> None:
    """Our numpy decode of the dynamic model vs cv2.FaceDetectorYN on the fixed 640 model."""
    ours = F.detect(images[name])
    ref = _reference_detect(images[name])
    assert len(ours) == len(ref)
    for face in ours:
        row = ref[np.argmin(np.abs(ref[:, :4] - np.array(face.box)).sum(axis=1))]
        assert np.abs(np.array(face.box) - row[:4]).max() < 3.0, (face.box, row[:4])
        assert np.abs(face.landmarks.ravel() - row[4:14]).max() < 3.0
        assert abs(face.score - row[14]) < 0.02


@pytest.mark.parametrize("scene", ["coffee", "rocket", "chelsea", "brick", "grass"])
def test_no_face_in_scenes_without_people(scene: str) -> None:
    # Checked beforehand: these scikit-image samples hold no human face (chelsea is a cat);
    # "camera" (the cameraman) does hold one, so it is not used here.
    assert F.detect(getattr(skimage.data, scene)()) == []


def test_no_face_in_blank_or_noise() -> None:
    rng = np.random.default_rng(1234)
    blank_and_noise = [
        np.zeros((480, 640, 3), np.uint8),
        np.full((480, 640, 3), 255, np.uint8),
        np.full((300, 300), 128, np.uint8),  # grey-scale input is accepted
        rng.integers(0, 256, (480, 640, 3), dtype=np.uint8),
        cv2.resize(rng.integers(0, 256, (24, 32, 3), dtype=np.uint8), (640, 480)),
        np.zeros((1, 1, 3), np.uint8),
    ]
    for pixels in blank_and_noise:
        assert F.detect(pixels) == []


def test_rgba_and_grey_inputs(images: dict[str, np.ndarray]) -> None:
    path = FACES_DIR / "codait_luciano.png"
    bgra = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    assert bgra is not None
    rgba = cv2.cvtColor(bgra, cv2.COLOR_BGRA2RGBA)
    assert rgba.shape[2] == 4
    assert len(F.detect(rgba)) == 1
    grey = cv2.cvtColor(images["astronaut"], cv2.COLOR_RGB2GRAY)
    assert len(F.detect(grey)) == 1


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (np.zeros((64, 64, 2), np.uint8), r"shape \(height, width, 3\)"),
        (np.zeros((64,), np.uint8), r"shape \(height, width, 3\)"),
        (np.zeros((2, 64, 64, 3), np.uint8), r"shape \(height, width, 3\)"),
        (np.zeros((0, 64, 3), np.uint8), "empty"),
        (np.zeros((64, 64, 3), np.float32), "must be uint8"),
        ([[1, 2], [3, 4]], "must be a numpy array"),
    ],
)
def test_corrupt_image_input_is_a_clear_value_error(bad: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        F.detect(bad)  # type: ignore[arg-type]
    face = F.Face(box=(0, 0, 10, 10), landmarks=F.ARCFACE_TEMPLATE_112.astype(np.float32), score=1)
    with pytest.raises(ValueError, match=message):
        F.align(bad, face)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (np.zeros((112, 112, 3), np.uint8), "must be a batch"),
        (np.zeros((2, 100, 100, 3), np.uint8), r"shape \(N, 112, 112, 3\)"),
        (np.zeros((2, 3, 112, 112), np.uint8), r"shape \(N, 112, 112, 3\)"),
        (np.zeros((1, 112, 112, 3), np.float64), "must be uint8"),
    ],
)
def test_corrupt_embed_input_is_a_clear_value_error(bad: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        F.embed(bad)


def test_bad_parameters_and_degenerate_landmarks(images: dict[str, np.ndarray]) -> None:
    with pytest.raises(ValueError, match="score_threshold"):
        F.detect(images["astronaut"], score_threshold=1.5)
    with pytest.raises(ValueError, match="nms_iou"):
        F.detect(images["astronaut"], nms_iou=0.0)
    flat = F.Face(box=(0, 0, 1, 1), landmarks=np.ones((5, 2), np.float32), score=1.0)
    with pytest.raises(ValueError, match="degenerate"):
        F.align(images["astronaut"], flat)


# --- alignment --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PHOTOS)
def test_aligned_crop_puts_eyes_on_the_template(name: str, images: dict[str, np.ndarray]) -> None:
    rgb = images[name]
    face = _main_face(F.detect(rgb))
    crop = F.align(rgb, face)
    assert crop.shape == (112, 112, 3) and crop.dtype == np.uint8
    # The transform sends the detected eyes to the template eyes (least squares over all five
    # points, so a few px of residual from pose is expected; nose/mouth may be off more).
    matrix = F.alignment_matrix(face)
    mapped = face.landmarks @ matrix[:, :2].T + matrix[:, 2]
    eye_error = np.linalg.norm(mapped[:2] - F.ARCFACE_TEMPLATE_112[:2], axis=1)
    assert eye_error.max() < 4.0, eye_error
    # Independent check on the pixels: detect again inside the crop (upscaled 2x on a grey
    # canvas) and find the eyes where the template puts them.
    canvas = np.full((448, 448, 3), 128, np.uint8)
    canvas[112:336, 112:336] = cv2.resize(crop, (224, 224), interpolation=cv2.INTER_LINEAR)
    again = F.detect(canvas)
    assert len(again) == 1
    eyes = (again[0].landmarks[:2] - 112) / 2
    assert np.linalg.norm(eyes - F.ARCFACE_TEMPLATE_112[:2], axis=1).max() < 5.0, eyes


def test_large_face_downscale_keeps_the_geometry(images: dict[str, np.ndarray]) -> None:
    """chirac1's face is ~450 px, so align() area-averages before warping; the result must sit
    exactly where a plain warp of a blurred copy puts it (no half-pixel drift)."""
    rgb = images["chirac1"]
    face = _main_face(F.detect(rgb))
    matrix = F.alignment_matrix(face)
    assert np.sqrt(abs(np.linalg.det(matrix[:, :2]))) < 0.5  # the downscale path is taken
    ours = F.align(rgb, face).astype(np.float32).mean(axis=2)
    blurred = cv2.GaussianBlur(rgb, (0, 0), 3.0)
    plain = cv2.warpAffine(blurred, matrix, (112, 112)).astype(np.float32).mean(axis=2)
    (dx, dy), _ = cv2.phaseCorrelate(ours, plain)
    assert abs(dx) < 0.3 and abs(dy) < 0.3
    assert np.abs(ours - plain).mean() < 4.0


def test_template_is_the_arcface_reference() -> None:
    expected = [
        [38.2946, 51.6963],
        [73.5318, 51.5014],
        [56.0252, 71.7366],
        [41.5493, 92.3655],
        [70.7299, 92.2041],
    ]
    np.testing.assert_allclose(F.ARCFACE_TEMPLATE_112, expected, atol=1e-9)


# --- embeddings and comparison ----------------------------------------------------------------


def test_similarity_matrix_separates_people(embeddings: dict[str, np.ndarray]) -> None:
    matrix = F.cosine_matrix(
        np.stack([embeddings[n] for n in PHOTOS]), [embeddings[n] for n in PHOTOS]
    )
    width = max(len(n) for n in PHOTOS)
    print(f"\nCosine similarity (threshold {F.match_threshold()}):")
    assert F.match_threshold() == 0.40  # the manifest's [models.mobilefacenet-128.match]
    print(" " * width + "".join(f" {n[:9]:>9}" for n in PHOTOS))
    for name, row in zip(PHOTOS, matrix, strict=True):
        print(f"{name:<{width}}" + "".join(f" {v:9.3f}" for v in row))
    same: list[tuple[float, str, str]] = []
    different: list[tuple[float, str, str]] = []
    for (i, a), (j, b) in itertools.combinations(enumerate(PHOTOS), 2):
        (same if PERSON[a] == PERSON[b] else different).append((float(matrix[i, j]), a, b))
    print(f"same person: min {min(same)[0]:.3f}; different people: max {max(different)[0]:.3f}")
    assert len(same) == 6
    for sim, a, b in same:
        assert sim > F.match_threshold(), (a, b, sim)
    for sim, a, b in different:
        assert sim < F.match_threshold(), (a, b, sim)
    np.testing.assert_allclose(np.diag(matrix), 1.0, atol=1e-5)


def test_embeddings_are_unit_length_and_batching_changes_nothing(
    images: dict[str, np.ndarray], embeddings: dict[str, np.ndarray]
) -> None:
    stacked = np.stack([embeddings[n] for n in PHOTOS])
    assert stacked.shape == (len(PHOTOS), F.EMBEDDING_DIM) and stacked.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(stacked, axis=1), 1.0, atol=1e-5)
    assert F._embedder().batched  # the in-memory dynamic-batch rewrite worked
    crop = F.align(images["chirac2"], _main_face(F.detect(images["chirac2"])))
    alone = F.embed(crop[None])[0]
    np.testing.assert_allclose(alone, embeddings["chirac2"], atol=1e-5)
    assert F.embed(np.zeros((0, 112, 112, 3), np.uint8)).shape == (0, F.EMBEDDING_DIM)


def test_batched_model_equals_the_original_graph(images: dict[str, np.ndarray]) -> None:
    """The in-memory rewrite only frees the batch size: same numbers as the file as shipped."""
    crops = np.stack([F.align(images[n], _main_face(F.detect(images[n]))) for n in PHOTOS])
    raw, sha = F._model_bytes(F.MOBILEFACENET_MODEL)
    original = F._session(f"test-original:{sha}", raw)
    imagenet_mean, imagenet_std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    x = ((crops.astype(np.float32) / 255.0 - imagenet_mean) / imagenet_std).astype(np.float32)
    x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    raw = np.concatenate([original.run(None, {"input0": x[i : i + 1]})[0] for i in range(len(x))])
    raw /= np.linalg.norm(raw, axis=1, keepdims=True)
    np.testing.assert_allclose(F.embed(crops), raw, atol=1e-5)


@pytest.mark.parametrize("name", PHOTOS)
def test_mirrored_image_still_matches_itself(
    name: str, images: dict[str, np.ndarray], embeddings: dict[str, np.ndarray]
) -> None:
    rgb = images[name]
    mirrored = np.ascontiguousarray(rgb[:, ::-1])
    faces = F.detect(mirrored)
    assert len(faces) == EXPECTED_COUNT[name]
    face = _main_face(faces)
    original = _main_face(F.detect(rgb))
    # The box mirrors too (within a few px: the detector is not exactly flip-symmetric).
    assert abs(face.box[0] - (rgb.shape[1] - original.box[0] - original.box[2])) < 10
    vector = F.embed(F.align(mirrored, face)[None])[0]
    assert F.cosine(vector, embeddings[name]) > max(F.match_threshold(), 0.8)


def test_many_images_give_the_same_answers_as_one_at_a_time(
    images: dict[str, np.ndarray],
) -> None:
    batch = [images[n] for n in PHOTOS] + [skimage.data.coffee()]
    for workers in (1, 2):
        many = F.detect_and_embed_many(batch, workers=workers)
        assert len(many) == len(batch)
        for rgb, (found, vectors) in zip(batch, many, strict=True):
            alone, alone_vectors = F.detect_and_embed(rgb)
            assert [f.box for f in found] == [f.box for f in alone]
            assert vectors.shape == (len(found), F.EMBEDDING_DIM)
            np.testing.assert_allclose(vectors, alone_vectors, atol=1e-5)
    assert F.detect_and_embed_many([]) == []
    with pytest.raises(ValueError, match=r"images\[1\]"):
        F.detect_and_embed_many([images["astronaut"], np.zeros((5, 5, 2), np.uint8)])


def test_compare_finds_the_victim_among_the_crowd(
    images: dict[str, np.ndarray], embeddings: dict[str, np.ndarray]
) -> None:
    references = np.stack([embeddings[n] for n in ("chirac1", "chirac2", "chirac4")])
    matches = F.compare_image(references, images["chirac3"])
    assert len(matches) == 5
    hits = [m for m in matches if m.match]
    assert len(hits) == 1
    (cx_lo, cx_hi), _, _ = FACE_REGION["chirac3"]
    assert cx_lo <= hits[0].box[0] + hits[0].box[2] / 2 <= cx_hi
    for m in matches:
        assert m.threshold == F.match_threshold()
        assert len(m.similarities) == 3
        assert m.best_similarity == max(m.similarities)
        assert m.similarities[m.best_reference_index] == m.best_similarity
        assert m.match == (m.best_similarity >= m.threshold)
        json.dumps(m.as_dict())
    # Someone else's photo: no match at all.
    assert not any(m.match for m in F.compare_image(references, images["codait_luciano"]))
    assert F.compare_image(references, skimage.data.coffee()) == []


def test_compare_checks_its_inputs(embeddings: dict[str, np.ndarray]) -> None:
    face = F.Face(box=(0, 0, 1, 1), landmarks=np.zeros((5, 2), np.float32), score=1.0)
    with pytest.raises(ValueError, match="reference_embeddings"):
        F.compare(np.zeros((0, 128)), [face], embeddings["chirac1"][None])
    with pytest.raises(ValueError, match="suspect embeddings"):
        F.compare(embeddings["chirac1"], [face, face], embeddings["chirac1"][None])
    with pytest.raises(ValueError, match="1-D"):
        F.cosine(np.zeros((2, 128)), np.zeros(128))
    assert F.cosine(embeddings["chirac1"], embeddings["chirac1"]) == pytest.approx(1.0, abs=1e-5)
