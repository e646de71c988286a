"""`ncii-desk models` lists the models; `models install --from DIR` is the pip install's
models step: verified copies into the user model folder, a damaged file refused per model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from clikit import Cli

from conftest import SHARED
from ncii_desk.vision import registry as registry_module
from ncii_desk.vision.registry import MODELS_ENV, ModelRegistry, user_models_dir

SHARED_MODELS = SHARED / "models"

pytestmark = pytest.mark.skipif(
    not (SHARED_MODELS / "face_api_dlib_resnet").is_dir(), reason="../shared/models is absent"
)


@pytest.fixture
def fresh_computer(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ../shared/models, no NCII_DESK_MODELS: only the user model folder (empty)."""
    monkeypatch.setattr(registry_module, "shared_models_dir", lambda: None)
    monkeypatch.delenv(MODELS_ENV, raising=False)


def test_models_alone_lists_installed_bundled_and_licence(cli: Cli, fresh_computer: None) -> None:
    result = cli("models")
    assert result.rc == 0, result.err
    lines = {line.split()[0]: line for line in result.out.splitlines()[1:] if line.strip()}
    header = result.out.splitlines()[0].split()
    assert header == ["NAME", "TASK", "INSTALLED", "BUNDLED", "LICENCE"]
    for spec in ModelRegistry():
        assert spec.name in lines
        assert spec.licence in lines[spec.name]
    assert lines["dlib-resnet-128"].split()[2:4] == ["no", "yes"]
    assert "ncii-desk models install --from FOLDER" in result.out
    data = cli("models", "--json").json()
    by_name = {m["name"]: m for m in data}
    assert by_name["dlib-resnet-128"]["installed"] is False
    assert by_name["dlib-resnet-128"]["bundled"] is True
    assert by_name["dlib-resnet-128"]["state"] == "not-installed"


def _flipped(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    data = bytearray(src.read_bytes())
    data[1000] ^= 0x01
    dest.write_bytes(bytes(data))


def test_install_from_copies_verified_files_and_refuses_a_damaged_one(
    cli: Cli, fresh_computer: None, tmp_path: Path
) -> None:
    assert cli("models", "verify").rc == 8  # a fresh pip install: bundled models missing
    source = tmp_path / "clinic-models"
    registry = ModelRegistry()
    for spec in registry:
        if spec.bundled and spec.name != "dlib-resnet-128":
            (source / spec.file).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(SHARED_MODELS / spec.file, source / spec.file)
    dlib = registry.spec("dlib-resnet-128")
    # A flat folder works too: the embedder by its file name, next to its licence files.
    source.mkdir(exist_ok=True)
    shutil.copyfile(SHARED_MODELS / dlib.file, source / dlib.filename)
    shutil.copytree(SHARED_MODELS / "licenses", source / "licenses")
    damaged = registry.spec("meso4-f2f")
    _flipped(SHARED_MODELS / damaged.file, source / damaged.file)

    result = cli("models", "install", "--from", str(source))
    assert result.rc == 3, result.out + result.err  # the damaged file is an integrity failure
    assert "NOT COPIED  meso4-f2f" in result.err and damaged.sha256 in result.err
    assert "installed   dlib-resnet-128" in result.out
    assert "not found   mobilefacenet-128" in result.out
    dest = user_models_dir()
    assert (dest / dlib.file).read_bytes() == (SHARED_MODELS / dlib.file).read_bytes()
    assert not (dest / damaged.file).exists()  # never copied, not even half
    assert not list(dest.rglob(".installing-*"))
    for licence in dlib.licence_files:
        assert (dest / licence).is_file()

    verify = cli("models", "verify", "--json")
    assert verify.rc == 0, verify.out
    assert ModelRegistry().locate("dlib-resnet-128") == dest / dlib.file

    again = cli("models", "install", "--from", str(source), "--only", "dlib-resnet-128")
    assert again.rc == 0 and "unchanged   dlib-resnet-128" in again.out
    listed = {m["name"]: m for m in cli("models", "--json").json()}
    assert listed["dlib-resnet-128"]["installed"] and not listed["meso4-f2f"]["installed"]


def test_install_replaces_a_damaged_installed_copy(
    cli: Cli, fresh_computer: None, tmp_path: Path
) -> None:
    spec = ModelRegistry().spec("yunet")
    _flipped(SHARED_MODELS / spec.file, user_models_dir() / spec.file)
    assert cli("models", "verify").rc == 3
    source = tmp_path / "src"
    source.mkdir()
    shutil.copyfile(SHARED_MODELS / spec.file, source / spec.filename)
    result = cli("models", "install", "--from", str(source), "--only", "yunet", "--json")
    assert result.json()["results"][0]["outcome"] == "installed"
    assert ModelRegistry().locate("yunet") == user_models_dir() / spec.file


def test_install_from_a_wrong_folder_says_what_to_do(
    cli: Cli, fresh_computer: None, tmp_path: Path
) -> None:
    missing = cli("models", "install", "--from", str(tmp_path / "nowhere"))
    assert missing.rc != 0 and missing.out == ""
    assert "is not a folder" in missing.err
    (tmp_path / "empty").mkdir()
    empty = cli("models", "install", "--from", str(tmp_path / "empty"))
    assert empty.rc != 0 and empty.out == ""
    assert "None of the model files" in empty.err
    unknown = cli("models", "install", "--from", str(tmp_path / "empty"), "--only", "nope")
    assert unknown.rc != 0 and "No model called 'nope'" in unknown.err
