"""Scan as robust as a case: exported lists carry tagged variant hashes of each picture.

A case's originals are exported (``hashlist export``) with their variant hashes (crops,
turns, trimmed); ``scan`` against that list finds crops, tilts, screenshots and captioned
copies, and every match names the picture's canonical hash. Pictures: a generated photo-like
image and scikit-image samples (benign), transformed the ways re-posts transform them.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from PIL import Image

from ncii_desk.cli.main import main as cli
from ncii_desk.hashing import perceptual as ph
from ncii_desk.hashing.lists import (
    HashEntry,
    load_hash_list,
    parse_hash_list,
    write_csv,
    write_pytx,
)
from ncii_desk.hashing.matcher import LOW_TEXTURE_TAG, WEAK_METHOD, ListMatcher
from ncii_desk.hashing.pipeline import hash_file
from ncii_desk.hashing.regions import content_regions, trim_borders
from ncii_desk.services import cases, intake, matching
from ncii_desk.services.hashlists import export_case_hashes, picture_variants
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Role
from ncii_desk.vault.store import CaseStore

skdata = pytest.importorskip("skimage.data")

Pixels = np.ndarray[Any, Any]


def generated_photo(seed: int = 3, h: int = 600, w: int = 800) -> Pixels:
    """A photo-like picture: fractal-noise landscape under shapes, with detail everywhere."""
    rng = np.random.default_rng(seed)
    acc = np.zeros((h, w), np.float32)
    for octave in range(6):
        g = 4 * 2**octave
        coarse = rng.random((g, g)).astype(np.float32)
        acc += cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC) * 0.65**octave
    acc = (acc - acc.min()) / (acc.max() - acc.min())
    low, high = np.array([30, 60, 20], np.float32), np.array([220, 200, 150], np.float32)
    img = np.ascontiguousarray((low + (high - low) * acc[..., None]).astype(np.uint8))
    for _ in range(12):
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        centre = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        axes = (int(rng.integers(20, w // 5)), int(rng.integers(20, h // 5)))
        cv2.ellipse(img, centre, axes, float(rng.uniform(0, 180)), 0, 360, colour, -1)
    return cv2.GaussianBlur(img, (0, 0), 1.2)


def _save(pixels: Pixels, path: Path, quality: int = 90) -> Path:
    image = Image.fromarray(np.ascontiguousarray(pixels))
    if path.suffix == ".png":
        image.save(path)
    else:
        image.save(path, quality=quality)
    return path


def _crop(x: Pixels, share: float, fx: float = 0.5, fy: float = 0.5) -> Pixels:
    h, w = x.shape[:2]
    ch, cw = round(h * share), round(w * share)
    top, left = round((h - ch) * fy), round((w - cw) * fx)
    return np.ascontiguousarray(x[top : top + ch, left : left + cw])


def _rotate(x: Pixels, degrees: float) -> Pixels:
    h, w = x.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(x, m, (w, h), borderValue=(0, 0, 0))


def _phone_screenshot(x: Pixels) -> Pixels:
    """720 x 1560 light screenshot: status bar with time and battery, a post header, the
    picture at full width, action and comment text, a black navigation bar with icons."""
    w, h = 720, 1560
    canvas = np.full((h, w, 3), 255, np.uint8)
    font = cv2.FONT_HERSHEY_SIMPLEX
    cv2.putText(canvas, "9:41", (28, 40), font, 0.9, (20, 20, 20), 2, cv2.LINE_AA)
    cv2.putText(canvas, "5G 87%", (560, 40), font, 0.8, (20, 20, 20), 2, cv2.LINE_AA)
    cv2.circle(canvas, (60, 110), 34, (120, 150, 200), -1)
    cv2.putText(canvas, "@someone", (110, 120), font, 0.9, (20, 20, 20), 2, cv2.LINE_AA)
    ph_ = round(x.shape[0] * w / x.shape[1])
    canvas[170 : 170 + ph_] = cv2.resize(x, (w, ph_), interpolation=cv2.INTER_AREA)
    y = 170 + ph_ + 50
    cv2.putText(canvas, "<3 1,024  [] 87", (28, y), font, 0.9, (20, 20, 20), 2, cv2.LINE_AA)
    cv2.putText(canvas, "look at this", (28, y + 50), font, 0.8, (20, 20, 20), 2, cv2.LINE_AA)
    canvas[h - 96 :] = 0
    for cx in (180, 360, 540):
        cv2.circle(canvas, (cx, h - 48), 16, (200, 200, 200), 2)
    return canvas


def _caption_bar(x: Pixels) -> Pixels:
    h, w = x.shape[:2]
    bar = np.full((round(h * 0.22), w, 3), 255, np.uint8)
    cv2.putText(bar, "when the weekend arrives", (20, bar.shape[0] // 2 + 10), 0, 1.2, (0, 0, 0), 3)
    return np.vstack([bar, x])


REPOSTS = {
    "centre-crop-75.jpg": lambda x: _crop(x, 0.75),
    "off-centre-crop-80.jpg": lambda x: _crop(x, 0.8, 1.0, 0.0),
    "rotated-5.jpg": lambda x: _rotate(x, 5.0),
    "screenshot.png": _phone_screenshot,
    "caption.jpg": _caption_bar,
}


@pytest.fixture
def exported(store: CaseStore, tmp_path: Path) -> tuple[Vault, str, Path, Path]:
    """A case with two originals (the generated photo and coffee), exported as pytx."""
    originals = tmp_path / "originals"
    originals.mkdir()
    _save(generated_photo(), originals / "photo.png")
    _save(np.ascontiguousarray(skdata.coffee()), originals / "coffee.png")
    case_id = cases.new_case(store, "scan case").id
    added = intake.add_items(store, case_id, Role.ORIGINAL, [originals])
    matching.hash_items(store, added.sources, workers=1)
    listing = tmp_path / "case-list.txt"
    with open(listing, "w", encoding="utf-8", newline="") as fh:
        export_case_hashes(store, case_id, "pytx", fh)
    canonical = tmp_path / "canonical.txt"
    with open(canonical, "w", encoding="utf-8", newline="") as fh:
        assert export_case_hashes(store, case_id, "pytx", fh, canonical_only=True) == 2
    return store, case_id, listing, canonical


def _pytx_reader(text: str) -> dict[str, set[str]]:
    """What python-threatexchange's local file exchange makes of a file: each line split
    at its first space into signal type and signal, types it does not know left out."""
    out: dict[str, set[str]] = {}
    for line in text.splitlines():
        kind, _, signal = line.strip().partition(" ")
        if kind and signal and kind in ("pdq", "video_md5"):
            out.setdefault(kind, set()).add(signal)
    return out


def test_export_keeps_one_pytx_line_per_picture_and_tags_every_variant(
    exported: tuple[Vault, str, Path, Path],
) -> None:
    _, _, listing, canonical = exported
    parsed = load_hash_list(listing)
    assert parsed.errors == []
    canon = [e for e in parsed.entries if not e.variant]
    variants = [e for e in parsed.entries if e.variant]
    assert len(canon) == 2 and len(variants) > 40
    # Every variant names one of the two pictures, by its canonical hash.
    assert {e.original for e in variants} == {e.value for e in canon}
    tags = {e.variant for e in variants}
    assert {"mirror", "center-crop-75%", "crop-80%-top-right"} <= tags
    # A pytx reader sees exactly the two canonical PDQ lines, as in the canonical-only list.
    seen = _pytx_reader(listing.read_text())
    assert seen == {"pdq": {e.value for e in canon}}
    assert _pytx_reader(canonical.read_text()) == seen
    assert [e.value for e in load_hash_list(canonical).entries] == [e.value for e in canon]


def test_variant_tags_and_originals_survive_csv_and_pytx_round_trips() -> None:
    photo = hash_file_pixels(generated_photo())
    assert photo.pdq is not None
    records = [(v.kind, v.value, v.quality, v.variant) for v in photo.variants]
    entries = [HashEntry("pdq", photo.pdq, photo.pdq_quality, "case 7")]
    entries += picture_variants(photo.pdq, photo.pdq_quality, records, photo.phash, "case 7")
    for writer in (write_pytx, write_csv):
        buf = io.StringIO()
        writer(entries, buf)
        back = parse_hash_list(buf.getvalue()).entries
        assert [(e.value, e.variant, e.original) for e in back] == [
            (e.value, e.variant, e.original) for e in entries
        ]
    # A reader that knows only kind,value,quality,label takes every row as a plain hash.
    buf = io.StringIO()
    write_csv(entries, buf)
    header, *rows = buf.getvalue().splitlines()
    assert header == "kind,value,quality,label,variant,original"
    plain = parse_hash_list("kind,value,quality,label\n" + "\n".join(rows)).entries
    assert len(plain) == len(entries) and not any(e.variant for e in plain)


def hash_file_pixels(pixels: Pixels) -> Any:
    """hash_file (role original) of pixels saved as PNG in memory-backed temp storage."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        return hash_file(_save(pixels, Path(folder) / "p.png"), "original")


