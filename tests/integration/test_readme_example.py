"""The README's command-line examples run as written.

The commands are read from README.md itself (so the test follows the README) and run in
order in a fresh folder, with the files they name placed where they say (generated benign
pictures and a face photo from ../shared/testdata). Only the example web address is replaced,
by a page on a local 127.0.0.1 server showing a copy of the client's original.
"""

from __future__ import annotations

import io
import os
import re
import shlex
from pathlib import Path

import pytest
from capture_server import LocalServer, Route
from clikit import Cli
from PIL import Image

from conftest import SHARED

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_URL = "https://example.com/post/123"
SELFIE = SHARED / "testdata" / "faces" / "chirac1.jpg"


def readme_commands() -> list[str]:
    """Every ``ncii-desk`` command of the README's command-line sections, joined across
    backslash line ends."""
    text = (REPO / "README.md").read_text("utf-8")
    section = text.split("## First steps with the command line", 1)[1].split("\n## ", 1)[0]
    joined = re.sub(r"\\\n\s*", " ", section)
    return [
        line.strip()
        for line in joined.splitlines()
        if line.startswith("    ncii-desk ") and not line.strip().endswith(":")
    ]


def picture(seed: int, size: tuple[int, int] = (480, 360)) -> Image.Image:
    """A benign generated picture: soft colour fields with a few shapes."""
    import numpy as np

    rng = np.random.default_rng(seed)
    h, w = size[1], size[0]
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack(
        [
            128 + 100 * np.sin(x / (20 + 10 * rng.random()) + c) * np.cos(y / 35.0 + c)
            for c in range(3)
        ],
        axis=-1,
    )
    for _ in range(6):
        cx, cy, r = rng.integers(0, w), rng.integers(0, h), rng.integers(20, 70)
        base[(x - cx) ** 2 + (y - cy) ** 2 < r * r] = rng.integers(0, 255, 3)
    return Image.fromarray(base.clip(0, 255).astype("uint8"))


def jpeg(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=88)
    return buf.getvalue()


def test_readme_example_runs_as_written(
    cli: Cli, cli_vault: Path, web: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not SELFIE.is_file():
        pytest.skip("../shared/testdata/faces is absent")
    commands = readme_commands()
    assert len(commands) >= 15
    assert any(c.startswith("ncii-desk clinic set ") for c in commands)
    assert [c for c in commands if EXAMPLE_URL in c], "the README's example address changed"

    # The files the README names, where it names them (~ is the test's own home folder).
    home = Path(os.path.expanduser("~"))
    originals = home / "Desktop" / "client-originals"
    originals.mkdir(parents=True)
    original = picture(1)
    original.save(originals / "beach.png")
    picture(2).save(originals / "garden.png")
    (home / "Downloads").mkdir()
    (home / "Downloads" / "found-copy.jpg").write_bytes(jpeg(original.resize((360, 270))))
    (home / "Desktop" / "client-selfie.jpg").write_bytes(SELFIE.read_bytes())
    work = tmp_path / "work"
    for folder, seed in (("some-folder", 3), ("downloaded-dump", 1)):
        (work / folder).mkdir(parents=True)
        picture(seed).save(work / folder / "a.png")
    monkeypatch.chdir(work)

    # The page the example captures: a re-posted, re-compressed copy of the original.
    web.routes["/post/123"] = Route(
        b"<html><body><h1>post</h1><img src='/media/copy.jpg'></body></html>"
    )
    web.routes["/media/copy.jpg"] = Route(
        jpeg(original.resize((400, 300))), content_type="image/jpeg"
    )

    for command in commands:
        argv = [os.path.expanduser(w) for w in shlex.split(command)][1:]
        argv = [web.url("/post/123") if w == EXAMPLE_URL else w for w in argv]
        result = cli(*argv)
        assert result.rc == 0, f"{command}\n{result.out}\n{result.err}"
        assert "error:" not in result.err, f"{command}\n{result.err}"

    letters = sorted(p.name for p in (work / "letters").iterdir())
    assert letters and {Path(n).suffix for n in letters} == {".pdf", ".docx"}
    assert (work / "client-hashes.txt").read_text().startswith("pdq ")
    assert (work / "packet.zip").is_file()
