"""Benchmark: building the civil-claim evidence packet of a case with many exhibits (issue 6).

Builds a case in a fresh vault (fast KDF: 64 MiB Argon2id, one pass) with ``--exhibits``
generated benign pictures (abstract shapes on gradients, 320x240): a fifth of them the
client's originals, the rest reposted copies (resized, cropped, re-encoded) taken in as
suspects, hashed and matched with the real services. Each suspect gets a web-capture record
(URL, redirect, status, server address, TLS facts), every eighth suspect a removal request,
every fourth a re-check. Then it builds the packet (blurred thumbnails) and prints the page
count, build time by phase, PDF and ZIP size, and the time ``verify`` takes. Timings are
printed, never asserted.

Usage::

    python bench/packet_build.py [--exhibits 100] [--sealed] [--zip] [--markdown FILE]
"""

from __future__ import annotations

import argparse
import io
import platform
import secrets
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from benchmachine import busy_cpu_seconds, cpu_model, load_average, other_load, own_cpu_seconds
from PIL import Image, ImageDraw

from ncii_desk import __version__
from ncii_desk.documents.thumbs import ThumbMode
from ncii_desk.services import cases, intake, matching, packets
from ncii_desk.services.jobs import Job
from ncii_desk.vault import KdfParams, Vault
from ncii_desk.vault.models import (
    Capture,
    EvidenceItem,
    Recheck,
    RecheckOutcome,
    RemovalRequest,
    RequestStatus,
    Role,
)

PASSPHRASE = "bench passphrase: correct horse battery staple"


