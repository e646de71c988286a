"""Benchmark: event-loop stalls while the desktop app adds files (issue 17).

A fresh vault (real Argon2id at its 64 MiB floor, real SQLCipher) is unlocked through the
window's own gate, a case is created, and N generated benign pictures are added to its
Suspects the way the Add button does (intake, hashing and matching on the task pool, the
table refreshed when the task ends). A 16 ms QTimer probe on the GUI thread records every
gap between its ticks; a gap over 100 ms is a stall a user can feel. The full garbage
collections meanwhile (any thread: each holds the interpreter while it walks the heap) are
timed too. Printed, never asserted; the goal is 0 gaps over 100 ms on a quiet machine.
Usage::

    QT_QPA_PLATFORM=offscreen python bench/gui_stalls.py [--files 1000]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from benchmachine import cpu_model, load_average
from PIL import Image

PASSPHRASE = "correct horse battery staple"
PROBE_MS = 16
STALL_MS = 100


def pictures(folder: Path, n: int) -> list[Path]:
    """Benign pictures: smooth random colour fields with a few solid blocks."""
    rng = np.random.default_rng(17)
    out = []
    for i in range(n):
        small = rng.integers(0, 256, size=(6, 6, 3), dtype=np.uint8)
        img = np.asarray(Image.fromarray(small).resize((192, 192), Image.Resampling.BICUBIC))
        img = img.copy()
        for _ in range(3):
            x, y = rng.integers(0, 150, size=2)
            img[y : y + 30, x : x + 30] = rng.integers(0, 256, size=3, dtype=np.uint8)
        path = folder / f"picture-{i:04d}.png"
        Image.fromarray(img).save(path)
        out.append(path)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QThread, QTimer

    from ncii_desk.gui.app import application
    from ncii_desk.gui.config import LocalConfig
    from ncii_desk.gui.mainwindow import MainWindow
    from ncii_desk.vault import KdfParams, Vault

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = root / "files"
        files.mkdir()
        paths = pictures(files, args.files)
        kdf = KdfParams(
            memory_kib=64 * 1024, time_cost=1, parallelism=2, salt=secrets.token_bytes(16)
        )
        vault, _ = Vault.create(root / "vault", PASSPHRASE, kdf=kdf)
        vault.close()
        app = application([sys.argv[0]])
        window = MainWindow(root / "vault", local=LocalConfig())
        window.resize(1280, 720)
        window.show()

        def spin(done):  # type: ignore[no-untyped-def]
            while not done():
                app.processEvents()
                QThread.msleep(5)

        gate = window.gate
        assert gate is not None
        gate.passphrase.setText(PASSPHRASE)
        gate.submit()
        spin(lambda: window.ctx is not None and window.ctx.thresholds is not None)
        window.create_case(
            {
                "label": "Bench case",
                "client_pseudonym": "A",
                "jurisdiction": "US-CA",
                "suspected_minor": False,
                "consent": {"store_copies": {"given": True}},
            }
        )
        spin(lambda: window.workspace is not None and window.workspace.view is not None)
        ws = window.workspace
        assert ws is not None
        ws.tabs.setCurrentWidget(ws.suspects)

        clock = QElapsedTimer()
        ticks: list[int] = []
        probe = QTimer()
        probe.setInterval(PROBE_MS)
        probe.timeout.connect(lambda: ticks.append(clock.elapsed()))
        full_gcs: list[float] = []  # seconds of each full (oldest-generation) collection
        gc_began = [0.0]

        def gc_timer(phase: str, info: dict[str, int]) -> None:
            if info["generation"] != 2:
                return
            if phase == "start":
                gc_began[0] = time.perf_counter()
            else:
                full_gcs.append(time.perf_counter() - gc_began[0])

        gc.callbacks.append(gc_timer)
        clock.start()
        probe.start()
        began = time.perf_counter()
        ws.suspects.items.add_paths(paths)
        deadline = time.perf_counter() + 3600
        while time.perf_counter() < deadline:
            app.processEvents()
            idle = window.tasks.active == 0 and all(r.finished for r in window.task_panel.rows)
            if idle and len(ws.suspects.items.views) >= args.files:
                break
            QThread.msleep(1)
        # Let the last refresh and repaint run under the probe too.
        settle = time.perf_counter() + 1.0
        while time.perf_counter() < settle:
            app.processEvents()
            QThread.msleep(1)
        probe.stop()
        gc.callbacks.remove(gc_timer)
        elapsed = time.perf_counter() - began
        gaps = [b - a for a, b in itertools.pairwise(ticks)]
        stalls = [g for g in gaps if g > STALL_MS]
        shown = len(ws.suspects.items.views)
        frozen = gc.get_freeze_count()
        window.lock()

    print(
        f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; cpu: {cpu_model()}; "
        f"load average: {load_average()}; QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}"
    )
    print(f"files: {args.files} added ({shown} in the table) in {elapsed:.1f} s")
    print(
        f"probe: {len(ticks)} ticks of {PROBE_MS} ms; gaps over {STALL_MS} ms: {len(stalls)}; "
        f"longest gap: {max(gaps, default=0)} ms; median gap: "
        f"{statistics.median(gaps) if gaps else 0} ms"
    )
    print(
        f"full garbage collections: {len(full_gcs)}, "
        f"longest {max(full_gcs, default=0) * 1000:.0f} ms, "
        f"total {sum(full_gcs) * 1000:.0f} ms; objects frozen at the end: {frozen}"
    )
    if stalls:
        print("stalls (ms): " + ", ".join(str(g) for g in sorted(stalls, reverse=True)[:20]))


if __name__ == "__main__":
    main()
