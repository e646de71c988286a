"""Benchmark: encrypted blob store ingest vs raw file copy (issue 2).

Measures, in a fresh vault on the same file system as ``--dir``:

* vault creation (default tuned Argon2id KDF) and unlock time (median of 3 opens);
* one large incompressible file (default 1 GiB): raw copy with 1 MiB writes + fsync vs
  ``vault.blobs.put_stream`` + a transaction storing the Blob row, alternating, median of 3;
* many small files (default 1,000, 10 KiB-500 KiB): raw write+fsync per file vs
  ``put_bytes`` + one transaction per file;
* the same through intake itself (``intake.add_items`` on a folder of small pictures: batches
  of ``intake.BATCH_FILES`` files, one sync, one transaction and one audit-head write each),
  and through intake with batches of one file (what it did before), alternating with the raw
  write+fsync of the same sizes round by round (fresh bytes each round), median of
  ``--repeats``;
* single-thread AES-256-GCM (1 MiB blocks), SHA-256 and MD5 throughput, and
  ``vault.blobs.verify`` of the large blob.

Timings are printed, never asserted. Usage::

    python bench/vault_ingest.py [--large-mib 1024] [--small 1000] [--dir DIR] [--markdown]
                                 [--repeats 3]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import random
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import cryptography
from benchmachine import cpu_model, load_average, mem_total
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ncii_desk.vault.blobs import BlobInfo
from ncii_desk.vault.vault import Vault

MIB = 1024 * 1024
KIB = 1024
GEN_BLOCK = 8 * MIB
COPY_BLOCK = 1 * MIB
SMALL_MIN = 10 * KIB
SMALL_MAX = 500 * KIB
PASSPHRASE = "bench passphrase: correct horse battery staple"
TARGET_RATIO = 0.8


# --- output ------------------------------------------------------------------------------


@dataclass
class Results:
    rows: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, metric: str, value: str, detail: str = "") -> None:
        self.rows.append((metric, value, detail))


_quiet = False


def log(msg: str) -> None:
    """Progress and per-run figures; on stderr when only the Markdown section is wanted."""
    print(msg, file=sys.stderr if _quiet else sys.stdout, flush=True)


def median(values: list[float]) -> float:
    return statistics.median(values)


def fmt_runs(values: list[float], unit: str, digits: int = 0) -> str:
    return ", ".join(f"{v:.{digits}f}" for v in values) + f" {unit}"


# --- machine -----------------------------------------------------------------------------


def cpu_flags() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    wanted = ("aes", "vaes", "pclmulqdq", "vpclmulqdq", "sha_ni", "avx2")
                    return " ".join(f for f in wanted if f in flags) or "-"
    except OSError:
        pass
    return "-"


def filesystem_of(path: Path) -> str:
    """File system type and device of the mount holding ``path`` (Linux only)."""
    try:
        real = os.path.realpath(path)
        best = ("", "unknown", "")
        with open("/proc/mounts", encoding="utf-8") as fh:
            for line in fh:
                dev, mnt, fstype, *_ = line.split()
                inside = real == mnt or real.startswith(mnt.rstrip("/") + "/")
                if inside and len(mnt) >= len(best[0]):
                    best = (mnt, fstype, dev)
        if best[0]:
            return f"{best[1]} on {best[2]} (mounted at {best[0]})"
    except OSError:
        pass
    return "unknown"


def openssl_version() -> str:
    try:
        from cryptography.hazmat.backends.openssl.backend import backend

        return str(backend.openssl_version_text())
    except Exception:  # informational only
        return "unknown"


def machine_info(work: Path) -> list[tuple[str, str]]:
    return [
        ("Platform", platform.platform()),
        ("CPU", f"{cpu_model()} (flags: {cpu_flags()})"),
        ("Cores", str(os.cpu_count())),
        ("Memory", mem_total()),
        ("File system", filesystem_of(work)),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("cryptography", f"{cryptography.__version__} ({openssl_version()})"),
        ("Load average at start (1/5/15 min)", load_average()),
    ]


# --- helpers -----------------------------------------------------------------------------


def make_source(path: Path, size: int) -> None:
    """Incompressible bytes, written in 8 MiB blocks and made durable (not timed)."""
    with open(path, "xb") as fh:
        left = size
        while left:
            n = min(GEN_BLOCK, left)
            fh.write(os.urandom(n))
            left -= n
        fh.flush()
        os.fsync(fh.fileno())


def read_all(path: Path) -> float:
    """Read ``path`` once (warms the page cache); returns seconds."""
    start = time.perf_counter()
    with open(path, "rb", buffering=0) as fh:
        while fh.read(GEN_BLOCK):
            pass
    return time.perf_counter() - start


def raw_copy(src: Path, dest: Path) -> tuple[float, float]:
    """Copy with 1 MiB reads/writes, then fsync; returns (total, fsync) seconds."""
    start = time.perf_counter()
    with open(src, "rb") as fin, open(dest, "xb") as fout:
        while True:
            block = fin.read(COPY_BLOCK)
            if not block:
                break
            fout.write(block)
        fout.flush()
        synced = time.perf_counter()
        os.fsync(fout.fileno())
    end = time.perf_counter()
    return end - start, end - synced


def ingest_stream(vault: Vault, src: Path) -> tuple[float, BlobInfo]:
    start = time.perf_counter()
    with open(src, "rb") as fh:
        info = vault.blobs.put_stream(fh)
    with vault.transaction() as s:
        vault.store_blob(s, info)
    return time.perf_counter() - start, info


def ingest_bytes(vault: Vault, data: bytes) -> BlobInfo:
    info = vault.blobs.put_bytes(data)
    with vault.transaction() as s:
        vault.store_blob(s, info)
    return info


def throughput(fn: Callable[[bytes], object], block: bytes, total: int) -> float:
    """MiB/s of calling ``fn(block)`` until ``total`` bytes were processed."""
    rounds = max(1, total // len(block))
    fn(block)  # warm-up
    start = time.perf_counter()
    for _ in range(rounds):
        fn(block)
    return rounds * len(block) / MIB / (time.perf_counter() - start)


# --- stages ------------------------------------------------------------------------------


def bench_vault_keys(root: Path, res: Results) -> Vault:
    log("Creating vault (tune_kdf: ~1 s target, 256 MiB) ...")
    start = time.perf_counter()
    vault, _recovery = Vault.create(root, PASSPHRASE, actor="bench")
    created = time.perf_counter() - start
    kdf = vault.header.kdf
    kdf_text = f"Argon2id m={kdf.memory_kib // 1024} MiB, t={kdf.time_cost}, p={kdf.parallelism}"
    log(f"  created in {created:.2f} s ({kdf_text})")
    vault.close()

    opens: list[float] = []
    for _ in range(3):
        start = time.perf_counter()
        v = Vault.open(root, passphrase=PASSPHRASE, actor="bench")
        opens.append(time.perf_counter() - start)
        v.close()
    log(f"  unlock: {fmt_runs(opens, 's', 2)}")
    res.add("Vault create (incl. tune_kdf)", f"{created:.2f} s", kdf_text)
    res.add(
        "Vault unlock (Vault.open)",
        f"{median(opens):.2f} s",
        f"median of 3: {fmt_runs(opens, 's', 2)}",
    )
    return Vault.open(root, passphrase=PASSPHRASE, actor="bench")


def bench_large(vault: Vault, work: Path, size: int, repeats: int, res: Results) -> BlobInfo:
    mib = size / MIB
    src = work / "source.bin"
    log(f"Generating {mib:.0f} MiB source file (os.urandom, 8 MiB blocks) ...")
    start = time.perf_counter()
    make_source(src, size)
    log(f"  generated in {time.perf_counter() - start:.1f} s")
    warm = read_all(src)
    log(f"  read once to warm the page cache: {mib / warm:.0f} MiB/s")

    raw: list[float] = []
    ing: list[float] = []
    raw_split: list[tuple[float, float]] = []
    info: BlobInfo | None = None
    for i in range(repeats):
        t, t_sync = raw_copy(src, work / f"raw-copy-{i}.bin")
        raw.append(mib / t)
        raw_split.append((t - t_sync, t_sync))
        log(
            f"  run {i + 1}: raw copy   {t:6.2f} s  {mib / t:7.0f} MiB/s"
            f"  (writes {t - t_sync:.2f} s, fsync {t_sync:.2f} s)"
        )
        t, info = ingest_stream(vault, src)
        ing.append(mib / t)
        log(f"  run {i + 1}: ingest     {t:6.2f} s  {mib / t:7.0f} MiB/s")
    assert info is not None
    if info.size != size or info.sha256 != sha256_file(src):
        raise SystemExit("ingest stored the wrong bytes")

    ratio = median(ing) / median(raw)
    log(f"  median raw {median(raw):.0f} MiB/s, ingest {median(ing):.0f} MiB/s, ratio {ratio:.2f}")
    label = f"{mib:.0f} MiB"
    writes = [w for w, _ in raw_split]
    syncs = [f for _, f in raw_split]
    res.add(
        f"Large file raw copy ({label}, 1 MiB writes + fsync)",
        f"{median(raw):.0f} MiB/s",
        f"runs: {fmt_runs(raw, 'MiB/s')}; write() phase {fmt_runs(writes, 's', 2)}, "
        f"fsync {fmt_runs(syncs, 's', 2)}",
    )
    res.add(
        f"Large file ingest ({label}, put_stream + transaction)",
        f"{median(ing):.0f} MiB/s",
        f"runs: {fmt_runs(ing, 'MiB/s')}",
    )
    pairs = [i / r for i, r in zip(ing, raw, strict=True)]
    verdict = "meets" if ratio >= TARGET_RATIO else "BELOW"
    res.add(
        "Large file ingest / raw (ratio of medians)",
        f"{ratio:.2f}x",
        f"{verdict} target >= {TARGET_RATIO}x; per run pair: {fmt_runs(pairs, '', 2).strip()}",
    )
    return info


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb", buffering=0) as fh:
        while block := fh.read(GEN_BLOCK):
            h.update(block)
    return h.hexdigest()


def bench_verify(vault: Vault, info: BlobInfo, repeats: int, res: Results) -> None:
    mib = info.size / MIB
    rates: list[float] = []
    for _ in range(repeats):
        start = time.perf_counter()
        n = vault.blobs.verify(info.blob_id, info)
        rates.append(mib / (time.perf_counter() - start))
        assert n == info.size
    log(f"  verify: {fmt_runs(rates, 'MiB/s')}")
    res.add(
        f"Verify large blob (blobs.verify, {mib:.0f} MiB, warm cache)",
        f"{median(rates):.0f} MiB/s",
        f"median of {repeats}: {fmt_runs(rates, 'MiB/s')}",
    )


def rates(count: int, mib: float, seconds: float) -> str:
    return f"{count / seconds:.0f} files/s, {mib / seconds:.0f} MiB/s"


def bench_small(vault: Vault, work: Path, count: int, res: Results) -> None:
    rng = random.Random(2)
    sizes = [rng.randint(SMALL_MIN, SMALL_MAX) for _ in range(count)]
    total_mib = sum(sizes) / MIB
    log(f"Generating {count} small files ({total_mib:.0f} MiB, 10-500 KiB each) ...")
    payloads = [os.urandom(n) for n in sizes]

    folder = work / "raw-small"
    folder.mkdir()
    start = time.perf_counter()
    for i, data in enumerate(payloads):
        with open(folder / f"{i:05d}.bin", "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    raw_t = time.perf_counter() - start
    log(f"  raw write+fsync: {raw_t:.2f} s  {rates(count, total_mib, raw_t)}")

    start = time.perf_counter()
    for data in payloads:
        ingest_bytes(vault, data)
    ing_t = time.perf_counter() - start
    log(f"  ingest:          {ing_t:.2f} s  {rates(count, total_mib, ing_t)}")

    what = f"{count} files, {total_mib:.0f} MiB"
    res.add(
        f"Small files raw write + fsync ({what})",
        f"{count / raw_t:.0f} files/s, {total_mib / raw_t:.0f} MiB/s",
        f"{raw_t:.2f} s",
    )
    res.add(
        f"Small files ingest (put_bytes + 1 transaction each; {what})",
        f"{count / ing_t:.0f} files/s, {total_mib / ing_t:.0f} MiB/s",
        f"{ing_t:.2f} s; {1000 * ing_t / count:.1f} ms/file vs {1000 * raw_t / count:.1f} raw",
    )
    res.add("Small files ingest / raw", f"{raw_t / ing_t:.2f}x", "by files/s")


def bench_primitives(res: Results) -> None:
    block = os.urandom(MIB)
    aead = AESGCM(os.urandom(32))
    nonce = os.urandom(12)
    aad = os.urandom(72)
    total = 512 * MIB
    enc = throughput(lambda b: aead.encrypt(nonce, b, aad), block, total)
    sealed = aead.encrypt(nonce, block, aad)
    dec = throughput(lambda _b: aead.decrypt(nonce, sealed, aad), block, total)
    sha = throughput(lambda b: hashlib.sha256(b).digest(), block, total)
    md5 = throughput(lambda b: hashlib.md5(b, usedforsecurity=False).digest(), block, total)
    log(
        f"  AES-256-GCM encrypt {enc:.0f} MiB/s, decrypt {dec:.0f} MiB/s, "
        f"SHA-256 {sha:.0f} MiB/s, MD5 {md5:.0f} MiB/s"
    )
    res.add("AES-256-GCM encrypt, 1 MiB blocks (1 thread)", f"{enc:.0f} MiB/s", "AESGCM.encrypt")
    res.add("AES-256-GCM decrypt, 1 MiB blocks (1 thread)", f"{dec:.0f} MiB/s", "AESGCM.decrypt")
    res.add("SHA-256, 1 MiB blocks (1 thread)", f"{sha:.0f} MiB/s", "hashlib.sha256")
    res.add("MD5, 1 MiB blocks (1 thread)", f"{md5:.0f} MiB/s", "intake's extra hasher")


# --- main --------------------------------------------------------------------------------


def render(res: Results, machine: list[tuple[str, str]], command: str, date: str) -> str:
    lines = ["## Vault ingest (issue 2)", ""]
    lines.append(f"Date (UTC): {date}")
    lines.append("")
    lines.append("Machine:")
    lines.append("")
    lines += [f"- {k}: {v}" for k, v in machine]
    lines += ["", "Command:", "", "```", command, "```", ""]
    lines.append("| Measurement | Result | Detail |")
    lines.append("|---|---|---|")
    for metric, value, detail in res.rows:
        lines.append(f"| {metric} | {value} | {detail} |")
    return "\n".join(lines) + "\n"


def _pictures(sizes: list[int]) -> list[bytes]:
    """Random bytes behind a PNG signature (intake refuses what is not a picture)."""
    return [b"\x89PNG\r\n\x1a\n" + os.urandom(n) for n in sizes]


def bench_small_intake(vault: Vault, work: Path, count: int, repeats: int, res: Results) -> None:
    from ncii_desk.services import cases, intake
    from ncii_desk.vault.models import Role

    rng = random.Random(3)
    sizes = [rng.randint(SMALL_MIN, SMALL_MAX) for _ in range(count)]
    total_mib = sum(sizes) / MIB
    batch = intake.BATCH_FILES
    times: dict[str, list[float]] = {"raw": [], "batched": [], "one by one": []}
    ratios = []
    for r in range(repeats):
        order = ["raw", "batched", "one by one"]
        order = order if r % 2 == 0 else order[::-1]
        this = {}
        for method in order:
            payloads = _pictures(sizes)  # fresh bytes: nothing is found already stored
            folder = work / f"small-{method.replace(' ', '')}-{r}"
            folder.mkdir()
            if method == "raw":
                start = time.perf_counter()
                for i, data in enumerate(payloads):
                    with open(folder / f"{i:05d}.png", "xb") as fh:
                        fh.write(data)
                        fh.flush()
                        os.fsync(fh.fileno())
                this[method] = time.perf_counter() - start
            else:
                for i, data in enumerate(payloads):  # the source folder, not timed
                    (folder / f"{i:05d}.png").write_bytes(data)
                case_id = cases.new_case(vault, f"bench {method} {r}").id
                intake.BATCH_FILES = batch if method == "batched" else 1
                try:
                    start = time.perf_counter()
                    added = intake.add_items(vault, case_id, Role.SUSPECT, [folder])
                    this[method] = time.perf_counter() - start
                finally:
                    intake.BATCH_FILES = batch
                if added.errors or len(added.added) != count:
                    raise RuntimeError(f"intake failed: {added.errors[:3]}")
            times[method].append(this[method])
            log(f"  round {r + 1} {method}: {rates(count, total_mib, this[method])}")
        ratios.append(this["raw"] / this["batched"])
    what = f"{count} files, {total_mib:.0f} MiB, median of {repeats} alternating rounds"
    for method, label in (
        ("raw", "raw write + fsync"),
        ("batched", f"intake.add_items, batches of {batch}"),
        ("one by one", "intake.add_items, batches of 1 (as before)"),
    ):
        t = median(times[method])
        res.add(f"Small files, {label} ({what})", rates(count, total_mib, t), f"{t:.2f} s")
    res.add(
        "Small files, intake (batched) / raw",
        f"{median(ratios):.2f}x",
        "by files/s, per round: " + ", ".join(f"{x:.2f}" for x in ratios),
    )


def main(argv: list[str] | None = None) -> int:
    global _quiet
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large-mib", type=int, default=1024, help="large file size (MiB)")
    parser.add_argument("--small", type=int, default=1000, help="number of small files")
    parser.add_argument("--repeats", type=int, default=3, help="alternating raw/ingest runs")
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="folder on the file system to test; a temp folder is made inside it "
        "(default: the system temp folder)",
    )
    parser.add_argument("--markdown", action="store_true", help="print only the Markdown section")
    parser.add_argument(
        "--only-small", action="store_true", help="only the small-file rounds (raw vs intake)"
    )
    args = parser.parse_args(argv)
    _quiet = args.markdown

    if args.dir is not None:
        args.dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ncii-bench-", dir=args.dir))
    command = shlex.join(["python", sys.argv[0], *(sys.argv[1:] if argv is None else argv)])
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = machine_info(work)
    res = Results()
    log(f"Working folder: {work}")
    vault: Vault | None = None
    overall = time.perf_counter()
    try:
        vault = bench_vault_keys(work / "vault", res)
        if not args.only_small:
            info = bench_large(vault, work, args.large_mib * MIB, args.repeats, res)
            log("Verifying the large blob ...")
            bench_verify(vault, info, args.repeats, res)
            bench_small(vault, work, args.small, res)
        bench_small_intake(vault, work, args.small, args.repeats, res)
        if not args.only_small:
            log("Crypto primitives ...")
            bench_primitives(res)
    finally:
        if vault is not None:
            vault.close()
        shutil.rmtree(work, ignore_errors=True)
    log(f"Total benchmark time {time.perf_counter() - overall:.0f} s; removed {work}")
    machine.append(("Load average at end (1/5/15 min)", load_average()))

    section = render(res, machine, command, date)
    if not args.markdown:
        print()
    print(section, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
