"""Intake on the clinic store (PostgreSQL) against a laptop vault (SQLCipher), issue 19 §2.

Three client processes each add N generated benign JPEGs (default 1,000) through the intake
service (``intake.add_items``, ``--batch`` files per call, one write transaction per call)
at the same time, while a fourth process lists all cases (``cases.list_cases``) every
``--sample-ms`` and times each list. Runs:

* laptop vault: ONE client adding all 3 x N files (a vault is open in one process at a
  time, so three clients cannot share it); the case lists are timed by a thread of that
  same process
* clinic store: 3 clients, each on its own case
* clinic store: 3 clients, all on one case

Prints items/s overall (all items / wall time from the first client's start to the last
one's end) and per client, p50/p95 of the case list during the run, and the peak memory of
the whole process tree (this process, the clients, the sampler; not the PostgreSQL server).
Clinic stores are opened with the raw clinic data key (``ClinicStore.open``), not by a
member: no member unlock cost, and no per-case column sealing where the build has it. Needs
the PostgreSQL server binaries (as the tests: initdb in a temporary folder, 127.0.0.1).

    .venv/bin/python bench/clinic_store.py [--files 1000] [--batch 25] [--sample-ms 250]
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "clinic"))

# Opens the store given on the command line (secret on stdin), prints "ready", waits for a
# line on stdin, then works. Shared by the clients and the sampler.
_OPEN = r"""
import inspect, json, sys, threading, time
from pathlib import Path
kind, where, name = sys.argv[1], sys.argv[2], sys.argv[3]
secret = sys.stdin.readline().strip()
if kind == "clinic":
    from ncii_desk.clinic.store import ClinicStore
    extra = {"sealed": False} if "sealed" in inspect.signature(ClinicStore.open).parameters else {}
    store = ClinicStore.open(where, bytes.fromhex(secret), actor=name, **extra)
else:
    from ncii_desk.vault import Vault
    store = Vault.open(Path(where), passphrase=secret, actor=name)
from ncii_desk.services import cases, intake
from ncii_desk.vault.kinds import Role

def sample(stop, every, out):
    while not stop.is_set():
        t = time.perf_counter(); cases.list_cases(store)
        out.append(time.perf_counter() - t)
        stop.wait(every)

sys.stdout.write("ready\n"); sys.stdout.flush(); sys.stdin.readline()
"""

_CLIENT = (
    _OPEN
    + r"""
case_id, folder, batch = sys.argv[4], Path(sys.argv[5]), int(sys.argv[6])
every, in_process = float(sys.argv[7]), sys.argv[8] == "sample"
stop, lists = threading.Event(), []
if in_process:
    sampler = threading.Thread(target=sample, args=(stop, every, lists)); sampler.start()
files = sorted(folder.rglob("*.jpg"))
added = errors = 0
calls = []
start = time.time()
for i in range(0, len(files), batch):
    t = time.perf_counter()
    result = intake.add_items(store, case_id, Role.SUSPECT, files[i : i + batch])
    calls.append(time.perf_counter() - t)
    added += len(result.added); errors += len(result.errors)
end = time.time()
stop.set()
if in_process:
    sampler.join()
store.close()
print(json.dumps({"added": added, "errors": errors, "start": start, "end": end,
                  "calls": calls, "lists": lists}))
"""
)

_SAMPLER = (
    _OPEN
    + r"""
every = float(sys.argv[4])
stop, lists = threading.Event(), []
worker = threading.Thread(target=sample, args=(stop, every, lists)); worker.start()
sys.stdin.readline()  # "stop"
stop.set(); worker.join(); store.close()
print(json.dumps({"lists": lists}))
"""
)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(q * len(ordered)) - 1)]


def _make_pictures(folder: Path, count: int, seed: int) -> None:
    """``count`` distinct benign JPEGs (smooth gradients with a few coloured discs)."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    yy, xx = np.mgrid[0:240, 0:320].astype(np.float32)
    for i in range(count):
        base = rng.uniform(0, 255, size=3).astype(np.float32)
        slope = rng.uniform(-0.4, 0.4, size=(2, 3)).astype(np.float32)
        img = base + xx[..., None] * slope[0] + yy[..., None] * slope[1]
        for _ in range(3):
            cx, cy, r = rng.uniform(0, 320), rng.uniform(0, 240), rng.uniform(10, 60)
            img[(xx - cx) ** 2 + (yy - cy) ** 2 < r * r] = rng.uniform(0, 255, size=3)
        pixels = np.clip(img, 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(folder / f"picture-{i:05d}.jpg", quality=85)


def _start(script: str, argv: list[str], secret: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *argv],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(secret + "\n")  # the secret never goes on a command line
    proc.stdin.flush()
    line = proc.stdout.readline().strip()
    if line != "ready":
        proc.kill()
        raise RuntimeError(f"a benchmark process did not open the store: {line!r}")
    return proc


def _say(proc: subprocess.Popen[str], line: str = "") -> None:
    assert proc.stdin is not None
    proc.stdin.write(line + "\n")
    proc.stdin.flush()


def _result(proc: subprocess.Popen[str]) -> dict[str, Any]:
    out, _ = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"a benchmark process failed ({proc.returncode})")
    return dict(json.loads(out.strip().splitlines()[-1]))


