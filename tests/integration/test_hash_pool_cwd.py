"""A warm hashing pool keeps the folder it started in; relative paths given later must still
mean the caller's folder (the README example failed after another test had warmed the pool)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ncii_desk.hashing import pipeline


def _pictures(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True)
    rng = np.random.default_rng(7)
    out = []
    for i in range(n):
        path = folder / f"p{i}.png"
        Image.fromarray(rng.integers(0, 255, (64, 96, 3), dtype=np.uint8)).save(path)
        out.append(path)
    return out


def test_relative_paths_are_the_callers_when_a_pool_is_warm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = tmp_path / "first"
    monkeypatch.chdir(tmp_path)
    warm = list(pipeline.hash_many(_pictures(first, 3), workers=2))
    assert [r.error for r in warm] == [None] * 3
    later = tmp_path / "elsewhere"
    _pictures(later / "some-folder", 2)
    monkeypatch.chdir(later)  # the pool's workers are still in tmp_path
    relative = [Path("some-folder/p0.png"), Path("some-folder/p1.png")]
    results = list(pipeline.hash_many(relative, workers=2))
    assert sorted(r.path for r in results) == [str(p) for p in relative]
    assert [r.error for r in results] == [None, None]
    assert all(r.pdq for r in results)
