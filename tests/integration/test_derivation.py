"""Source derivation on generated edits of benign photos.

Each suspect is made the way a "nudified" or face-swapped picture is: a rectangle of a real
photo is replaced (by a patch of another photo or a synthetic texture), then the picture is
cropped, resized and JPEG-recompressed and decoded by the media loader. find_source must
name the right original among decoys and put the altered region where the edit is.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import cv2
import numpy as np
import pytest
import skimage.data
from PIL import Image

from conftest import SHARED
from ncii_desk.errors import Cancelled
from ncii_desk.media.loader import load_image
from ncii_desk.services.jobs import Job
from ncii_desk.vision import derivation
from ncii_desk.vision.signals import Strength

FACES = SHARED / "testdata" / "faces"
Box = tuple[int, int, int, int]


def _rgb(img: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.dstack([img] * 3) if img.ndim == 2 else img[..., :3])


def _originals() -> dict[str, np.ndarray]:
    out = {
        n: _rgb(getattr(skimage.data, n)()) for n in ("astronaut", "coffee", "chelsea", "rocket")
    }
    for name in ("chirac1.jpg", "chirac3.jpg", "chirac4.jpg"):
        if (FACES / name).is_file():  # the same person in three photos: hard decoys
            out[name] = load_image(FACES / name).pixels
    return out


@pytest.fixture(scope="module")
def originals() -> dict[str, np.ndarray]:
    return _originals()


@pytest.fixture(scope="module")
def prepared(originals: dict[str, np.ndarray]) -> list[tuple[str, derivation.PreparedOriginal]]:
    return [(name, derivation.prepare(px)) for name, px in originals.items()]


def _patch(kind: str, w: int, h: int, seed: int) -> np.ndarray:
    if kind == "photo":  # a region of another photo pasted in
        return cv2.resize(_rgb(skimage.data.immunohistochemistry()), (w, h))
    if kind == "texture":  # a synthetic texture, tinted
        return np.clip(cv2.resize(_rgb(skimage.data.grass()), (w, h)) * [1.1, 0.8, 0.7], 0, 255)
    rng = np.random.default_rng(seed)  # smooth skin-like fill with a little noise
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.array([205, 160, 140], np.float32) + (xx / w - 0.5)[..., None] * 30
    noise = cv2.GaussianBlur(rng.normal(0, 8, (h, w)).astype(np.float32), (0, 0), 2)
    return np.clip(base + noise[..., None] + (yy / h)[..., None] * 10, 0, 255)


@dataclass(frozen=True)
class Edit:
    original: str
    fill: str
    rect: tuple[float, float, float, float]  # x, y, w, h as shares of the original
    crop: tuple[float, float, float, float]  # left, top, right, bottom kept (shares)
    scale: float
    quality: int


def _make(original: np.ndarray, edit: Edit, *, paste: bool = True) -> tuple[np.ndarray, Box]:
    """The suspect's pixels and the edited rectangle in the suspect's own pixels."""
    h, w = original.shape[:2]
    x, y = int(edit.rect[0] * w), int(edit.rect[1] * h)
    bw, bh = int(edit.rect[2] * w), int(edit.rect[3] * h)
    img = original.copy()
    if paste:
        img[y : y + bh, x : x + bw] = _patch(edit.fill, bw, bh, seed=bw).astype(np.uint8)
    cx0, cy0 = int(edit.crop[0] * w), int(edit.crop[1] * h)
    cx1, cy1 = int(edit.crop[2] * w), int(edit.crop[3] * h)
    img = img[cy0:cy1, cx0:cx1]
    size = (round((cx1 - cx0) * edit.scale), round((cy1 - cy0) * edit.scale))
    img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "JPEG", quality=edit.quality)
    pixels = load_image(buf.getvalue()).pixels
    sx, sy = size[0] / (cx1 - cx0), size[1] / (cy1 - cy0)
    x0, y0 = max(x, cx0) - cx0, max(y, cy0) - cy0
    x1, y1 = min(x + bw, cx1) - cx0, min(y + bh, cy1) - cy0
    return pixels, (round(x0 * sx), round(y0 * sy), round((x1 - x0) * sx), round((y1 - y0) * sy))


def _iou(a: Box, b: Box) -> float:
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    union = a[2] * a[3] + b[2] * b[3] - ix * iy
    return ix * iy / union


def _mask_iou(result: derivation.DerivationResult, box: Box) -> float:
    w, h = result.suspect_size
    mask = cv2.resize(result.altered_mask.astype(np.uint8), (w, h), cv2.INTER_NEAREST) > 0
    truth = np.zeros((h, w), bool)
    truth[box[1] : box[1] + box[3], box[0] : box[0] + box[2]] = True
    return float((mask & truth).sum() / (mask | truth).sum())


EDITS = [
    Edit("astronaut", "photo", (0.30, 0.45, 0.35, 0.40), (0.05, 0.0, 0.95, 1.0), 0.8, 75),
    Edit("coffee", "texture", (0.10, 0.20, 0.30, 0.35), (0.0, 0.1, 0.85, 1.0), 0.6, 65),
    Edit("chelsea", "smooth", (0.45, 0.30, 0.25, 0.45), (0.1, 0.0, 1.0, 0.9), 0.9, 85),
    Edit("rocket", "photo", (0.55, 0.10, 0.25, 0.25), (0.0, 0.0, 0.9, 0.95), 0.75, 70),
    Edit("chirac1.jpg", "smooth", (0.20, 0.60, 0.50, 0.38), (0.1, 0.05, 0.95, 1.0), 0.5, 80),
    Edit("chirac3.jpg", "texture", (0.05, 0.05, 0.30, 0.35), (0.0, 0.0, 0.8, 0.85), 0.9, 60),
]


@pytest.mark.parametrize("edit", EDITS, ids=lambda e: f"{e.original}-{e.fill}")
def test_finds_the_original_and_the_edited_region(
    edit: Edit,
    originals: dict[str, np.ndarray],
    prepared: list[tuple[str, derivation.PreparedOriginal]],
) -> None:
    if edit.original not in originals:
        pytest.skip(f"{FACES} is not available")
    suspect, truth = _make(originals[edit.original], edit)
    result = derivation.find_source(suspect, prepared)
    assert result is not None
    assert result.original_id == edit.original
    assert result.inliers >= derivation.MIN_INLIERS
    assert result.suspect_size == (suspect.shape[1], suspect.shape[0])
    assert result.altered_boxes, "the pasted region was not found"
    assert _iou(result.altered_boxes[0], truth) > 0.5
    assert _mask_iou(result, truth) > 0.5
    true_share = truth[2] * truth[3] / (suspect.shape[0] * suspect.shape[1])
    assert result.altered_share == pytest.approx(true_share, abs=0.08)
    assert result.overlap_share > 0.97  # a crop of the original: all of it is covered
    assert result.matched_share + result.altered_share == pytest.approx(result.overlap_share)
    # The original's corners, mapped by the homography, frame the crop: the top-left corner
    # of the original lies up and left of the suspect's, by the cropped-away margin.
    h = np.array(result.homography)
    corner = h @ np.array([0.0, 0.0, 1.0])
    ox, oy = corner[:2] / corner[2]
    w0, h0 = originals[edit.original].shape[1], originals[edit.original].shape[0]
    assert ox == pytest.approx(-edit.crop[0] * w0 * edit.scale, abs=4 + 0.02 * w0)
    assert oy == pytest.approx(-edit.crop[1] * h0 * edit.scale, abs=4 + 0.02 * h0)


def test_an_unrelated_image_has_no_source(
    prepared: list[tuple[str, derivation.PreparedOriginal]],
) -> None:
    for name in ("camera", "coins", "colorwheel"):
        other = _rgb(getattr(skimage.data, name)())
        edit = Edit(name, "texture", (0.2, 0.2, 0.3, 0.3), (0.0, 0.0, 0.9, 0.9), 0.8, 75)
        suspect, _ = _make(other, edit)
        assert derivation.find_source(suspect, prepared) is None, name


def test_an_unedited_copy_is_explained_completely(
    originals: dict[str, np.ndarray],
    prepared: list[tuple[str, derivation.PreparedOriginal]],
) -> None:
    edit = Edit("coffee", "photo", (0.0, 0.0, 0.1, 0.1), (0.1, 0.05, 0.9, 0.95), 0.55, 60)
    suspect, _ = _make(originals["coffee"], edit, paste=False)
    # a colour and brightness shift, as filters and re-encoding make
    shifted = np.clip(suspect.astype(np.float32) * [1.1, 1.0, 0.85] + 12, 0, 255)
    result = derivation.find_source(shifted.astype(np.uint8), prepared)
    assert result is not None and result.original_id == "coffee"
    assert result.altered_boxes == []
    assert result.altered_share < 0.01
    assert result.matched_share > 0.97
    signal = result.signal()
    assert signal.strength is Strength.STRONG
    assert "no altered region was found" in signal.finding


def test_a_mirrored_edit_is_found(
    originals: dict[str, np.ndarray],
    prepared: list[tuple[str, derivation.PreparedOriginal]],
) -> None:
    edit = EDITS[0]
    suspect, truth = _make(originals[edit.original], edit)
    mirrored = np.ascontiguousarray(suspect[:, ::-1])
    w = suspect.shape[1]
    flipped_truth = (w - truth[0] - truth[2], truth[1], truth[2], truth[3])
    result = derivation.find_source(mirrored, prepared)
    assert result is not None and result.original_id == edit.original
    assert result.mirrored
    assert _iou(result.altered_boxes[0], flipped_truth) > 0.5
    assert "mirror image" in result.signal().finding


def test_signal_grid_and_json(
    originals: dict[str, np.ndarray],
    prepared: list[tuple[str, derivation.PreparedOriginal]],
) -> None:
    edit = EDITS[0]
    suspect, truth = _make(originals[edit.original], edit)
    result = derivation.find_source(suspect, prepared)
    assert result is not None
    signal = result.signal(label="photo 1")
    assert signal.kind == "derivation"
    assert signal.strength is Strength.STRONG
    assert signal.finding.startswith("Made from original photo 1: ")
    matched = round(result.matched_share * 100)
    assert f"{matched} % of the image matches it" in signal.finding
    assert "a region covering" in signal.finding
    assert "does not show who edited it" in signal.caveat
    data = json.loads(json.dumps(result.as_dict()))  # JSON-safe, no pixel arrays
    assert data["original_id"] == "astronaut"
    assert data["altered_boxes"][0] == list(result.altered_boxes[0])
    assert data["thresholds"]["min_inliers"] == derivation.MIN_INLIERS
    assert "heatmap" not in data
    grid = np.array(data["grid"])
    assert grid.shape == (derivation.GRID_SIZE, derivation.GRID_SIZE)
    assert grid.min() >= 0.0 and grid.max() <= 1.0
    # cells inside the edited rectangle are altered, cells far outside it are not
    w, h = result.suspect_size
    gx = lambda x: min(derivation.GRID_SIZE - 1, int(x * derivation.GRID_SIZE / w))  # noqa: E731
    gy = lambda y: min(derivation.GRID_SIZE - 1, int(y * derivation.GRID_SIZE / h))  # noqa: E731
    inside = grid[gy(truth[1] + truth[3] / 2), gx(truth[0] + truth[2] / 2)]
    assert inside > 0.9
    assert grid[gy(5), gx(5)] == 0.0
    assert grid[gy(h - 5), gx(w - 5)] == 0.0


def test_render_heatmap_marks_the_altered_region(
    originals: dict[str, np.ndarray],
    prepared: list[tuple[str, derivation.PreparedOriginal]],
) -> None:
    edit = EDITS[1]
    suspect, truth = _make(originals[edit.original], edit)
    result = derivation.find_source(suspect, prepared)
    assert result is not None
    picture = derivation.render_heatmap(suspect, result)
    assert picture.shape == suspect.shape and picture.dtype == np.uint8
    x, y, w, h = truth
    inner = picture[y + h // 4 : y + 3 * h // 4, x + w // 4 : x + 3 * w // 4].astype(int)
    assert (inner[..., 0] - inner[..., 1]).mean() > 60  # red where the edit is
    untouched = picture[-20:, -20:].astype(int)  # bottom-right corner: unedited, grey
    assert np.abs(untouched[..., 0] - untouched[..., 1]).mean() < 10


def test_a_cancelled_job_stops_the_search(
    originals: dict[str, np.ndarray],
    prepared: list[tuple[str, derivation.PreparedOriginal]],
) -> None:
    job = Job()
    job.token.cancel()
    with pytest.raises(Cancelled):
        derivation.find_source(originals["astronaut"], prepared, job=job)


def test_bad_pixels_are_refused() -> None:
    with pytest.raises(ValueError, match="RGB uint8"):
        derivation.prepare(np.zeros((64, 64), np.uint8))
    with pytest.raises(ValueError, match="too small"):
        derivation.find_source(np.zeros((8, 8, 3), np.uint8), [])


def test_no_originals_means_no_source(originals: dict[str, np.ndarray]) -> None:
    assert derivation.find_source(originals["astronaut"], []) is None
