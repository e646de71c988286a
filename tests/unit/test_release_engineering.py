"""Release engineering: the GitHub workflows, the lock files and the signing rules of build.py."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"


def _load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text("utf-8"))
    assert isinstance(data, dict)
    # YAML 1.1 reads the key "on" as True.
    data["on"] = data.pop(True, data.get("on"))
    return data


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job["steps"])


def _step(job: dict[str, Any], name: str) -> dict[str, Any]:
    found = [s for s in _steps(job) if s.get("name") == name]
    assert len(found) == 1, f"no step {name!r}"
    return found[0]


def test_every_workflow_parses() -> None:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert {f.name for f in files} >= {"build.yml", "locks.yml"}
    for path in files:
        data = _load(path.name)
        assert data["on"] and data["jobs"], path.name
        for job_name, job in data["jobs"].items():
            assert "runs-on" in job, f"{path.name}: {job_name}"
            runners = [job["runs-on"]] + [
                e.get("os", "")
                for e in job.get("strategy", {}).get("matrix", {}).get("include", [])
            ]
            assert not [r for r in runners if "macos-13" in str(r)], "macos-13 is retired"


def test_test_build_release_chain() -> None:
    wf = _load("build.yml")
    assert "push" in wf["on"] and "v*" in wf["on"]["push"]["tags"]
    jobs = wf["jobs"]
    test, build, release = jobs["test"], jobs["build"], jobs["release"]
    assert "needs" not in test
    assert build["needs"] == "test"
    assert release["needs"] == "build"
    assert "refs/tags/v" in release["if"]
    # Tests on the three systems, with the README's own test command, ruff and mypy.
    oses = test["strategy"]["matrix"]["os"]
    assert [o.split("-")[0] for o in oses] == ["ubuntu", "windows", "macos"]
    readme = (REPO / "README.md").read_text("utf-8")
    command = re.search(r"^\s+(python3 -m venv \.venv && .*-m pytest[^\n]*)$", readme, re.MULTILINE)
    assert command is not None
    runs = "\n".join(str(s.get("run", "")) for s in _steps(test))
    assert command.group(1) in runs
    assert 'ruff" check .' in runs and 'ruff" format --check .' in runs and 'mypy"' in runs
    # The build installs from the hash-pinned lock of its platform.
    install = _step(build, "Install NCII Desk and PyInstaller from the lock")["run"]
    assert '--require-hashes -r "packaging/locks/${{ matrix.lock }}.txt"' in install
    for entry in build["strategy"]["matrix"]["include"]:
        assert (REPO / "packaging" / "locks" / f"{entry['lock']}.txt").is_file()
    names = [e["name"] for e in build["strategy"]["matrix"]["include"]]
    assert {"linux-x86_64", "linux-x86_64-cpu", "windows-x64", "macos-arm64"} <= set(names)
    # The release signs SHA256SUMS keyless and may ask GitHub for an OIDC token.
    assert release["permissions"]["id-token"] == "write"
    release_runs = "\n".join(str(s.get("run", "")) for s in _steps(release))
    assert "cosign sign-blob" in release_runs and "SHA256SUMS.sigstore.json" in release_runs
    assert "cosign verify-blob" in release_runs


def _secrets_check_script() -> tuple[str, dict[str, Any]]:
    build = _load("build.yml")["jobs"]["build"]
    step = _step(build, "Signing secrets for a release tag")
    return str(step["run"]), step


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("runner", ["Windows", "macOS", "Linux"])
def test_a_tag_without_signing_secrets_fails_loudly(runner: str) -> None:
    script, step = _secrets_check_script()
    assert step["if"] == "env.SIGN == 'true'"
    build = _load("build.yml")["jobs"]["build"]
    assert "refs/tags/v" in build["env"]["SIGN"]
    script = script.replace("${{ runner.os }}", runner)
    names = sorted(step["env"])
    empty = {k: v for k, v in os.environ.items() if k not in names}
    empty["GITHUB_REF_NAME"] = "v9.9.9"
    result = subprocess.run(
        ["bash", "-c", script], env=empty, capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert "::error title=Release not signed::" in result.stdout
    assert "NCII_DESK_MODELS_URL" in result.stdout
    if runner == "Windows":
        assert "AZURE_CLIENT_ID" in result.stdout and "ARTIFACT_SIGNING_PROFILE" in result.stdout
    if runner == "macOS":
        assert "APPLE_TEAM_ID" in result.stdout and "MACOS_SIGN_IDENTITY" in result.stdout
    # With every secret present the same step passes.
    full = {**empty, **{k: "test-value" for k in names}}
    result = subprocess.run(
        ["bash", "-c", script], env=full, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_lock_update_workflow_proposes_a_pull_request() -> None:
    wf = _load("locks.yml")
    assert wf["on"]["schedule"][0]["cron"]
    steps = _steps(wf["jobs"]["propose"])
    assert any("packaging/lock.py" in str(s.get("run", "")) for s in steps)
    assert any(str(s.get("uses", "")).startswith("peter-evans/create-pull-request") for s in steps)


def test_locks_cover_pyproject_and_pin_every_file_by_hash() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "packaging" / "lock.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lock = _import("lock")
    for target in lock.TARGETS:
        pins = lock.pinned(REPO / "packaging" / "locks" / f"{target.name}.txt")
        assert "pyinstaller" in pins and "setuptools" in pins and "sqlcipher3" in pins


def test_lock_check_notices_a_missing_pin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lock = _import("lock")
    original = (REPO / "packaging" / "locks" / "linux.txt").read_text("utf-8")
    damaged = re.sub(r"^sqlcipher3==.*?(?=^\S)", "", original, flags=re.MULTILINE | re.DOTALL)
    assert damaged != original
    (tmp_path / "linux.txt").write_text(damaged, "utf-8")
    monkeypatch.setattr(lock, "LOCKS", tmp_path)
    problems = lock.check(tuple(t for t in lock.TARGETS if t.name == "linux"))
    assert problems == ["linux.txt: sqlcipher3 is not pinned"]


def test_documented_cuda_major_matches_the_locked_onnxruntime_gpu() -> None:
    lock = _import("lock")
    pinned = lock.pinned(REPO / "packaging" / "locks" / "linux.txt")["onnxruntime-gpu"]
    try:
        dist = metadata.distribution("onnxruntime-gpu")
    except metadata.PackageNotFoundError:
        pytest.skip("onnxruntime-gpu is not installed here")
    if dist.version != pinned:
        pytest.skip(f"installed onnxruntime-gpu {dist.version}, the lock pins {pinned}")
    provider = next((f for f in dist.files or [] if "providers_cuda" in f.name), None)
    assert provider is not None
    found = re.search(rb"libcudart\.so\.(\d+)", Path(str(provider.locate())).read_bytes())
    assert found is not None
    major = found.group(1).decode()
    for doc in ("packaging/README.md", "docs/install.md"):
        text = (REPO / doc).read_text("utf-8")
        assert f"CUDA {major}" in text, doc
        assert not [m for m in re.findall(r"CUDA (\d+)\b", text) if m != major], doc


def _import(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_pkg_{name}", REPO / "packaging" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_release_build_fails_instead_of_skipping_a_signature(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build = _import("build")
    for name in ("WINDOWS_SIGNTOOL_DLIB", "WINDOWS_SIGNTOOL_METADATA", "WINDOWS_CERT_THUMBPRINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("MACOS_SIGN_IDENTITY", raising=False)
    monkeypatch.delenv(build.REQUIRE_SIGNING_ENV, raising=False)
    assert build.signtool_command() is None  # a test build: skipped with a message
    assert build.mac_sign_app(Path("unused.app")) is False
    monkeypatch.setenv(build.REQUIRE_SIGNING_ENV, "1")
    with pytest.raises(build.BuildFailed, match="must be signed"):
        build.signtool_command()
    with pytest.raises(build.BuildFailed, match="MACOS_SIGN_IDENTITY"):
        build.mac_sign_app(Path("unused.app"))


def test_inno_setup_signs_setup_and_uninstaller() -> None:
    build = _import("build")
    option = build.inno_sign_option(
        [r"C:\Kits\signtool.exe", "sign", "/dlib", r"C:\t\Azure.CodeSigning.Dlib.dll"]
    )
    assert option == (
        r"/Sncii=$qC:\Kits\signtool.exe$q sign /dlib $qC:\t\Azure.CodeSigning.Dlib.dll$q $f"
    )
    iss = (REPO / "packaging" / "windows" / "ncii-desk.iss").read_text("utf-8")
    block = iss.split("#ifdef SignInstaller", 1)[1].split("#endif", 1)[0]
    assert "SignTool=ncii" in block and "SignedUninstaller=yes" in block
