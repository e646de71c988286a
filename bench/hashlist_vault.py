"""Benchmark: a large hash list through the vault — import, then load for matching.

Two measurements, both end to end through the encrypted vault (fast Argon2id settings, as the
KDF is not what is measured):

1. ``import``: a python-threatexchange style list (``pdq <hex>`` lines, or with
   ``--import-format csv`` rows ``pdq,<hex>,<quality>,<label>``) of ``--import-count`` random
   PDQ hashes is written to a temp file and imported with
   ``services.hashlists.import_hash_list`` (stream the file, check every line, rows in
   SQLCipher, the packed search index as an encrypted blob, matching of every case). Time,
   lines/s, the time until the last row is in (the rest is the index blob and the commit),
   peak RSS during the import (VmHWM, reset just before it) and the vault's growth.
2. ``load``: a list of ``--load-count`` (default 10 M) PDQ hashes whose packed index blob is
   stored in the vault (rows are not inserted: this part measures the matching path, which
   reads only the blob). The vault is closed and reopened, then ``services.matching``'s list
   loader reads, decrypts and unpacks the blob, and the first search builds the multi-index
   tables; a batch of queries is timed after that. Time per step and RSS growth.

3. ``ready``: time-to-ready after unlock, before vs after the search tables were stored in
   the blob, for each of ``--ready-counts`` (default 1 M and 3 M) random PDQ hashes. The same
   hashes are stored twice, as a version-2 packed index (hashes and positions only: what
   earlier versions stored; the first search sorts the tables) and as version 3 (the tables
   stored too). Each round closes and reopens the vault, then reads, decrypts and unpacks one
   blob and runs one single-hash search (which builds the tables when they were not
   stored): the time from the end of the unlock until that first search has answered.
   Rounds alternate before/after (``--rounds`` each); 1,000 searches are then checked to
   give the same answers.

Timings are printed, never asserted. Usage::

    python bench/hashlist_vault.py [--import-count 1000000] [--load-count 10000000]
        [--ready-counts 1000000,3000000] [--rounds 3]

``--lift-file-limit`` raises ``lists.MAX_FILE_BYTES`` for the run: only for measuring the
import as it was before streaming (it read the whole file and refused lists over 512 MiB),
with that version of the package first on PYTHONPATH.
"""

from __future__ import annotations

import argparse
import gc
import inspect
import os
import platform
import resource
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from benchmachine import cpu_model, load_average, mem_total

from ncii_desk.hashing import lists
from ncii_desk.hashing.index import rows_to_hex
from ncii_desk.services import hashlists, matching
from ncii_desk.services.jobs import Job
from ncii_desk.vault import Vault
from ncii_desk.vault.keys import KdfParams
from ncii_desk.vault.models import Blob, HashList

PASSPHRASE = "bench passphrase that is long enough"
MIB = 1024 * 1024


def rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM), so a later peak is that of one step."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def hwm_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return peak_mib()


def vault_mib(root: Path) -> float:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / MIB


def kdf() -> KdfParams:
    return KdfParams(memory_kib=64 * 1024, time_cost=1, parallelism=2, salt=secrets.token_bytes(16))


def random_rows(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=(n, 32), dtype=np.uint8)


