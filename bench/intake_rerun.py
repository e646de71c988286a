"""Benchmark: adding the same folder twice (issue 12, item 17).

Generates N benign pictures (smooth colour fields with blocks), adds the folder to a case in
a fresh vault (no hashing, as `add --no-hash`), then adds the same folder again. Prints the
items in the case after each run, how many files the second run reported as already in the
case, and the wall time of each run: the second run reads every file once for its SHA-256
and stores nothing. Timings are printed, never asserted. Usage::

    python bench/intake_rerun.py [--files 200] [--side 640]
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from benchmachine import cpu_model, load_average
from PIL import Image

from ncii_desk.services import cases, intake
from ncii_desk.vault import KdfParams, Vault
from ncii_desk.vault.models import EvidenceItem, Role


def make_pictures(folder: Path, count: int, side: int) -> None:
    rng = np.random.default_rng(17)
    for n in range(count):
        small = rng.integers(0, 256, size=(6, 6, 3), dtype=np.uint8)
        img = np.asarray(Image.fromarray(small).resize((side, side * 3 // 4))).copy()
        y, x = rng.integers(0, side // 2, 2)
        img[y : y + side // 8, x : x + side // 8] = rng.integers(0, 256, 3)
        Image.fromarray(img).save(folder / f"photo-{n:04d}.jpg", quality=90)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--side", type=int, default=640)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = root / "folder"
        folder.mkdir()
        make_pictures(folder, args.files, args.side)
        kdf = KdfParams(
            memory_kib=64 * 1024, time_cost=1, parallelism=2, salt=secrets.token_bytes(16)
        )
        vault, _ = Vault.create(root / "vault", "bench passphrase here", kdf=kdf, actor="bench")
        try:
            case_id = cases.new_case(vault, "Bench").id
            runs = []
            for _ in range(2):
                t0 = time.perf_counter()
                result = intake.add_items(vault, case_id, Role.ORIGINAL, [folder])
                seconds = time.perf_counter() - t0
                with vault.session() as s:
                    items = s.query(EvidenceItem).filter(EvidenceItem.case_id == case_id).count()
                runs.append((len(result.added), len(result.already_in_case), items, seconds))
        finally:
            vault.close()
    print(f"# intake_rerun  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"# cpu: {cpu_model()}  load: {load_average()}  python {sys.version.split()[0]}")
    print(f"# {args.files} JPEG files of {args.side}x{args.side * 3 // 4}")
    print("run  added  already_in_case  items_in_case  seconds")
    for n, (added, already, items, seconds) in enumerate(runs, 1):
        print(f"{n:<4} {added:<6} {already:<16} {items:<14} {seconds:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
