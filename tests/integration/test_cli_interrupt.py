"""Ctrl-C during `ncii-desk add`: a clean cancel, never a broken worker pool.

The real executable runs in its own session with a pseudo-terminal as stderr (so it draws its
progress bar, as it does for an advocate); the test waits until the bar shows some files
hashed, then sends SIGINT to the whole process group, as a terminal does for Ctrl-C (the
hashing workers get it too). Only generated, benign images are used.
"""

from __future__ import annotations

import hashlib
import os
import pty
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.services import cases, vaults
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Blob, EvidenceItem, HashRecord

pytestmark = pytest.mark.skipif(os.name != "posix", reason="process groups and ptys are POSIX")

EXE = shutil.which("ncii-desk") or str(Path(sys.executable).with_name("ncii-desk"))
IMAGES = 100
HASHING = re.compile(rb"Hashing: hashing \[[#.]*\] (\d+)/(\d+)")


def make_images(folder: Path, count: int) -> None:
    """Smooth gradients with a few blocks, each one different (benign, generated)."""
    rng = np.random.default_rng(20261206)
    yy, xx = np.mgrid[0:600, 0:800]
    for n in range(count):
        a, b, c = rng.uniform(0.2, 1.0, 3)
        img = np.stack([(xx * a) % 256, (yy * b) % 256, ((xx + yy) * c) % 256], axis=-1).astype(
            np.uint8
        )
        for _ in range(6):
            y, x = rng.integers(0, 500), rng.integers(0, 700)
            img[y : y + 100, x : x + 100] = rng.integers(0, 256, 3)
        Image.fromarray(img).save(folder / f"photo-{n:03d}.jpg", quality=90)


def test_ctrl_c_while_hashing_cancels_cleanly_and_keeps_what_was_added(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    vault, _ = Vault.create(root, PASSPHRASE, kdf=fast_kdf(), actor="test-advocate")
    case_id = cases.new_case(vault, "Interrupted").id
    vault.close()
    folder = tmp_path / "originals"
    folder.mkdir()
    make_images(folder, IMAGES)

    master, slave = pty.openpty()
    env = dict(os.environ, NCII_DESK_VAULT=str(root), NCII_DESK_PASSPHRASE=PASSPHRASE)
    proc = subprocess.Popen(
        [EXE, "add", "original", case_id, str(folder)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    seen = bytearray()
    hashing_seen = threading.Event()

    def read_terminal() -> None:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed the terminal
                return
            if not chunk:
                return
            seen.extend(chunk)
            done = [int(m.group(1)) for m in HASHING.finditer(bytes(seen))]
            if done and max(done) >= 3:
                hashing_seen.set()

    reader = threading.Thread(target=read_terminal, daemon=True)
    reader.start()
    try:
        assert hashing_seen.wait(300), f"no hashing progress shown: {bytes(seen)[-2000:]!r}"
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        out, _ = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(30)
    reader.join(10)
    os.close(master)
    err = bytes(seen).decode("utf-8", "replace")
    text = out.decode()

    assert proc.returncode == 130, (text, err[-3000:])
    assert "Traceback" not in err and "BrokenProcessPool" not in err
    assert "unexpected problem" not in err
    assert "Cancelled" in text
    added = int(re.search(r"Added (\d+) item\(s\)", text).group(1))  # type: ignore[union-attr]
    hashed = int(re.search(r"Hashed (\d+) item\(s\)", text).group(1))  # type: ignore[union-attr]
    assert added == IMAGES  # intake had finished: every file was acknowledged
    assert 3 <= hashed < IMAGES  # the cancel stopped hashing part-way
    assert f"{IMAGES - hashed} item(s) were not hashed" in text
    assert "--rematch" in text

    report = vaults.check_vault(root, passphrase=PASSPHRASE)
    assert report.ok, report.as_dict()
    vault = vaults.open_vault(root, passphrase=PASSPHRASE)
    try:
        with vault.session() as s:
            items = list(s.query(EvidenceItem).filter(EvidenceItem.case_id == case_id))
            with_hashes = {r.item_id for r in s.query(HashRecord)}
            assert len(items) == added
            assert len(with_hashes & {i.id for i in items}) == hashed
            for item in items:  # every acknowledged file is whole in the vault
                blob = s.get(Blob, item.blob_id)
                assert blob is not None
                assert hashlib.sha256(vault.read_blob(blob)).hexdigest() == item.sha256
    finally:
        vault.close()


# --- a worker pool that broke ---------------------------------------------------------------


def _workers_of(pool: object) -> list[int]:
    return list(getattr(pool, "_processes", {}) or {})


def test_a_pool_broken_before_the_batch_is_replaced(tmp_path: Path) -> None:
    from ncii_desk.hashing import pipeline

    make_images(tmp_path, 6)
    paths = sorted(tmp_path.glob("*.jpg"))
    first = list(pipeline.hash_many(paths[:2], "plain", workers=2))
    assert all(r.error is None for r in first)
    pool = pipeline._pool(2)
    for pid in _workers_of(pool):
        os.kill(pid, signal.SIGKILL)
    deadline = threading.Event()
    while not getattr(pool, "_broken", False) and not deadline.wait(0.05):
        pass  # the executor notices the dead workers on its own thread
    results = list(pipeline.hash_many(paths, "plain", workers=2))
    assert sorted(r.path for r in results) == sorted(str(p) for p in paths)
    assert all(r.error is None and r.pdq for r in results)
    assert pipeline._pool(2) is not pool


def test_a_worker_killed_mid_batch_loses_no_file(tmp_path: Path) -> None:
    from ncii_desk.hashing import pipeline

    make_images(tmp_path, 12)
    paths = sorted(tmp_path.glob("*.jpg"))
    results = []
    for n, result in enumerate(pipeline.hash_many(paths, "original", workers=2)):
        results.append(result)
        if n == 1:  # files are in flight now: a worker dies under them
            os.kill(_workers_of(pipeline._pool(2))[0], signal.SIGKILL)
    assert sorted(r.path for r in results) == sorted(str(p) for p in paths)
    assert all(r.error is None and r.pdq for r in results)  # each lost file was hashed again
