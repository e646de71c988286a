"""Bulk scans: the same rows in-process, on the process pool and on a real local Ray cluster.

The folder mixes benign generated pictures, copies of listed pictures (re-saved, mirrored,
cropped), a listed video's mirrored copy and hostile files (a truncated JPEG, an empty file,
text named .png). The list is a tagged CSV (picture variants and video frames), as a case
exports it. Ray runs on 127.0.0.1 with two local worker processes and a small object store.
"""

from __future__ import annotations

import importlib.util
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import videokit as vk

from ncii_desk.cli.main import main as cli
from ncii_desk.errors import MissingPackage
from ncii_desk.hashing.lists import HashEntry
from ncii_desk.hashing.pipeline import hash_file
from ncii_desk.hashing.video_lists import TaggedRow, frame_rows, original_tag, write_tagged_csv
from ncii_desk.services import scan as svc
from ncii_desk.services.hashlists import picture_variants
from ncii_desk.services.jobs import Job

skdata = pytest.importorskip("skimage.data")

needs_ray = pytest.mark.skipif(
    importlib.util.find_spec("ray") is None,
    reason="ray is not installed: pip install 'ncii-desk[cluster]' (or the test extra)",
)

SCENE = vk.Scene(seconds=4.0, fps=5, size=(160, 120))