def test_scan_against_an_exported_list_finds_crops_tilts_screenshots_and_captions(
    exported: tuple[Vault, str, Path, Path], tmp_path: Path, capsys: Any
) -> None:
    _, _, listing, canonical = exported
    photo = generated_photo()
    photo_hash = hash_file(_save(photo, tmp_path / "photo.png"), "plain").pdq
    assert photo_hash in {e.value for e in load_hash_list(canonical).entries}
    folder = tmp_path / "found"
    folder.mkdir()
    for name, make in REPOSTS.items():
        _save(make(photo), folder / name)
    _save(np.ascontiguousarray(skdata.astronaut()), folder / "unrelated.jpg")
    _save(generated_photo(seed=11), folder / "unrelated-generated.jpg")

    assert cli(["scan", str(folder), "--against", str(listing), "--json", "--workers", "1"]) == 0
    out = json.loads(capsys.readouterr().out)
    named = {Path(m["path"]).name: m for m in out["matches"]}
    for name in REPOSTS:
        assert name in named, f"{name} not found by scan"
        m = named[name]
        assert m["original"] == photo_hash, f"{name} named another picture"
        assert m["distance"] <= 31
    assert "unrelated.jpg" not in named and "unrelated-generated.jpg" not in named
    assert len(out["matches"]) == len(REPOSTS)  # one match per file: its own picture

    # The canonical-only list (one hash per picture) misses what only variants find.
    cli(["scan", str(folder), "--against", str(canonical), "--json", "--workers", "1"])
    only = {Path(m["path"]).name for m in json.loads(capsys.readouterr().out)["matches"]}
    assert "centre-crop-75.jpg" not in only and "rotated-5.jpg" not in only


