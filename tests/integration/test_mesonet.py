"""MesoNet rebuilt as ONNX: graph validity, agreement with the numpy reference, cache, sanity.

Needs ../shared/models/mesonet (the four published .h5 files); skipped where it is absent.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pytest

from conftest import SHARED
from ncii_desk import paths
from ncii_desk.vision import mesonet

MESONET_DIR = SHARED / "models" / "mesonet"
FACES_DIR = SHARED / "testdata" / "faces"

if not MESONET_DIR.is_dir():
    pytest.skip(
        f"MesoNet weights not found at {MESONET_DIR} (shared/models is not in this checkout)",
        allow_module_level=True,
    )

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

WEIGHTS: dict[str, mesonet.Arch] = {
    "Meso4_DF.h5": "meso4",
    "Meso4_F2F.h5": "meso4",
    "MesoInception_DF.h5": "mesoinception4",
    "MesoInception_F2F.h5": "mesoinception4",
}

# Face boxes (x, y, w, h) from YuNet (face_detection_yunet_2023mar, MANIFEST section 1) on the
# test photos; the astronaut box is the one the MANIFEST gives.
FACE_BOXES: dict[str, tuple[int, int, int, int]] = {
    "chirac1.jpg": (315, 269, 512, 704),
    "chirac2.jpg": (247, 111, 387, 559),
    "chirac3.jpg": (147, 51, 167, 246),
    "chirac4.jpg": (154, 92, 317, 426),
    "codait_luciano.png": (131, 45, 137, 190),
}
ASTRONAUT_BOX = (178, 63, 90, 113)


def _square_crop(rgb: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """Square of side 1.3 x the longer box side around the box centre, clipped to the image."""
    x, y, w, h = box
    cx, cy, half = x + w / 2, y + h / 2, 1.3 * max(w, h) / 2
    x0, y0 = max(0, round(cx - half)), max(0, round(cy - half))
    x1, y1 = min(rgb.shape[1], round(cx + half)), min(rgb.shape[0], round(cy + half))
    return rgb[y0:y1, x0:x1]


def _astronaut() -> np.ndarray:
    from skimage import data

    return np.asarray(data.astronaut(), dtype=np.uint8)


def _portraits() -> dict[str, np.ndarray]:
    """Whole RGB photos of real people: the test faces (if present) and the astronaut."""
    from PIL import Image

    photos: dict[str, np.ndarray] = {}
    if FACES_DIR.is_dir():
        for name in FACE_BOXES:
            with Image.open(FACES_DIR / name) as im:
                photos[name] = np.asarray(im.convert("RGB"), dtype=np.uint8)
    photos["astronaut"] = _astronaut()
    return photos


@pytest.fixture(scope="module")
def crops_uint8() -> np.ndarray:
    """Face crops resized to 256x256 the authors' way, plus two noise images: (N,256,256,3)."""
    boxes = {**FACE_BOXES, "astronaut": ASTRONAUT_BOX}
    crops = [
        mesonet.resize_to_input(_square_crop(rgb, boxes[name]))
        for name, rgb in _portraits().items()
    ]
    rng = np.random.default_rng(20240507)
    crops.append(rng.integers(0, 256, (256, 256, 3), dtype=np.uint8))  # white noise
    coarse = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)  # blocky noise
    crops.append(np.repeat(np.repeat(coarse, 16, axis=0), 16, axis=1))
    return np.stack(crops)


@pytest.fixture(scope="module")
def reference_logits(crops_uint8: np.ndarray) -> dict[str, np.ndarray]:
    x = mesonet.to_model_input(crops_uint8)
    return {
        name: mesonet.numpy_reference_logits(MESONET_DIR / name, arch, x)
        for name, arch in WEIGHTS.items()
    }


@pytest.fixture(scope="module")
def built() -> dict[str, bytes]:
    return {name: mesonet.build_onnx(MESONET_DIR / name, arch) for name, arch in WEIGHTS.items()}


@pytest.mark.parametrize("name", WEIGHTS)
def test_graph_is_valid_onnx(name: str, built: dict[str, bytes]) -> None:
    model = onnx.load_from_string(built[name])
    onnx.checker.check_model(model, full_check=True)
    assert max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx")) >= 13
    assert [i.name for i in model.graph.input] == [mesonet.INPUT_NAME]
    dims = model.graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_value for d in dims[1:]] == [256, 256, 3]  # NHWC
    assert [o.name for o in model.graph.output] == [
        mesonet.OUTPUT_LOGIT,
        mesonet.OUTPUT_REAL,
        mesonet.OUTPUT_FAKE,
    ]
    # deterministic: the same weights give the same bytes
    assert mesonet.build_onnx(MESONET_DIR / name, WEIGHTS[name]) == built[name]


