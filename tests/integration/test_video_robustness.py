"""Videos as robust as stills: frame variants, the frame rule, per-frame export and scan.

Videos are generated (tests/videokit.py: a slow pan across scikit-image photos), 6 s at
5 fps and 192x144, with their re-post edits; bench/video_robustness.py runs the same at
20 s and 640x480.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import videokit as vk

from ncii_desk.cli.main import main as cli
from ncii_desk.hashing.lists import load_hash_list
from ncii_desk.hashing.pipeline import hash_file
from ncii_desk.hashing.video_lists import frame_rows
from ncii_desk.hashing.video_variants import (
    LetterboxFinder,
    frame_rule,
    required_frames,
)
from ncii_desk.services import cases, intake, matching
from ncii_desk.services.hashlists import export_case_hashes
from ncii_desk.services.items import list_items
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Role
from ncii_desk.vault.store import CaseStore

pytest.importorskip("skimage.data")

SCENE = vk.Scene(seconds=6.0, fps=5, size=(192, 144))
EDITS = ("mirrored", "letterboxed", "90% crop", "still frame")
#: What an original's frames are hashed as: as they are, mirrored, centred crops every 5 %.
ORIGINAL_VARIANTS = {"frame", "frame mirror"} | {
    f"frame center-crop {p}%" for p in (95, 90, 85, 80, 75)
}


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The original, its edits (by name), an unrelated video and a damaged one."""
    base = tmp_path_factory.mktemp("videos")
    originals, suspects = base / "originals", base / "suspects"
    originals.mkdir()
    suspects.mkdir()
    out = {"original": vk.original(originals, SCENE)}
    for v in vk.variants(suspects, SCENE):
        if v.name in EDITS:
            out[v.name] = v.path
        else:
            v.path.unlink()
    out["unrelated"] = vk.unrelated(suspects, SCENE)
    data = out["original"].read_bytes()
    out["damaged"] = suspects / "damaged.mp4"
    out["damaged"].write_bytes(data[:48] + bytes(len(data) // 2))  # header kept, rest zeroed
    return out


def _case(vault: Vault, videos: dict[str, Path]) -> tuple[str, Any]:
    case_id = cases.new_case(vault, "video case").id
    added = intake.add_items(vault, case_id, Role.ORIGINAL, [videos["original"].parent])
    assert matching.hash_items(vault, added.sources, workers=1).errors == []
    added = intake.add_items(vault, case_id, Role.SUSPECT, [videos["mirrored"].parent])
    report = matching.hash_items(vault, added.sources, workers=1)
    return case_id, report


# --- hashing ---------------------------------------------------------------------------------


def test_suspect_video_frames_are_hashed_mirrored_and_without_letterbox_bars(
    videos: dict[str, Path],
) -> None:
    plain = hash_file(videos["original"], "suspect")
    boxed = hash_file(videos["letterboxed"], "suspect")
    original = hash_file(videos["original"], "original")
    assert {f.variant for f in plain.frames} == {"frame", "frame mirror"}  # no bars: no cut
    assert {f.variant for f in boxed.frames} == {
        "frame",
        "frame mirror",
        "frame trimmed",
        "frame trimmed mirror",
    }
    assert {f.variant for f in original.frames} == ORIGINAL_VARIANTS
    times = sorted({f.frame_ms for f in plain.frames if f.variant == "frame"})
    assert times == [0, 1000, 2000, 3000, 4000, 5000]
    # Each frame without its bars is the original's frame again (squeezed back).
    trimmed = {f.frame_ms: f.value for f in boxed.frames if f.variant == "frame trimmed"}
    same = {f.frame_ms: f.value for f in original.frames if f.variant == "frame"}
    from ncii_desk.hashing.perceptual import hamming_hex

    assert max(hamming_hex(trimmed[t], same[t]) for t in times) <= 31


def test_letterbox_bars_are_cut_only_when_flat_and_steady_in_every_frame() -> None:
    rng = np.random.default_rng(5)

    def frame(sky: int, bars: bool) -> np.ndarray[Any, Any]:
        pixels = rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)
        pixels[:30] = sky  # a flat sky at the top: its brightness changes over time
        if bars:
            pixels[:, :12] = pixels[:, -12:] = 16  # pillarbox bars, dark grey, always
        return pixels

    barred, sky_only, one = LetterboxFinder(), LetterboxFinder(), LetterboxFinder()
    for sky in (120, 160, 200):
        barred.add(frame(sky, True))
        sky_only.add(frame(sky, False))
    one.add(frame(120, True))
    box = barred.box()
    assert box is not None and (box.left, box.right) == (12, 148)
    assert (box.top, box.bottom) == (0, 120)  # the sky changes: it is not a bar
    assert sky_only.box() is None
    assert one.box() is None  # one frame cannot tell a bar from a sky


def test_blurred_side_fills_are_cut_but_a_smooth_sky_on_one_side_is_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import cv2

    from ncii_desk.hashing import video_variants

    rng = np.random.default_rng(6)
    filled, sky = LetterboxFinder(), LetterboxFinder()
    for k in range(3):
        coarse = rng.integers(0, 255, (4, 4, 3), dtype=np.uint8)  # big shapes, new each time
        smooth_content = cv2.resize(coarse, (120, 120), interpolation=cv2.INTER_LINEAR)
        noise = rng.integers(-40, 40, (120, 120, 3))
        content = np.clip(smooth_content + noise, 0, 255).astype(np.uint8)
        blown = cv2.resize(content, (200, 200), interpolation=cv2.INTER_LINEAR)
        fill = cv2.GaussianBlur(blown, (0, 0), 12)[:120, :200]
        frame = fill.copy()
        frame[:, 40:160] = content  # the video between two blurred fills, as apps make it
        filled.add(frame)
        smooth = np.linspace(90 + 30 * k, 150 + 30 * k, 40)[:, None, None]  # a sky, changing
        picture = rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)
        picture[:40] = np.broadcast_to(smooth, (40, 160, 3)).astype(np.uint8)
        sky.add(picture)
    box = filled.box()
    assert box is not None and (box.top, box.bottom) == (0, 120)
    assert abs(box.left - 40) <= 1 and abs(box.right - 160) <= 1  # the step may count as fill
    assert sky.box() is None
    monkeypatch.setattr(video_variants, "SOFT_FILL_STEP", -1.0)  # flat bars only
    assert filled.box() is None  # the fills are not flat: only their softness tells


