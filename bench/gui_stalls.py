"""Benchmark: event-loop stalls while the desktop app adds files (issue 17).

A fresh vault (real Argon2id at its 64 MiB floor, real SQLCipher) is unlocked through the
window's own gate, a case is created, and N generated benign pictures are added to its
Suspects the way the Add button does (intake, hashing and matching on the task pool, the
table refreshed when the task ends). A 16 ms QTimer probe on the GUI thread records every
gap between its ticks; a gap over 100 ms is a stall a user can feel. The full garbage
collections meanwhile (any thread: each holds the interpreter while it walks the heap) are
timed too. Printed, never asserted; the goal is 0 gaps over 100 ms on a quiet machine.

``--trace`` explains each gap over 100 ms: every collection (any generation, any thread) is
timed with the thread that ran it, and a sampler thread records every Python thread's stack
every few milliseconds; each gap is printed with the collections inside it and, per thread,
the stacks sampled in it (most frequent first). A stretch with no sample at all is time the
sampler could not get the interpreter lock (one C call held it, e.g. a collection).
Usage::

    QT_QPA_PLATFORM=offscreen python bench/gui_stalls.py [--files 1000] [--trace]
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
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

import numpy as np
from benchmachine import cpu_model, load_average
from PIL import Image

PASSPHRASE = "correct horse battery staple"
PROBE_MS = 16
STALL_MS = 100
SAMPLE_S = 0.004  # --trace: one sample of every thread's stack this often


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
    parser.add_argument("--trace", action="store_true", help="explain each gap (see above)")
    parser.add_argument("--top", type=int, default=3, help="stacks shown per thread and gap")
    parser.add_argument(
        "--exec",
        action="store_true",
        help="run the add under an event loop (as the app does) instead of a "
        "processEvents + 1 ms sleep spin (the default, as in earlier figures)",
    )
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QThread, QTimer

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
        # every collection: (start ms, end ms, generation, thread, objects collected)
        collections: list[tuple[float, float, int, str, int]] = []
        gc_began: dict[int, float] = {}
        origin = [0.0]

        def gc_timer(phase: str, info: dict[str, int]) -> None:
            me = threading.get_ident()
            if phase == "start":
                gc_began[me] = time.perf_counter()
                return
            began_at = gc_began.pop(me, time.perf_counter())
            ended_at = time.perf_counter()
            if info["generation"] == 2:
                full_gcs.append(ended_at - began_at)
            if args.trace:
                collections.append(
                    (
                        (began_at - origin[0]) * 1000,
                        (ended_at - origin[0]) * 1000,
                        info["generation"],
                        threading.current_thread().name,
                        info["collected"],
                    )
                )

        gc.callbacks.append(gc_timer)
        clock.start()
        origin[0] = time.perf_counter()
        sampler = Sampler(origin[0]) if args.trace else None
        probe.start()
        began = time.perf_counter()
        ws.suspects.items.add_paths(paths)

        def added() -> bool:
            idle = window.tasks.active == 0 and all(r.finished for r in window.task_panel.rows)
            return idle and len(ws.suspects.items.views) >= args.files

        if args.exec:
            # An event loop like the app's own (it waits in the dispatcher); not app.exec(),
            # whose quit would lock the vault under the probe.
            loop = QEventLoop()
            end_at = [0.0]

            def check() -> None:
                if not end_at[0] and added():
                    end_at[0] = time.perf_counter() + 1.0  # the last refresh and repaint
                if end_at[0] and time.perf_counter() >= end_at[0]:
                    loop.quit()

            checker = QTimer()
            checker.setInterval(50)
            checker.timeout.connect(check)
            checker.start()
            loop.exec()
            checker.stop()
        else:
            deadline = time.perf_counter() + 3600
            while time.perf_counter() < deadline and not added():
                app.processEvents()
                QThread.msleep(1)
            # Let the last refresh and repaint run under the probe too.
            settle = time.perf_counter() + 1.0
            while time.perf_counter() < settle:
                app.processEvents()
                QThread.msleep(1)
        probe.stop()
        gc.callbacks.remove(gc_timer)
        if sampler is not None:
            sampler.stop()
        elapsed = time.perf_counter() - began
        gaps = [b - a for a, b in itertools.pairwise(ticks)]
        stalls = [g for g in gaps if g > STALL_MS]
        shown = len(ws.suspects.items.views)
        frozen = gc.get_freeze_count()
        # What the lock's full collection will find: cycles kept (frozen, or old and not
        # collected) while the vault was open. Counted with their own (shallow) sizes.
        gc.unfreeze()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        waiting = len(gc.garbage)
        waiting_kib = sum(sys.getsizeof(o) for o in gc.garbage) / 1024
        gc.garbage.clear()
        gc.set_debug(0)
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
    print(
        f"unreachable objects left for the lock's collection: {waiting} "
        f"({waiting_kib:.0f} KiB, shallow)"
    )
    if stalls:
        print("stalls (ms): " + ", ".join(str(g) for g in sorted(stalls, reverse=True)[:20]))
    if sampler is not None:
        explain(ticks, collections, sampler, args.top)


Stack = tuple[str, ...]


class Sampler:
    """Every Python thread's stack every SAMPLE_S, in a thread of its own (--trace only)."""

    def __init__(self, origin: float) -> None:
        self.origin = origin
        self.samples: list[tuple[float, dict[str, Stack]]] = []  # (ms, thread name -> stack)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stall-sampler", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        me = threading.get_ident()
        while not self._done.wait(SAMPLE_S):
            names = {t.ident: t.name for t in threading.enumerate()}
            snapshot = {}
            for ident, frame in sys._current_frames().items():
                if ident == me:
                    continue
                stack = []
                f: FrameType | None = frame
                while f is not None and len(stack) < 10:
                    where = f"{Path(f.f_code.co_filename).name}:{f.f_lineno}"
                    stack.append(f"{f.f_code.co_name} ({where})")
                    f = f.f_back
                snapshot[names.get(ident, str(ident))] = tuple(stack)
            self.samples.append(((time.perf_counter() - self.origin) * 1000, snapshot))

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def idle(stack: Stack) -> bool:
    """A thread waiting on a lock, a queue, a pipe or a timer, not running Python."""
    waits = ("wait (", "_wait_for_tstate_lock", "select (", "poll (", "recv", "acquire (")
    return not stack or any(stack[0].startswith(w) for w in waits) or "get (queue" in stack[0]