@pytest.mark.parametrize("name", WEIGHTS)
def test_onnx_matches_numpy_reference(
    name: str,
    built: dict[str, bytes],
    crops_uint8: np.ndarray,
    reference_logits: dict[str, np.ndarray],
) -> None:
    session = ort.InferenceSession(built[name], providers=["CPUExecutionProvider"])
    x = mesonet.to_model_input(crops_uint8)
    logit, real, fake = (
        np.asarray(a).reshape(-1)
        for a in session.run(
            [mesonet.OUTPUT_LOGIT, mesonet.OUTPUT_REAL, mesonet.OUTPUT_FAKE],
            {mesonet.INPUT_NAME: x},
        )
    )
    ref_logit = reference_logits[name]
    ref_real = 0.5 * (1.0 + np.tanh(0.5 * ref_logit))
    np.testing.assert_allclose(real, ref_real, rtol=0, atol=1e-4)
    np.testing.assert_allclose(logit, ref_logit, rtol=1e-5, atol=1e-4)  # sigmoid hides little
    np.testing.assert_allclose(fake, 1.0 - ref_real, rtol=0, atol=1e-4)
    for p in (real, fake):
        assert np.all((p >= 0.0) & (p <= 1.0))
    # numpy_reference is the same network's P(real)
    np.testing.assert_allclose(
        mesonet.numpy_reference(MESONET_DIR / name, WEIGHTS[name], x[:1]), ref_real[:1], atol=1e-9
    )


@pytest.mark.parametrize("name", WEIGHTS)
def test_classifier_scores_fake_probability(
    name: str, tmp_path: Path, crops_uint8: np.ndarray, reference_logits: dict[str, np.ndarray]
) -> None:
    clf = mesonet.MesoNetClassifier(MESONET_DIR / name, cache_dir=tmp_path)
    assert clf.arch == WEIGHTS[name]
    scores = clf.score(crops_uint8)
    assert scores.shape == (len(crops_uint8),) and scores.dtype == np.float32
    ref_real = 0.5 * (1.0 + np.tanh(0.5 * reference_logits[name]))
    np.testing.assert_allclose(scores, 1.0 - ref_real, atol=1e-4)
    np.testing.assert_allclose(clf.real_probability(crops_uint8), ref_real, atol=1e-4)
    assert clf.score(crops_uint8[:0]).shape == (0,)
    with pytest.raises(ValueError, match="uint8"):
        clf.score(crops_uint8.astype(np.float32))


def _sidecar(model_path: Path) -> Path:
    return model_path.with_name(model_path.name + ".json")


