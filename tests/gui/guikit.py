"""GUI test fixtures and helpers: a window on a fast-KDF vault, unlocked through the real gate,
and generated benign pictures (smooth colour fields with shapes; nothing else).

A plugin of the whole suite (tests/conftest.py lists it in ``pytest_plugins``; a conftest.py
here would shadow the top-level one), so GUI test modules use the fixtures without importing
them and import only the helpers. Qt and the GUI modules are imported when a test asks, and
the automatic fixtures act only on tests in this folder, so other tests never load Qt.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
from PIL import Image

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.vault import Vault

if TYPE_CHECKING:
    from ncii_desk.gui.mainwindow import MainWindow

WAIT = 120_000  # ms: the test machine is slow and shared; waits end as soon as they can
GUI_TESTS = Path(__file__).resolve().parent


def _gui_test(request: pytest.FixtureRequest) -> bool:
    return GUI_TESTS in Path(request.node.path).resolve().parents


@pytest.fixture(autouse=True)
def fast_tuning(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real Argon2id at its 64 MiB minimum instead of one second per unlock."""
    if _gui_test(request):
        from ncii_desk.gui import gate

        monkeypatch.setattr(gate, "tune_kdf_here", fast_kdf)


@pytest.fixture(autouse=True)
def drain_pools(request: pytest.FixtureRequest) -> Iterator[None]:
    """No worker may outlive its test (it would touch a closed vault or dead widgets)."""
    gui = _gui_test(request)
    yield
    if gui:
        from PySide6.QtCore import QThreadPool

        from ncii_desk.gui import workers

        workers.task_pool().waitForDone(WAIT)
        QThreadPool.globalInstance().waitForDone(WAIT)


def benign_picture(seed: int, size: int = 480) -> Image.Image:
    """A smooth random colour field with a few solid shapes: structure a hash can see."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, size=(6, 6, 3), dtype=np.uint8)
    img = Image.fromarray(small).resize((size, size), Image.Resampling.BICUBIC)
    arr = np.asarray(img).copy()
    for _ in range(5):
        x, y = rng.integers(0, size - size // 4, size=2)
        w = int(rng.integers(size // 10, size // 4))
        arr[y : y + w, x : x + w] = rng.integers(0, 256, size=3, dtype=np.uint8)
    return Image.fromarray(arr)


def write_originals_and_suspects(root: Path) -> tuple[list[Path], Path]:
    """Two originals; a suspect folder holding one resized copy and one unrelated picture."""
    originals = []
    for i in (1, 2):
        path = root / f"original-{i}.png"
        benign_picture(i).save(path)
        originals.append(path)
    suspects = root / "suspects"
    suspects.mkdir()
    benign_picture(1).resize((300, 300), Image.Resampling.LANCZOS).save(
        suspects / "found-copy.jpg", quality=90
    )
    benign_picture(99).save(suspects / "unrelated.png")
    return originals, suspects


def make_vault(vault_dir: Path) -> None:
    vault, _ = Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf())
    vault.close()


def unlock(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    gate_page = window.gate
    assert gate_page is not None and not gate_page.creating
    gate_page.passphrase.setText(PASSPHRASE)
    gate_page.submit()
    qtbot.waitUntil(lambda: window.vault is not None, timeout=WAIT)
    qtbot.waitUntil(
        lambda: window.ctx is not None and window.ctx.thresholds is not None, timeout=WAIT
    )


@pytest.fixture
def window(qtbot, vault_dir: Path) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    """A shown main window on an existing, still locked vault."""
    from ncii_desk.gui.config import LocalConfig
    from ncii_desk.gui.mainwindow import MainWindow

    make_vault(vault_dir)
    win = MainWindow(vault_dir, local=LocalConfig())
    qtbot.addWidget(win)
    win.show()
    yield win
    if win.vault is not None:
        win.lock()


@pytest.fixture
def unlocked(qtbot, window: MainWindow) -> MainWindow:  # type: ignore[no-untyped-def]
    unlock(qtbot, window)
    return window


def new_case(qtbot, window: MainWindow, label: str = "Case 2026-014", **extra: object) -> str:  # type: ignore[no-untyped-def]
    """Create a case through the window (as the wizard's Finish does) and wait for it."""
    values: dict[str, object] = {
        "label": label,
        "client_pseudonym": "Client A",
        "jurisdiction": "US-CA",
        "suspected_minor": False,
        "consent": {"store_copies": {"given": True}},
    }
    values.update(extra)
    window.create_case(values)
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=WAIT)
    ws = window.workspace
    assert ws is not None
    qtbot.waitUntil(lambda: ws.view is not None, timeout=WAIT)
    return ws.case_id


def wait_tasks(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(
        lambda: window.tasks.active == 0 and all(r.finished for r in window.task_panel.rows),
        timeout=WAIT,
    )


def part_installed(module: str) -> bool:
    """Whether this build ships an optional part; if it does, its pane must load it."""
    import importlib.util

    return importlib.util.find_spec(module) is not None