def _sky_photo() -> Pixels:
    """A photo whose top third is sky: a smooth gradient with a little haze noise."""
    rng = np.random.default_rng(5)
    h, w = 600, 800
    t = np.linspace(0.0, 1.0, 220, dtype=np.float32)[:, None, None]
    sky = np.array([90, 140, 220], np.float32) * (1 - t) + np.array([205, 222, 245]) * t
    sky = sky * np.ones((1, w, 1), np.float32) + rng.normal(0, 1.5, (220, w, 3))
    land = cv2.resize(np.ascontiguousarray(skdata.coffee()), (w, h - 220))
    return np.vstack([np.clip(sky, 0, 255).astype(np.uint8), land])


def test_region_detector_keeps_the_sky_of_a_photo() -> None:
    photo = ph.reduce_for_hash(_sky_photo())
    assert trim_borders(photo).shape == photo.shape  # the sky is not a border
    for name, _region in content_regions(photo):
        assert not name.startswith(("block", "trimmed")), name  # no band was cut off
    # In a captioned copy the picture block is the whole photo, sky included.
    captioned = ph.reduce_for_hash(_caption_bar(_sky_photo()))
    bar = captioned.shape[0] - photo.shape[0]
    blocks = [r.shape for n, r in content_regions(captioned) if n.startswith(("block", "trimmed"))]
    assert any(abs(hh - photo.shape[0]) <= 4 and ww == photo.shape[1] for hh, ww, _ in blocks), (
        bar,
        blocks,
    )


