"""Benchmark: checking a signed evidence packet with ``ncii-desk verify`` and with the
stand-alone ``verify_packet.py`` (issue 13).

Makes a synthetic packet folder without a vault: ``--files`` random files of ``--mib`` MiB,
manifests written by ncii_desk.documents.manifest, signed with a random Ed25519 key the way
a build signs, the stand-alone verifier copied in, and a ZIP of it. Prints the time of one
plain-Python Ed25519 verification (and of the cryptography library's, for scale), and the
time and throughput of each verifier on the folder and on the ZIP. The stand-alone verifier
runs as a recipient would: ``python -I verify_packet.py`` from an empty folder. Timings are
printed, never asserted.

Usage::

    python bench/packet_verify.py [--files 64] [--mib 1]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmachine import cpu_model, load_average
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ncii_desk.documents import manifest as mf
from ncii_desk.documents import packet, packet_seal, standalone
from ncii_desk.services.packets import verifier_source


def build(root: Path, files: int, mib: int) -> None:
    (root / "exhibits").mkdir(parents=True)
    for n in range(files):
        (root / "exhibits" / f"file-{n:03d}.bin").write_bytes(os.urandom(mib * 1024 * 1024))
    (root / packet_seal.VERIFIER_FILE).write_bytes(verifier_source())
    key = Ed25519PrivateKey.generate()
    manifest = mf.Manifest(
        files=mf.entries_of_folder(root),
        built_at="2026-12-06T20:00:00Z",
        tool="bench",
        info={"signing_key": packet_seal.public_info(key).fingerprint},
    )
    json_sha, csv_sha = mf.write_manifests(root, manifest)
    digests = {mf.MANIFEST_JSON: json_sha, mf.MANIFEST_CSV: csv_sha}
    (root / packet_seal.SIGNATURE_FILE).write_bytes(packet_seal.signature_bytes(key, digests))


def timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=64)
    parser.add_argument("--mib", type=int, default=1)
    args = parser.parse_args()
    total_mib = args.files * args.mib
    print(f"# packet verification, {args.files} files x {args.mib} MiB = {total_mib} MiB")
    print(f"# {cpu_model()}; Python {platform.python_version()}; load {load_average()}")

    key = Ed25519PrivateKey.generate()
    public = packet_seal.raw_public(key.public_key())
    message = b"x" * 200
    signature = key.sign(message)
    ours = [timed(lambda: standalone.ed25519_verify(public, message, signature)) for _ in range(20)]
    theirs = [timed(lambda: key.public_key().verify(signature, message)) for _ in range(20)]
    print(f"Ed25519 verify, plain Python:  median {statistics.median(ours) * 1000:.2f} ms")
    print(f"Ed25519 verify, cryptography:  median {statistics.median(theirs) * 1000:.3f} ms")

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "packet"
        build(root, args.files, args.mib)
        zipped = Path(tmp) / "packet.zip"
        packet.write_zip(root, zipped, "packet")
        empty = Path(tmp) / "recipient"
        empty.mkdir()
        (empty / "verify_packet.py").write_bytes(verifier_source())
        for label, path in (("folder", root), ("zip", zipped)):
            seconds = timed(lambda p=path: _ok(mf.verify_packet(p).ok))
            print(
                f"ncii-desk verify ({label}):     {seconds:.2f} s, {total_mib / seconds:.0f} MiB/s"
            )
            seconds = timed(lambda p=path: _run(empty, p))
            print(
                f"verify_packet.py -I ({label}): {seconds:.2f} s, {total_mib / seconds:.0f} MiB/s"
            )
        digest = hashlib.sha256((root / mf.MANIFEST_JSON).read_bytes()).hexdigest()
        print(f"# manifest.json sha256 {digest[:16]}...")


def _ok(ok: bool) -> None:
    if not ok:
        raise SystemExit("the synthetic packet did not verify")


def _run(cwd: Path, path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-I", "verify_packet.py", str(path)],
        cwd=cwd,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(done.stdout.decode() + done.stderr.decode())


if __name__ == "__main__":
    main()