def _run(
    kind: str,
    where: str,
    secret: str,
    jobs: list[tuple[str, Path]],
    batch: int,
    every_s: float,
) -> dict[str, Any]:
    """``jobs``: (case id, folder) per client. Clinic runs add a sampler process; a laptop
    vault's only client samples in a thread."""
    import proctree

    in_process = kind != "clinic"
    clients = [
        _start(
            _CLIENT,
            [
                kind,
                where,
                f"client{n}",
                case_id,
                str(folder),
                str(batch),
                str(every_s),
                "sample" if in_process else "no",
            ],
            secret,
        )
        for n, (case_id, folder) in enumerate(jobs)
    ]
    sampler = (
        None if in_process else _start(_SAMPLER, [kind, where, "sampler", str(every_s)], secret)
    )
    with proctree.sample_peak(0.05) as peak:
        if sampler is not None:
            _say(sampler)
        for proc in clients:
            _say(proc)
        results = [_result(proc) for proc in clients]
        if sampler is not None:
            _say(sampler, "stop")
            lists = _result(sampler)["lists"]
        else:
            lists = [x for r in results for x in r["lists"]]
    added = sum(r["added"] for r in results)
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    calls = [c for r in results for c in r["calls"]]
    return {
        "clients": len(jobs),
        "added": added,
        "errors": sum(r["errors"] for r in results),
        "wall_s": wall,
        "items_per_s": added / wall,
        "per_client": [r["added"] / (r["end"] - r["start"]) for r in results],
        "call_p50_ms": statistics.median(calls) * 1000,
        "call_p95_ms": _pct(calls, 0.95) * 1000,
        "lists": len(lists),
        "list_p50_ms": statistics.median(lists) * 1000 if lists else float("nan"),
        "list_p95_ms": _pct(lists, 0.95) * 1000 if lists else float("nan"),
        "peak": peak.text(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000, help="pictures per clinic client")
    parser.add_argument("--batch", type=int, default=25, help="files per intake call")
    parser.add_argument("--sample-ms", type=float, default=250, help="case list every ... ms")
    args = parser.parse_args()
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # a timeout still stops the server
    import benchmachine
    import pgkit

    from ncii_desk.clinic.store import ClinicStore, init_clinic
    from ncii_desk.services import cases
    from ncii_desk.vault import KdfParams, Vault

    bin_dir = pgkit.find_bin_dir()
    if bin_dir is None:
        sys.exit("No PostgreSQL server binaries found (install the postgresql package).")
    every = args.sample_ms / 1000
    start = (benchmachine.busy_cpu_seconds(), benchmachine.own_cpu_seconds(), time.perf_counter())
    rows: list[tuple[str, dict[str, Any]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pictures = work / "pictures"
        folders = [pictures / f"c{n}" for n in range(3)]
        made = time.perf_counter()
        for n, folder in enumerate(folders):
            _make_pictures(folder, args.files, seed=n)
        made = time.perf_counter() - made
        server = pgkit.PgServer.start(pgkit.server_base(work / "pg"), bin_dir)
        try:
            passphrase = "bench " + secrets.token_hex(8)
            kdf = KdfParams(
                memory_kib=64 * 1024, time_cost=1, parallelism=2, salt=secrets.token_bytes(16)
            )
            vault = Vault.create(work / "vault", passphrase, kdf=kdf, actor="bench")[0]
            with vault:
                case_id = cases.new_case(vault, "Laptop case").id
            rows.append(
                (
                    f"laptop vault, 1 client x {3 * args.files}",
                    _run(
                        "vault",
                        str(work / "vault"),
                        passphrase,
                        [(case_id, pictures)],
                        args.batch,
                        every,
                    ),
                )
            )
            for shared in (False, True):
                url = server.create_database("shared" if shared else "own")
                init_clinic(url, work / ("blobs-shared" if shared else "blobs-own"), "Bench")
                key = secrets.token_bytes(32)
                with ClinicStore.open(url, key, actor="setup") as store:
                    if shared:
                        one = cases.new_case(store, "Shared case").id
                        ids = [one] * 3
                    else:
                        ids = [cases.new_case(store, f"Case {n}").id for n in range(3)]
                    for n in range(20):  # other cases in the list, as a clinic has
                        cases.new_case(store, f"Other case {n}")
                label = "one shared case" if shared else "a case each"
                rows.append(
                    (
                        f"clinic store, 3 clients x {args.files}, {label}",
                        _run(
                            "clinic",
                            url,
                            key.hex(),
                            list(zip(ids, folders, strict=True)),
                            args.batch,
                            every,
                        ),
                    )
                )
        finally:
            server.stop(remove=True)
    print(f"CPU: {benchmachine.cpu_model()}, {benchmachine.mem_total()} RAM")
    print(f"Load average at the end: {benchmachine.load_average()}")
    print(f"Other processes while it ran: {benchmachine.other_load(start)}")
    print(
        f"{3 * args.files} generated 320x240 JPEGs ({made:.0f} s to make), intake.add_items "
        f"with {args.batch} files per call; case list every {args.sample_ms:g} ms "
        "(clinic: a 4th process; laptop: a thread of the one client). Clinic stores opened "
        "with the raw clinic data key (no member, no column sealing)."
    )
    print(
        "store | items/s (all) | items/s per client | intake call p50 / p95 ms | "
        "case list p50 / p95 ms (n) | peak memory of the process tree"
    )
    for name, r in rows:
        per = ", ".join(f"{x:.0f}" for x in r["per_client"])
        errors = f" ({r['errors']} errors)" if r["errors"] else ""
        print(
            f"{name} | {r['items_per_s']:.1f}{errors} | {per} | "
            f"{r['call_p50_ms']:.0f} / {r['call_p95_ms']:.0f} | "
            f"{r['list_p50_ms']:.1f} / {r['list_p95_ms']:.1f} ({r['lists']}) | {r['peak']}"
        )


if __name__ == "__main__":
    main()
