"""Case hand-over: export and import time, and peak memory against the case's size.

Usage: .venv/bin/python bench/handover_stream.py [--mib 96] [--files 3]

Builds a throw-away sender vault with one case holding ``--files`` documents of ``--mib``
MiB random bytes each (generated, nothing personal), exports it to a second vault's key and
imports it there. Export and import each run in a fresh child process, so the peak resident
memory printed (ru_maxrss) is that step's alone; streaming means it stays far below the
case's size. Prints the figures; writes nothing outside a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import resource
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PASS = "correct horse battery staple"

_STEP = """
import json, sys, time
from pathlib import Path
from ncii_desk.services import handover
from ncii_desk.vault import Vault
step, root, other, out = sys.argv[1:5]
vault = Vault.open(Path(root), passphrase=PASS)
start = time.perf_counter()
if step == "export":
    peer = Vault.open(Path(other), passphrase=PASS)
    key = handover.public_key(peer)
    peer.close()
    handover.export_case(vault, "Bench case", Path(out), recipient=key)
else:
    handover.import_case(vault, Path(out))
seconds = time.perf_counter() - start
vault.close()
# VmHWM: this process's own peak (ru_maxrss would carry the parent's over exec).
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1]
print(json.dumps({"seconds": seconds, "maxrss_mib": int(hwm) / 1024}))
""".replace("PASS", repr(PASS))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=96)
    parser.add_argument("--files", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from benchmachine import cpu_model, load_average, mem_total

    from ncii_desk.services import cases, intake
    from ncii_desk.vault import KdfParams, Vault
    from ncii_desk.vault.models import Role

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        kdf = KdfParams(64 * 1024, 1, 2, secrets.token_bytes(16))
        sender = Vault.create(base / "sender", PASS, kdf=kdf, actor="bench")[0]
        view = cases.new_case(sender, "Bench case")
        paths = []
        for i in range(args.files):
            path = base / f"doc{i}.bin"
            with path.open("wb") as fh:
                for _ in range(args.mib):
                    fh.write(secrets.token_bytes(1024 * 1024))
            paths.append(path)
        result = intake.add_items(sender, view.id, Role.ORIGINAL, paths, as_document=True)
        assert not result.errors, result.errors
        sender.close()
        for path in paths:
            path.unlink()
        kdf2 = KdfParams(64 * 1024, 1, 2, secrets.token_bytes(16))
        Vault.create(base / "receiver", PASS, kdf=kdf2, actor="bench")[0].close()
        out = base / "case.ncii"
        figures = {}
        for step, root in (("export", "sender"), ("import", "receiver")):
            done = subprocess.run(
                [sys.executable, "-c", _STEP, step, str(base / root), str(base / "receiver"),
                 str(out)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            figures[step] = json.loads(done.stdout.strip().splitlines()[-1])
        total = args.mib * args.files
        print(f"machine: {cpu_model()}, {mem_total()}, load {load_average()}")
        print(f"case: {args.files} file(s) x {args.mib} MiB = {total} MiB of stored bytes")
        print(f"hand-over file: {out.stat().st_size / 1024**2:.1f} MiB")
        for step, fig in figures.items():
            print(
                f"{step}: {fig['seconds']:.1f} s ({total / fig['seconds']:.1f} MiB/s), "
                f"peak resident memory {fig['maxrss_mib']:.0f} MiB"
            )
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"(the process that built the case peaked at {own:.0f} MiB)")


if __name__ == "__main__":
    main()