# --- the frame rule --------------------------------------------------------------------------


def test_frame_rule_needs_enough_frames_in_time_order() -> None:
    times = [0, 1000, 2000, 3000, 4000, 5000]
    eye = np.where(np.eye(6, dtype=bool), 4, 120)
    same = frame_rule(times, times, eye, 31)
    assert same.matched and len(same.chain) == 6 and same.required == 3
    assert same.chain[0] == (0, 0, 4)
    backwards = frame_rule(times, times[::-1], eye, 31)  # same frames, reversed order
    assert not backwards.matched and len(backwards.chain) == 1
    two = np.full((6, 6), 120)
    two[1, 1] = two[4, 4] = 10  # two frames shared by chance with a six-frame video
    assert not frame_rule(times, times, two, 31).matched
    clip = frame_rule(times[2:4], times, eye[2:4], 31)  # a 2 s clip
    assert clip.matched and clip.required == 2 and clip.target_share == pytest.approx(2 / 6)
    assert [required_frames(n, 20) for n in (1, 2, 3, 5, 20)] == [1, 2, 2, 3, 10]


def test_frame_rule_in_blocks_gives_the_same_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    from ncii_desk.hashing import video_variants
    from ncii_desk.hashing.matcher import pairwise_distances

    rng = np.random.default_rng(7)
    base = [rng.integers(0, 256, 32, dtype=np.uint8) for _ in range(8)]

    def near(row: np.ndarray[Any, Any], flips: int) -> str:
        bits = np.unpackbits(row)
        bits[rng.choice(256, flips, replace=False)] ^= 1
        return bytes(np.packbits(bits)).hex()

    # The suspect: frames 2..7 of the target, two hashes per frame (one close, one far).
    suspect = [(near(base[k], 10), 1000 * k) for k in range(2, 8)]
    suspect += [(near(base[k], 120), 1000 * k) for k in range(2, 8)]
    target = [(near(base[k], 6), 1000 * k) for k in range(8)]
    whole = video_variants.frame_rule(
        [t for _, t in suspect],
        [t for _, t in target],
        pairwise_distances([v for v, _ in suspect], [v for v, _ in target]),
        31,
    )
    monkeypatch.setattr(video_variants, "_BLOCK_BYTES", 64)  # two suspect hashes a block
    blocks = video_variants.frame_rule_for(suspect, target, 31)
    assert blocks == whole and blocks.matched
    assert [(s, t) for s, t, _ in blocks.chain] == [(1000 * k, 1000 * k) for k in range(2, 8)]


