"""The model registry and the onnxruntime runtime, on the real files in ../shared/models."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from clikit import Cli

from conftest import SHARED
from ncii_desk.errors import InvalidSetting
from ncii_desk.vision.registry import (
    MODELS_ENV,
    ModelCorrupt,
    ModelMissing,
    ModelRegistry,
    sha256_file,
    user_models_dir,
)

SHARED_MODELS = SHARED / "models"

pytestmark = pytest.mark.skipif(
    not SHARED_MODELS.is_dir(),
    reason=f"the shared model files are not here ({SHARED_MODELS}); they are data, not code",
)

ALL = [
    "yunet",
    "yunet-dynamic",
    "ultraface-rfb-320",
    "mobilefacenet-128",
    "dlib-resnet-128",
    "meso4-df",
    "meso4-f2f",
    "mesoinception-df",
    "mesoinception-f2f",
]


@pytest.fixture(autouse=True)
def no_models_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MODELS_ENV, raising=False)


@pytest.fixture(scope="module")
def registry() -> ModelRegistry:
    return ModelRegistry()


@pytest.fixture
def ort() -> Any:
    return pytest.importorskip("onnxruntime")


def flipped_copy(src: Path, dest: Path, offset: int = 1000) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    data = bytearray(src.read_bytes())
    data[offset] ^= 0x01
    dest.write_bytes(bytes(data))
    return dest


# --- the manifest against the real files ----------------------------------------------------


def test_manifest_lists_the_eight_models(registry: ModelRegistry) -> None:
    assert registry.names() == ALL


def test_every_shared_weight_file_is_in_the_manifest(registry: ModelRegistry) -> None:
    on_disk = {
        p.relative_to(SHARED_MODELS).as_posix()
        for p in SHARED_MODELS.rglob("*")
        if p.is_file() and p.suffix in {".onnx", ".h5"}
    }
    assert on_disk == {spec.file for spec in registry}


@pytest.mark.parametrize("name", ALL)
def test_manifest_hash_and_size_match_the_real_file(registry: ModelRegistry, name: str) -> None:
    spec = registry.spec(name)
    real = SHARED_MODELS / spec.file
    assert real.stat().st_size == spec.size
    assert sha256_file(real) == spec.sha256


@pytest.mark.parametrize("name", ALL)
def test_locate_finds_each_model(registry: ModelRegistry, name: str) -> None:
    spec = registry.spec(name)
    assert registry.locate(name) == SHARED_MODELS / spec.file


def test_manifest_fields(registry: ModelRegistry) -> None:
    for spec in registry:
        assert spec.source and spec.licence and spec.caveats
        assert spec.format == ("keras-h5" if spec.file.endswith(".h5") else "onnx")
    assert {s.name for s in registry if s.bundled} == {
        "yunet",
        "yunet-dynamic",
        "dlib-resnet-128",
        "meso4-df",
        "mesoinception-df",
    }
    assert "MS-Celeb-1M" in registry.spec("mobilefacenet-128").caveats
    assert "GAN" in registry.spec("meso4-df").caveats
    # Classifiers say what they learned from and what they miss, on one line each.
    for name in ("meso4-df", "mesoinception-df"):
        spec = registry.spec(name)
        assert "2018" in spec.training_domain and "GAN or diffusion" in spec.blind_spots
        assert "\n" not in spec.training_domain + spec.blind_spots
    assert registry.spec("yunet").training_domain == ""


def test_input_specs_follow_the_model_notes(registry: ModelRegistry) -> None:
    yunet = registry.spec("yunet-dynamic").input
    assert (yunet.channels, yunet.layout, yunet.scale, yunet.mean) == (
        "BGR",
        "NCHW",
        1.0,
        (0, 0, 0),
    )
    assert yunet.size is None and yunet.multiple_of == 32
    assert yunet.tensor_shape(640, 480, batch=2) == (2, 3, 480, 640)
    with pytest.raises(ValueError):
        yunet.tensor_shape(650, 500)

    ultra = registry.spec("ultraface-rfb-320").input
    assert (ultra.channels, ultra.mean[0], ultra.std[0]) == ("RGB", 127.0, 128.0)
    assert ultra.tensor_shape() == (1, 3, 240, 320)

    face = registry.spec("mobilefacenet-128").input
    assert face.channels == "RGB" and face.tensor == "input0"
    assert face.scale == pytest.approx(1 / 255)
    assert face.mean == (0.485, 0.456, 0.406) and face.std == (0.229, 0.224, 0.225)
    assert len(face.align_template) == 5
    assert face.tensor_shape() == (1, 3, 112, 112)

    meso = registry.spec("mesoinception-df")
    assert meso.input.layout == "NHWC" and meso.input.channels == "RGB"
    assert meso.input.tensor_shape(batch=4) == (4, 256, 256, 3)
    assert meso.output.score == "p-real"


# --- search path ------------------------------------------------------------------------------


def test_search_path_order(
    registry: ModelRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    monkeypatch.setenv(MODELS_ENV, os.pathsep.join([str(first), "", str(second)]))
    path = registry.search_path()
    repo = Path(__file__).resolve().parents[2]
    assert path == [first, second, user_models_dir(), repo / "models", SHARED_MODELS]


def test_model_in_user_folder_wins_over_shared(registry: ModelRegistry) -> None:
    spec = registry.spec("yunet")
    user = user_models_dir()
    user.mkdir(parents=True)
    shutil.copy(SHARED_MODELS / spec.file, user / spec.file)
    assert registry.locate("yunet") == user / spec.file


def test_found_flat_or_one_subfolder_down(
    registry: ModelRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MODELS_ENV, str(tmp_path))
    flat = tmp_path / "Meso4_DF.h5"  # manifest path is mesonet/Meso4_DF.h5
    shutil.copy(SHARED_MODELS / "mesonet" / "Meso4_DF.h5", flat)
    nested = tmp_path / "downloads" / "MesoInception_DF.h5"
    nested.parent.mkdir()
    shutil.copy(SHARED_MODELS / "mesonet" / "MesoInception_DF.h5", nested)
    assert registry.locate("meso4-df") == flat
    assert registry.locate("mesoinception-df") == nested


# --- corrupt and missing ----------------------------------------------------------------------


def test_corrupt_copy_earlier_on_the_path_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A damaged file earlier on the search path is an error, not a reason to look further.

    Decision: the first file found is the one that counts. Silently moving on to an intact
    copy further down would hide a broken download or a tampered file from the person who
    put it there, and which weights produced a result would depend on folder contents no
    one sees. So the corrupt file is reported (ModelCorrupt, naming it and both hashes) even
    though ../shared/models holds a good copy.
    """
    registry = ModelRegistry()
    spec = registry.spec("yunet-dynamic")
    bad = flipped_copy(SHARED_MODELS / spec.file, tmp_path / spec.file)
    monkeypatch.setenv(MODELS_ENV, str(tmp_path))

    with pytest.raises(ModelCorrupt) as info:
        registry.locate("yunet-dynamic")
    err = info.value
    actual = sha256_file(bad)
    assert err.exit_code == 3
    assert spec.filename in err.message and str(bad) in err.message
    assert spec.sha256 in err.message and actual in err.message
    assert (err.expected, err.actual, err.file) == (spec.sha256, actual, str(bad))
    assert spec.source in err.hint
    assert err.as_dict()["error"] == "ModelCorrupt"

    report = {s.name: s for s in registry.verify_all()}
    assert not report["yunet-dynamic"].ok
    assert report["yunet-dynamic"].path == bad
    assert report["yunet-dynamic"].error == "ModelCorrupt"
    assert actual in report["yunet-dynamic"].reason
    assert all(report[n].ok for n in ALL if n != "yunet-dynamic")


