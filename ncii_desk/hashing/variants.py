"""More hashes of a still image, so that a hash list carries what a case can find.

Inside a case, local features find crops and rotations of an original; a hash list has only
hashes. So an original gets PDQ hashes of off-centre crops too (besides the centred ladder in
:mod:`ncii_desk.hashing.regions`), and a suspect gets hashes of itself turned back by small
angles (de-skew). The distance threshold never changes: only better-chosen pixels are hashed.

* Off-centre crops: at each share in OFF_CENTRE_SHARES, the crop anchored at each corner and
  at the middle of each side (eight per share). A re-post cropped to one side lies on or near
  one of them.
* Sub-regions (both sides): halves and quarters, so a watermark or logo in one place leaves
  the other regions' hashes intact; a suspect's quarters are also taken as 2x2 collage
  cells (without their gutters, and their centred 95 %).
* Crops at any place: grids of 67.5, 72 and 76.5 % crops on the original's side, 81
  search crops of 90 % on the suspect's side (see GRID_SHARES).
* De-skew: the suspect rotated back by each angle in DESKEW_ANGLES about its centre, then the
  centred DESKEW_SHARE crop (inside the rotated frame, so no corner filler is hashed). The
  original's centred crop of the same share (stored in the crop ladder) is what it meets.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from ncii_desk.hashing.regions import trim_borders

Pixels = np.ndarray[Any, np.dtype[np.uint8]]

OFF_CENTRE_SHARES = (0.9, 0.8, 0.7)
#: (horizontal, vertical) position of the crop in the slack: 0 = left/top, 1 = right/bottom.
ANCHORS = {
    "top-left": (0.0, 0.0),
    "top": (0.5, 0.0),
    "top-right": (1.0, 0.0),
    "left": (0.0, 0.5),
    "right": (1.0, 0.5),
    "bottom-left": (0.0, 1.0),
    "bottom": (0.5, 1.0),
    "bottom-right": (1.0, 1.0),
}
#: Angles a suspect is turned back by (degrees, counter-clockwise positive as OpenCV).
#: Steps of 2 degrees: a tilt between 2 and 8 degrees either way is at most 1 degree off one.
DESKEW_ANGLES = (-8.0, -6.0, -4.0, -2.0, 2.0, 4.0, 6.0, 8.0)
#: Centred share kept after turning back: inside the frame for tilts up to 8 degrees at 4:3.
DESKEW_SHARE = 0.8


def off_centre_crops(
    pixels: Pixels, shares: tuple[float, ...] = OFF_CENTRE_SHARES
) -> list[tuple[str, Pixels]]:
    """Crops of ``share`` of each side, anchored at the corners and side middles."""
    h, w = pixels.shape[:2]
    out: list[tuple[str, Pixels]] = []
    for share in shares:
        ch, cw = round(h * share), round(w * share)
        if ch < 16 or cw < 16:
            continue
        for name, (fx, fy) in ANCHORS.items():
            top, left = round((h - ch) * fy), round((w - cw) * fx)
            crop = np.ascontiguousarray(pixels[top : top + ch, left : left + cw])
            out.append((f"crop {share * 100:g}% {name}", crop))
    return out


def centre_crop(pixels: Pixels, share: float) -> Pixels:
    h, w = pixels.shape[:2]
    ch, cw = round(h * share), round(w * share)
    top, left = (h - ch) // 2, (w - cw) // 2
    return np.ascontiguousarray(pixels[top : top + ch, left : left + cw])


def deskewed(
    pixels: Pixels, angles: tuple[float, ...] = DESKEW_ANGLES, share: float = DESKEW_SHARE
) -> list[tuple[str, Pixels]]:
    """The image turned back by each angle, centred ``share`` crop of each."""
    h, w = pixels.shape[:2]
    if h < 32 or w < 32:
        return []
    out: list[tuple[str, Pixels]] = []
    for angle in angles:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        turned: Pixels = np.asarray(
            cv2.warpAffine(
                pixels, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
            ),
            dtype=np.uint8,
        )
        out.append((f"deskew {angle:+g}°", centre_crop(turned, share)))
    return out


#: Sub-regions (halves and quadrants) hashed on both sides: a watermark, sticker or logo in
#: one place changes the hashes of the regions it covers and leaves the others intact.
SUB_REGIONS = {
    "top half": (0.0, 0.0, 1.0, 0.5),
    "bottom half": (0.0, 0.5, 1.0, 1.0),
    "left half": (0.0, 0.0, 0.5, 1.0),
    "right half": (0.5, 0.0, 1.0, 1.0),
    "top-left quarter": (0.0, 0.0, 0.5, 0.5),
    "top-right quarter": (0.5, 0.0, 1.0, 0.5),
    "bottom-left quarter": (0.0, 0.5, 0.5, 1.0),
    "bottom-right quarter": (0.5, 0.5, 1.0, 1.0),
}
#: Crops at an arbitrary place. PDQ moves 42-60 bits when a crop shifts by 1 % of the side,
#: so neither side alone can cover every place with few hashes. Together they can: the
#: original lists crops of each GRID_SHARES share of each side on a GRID x GRID grid of
#: places (steps of 7-8 % of the side), and a suspect hashes SEARCH_SHARE of itself at
#: SEARCH x SEARCH places. A suspect that is an 80 % crop at any place holds a 72 % crop
#: (90 % of 80 %) at every place within 8 % of the side of its own; one of those is a
#: listed grid place, and the suspect's search steps (1 % of the original's side) come
#: within 0.5 % of it. PDQ tolerates little change of scale, so one share serves crops of
#: about one size: 67.5 and 76.5 % serve 75 and 85 % crops.
GRID_SHARES = (0.675, 0.72, 0.765)
GRID = 5
SEARCH_SHARE = 0.9
SEARCH = 9
#: Side of the copy searched (grey levels): PDQ samples 64 x 64, so 256 keeps a search step
#: above two pixels and makes the SEARCH x SEARCH hashes cheap.
SEARCH_SIDE = 256


def _box(h: int, w: int, fx0: float, fy0: float, fx1: float, fy1: float) -> tuple[int, ...]:
    return round(h * fy0), round(h * fy1), round(w * fx0), round(w * fx1)


def sub_regions(pixels: Pixels) -> list[tuple[str, Pixels]]:
    """The picture's halves and quarters (SUB_REGIONS); none for a tiny picture."""
    h, w = pixels.shape[:2]
    if h < 64 or w < 64:
        return []
    out: list[tuple[str, Pixels]] = []
    for name, box in SUB_REGIONS.items():
        r0, r1, c0, c1 = _box(h, w, *box)
        out.append((f"region {name}", np.ascontiguousarray(pixels[r0:r1, c0:c1])))
    return out


