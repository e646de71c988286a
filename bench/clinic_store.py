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
one's end) and per client, p50/p95 of the intake call and of the case list during the run,
and the peak memory of the whole process tree (this process, the clients, the sampler; not
the PostgreSQL server). Needs the PostgreSQL server binaries (as the tests: initdb in a
temporary folder, 127.0.0.1).

Two modes for the clinic store:

* ``--members`` (the default), as a clinic runs: the clinic is made by ``clinic-server
  init`` with a first member (the coordinator; hash values sealed, the default for a new
  clinic), three more members join and are admitted, and each client process opens the
  store AS ITS MEMBER (``ClinicStore.open_member`` with the member's passphrase), so case
  columns are sealed with case keys, hash values are sealed, and each case's files go under
  per-case blob keys. The coordinator makes the cases and adds the client members to them
  with the advocate role (own cases: one client member each; shared case: all three); the
  case-list sampler is the coordinator, a member of every case, so each list opens every
  case's sealed label. Member key records use the tests' fast Argon2id parameters (64 MiB,
  one pass, the vault's hard minimum), not the product's tuned ones. Member unlock (the
  passphrase KDF and unwrapping the clinic key) is EXCLUDED from the figures: every process
  opens the store before the clock starts. Opening each case's key ring (unwrapping the case
  key, verifying its membership records) happens in the first intake call and is included.
* ``--raw``: every process opens the store with the raw clinic data key
  (``ClinicStore.open(..., sealed=False)``): no member, no column or hash sealing, no
  per-case blob keys. Kept to compare with earlier figures.

    .venv/bin/python bench/clinic_store.py [--members | --raw] [--files 1000] [--batch 25]
        [--sample-ms 250]
"""

from __future__ import annotations

import argparse
import json
import os
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
# line on stdin, then works. Shared by the clients and the sampler. Kinds: "clinic" (the raw
# clinic data key, in hex), "member" (a member id and its passphrase), "vault".
_OPEN = r"""
import inspect, json, sys, threading, time
from pathlib import Path
kind, where, name = sys.argv[1], sys.argv[2], sys.argv[3]
secret = sys.stdin.readline().rstrip("\n")
if kind == "clinic":
    from ncii_desk.clinic.store import ClinicStore
    extra = {"sealed": False} if "sealed" in inspect.signature(ClinicStore.open).parameters else {}
    store = ClinicStore.open(where, bytes.fromhex(secret), actor=name, **extra)
elif kind == "member":
    from ncii_desk.clinic.store import ClinicStore
    member_id, passphrase = secret.split(" ", 1)
    store = ClinicStore.open_member(where, member_id, passphrase=passphrase)  # actor: the id
    assert store.member is not None and store.sealing, "not opened as a sealing member"
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
sealing = [bool(getattr(store, "sealing", False)), bool(getattr(store, "hash_sealing", False))]
store.close()
print(json.dumps({"added": added, "errors": errors, "start": start, "end": end,
                  "calls": calls, "lists": lists, "sealing": sealing}))
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
    jobs: list[tuple[str, Path, str]],
    sampler_secret: str,
    batch: int,
    every_s: float,
) -> dict[str, Any]:
    """``jobs``: (case id, folder, secret) per client; ``kind``: "vault", "clinic" (raw
    key) or "member". Clinic runs add a sampler process (opened with ``sampler_secret``); a
    laptop vault's only client samples in a thread."""
    import proctree

    in_process = kind == "vault"
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
        for n, (case_id, folder, secret) in enumerate(jobs)
    ]
    sampler = (
        None
        if in_process
        else _start(_SAMPLER, [kind, where, "sampler", str(every_s)], sampler_secret)
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
        "kind": kind,
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
        # (column sealing, hash sealing) as each client's store had them
        "sealing": [tuple(r["sealing"]) for r in results],
    }


def _flags(values: Any) -> str:
    """ "yes", "no" or "mixed" over the clients' flags."""
    found = {bool(v) for v in values}
    return "mixed" if len(found) > 1 else ("yes" if found.pop() else "no")