@pytest.mark.parametrize("name", WEIGHTS)
def test_cache_writes_once_reuses_and_rebuilds_when_tampered(name: str, tmp_path: Path) -> None:
    h5 = MESONET_DIR / name
    arch = WEIGHTS[name]
    cache = tmp_path / "model-cache"
    first = mesonet.cached_onnx(h5, arch, cache)
    h5_sha = hashlib.sha256(h5.read_bytes()).hexdigest()
    assert first == cache / f"{arch}-{h5_sha[:16]}.onnx"
    good = first.read_bytes()
    assert good == mesonet.build_onnx(h5, arch)
    meta = json.loads(_sidecar(first).read_text(encoding="utf-8"))
    assert meta["onnx_sha256"] == hashlib.sha256(good).hexdigest()
    assert meta["h5_sha256"] == h5_sha
    assert sorted(p.name for p in cache.iterdir()) == [first.name, _sidecar(first).name]

    # reused: nothing rewritten
    old = 1_000_000_000 * 10**9  # push mtimes into the past so a rewrite would show
    os.utime(first, ns=(old, old))
    os.utime(_sidecar(first), ns=(old, old))
    assert mesonet.cached_onnx(h5, arch, cache) == first
    assert first.stat().st_mtime_ns == old
    assert _sidecar(first).stat().st_mtime_ns == old

    # tampered model -> rebuilt
    data = bytearray(good)
    data[len(data) // 2] ^= 0xFF
    first.write_bytes(bytes(data))
    os.utime(first, ns=(old, old))
    assert mesonet.cached_onnx(h5, arch, cache) == first
    assert first.read_bytes() == good
    assert first.stat().st_mtime_ns != old

    # tampered / unreadable sidecar -> rebuilt
    _sidecar(first).write_text("{}", encoding="utf-8")
    os.utime(first, ns=(old, old))
    mesonet.cached_onnx(h5, arch, cache)
    assert first.stat().st_mtime_ns != old
    assert json.loads(_sidecar(first).read_text(encoding="utf-8")) == meta

    # missing model with a stale sidecar -> rebuilt; no temp files left behind
    first.unlink()
    assert mesonet.cached_onnx(h5, arch, cache).read_bytes() == good
    assert sorted(p.name for p in cache.iterdir()) == [first.name, _sidecar(first).name]


def test_cache_default_folder_is_user_data_model_cache() -> None:
    path = mesonet.cached_onnx(MESONET_DIR / "Meso4_DF.h5", "meso4")
    assert path.parent == paths.user_data_dir() / "model-cache"
    assert path.is_file()


def test_wrong_architecture_is_refused() -> None:
    with pytest.raises(mesonet.MesoNetWeightsError):
        mesonet.build_onnx(MESONET_DIR / "MesoInception_DF.h5", "meso4")
    with pytest.raises(mesonet.MesoNetWeightsError):
        mesonet.build_onnx(MESONET_DIR / "Meso4_DF.h5", "mesoinception4")
    assert mesonet.guess_arch(MESONET_DIR / "Meso4_F2F.h5") == "meso4"
    assert mesonet.guess_arch(MESONET_DIR / "MesoInception_F2F.h5") == "mesoinception4"


def test_keras_same_padding_is_asymmetric_like_tensorflow() -> None:
    assert mesonet.keras_same_padding(256, 3) == (1, 1)
    assert mesonet.keras_same_padding(256, 3, dilation=3) == (3, 3)
    assert mesonet.keras_same_padding(256, 2) == (0, 1)  # extra on the bottom/right
    assert mesonet.keras_same_padding(5, 2, 2) == (0, 1)  # 5 -> 3 outputs
    assert mesonet.keras_same_padding(6, 3, 2) == (0, 1)
    assert mesonet.keras_same_padding(8, 4, 4) == (0, 0)  # MesoNet's pools never pad


def test_numpy_reference_ops_against_brute_force() -> None:
    """The reference's conv and pool on odd sizes and even kernels, against plain loops."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((1, 7, 6, 3))
    kernel = rng.standard_normal((2, 2, 3, 4))
    bias = rng.standard_normal(4)
    got = mesonet._np_conv_same(x, kernel, bias, dilation=2)
    (t, _), (left, _) = (
        mesonet.keras_same_padding(7, 2, 1, 2),
        mesonet.keras_same_padding(6, 2, 1, 2),
    )
    want = np.zeros((1, 7, 6, 4))
    for i in range(7):
        for j in range(6):
            acc = bias.copy()
            for a in range(2):
                for b in range(2):
                    yy, xx = i - t + 2 * a, j - left + 2 * b
                    if 0 <= yy < 7 and 0 <= xx < 6:
                        acc += x[0, yy, xx] @ kernel[a, b]
            want[0, i, j] = acc
    np.testing.assert_allclose(got, want, atol=1e-12)

    pooled = mesonet._np_maxpool_same(x, 2)  # 7x6 -> 4x3, last row alone
    assert pooled.shape == (1, 4, 3, 3)
    np.testing.assert_array_equal(pooled[0, 3], x[0, 6].reshape(3, 2, 3).max(axis=1))
    np.testing.assert_array_equal(pooled[0, 0, 0], x[0, :2, :2].max(axis=(0, 1)))


def test_manifest_sanity_real_portraits() -> None:
    """MANIFEST section 4: on real portrait photos MesoInception_DF gives P(real) >= 0.969
    (whole image and face crop) and Meso4_DF >= 0.726 (whole image, cv2 nearest resize)."""
    if not FACES_DIR.is_dir():
        pytest.skip(f"test photos not found at {FACES_DIR}")
    import cv2

    photos = _portraits()
    boxes = {**FACE_BOXES, "astronaut": ASTRONAUT_BOX}
    whole = np.stack(
        [cv2.resize(rgb, (256, 256), interpolation=cv2.INTER_NEAREST) for rgb in photos.values()]
    )
    crops = np.stack(
        [mesonet.resize_to_input(_square_crop(rgb, boxes[n])) for n, rgb in photos.items()]
    )
    inception = mesonet.MesoNetClassifier(MESONET_DIR / "MesoInception_DF.h5", cache_dir=None)
    meso4 = mesonet.MesoNetClassifier(MESONET_DIR / "Meso4_DF.h5", cache_dir=None)
    assert np.all(inception.real_probability(whole) >= 0.969)
    assert np.all(inception.real_probability(crops) >= 0.969)
    assert np.all(meso4.real_probability(whole) >= 0.726)
    # score is the fake side: low for these real faces
    assert np.all(inception.score(whole) <= 0.031)
