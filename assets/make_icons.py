"""Draw the NCII Desk icon and write every size the three platforms need.

The mark: a white shield (protection) holding a folder (the case file), on a calm blue
rounded square. Drawn with Pillow at twice the largest size and scaled down, so the edges are
smooth; small sizes are scaled from the large drawing.

    python assets/make_icons.py          # writes assets/icons/

Outputs (committed; run again only when the design changes):
  ncii-desk.png (256 px, window and Linux icon), ncii-desk-512.png, ncii-desk-1024.png,
  ncii-desk.ico (Windows: 16 to 256 px) and ncii-desk.icns (macOS: 16 to 1024 px).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent / "icons"
MASTER = 1024
SCALE = 2  # drawn at 2048 px, then reduced: smooth edges without any anti-aliasing mode

TOP = (46, 94, 126)  # calm blue, a little lighter towards the bottom
BOTTOM = (58, 122, 140)
SHIELD = (250, 250, 247)
ICO_SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]


def _bezier(
    p0: tuple[float, float], p1: tuple[float, float], p2: tuple[float, float], steps: int = 48
) -> list[tuple[float, float]]:
    """Points along a quadratic Bézier curve from p0 to p2 pulled towards p1."""
    pts = []
    for i in range(steps + 1):
        t = i / steps
        a, b, c = (1 - t) ** 2, 2 * (1 - t) * t, t**2
        pts.append((a * p0[0] + b * p1[0] + c * p2[0], a * p0[1] + b * p1[1] + c * p2[1]))
    return pts


def _shield(s: float) -> list[tuple[float, float]]:
    """The shield outline in a 1024-unit square scaled by ``s``: flat top, pointed bottom."""
    left, right, top, shoulder, tip = 292, 732, 236, 540, 842
    outline: list[tuple[float, float]] = []
    outline += _bezier((left, top + 40), (left, top), (left + 40, top))  # top-left corner
    outline += _bezier((right - 40, top), (right, top), (right, top + 40))  # top-right corner
    outline += [(right, shoulder)]
    outline += _bezier((right, shoulder), (right, 740), (512, tip))  # right side to the tip
    outline += _bezier((512, tip), (left, 740), (left, shoulder))  # tip back up the left side
    return [(x * s, y * s) for x, y in outline]


def draw(size: int = MASTER) -> Image.Image:
    """The icon at ``size`` pixels (square, RGBA)."""
    big = size * SCALE
    s = big / MASTER
    gradient = Image.new("RGBA", (1, big))
    for y in range(big):
        t = y / max(big - 1, 1)
        rgb = (round(a + (b - a) * t) for a, b in zip(TOP, BOTTOM, strict=True))
        gradient.putpixel((0, y), (*rgb, 255))
    background = gradient.resize((big, big))
    mask = Image.new("L", (big, big), 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        [64 * s, 64 * s, (MASTER - 64) * s, (MASTER - 64) * s], radius=200 * s, fill=255
    )
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    image.paste(background, (0, 0), mask)
    d = ImageDraw.Draw(image)
    d.polygon(_shield(s), fill=SHIELD)
    # The folder: a tab and a body, in the background's blue.
    folder = (*TOP, 255)
    d.rounded_rectangle([400 * s, 398 * s, 500 * s, 450 * s], radius=18 * s, fill=folder)
    d.rounded_rectangle([400 * s, 426 * s, 624 * s, 590 * s], radius=22 * s, fill=folder)
    d.rectangle([400 * s, 470 * s, 624 * s, 478 * s], fill=SHIELD)  # the folder's front edge
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    master = draw(MASTER)
    written = []
    for size, name in ((256, "ncii-desk.png"), (512, "ncii-desk-512.png"), (1024, None)):
        target = OUT / (name or f"ncii-desk-{size}.png")
        image = master if size == MASTER else master.resize((size, size), Image.Resampling.LANCZOS)
        image.save(target, optimize=True)
        written.append(target)
    ico = OUT / "ncii-desk.ico"
    master.save(ico, sizes=ICO_SIZES)
    icns = OUT / "ncii-desk.icns"
    master.save(icns)
    written += [ico, icns]
    for path in written:
        sys.stdout.write(f"{path.relative_to(OUT.parent.parent)}  {path.stat().st_size:,} bytes\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