def _as_stored(url: str) -> str:
    """What the database holds after a run, read as its administrator (no key): blobs
    written under a case's key, and items whose SHA-256 is a sealed token."""
    from sqlalchemy import create_engine, text

    from ncii_desk.clinic.store import engine_url

    engine = create_engine(engine_url(url))
    try:
        with engine.connect() as conn:
            blobs, of_case = conn.execute(text("SELECT count(*), count(case_id) FROM blobs")).one()
            items, sealed = conn.execute(
                text("SELECT count(*), count(*) FILTER (WHERE sha256 LIKE 'nh1.%') FROM items")
            ).one()
    finally:
        engine.dispose()
    return f"{of_case} of {blobs} blobs case-keyed, {sealed} of {items} SHA-256 sealed"


def _member_clinic(
    url: str, blobs: Path, shared: bool, kdf: Any, passphrase: str
) -> tuple[list[str], list[str], str]:
    """A clinic as ``clinic-server init`` makes it (hash values sealed) with a coordinator
    and three admitted client members; the coordinator makes the cases (and 20 others) and
    adds the client members with the advocate role. Returns (case id per client, secret per
    client, the coordinator's secret)."""
    from ncii_desk.clinic import members
    from ncii_desk.clinic.store import ClinicStore
    from ncii_desk.services import case_members, cases
    from ncii_desk.services.clinic import init_clinic_with_member
    from ncii_desk.vault.roles import MemberRole

    made = init_clinic_with_member(url, blobs, "Bench", "Coordinator", passphrase, kdf=kdf)
    coordinator = str(made["member_id"])
    ids: list[str] = []
    with ClinicStore.open_member(url, coordinator, passphrase=passphrase) as store:
        clients = []
        for n in range(3):
            new = members.enrol(url, passphrase, f"Advocate {n}", kdf=kdf)
            members.admit(store, new.keys.member_id, new.keys.public.fingerprint)
            clients.append(new.keys.member_id)
        if shared:
            one = cases.new_case(store, "Shared case").id
            for member_id in clients:
                case_members.add_member(store, one, member_id, MemberRole.ADVOCATE)
            ids = [one] * 3
        else:
            for n, member_id in enumerate(clients):
                ids.append(cases.new_case(store, f"Case {n}").id)
                case_members.add_member(store, ids[-1], member_id, MemberRole.ADVOCATE)
        for n in range(20):  # other cases in the list, as a clinic has
            cases.new_case(store, f"Other case {n}")
    return ids, [f"{m} {passphrase}" for m in clients], f"{coordinator} {passphrase}"


