"""``ncii-desk faces compare|list|pick|unpick`` and ``ncii-desk analyze`` on the real models.

Run in-process through ``main(argv)``. Photos from ../shared/testdata/faces; the module skips
when the models or the photos are absent.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from modelkit import FACES_DIR, require_models

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.vault import Vault
from ncii_desk.vision import faces as F
from ncii_desk.vision.registry import MODELS_ENV

require_models("face_api_dlib_resnet/" + F.DLIB_FILE, "mesonet")


def test_compare_reports_each_suspect_face_and_each_unreadable_file(
    cli: Any, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes((FACES_DIR / "chirac4.jpg").read_bytes()[:2000])
    vault_dir = tmp_path / "no-vault"
    result = cli(
        "--vault",
        str(vault_dir),
        "faces",
        "compare",
        "--reference",
        str(FACES_DIR / "chirac1.jpg"),
        str(FACES_DIR / "chirac3.jpg"),
        "--face",
        "1",
        "--suspect",
        str(FACES_DIR / "chirac4.jpg"),
        str(FACES_DIR / "codait_luciano.png"),
        str(broken),
        "--json",
    )
    assert result.rc == 7, result.err  # some files could not be read
    data = result.json()
    assert data["threshold"] == F.match_threshold() and data["provider"]
    refs = {Path(r["path"]).name: r for r in data["references"]}
    assert refs["chirac1.jpg"]["faces_found"] == 1
    assert refs["chirac3.jpg"]["faces_found"] == 5  # face 1, the largest (Chirac), chosen
    assert refs["chirac3.jpg"]["used_face"]["face"] == 1
    assert data["embedder"] == "dlib-resnet-128" and data["metric"] == "euclidean"
    x, y, w, h = refs["chirac3.jpg"]["used_face"]["box"]
    assert 190 <= x + w / 2 <= 270 and 130 <= y + h / 2 <= 210
    sus = {Path(r["path"]).name: r for r in data["suspects"]}
    (same,) = sus["chirac4.jpg"]["faces"]
    assert same["match"] is True and same["similarity"] >= F.match_threshold()
    assert same["threshold"] == F.match_threshold() and len(same["box"]) == 4
    assert Path(same["reference"]).name in ("chirac1.jpg", "chirac3.jpg")
    (other,) = sus["codait_luciano.png"]["faces"]
    assert other["match"] is False and other["similarity"] < F.match_threshold()
    assert sus["codait_luciano.png"]["match"] is False
    assert sus["broken.jpg"]["error"] == "DecodeError"
    assert sus["broken.jpg"]["message"] and sus["broken.jpg"]["hint"]
    assert not vault_dir.exists()  # no vault needed, nothing stored

    text = cli(
        "faces",
        "compare",
        "--reference",
        str(FACES_DIR / "chirac1.jpg"),
        "--suspect",
        str(FACES_DIR / "chirac2.jpg"),
    )
    assert text.rc == 0
    assert "MATCH" in text.out and "threshold 0.40" in text.out


def test_compare_without_a_usable_reference_face_is_a_usage_error(cli: Any, tmp_path: Path) -> None:
    from PIL import Image

    blank = tmp_path / "blank.png"
    Image.new("RGB", (200, 200), (30, 160, 90)).save(blank)
    result = cli(
        "faces",
        "compare",
        "--reference",
        str(blank),
        "--suspect",
        str(FACES_DIR / "chirac2.jpg"),
        "--json",
    )
    assert result.rc == 2
    assert result.json()["error"] == "InvalidSetting"
    assert "reference" in result.json()["message"]


def test_a_reference_photo_with_several_faces_needs_face_n(cli: Any) -> None:
    """chirac3 shows five people: the command refuses to guess and says how to choose."""
    refused = cli(
        "faces",
        "compare",
        "--reference",
        str(FACES_DIR / "chirac3.jpg"),
        "--suspect",
        str(FACES_DIR / "chirac2.jpg"),
        "--json",
    )
    assert refused.rc == 2
    error = refused.json()
    assert error["error"] == "InvalidSetting" and "shows 5 faces" in error["message"]
    assert "--face N" in error["hint"]
    too_many = cli(
        "faces",
        "compare",
        "--reference",
        str(FACES_DIR / "chirac3.jpg"),
        "--face",
        "6",
        "--suspect",
        str(FACES_DIR / "chirac2.jpg"),
    )
    assert too_many.rc == 2 and "no face number 6" in too_many.err
    # Face 2 is Chirac's neighbour: chosen on purpose, it is used, and Chirac does not match.
    other = cli(
        "faces",
        "compare",
        "--reference",
        str(FACES_DIR / "chirac3.jpg"),
        "--face",
        "2",
        "--suspect",
        str(FACES_DIR / "chirac2.jpg"),
        "--json",
    )
    assert other.rc == 0
    assert other.json()["references"][0]["used_face"]["face"] == 2
    assert other.json()["suspects"][0]["match"] is False


def test_a_sideways_suspect_photo_matches_and_says_it_was_turned(cli: Any, tmp_path: Path) -> None:
    from PIL import Image

    turned = tmp_path / "sideways.jpg"
    Image.open(FACES_DIR / "chirac2.jpg").rotate(90, expand=True).save(turned)
    for embedder in ("dlib-resnet-128", "mobilefacenet-128"):
        result = cli(
            "faces",
            "compare",
            "--embedder",
            embedder,
            "--reference",
            str(FACES_DIR / "chirac1.jpg"),
            "--suspect",
            str(turned),
            "--json",
        )
        assert result.rc == 0, result.err
        data = result.json()
        assert data["embedder"] == embedder
        (face,) = data["suspects"][0]["faces"]
        assert face["match"] is True and face["rotation"] == 90
    assert F.embedder_name() == "dlib-resnet-128"  # --embedder lasted for its command only
    text = cli(
        "faces", "compare", "--reference", str(FACES_DIR / "chirac1.jpg"), "--suspect", str(turned)
    )
    assert "MATCH (photo turned 90 degrees)" in text.out and "dlib-resnet-128" in text.out


@pytest.fixture
def stocked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str, str]:
    """A vault with one case: chirac3 (five faces) as reference, chirac2 as suspect."""
    from ncii_desk.services import cases, intake
    from ncii_desk.vault.models import Role

    vault_dir = tmp_path / "vault"
    vault, _ = Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf(), actor="advocate")
    try:
        case = cases.new_case(vault, "CLI case")
        (ref,) = intake.add_items(vault, case.id, Role.REFERENCE, [FACES_DIR / "chirac3.jpg"]).added
        intake.add_items(vault, case.id, Role.SUSPECT, [FACES_DIR / "chirac2.jpg"])
    finally:
        vault.close()
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("NCII_DESK_VAULT", str(vault_dir))
    return str(vault_dir), case.id, ref.id


def test_faces_list_pick_unpick_and_analyze(cli: Any, stocked: tuple[str, str, str]) -> None:
    _, case_id, ref = stocked
    listed = cli("faces", "list", "CLI case", "--json")
    assert listed.rc == 0, listed.err
    (photo,) = listed.json()
    assert photo["item_id"] == ref and photo["status"] == "faces"
    assert [f["index"] for f in photo["faces"]] == [1, 2, 3, 4, 5]
    assert not any(f["picked"] for f in photo["faces"])

    bad = cli("faces", "pick", ref[:10], "9", "--json")
    assert bad.rc == 2 and bad.json()["error"] == "InvalidSetting"
    assert "no face number 9" in bad.json()["message"]
    picked = cli("faces", "pick", ref[:10], "1", "--json")
    assert picked.rc == 0, picked.err
    assert picked.json()["face_index"] == 1 and picked.json()["item_id"] == ref

    text = cli("faces", "list", case_id)
    assert "5 faces were found; picked: face 1." in text.out
    assert "PICKED (by " in text.out and "automatically" not in text.out
    assert "Gallery: 1 face(s) picked." in text.out

    analysed = cli("analyze", "CLI case", "--json")
    assert analysed.rc == 0, analysed.err
    report = analysed.json()
    assert report["gallery"]["faces"] == 1 and report["provider"]
    (item,) = report["items"]
    assert item["status"] == "analysed"
    assert item["faces"]["best_similarity"] >= F.match_threshold()
    assert item["summary"]["findings"][0]["kind"] == "face_match"
    matches = cli("matches", "CLI case", "--json").json()
    assert [m["kind"] for m in matches] == ["face"]

    again = cli("analyze", "CLI case")
    assert again.rc == 0
    assert "1 already up to date" in again.out and "Analysis ran on:" in again.out

    unpicked = cli("faces", "unpick", ref[:10], "--json")
    assert unpicked.rc == 0 and [v["face_index"] for v in unpicked.json()] == [1]
    gone = cli("faces", "unpick", ref[:10])
    assert gone.rc == 1 and "No face of item" in gone.err


def test_a_damaged_face_model_is_reported_and_the_other_checks_still_run(
    stocked: tuple[str, str, str], tmp_path: Path
) -> None:
    """Run as a separate process: the face models are loaded once per process."""
    import shutil
    import subprocess
    import sys

    folder = tmp_path / "clinic-models"
    folder.mkdir()
    (folder / F.DLIB_FILE).write_bytes(b"not the model")  # found first, wrong bytes
    exe = shutil.which("ncii-desk") or str(Path(sys.executable).with_name("ncii-desk"))
    env = dict(os.environ) | {MODELS_ENV: str(folder)}
    proc = subprocess.run(
        [exe, "analyze", "CLI case", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 7, proc.stderr
    report = json.loads(proc.stdout)
    (problem,) = report["problems"]
    assert problem["error"] == "ModelCorrupt" and problem["model"] == "dlib-resnet-128"
    assert report["classifiers"] == [] and report["gallery"]["faces"] == 0
    (item,) = report["items"]
    assert item["status"] == "analysed"
    assert "faces" not in item["steps_run"] and "deepfake" not in item["steps_run"]
    assert "metadata" in item["steps_run"]
    findings = [f["finding"] for f in item["summary"]["findings"]]
    assert any(f.startswith("Faces were not looked at in this run") for f in findings)