def bench_import(root: Path, work: Path, count: int, fmt: str, lift_limit: bool) -> None:
    path = work / f"list.{'csv' if fmt == 'csv' else 'txt'}"
    t = time.perf_counter()
    with path.open("w") as fh:
        if fmt == "csv":
            fh.write("kind,value,quality,label\n")
        for start in range(0, count, 100_000):
            rows = random_rows(min(100_000, count - start), 1 + start)
            if fmt == "csv":
                fh.writelines(
                    f"pdq,{h},{50 + (start + i) % 51},batch {start // 100_000}\n"
                    for i, h in enumerate(rows_to_hex(rows))
                )
            else:
                fh.writelines(f"pdq {h}\n" for h in rows_to_hex(rows))
    write_s = time.perf_counter() - t
    if lift_limit:
        lists.MAX_FILE_BYTES = max(lists.MAX_FILE_BYTES, path.stat().st_size + 1)
    vault = Vault.open(root, passphrase=PASSPHRASE, actor="bench")
    rows_in: list[float] = []

    def progress(_done: int, _total: int, message: str) -> None:
        if message.startswith("building") and not rows_in:
            rows_in.append(time.perf_counter())

    try:
        size_before = vault_mib(root)
        before = rss_mib()
        hwm = reset_peak()
        t = time.perf_counter()
        if "job" in inspect.signature(hashlists.import_hash_list).parameters:
            job = Job(on_progress=progress)
            view, bad, _ = hashlists.import_hash_list(vault, path, "bench", job=job)
        else:  # the version before streaming
            view, bad, _ = hashlists.import_hash_list(vault, path, "bench")
        took = time.perf_counter() - t
        peak = hwm_mib() if hwm else peak_mib()
        open_growth = vault_mib(root) - size_before  # the write-ahead log still holds a copy
    finally:
        vault.close()
    phases = f" (rows in after {rows_in[0] - t:.1f} s)" if rows_in else ""
    print(
        f"import ({fmt}): {count:,} lines ({path.stat().st_size / MIB:.0f} MiB text, written in "
        f"{write_s:.1f} s): {took:.1f} s{phases} = {count / took:,.0f} lines/s; entries "
        f"{view.entry_count:,}, bad lines {len(bad)}; RSS {before:.0f} MiB before, peak "
        f"{peak:.0f} MiB{' (process peak)' if not hwm else ''}; vault grew by "
        f"{vault_mib(root) - size_before:,.0f} MiB ({open_growth:,.0f} MiB on disk before "
        "closing)"
    )
    path.unlink()