def test_low_texture_picture_matches_by_the_weaker_method_and_says_so(tmp_path: Path) -> None:
    h, w = 480, 640
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    smooth = 120 + 25 * np.sin(xx / 90.0) + 20 * np.cos(yy / 70.0) + 0.02 * xx
    flat = np.dstack([smooth, smooth * 0.9, smooth * 0.8]).astype(np.uint8)
    original = hash_file(_save(flat, tmp_path / "flat.png"), "original")
    assert original.pdq is not None and original.pdq_quality is not None
    assert original.pdq_quality < 50  # PDQ cannot describe it: left out of PDQ matching
    records = [(v.kind, v.value, v.quality, v.variant) for v in original.variants]
    entries = [HashEntry("pdq", original.pdq, original.pdq_quality)]
    entries += picture_variants(original.pdq, original.pdq_quality, records, original.phash)
    assert [e.variant for e in entries if e.kind == "phash"] == [LOW_TEXTURE_TAG]
    buf = io.StringIO()
    write_pytx(entries, buf, keep_low_quality=True)
    matcher = ListMatcher([("list", parse_hash_list(buf.getvalue()).entries)])

    copy = hash_file(_save(flat, tmp_path / "copy.jpg", quality=60), "scan")
    [m] = matcher.match(copy)
    assert m.method == WEAK_METHOD and m.kind == "phash"
    assert m.original == original.pdq and m.list_variant == LOW_TEXTURE_TAG
    # A textured picture is never matched by the weaker method.
    other = hash_file(_save(np.ascontiguousarray(skdata.astronaut()), tmp_path / "a.jpg"), "scan")
    assert matcher.match(other) == []


def test_vault_import_keeps_variant_tags_and_a_match_names_the_picture(
    exported: tuple[Vault, str, Path, Path], tmp_path: Path
) -> None:
    from sqlalchemy import select

    from ncii_desk.services.hashlists import import_hash_list
    from ncii_desk.vault.models import HashListEntry

    vault, _, listing, _ = exported
    photo = generated_photo()
    photo_hash = hash_file(_save(photo, tmp_path / "photo.png"), "plain").pdq
    other = cases.new_case(vault, "found elsewhere").id
    found = tmp_path / "found"
    found.mkdir()
    _save(_crop(photo, 0.75), found / "cropped.jpg")
    added = intake.add_items(vault, other, Role.SUSPECT, [found])
    matching.hash_items(vault, added.sources, workers=1)

    _view, bad, new = import_hash_list(vault, listing, "clinic list")
    assert bad == [] and new >= 1
    parsed = load_hash_list(listing).entries
    with vault.session() as s:
        rows = list(s.scalars(select(HashListEntry).order_by(HashListEntry.position)))
    assert [(r.value, r.variant or "", r.original or "") for r in rows] == [
        (e.value, e.variant, e.original) for e in parsed
    ]
    external = [m for m in matching.list_matches(vault, other) if m.target_external]
    assert external, "the crop was not found through the imported list"
    assert {m.target_external for m in external} == {f"clinic list: pdq {photo_hash}"}
    assert all(m.details["target_variant"] for m in external)  # found through a variant


