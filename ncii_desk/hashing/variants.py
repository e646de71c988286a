"""More hashes of a still image, so that a hash list carries what a case can find.

Inside a case, local features find crops and rotations of an original; a hash list has only
hashes. So an original gets PDQ hashes of off-centre crops too (besides the centred ladder in
:mod:`ncii_desk.hashing.regions`), and a suspect gets hashes of itself turned back by small
angles (de-skew). The distance threshold never changes: only better-chosen pixels are hashed.

* Off-centre crops: at each share in OFF_CENTRE_SHARES, the crop anchored at each corner and
  at the middle of each side (eight per share). A re-post cropped to one side lies on or near
  one of them.
* De-skew: the suspect rotated back by each angle in DESKEW_ANGLES about its centre, then the
  centred DESKEW_SHARE crop (inside the rotated frame, so no corner filler is hashed). The
  original's centred crop of the same share (stored in the crop ladder) is what it meets.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

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