def _raw_clinic(url: str, blobs: Path, shared: bool) -> tuple[list[str], str]:
    """A clinic opened with a raw clinic data key (no member): case ids, the key in hex."""
    from ncii_desk.clinic.store import ClinicStore, init_clinic
    from ncii_desk.services import cases

    init_clinic(url, blobs, "Bench")
    key = secrets.token_bytes(32)
    with ClinicStore.open(url, key, actor="setup") as store:
        if shared:
            one = cases.new_case(store, "Shared case").id
            ids = [one] * 3
        else:
            ids = [cases.new_case(store, f"Case {n}").id for n in range(3)]
        for n in range(20):  # other cases in the list, as a clinic has
            cases.new_case(store, f"Other case {n}")
    return ids, key.hex()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000, help="pictures per clinic client")
    parser.add_argument("--batch", type=int, default=25, help="files per intake call")
    parser.add_argument("--sample-ms", type=float, default=250, help="case list every ... ms")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--members",
        dest="raw",
        action="store_false",
        help="clinic clients open the store as admitted members, sealing on (default)",
    )
    mode.add_argument(
        "--raw",
        dest="raw",
        action="store_true",
        help="clinic clients open the store with the raw clinic data key (no sealing)",
    )
    parser.set_defaults(raw=False)  # members unless --raw
    args = parser.parse_args()
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # a timeout still stops the server
    import benchmachine
    import pgkit

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
        # ``clinic-server init`` remembers the clinic in the user's profile folder: keep that
        # (and anything else per user) inside this run's temporary folder.
        for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            (work / "user" / var).mkdir(parents=True)
            os.environ[var] = str(work / "user" / var)
        pictures = work / "pictures"
        folders = [pictures / f"c{n}" for n in range(3)]
        made = time.perf_counter()
        for n, folder in enumerate(folders):
            _make_pictures(folder, args.files, seed=n)
        made = time.perf_counter() - made
        server = pgkit.PgServer.start(pgkit.server_base(work / "pg"), bin_dir)
        try:
            passphrase = "bench " + secrets.token_hex(8)

            def kdf() -> KdfParams:  # the tests' fast_kdf: the hard minimum, one pass
                return KdfParams(
                    memory_kib=64 * 1024, time_cost=1, parallelism=2, salt=secrets.token_bytes(16)
                )

            vault = Vault.create(work / "vault", passphrase, kdf=kdf(), actor="bench")[0]
            with vault:
                case_id = cases.new_case(vault, "Laptop case").id
            rows.append(
                (
                    f"laptop vault, 1 client x {3 * args.files}",
                    _run(
                        "vault",
                        str(work / "vault"),
                        [(case_id, pictures, passphrase)],
                        passphrase,
                        args.batch,
                        every,
                    ),
                )
            )
            for shared in (False, True):
                url = server.create_database("shared" if shared else "own")
                blobs = work / ("blobs-shared" if shared else "blobs-own")
                if args.raw:
                    ids, key = _raw_clinic(url, blobs, shared)
                    kind, secrets_of, sampler_secret = "clinic", [key] * 3, key
                else:
                    ids, secrets_of, sampler_secret = _member_clinic(
                        url, blobs, shared, kdf(), passphrase
                    )
                    kind = "member"
                label = "one shared case" if shared else "a case each"
                who = "raw key" if args.raw else "members"
                result = _run(
                    kind,
                    url,
                    list(zip(ids, folders, secrets_of, strict=True)),
                    sampler_secret,
                    args.batch,
                    every,
                )
                result["stored"] = _as_stored(url)
                rows.append((f"clinic store ({who}), 3 clients x {args.files}, {label}", result))
        finally:
            server.stop(remove=True)
    print(f"CPU: {benchmachine.cpu_model()}, {benchmachine.mem_total()} RAM")
    print(f"Load average at the end: {benchmachine.load_average()}")
    print(f"Other processes while it ran: {benchmachine.other_load(start)}")
    if args.raw:
        how = (
            "Mode --raw: clinic stores opened with the raw clinic data key (no member, no "
            "column or hash sealing, no per-case blob keys)."
        )
    else:
        how = (
            "Mode --members: each clinic client opened the store as its own admitted member "
            "(advocate on its case; the sampler is the coordinator, on every case): columns "
            "and hash values sealed, per-case blob keys; member unlock (Argon2id 64 MiB, "
            "t=1) not timed."
        )
    print(
        f"{3 * args.files} generated 320x240 JPEGs ({made:.0f} s to make), intake.add_items "
        f"with {args.batch} files per call; case list every {args.sample_ms:g} ms "
        f"(clinic: a 4th process; laptop: a thread of the one client). {how}"
    )
    print(
        "store | items/s (all) | items/s per client | intake call p50 / p95 ms | "
        "case list p50 / p95 ms (n) | peak memory of the process tree | "
        "clients sealing columns / hashes | in the database"
    )
    for name, r in rows:
        per = ", ".join(f"{x:.0f}" for x in r["per_client"])
        errors = f" ({r['errors']} errors)" if r["errors"] else ""
        sealed = (
            "- (the whole file is encrypted)"
            if r["kind"] == "vault"
            else f"{_flags(a for a, _ in r['sealing'])} / {_flags(b for _, b in r['sealing'])}"
        )
        print(
            f"{name} | {r['items_per_s']:.1f}{errors} | {per} | "
            f"{r['call_p50_ms']:.0f} / {r['call_p95_ms']:.0f} | "
            f"{r['list_p50_ms']:.1f} / {r['list_p95_ms']:.1f} ({r['lists']}) | {r['peak']} | "
            f"{sealed} | {r.get('stored', '-')}"
        )


if __name__ == "__main__":
    main()