def test_export_rows_are_deduplicated_per_variant_vpdq_style() -> None:
    a, b = "a5" * 32, "3c" * 32
    rows = frame_rows(
        [
            ("frame", a, 90, 0),
            ("frame", a, 90, 1000),
            ("frame mirror", a, 90, 0),
            ("frame", b, 80, 2000),
        ],
        "tag",
        "",
    )
    assert [(r.variant, r.entry.value, r.frame, r.time_ms) for r in rows] == [
        ("frame", a, 0, 0),
        ("frame mirror", a, 0, 0),
        ("frame", b, 2, 2000),
    ]


# --- in a case -------------------------------------------------------------------------------


def test_case_matches_mirrored_letterboxed_cropped_videos_and_a_still_not_an_unrelated_one(
    store: CaseStore, videos: dict[str, Path]
) -> None:
    case_id, report = _case(store, videos)
    assert [e["path"] for e in report.errors] == [str(videos["damaged"])]
    assert "damaged" in report.errors[0]["error"] and report.hashed == 5  # the batch went on
    names = {i.id: i.original_filename for i in list_items(store, case_id)}
    found = {names[m.suspect_item_id]: m for m in matching.list_matches(store, case_id)}
    assert set(found) == {videos[n].name for n in EDITS}
    for name in ("mirrored", "letterboxed", "90% crop"):
        m = found[videos[name].name]
        assert m.kind == "vpdq" and m.distance is not None and m.distance <= 31
        assert m.details["frames_in_order"] >= m.details["frames_required"] == 3
        times = [f["target_ms"] for f in m.details["matched_frames"]]
        assert times == sorted(times) and len(times) == m.details["frames_in_order"]
    still = found[videos["still frame"].name]
    assert still.kind == "vpdq-frame" and still.details["target_variant"].startswith("frame")


# --- export and scan -------------------------------------------------------------------------


def test_export_writes_per_frame_pdq_with_times_and_variant_tags(
    store: CaseStore, videos: dict[str, Path], tmp_path: Path
) -> None:
    case_id, _ = _case(store, videos)
    text = io.StringIO()
    written = export_case_hashes(store, case_id, "csv", text, label="clinic")
    rows = list(csv.DictReader(io.StringIO(text.getvalue())))
    assert len(rows) == written
    assert list(rows[0]) == [
        "kind", "value", "quality", "label", "variant", "original", "frame", "time_ms"
    ]  # fmt: skip
    frames = [r for r in rows if r["time_ms"]]
    assert {r["variant"] for r in frames} == ORIGINAL_VARIANTS
    plain = [r for r in frames if r["variant"] == "frame"]
    assert [int(r["time_ms"]) for r in plain] == [0, 1000, 2000, 3000, 4000, 5000]
    assert [int(r["frame"]) for r in plain] == [0, 1, 2, 3, 4, 5]
    assert all(r["kind"] == "pdq" and r["quality"] and r["label"] == "clinic" for r in frames)
    tag = hashlib.sha256(videos["original"].read_bytes()).hexdigest()[:16]
    assert {r["original"] for r in rows} == {tag}  # one original, not its file name
    assert {r["kind"] for r in rows if not r["time_ms"]} == {"video_md5", "md5", "sha256"}
    # A reader that knows only kind,value,quality,label reads every row, tags ignored.
    listing = tmp_path / "list.csv"
    listing.write_text(text.getvalue())
    parsed = load_hash_list(listing)
    assert parsed.errors == [] and len(parsed.entries) >= len({r["value"] for r in frames})
    # pytx: the frame hashes are ordinary `pdq` lines after the video's `video_md5`.
    text = io.StringIO()
    export_case_hashes(store, case_id, "pytx", text)
    lines = text.getvalue().splitlines()
    assert lines[0].startswith("video_md5 ") and len(lines) > 6
    assert all(line.startswith("pdq ") and len(line) == 68 for line in lines[1:])
    assert {line[4:] for line in lines[1:]} <= {r["value"] for r in frames}


