"""No core dumps from any of our processes, and no onnxruntime telemetry files in user caches.

Each test runs the real entry point in a fresh Python process: the CLI (console-script entry
and ``python -m ncii_desk``), the desktop app on Qt's offscreen platform and a hashing pool
worker. The parent raises its own core-size limit first, so a process that forgets to lower
it would be allowed to dump. ``/proc/sys/kernel/core_pattern`` is never changed: what these
tests check is the process's own RLIMIT_CORE and dumpable flag, which decide.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import PASSPHRASE, SHARED, fast_kdf
from ncii_desk.hardening import ORT_TELEMETRY_ENV
from ncii_desk.vault import Vault

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_CORE is POSIX")
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

CLI_LAUNCHERS = {
    "console-script": ["-c", "import sys; from ncii_desk.launch import main; sys.exit(main())"],
    "python -m": ["-m", "ncii_desk"],
}


@pytest.fixture
def core_allowed() -> Iterator[None]:
    """Raise this process's soft core limit to its hard limit; children inherit it."""
    import resource

    old = resource.getrlimit(resource.RLIMIT_CORE)
    if old[1] == 0:
        pytest.skip("the hard core-size limit is already 0 here: nothing could be dumped")
    resource.setrlimit(resource.RLIMIT_CORE, (old[1], old[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_CORE, old)


def _limits_core(pid: int) -> str:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max core file size"):
            return line
    raise AssertionError("no core limit line in /proc/<pid>/limits")


def _run_probe(code: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    last = done.stdout.strip().splitlines()[-1]
    result: dict[str, Any] = json.loads(last)
    return result


@pytest.fixture
def vault_root(tmp_path: Path) -> Path:
    vault, _ = Vault.create(tmp_path / "vault", PASSPHRASE, kdf=fast_kdf())
    vault.close()
    return tmp_path / "vault"


# --- core dumps --------------------------------------------------------------------------------


@posix_only
@pytest.mark.parametrize("launcher", sorted(CLI_LAUNCHERS))
def test_cli_process_in_vault_check_has_core_limit_zero(
    core_allowed: None, vault_root: Path, tmp_path: Path, launcher: str
) -> None:
    """The real `vault check`, held at reading its passphrase file (a FIFO): the limit the
    kernel applies to it is 0, though its parent allows core files."""
    fifo = tmp_path / "passphrase.fifo"
    os.mkfifo(fifo)
    cmd = [sys.executable, *CLI_LAUNCHERS[launcher], "vault", "check"]
    cmd += ["--vault", str(vault_root), "--passphrase-file", str(fifo)]
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # Opening the write end waits until the CLI opens the FIFO: it is past start-up.
        with open(fifo, "w"):
            if sys.platform.startswith("linux"):
                line = _limits_core(proc.pid)
                assert line.split()[4:6] == ["0", "0"], line
            proc.send_signal(signal.SIGSEGV)
            _, status = os.waitpid(proc.pid, 0)
            proc.returncode = -signal.SIGSEGV  # reaped above
    finally:
        if proc.returncode is None:
            proc.kill()
            proc.wait()
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGSEGV
    assert not os.WCOREDUMP(status), "the kernel wrote a core dump of the CLI"
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("core")]


@posix_only
def test_sigsegv_control_process_does_dump_here(core_allowed: None, tmp_path: Path) -> None:
    """The control for the test above: a plain Python process under the same limit does
    dump on this machine, so "no core" there is the CLI's doing. Skipped where the system
    writes no core files at all (then there is nothing to show)."""
    fifo = tmp_path / "hold.fifo"
    os.mkfifo(fifo)
    proc = subprocess.Popen(
        [sys.executable, "-c", f"open({str(fifo)!r}).read()"],
        cwd=tmp_path,
    )
    with open(fifo, "w"):
        proc.send_signal(signal.SIGSEGV)
        _, status = os.waitpid(proc.pid, 0)
        proc.returncode = -signal.SIGSEGV
    for p in tmp_path.iterdir():
        if p.name.startswith("core"):
            p.unlink()
    if not os.WCOREDUMP(status):
        pytest.skip("this machine writes no core dumps at all (core_pattern/handler)")
    assert os.WTERMSIG(status) == signal.SIGSEGV


@posix_only
def test_cli_main_sets_limit_and_not_dumpable(core_allowed: None, tmp_path: Path) -> None:
    code = (
        "import json, sys\n"
        "from ncii_desk.cli.main import main\n"
        "from ncii_desk.hardening import core_state\n"
        "before = core_state()\n"
        "rc = main(['vault', 'info', '--vault', sys.argv[1]])\n"
        "print(json.dumps({'before': before, 'after': core_state()}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "none")],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    state = json.loads(done.stdout.strip().splitlines()[-1])
    assert state["before"]["core_limit"][0] != 0  # the parent's raised limit was inherited
    assert state["after"]["core_limit"] == [0, 0]
    if sys.platform.startswith("linux"):
        assert state["before"]["dumpable"] == 1
        assert state["after"]["dumpable"] == 0


@posix_only
def test_gui_app_process_has_no_core_dumps(
    core_allowed: None, tmp_path: Path, isolated_user_dirs: Path
) -> None:
    """The desktop app's main() on Qt's offscreen platform, probed from inside its event loop.
    Qt (and fontconfig) leave nothing in the user's home, cache, data or config folders."""
    pytest.importorskip("PySide6")
    code = (
        "import json\n"
        "from PySide6.QtCore import QTimer\n"
        "from ncii_desk.gui import app\n"
        "from ncii_desk.hardening import core_state\n"
        "qt = app.application(['ncii-desk-gui'])\n"
        "seen = {}\n"
        "def probe():\n"
        "    seen.update(core_state())\n"
        "    qt.quit()\n"
        "QTimer.singleShot(0, probe)\n"
        "rc = app.main(['ncii-desk-gui'])\n"
        "print(json.dumps(seen))\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    state = _run_probe(code, env)
    assert state["core_limit"] == [0, 0]
    if sys.platform.startswith("linux"):
        assert state["dumpable"] == 0
    roots = [isolated_user_dirs / d for d in ("home", "cache", "data", "state", "config")]
    assert _files_under(*roots) == []


@posix_only
def test_hashing_pool_worker_has_no_core_dumps(core_allowed: None) -> None:
    """A worker of the hashing pool (forkserver/spawn) hardens itself in its initializer,
    even when the process that started the pool did not."""
    code = (
        "import json\n"
        "from ncii_desk.hashing import pipeline\n"
        "from ncii_desk.hardening import core_state\n"
        "worker = pipeline._pool(1).submit(core_state).result()\n"
        "print(json.dumps({'parent': core_state(), 'worker': worker}))\n"
    )
    state = _run_probe(code)
    assert state["parent"]["core_limit"][0] != 0  # not hardened: the test would see a leak
    assert state["worker"]["core_limit"] == [0, 0]
    if sys.platform.startswith("linux"):
        assert state["parent"]["dumpable"] == 1
        assert state["worker"]["dumpable"] == 0


@linux_only
def test_hashing_worker_limit_seen_by_the_kernel(core_allowed: None) -> None:
    """Read the worker's /proc/<pid>/limits from outside, while it is alive."""
    code = (
        "import json, os\n"
        "from ncii_desk.hashing import pipeline\n"
        "pid = pipeline._pool(1).submit(os.getpid).result()\n"
        "lines = open(f'/proc/{pid}/limits').read().splitlines()\n"
        "core = [x for x in lines if x.startswith('Max core file size')][0]\n"
        "print(json.dumps({'line': core}))\n"
    )
    line = _run_probe(code)["line"]
    assert line.split()[4:6] == ["0", "0"], line


# --- onnxruntime telemetry and user caches -----------------------------------------------------


def _files_under(*roots: Path) -> list[str]:
    found: list[str] = []
    for root in roots:
        for dirpath, _dirs, files in os.walk(root):
            found += [str(Path(dirpath, f).relative_to(root.parent)) for f in files]
    return sorted(found)


def test_model_inference_leaves_nothing_in_user_folders(
    isolated_user_dirs: Path, tmp_path: Path
) -> None:
    """A real model run through our runtime in a fresh process,
    with HOME and the XDG folders pointing at empty temp folders: afterwards they are still
    empty. onnxruntime's own telemetry used to leave a device id and an event database in
    ~/.cache/Microsoft/DeveloperTools/.onnxruntime."""
    if importlib.util.find_spec("onnxruntime") is None:  # not imported here: it would write
        pytest.skip("onnxruntime is not installed")
    models = SHARED / "models"
    if not (models / "ultraface_version-RFB-320.onnx").is_file():
        pytest.skip(f"the shared models are not here ({models})")
    code = (
        "import json, numpy as np\n"
        "from ncii_desk.vision.runtime import Runtime\n"
        "rt = Runtime(providers=['CPUExecutionProvider'], intra_op_threads=1)\n"
        "out = rt.run('ultraface-rfb-320', np.zeros((1, 3, 240, 320), np.float32))\n"
        "print(json.dumps({k: list(v.shape) for k, v in out.items()}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != ORT_TELEMETRY_ENV}
    shapes = _run_probe(code, env)
    assert shapes == {"scores": [1, 4420, 2], "boxes": [1, 4420, 4]}
    roots = [isolated_user_dirs / d for d in ("home", "cache", "data", "state", "config")]
    assert _files_under(*roots) == []
