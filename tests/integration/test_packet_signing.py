"""A packet that proves itself without the app: the vault's signature, an RFC 3161 time stamp
from a real TSA on 127.0.0.1, and verify_packet.py run by a bare Python in a temporary folder.

The forgery tried throughout is the one a manifest alone cannot catch: change an exhibit,
then recompute every digest and rewrite all three manifests to match.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pypdf
import pytest
import tsakit
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image
from storekit import is_laptop, left_in

from conftest import PASSPHRASE
from ncii_desk.documents import manifest as mf
from ncii_desk.documents import packet_seal
from ncii_desk.errors import InvalidSetting, TimestampError
from ncii_desk.services import cases, intake, packets
from ncii_desk.services import settings as svc_settings
from ncii_desk.vault import Vault
from ncii_desk.vault.models import AuditEvent, Role
from ncii_desk.vault.store import CaseStore


@pytest.fixture
def tsa() -> Iterator[tsakit.LocalTSA]:
    with tsakit.running_tsa() as running:
        yield running


def _case(vault: Vault, folder: Path) -> str:
    """A case with two generated (benign) pictures taken in as originals."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(13)
    paths = []
    for n in range(2):
        pixels = (rng.random((96, 128, 3)) * 255).astype(np.uint8)
        path = folder / f"original-{n}.png"
        Image.fromarray(pixels).save(path)
        paths.append(path)
    case = cases.new_case(vault, "Signing case", client_pseudonym="Client S")
    intake.add_items(vault, case.id, Role.ORIGINAL, paths)
    return case.id