def explain(
    ticks: list[int],
    collections: list[tuple[float, float, int, str, int]],
    sampler: Sampler,
    top: int,
) -> None:
    """Each gap over STALL_MS with the collections and the stacks sampled inside it."""
    for a, b in itertools.pairwise(ticks):
        if b - a <= STALL_MS:
            continue
        print(f"\n--- gap {b - a} ms ({a}-{b} ms)")
        for start, end, gen, thread, collected in collections:
            if end >= a and start <= b and (gen > 0 or end - start >= 5):
                print(
                    f"  gc gen {gen} in {thread}: {start:.0f}-{end:.0f} ms "
                    f"({end - start:.0f} ms, {collected} collected)"
                )
        inside = [(t, snap) for t, snap in sampler.samples if a <= t <= b]
        times = [a] + [t for t, _ in inside] + [b]
        blind = max(y - x for x, y in itertools.pairwise(times))
        print(f"  {len(inside)} samples; longest stretch without one: {blind:.0f} ms")
        per_thread: dict[str, Counter[Stack]] = defaultdict(Counter)
        for _, snap in inside:
            for name, stack in snap.items():
                if not idle(stack):
                    per_thread[name][stack] += 1
        for name, stacks in sorted(per_thread.items(), key=lambda kv: -kv[1].total()):
            print(f"  {name}: busy in {stacks.total()} of {len(inside)} samples")
            for stack, n in stacks.most_common(top):
                print(f"    {n:3d} x " + " < ".join(stack[:7]))


if __name__ == "__main__":
    main()