def test_verification_cache_notices_a_changed_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = ModelRegistry()
    spec = registry.spec("yunet")
    copy = tmp_path / spec.file
    shutil.copy(SHARED_MODELS / spec.file, copy)
    monkeypatch.setenv(MODELS_ENV, str(tmp_path))
    assert registry.locate("yunet") == copy
    assert registry.locate("yunet") == copy  # from the cache

    before = copy.stat()
    flipped_copy(SHARED_MODELS / spec.file, copy, offset=5)
    os.utime(copy, ns=(before.st_atime_ns, before.st_mtime_ns + 2_000_000_000))
    with pytest.raises(ModelCorrupt):
        registry.locate("yunet")


def test_unknown_name_is_model_missing(registry: ModelRegistry) -> None:
    with pytest.raises(ModelMissing) as info:
        registry.locate("no-such-model")
    assert "no-such-model" in info.value.message
    assert "yunet" in info.value.hint


def test_manifest_pointing_to_an_absent_file(tmp_path: Path) -> None:
    sha = "ab" * 32
    manifest = tmp_path / "manifest.toml"
    manifest.write_text(
        f"""
[models.ghost]
task = "deepfake-classifier"
file = "clinic/ghost_classifier.onnx"
sha256 = "{sha}"
size = 1234
format = "onnx"
source = "https://example.org/ghost_classifier.onnx"
licence = "MIT"
[models.ghost.input]
layout = "NCHW"
channels = "RGB"
size = [224, 224]
[models.ghost.output]
score = "p-fake"
""",
        encoding="utf-8",
    )
    registry = ModelRegistry(manifest)
    with pytest.raises(ModelMissing) as info:
        registry.locate("ghost")
    err = info.value
    assert err.exit_code == 8  # "not installed", not the integrity failure (3)
    assert "'ghost' is not installed" in err.message
    assert "ghost_classifier.onnx" in err.message and sha in err.message
    assert str(user_models_dir()) in err.message  # where it was looked for
    assert str(SHARED_MODELS) in err.message
    assert "https://example.org/ghost_classifier.onnx" in err.hint  # where to get it
    assert str(user_models_dir()) in err.hint  # where to put it
    assert err.as_dict()["sha256"] == sha

    [status] = registry.verify_all()
    assert (status.ok, status.path, status.error) == (False, None, "ModelMissing")
    assert status.state == "not-installed" and status.as_dict()["state"] == "not-installed"


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('sha256 = "xyz"', "sha256"),
        ('file = "../outside.onnx"', "file"),
        ('task = "mind-reading"', "task"),
        ("size = -1", "size"),
        ("training_domain = 2018", "training_domain"),
    ],
)
def test_invalid_manifest_entries_are_rejected(tmp_path: Path, line: str, problem: str) -> None:
    fields = {
        "task": '"face-detection"',
        "file": '"m.onnx"',
        "sha256": '"' + "0" * 64 + '"',
        "size": "1",
        "format": '"onnx"',
        "source": '"x"',
        "licence": '"MIT"',
    }
    key = line.split(" = ")[0]
    fields[key] = line.split(" = ", 1)[1]
    body = "\n".join(f"{k} = {v}" for k, v in fields.items())
    manifest = tmp_path / "manifest.toml"
    manifest.write_text(
        f'[models.m]\n{body}\n[models.m.input]\nlayout = "NCHW"\nchannels = "RGB"\n',
        encoding="utf-8",
    )
    with pytest.raises(InvalidSetting) as info:
        ModelRegistry(manifest)
    assert problem in info.value.message