def _photo(seed: int, h: int = 240, w: int = 320) -> np.ndarray[Any, Any]:
    """A benign generated picture: smooth noise under a few coloured ellipses."""
    rng = np.random.default_rng(seed)
    acc = np.zeros((h, w), np.float32)
    for octave in range(5):
        g = 4 * 2**octave
        coarse = rng.random((g, g)).astype(np.float32)
        acc += cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC) * 0.6**octave
    acc = (acc - acc.min()) / (acc.max() - acc.min())
    img = np.ascontiguousarray((np.array([40, 70, 30]) + 180 * acc[..., None]).astype(np.uint8))
    for _ in range(8):
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        centre = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        axes = (int(rng.integers(10, w // 5)), int(rng.integers(10, h // 5)))
        cv2.ellipse(img, centre, axes, float(rng.uniform(0, 180)), 0, 360, colour, -1)
    return img


def _save(pixels: np.ndarray[Any, Any], path: Path, quality: int = 88) -> Path:
    image = Image.fromarray(np.ascontiguousarray(pixels))
    image.save(path) if path.suffix == ".png" else image.save(path, quality=quality)
    return path


def _listed_rows(path: Path, label: str) -> list[TaggedRow]:
    """A picture's canonical PDQ and its tagged variants, as a case export writes them."""
    fh = hash_file(path, "original")
    assert fh.pdq is not None and fh.error is None
    canonical = HashEntry("pdq", fh.pdq, fh.pdq_quality, label)
    records = [(v.kind, v.value, v.quality, v.variant) for v in fh.variants]
    variants = picture_variants(fh.pdq, fh.pdq_quality, records, fh.phash, label)
    return [TaggedRow(canonical)] + [TaggedRow(e, e.variant, e.original) for e in variants]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(folder to scan, tagged CSV list)."""
    base = tmp_path_factory.mktemp("scan-corpus")
    originals, folder = base / "originals", base / "dump"
    originals.mkdir()
    (folder / "sub").mkdir(parents=True)
    listed = {"gen": _photo(1), "camera": np.stack([skdata.camera()[::2, ::2]] * 3, axis=-1)}
    rows: list[TaggedRow] = []
    for name, pixels in listed.items():
        rows += _listed_rows(_save(pixels, originals / f"{name}.png"), f"case-{name}")
    video = vk.original(originals, SCENE)
    vfh = hash_file(video, "original")
    records = [(f.variant, f.value, f.quality, f.frame_ms or 0) for f in vfh.frames]
    rows += frame_rows(records, original_tag(vfh.sha256), "case-video")
    listing = base / "clinic.csv"
    with open(listing, "w", encoding="utf-8", newline="") as out:
        write_tagged_csv(rows, out)

    gen, camera = listed["gen"], listed["camera"]
    _save(gen, folder / "gen-resaved.jpg", quality=60)
    _save(np.ascontiguousarray(gen[:, ::-1]), folder / "sub" / "gen-mirrored.jpg")
    _save(camera[12:-12, 16:-16], folder / "camera-crop.jpg")
    _save(cv2.resize(camera, (200, 150)), folder / "sub" / "camera-small.png")
    for seed in range(20, 26):  # benign, unrelated
        _save(_photo(seed), folder / f"unrelated-{seed}.jpg")
    # Unrelated to every listed item: not one of the photos the listed video pans across
    # (a still of those, e.g. coffee, rightly matches one of its frames).
    _save(skdata.immunohistochemistry()[::2, ::2], folder / "sub" / "stain.jpg")
    vk.write_video(folder / "clip-mirrored.mp4", [f[:, ::-1] for f in SCENE.frames()], SCENE.fps)
    whole = (folder / "gen-resaved.jpg").read_bytes()
    (folder / "truncated.jpg").write_bytes(whole[: len(whole) // 3])
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "sub" / "notes.png").write_text("not a picture at all\n", encoding="utf-8")
    return folder, listing


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _rows(executor: svc.Executor, folder: Path, listing: Path, **kw: Any) -> list[dict[str, Any]]:
    lists, _ = svc.load_lists([listing], 31)
    try:
        return sorted(svc.scan(_files(folder), lists, executor, **kw), key=lambda r: r["path"])
    finally:
        executor.close()


@pytest.fixture(scope="module")
def reference(corpus: tuple[Path, Path]) -> list[dict[str, Any]]:
    """The in-process scan's rows: what every other executor must equal."""
    return _rows(svc.InProcess(), *corpus)


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[Any]:
    """A real Ray cluster on 127.0.0.1: two worker CPUs, no dashboard, a small object store."""
    import ray

    ray.init(
        address="local",
        num_cpus=2,
        include_dashboard=False,
        object_store_memory=80 * 1024 * 1024,
        _node_ip_address="127.0.0.1",
        log_to_driver=False,
    )
    try:
        yield ray
    finally:
        ray.shutdown()


def test_the_reference_scan_finds_the_copies_and_reports_each_hostile_file(
    reference: list[dict[str, Any]], corpus: tuple[Path, Path]
) -> None:
    by_name = {Path(r["path"]).name: r for r in reference}
    assert len(by_name) == len(_files(corpus[0]))
    matched = {n for n, r in by_name.items() if r["matches"]}
    assert matched == {
        "gen-resaved.jpg",
        "gen-mirrored.jpg",
        "camera-crop.jpg",
        "camera-small.png",
        "clip-mirrored.mp4",
    }
    [video] = by_name["clip-mirrored.mp4"]["matches"]
    assert video["label"] == "case-video" and video["frames_in_order"] >= video["frames_required"]
    failed = {n for n, r in by_name.items() if r["error"]}
    assert failed == {"truncated.jpg", "empty.jpg"}
    # Text named .png is sniffed as text: matched by its digests only, neither error nor match.
    assert by_name["notes.png"] == {**by_name["notes.png"], "matches": [], "error": None}
    assert all(by_name[n]["hint"] for n in failed)
    assert "empty (0 bytes)" in by_name["empty.jpg"]["error"]


@needs_ray
def test_ray_and_the_process_pool_give_the_in_process_rows_bit_for_bit(
    ray_cluster: Any, reference: list[dict[str, Any]], corpus: tuple[Path, Path]
) -> None:
    on_ray = _rows(svc.RayCluster(batch=3), *corpus)
    assert json.dumps(on_ray, sort_keys=True) == json.dumps(reference, sort_keys=True)
    pooled = _rows(svc.ProcessPool(2), *corpus)
    assert json.dumps(pooled, sort_keys=True) == json.dumps(reference, sort_keys=True)


@needs_ray
def test_cli_scan_on_ray_prints_what_the_in_process_scan_prints(
    ray_cluster: Any, corpus: tuple[Path, Path], capsys: Any
) -> None:
    folder, listing = corpus
    base = ["scan", str(folder), "--against", str(listing), "--json"]
    assert cli([*base, "--workers", "1"]) == 7  # the hostile files: a partial batch
    local = json.loads(capsys.readouterr().out)
    assert cli([*base, "--ray", "auto", "--batch", "2"]) == 7
    remote = json.loads(capsys.readouterr().out)
    for key in ("matches", "errors"):
        local[key].sort(key=lambda r: (r["path"], json.dumps(r, sort_keys=True)))
        remote[key].sort(key=lambda r: (r["path"], json.dumps(r, sort_keys=True)))
    assert remote == local
    assert local["matched_files"] == 5 and len(local["errors"]) == 2


@needs_ray
def test_a_resumed_ray_scan_does_only_the_rest_and_ends_equal_to_a_full_run(
    ray_cluster: Any, reference: list[dict[str, Any]], corpus: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, listing = corpus
    lists, reports = svc.load_lists([listing], 31)
    head = svc.header(reports, 31)
    half = reference[: len(reference) // 2]
    results = tmp_path / "results.jsonl"
    with open(results, "w", encoding="utf-8") as fh:
        for record in [head, *half]:
            fh.write(json.dumps(record, sort_keys=True) + "\n")
        fh.write('{"path": "cut sho')  # a kill in the middle of a line: dropped on resume

    seen: list[tuple[int, int]] = []
    job = Job(on_progress=lambda done, total, _p: seen.append((done, total)))
    out = svc.ResultsFile(results, head, resume=True)
    assert out.rows == half
    executor = svc.RayCluster(batch=2)
    try:
        for row in svc.scan(_files(folder), lists, executor, job, done=[r["path"] for r in half]):
            out.add(row)
    finally:
        out.close()
        executor.close()
    rest = len(reference) - len(half)
    assert seen[-1] == (rest, rest)  # only the files not in the results file were scanned

    lines = results.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0]) == head
    kept = sorted((json.loads(x) for x in lines[1:]), key=lambda r: r["path"])
    assert json.dumps(kept, sort_keys=True) == json.dumps(reference, sort_keys=True)


@needs_ray
def test_a_cancelled_ray_scan_stops_early_and_resuming_it_through_the_cli_completes_it(
    ray_cluster: Any, reference: list[dict[str, Any]], corpus: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, listing = corpus
    lists, reports = svc.load_lists([listing], 31)
    results = tmp_path / "results.jsonl"
    out = svc.ResultsFile(results, svc.header(reports, 31), resume=False)
    job = Job()
    job.on_progress = lambda done, total, _p: job.token.cancel()  # cancel at the first row
    executor = svc.RayCluster(batch=1, in_flight_per_cpu=1)  # two files in flight at most
    try:
        for row in svc.scan(_files(folder), lists, executor, job):
            out.add(row)
    finally:
        out.close()
        executor.close()
    done_first = len(results.read_text(encoding="utf-8").splitlines()) - 1
    assert 1 <= done_first <= 2 < len(reference)

    rc = cli(
        [
            *("scan", str(folder), "--against", str(listing), "--json", "--ray", "auto"),
            *("--jsonl", str(results), "--resume"),
        ]
    )
    assert rc == 7
    lines = results.read_text(encoding="utf-8").splitlines()[1:]
    kept = sorted((json.loads(x) for x in lines), key=lambda r: r["path"])
    assert json.dumps(kept, sort_keys=True) == json.dumps(reference, sort_keys=True)


def test_jsonl_rows_stream_to_a_file_and_a_results_file_is_never_overwritten_or_mixed(
    corpus: tuple[Path, Path], reference: list[dict[str, Any]], tmp_path: Path, capsys: Any
) -> None:
    folder, listing = corpus
    results = tmp_path / "out.jsonl"
    base = ["scan", str(folder), "--against", str(listing), "--workers", "1"]
    assert cli([*base, "--jsonl", str(results)]) == 7
    rows = [json.loads(x) for x in results.read_text(encoding="utf-8").splitlines()[1:]]
    assert sorted(rows, key=lambda r: r["path"]) == reference
    assert results.stat().st_mode & 0o077 == 0  # paths and hashes: the owner's only
    capsys.readouterr()

    assert cli([*base, "--resume"]) == 2  # nothing to resume from
    assert "--jsonl FILE --resume" in capsys.readouterr().err
    assert cli([*base, "--jsonl", str(results)]) == 2  # exists, no --resume: refused
    assert "--resume" in capsys.readouterr().err
    assert cli([*base, "--jsonl", str(results), "--resume", "--pdq-threshold", "20"]) == 2
    assert "other hash lists or another PDQ threshold" in capsys.readouterr().err
    assert cli([*base, "--jsonl", str(results), "--resume"]) == 7  # nothing left: same file
    again = [json.loads(x) for x in results.read_text(encoding="utf-8").splitlines()[1:]]
    assert again == rows
    scanned = len(reference) - 2  # the summary counts the resumed rows; 2 failed files
    assert f"Scanned {scanned} file(s)" in capsys.readouterr().out

    assert cli([*base, "--jsonl", "-"]) == 7  # rows on standard output, one per line
    printed = [json.loads(x) for x in io.StringIO(capsys.readouterr().out)]
    assert sorted(printed, key=lambda r: r["path"]) == reference


def test_without_ray_installed_the_ray_option_names_the_package_and_the_extra(
    corpus: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError
    with pytest.raises(MissingPackage) as err:
        svc.executor_for("auto", None)
    assert "'ray'" in err.value.message and "ncii-desk[cluster]" in err.value.hint
    folder, listing = corpus
    assert cli(["scan", str(folder), "--against", str(listing), "--ray", "auto"]) == 8
    said = capsys.readouterr().err
    assert "ray" in said and "ncii-desk[cluster]" in said