def bench_load(root: Path, count: int, queries: int) -> None:
    rows = random_rows(count, 2)
    vault = Vault.open(root, passphrase=PASSPHRASE, actor="bench")
    try:
        t = time.perf_counter()
        packed = hashlists.pack_pdq_rows(rows, np.arange(count))
        pack_s = time.perf_counter() - t
        t = time.perf_counter()
        with vault.transaction() as s:
            blob = vault.blobs.put_bytes(packed)
            vault.store_blob(s, blob)
            s.add(
                HashList(
                    name="bench 10M",
                    format="pytx",
                    entry_count=count,
                    bad_lines=0,
                    sha256=secrets.token_hex(32),
                    operator="bench",
                    pdq_index_blob_id=blob.blob_id,
                )
            )
        store_s = time.perf_counter() - t
        blob_mib = len(packed) / MIB
        del packed
    finally:
        vault.close()
    probe = rows[:: max(1, count // queries)][:queries].copy()
    flips = np.random.default_rng(3).integers(0, 256, size=probe.shape, dtype=np.uint8)
    probe ^= flips & (np.random.default_rng(4).random(probe.shape) < 0.03)  # ~8 bits flipped
    del rows

    t = time.perf_counter()
    vault = Vault.open(root, passphrase=PASSPHRASE, actor="bench")
    open_s = time.perf_counter() - t
    try:
        base = rss_mib()
        t = time.perf_counter()
        loaded = matching._list_indexes(vault)
        load_s = time.perf_counter() - t
        index = loaded[-1][1]
        after_load = rss_mib()
        t = time.perf_counter()
        index.search(probe[:1], 31)
        build_s = time.perf_counter() - t
        t = time.perf_counter()
        result = index.search(probe, 31)
        search_s = time.perf_counter() - t
        found = len(np.unique(result.query_idx))
    finally:
        vault.close()
    print(
        f"load: {count:,} PDQ hashes, packed blob {blob_mib:.0f} MiB (pack {pack_s:.1f} s, "
        f"encrypt + store {store_s:.1f} s)\n"
        f"  unlock {open_s:.2f} s; read + decrypt + unpack {load_s:.2f} s; first search "
        f"(builds tables) {build_s:.2f} s; ready to match after {load_s + build_s:.2f} s\n"
        f"  {len(probe):,} queries at radius 31: {search_s:.2f} s "
        f"({len(probe) / search_s:,.0f} q/s), {found:,} found their source\n"
        f"  RSS {base:.0f} MiB before load, {after_load:.0f} after load, {rss_mib():.0f} after "
        f"build; peak {peak_mib():.0f} MiB"
    )


def bench_ready(root: Path, count: int, rounds: int) -> None:
    rows = random_rows(count, 6)
    probe = rows[:: max(1, count // 1000)][:1000].copy()
    probe[:, 5] ^= 0x21  # 2 bits away from a stored hash
    vault = Vault.open(root, passphrase=PASSPHRASE, actor="bench")
    blobs: dict[str, str] = {}
    sizes: dict[str, float] = {}
    try:
        for label, version in (("before", 2), ("after", 3)):
            t = time.perf_counter()
            packed = hashlists.pack_pdq_rows(rows, np.arange(count), version=version)
            pack_s = time.perf_counter() - t
            with vault.transaction() as s:
                blob = vault.blobs.put_bytes(packed)
                vault.store_blob(s, blob)
            blobs[label] = blob.blob_id
            sizes[label] = len(packed) / MIB
            print(
                f"ready {count:,}: {label} blob (v{version}) {sizes[label]:.0f} MiB, "
                f"packed in {pack_s:.1f} s"
            )
            del packed
    finally:
        vault.close()
    del rows
    times: dict[str, list[float]] = {"before": [], "after": []}
    answers: dict[str, int] = {}
    for r in range(rounds):
        for label in ("before", "after") if r % 2 == 0 else ("after", "before"):
            gc.collect()
            vault = Vault.open(root, passphrase=PASSPHRASE, actor="bench")
            try:
                t = time.perf_counter()
                with vault.session() as s:
                    row = s.get(Blob, blobs[label])
                    assert row is not None
                index, _positions = hashlists.unpack_pdq_index(vault.read_blob(row))
                index.search(probe[:1], 31)  # the first search: ready to match after it
                times[label].append(time.perf_counter() - t)
                found = index.search(probe, 31)
                answers[label] = len(found)
                built = index.builds
                del index, _positions, found
            finally:
                vault.close()
            print(
                f"  round {r + 1} {label}: ready {times[label][-1]:.2f} s after unlock "
                f"(tables built: {built})"
            )
    assert answers["before"] == answers["after"]
    print(
        f"ready {count:,} PDQ hashes: before median {statistics.median(times['before']):.2f} s "
        f"({', '.join(f'{x:.2f}' for x in times['before'])}), after median "
        f"{statistics.median(times['after']):.2f} s "
        f"({', '.join(f'{x:.2f}' for x in times['after'])}); "
        f"blob {sizes['before']:.0f} -> {sizes['after']:.0f} MiB; {answers['after']:,} pairs found "
        f"by 1,000 searches either way; load average {load_average()}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--import-count", type=int, default=1_000_000)
    parser.add_argument("--load-count", type=int, default=10_000_000)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--ready-counts", default="1000000,3000000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--import-format", choices=("pytx", "csv"), default="pytx")
    parser.add_argument("--lift-file-limit", action="store_true")
    args = parser.parse_args()
    print(f"# Hash lists through the vault ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)")
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, {mem_total()}; {platform.platform()}")
    print(f"python {sys.version.split()[0]}; load average at start {load_average()}")
    with tempfile.TemporaryDirectory(prefix="ncii-listbench-") as tmp:
        root = Path(tmp) / "vault"
        Vault.create(root, PASSPHRASE, kdf=kdf(), actor="bench")[0].close()
        if args.import_count:
            bench_import(
                root, Path(tmp), args.import_count, args.import_format, args.lift_file_limit
            )
        if args.load_count:
            bench_load(root, args.load_count, args.queries)
        for count in (int(c) for c in args.ready_counts.split(",") if c.strip()):
            bench_ready(root, count, args.rounds)
    print(f"load average at end {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
