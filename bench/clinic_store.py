"""Write and read cost of the clinic store (PostgreSQL) against a laptop vault (SQLCipher).

A first, small figure for issue 19 §2's benchmark (3 clients x 1,000 files is left): each
writer process runs N write transactions, each creating one case and its audit event (the
service ``cases.new_case``), then a few ``cases.list_cases`` reads of all cases (``--lists``). Runs:

* laptop vault, 1 process
* clinic store, 1 process
* clinic store, 2 processes at once on the same store (one writer lock, one audit chain)

Prints transactions/s, median and p95 latency per write and per list. Needs the PostgreSQL
server binaries (as the tests: initdb in a temporary folder, 127.0.0.1, a free port).

    .venv/bin/python bench/clinic_store.py [--n 100] [--lists 10]
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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "clinic"))

_CLIENT = r"""
import json, sys, time
from pathlib import Path
from ncii_desk.services import cases
kind, where, name = sys.argv[1], sys.argv[2], sys.argv[3]
n, lists = int(sys.argv[4]), int(sys.argv[5])
secret = sys.stdin.readline().strip()
if kind == "clinic":
    from ncii_desk.clinic.store import ClinicStore
    store = ClinicStore.open(where, bytes.fromhex(secret), actor=name)
else:
    from ncii_desk.vault import Vault
    store = Vault.open(Path(where), passphrase=secret, actor=name)
sys.stdout.write("ready\n"); sys.stdout.flush(); sys.stdin.readline()
writes, reads = [], []
for i in range(n):
    t = time.perf_counter(); cases.new_case(store, f"{name} case {i}")
    writes.append(time.perf_counter() - t)
for i in range(lists):
    t = time.perf_counter(); cases.list_cases(store)
    reads.append(time.perf_counter() - t)
store.close()
print(json.dumps({"writes": writes, "reads": reads}))
"""


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def _run(kind: str, where: str, secret: str, clients: int, n: int, lists: int) -> dict[str, float]:
    procs = []
    for c in range(clients):
        proc = subprocess.Popen(
            [sys.executable, "-c", _CLIENT, kind, where, f"client{c}", str(n), str(lists)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(secret + "\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "ready"
        procs.append(proc)
    start = time.perf_counter()
    for proc in procs:  # all open: go
        assert proc.stdin is not None
        proc.stdin.write("\n")
        proc.stdin.flush()
    results = []
    for proc in procs:
        out, _ = proc.communicate()
        assert proc.returncode == 0
        results.append(json.loads(out.strip().splitlines()[-1]))
    wall = time.perf_counter() - start
    writes = [w for r in results for w in r["writes"]]
    reads = [x for r in results for x in r["reads"]]
    return {
        "clients": clients,
        "writes": len(writes),
        "wall_s": wall,
        # Write phase: every client starts together; the slowest one ends it.
        "writes_per_s": len(writes) / max(sum(r["writes"]) for r in results),
        "write_median_ms": statistics.median(writes) * 1000,
        "write_p95_ms": _p95(writes) * 1000,
        "list_median_ms": statistics.median(reads) * 1000,
        "list_p95_ms": _p95(reads) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100, help="write transactions per client")
    parser.add_argument("--lists", type=int, default=10, help="case lists per client")
    args = parser.parse_args()
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # a timeout still stops the server
    import benchmachine
    import pgkit

    from ncii_desk.clinic.store import init_clinic
    from ncii_desk.vault import KdfParams, Vault

    bin_dir = pgkit.find_bin_dir()
    if bin_dir is None:
        sys.exit("No PostgreSQL server binaries found (install the postgresql package).")
    start = (benchmachine.busy_cpu_seconds(), benchmachine.own_cpu_seconds(), time.perf_counter())
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        server = pgkit.PgServer.start(pgkit.server_base(work / "pg"), bin_dir)
        try:
            passphrase = "bench " + secrets.token_hex(8)
            kdf = KdfParams(
                memory_kib=64 * 1024, time_cost=1, parallelism=2, salt=secrets.token_bytes(16)
            )
            Vault.create(work / "vault", passphrase, kdf=kdf, actor="bench")[0].close()
            rows = [
                (
                    "laptop vault (SQLCipher)",
                    _run("vault", str(work / "vault"), passphrase, 1, args.n, args.lists),
                )
            ]
            for clients in (1, 2):
                url = server.create_database(f"bench{clients}")
                init_clinic(url, work / f"blobs{clients}", "Bench clinic")
                key = secrets.token_hex(32)
                rows.append(
                    (
                        f"clinic store (PostgreSQL), {clients} client(s)",
                        _run("clinic", url, key, clients, args.n, args.lists),
                    )
                )
        finally:
            server.stop(remove=True)
    print(f"CPU: {benchmachine.cpu_model()}, {benchmachine.mem_total()} RAM")
    print(f"Load average at the end: {benchmachine.load_average()}")
    print(f"Other processes while it ran: {benchmachine.other_load(start)}")
    print(
        f"{args.n} write transactions (case + audit event) then {args.lists} lists of all "
        "cases per client"
    )
    header = "store | clients | writes/s (all) | write median / p95 ms | list median / p95 ms"
    print(header)
    for name, r in rows:
        print(
            f"{name} | {r['clients']} | {r['writes_per_s']:.0f} | "
            f"{r['write_median_ms']:.1f} / {r['write_p95_ms']:.1f} | "
            f"{r['list_median_ms']:.1f} / {r['list_p95_ms']:.1f}"
        )


if __name__ == "__main__":
    main()