def _watermarked(x: Pixels) -> Pixels:
    """A re-poster's mark: a large half-opaque handle across the lower middle and a logo
    box in the bottom-right corner (the top of the picture is left as it was)."""
    h, w = x.shape[:2]
    layer = x.copy()
    font = cv2.FONT_HERSHEY_SIMPLEX
    cv2.putText(layer, "@reposter", (w // 12, h * 2 // 3), font, w / 260, (255, 255, 255), 9)
    cv2.rectangle(layer, (w - w // 4, h - h // 6), (w - w // 40, h - h // 40), (255, 255, 255), -1)
    return np.asarray(cv2.addWeighted(layer, 0.55, x, 0.45, 0), dtype=np.uint8)


def test_scan_finds_watermarked_copies_and_crops_at_any_place_and_nothing_unrelated(
    exported: tuple[Vault, str, Path, Path], tmp_path: Path, capsys: Any
) -> None:
    _, _, listing, canonical = exported
    photo = generated_photo()
    photo_hash = hash_file(_save(photo, tmp_path / "photo.png"), "plain").pdq
    assert photo_hash is not None
    tags = {e.variant for e in load_hash_list(listing).entries if e.variant}
    assert {"region-top-half", "region-bottom-right-quarter", "grid-72%-x0.25-y0.50"} <= tags
    assert {"grid-67.5%-x1.00-y0.75", "grid-76.5%-x0.00-y0.00"} <= tags
    # pytx readers still see one line per picture: the new variants are ncii_variant lines.
    assert _pytx_reader(listing.read_text()) == _pytx_reader(canonical.read_text())
    assert len(_pytx_reader(listing.read_text())["pdq"]) == 2

    folder = tmp_path / "found"
    folder.mkdir()
    reposts = {
        "watermarked.jpg": _watermarked(photo),
        # 76-84 % crops at places off every corner, side middle and listed grid place.
        "crop-80-inner-a.jpg": _crop(photo, 0.8, 0.37, 0.62),
        "crop-80-inner-b.jpg": _crop(photo, 0.8, 0.81, 0.14),
        "crop-75-inner.jpg": _crop(photo, 0.75, 0.28, 0.82),
        "crop-76-inner.jpg": _crop(photo, 0.76, 0.43, 0.14),
        "crop-84-inner.jpg": _crop(photo, 0.84, 0.88, 0.82),
    }
    for name, pixels in reposts.items():
        _save(pixels, folder / name)
    # The mark moves the whole picture's hash past the threshold: only the regions find it.
    marked = hash_file(folder / "watermarked.jpg", "plain").pdq
    assert marked is not None and ph.hamming_hex(marked, photo_hash) > 31

    # Unrelated pictures, also marked and cropped the same ways: none may match.
    unrelated: dict[str, Pixels] = {}
    for k, pixels in enumerate(
        [
            *(generated_photo(seed=s) for s in (11, 12, 13, 14)),
            *(np.ascontiguousarray(getattr(skdata, n)()) for n in ("astronaut", "chelsea")),
            np.ascontiguousarray(skdata.rocket()),
        ]
    ):
        unrelated[f"other-{k}.jpg"] = pixels
        unrelated[f"other-{k}-marked.jpg"] = _watermarked(pixels)
        unrelated[f"other-{k}-crop.jpg"] = _crop(pixels, 0.8, 0.37, 0.62)
    for name, pixels in unrelated.items():
        _save(pixels, folder / name)

    assert cli(["scan", str(folder), "--against", str(listing), "--json", "--workers", "1"]) == 0
    out = json.loads(capsys.readouterr().out)
    named = {Path(m["path"]).name: m for m in out["matches"]}
    for name in reposts:
        assert name in named, f"{name} not found by scan"
        assert named[name]["original"] == photo_hash, f"{name} named another picture"
    assert set(named) == set(reposts), f"unrelated pictures matched: {set(named) - set(reposts)}"


def _collage(pictures: list[Pixels]) -> Pixels:
    """A 2x2 collage with 8-pixel white gutters, each picture resized to a 400-wide cell."""
    cells = [cv2.resize(p, (400, 300), interpolation=cv2.INTER_AREA) for p in pictures]
    gap = 8
    canvas = np.full((2 * 300 + 3 * gap, 2 * 400 + 3 * gap, 3), 255, np.uint8)
    for k, cell in enumerate(cells):
        r, c = divmod(k, 2)
        canvas[gap + r * (300 + gap) : (r + 1) * (300 + gap), gap + c * (400 + gap) :][:, :400] = (
            cell
        )
    return canvas


def test_scan_takes_each_quarter_of_a_collage_as_a_cell(tmp_path: Path) -> None:
    """The horse stands on white, so its cell meets the white gutters without a visible
    edge and the region detector cannot cut it out; the quarter taken as a cell finds it."""
    horse = np.dstack([np.asarray(skdata.horse(), dtype=np.uint8) * 255] * 3)
    horse = np.ascontiguousarray(cv2.resize(horse, (400, 300), interpolation=cv2.INTER_AREA))
    original = hash_file(_save(horse, tmp_path / "horse.png"), "original")
    assert original.pdq is not None
    records = [(v.kind, v.value, v.quality, v.variant) for v in original.variants]
    entries = [HashEntry("pdq", original.pdq, original.pdq_quality, "clinic")]
    entries += picture_variants(original.pdq, original.pdq_quality, records, None, "clinic")
    matcher = ListMatcher([("clinic", entries)])

    others = [generated_photo(seed=s, h=300, w=400) for s in (21, 22, 23)]
    collage = _collage([others[0], horse, *others[1:]])  # the horse top right
    found = hash_file(_save(collage, tmp_path / "collage.jpg"), "scan")
    matches = matcher.match(found)
    assert [m.original for m in matches] == [original.pdq]
    assert matches[0].suspect_variant.startswith("cell top-right")
    # The same collage without the horse matches nothing.
    without = _collage([*others, np.ascontiguousarray(others[0][:, ::-1])])
    assert matcher.match(hash_file(_save(without, tmp_path / "other.jpg"), "scan")) == []
