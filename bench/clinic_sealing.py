"""What sealing sensitive columns with case keys costs on a clinic store (issue 19 §2).

One PostgreSQL clinic store (a temporary server on 127.0.0.1, as the tests start it), one
member. Prints, for N cases each with one item:

* creating a case (key version 1, wrap, signed record, audit event, sealed columns), per
  case, against the same store opened with sealing off;
* the case list of a new client (each case's records verified, its key unwrapped once),
  then the same client's next case list (keys cached: one grouped query per session);
* an item list of one case, sealed and not.

    .venv/bin/python bench/clinic_sealing.py [--n 50]
"""

from __future__ import annotations

import argparse
import io
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "clinic"))


def _timed(fn: Callable[[], Any], repeat: int = 1) -> float:
    """Median seconds of ``repeat`` runs."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def _measure(server: Any, work: Path, picture: Path, sealed: bool, n: int) -> dict[str, float]:
    from ncii_desk.clinic.store import ClinicStore, init_clinic
    from ncii_desk.services import cases, intake, items
    from ncii_desk.vault import members as m
    from ncii_desk.vault.keys import KdfParams
    from ncii_desk.vault.models import ClinicMember, Role

    url = server.create_database("sealed" if sealed else "clear")
    record = init_clinic(url, work / f"blobs-{sealed}", "Bench clinic")
    key = secrets.token_bytes(32)
    kdf = KdfParams(64 * 1024, 1, 2, secrets.token_bytes(16))
    member = m.create_member(record.clinic_id, "correct horse battery staple", kdf=kdf)
    with ClinicStore.open(url, key, sealed=False) as raw, raw.transaction() as s:
        s.add(
            ClinicMember(
                member_id=member.keys.member_id,
                key_record=member.record.to_text(),
                clinic_key_wrap="bench",
            )
        )

    def client() -> ClinicStore:
        store = ClinicStore.open(url, key, sealed=None if sealed else False)
        if sealed:
            store.member = member.keys
        return store

    writer = client()
    reader = client()
    try:
        made = [_timed(lambda i=i: cases.new_case(writer, f"Case {i:04d}")) for i in range(n)]
        first = cases.list_cases(writer)[0].id
        intake.add_items(writer, first, Role.ORIGINAL, [picture])
        cold = _timed(lambda: cases.list_cases(reader))
        warm = _timed(lambda: cases.list_cases(reader), repeat=5)
        listing = _timed(lambda: items.list_items(reader, first), repeat=5)
    finally:
        writer.close()
        reader.close()
    return {
        "create_ms_median": statistics.median(made) * 1000,
        "list_new_client_ms": cold * 1000,
        "list_again_ms": warm * 1000,
        "items_ms": listing * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50, help="cases")
    args = parser.parse_args()

    import pgkit
    from PIL import Image

    bin_dir = pgkit.find_bin_dir()
    if bin_dir is None:
        raise SystemExit("needs the PostgreSQL server binaries (initdb, pg_ctl)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        server = pgkit.PgServer.start(pgkit.server_base(work / "pg"), bin_dir)
        try:
            picture = work / "p.png"
            buf = io.BytesIO()
            Image.new("RGB", (64, 48), (40, 90, 200)).save(buf, format="PNG")
            picture.write_bytes(buf.getvalue())
            figures = {
                name: _measure(server, work, picture, sealed, args.n)
                for name, sealed in (("clear", False), ("sealed", True))
            }
        finally:
            server.stop(remove=True)
    print(f"clinic store, {args.n} cases, one member (PostgreSQL on 127.0.0.1)")
    print(f"{'':24}{'clear':>10}{'sealed':>10}")
    for name in ("create_ms_median", "list_new_client_ms", "list_again_ms", "items_ms"):
        print(f"{name:24}{figures['clear'][name]:>10.1f}{figures['sealed'][name]:>10.1f}")


if __name__ == "__main__":
    main()
