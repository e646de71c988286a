"""``ncii-desk inspect`` end to end: real files on disk, real decoding, JSON and plain output."""

from __future__ import annotations

import io
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import skimage.data
from PIL import Image, PngImagePlugin

from ncii_desk.cli.main import main

EDIT = (160, 60, 150, 170)  # x, y, w, h of the pasted region in the suspect (0.8 scale)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """An original, a decoy, a damaged file, and a suspect made from the original."""
    astronaut = skimage.data.astronaut()
    out = {
        "original": tmp_path / "astronaut.png",
        "decoy": tmp_path / "coffee.png",
        "broken": tmp_path / "broken.png",
        "suspect": tmp_path / "suspect.jpg",
    }
    Image.fromarray(astronaut).save(out["original"])
    Image.fromarray(skimage.data.coffee()).save(out["decoy"])
    out["broken"].write_bytes(out["original"].read_bytes()[:3000])
    edited = astronaut.copy()
    patch = cv2.resize(skimage.data.immunohistochemistry(), (188, 212))
    edited[75:287, 200:388] = patch  # EDIT / 0.8 in the original
    small = cv2.resize(edited, (410, 410), interpolation=cv2.INTER_AREA)
    Image.fromarray(small).save(out["suspect"], quality=80)
    return out


def _iou(a: list[int], b: tuple[int, int, int, int]) -> float:
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    return ix * iy / (a[2] * a[3] + b[2] * b[3] - ix * iy)


def test_json_reports_source_altered_region_heatmap_and_bad_original(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    heatmap = tmp_path / "diff.png"
    code = main(
        [
            "inspect",
            str(files["suspect"]),
            "--original",
            str(files["decoy"]),
            str(files["broken"]),
            "--original",
            str(files["original"]),
            "--heatmap",
            str(heatmap),
            "--json",
        ]
    )
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert code == 7  # finished, but one original could not be read
    assert data["image"]["width"] == 410 and data["image"]["mime"] == "image/jpeg"
    derivation = data["derivation"]
    assert derivation["original_id"] == str(files["original"])
    assert _iou(derivation["altered_boxes"][0], EDIT) > 0.5
    assert 0.1 < derivation["altered_share"] < 0.25
    assert data["signals"][0]["kind"] == "derivation"
    assert data["signals"][0]["strength"] == "strong"
    assert data["signals"][0]["finding"].startswith(f"Made from original {files['original']}")
    assert any(s["kind"] == "generator_metadata" for s in data["signals"])
    assert [o["read"] for o in data["originals"]] == [True, False, True]
    (error,) = data["errors"]
    assert error["role"] == "original" and error["path"] == str(files["broken"])
    assert error["error"] == "DecodeError"
    assert "broken.png" in captured.err and "damaged or truncated" in captured.err
    assert data["heatmap"] == str(heatmap)
    picture = np.asarray(Image.open(heatmap))
    assert picture.shape == (410, 410, 3)
    x, y, w, h = EDIT
    inner = picture[y + h // 4 : y + 3 * h // 4, x + w // 4 : x + 3 * w // 4].astype(int)
    assert (inner[..., 0] - inner[..., 1]).mean() > 60  # red over the pasted region


def test_plain_output(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["inspect", str(files["suspect"]), "--original", str(files["original"])])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith(f"{files['suspect']}: image/jpeg")
    assert "STRONG   Made from original" in out
    assert "Altered regions (pixels): x " in out
    assert "Limits: This shows that the image was made from the original" in out
    assert "NONE     No AI generator tags" in out


def test_no_source_among_unrelated_originals(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    heatmap = tmp_path / "none.png"
    code = main(
        [
            "inspect",
            str(files["suspect"]),
            "--original",
            str(files["decoy"]),
            "--heatmap",
            str(heatmap),
            "--json",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["derivation"] is None
    assert data["signals"][0]["kind"] == "derivation"
    assert data["signals"][0]["strength"] == "none"
    assert data["heatmap"] is None and not heatmap.exists()
    assert "No heat-map was written" in data["notes"][0]


def test_generator_metadata_without_originals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", "a cat\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 9")
    path = tmp_path / "generated.png"
    Image.fromarray(skimage.data.chelsea()).save(path, pnginfo=info)
    code = main(["inspect", str(path), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["derivation"] is None and data["originals"] == []
    (signal,) = data["signals"]
    assert signal["kind"] == "generator_metadata" and signal["strength"] == "strong"
    assert data["metadata"]["fields"][0]["key"] == "parameters"


def test_undecodable_image_still_shows_its_metadata(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", "Midjourney")
    buf = io.BytesIO()
    Image.fromarray(skimage.data.chelsea()).save(buf, "PNG", pnginfo=info)
    path = tmp_path / "cut.png"
    path.write_bytes(buf.getvalue()[:2000])  # text chunk kept, picture data cut
    code = main(["inspect", str(path), "--original", str(path)])
    captured = capsys.readouterr()
    assert code == 7
    assert "The file's metadata points to Midjourney" in captured.out
    assert "Damaged metadata:" in captured.out and "truncated" in captured.out
    assert f"error: image {path}" in captured.err
    assert f"error: original {path}" in captured.err


def test_missing_image_and_unusable_heatmap_path(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.jpg"
    assert main(["inspect", str(missing)]) == 1
    assert f"The file {missing} does not exist." in capsys.readouterr().err

    existing = tmp_path / "already.png"
    existing.write_bytes(b"keep me")
    code = main(["inspect", str(files["suspect"]), "--heatmap", str(existing)])
    assert code == 2
    assert "the heat-map will not overwrite a file" in capsys.readouterr().err
    assert existing.read_bytes() == b"keep me"

    assert main(["inspect", str(files["suspect"]), "--heatmap", str(tmp_path / "x.jpg")]) == 2
    assert "does not end in .png" in capsys.readouterr().err
