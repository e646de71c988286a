"""What sealing hash values costs on a clinic store (issue 19: hash values in clear only if
the clinic allows server-side matching).

Two clinics on one temporary PostgreSQL server (127.0.0.1, as the tests start it), each
made by ``init_clinic_with_member`` and opened BY ITS MEMBER (case-key sealing on in both):
one with ``allow_server_matching=True`` (hash values in clear), one with the default (hash
values sealed deterministically, :mod:`ncii_desk.clinic.hashseal`). On each, one case gets
N generated benign JPEGs (--files, default 200) as suspects plus 5 originals, and a
50-entry PDQ/SHA-256 hash list. Prints seconds for each phase, clear against sealed:

* intake of the N suspects (duplicate lookups on sealed SHA-256 columns),
* hashing them (``hash_items``: every hash row sealed before its Core insert),
* matching the case (``match_case``: PDQ values opened in the client, exact list entries
  looked up by sealed probes),
* a second intake of the same files (every one found as already in the case).

    .venv/bin/python bench/clinic_hash_sealing.py [--files 200]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "clinic"))

PASSPHRASE = "correct horse battery staple"


def _pictures(folder: Path, n: int) -> list[Path]:
    """N different benign pictures (smooth colour fields with a few shapes)."""
    import numpy as np
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(7)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        colour = tuple(int(c) for c in rng.integers(0, 255, 3))
        picture = Image.new("RGB", (320, 240), colour)
        draw = ImageDraw.Draw(picture)
        for _ in range(6):
            x, y = (int(v) for v in rng.integers(0, 300, 2))
            w, h = (int(v) for v in rng.integers(20, 120, 2))
            fill = tuple(int(c) for c in rng.integers(0, 255, 3))
            draw.ellipse((x, y % 220, x + w, y % 220 + h), fill=fill)
        buf = io.BytesIO()
        picture.save(buf, format="JPEG", quality=85)
        path = folder / f"p{i:04d}.jpg"
        path.write_bytes(buf.getvalue())
        out.append(path)
    return out


def _hash_list(folder: Path, pictures: list[Path]) -> Path:
    import numpy as np
    from PIL import Image

    from ncii_desk.hashing import perceptual as ph

    lines = ["kind,value,quality,label"]
    for i, path in enumerate(pictures[:25]):
        with Image.open(path) as im:
            pixels = np.asarray(im.convert("RGB"))
        lines.append(f"pdq,{ph.pdq(ph.reduce_for_hash(pixels)).hex},100,p{i}")
    for i, path in enumerate(pictures[25:50]):
        lines.append(f"sha256,{hashlib.sha256(path.read_bytes()).hexdigest()},,s{i}")
    out = folder / "list.csv"
    out.write_text("\n".join(lines) + "\n")
    return out


def _measure(
    server: Any, work: Path, allow: bool, originals: list[Path], suspects: list[Path], listed: Path
) -> dict[str, float]:
    from ncii_desk.clinic.store import ClinicStore
    from ncii_desk.services import cases, intake
    from ncii_desk.services.clinic import init_clinic_with_member
    from ncii_desk.services.hashlists import import_hash_list
    from ncii_desk.services.matching import hash_items, match_case
    from ncii_desk.vault.keys import KdfParams
    from ncii_desk.vault.models import Role

    name = "clear" if allow else "sealed"
    url = server.create_database(name)
    kdf = KdfParams(64 * 1024, 1, 2, secrets.token_bytes(16))
    made = init_clinic_with_member(
        url,
        work / f"blobs-{name}",
        "Bench clinic",
        "Bench Member",
        PASSPHRASE,
        kdf=kdf,
        allow_server_matching=allow,
    )
    store = ClinicStore.open_member(url, made["member_id"], passphrase=PASSPHRASE)
    try:
        assert store.hash_sealing is not allow
        case = cases.new_case(store, "Bench case").id
        added = intake.add_items(store, case, Role.ORIGINAL, originals)
        hash_items(store, added.sources, workers=1)
        import_hash_list(store, listed, "bench list")
        figures: dict[str, float] = {}
        start = time.perf_counter()
        added = intake.add_items(store, case, Role.SUSPECT, suspects)
        figures["intake_s"] = time.perf_counter() - start
        assert not added.errors and len(added.sources) == len(suspects)
        start = time.perf_counter()
        hash_items(store, added.sources, workers=1)
        figures["hash_s"] = time.perf_counter() - start
        start = time.perf_counter()
        match_case(store, case)
        figures["match_s"] = time.perf_counter() - start
        start = time.perf_counter()
        again = intake.add_items(store, case, Role.SUSPECT, suspects)
        figures["intake_again_s"] = time.perf_counter() - start
        assert len(again.already_in_case) == len(suspects)
    finally:
        store.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200, help="suspect files")
    args = parser.parse_args()

    import pgkit

    bin_dir = pgkit.find_bin_dir()
    if bin_dir is None:
        raise SystemExit("needs the PostgreSQL server binaries (initdb, pg_ctl)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pictures = _pictures(work / "files", args.files + 5)
        originals, suspects = pictures[:5], pictures[5:]
        listed = _hash_list(work, suspects)
        server = pgkit.PgServer.start(pgkit.server_base(work / "pg"), bin_dir)
        try:
            figures = {
                name: _measure(server, work, allow, originals, suspects, listed)
                for name, allow in (("clear", True), ("sealed", False))
            }
        finally:
            server.stop(remove=True)
    print(
        f"clinic store opened by a member, one case, {args.files} suspects, 5 originals, "
        "50-entry hash list (PostgreSQL on 127.0.0.1)"
    )
    print(f"{'':18}{'clear':>10}{'sealed':>10}{'ratio':>8}")
    for key in ("intake_s", "hash_s", "match_s", "intake_again_s"):
        clear, sealed = figures["clear"][key], figures["sealed"][key]
        print(f"{key:18}{clear:>10.2f}{sealed:>10.2f}{sealed / clear:>8.2f}")


if __name__ == "__main__":
    main()