def _standalone(packet: Path, *args: str, cwd: Path, python: str = sys.executable) -> Any:
    """verify_packet.py from inside the packet, copied to ``cwd`` and run there by an
    isolated Python (-I: no site-packages, no user site, no PYTHONPATH, no current folder)."""
    if packet.is_dir():
        script = (packet / "verify_packet.py").read_bytes()
    elif packet.is_file():
        with zipfile.ZipFile(packet) as zf:
            names = [n for n in zf.namelist() if n.replace("\\", "/").endswith("/verify_packet.py")]
            script = zf.read(names[0])
    else:
        script = packets.verifier_source()
    (cwd / "verify_packet.py").write_bytes(script)
    env = {"PATH": os.environ.get("PATH", ""), "LC_ALL": "C"}
    return subprocess.run(
        [python, "-I", "verify_packet.py", str(packet), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _forge(packet: Path, target: str) -> None:
    """Change ``target`` and rewrite sealed/manifest.csv, manifest.json and manifest.csv to
    match: every digest in the packet is then right again; only the signature is old."""
    path = packet / target
    path.write_bytes(path.read_bytes() + b"\n% changed after the packet was built\n")
    sealed = packet / mf.SEALED_DIR
    if sealed.is_dir():
        inner = mf.Manifest.from_csv_bytes((sealed / mf.MANIFEST_CSV).read_bytes())
        inner.files = mf.entries_of_folder(sealed)
        (sealed / mf.MANIFEST_CSV).unlink()
        mf.write_csv_manifest(sealed, inner)
    main = mf.Manifest.from_json_bytes((packet / mf.MANIFEST_JSON).read_bytes())
    main.files = mf.entries_of_folder(packet, skip_top=mf.UNLISTED)
    for name in mf.MANIFEST_NAMES:
        (packet / name).unlink()
    mf.write_manifests(packet, main)


def _digests(packet: Path) -> dict[str, str]:
    return {
        n: hashlib.sha256((packet / n).read_bytes()).hexdigest() for n in packet_seal.SIGNED_FILES
    }


def _problems(report: mf.VerifyReport) -> dict[str, str]:
    return {f.file: f.problem for f in report.failures}


def test_untouched_packet_passes_both_verifiers_and_names_the_vault_key(
    store: CaseStore, tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = _case(store, tmp_path / "in")
    out = tmp_path / "packet"
    result = packets.build_packet(store, case_id, out, sealed=True, make_zip=True)
    key = packets.signing_key_info(store)
    assert result.signing_key == key.fingerprint
    # The public key is in the packet three times: the signature, SIGNING-KEY.txt, the PDF.
    sig = json.loads((out / "manifest.sig").read_text())
    assert sig["alg"] == "Ed25519" and sig["public_key"] == key.public_key_b64
    assert sig["signed_files"] == [
        {"path": name, "sha256": digest} for name, digest in _digests(out).items()
    ]
    assert key.fingerprint in (out / "SIGNING-KEY.txt").read_text()
    readme = (out / "README.txt").read_text()
    assert key.fingerprint in readme and "python3 verify_packet.py" in readme
    pdf = " ".join(p.extract_text() for p in pypdf.PdfReader(out / "packet.pdf").pages)
    assert key.fingerprint in " ".join(pdf.split()) and "verify_packet.py" in pdf
    # The verifier and the key file are listed (so covered); the signature is not.
    listed = {f["path"] for f in json.loads((out / "manifest.json").read_text())["files"]}
    assert {"verify_packet.py", "SIGNING-KEY.txt"} <= listed and "manifest.sig" not in listed
    assert (out / "verify_packet.py").read_bytes() == packets.verifier_source()
    store.close()

    for path in (out, tmp_path / "packet.zip"):
        report = packets.verify_packet(path, expect_key=key.fingerprint.lower())
        assert report.ok and report.signature_valid and report.signer == key.fingerprint
        run_dir = tmp_path / f"run-{path.suffix or 'dir'}"
        run_dir.mkdir()
        done = _standalone(path, "--expect-key", key.fingerprint, cwd=run_dir)
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"Signed by key {key.fingerprint}" in done.stdout
        assert "FAILED" not in done.stdout and "OK      packet.pdf: SHA-256" in done.stdout
    if not is_laptop(store):
        return  # the rest opens the vault folder (CLI by path, a passphrase change)
    # The clinic's settings show the same key.
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    shown = cli("--vault", str(tmp_path / "vault"), "clinic", "key", "--json")
    assert shown.rc == 0 and shown.json()["fingerprint"] == key.fingerprint
    checked = cli("verify", str(out))
    assert checked.rc == 0 and f"Signed by key {key.fingerprint}" in checked.out
    # The key does not change when the vault is reopened or its passphrase changes.
    again = Vault.open(tmp_path / "vault", passphrase=PASSPHRASE, actor="x")
    try:
        again.change_passphrase("another long passphrase 42")
        assert packets.signing_key_info(again) == key
    finally:
        again.close()


def test_consistent_forgery_fails_offline_in_both_verifiers(
    store: CaseStore, tmp_path: Path, cli: Any
) -> None:
    case_id = _case(store, tmp_path / "in")
    out = tmp_path / "packet"
    packets.build_packet(store, case_id, out, sealed=True)
    sealed_file = next(p.name for p in (out / "sealed").iterdir() if p.suffix == ".png")
    own = packets.signing_key_info(store).fingerprint
    _forge(out, f"sealed/{sealed_file}")
    # Every digest agrees again: without the signature this packet would pass.
    assert (
        mf.entries_of_folder(out, skip_top=mf.UNLISTED)
        == mf.Manifest.from_json_bytes((out / "manifest.json").read_bytes()).files
    )
    problems = _problems(packets.verify_packet(out))
    assert list(problems) == ["manifest.sig"]
    assert problems["manifest.sig"].startswith("the signature does not match manifest.json")
    result = cli("verify", str(out))
    assert result.rc == 3 and "manifest.sig: the signature does not match" in result.out
    done = _standalone(out, cwd=tmp_path)
    assert done.returncode == 1
    assert "FAILED  manifest.sig: the signature does not match" in done.stdout
    # Removing the signature is no way out.
    (out / "manifest.sig").unlink()
    assert (
        "missing: the packet is not signed" in _problems(packets.verify_packet(out))["manifest.sig"]
    )
    assert _standalone(out, cwd=tmp_path).returncode == 1

    # Re-signed with the forger's own key: both verifiers show that key, which is not the
    # clinic's; --expect-key (and --with-vault) then fail.
    forger = Ed25519PrivateKey.generate()
    main = json.loads((out / "manifest.json").read_text())
    forged_fp = packet_seal.public_info(forger).fingerprint
    main["info"]["signing_key"] = forged_fp
    manifest = mf.Manifest.from_json_bytes(json.dumps(main).encode())
    for name in mf.MANIFEST_NAMES:
        (out / name).unlink()
    mf.write_manifests(out, manifest)
    (out / "manifest.sig").write_bytes(packet_seal.signature_bytes(forger, _digests(out)))
    report = packets.verify_packet(out)
    assert report.ok and report.signer == forged_fp != own
    different = _problems(packets.verify_packet(out, expect_key=own))["manifest.sig"]
    assert different == f"signed by a different key: {forged_fp} (expected {own})"
    assert cli("verify", str(out), "--expect-key", own).rc == 3
    done = _standalone(out, "--expect-key", own, cwd=tmp_path)
    assert done.returncode == 1 and f"signed by a different key: {forged_fp}" in done.stdout
    with_vault = _problems(packets.verify_packet(out, vault=store))
    assert with_vault["manifest.sig"].startswith(f"signed by a different key: {forged_fp}")
    with pytest.raises(InvalidSetting):
        packets.verify_packet(out, expect_key="not a fingerprint")


def test_standalone_verifier_reads_a_packet_rezipped_without_mode_bits(
    store: CaseStore, tmp_path: Path
) -> None:
    case_id = _case(store, tmp_path / "in")
    out = tmp_path / "packet"
    packets.build_packet(store, case_id, out, sealed=True)
    files = sorted(p for p in out.rglob("*") if p.is_file())
    variants = {}
    for variant in ("permission-bits-only", "no-mode-no-dirs", "dos-dirs-backslashes"):
        path = tmp_path / f"{variant}.zip"
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            if variant == "dos-dirs-backslashes":
                for folder in ("packet/", "packet/sealed/"):
                    info = zipfile.ZipInfo(folder)
                    info.create_system, info.external_attr = 0, 0x10
                    zf.writestr(info, b"")
            for full in files:
                rel = "packet/" + full.relative_to(out).as_posix()
                if variant == "dos-dirs-backslashes":
                    rel = rel.replace("/", "\\")
                info = zipfile.ZipInfo(rel, date_time=(2026, 1, 2, 3, 4, 5))
                info.create_system = 0  # made "on Windows"
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, full.read_bytes())  # writing sets 0o600 << 16 (no type)
                if variant != "permission-bits-only":
                    info.external_attr = 0  # what the central directory will say
        with zipfile.ZipFile(path) as zf:
            modes = {i.external_attr >> 16 for i in zf.infolist() if not i.is_dir()}
        variants[variant] = (path, modes)
    assert variants["permission-bits-only"][1] == {0o600}
    assert variants["no-mode-no-dirs"][1] == {0}
    for variant, (path, _) in variants.items():
        report = packets.verify_packet(path)
        assert report.ok and report.signature_valid, (variant, report.failures)
        run_dir = tmp_path / f"run-{variant}"
        run_dir.mkdir()
        done = _standalone(path, cwd=run_dir)
        assert done.returncode == 0, (variant, done.stdout, done.stderr)
        assert "Packet OK" in done.stdout
        assert sorted(p.name for p in run_dir.iterdir()) == ["verify_packet.py"]  # wrote nothing
    # A usage error is exit status 2.
    assert _standalone(out, "--no-such-option", cwd=tmp_path).returncode == 2
    assert _standalone(out, "--expect-key", "ABCD", cwd=tmp_path).returncode == 2
    assert _standalone(tmp_path / "nothing-here", cwd=tmp_path).returncode == 2


def _python39() -> str | None:
    """A Python 3.9 interpreter if this machine has one (to run the verifier on the oldest
    version it promises); None otherwise."""
    candidates = [shutil.which("python3.9")]
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if root.is_dir():
        candidates += [str(p / "bin" / "python3.9") for p in sorted(root.glob("3.9*"))]
    for candidate in candidates:
        if not candidate:
            continue
        try:
            done = subprocess.run(
                [candidate, "-c", "import sys; print(sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except OSError:
            continue
        if done.returncode == 0 and done.stdout.strip() == "(3, 9)":
            return candidate
    return None


def test_time_stamp_from_a_local_tsa_verifies_and_a_changed_manifest_fails(
    store: CaseStore, tmp_path: Path, tsa: tsakit.LocalTSA, cli: Any
) -> None:
    case_id = _case(store, tmp_path / "in")
    svc_settings.set_tsa_url(store, tsa.url)
    out = tmp_path / "stamped"
    result = packets.build_packet(store, case_id, out, timestamp=True, make_zip=True)
    assert len(tsa.tsa.requests) == 1 and (out / "manifest.tst").is_file()
    assert result.timestamp is not None and result.timestamp.ok
    assert "Test Time-Stamp Authority" in result.timestamp.tsa_name
    with store.session() as s:
        built = s.query(AuditEvent).filter(AuditEvent.action == "packet.built").one()
    assert json.loads(built.details)["timestamp"]["tsa"] == result.timestamp.tsa_name
    digest = hashlib.sha256((out / "manifest.json").read_bytes()).hexdigest()

    report = packets.verify_packet(out)
    assert report.ok and report.timestamp is not None
    assert report.timestamp.time_text == result.timestamp.time_text
    assert report.timestamp.trust == "TSA certificate not checked against a trust list"
    roots = tmp_path / "roots.pem"
    roots.write_bytes(tsa.tsa.ca.pem)
    trusted = packets.verify_packet(out, tsa_roots=roots)
    assert trusted.ok and trusted.timestamp is not None
    assert trusted.timestamp.trust.startswith("TSA certificate chains to the trusted root")
    roots.write_bytes(tsakit.new_ca("Some Other Root").pem)
    assert (
        "does not chain" in _problems(packets.verify_packet(out, tsa_roots=roots))["manifest.tst"]
    )
    shown = cli("verify", str(out))
    assert shown.rc == 0 and f"existed at {result.timestamp.time_text}" in shown.out
    done = _standalone(tmp_path / "stamped.zip", cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    assert (
        f"OK      manifest.tst: time stamp of this manifest.json, time {result.timestamp.time_text}"
        in done.stdout
    )
    assert "does not check the authority's signature" in done.stdout
    python39 = _python39()
    if python39 is not None:  # the oldest Python the verifier promises, where there is one
        done = _standalone(out, cwd=tmp_path, python=python39)
        assert done.returncode == 0, done.stdout + done.stderr

    # A changed manifest.json (here its build time) no longer matches the stamp's imprint.
    edited = tmp_path / "edited"
    shutil.copytree(out, edited)
    text = (edited / "manifest.json").read_text()
    (edited / "manifest.json").write_text(text.replace('"built_at_utc": "', '"built_at_utc": "1'))
    problems = _problems(packets.verify_packet(edited))
    assert problems["manifest.tst"].startswith("its message imprint is not the SHA-256")
    done = _standalone(edited, cwd=tmp_path)
    assert done.returncode == 1 and "FAILED  manifest.tst: its message imprint" in done.stdout
    shutil.rmtree(edited)
    # The token of this packet put into another packet: its imprint is not that manifest's
    # digest (that packet's own signature still holds, so only the stamp fails).
    other = tmp_path / "other"
    packets.build_packet(store, case_id, other)
    shutil.copyfile(out / "manifest.tst", other / "manifest.tst")
    assert hashlib.sha256((other / "manifest.json").read_bytes()).hexdigest() != digest
    problems = _problems(packets.verify_packet(other))
    assert list(problems) == ["manifest.tst"]
    assert problems["manifest.tst"].startswith("its message imprint is not the SHA-256")
    done = _standalone(other, cwd=tmp_path)
    assert done.returncode == 1
    assert "FAILED  manifest.tst: its message imprint is not the SHA-256" in done.stdout
    # A token whose TSA signature was altered fails the full check (the stand-alone script
    # says it does not check that, and only checks the imprint).
    token = bytearray((out / "manifest.tst").read_bytes())
    token[-5] ^= 0x01
    (out / "manifest.tst").write_bytes(bytes(token))
    assert "does not verify" in _problems(packets.verify_packet(out))["manifest.tst"]


def test_tsa_refusal_or_no_connection_leaves_no_packet(
    store: CaseStore,
    tmp_path: Path,
    tsa: tsakit.LocalTSA,
    cli: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case_id = _case(store, tmp_path / "in")
    with pytest.raises(InvalidSetting, match="No time-stamp authority is set"):
        packets.build_packet(store, case_id, tmp_path / "p0", timestamp=True)
    tsa.tsa.mode = "reject"
    with pytest.raises(TimestampError, match=r"refused the request.*test TSA refuses"):
        packets.build_packet(store, case_id, tmp_path / "p1", timestamp=True, tsa_server=tsa.url)
    tsa.tsa.mode = "other-digest"
    with pytest.raises(TimestampError, match="stamped a different digest"):
        packets.build_packet(store, case_id, tmp_path / "p1", timestamp=True, tsa_server=tsa.url)
    # A TSA whose certificate is not one for time stamping: the token is refused at once.
    tsa.tsa.mode = "grant"
    tsa.tsa.cert = tsakit.plain_certificate(tsa.tsa.ca, tsa.tsa.key)
    with pytest.raises(TimestampError, match="not marked for time stamping"):
        packets.build_packet(store, case_id, tmp_path / "p1", timestamp=True, tsa_server=tsa.url)
    tsa.tsa.cert = tsakit.tsa_certificate(tsa.tsa.ca, tsa.tsa.key)
    closed = "http://127.0.0.1:9/tsa"
    with pytest.raises(TimestampError, match="could not be reached"):
        packets.build_packet(
            store, case_id, tmp_path / "p2", timestamp=True, tsa_server=closed, make_zip=True
        )
    with pytest.raises(InvalidSetting):
        packets.build_packet(store, case_id, tmp_path / "p3", tsa_server=tsa.url)
    # Nothing was left behind: no folders, no ZIP, no staging, no packet.built event.
    assert left_in(tmp_path) == ["in"]
    with store.session() as s:
        assert s.query(AuditEvent).filter(AuditEvent.action == "packet.built").count() == 0
    store.close()
    if not is_laptop(store):
        return  # the rest runs the CLI on the vault folder
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    base = ["--vault", str(tmp_path / "vault")]
    assert "No time-stamp authority is set" in cli(*base, "clinic", "tsa").out
    assert cli(*base, "clinic", "tsa", "ftp://example.org").rc != 0
    assert cli(*base, "clinic", "tsa", tsa.url).rc == 0
    assert tsa.url in cli(*base, "clinic", "tsa").out
    made = cli(*base, "packet", case_id, "--out", str(tmp_path / "p4"), "--timestamp")
    assert made.rc == 0 and "Time-stamped (manifest.tst)" in made.out
    assert cli(*base, "clinic", "tsa", "--clear").rc == 0
    assert "No time-stamp authority is set" in cli(*base, "clinic", "tsa").out
