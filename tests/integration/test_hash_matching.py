"""Perceptual hashes, robust matching of re-posted variants, and matches in the vault.

Images: scikit-image sample photos and ../shared/testdata faces (benign), transformed the
ways re-posts transform them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from PIL import Image

from conftest import SHARED
from ncii_desk.cli.main import main as cli
from ncii_desk.hashing import perceptual as ph
from ncii_desk.hashing.lists import HashEntry, load_hash_list
from ncii_desk.hashing.matcher import ListMatcher
from ncii_desk.hashing.pipeline import hash_file
from ncii_desk.services import cases, intake, matching
from ncii_desk.services.hashlists import export_case_hashes, import_hash_list
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Role
from ncii_desk.vault.store import CaseStore

skdata = pytest.importorskip("skimage.data")


def _photos() -> dict[str, np.ndarray[Any, Any]]:
    out = {
        name: np.ascontiguousarray(getattr(skdata, name)()[..., :3])
        for name in ("astronaut", "coffee", "rocket", "chelsea", "hubble_deep_field")
    }
    for path in sorted((SHARED / "testdata" / "faces").glob("chirac[12].jpg")):
        out[path.stem] = np.asarray(Image.open(path).convert("RGB"))
    return out


PHOTOS = _photos()


def _save(pixels: np.ndarray[Any, Any], path: Path, quality: int = 92) -> Path:
    img = Image.fromarray(np.ascontiguousarray(pixels))
    if path.suffix == ".jpg":
        img.save(path, quality=quality)
    else:
        img.save(path)
    return path


def _caption(x: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    h, w = x.shape[:2]
    bar = np.full((h // 4, w, 3), 255, np.uint8)
    cv2.putText(bar, "LOOK AT THIS", (10, h // 7), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (0, 0, 0), 3)
    return np.vstack([bar, x])


def _screenshot(x: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    h, w = x.shape[:2]
    canvas = np.full((max(2 * w, h + 200), w, 3), 245, np.uint8)
    canvas[: canvas.shape[0] // 20] = (30, 30, 30)
    canvas[-canvas.shape[0] // 14 :] = (20, 20, 20)
    top = (canvas.shape[0] - h) // 2
    canvas[top : top + h] = x
    return canvas


TRANSFORMS = {
    "jpeg-q50": lambda x: x,  # saved with quality 50 below
    "resize-50": lambda x: cv2.resize(
        x, (x.shape[1] // 2, x.shape[0] // 2), interpolation=cv2.INTER_AREA
    ),
    "crop-90": lambda x: x[
        x.shape[0] // 20 : -x.shape[0] // 20, x.shape[1] // 20 : -x.shape[1] // 20
    ],
    "mirror": lambda x: x[:, ::-1],
    "border": lambda x: cv2.copyMakeBorder(x, 40, 40, 60, 60, cv2.BORDER_CONSTANT, value=(0, 0, 0)),
    "caption": _caption,
    "screenshot": _screenshot,
}


def test_pdq_is_the_reference_hash_with_quality(tmp_path: Path) -> None:
    import pdqhash

    x = PHOTOS["astronaut"]
    vector, quality = pdqhash.compute(x)
    expected = "".join(
        f"{int(''.join(map(str, vector[i : i + 4])), 2):x}" for i in range(0, 256, 4)
    )
    assert ph.pdq(x).hex == expected and ph.pdq(x).quality == quality
    # Decoding at ~512 px keeps the hash exchangeable: a few bits from the full decode.
    reduced = hash_file(_save(x, tmp_path / "a.png")).pdq
    assert reduced is not None and ph.hamming_hex(reduced, expected) <= 10
    # A flat image has a degenerate, low-quality hash.
    flat = ph.pdq(np.full((300, 300, 3), 128, np.uint8))
    assert flat.quality < ph.PDQ_MIN_QUALITY


def test_dihedral_names_follow_pdqhash_order() -> None:
    x = ph.reduce_for_hash(PHOTOS["coffee"])
    variants = dict(ph.pdq_dihedral(x))
    assert ph.hamming_hex(variants["flip-vertical"].hex, ph.pdq(x[::-1].copy()).hex) <= 20
    assert ph.hamming_hex(variants["rotate-180"].hex, ph.pdq(x[::-1, ::-1].copy()).hex) <= 20
    assert ph.hamming_hex(variants["transpose"].hex, ph.pdq(x.transpose(1, 0, 2).copy()).hex) <= 20
    assert ph.hamming_hex(variants["original"].hex, ph.pdq(x).hex) == 0


def test_phash_agrees_with_imagehash() -> None:
    imagehash = pytest.importorskip("imagehash")
    for name in ("astronaut", "coffee", "rocket"):
        x = PHOTOS[name]
        ours = ph.phash(x)
        theirs = str(imagehash.phash(Image.fromarray(x)))
        assert ph.hamming_hex(ours, theirs) <= 8, name
        assert len(ours) == 16


def _scan_matches(orig: np.ndarray[Any, Any], suspect_path: Path, tmp_path: Path) -> list[Any]:
    """Suspect hashes (scan role) against every stored hash of the original (original role),
    as the vault compares them."""
    stored = hash_file(_save(orig, tmp_path / "original.png"), "original")
    entries = [HashEntry("pdq", v.value, v.quality, v.variant) for v in stored.all_pdq()]
    result = hash_file(suspect_path, "scan")
    assert result.error is None
    return ListMatcher([("originals", entries)]).match(result)


@pytest.mark.parametrize("transform", sorted(TRANSFORMS))
def test_reposted_variants_still_match(transform: str, tmp_path: Path) -> None:
    hits = 0
    for name in ("astronaut", "coffee", "rocket", "chirac1"):
        x = PHOTOS[name]
        y = TRANSFORMS[transform](x)
        path = _save(y, tmp_path / f"{name}.jpg", quality=50 if transform == "jpeg-q50" else 90)
        found = _scan_matches(x, path, tmp_path)
        hits += bool(found)
        for m in found:
            assert m.distance <= 31  # never a looser threshold
    assert hits == 4, f"{transform}: {hits}/4"


def test_unrelated_photos_do_not_match(tmp_path: Path) -> None:
    names = ["astronaut", "coffee", "rocket", "hubble_deep_field", "chirac1"]
    entries = [HashEntry("pdq", ph.pdq(ph.reduce_for_hash(PHOTOS[n])).hex, 100, n) for n in names]
    matcher = ListMatcher([("list", entries)])
    for suspect in ("chelsea", "chirac2"):
        for transform in ("mirror", "screenshot", "caption"):
            path = _save(TRANSFORMS[transform](PHOTOS[suspect]), tmp_path / f"{suspect}.jpg")
            assert matcher.match(hash_file(path, "scan")) == [], (suspect, transform)


@pytest.fixture
def case_with_items(store: CaseStore, tmp_path: Path) -> tuple[Vault, str, dict[str, str]]:
    orig_dir, sus_dir = tmp_path / "originals", tmp_path / "suspects"
    orig_dir.mkdir()
    sus_dir.mkdir()
    for name in ("astronaut", "coffee", "rocket"):
        _save(PHOTOS[name], orig_dir / f"{name}.jpg")
    _save(PHOTOS["astronaut"][:, ::-1], sus_dir / "mirrored.jpg")
    _save(PHOTOS["coffee"][40:380, 120:560], sus_dir / "offcentre-crop.png")
    _save(TRANSFORMS["screenshot"](PHOTOS["rocket"]), sus_dir / "screenshot.png")
    _save(PHOTOS["chelsea"], sus_dir / "unrelated.jpg")
    (sus_dir / "broken.jpg").write_bytes((orig_dir / "coffee.jpg").read_bytes()[:4000])
    case_id = cases.new_case(store, "matching case").id
    ids: dict[str, str] = {}
    for role, folder in ((Role.ORIGINAL, orig_dir), (Role.SUSPECT, sus_dir)):
        added = intake.add_items(store, case_id, role, [folder])
        report = matching.hash_items(store, added.sources, workers=1)
        ids |= {v.original_filename: v.id for v in added.added}
        if role == Role.SUSPECT:
            assert [e["item"] for e in report.errors] == [ids["broken.jpg"]]
            assert "damaged or truncated" in report.errors[0]["error"]
    return store, case_id, ids


def test_case_matching_finds_each_variant_by_its_method(case_with_items: Any) -> None:
    vault, case_id, ids = case_with_items
    found = {
        (m.suspect_item_id, m.target_item_id): m for m in matching.list_matches(vault, case_id)
    }
    mirrored = found[(ids["mirrored.jpg"], ids["astronaut.jpg"])]
    assert mirrored.kind == "pdq-dihedral" and mirrored.distance is not None
    assert mirrored.distance <= 31 and mirrored.threshold == 31
    crop = found[(ids["offcentre-crop.png"], ids["coffee.jpg"])]
    assert crop.kind == "local-features" and crop.score is not None and crop.score >= 30
    assert crop.details["region_in_original"] is not None
    shot = found[(ids["screenshot.png"], ids["rocket.jpg"])]
    assert shot.kind in ("pdq-region", "local-features")
    assert not any(s == ids["unrelated.jpg"] for s, _ in found)
    assert len(found) == 3


def test_rejected_pairs_go_to_the_negative_bank_and_stay_away(case_with_items: Any) -> None:
    vault, case_id, ids = case_with_items
    target = next(
        m for m in matching.list_matches(vault, case_id) if m.suspect_item_id == ids["mirrored.jpg"]
    )
    reviewed = matching.review_match(vault, target.id[:10], confirm=False, note="not her")
    assert reviewed.review_state == "rejected" and reviewed.reviewed_by == vault.actor
    assert matching.match_case(vault, case_id) == []  # nothing new, nothing re-reported
    other = next(
        m
        for m in matching.list_matches(vault, case_id)
        if m.suspect_item_id == ids["screenshot.png"]
    )
    assert matching.review_match(vault, other.id, confirm=True).review_state == "confirmed"
    assert vault.verify_audit().ok


def test_hash_list_export_import_round_trip_finds_matches(
    case_with_items: Any, tmp_path: Path
) -> None:
    vault, case_id, _ = case_with_items
    out = tmp_path / "case.txt"
    with open(out, "w", encoding="utf-8") as fh:
        assert export_case_hashes(vault, case_id, "pytx", fh, canonical_only=True) == 3
    text = out.read_text()
    assert all(line.startswith("pdq ") for line in text.splitlines())
    assert "astronaut" not in text  # hashes only: no file names
    assert len(load_hash_list(out).entries) == 3
    other = cases.new_case(vault, "second case").id
    sus = tmp_path / "again"
    sus.mkdir()
    _save(PHOTOS["astronaut"][:, ::-1], sus / "again.jpg")
    added = intake.add_items(vault, other, Role.SUSPECT, [sus])
    matching.hash_items(vault, added.sources, workers=1)
    view, bad, new = import_hash_list(vault, out, "clinic list")
    assert view.entry_count == 3 and bad == [] and new >= 1
    external = [m for m in matching.list_matches(vault, other) if m.target_external]
    assert external and external[0].target_external.startswith("clinic list: pdq ")
    assert external[0].kind == "pdq-dihedral"


def test_scan_cli_reports_matches_and_bad_files_as_json(tmp_path: Path, capsys: Any) -> None:
    listing = tmp_path / "list.csv"
    value = ph.pdq(ph.reduce_for_hash(PHOTOS["rocket"])).hex
    listing.write_text(f"kind,value,quality,label\npdq,{value},100,rocket\npdq,zz,1,bad\n")
    folder = tmp_path / "dump"
    (folder / "sub").mkdir(parents=True)
    _save(TRANSFORMS["border"](PHOTOS["rocket"]), folder / "sub" / "bordered.jpg")
    _save(PHOTOS["coffee"], folder / "other.jpg")
    (folder / "empty.jpg").write_bytes(b"")
    rc = cli(["scan", str(folder), "--against", str(listing), "--json", "--workers", "1"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 7  # completed, with one file that could not be read
    assert out["matched_files"] == 1 and out["scanned"] == 2
    assert out["lists"][0]["bad_lines"] == [3]
    [m] = out["matches"]
    assert m["path"].endswith("bordered.jpg") and m["label"] == "rocket"
    assert m["method"] == "pdq-region" and m["distance"] <= 31
    assert [e["path"].endswith("empty.jpg") for e in out["errors"]] == [True]


def test_hash_cli_prints_one_json_object_per_file(tmp_path: Path, capsys: Any) -> None:
    a = _save(PHOTOS["coffee"], tmp_path / "a.png")
    jpeg = _save(PHOTOS["rocket"], tmp_path / "full.jpg").read_bytes()
    (tmp_path / "b.jpg").write_bytes(jpeg[: len(jpeg) // 3])
    (tmp_path / "c.txt").write_text("notes, not an image")
    paths = [str(a), str(tmp_path / "b.jpg"), str(tmp_path / "c.txt")]
    rc = cli(["hash", *paths, "--json", "--workers", "1"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rc == 7  # finished, one file could not be decoded
    by_path = {Path(d["path"]).name: d for d in lines}
    assert by_path["a.png"]["pdq"] == ph.pdq(ph.reduce_for_exchange(PHOTOS["coffee"])).hex
    assert by_path["a.png"]["kind"] == "image" and by_path["a.png"]["error"] is None
    assert "damaged or truncated" in by_path["b.jpg"]["error"]
    assert by_path["b.jpg"]["sha256"]  # the bytes are still hashed
    assert by_path["c.txt"]["kind"] == "other" and by_path["c.txt"]["pdq"] is None
    assert by_path["c.txt"]["error"] is None


def _video(path: Path, frames: list[np.ndarray[Any, Any]], size: tuple[int, int]) -> Path:
    """One picture per second at 5 fps, H.264 in MP4."""
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=5)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for picture in frames:
            resized = cv2.resize(picture, size, interpolation=cv2.INTER_AREA)
            for _ in range(5):
                for packet in stream.encode(av.VideoFrame.from_ndarray(resized, format="rgb24")):
                    out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def test_video_clip_matches_its_source_by_frame_share(store: CaseStore, tmp_path: Path) -> None:
    pictures = [
        PHOTOS[n]
        for n in ("astronaut", "coffee", "rocket", "chirac1", "hubble_deep_field", "chirac2")
    ]
    originals, suspects = tmp_path / "o", tmp_path / "s"
    originals.mkdir()
    suspects.mkdir()
    _video(originals / "source.mp4", pictures, (320, 240))
    _video(suspects / "clip.mp4", pictures[1:5], (256, 192))  # 4 of the 6 seconds, smaller
    _video(suspects / "other.mp4", [PHOTOS["chelsea"]] * 3, (320, 240))
    case_id = cases.new_case(store, "video case").id
    for role, folder in ((Role.ORIGINAL, originals), (Role.SUSPECT, suspects)):
        added = intake.add_items(store, case_id, role, [folder])
        assert matching.hash_items(store, added.sources, workers=1).errors == []
    items = {v.original_filename: v.id for v in intake_items(store, case_id)}
    found = matching.list_matches(store, case_id)
    assert [(m.suspect_item_id, m.kind) for m in found] == [(items["clip.mp4"], "vpdq")]
    clip = found[0]
    assert clip.details["suspect_frames_matched"] == 1.0
    assert 0.5 <= clip.details["target_frames_matched"] < 1.0
    assert clip.distance is not None and clip.distance <= 31


def intake_items(vault: Vault, case_id: str) -> list[Any]:
    from ncii_desk.services.items import list_items

    return list_items(vault, case_id)