def picture(rng: np.random.Generator, w: int = 320, h: int = 240) -> Image.Image:
    """An abstract benign picture: a colour gradient with random shapes."""
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack(
        [
            (x * rng.uniform(0.3, 0.8) + rng.integers(0, 80)) % 256,
            (y * rng.uniform(0.3, 0.8) + rng.integers(0, 80)) % 256,
            ((x + y) * rng.uniform(0.2, 0.5)) % 256,
        ],
        axis=-1,
    ).astype(np.uint8)
    img = Image.fromarray(base)
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x0, y0 = int(rng.integers(0, w - 40)), int(rng.integers(0, h - 40))
        size = int(rng.integers(15, 90))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            draw.ellipse([x0, y0, x0 + size, y0 + size], fill=colour)
        else:
            draw.rectangle([x0, y0, x0 + size, y0 + size // 2], fill=colour)
    return img


def repost(img: Image.Image, rng: np.random.Generator) -> bytes:
    w, h = img.size
    m = int(rng.integers(4, 20))
    out = img.crop((m, m, w - m, h - m)).resize((int(w * 0.8), int(h * 0.8)))
    buf = io.BytesIO()
    out.save(buf, format="JPEG", quality=int(rng.integers(60, 90)))
    return buf.getvalue()


def build_case(vault: Vault, folder: Path, exhibits: int) -> str:
    rng = np.random.default_rng(6)
    n_orig = max(1, exhibits // 5)
    originals = [picture(rng) for _ in range(n_orig)]
    orig_dir, sus_dir = folder / "originals", folder / "suspects"
    orig_dir.mkdir(parents=True)
    sus_dir.mkdir()
    for i, img in enumerate(originals):
        img.save(orig_dir / f"o{i:03d}.png")
    for i in range(exhibits - n_orig):
        (sus_dir / f"s{i:03d}.jpg").write_bytes(repost(originals[i % n_orig], rng))
    case = cases.new_case(vault, "Bench case", client_pseudonym="Client B")
    a = intake.add_items(vault, case.id, Role.ORIGINAL, [orig_dir])
    b = intake.add_items(vault, case.id, Role.SUSPECT, [sus_dir])
    matching.hash_items(vault, a.sources + b.sources)
    now = datetime.now(UTC)
    with vault.transaction() as s:
        suspects = [i for i in s.query(EvidenceItem).all() if i.role == Role.SUSPECT]
        for k, item in enumerate(suspects):
            url = f"https://host{k % 7}.example/post/{k}"
            cap = Capture(
                case_id=case.id,
                url=url,
                final_url=f"https://cdn{k % 7}.example/media/{k}.jpg",
                redirect_chain=[{"url": url, "status": 302, "location": f"/media/{k}.jpg"}],
                http_status=200,
                headers={"content-type": "image/jpeg", "server": "nginx"},
                server_address=f"198.51.100.{k % 250}",
                tls={"protocol": "TLSv1.3", "cipher": "TLS_AES_128_GCM_SHA256"},
                tool_name="NCII Desk",
                tool_version=__version__,
                user_agent="Mozilla/5.0",
                operator="bench",
                started_at=now,
                ended_at=now,
            )
            s.add(cap)
            s.flush()
            item.capture_id = cap.id
            if k % 4 == 0:
                s.add(
                    Recheck(
                        case_id=case.id,
                        capture_id=cap.id,
                        url=url,
                        outcome=RecheckOutcome.STILL_UP,
                        http_status=200,
                        content_sha256=item.sha256,
                        operator="bench",
                    )
                )
        for k in range(0, len(suspects), 8):
            group = suspects[k : k + 8]
            s.add(
                RemovalRequest(
                    case_id=case.id,
                    platform=f"Host {k // 8}",
                    route="take_it_down",
                    urls=[f"https://host{j % 7}.example/post/{j}" for j in range(k, k + 8)],
                    item_ids=[i.id for i in group],
                    sent_at=now,
                    deadline_at=now + timedelta(hours=48),
                    status=RequestStatus.SENT,
                    history=[{"at": now.isoformat(), "status": "sent", "note": "web form"}],
                )
            )
    return case.id


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--exhibits", type=int, default=100)
    ap.add_argument("--sealed", action="store_true", help="also write the sealed volume")
    ap.add_argument("--zip", action="store_true", help="also write the ZIP")
    ap.add_argument("--thumbnails", choices=["blur", "face", "none"], default="blur")
    ap.add_argument("--dir", type=Path, default=None, help="work folder (default: a temp dir)")
    ap.add_argument("--markdown", type=Path, help="also write the results as Markdown here")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="packet-bench-", dir=args.dir))
    try:
        return _run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(args: argparse.Namespace, work: Path) -> int:
    start = (busy_cpu_seconds(), own_cpu_seconds(), time.perf_counter())
    load_start = load_average()
    kdf = KdfParams(memory_kib=64 * 1024, time_cost=1, parallelism=2, salt=secrets.token_bytes(16))
    vault, _ = Vault.create(work / "vault", PASSPHRASE, kdf=kdf, actor="bench")
    t0 = time.perf_counter()
    case_id = build_case(vault, work / "input", args.exhibits)
    setup_s = time.perf_counter() - t0
    n_matches = len(matching.list_matches(vault, case_id))

    phases: dict[str, float] = {}
    t0 = time.perf_counter()

    def progress(done: int, total: int, message: str) -> None:
        phases.setdefault(message, time.perf_counter() - t0)

    result = packets.build_packet(
        vault,
        case_id,
        work / "packet",
        sealed=args.sealed,
        make_zip=args.zip,
        thumbnails=ThumbMode(args.thumbnails),
        job=Job(on_progress=progress),
    )
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = packets.verify_packet(result.folder)
    verify_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    report_vault = packets.verify_packet(result.folder, vault=vault)
    verify_vault_s = time.perf_counter() - t0
    vault.close()
    ordered = sorted(phases.items(), key=lambda kv: kv[1])
    marks = [*(t for _, t in ordered), build_s]
    phase_text = ", ".join(
        f"{name} {marks[i + 1] - t:.2f} s" for i, (name, t) in enumerate(ordered)
    )
    zip_size = result.zip_path.stat().st_size if result.zip_path else None
    rows = [
        ("Exhibits", f"{result.exhibits}", f"{args.exhibits // 5} originals, the rest copies"),
        ("Matches recorded", f"{n_matches}", "copies matched to originals"),
        (
            "Case setup (intake + hash + match + records)",
            f"{setup_s:.1f} s",
            "not part of the build",
        ),
        ("Packet build (total)", f"{build_s:.2f} s", phase_text),
        (
            "packet.pdf pages",
            f"{result.pdf_pages}",
            f"{result.pdf_pages / result.exhibits:.1f} per exhibit",
        ),
        (
            "packet.pdf size",
            f"{result.pdf_bytes / 1024**2:.2f} MiB",
            f"{result.pdf_bytes / result.exhibits / 1024:.0f} KiB per exhibit",
        ),
        (
            "Sealed files",
            f"{result.sealed_files}",
            "with --sealed" if args.sealed else "no --sealed",
        ),
        ("ZIP size", "-" if zip_size is None else f"{zip_size / 1024**2:.2f} MiB", ""),
        (
            "verify (folder, offline)",
            f"{verify_s:.2f} s",
            f"ok={report.ok}, {report.files_checked} files",
        ),
        ("verify --with-vault", f"{verify_vault_s:.2f} s", f"ok={report_vault.ok}"),
    ]
    machine = [
        f"Date (UTC): {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"Platform: {platform.platform()}",
        f"CPU: {cpu_model()}",
        f"Python: {platform.python_implementation()} {platform.python_version()}",
        f"Load average at start / end (1/5/15 min): {load_start} / {load_average()}",
        f"Other processes during the run: {other_load(start)}",
    ]
    cmd = "python bench/packet_build.py " + " ".join(sys.argv[1:])
    lines = ["| Measurement | Result | Detail |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    for line in machine:
        print(line)
    print(f"Command: {cmd}")
    for a, b, c in rows:
        print(f"{a:<46} {b:>12}  {c}")
    if args.markdown:
        text = "\n".join(
            [
                "",
                "Machine:",
                "",
                *(f"- {m}" for m in machine),
                "",
                "Command:",
                "",
                "```",
                cmd,
                "```",
                "",
                *lines,
                "",
            ]
        )
        with open(args.markdown, "a", encoding="utf-8") as fh:
            fh.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
