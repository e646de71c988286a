"""The feature index proposes the originals a suspect can be verified against."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import pytest

from ncii_desk.hashing import features as lf
from ncii_desk.hashing.feature_index import (
    DEFAULT_CANDIDATES,
    NOISE_FLOOR_MIN_ORIGINALS,
    FeatureIndex,
)

skdata = pytest.importorskip("skimage.data")

PHOTOS = ("astronaut", "coffee", "rocket", "chelsea", "hubble_deep_field")


def generated(seed: int) -> np.ndarray[Any, Any]:
    """A benign generated picture: colour field, random discs and polygons, sensor noise."""
    r = np.random.default_rng(seed)
    img = cv2.resize(r.random((5, 7, 3)).astype(np.float32), (480, 360)) * 200
    for _ in range(25):
        colour = tuple(float(v) for v in r.integers(0, 255, 3))
        if r.random() < 0.5:
            centre = (int(r.integers(0, 480)), int(r.integers(0, 360)))
            cv2.circle(img, centre, int(r.integers(5, 60)), colour, -1)
        else:
            pts = r.integers(0, [480, 360], (int(r.integers(3, 6)), 2)).astype(np.int32)
            cv2.fillPoly(img, [pts], colour)
    img += r.normal(0, 8, img.shape).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


def _variants(x: np.ndarray[Any, Any]) -> list[np.ndarray[Any, Any]]:
    h, w = x.shape[:2]
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), 5, 1.0)
    return [
        np.ascontiguousarray(x[h // 5 :, : w * 4 // 5]),  # off-centre crop
        cv2.warpAffine(x, turn, (w, h)),  # small rotation
    ]


@pytest.fixture(scope="module")
def index() -> tuple[FeatureIndex, dict[str, lf.Features]]:
    feats = {name: lf.extract(np.ascontiguousarray(getattr(skdata, name)())) for name in PHOTOS}
    for i in range(NOISE_FLOOR_MIN_ORIGINALS + 3):
        feats[f"generated {i}"] = lf.extract(generated(i))
    idx = FeatureIndex()
    for key, f in feats.items():
        idx.add(key, f)
    return idx, feats


def test_every_original_the_verifier_accepts_is_a_candidate(index: Any) -> None:
    idx, feats = index
    accepted = 0
    for name in PHOTOS:
        for variant in _variants(np.ascontiguousarray(getattr(skdata, name)())):
            suspect = lf.extract(variant)
            cands = idx.candidates(suspect)
            assert 1 <= len(cands) <= DEFAULT_CANDIDATES
            votes = [v for _, v in cands]
            assert votes == sorted(votes, reverse=True)
            every_pair = {k for k, f in feats.items() if lf.verify(suspect, f).matched}
            assert name in every_pair  # the variant really is found by checking every pair
            assert every_pair <= {k for k, _ in cands}, (name, every_pair, cands)
            accepted += 1
    assert accepted == 2 * len(PHOTOS)


def test_unrelated_suspects_get_few_or_no_candidates(index: Any) -> None:
    idx, feats = index
    proposed = 0
    for seed in range(1000, 1006):
        suspect = lf.extract(generated(seed))
        cands = idx.candidates(suspect)
        proposed += len(cands)
        assert not any(lf.verify(suspect, feats[k]).matched for k, _ in cands)
    # Without the noise floor each would get the full DEFAULT_CANDIDATES.
    assert proposed < 6 * DEFAULT_CANDIDATES


def test_candidates_are_limited_to_the_originals_asked_for(index: Any) -> None:
    idx, _ = index
    suspect = lf.extract(_variants(np.ascontiguousarray(skdata.coffee()))[0])
    assert idx.candidates(suspect)[0][0] == "coffee"
    only = idx.candidates(suspect, among=["rocket", "coffee"])
    assert only and {k for k, _ in only} <= {"rocket", "coffee"} and only[0][0] == "coffee"
    # Too few originals for a noise floor: the one asked for is proposed (accidental votes),
    # and the verifier turns it down.
    assert [k for k, _ in idx.candidates(suspect, among=["rocket"])] == ["rocket"]
    assert idx.candidates(suspect, among=[]) == []
    assert idx.candidates(suspect, k=0) == []


def test_an_original_is_indexed_once_and_tables_are_rebuilt_after_add() -> None:
    idx = FeatureIndex()
    first = lf.extract(generated(1))
    idx.add("a", first)
    with pytest.raises(ValueError, match="already"):
        idx.add("a", first)
    assert idx.candidates(first)[0][0] == "a"
    assert idx.builds == 1
    idx.candidates(first)
    assert idx.builds == 1  # built once, reused
    idx.add("b", lf.extract(generated(2)))
    assert {k for k, _ in idx.candidates(lf.extract(generated(2)))} >= {"b"}
    assert idx.builds == 2
    assert len(idx) == 2 and "b" in idx and list(idx.keys) == ["a", "b"]
    empty = FeatureIndex()
    assert empty.candidates(first) == []
