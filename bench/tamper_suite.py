"""Benchmark: the vault tamper suite at full size, with the KDF floor measurement.

Builds one real vault (Argon2id, SQLCipher 4, chunked AES-GCM blobs) and damages copies of
it: single-bit flips at seeded random offsets of every file (both header copies, meta.db,
audit.head, every blob), truncations and deletions of every file, rollbacks of meta.db and
audit.head. Every case unlocks, runs the full check and reads back every stored file and
case note (tests/tamperkit.py does the work; tests/integration/test_vault_tamper_suite.py
runs a CI-sized sample of it).

Prints a table of tried / detected / answered-by-warning-only / garbage reads per kind and
file, the cases not detected (if any), and the Argon2id unlock cost at the KDF floor and the
header ceilings on this machine. Timings are printed, never asserted. Usage::

    python bench/tamper_suite.py [--flips 1000] [--seed 7] [--markdown] [--no-kdf]
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmachine import cpu_model, load_average, mem_total

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import tamperkit as tk

from ncii_desk.vault.keys import (
    MAX_MEMORY_KIB,
    MAX_TIME_COST,
    MAX_WORK_KIB_PASSES,
    PRODUCT_FLOOR,
    KdfParams,
    default_parallelism,
    derive_passphrase_key,
)


def unlock_seconds(memory_kib: int, time_cost: int, runs: int = 3) -> float:
    params = KdfParams(memory_kib, time_cost, default_parallelism(), secrets.token_bytes(16))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        derive_passphrase_key("benchmark passphrase", params)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--flips", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--no-kdf", action="store_true", help="skip the Argon2id timings")
    args = ap.parse_args()

    print(f"# tamper suite, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {cpu_model()}, {mem_total()}, load {load_average()}")
    with tempfile.TemporaryDirectory(prefix="ncii-tamper-") as tmp:
        result = tk.run_suite(Path(tmp), flips=args.flips, seed=args.seed)
    rows = result.table()
    total = [sum(r[i] for r in rows) for i in (2, 3, 4, 5)]
    print(f"cases: {total[0]} in {result.seconds:.1f} s (flips={args.flips}, seed={args.seed})")
    header = ("damage", "file", "tried", "detected", "of them warning only", "garbage reads")
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for r in rows:
            print("| " + " | ".join(f"{v:,}" if isinstance(v, int) else v for v in r) + " |")
        print(f"| **all** | | {total[0]:,} | {total[1]:,} | {total[2]:,} | {total[3]:,} |")
    else:
        print(
            "{:<9} {:<19} {:>6} {:>9} {:>13} {:>8}".format(*header[:4], "warning-only", "garbage")
        )
        for r in rows:
            print("{:<9} {:<19} {:>6} {:>9} {:>13} {:>8}".format(*r))
        print("{:<9} {:<19} {:>6} {:>9} {:>13} {:>8}".format("all", "", *total))
    answers: dict[str, int] = {}
    for o in result.outcomes:
        answers[o.how] = answers.get(o.how, 0) + 1
    print("answers: " + "; ".join(f"{how}: {n}" for how, n in sorted(answers.items())))
    for o in result.outcomes:
        if not o.detected or o.garbage or o.how == tk.WARNING:
            print(f"  {o.case.kind} {o.case.target} ({o.case.detail}): {o.how}: {o.said}")
            for g in o.garbage:
                print(f"    GARBAGE {g}")

    if not args.no_kdf:
        floor_m, floor_t = PRODUCT_FLOOR.memory_kib, PRODUCT_FLOOR.time_cost
        print(f"\n# Argon2id unlock cost here (p={default_parallelism()}, median of 3)")
        for m, t in ((64 * 1024, 1), (floor_m, 1), (floor_m, floor_t), (floor_m, 4)):
            print(f"m={m // 1024} MiB t={t}: {unlock_seconds(m, t):.2f} s")
        one_gib = unlock_seconds(1024 * 1024, 1, runs=1)
        print(f"m=1024 MiB t=1: {one_gib:.2f} s (1 run)")
        worst = MAX_WORK_KIB_PASSES / (1024 * 1024)
        print(
            f"ceilings: memory <= {MAX_MEMORY_KIB // (1024 * 1024)} GiB, time_cost <= "
            f"{MAX_TIME_COST}, memory x passes <= {worst:.0f} GiB-passes "
            f"(about {worst * one_gib:.0f} s here at the 1 GiB rate)"
        )
    missed = any(not o.detected for o in result.outcomes)
    return 1 if missed or total[3] else 0


if __name__ == "__main__":
    raise SystemExit(main())
