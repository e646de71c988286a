"""Hashing at the decode floor and a quick start: the reduced luma decode and its PDQ, digests
taken beside the decode, the glibc buffer setting on every path, small jobs without a worker
pool, and a command line that starts without the heavy libraries."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pdqhash
import pytest
from PIL import Image

from ncii_desk.hashing import perceptual as ph
from ncii_desk.hashing import pipeline
from ncii_desk.hashing.pipeline import hash_file
from ncii_desk.media.loader import load_image

skdata = pytest.importorskip("skimage.data")
ROOT = Path(__file__).resolve().parents[2]


def _photo(name: str, w: int, h: int, seed: int = 0) -> np.ndarray[Any, Any]:
    """A scikit-image sample photo enlarged to w x h with sensor-like noise."""
    img = np.asarray(getattr(skdata, name)())
    if img.ndim == 2:
        img = np.dstack([img] * 3)
    big = cv2.resize(np.ascontiguousarray(img[:, :, :3]), (w, h), interpolation=cv2.INTER_CUBIC)
    noise = np.random.default_rng(seed).normal(0, 4, big.shape)
    return np.clip(big + noise, 0, 255).astype(np.uint8)


def _jpeg(pixels: np.ndarray[Any, Any], path: Path) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "JPEG", quality=90)
    path.write_bytes(buf.getvalue())
    return buf.getvalue()


def _full_decode_pdq(data: bytes) -> str:
    vector, _ = pdqhash.compute(np.asarray(Image.open(io.BytesIO(data)).convert("RGB")))
    return ph.bits_to_hex(vector)


def test_plain_pdq_of_12_mp_photos_stays_at_the_full_decode(tmp_path: Path) -> None:
    # Decoded at 1/8 (500 x 375 luma), the PDQ is still that of the full picture: the old
    # 1/4 decode hashed as it was drifted 2-10 bits (20 over these four), now 0-2.
    drift = {}
    for name in ("astronaut", "coffee", "chelsea", "rocket"):
        path = tmp_path / f"{name}.jpg"
        data = _jpeg(_photo(name, 4000, 3000), path)
        result = hash_file(path)
        assert result.error is None and result.pdq is not None
        assert (result.width, result.height) == (4000, 3000)
        drift[name] = ph.hamming_hex(result.pdq, _full_decode_pdq(data))
    assert max(drift.values()) <= 4, drift
    assert sum(drift.values()) <= 6, drift


def test_pdq_of_block_means_is_the_full_pictures_pdq() -> None:
    full = _photo("coffee", 1603, 1205)  # neither side a multiple of 8: short last blocks
    grey = cv2.cvtColor(full, cv2.COLOR_RGB2GRAY)
    h, w = grey.shape
    padded = np.pad(grey.astype(np.float64), ((0, -h % 8), (0, -w % 8)), mode="edge")
    means = padded.reshape(-(-h // 8), 8, -(-w // 8), 8).mean(axis=(1, 3))
    reduced = np.round(means).astype(np.uint8)
    reference = ph.pdq(grey)
    folded = ph.pdq_of_reduced(reduced, h, w, 8)
    assert ph.hamming_hex(folded.hex, reference.hex) <= 6  # measured 6
    assert abs(folded.quality - reference.quality) <= 2
    # Hashing the small picture as if it were the whole (22 bits off) is what the fold corrects.
    naive = ph.pdq(reduced)
    assert ph.hamming_hex(naive.hex, reference.hex) >= ph.hamming_hex(folded.hex, reference.hex) + 8
    with pytest.raises(ValueError, match="do not match"):
        ph.pdq_of_reduced(reduced, h + 8, w, 8)


def test_grey_decode_gives_luma_of_jpeg_and_rgb_of_other_formats(tmp_path: Path) -> None:
    pixels = _photo("astronaut", 1024, 768)
    data = _jpeg(pixels, tmp_path / "a.jpg")
    grey = load_image(data, min_side=pipeline.PLAIN_DECODE_SIDE, grey=True)
    assert grey.pixels.shape == (192, 256) and grey.reduced_by == 4
    assert (grey.width, grey.height) == (1024, 768)
    rgb = load_image(data, min_side=pipeline.PLAIN_DECODE_SIDE)
    assert rgb.pixels.shape == (192, 256, 3)
    luma = cv2.cvtColor(rgb.pixels, cv2.COLOR_RGB2GRAY).astype(int)
    assert np.abs(luma - grey.pixels.astype(int)).mean() < 1.5
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "PNG")
    assert load_image(buf.getvalue(), grey=True).pixels.shape == (768, 1024, 3)
    # The DCT scale is the decoder's own, not a ratio of sizes: 9 px at 1/8 is 2 px.
    tiny = io.BytesIO()
    Image.fromarray(pixels[:9, :17]).save(tiny, "JPEG")
    small = load_image(tiny.getvalue(), min_side=1, grey=True)
    assert small.pixels.shape == (2, 3) and small.reduced_by == 8


@pytest.mark.parametrize("spare_core", [True, False])
def test_digests_are_the_files_with_or_without_the_second_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spare_core: bool
) -> None:
    monkeypatch.setattr(pipeline, "_spare_core", lambda: spare_core)
    path = tmp_path / "p.jpg"
    data = _jpeg(_photo("rocket", 1600, 1200), path)
    assert len(data) >= pipeline.OVERLAP_MIN_BYTES
    result = hash_file(path)
    assert result.error is None
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.md5 == hashlib.md5(data, usedforsecurity=False).hexdigest()
    # A file that cannot be decoded still gets its digests.
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(data[: len(data) // 2] + b"\0" * (len(data) // 2))
    damaged = hash_file(broken)
    assert damaged.sha256 == hashlib.sha256(broken.read_bytes()).hexdigest()


def _run_python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSTARTUP"}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc settings")
def test_in_process_hashing_keeps_freed_image_buffers(tmp_path: Path) -> None:
    # A 30 MiB buffer (a decoded 10 MP picture) came from its own mmap, unmapped on free and
    # page-faulted in anew for the next file; after the first hash_file it comes from the heap.
    # (Probed once only: glibc raises its own threshold after freeing a mapped block.)
    Image.fromarray(_photo("coins", 64, 48)).save(tmp_path / "small.png")
    done = _run_python(
        """
        import ctypes, json
        from pathlib import Path
        class Info(ctypes.Structure):
            _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks",
                "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = Info
        libc.malloc.restype = ctypes.c_void_p
        def mapped():
            before = libc.mallinfo2().hblks
            block = libc.malloc(30 << 20)
            after = libc.mallinfo2().hblks
            libc.free(ctypes.c_void_p(block))
            return after - before
        from ncii_desk.hashing.pipeline import hash_file
        result = hash_file(Path("small.png"))
        print(json.dumps({"mapped": mapped(), "error": result.error}))
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out == {"mapped": 0, "error": None}


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: never a pool")
def test_a_small_job_runs_without_a_worker_pool(tmp_path: Path) -> None:
    for i in range(3):
        Image.fromarray(_photo("coffee", 320, 240, seed=i)).save(tmp_path / f"{i}.jpg")
    done = _run_python(
        """
        import json, multiprocessing
        from pathlib import Path
        from ncii_desk.hashing import pipeline
        paths = sorted(Path(".").glob("*.jpg"))
        few = [r.path for r in pipeline.hash_many(paths)]
        alone = {"results": few, "pools": len(pipeline._pools),
                 "children": len(multiprocessing.active_children())}
        many = paths * 3  # 9 files: the pool is worth starting
        pooled = sorted(r.path for r in pipeline.hash_many(many))
        alone["pooled"] = len(pooled)
        alone["pools_after"] = len(pipeline._pools)
        print(json.dumps(alone))
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["results"] == ["0.jpg", "1.jpg", "2.jpg"]
    assert out["pools"] == 0 and out["children"] == 0
    assert out["pooled"] == 9 and out["pools_after"] == 1


HEAVY = ("cv2", "onnxruntime", "reportlab", "PySide6", "sqlalchemy")


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["hash", "--help"]])
def test_help_and_version_load_no_heavy_library(tmp_path: Path, argv: list[str]) -> None:
    done = _run_python(
        f"""
        import importlib.util, json, sys
        from ncii_desk.cli.main import main
        try:
            main({argv!r})
        except SystemExit:
            pass
        lazy = importlib.util._LazyModule
        loaded = sorted({{name.split(".")[0] for name, module in list(sys.modules.items())
                          if module is not None and not isinstance(module, lazy)}})
        print(json.dumps([m for m in loaded if m in {HEAVY!r}]))
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_choices_loaded_on_use_are_still_checked_and_listed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from ncii_desk.cli.main import main

    with pytest.raises(SystemExit) as bad:
        main(["settings", "set", "no.such.setting", "1"])
    assert bad.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'no.such.setting'" in err and "thresholds.pdq_distance" in err
    with pytest.raises(SystemExit):
        main(["requests", "status", "--help"])
    assert "acknowledged" in capsys.readouterr().out
    with pytest.raises(SystemExit) as route:
        main(["requests", "draft", "--help"])
    assert route.value.code == 0
    assert "ncii-report" in capsys.readouterr().out