def test_models_list_and_verify_commands(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ort: Any
) -> None:
    listed = cli("models", "list", "--json")
    assert listed.rc == 0
    by_name = {m["name"]: m for m in listed.json()}
    assert by_name["meso4-df"]["task"] == "deepfake-classifier" and by_name["meso4-df"]["bundled"]
    good = cli("models", "verify", "--json")
    assert good.rc == 0 and good.json()["ok"]
    runtime = good.json()["runtime"]
    # The provider reported is the one a real session ended up on, not merely the first listed.
    assert runtime["sessions"] and set(runtime["sessions"].values()) == {runtime["provider"]}
    assert runtime["provider"] not in {f["provider"] for f in runtime["fallbacks"]}
    assert "Analysis runs on: " + runtime["provider"] in cli("models", "verify").out
    spec = ModelRegistry().spec("meso4-df")
    flipped_copy(SHARED_MODELS / spec.file, tmp_path / spec.filename)
    monkeypatch.setenv(MODELS_ENV, str(tmp_path))
    bad = cli("models", "verify")
    assert bad.rc == 3
    assert "CORRUPT        meso4-df" in bad.out and "OK             yunet-dynamic" in bad.out


def test_models_verify_tells_not_installed_from_corrupt(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ort: Any
) -> None:
    """A fresh computer without the shared folder: the installer's files are in one folder
    except the face embedder. That is "not installed" (exit 8), the optional models are
    listed without failing, and a damaged file on top is the integrity failure (exit 3)."""
    from ncii_desk.vision import registry as registry_module

    monkeypatch.setattr(registry_module, "shared_models_dir", lambda: None)
    folder = tmp_path / "installed"
    for spec in ModelRegistry():
        if spec.bundled and spec.name != "dlib-resnet-128":
            (folder / spec.file).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(SHARED_MODELS / spec.file, folder / spec.file)
    monkeypatch.setenv(MODELS_ENV, str(folder))

    missing = cli("models", "verify", "--json")
    assert missing.rc == 8, missing.err
    data = missing.json()
    assert data["ok"] is False and data["corrupt"] == []
    assert data["not_installed"] == ["dlib-resnet-128"]
    assert set(data["optional_not_installed"]) == {
        "ultraface-rfb-320",
        "mobilefacenet-128",
        "meso4-f2f",
        "mesoinception-f2f",
    }
    states = {m["name"]: m["state"] for m in data["models"]}
    assert states["dlib-resnet-128"] == "not-installed" and states["yunet"] == "ok"
    text = cli("models", "verify").out
    assert "NOT INSTALLED  dlib-resnet-128" in text and "is not installed" in text
    assert "not installed (optional)  mobilefacenet-128" in text

    spec = ModelRegistry().spec("yunet")
    flipped_copy(SHARED_MODELS / spec.file, folder / spec.file)
    both = cli("models", "verify", "--json")
    assert both.rc == 3  # damaged beats missing: the integrity failure is what must be seen
    assert both.json()["corrupt"] == ["yunet"]
    assert both.json()["not_installed"] == ["dlib-resnet-128"]

    dlib = ModelRegistry().spec("dlib-resnet-128")
    shutil.copyfile(SHARED_MODELS / dlib.file, folder / dlib.filename)  # now installed
    shutil.copyfile(SHARED_MODELS / spec.file, folder / spec.file)
    assert cli("models", "verify").rc == 0  # optional models missing fail nothing


