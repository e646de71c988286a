"""Benchmark: what capturing one web page with 50 pictures costs (issue 5).

A local server on 127.0.0.1 serves a page referencing ``--images`` generated benign JPEGs
(abstract shapes on gradients with fine texture, about 100-300 KB each). The page is captured
into a fresh vault (fast KDF: 64 MiB Argon2id, one pass) twice, each time in a new vault:

1. store only (``hash_and_match=False``): fetch, encrypted blobs, WARC, one transaction;
2. the full capture: the same, plus hashing every picture from memory and matching the case
   (which holds ``--originals`` of the pictures as the client's originals).

It prints wall time, the vault bytes added (blob files and the database with its WAL), the
WARC size and the bytes served. Timings are printed, never asserted.

Usage::

    python bench/capture_cost.py [--images 50] [--originals 5] [--markdown FILE]
"""

from __future__ import annotations

import argparse
import io
import platform
import resource
import secrets
import shutil
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from benchmachine import busy_cpu_seconds, cpu_model, load_average, other_load, own_cpu_seconds
from PIL import Image, ImageDraw

from ncii_desk import __version__
from ncii_desk.capture.web import FetchOptions
from ncii_desk.services import capture, cases, intake, matching
from ncii_desk.vault import KdfParams, Vault
from ncii_desk.vault.models import Role

PASSPHRASE = "bench passphrase: correct horse battery staple"


def picture(rng: np.random.Generator) -> bytes:
    """A benign generated JPEG of about 100-300 KB."""
    w, h = int(rng.integers(950, 1400)), int(rng.integers(700, 1000))
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack(
        [
            127 + 110 * np.sin(x * rng.uniform(0.005, 0.02) + rng.uniform(0, 6)),
            127 + 110 * np.cos(y * rng.uniform(0.005, 0.02) + rng.uniform(0, 6)),
            127 + 110 * np.sin((x + y) * rng.uniform(0.003, 0.01)),
        ],
        axis=-1,
    )
    base += rng.normal(0, rng.uniform(7, 12), base.shape)  # fine texture, like a photo
    img = Image.fromarray(base.clip(0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    for _ in range(20):
        x0, y0 = int(rng.integers(0, w - 100)), int(rng.integers(0, h - 100))
        size = int(rng.integers(30, 250))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        draw.ellipse([x0, y0, x0 + size, y0 + size], fill=colour)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=int(rng.integers(84, 92)))
    return buf.getvalue()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    routes: ClassVar[dict[str, tuple[str, bytes]]] = {}

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        mime, body = self.routes.get(self.path, ("text/plain", b"not found"))
        self.send_response(200 if self.path in self.routes else 404)
        self.send_header("Content-Type", mime)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def tree_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def db_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.glob("meta.db*") if p.is_file())