def _placed_crops(pixels: Pixels, share: float, steps: int) -> list[tuple[float, float, Pixels]]:
    h, w = pixels.shape[:2]
    ch, cw = round(h * share), round(w * share)
    if ch < 16 or cw < 16:
        return []
    out: list[tuple[float, float, Pixels]] = []
    for fy in np.linspace(0.0, 1.0, steps):
        for fx in np.linspace(0.0, 1.0, steps):
            top, left = round((h - ch) * float(fy)), round((w - cw) * float(fx))
            out.append((float(fx), float(fy), pixels[top : top + ch, left : left + cw]))
    return out


def grid_crops(pixels: Pixels) -> list[tuple[str, Pixels]]:
    """An original's crops of each GRID_SHARES share of each side on a GRID x GRID grid."""
    return [
        (f"grid {share * 100:g}% x{fx:.2f} y{fy:.2f}", np.ascontiguousarray(crop))
        for share in GRID_SHARES
        for fx, fy, crop in _placed_crops(pixels, share, GRID)
    ]


def search_crops(pixels: Pixels) -> list[tuple[str, Pixels]]:
    """A suspect's crops of SEARCH_SHARE of itself at SEARCH x SEARCH places, from a grey
    copy of side SEARCH_SIDE (PDQ reads only the luma; one conversion serves every crop)."""
    h, w = pixels.shape[:2]
    scale = min(1.0, SEARCH_SIDE / max(h, w))
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = cv2.resize(pixels, size, interpolation=cv2.INTER_AREA) if scale < 1 else pixels
    grey = small if small.ndim == 2 else cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    return [
        (f"search {SEARCH_SHARE * 100:g}% x{fx:.3f} y{fy:.3f}", np.ascontiguousarray(crop))
        for fx, fy, crop in _placed_crops(np.asarray(grey, dtype=np.uint8), SEARCH_SHARE, SEARCH)
    ]


#: Share kept of a collage cell's centre: a 2x2 collage puts a gutter (and, for a picture
#: on a background of the gutter's colour, no visible edge) around each picture; 95 % of the
#: cell lies inside the picture and meets the original's centred crop of about that share.
CELL_INSET = 0.95


def collage_cells(pixels: Pixels) -> list[tuple[str, Pixels]]:
    """Each quarter of a suspect taken as a 2x2 collage cell: without its padding (the
    gutters, when they end at the picture's edge) and its centred CELL_INSET share."""
    out: list[tuple[str, Pixels]] = []
    for name, quarter in sub_regions(pixels):
        if not name.endswith("quarter"):
            continue
        cell = name.removeprefix("region ").removesuffix(" quarter")
        trimmed = trim_borders(quarter)
        if trimmed.shape != quarter.shape:
            out.append((f"cell {cell} trimmed", trimmed))
        out.append((f"cell {cell} inset", centre_crop(quarter, CELL_INSET)))
    return out
