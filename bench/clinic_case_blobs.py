"""What per-case blob keys cost on a clinic store (issue 19: each case's files under its key).

One PostgreSQL clinic store (a temporary server on 127.0.0.1, as the tests start it), one
member, generated benign PNG files. Prints:

* deriving one case blob key (HKDF-SHA256) from a case key version;
* a new client's first ``case_blobs(case)`` (the case's records verified, its key
  unwrapped, the blob key derived) and the same call again (cached);
* adding N files to a case with each file under the case's key, against the same client
  with the blob-key step bypassed (every file under the clinic key, as before this change),
  alternating which goes first, median of the repeats;
* reading the N files back (``read_blob`` per row) on a new client, and again.

    .venv/bin/python bench/clinic_case_blobs.py [--files 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "clinic"))


def _pictures(folder: Path, n: int, offset: int) -> list[Path]:
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        buf = io.BytesIO()
        shade = (i + offset) % 256
        Image.new("RGB", (96, 64), (shade, (offset * 7) % 256, 255 - shade)).save(buf, "PNG")
        path = folder / f"p{offset:03d}-{i:04d}.png"
        path.write_bytes(buf.getvalue())
        out.append(path)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import pgkit

    from ncii_desk.clinic.caseblobs import case_blob_key
    from ncii_desk.clinic.store import ClinicStore, init_clinic
    from ncii_desk.services import cases, intake
    from ncii_desk.vault import members as m
    from ncii_desk.vault.keys import KdfParams
    from ncii_desk.vault.members import CaseKey
    from ncii_desk.vault.models import Blob, ClinicMember, Role

    key = CaseKey("c" * 36, "a" * 32, 1, secrets.token_bytes(32))
    runs = []
    for _ in range(2000):
        start = time.perf_counter()
        case_blob_key(key)
        runs.append(time.perf_counter() - start)
    derive_us = statistics.median(runs) * 1e6

    bin_dir = pgkit.find_bin_dir()
    if bin_dir is None:
        raise SystemExit("needs the PostgreSQL server binaries (initdb, pg_ctl)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        server = pgkit.PgServer.start(pgkit.server_base(work / "pg"), bin_dir)
        try:
            url = server.create_database("caseblobs")
            record = init_clinic(url, work / "blobs", "Bench clinic")
            data_key = secrets.token_bytes(32)
            kdf = KdfParams(64 * 1024, 1, 2, secrets.token_bytes(16))
            member = m.create_member(record.clinic_id, "correct horse battery staple", kdf=kdf)
            with ClinicStore.open(url, data_key, sealed=False) as raw, raw.transaction() as s:
                s.add(
                    ClinicMember(
                        member_id=member.keys.member_id,
                        key_record=member.record.to_text(),
                        clinic_key_wrap="bench",
                    )
                )

            def client() -> ClinicStore:
                store = ClinicStore.open(url, data_key)
                store.member = member.keys
                return store

            writer = client()
            case_id = cases.new_case(writer, "Bench case").id
            fresh = client()
            start = time.perf_counter()
            fresh.case_blobs(case_id)
            cold_ms = (time.perf_counter() - start) * 1000
            start = time.perf_counter()
            fresh.case_blobs(case_id)
            warm_ms = (time.perf_counter() - start) * 1000
            fresh.close()

            adds: dict[str, list[float]] = {"case key": [], "clinic key": []}
            offset = 0
            for rep in range(args.repeat):
                order = ("case key", "clinic key") if rep % 2 == 0 else ("clinic key", "case key")
                for mode in order:  # which goes first alternates
                    offset += 1
                    files = _pictures(work / "src" / str(offset), args.files, offset)
                    store = client()
                    if mode == "clinic key":  # the step this change adds, bypassed
                        store._case_blobs.for_write = (  # type: ignore[method-assign]
                            lambda case, session=None, s=store: s.blobs
                        )
                    start = time.perf_counter()
                    result = intake.add_items(store, case_id, Role.SUSPECT, files)
                    adds[mode].append(time.perf_counter() - start)
                    assert not result.errors and len(result.added) == args.files
                    store.close()
            with writer.session() as s:
                rows = [r for r in s.scalars(select_case_blobs(Blob, case_id))]
            reader = client()
            start = time.perf_counter()
            for row in rows:
                reader.read_blob(row)
            read_cold = time.perf_counter() - start
            start = time.perf_counter()
            for row in rows:
                reader.read_blob(row)
            read_warm = time.perf_counter() - start
            reader.close()
            writer.close()
        finally:
            server.stop(remove=True)
    n = args.files
    print(f"clinic store, one case, {n} PNG files per add (PostgreSQL on 127.0.0.1)")
    print(f"derive one case blob key (HKDF)        {derive_us:8.1f} us")
    print(f"case_blobs(case), new client           {cold_ms:8.2f} ms")
    print(f"case_blobs(case), again (cached)       {warm_ms:8.3f} ms")
    for mode, values in adds.items():
        med = statistics.median(values)
        print(
            f"add {n} files, {mode:<10} median {med * 1000:8.0f} ms  "
            f"({med / n * 1000:.2f} ms/file; runs {', '.join(f'{v:.2f}' for v in values)} s)"
        )
    ratio = statistics.median(adds["case key"]) / statistics.median(adds["clinic key"])
    print(f"case key / clinic key                  {ratio:8.3f}x")
    print(f"read {len(rows)} files (case key), new client {read_cold * 1000:8.0f} ms")
    print(f"read {len(rows)} files again              {read_warm * 1000:8.0f} ms")


def select_case_blobs(blob: Any, case_id: str) -> Any:
    from sqlalchemy import select

    return select(blob).where(blob.case_id == case_id)


if __name__ == "__main__":
    main()
