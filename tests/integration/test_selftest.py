"""`ncii-desk selftest`, run in-process on the checkout (the frozen build runs packaging/smoke.sh).

Real parts throughout: a SQLCipher vault, the bundled models from ../shared/models through
onnxruntime, reportlab and pyHanko, Qt on the offscreen platform. Failures are provoked with
real bad input (a damaged model file), never by patching the checks.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

from conftest import SHARED
from ncii_desk.cli.main import main
from ncii_desk.gui.selfcheck import check_qt
from ncii_desk.launch import main as program
from ncii_desk.paths import user_data_dir
from ncii_desk.services.selftest import CHECKS, run_selftest
from ncii_desk.vision.registry import ModelRegistry

pytestmark = pytest.mark.skipif(
    not (SHARED / "models").is_dir(), reason="needs the model files in ../shared/models"
)


def _leftovers() -> list[Path]:
    return sorted(Path(tempfile.gettempdir()).glob("ncii-desk-selftest-*"))


def _json_run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["selftest", "--json", *args])
    return code, json.loads(capsys.readouterr().out)


def test_selftest_passes_and_reports_every_check(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = _json_run(capsys)
    assert code == 0, report
    assert report["ok"] is True
    assert report["frozen"] is False
    names = [c["name"] for c in report["checks"]]
    assert names == [n for n in CHECKS if n != "qt"]  # qt only on request
    assert all(c["ok"] for c in report["checks"])
    versions = report["versions"]
    for key in ("python", "sqlcipher", "onnxruntime", "onnxruntime_providers", "reportlab", "qt"):
        assert versions[key], key
    assert "CPUExecutionProvider" in versions["onnxruntime_providers"]
    assert versions["qt"].startswith("6.")  # reported even without the qt check
    # Every model the manifest marks as bundled ran through onnxruntime.
    models = next(c for c in report["checks"] if c["name"] == "models")
    bundled = {s.name for s in ModelRegistry() if s.bundled}
    assert bundled <= set(models["details"]["ran"])
    for name in bundled:
        assert models["details"]["ran"][name]["outputs"] >= 1
    vault = next(c for c in report["checks"] if c["name"] == "vault")
    assert vault["details"]["sqlcipher"].startswith("4.")
    # Nothing is left behind: no temporary folder and no vault in the user's folders.
    assert report["temp_removed"] is True
    assert _leftovers() == []
    assert not (user_data_dir() / "vault").exists()
    assert not (user_data_dir() / "model-cache").exists()  # MesoNet graphs built in the temp dir


def test_human_output_names_each_check(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["selftest", "--only", "documents", "--only", "data"])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("ok") and " data " in lines[0]
    assert lines[1].startswith("ok") and " documents " in lines[1]
    assert "one-page PDF" in lines[1]
    assert "Self-test passed: 2 checks" in out


def test_damaged_bundled_model_fails_with_its_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A damaged copy found first on the model path must be reported, not silently skipped.
    spec = next(s for s in ModelRegistry() if s.bundled and s.format == "onnx")
    source = SHARED / "models" / spec.file
    damaged = tmp_path / "models" / spec.file
    damaged.parent.mkdir(parents=True)
    data = bytearray(source.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    monkeypatch.setenv("NCII_DESK_MODELS", str(tmp_path / "models"))

    code, report = _json_run(capsys, "--only", "models", "--only", "documents")
    assert code == 1
    assert report["ok"] is False
    models, documents = report["checks"]
    assert models["ok"] is False
    assert spec.filename in models["summary"]
    assert models["details"]["error"] == "ModelCorrupt"
    assert models["hint"]
    assert documents["ok"] is True  # one failed check does not stop the others
    assert report["temp_removed"] is True
    assert _leftovers() == []


def test_missing_bundled_model_fails_in_plain_words(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A manifest whose bundled model exists nowhere: the same as an installer that lost it.
    manifest = tmp_path / "manifest.toml"
    text = (Path(__file__).resolve().parents[2] / "models" / "manifest.toml").read_text("utf-8")
    manifest.write_text(
        text.replace('file = "face_detection_yunet_2023mar.onnx"', 'file = "gone.onnx"'), "utf-8"
    )
    import ncii_desk.vision.registry as registry

    monkeypatch.setattr(registry, "default_manifest_path", lambda: manifest)
    code = main(["selftest", "--only", "models"])
    out = capsys.readouterr().out
    assert code == 1
    assert out.startswith("FAIL  models")
    assert "gone.onnx" in out and "was not found" in out
    assert "Self-test FAILED (models)" in out


def test_qt_check_on_the_offscreen_platform(qapp: Any) -> None:
    report = run_selftest(only=("qt",), extra={"qt": check_qt})
    (qt,) = report.checks
    assert qt.ok, qt.summary
    assert qt.details["platform"] == "offscreen"
    assert qt.details["icon_size"] == [256, 256]
    assert report.versions["qt"].startswith("6.")


def test_unknown_check_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["selftest", "--only", "everything"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_temporary_folder_removed_even_when_a_check_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The data check fails when assets/ lacks the icon: point the lookup at an empty copy.
    fake_assets = tmp_path / "assets"
    fake_assets.mkdir()
    import ncii_desk.resources as resources

    real = resources.data_dir

    def data_dir(name: str) -> Path:
        return fake_assets if name == "assets" else real(name)

    monkeypatch.setattr(resources, "data_dir", data_dir)
    report = run_selftest(only=("data",))
    assert report.ok is False
    assert "icon" in report.checks[0].summary
    assert report.temp_removed is True
    assert _leftovers() == []
    shutil.rmtree(fake_assets)


def test_qt_check_comes_from_the_program_entry(
    qapp: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command line does not import the GUI: `ncii-desk selftest --qt` gets the Qt check
    from the program's entry module; the bare command-line entry says where it comes from."""
    code = program(["selftest", "--json", "--only", "qt"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report
    assert [c["name"] for c in report["checks"]] == ["qt"]
    assert report["checks"][0]["details"]["platform"] == "offscreen"
    code, report = _json_run(capsys, "--only", "qt")
    assert code == 1
    (qt,) = report["checks"]
    assert not qt["ok"] and "ncii-desk selftest --qt" in qt["hint"]