# --- runtime ----------------------------------------------------------------------------------


def test_importing_the_runtime_does_not_import_onnxruntime() -> None:
    code = "import sys, ncii_desk.vision.runtime; sys.exit('onnxruntime' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def yunet_strides(height: int, width: int) -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {}
    for s in (8, 16, 32):
        anchors = (height // s) * (width // s)
        for kind, depth in (("cls", 1), ("obj", 1), ("bbox", 4), ("kps", 10)):
            shapes[f"{kind}_{s}"] = (1, anchors, depth)
    return shapes


@pytest.mark.parametrize(
    ("name", "shape", "expected"),
    [
        ("yunet-dynamic", (1, 3, 480, 640), yunet_strides(480, 640)),
        ("yunet", (1, 3, 640, 640), yunet_strides(640, 640)),
        ("ultraface-rfb-320", (1, 3, 240, 320), {"scores": (1, 4420, 2), "boxes": (1, 4420, 4)}),
        ("mobilefacenet-128", (1, 3, 112, 112), {"output0": (1, 128)}),
    ],
)
def test_cpu_session_runs_zero_input(
    ort: Any, name: str, shape: tuple[int, ...], expected: dict[str, tuple[int, ...]]
) -> None:
    from ncii_desk.vision.runtime import Runtime

    runtime = Runtime(providers=["CPUExecutionProvider"])
    outputs = runtime.run(name, np.zeros(shape, dtype=np.float32))
    assert {k: v.shape for k, v in outputs.items()} == expected
    assert all(v.dtype == np.float32 and np.isfinite(v).all() for v in outputs.values())
    info = runtime.session_info(name)
    assert info.provider == "CPUExecutionProvider"
    assert info.sha256 == runtime.registry.spec(name).sha256


def test_describe_names_the_provider(ort: Any) -> None:
    from ncii_desk.vision.runtime import Runtime

    runtime = Runtime(intra_op_threads=1)
    runtime.session("yunet-dynamic")
    described = runtime.describe()
    gpu_like = {"TensorrtExecutionProvider", "CUDAExecutionProvider", "DmlExecutionProvider"}
    gpu_like |= {"CoreMLExecutionProvider"}
    if gpu_like.isdisjoint(ort.get_available_providers()):
        assert described["provider"] == "CPUExecutionProvider"
        assert runtime.provider == "CPUExecutionProvider"
        assert described["fallbacks"] == []
    assert described["provider"] in ort.get_available_providers()
    assert described["onnxruntime"] == ort.__version__
    assert described["onnxruntime_build"] == ort.get_device()
    assert described["intra_op_threads"] == 1
    assert described["sessions"] == {"yunet-dynamic": described["provider"]}
    assert described["provider_checked"] is True


def test_describe_reports_the_provider_sessions_really_ran_on(ort: Any) -> None:
    """A GPU build of onnxruntime on a computer without a usable GPU lists CUDA and TensorRT
    and says "GPU", yet its sessions run on the CPU: the report must say CPU."""
    from ncii_desk.vision.runtime import Runtime

    runtime = Runtime(intra_op_threads=1)
    before = runtime.describe()
    assert before["provider"] == "" and before["provider_checked"] is False
    assert before["device"] == "" and before["next_provider"] in ort.get_available_providers()
    session = runtime.session("yunet-dynamic")
    actual = session.get_providers()[0]
    described = runtime.describe()
    assert described["provider"] == actual == runtime.session_info("yunet-dynamic").provider
    if actual == "CPUExecutionProvider":
        # e.g. this test machine: onnxruntime-gpu installed, no GPU
        assert described["device"] == "CPU"
    else:
        assert described["device"].startswith(("GPU", "CoreML"))


def test_models_verify_names_the_provider_a_session_ran_on(cli: Any, ort: Any) -> None:
    from ncii_desk.vision.runtime import Runtime

    actual = Runtime().session("yunet-dynamic").get_providers()[0]
    result = cli("models", "verify", "--json")
    runtime = result.json()["runtime"]
    assert runtime["provider"] == actual and runtime["provider_checked"] is True
    assert all(p == actual for p in runtime["sessions"].values())
    text = cli("models", "verify")
    assert f"Analysis runs on: {actual} (" in text.out
    if actual == "CPUExecutionProvider":
        assert "TensorRT" not in text.out.split("Analysis runs on:")[1].split(";")[0]
        assert "(CPU;" in text.out


def test_bogus_provider_falls_back_to_cpu_with_reason(ort: Any) -> None:
    from ncii_desk.vision.runtime import Runtime

    runtime = Runtime(providers=["BogusExecutionProvider"])
    out = runtime.run("mobilefacenet-128", np.zeros((1, 3, 112, 112), np.float32))
    assert out["output0"].shape == (1, 128)
    assert runtime.provider == "CPUExecutionProvider"
    [fallback] = runtime.describe()["fallbacks"]
    assert fallback["provider"] == "BogusExecutionProvider"
    assert fallback["model"] == "mobilefacenet-128"
    assert "BogusExecutionProvider" in fallback["reason"]
    # a failed provider is not tried again for the next model
    runtime.session("yunet-dynamic")
    assert len(runtime.fallbacks) == 1


def test_provider_listed_but_not_usable_is_caught(
    ort: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A provider the build claims but that does not take the session is noticed, not trusted."""
    from ncii_desk.vision.runtime import DEFAULT_PROVIDERS, Runtime

    real = list(ort.get_available_providers())
    absent = [p for p in DEFAULT_PROVIDERS if p not in real]
    if not absent or any(p in real for p in DEFAULT_PROVIDERS[:-1]):
        pytest.skip("this onnxruntime build has an accelerator provider: nothing to fake")
    fake = absent[0]
    monkeypatch.setattr(ort, "get_available_providers", lambda: [fake, *real])
    runtime = Runtime()
    assert runtime.provider == fake  # intended, not yet proven
    runtime.session("yunet-dynamic")
    assert runtime.provider == "CPUExecutionProvider"
    assert runtime.session_info("yunet-dynamic").provider == "CPUExecutionProvider"
    [fallback] = runtime.fallbacks
    assert fallback.provider == fake and fallback.reason


def test_sessions_are_cached_and_shared_across_threads(ort: Any) -> None:
    from ncii_desk.vision.runtime import Runtime

    runtime = Runtime(providers=["CPUExecutionProvider"], intra_op_threads=1)
    barrier = threading.Barrier(4)
    sessions: list[Any] = []
    shapes: list[tuple[int, ...]] = []

    def work() -> None:
        barrier.wait()
        sessions.append(runtime.session("mobilefacenet-128"))
        out = runtime.run("mobilefacenet-128", {"input0": np.zeros((1, 3, 112, 112), np.float32)})
        shapes.append(out["output0"].shape)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(sessions) == 4 and all(s is sessions[0] for s in sessions)
    assert shapes == [(1, 128)] * 4


def test_keras_weights_are_not_opened_as_onnx(ort: Any) -> None:
    from ncii_desk.vision.runtime import ModelLoadError, Runtime

    with pytest.raises(ModelLoadError) as info:
        Runtime().session("meso4-df")
    assert "keras-h5" in info.value.message


def test_runtime_refuses_a_corrupt_model(
    ort: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ncii_desk.vision.runtime import Runtime

    spec = ModelRegistry().spec("mobilefacenet-128")
    flipped_copy(SHARED_MODELS / spec.file, tmp_path / spec.file)
    monkeypatch.setenv(MODELS_ENV, str(tmp_path))
    with pytest.raises(ModelCorrupt):
        Runtime().session("mobilefacenet-128")


def test_unloadable_model_bytes_give_a_clear_error(ort: Any) -> None:
    from ncii_desk.vision.runtime import ModelLoadError, Runtime

    runtime = Runtime(providers=["CPUExecutionProvider"])
    with pytest.raises(ModelLoadError) as info:
        runtime.session_from("garbage", b"not an onnx model")
    assert "garbage" in info.value.message
    path = SHARED_MODELS / "face_detection_yunet_2023mar_dynamic.onnx"
    session = runtime.session_from("yunet-from-path", path)
    assert runtime.session_from("yunet-from-path", path) is session
    assert runtime.session_info("yunet-from-path").path == str(path)