def test_scan_finds_edited_videos_via_the_exported_list_and_reports_frames(
    store: CaseStore, videos: dict[str, Path], tmp_path: Path, capsys: Any
) -> None:
    case_id, _ = _case(store, videos)
    listing = tmp_path / "clinic.csv"
    with open(listing, "w", encoding="utf-8", newline="") as fh:
        export_case_hashes(store, case_id, "csv", fh, label="clinic")
    rc = cli(["scan", str(videos["mirrored"].parent), "--against", str(listing), "--json",
              "--workers", "1"])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert rc == 7  # finished, with one file that could not be decoded
    [error] = out["errors"]
    assert error["path"].endswith("damaged.mp4") and "damaged" in error["error"]
    by_file: dict[str, list[dict[str, Any]]] = {}
    for m in out["matches"]:
        by_file.setdefault(Path(m["path"]).name, []).append(m)
    assert set(by_file) == {videos[n].name for n in EDITS}  # not the unrelated video
    tag = next(iter({m["original"] for ms in by_file.values() for m in ms}))
    for name in ("mirrored", "letterboxed", "90% crop"):
        [m] = [m for m in by_file[videos[name].name] if m["method"] == "vpdq"]
        assert m["original"] == tag and m["label"] == "clinic" and m["distance"] <= 31
        assert m["frames_in_order"] >= m["frames_required"] == 3
        assert [f["suspect_ms"] for f in m["matched_frames"]] == sorted(
            f["suspect_ms"] for f in m["matched_frames"]
        )
        # A suspect video's frames match only through the rule: no loose frame matches.
        assert all(x["method"] == "vpdq" for x in by_file[videos[name].name])
    still = by_file[videos["still frame"].name]
    assert {m["original"] for m in still} == {tag}
    assert any(m["target_ms"] == 2000 and m["method"] == "vpdq-frame" for m in still)


def test_one_csv_carries_a_videos_frames_and_a_pictures_variants_and_scan_reads_both(
    store: CaseStore, videos: dict[str, Path], tmp_path: Path, capsys: Any
) -> None:
    """A case with a video and a picture: the CSV has the frame columns, the picture's
    variant rows keep their tag and canonical PDQ, the list reads back without a bad line,
    and scan finds a mirrored copy of each (the picture through its variant)."""
    from PIL import Image
    from skimage import data as skdata

    case_id, _ = _case(store, videos)
    pictures = tmp_path / "pictures"
    pictures.mkdir()
    photo = skdata.astronaut()
    Image.fromarray(photo).save(pictures / "photo.png")
    added = intake.add_items(store, case_id, Role.ORIGINAL, [pictures])
    assert matching.hash_items(store, added.sources, workers=1).errors == []
    listing = tmp_path / "clinic.csv"
    with open(listing, "w", encoding="utf-8", newline="") as fh:
        export_case_hashes(store, case_id, "csv", fh, label="clinic")
    rows = list(csv.DictReader(io.StringIO(listing.read_text())))
    assert {"frame", "time_ms", "variant", "original"} <= set(rows[0])
    canonical = {r["value"] for r in rows if r["kind"] == "pdq" and r["variant"] == "full"}
    still_variants = [
        r for r in rows if not r["time_ms"] and r["variant"] not in ("", "full", "file")
    ]
    assert still_variants and {r["original"] for r in still_variants} <= canonical
    assert any(r["variant"] == "mirror" for r in still_variants)
    parsed = load_hash_list(listing)
    assert parsed.errors == []
    kept = [e for e in parsed.entries if e.variant]
    assert len(kept) == len(still_variants) and {e.original for e in kept} <= canonical
    suspects = tmp_path / "suspects"
    suspects.mkdir()
    Image.fromarray(np.ascontiguousarray(photo[:, ::-1])).save(suspects / "mirrored.jpg")
    (suspects / "clip.mp4").write_bytes(videos["mirrored"].read_bytes())
    rc = cli(["scan", str(suspects), "--against", str(listing), "--json", "--workers", "1"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0, out
    names = {Path(m["path"]).name for m in out["matches"]}
    assert names == {"mirrored.jpg", "clip.mp4"}
    [pic] = [m for m in out["matches"] if m["path"].endswith("mirrored.jpg")]
    assert pic["original"] in canonical
