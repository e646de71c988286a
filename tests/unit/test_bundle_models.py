"""packaging/bundle_models.py: the model files a frozen build carries, found and sha256-checked.

Real files only: the bundled models from ../shared/models, copied or damaged in tmp folders.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from conftest import SHARED
from ncii_desk.vision.registry import load_manifest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "packaging"))
import bundle_models  # noqa: E402

pytestmark = pytest.mark.skipif(
    not (SHARED / "models").is_dir(), reason="needs the model files in ../shared/models"
)

BUNDLED = [s for s in load_manifest(REPO / "models" / "manifest.toml").values() if s.bundled]


def _fake_repo(tmp_path: Path) -> Path:
    """A checkout with the real manifest and no ../shared/models beside it."""
    repo = tmp_path / "checkout"
    (repo / "models").mkdir(parents=True)
    shutil.copyfile(REPO / "models" / "manifest.toml", repo / "models" / "manifest.toml")
    return repo


def _copy_bundled(target: Path) -> None:
    for spec in BUNDLED:
        (target / spec.file).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SHARED / "models" / spec.file, target / spec.file)
        for lic in spec.licence_files:
            (target / lic).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(SHARED / "models" / lic, target / lic)


def test_stages_every_bundled_model_with_its_licences(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    models = tmp_path / "models"
    _copy_bundled(models)
    monkeypatch.setenv(bundle_models.MODELS_ENV, str(models))
    staged = bundle_models.stage(_fake_repo(tmp_path), tmp_path / "stage")

    by_name = {s.name: s for s in staged}
    for spec in BUNDLED:
        item = by_name[spec.name]
        assert item.sha256 == spec.sha256
        assert item.staged == tmp_path / "stage" / spec.file
        assert item.staged.read_bytes() == (SHARED / "models" / spec.file).read_bytes()
        for lic in spec.licence_files:
            assert (tmp_path / "stage" / lic).is_file()
    models_staged = {s.name for s in staged if not s.name.startswith("licence of")}
    assert models_staged == {s.name for s in BUNDLED}  # and nothing marked bundled = false

    datas = bundle_models.datas(staged)
    assert len(datas) == len(set(datas))  # a shared licence file is listed once
    dests = {Path(src).name: dest for src, dest in datas}
    assert dests["Meso4_DF.h5"] == "models/mesonet"
    assert dests["face_detection_yunet_2023mar.onnx"] == "models"
    assert dests["NOTICE.MesoNet.txt"] == "models/licenses"


def test_a_changed_file_stops_the_build_naming_both_hashes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    models = tmp_path / "models"
    _copy_bundled(models)
    victim = BUNDLED[-1]
    data = bytearray((models / victim.file).read_bytes())
    data[100] ^= 0x01
    (models / victim.file).write_bytes(bytes(data))
    monkeypatch.setenv(bundle_models.MODELS_ENV, str(models))

    with pytest.raises(bundle_models.ModelBundleError) as exc:
        bundle_models.stage(_fake_repo(tmp_path), tmp_path / "stage")
    text = str(exc.value)
    assert f"- {victim.name}:" in text
    assert victim.sha256 in text
    assert "sha256" in text and "manifest expects" in text
    assert sum(line.startswith("- ") for line in text.splitlines()) == 1


def test_missing_files_are_listed_with_where_they_were_searched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    monkeypatch.setenv(bundle_models.MODELS_ENV, str(empty))
    with pytest.raises(bundle_models.ModelBundleError) as exc:
        bundle_models.stage(_fake_repo(tmp_path), tmp_path / "stage")
    text = str(exc.value)
    for spec in BUNDLED:
        assert f"- {spec.name}: {spec.file} (sha256 {spec.sha256}) was not found" in text
    assert str(empty) in text
    assert "--skip-models" in text