def run_once(
    workdir: Path, url: str, originals: list[bytes], hash_and_match: bool
) -> dict[str, Any]:
    root = workdir / f"vault-{secrets.token_hex(4)}"
    kdf = KdfParams(memory_kib=64 * 1024, time_cost=1, parallelism=2, salt=secrets.token_bytes(16))
    vault, _ = Vault.create(root, PASSPHRASE, kdf=kdf, actor="bench")
    try:
        case = cases.new_case(vault, "bench case")
        if originals:
            folder = workdir / f"originals-{secrets.token_hex(4)}"
            folder.mkdir()
            for i, data in enumerate(originals):
                (folder / f"original-{i}.jpg").write_bytes(data)
            added = intake.add_items(vault, case.id, Role.ORIGINAL, [folder])
            matching.hash_items(vault, added.sources, workers=1)
            shutil.rmtree(folder)
        blobs0, db0 = tree_bytes(root / "blobs"), db_bytes(root)
        options = capture.CaptureOptions(
            fetch=FetchOptions(allow_private_addresses=True, trust_env=False),
            hash_and_match=hash_and_match,
        )
        t0 = time.perf_counter()
        batch = capture.capture_urls(vault, case.id, [url], options=options)
        wall = time.perf_counter() - t0
        (result,) = batch.results
        if not result.ok:
            raise SystemExit(f"capture failed: {result.error}")
        blobs1, db1 = tree_bytes(root / "blobs"), db_bytes(root)
        return {
            "wall": wall,
            "items": len(result.item_ids),
            "resources_failed": sum(1 for r in result.resources if r.error),
            "matches": len(result.matches),
            "warc": result.warc_size or 0,
            "blobs": blobs1 - blobs0,
            "db": db1 - db0,
        }
    finally:
        vault.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=50)
    parser.add_argument("--originals", type=int, default=5)
    parser.add_argument("--markdown", type=Path, help="also write the results here")
    args = parser.parse_args()

    rng = np.random.default_rng(2026)
    pictures = [picture(rng) for _ in range(args.images)]
    served = sum(len(p) for p in pictures)
    routes = {f"/img/{i}.jpg": ("image/jpeg", data) for i, data in enumerate(pictures)}
    html = "".join(f'<figure><img src="/img/{i}.jpg"></figure>' for i in range(args.images))
    page = f"<!DOCTYPE html><html><head><title>Gallery</title></head><body>{html}</body></html>"
    routes["/gallery"] = ("text/html; charset=utf-8", page.encode())
    _Handler.routes = routes
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/gallery"
    originals = pictures[: args.originals]

    start = (busy_cpu_seconds(), own_cpu_seconds(), time.perf_counter())
    load0 = load_average()
    with tempfile.TemporaryDirectory(prefix="ncii-bench-") as tmp:
        store = run_once(Path(tmp), url, originals, hash_and_match=False)
        full = run_once(Path(tmp), url, originals, hash_and_match=True)
    server.shutdown()
    load1 = load_average()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    sizes = sorted(len(p) for p in pictures)
    lines = [
        "# Capture cost (issue 5)",
        "",
        "`bench/capture_cost.py` serves a page with "
        f"{args.images} generated benign JPEGs from 127.0.0.1 and captures it into a fresh "
        "vault (fast KDF), once storing only and once with hashing and matching against "
        f"{args.originals} of the pictures added as the client's originals. Timings are "
        "printed, never asserted.",
        "",
        "Machine:",
        "",
        f"- Date (UTC): {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Platform: {platform.platform()}",
        f"- CPU: {cpu_model()}",
        f"- Python: {platform.python_implementation()} {platform.python_version()}",
        f"- NCII Desk: {__version__}",
        f"- Load average at start / end (1/5/15 min): {load0} / {load1}",
        f"- Other processes during the run: {other_load(start)}",
        f"- Peak memory of the benchmark process: {rss:.0f} MiB",
        "",
        "Command:",
        "",
        "```",
        f"python bench/capture_cost.py --images {args.images} --originals {args.originals}"
        + (f" --markdown {args.markdown}" if args.markdown else ""),
        "```",
        "",
        "| Measurement | Store only | Store + hash + match |",
        "|---|---|---|",
        f"| Pictures served | {args.images} ({served / 1024**2:.1f} MiB, "
        f"{sizes[0] // 1024}-{sizes[-1] // 1024} KB each) | same |",
        f"| Wall time | {store['wall']:.2f} s | {full['wall']:.2f} s |",
        f"| Per picture | {1000 * store['wall'] / args.images:.0f} ms | "
        f"{1000 * full['wall'] / args.images:.0f} ms |",
        f"| Items stored | {store['items']} | {full['items']} |",
        f"| Matches to originals | - | {full['matches']} |",
        f"| WARC size | {store['warc'] / 1024**2:.2f} MiB | {full['warc'] / 1024**2:.2f} MiB |",
        f"| Blob files added (pictures, page, WARC; encrypted) | "
        f"{store['blobs'] / 1024**2:.2f} MiB | {full['blobs'] / 1024**2:.2f} MiB |",
        f"| Database growth (meta.db + WAL) | {store['db'] / 1024:.0f} KiB | "
        f"{full['db'] / 1024:.0f} KiB |",
        f"| Vault bytes added / bytes served | {(store['blobs'] + store['db']) / served:.2f}x | "
        f"{(full['blobs'] + full['db']) / served:.2f}x |",
        "",
        "Notes:",
        "",
        "- The vault keeps every picture once as an item blob and once inside the capture's "
        "WARC file (the WARC is the archival record of the exchange; the items are what is "
        "hashed, matched, exported and shown), so a capture costs about twice the bytes served.",
        "- The database growth includes the hashes (PDQ variants, ORB features) of each "
        "picture; the WAL is not checkpointed between the two readings.",
    ]
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
