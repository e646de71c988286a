"""Offline verification of evidence packets: folders and ZIPs, and the audit head in a vault.

Each failure must name the file and say what is wrong with it; a ZIP is checked from memory
without extracting anything.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from capture_server import LocalServer
from test_packet import make_case

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.cli.main import main as cli
from ncii_desk.documents import manifest as mf
from ncii_desk.services import cases, packets
from ncii_desk.vault import Vault


@pytest.fixture
def packet(vault: Vault, tmp_path: Path, web: LocalServer) -> Iterator[Path]:
    built = make_case(vault, tmp_path / "in", web)
    out = tmp_path / "packet"
    packets.build_packet(vault, built.case_id, out, sealed=True, make_zip=True)
    yield out


def _problems(report: mf.VerifyReport) -> dict[str, str]:
    """Failures by file (several problems of one file joined with " | ")."""
    out: dict[str, str] = {}
    for f in report.failures:
        out[f.file] = f"{out[f.file]} | {f.problem}" if f.file in out else f.problem
    return out


def _rezip(src: Path, dest: Path, change: dict[str, bytes | None], add: dict[str, bytes]) -> None:
    """A copy of a packet ZIP with members replaced (bytes), dropped (None) or added."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for info in zin.infolist():
            short = info.filename.split("/", 1)[1]
            if short in change:
                if change[short] is not None:
                    zout.writestr(info, change[short] or b"")
                continue
            zout.writestr(info, zin.read(info))
        for name, data in add.items():
            zout.writestr(name, data)


def _files_under(folder: Path) -> set[str]:
    return {str(p) for p in folder.rglob("*")}


def test_fresh_packet_verifies_as_folder_and_zip(packet: Path, tmp_path: Path) -> None:
    before = _files_under(tmp_path) | _files_under(Path(os.environ["TMPDIR"]))
    for path in (packet, tmp_path / "packet.zip"):
        report = packets.verify_packet(path)
        assert report.ok, report.failures
        manifest = json.loads((packet / "manifest.json").read_text())
        assert report.files_checked == len(manifest["files"])
        assert (
            report.manifest_sha256
            == hashlib.sha256((packet / "manifest.json").read_bytes()).hexdigest()
        )
    # Checking the ZIP extracted nothing anywhere.
    assert _files_under(tmp_path) | _files_under(Path(os.environ["TMPDIR"])) == before


@pytest.mark.parametrize("where", ["packet.pdf", "sealed/manifest.csv", "README.txt"])
def test_changed_byte_is_named_for_folder_and_zip(packet: Path, tmp_path: Path, where: str) -> None:
    target = packet / where
    data = bytearray(target.read_bytes())
    data[len(data) // 3] ^= 0x20
    zipped = tmp_path / "changed.zip"
    _rezip(tmp_path / "packet.zip", zipped, {where: bytes(data)}, {})
    target.write_bytes(bytes(data))
    for path in (packet, zipped):
        problems = _problems(packets.verify_packet(path))
        assert where in problems and problems[where].startswith("changed: SHA-256 is")


def test_missing_and_extra_files_are_named(packet: Path, tmp_path: Path) -> None:
    sealed_file = next(p for p in (packet / "sealed").iterdir() if p.suffix == ".png")
    rel = f"sealed/{sealed_file.name}"
    zipped = tmp_path / "edited.zip"
    _rezip(
        tmp_path / "packet.zip",
        zipped,
        {"README.txt": None},
        {"packet/notes.txt": b"added later", "stray.txt": b"outside"},
    )
    (packet / "README.txt").unlink()
    (packet / "notes.txt").write_text("added later")
    folder = _problems(packets.verify_packet(packet))
    assert folder == {
        "README.txt": "missing: listed in the manifest but not in the packet",
        "notes.txt": "extra: not listed in the manifest",
    }
    in_zip = _problems(packets.verify_packet(zipped))
    assert in_zip["README.txt"].startswith("missing")
    assert in_zip["notes.txt"].startswith("extra")
    assert in_zip["stray.txt"].startswith("extra: outside the packet folder")
    # A file that changes size is reported with both sizes.
    sealed_file.write_bytes(sealed_file.read_bytes() + b"\0")
    problem = _problems(packets.verify_packet(packet))[rel]
    assert problem.startswith("changed:") and "the manifest says" in problem


def test_manifests_must_agree_and_links_are_refused(packet: Path, tmp_path: Path) -> None:
    csv_path = packet / "manifest.csv"
    text = csv_path.read_text()
    first_hash = json.loads((packet / "manifest.json").read_text())["files"][0]["sha256"]
    csv_path.write_text(text.replace(first_hash, "0" * 64))
    problems = _problems(packets.verify_packet(packet))
    assert "manifest.csv" in problems and "differs from manifest.json" in problems["manifest.csv"]
    csv_path.write_text(text)
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("not part of the packet")
    (packet / "README.txt").unlink()
    (packet / "README.txt").symlink_to(outside)
    problems = _problems(packets.verify_packet(packet))
    assert problems == {"README.txt": "is a link"}


def test_unsafe_zip_member_is_reported_and_never_written(packet: Path, tmp_path: Path) -> None:
    zipped = tmp_path / "evil.zip"
    _rezip(tmp_path / "packet.zip", zipped, {}, {"../evil.txt": b"x", "/abs.txt": b"y"})
    report = packets.verify_packet(zipped)
    problems = _problems(report)
    assert "unsafe path" in problems["../evil.txt"] and "unsafe path" in problems["/abs.txt"]
    assert not (tmp_path.parent / "evil.txt").exists()
    broken = tmp_path / "broken.zip"
    broken.write_bytes((tmp_path / "packet.zip").read_bytes()[:200])
    assert "cannot be read as a ZIP" in _problems(packets.verify_packet(broken))["broken.zip"]


def test_audit_head_is_checked_against_the_vault(
    vault: Vault, tmp_path: Path, web: LocalServer
) -> None:
    built = make_case(vault, tmp_path / "in", web)
    # A copy of the vault as it was before the packet existed: a rolled-back vault.
    vault.close()
    shutil.copytree(tmp_path / "vault", tmp_path / "old-vault")
    vault = Vault.open(tmp_path / "vault", passphrase=PASSPHRASE, actor="test-advocate")
    try:
        cases.new_case(vault, "Later case")  # events after the copy was taken
        out = tmp_path / "packet"
        packets.build_packet(vault, built.case_id, out)
        report = packets.verify_packet(out, vault=vault)
        assert report.ok and report.vault_checked
        # Someone edits the PDF and rewrites both manifests to match: the files agree with
        # the manifest, but the vault never recorded that manifest.
        pdf = out / "packet.pdf"
        pdf.write_bytes(pdf.read_bytes() + b"\n% edited\n")
        manifest = mf.Manifest.from_json_bytes((out / "manifest.json").read_bytes())
        manifest.files = mf.entries_of_folder(out)
        for name in mf.MANIFEST_NAMES:
            (out / name).unlink()
        mf.write_manifests(out, manifest)
        # Offline, the rewritten manifests are consistent with the files, but the vault's
        # signature over the old manifests no longer matches.
        offline = _problems(packets.verify_packet(out))
        assert list(offline) == ["manifest.sig"]
        assert offline["manifest.sig"].startswith("the signature does not match manifest.json")
        problems = _problems(packets.verify_packet(out, vault=vault))
        assert "no record of building a packet with this manifest" in problems["manifest.json"]
    finally:
        vault.close()
    old = Vault.open(tmp_path / "old-vault", passphrase=PASSPHRASE, actor="x")
    try:
        problems = _problems(packets.verify_packet(out, vault=old))
        assert "is not in the vault" in problems["manifest.json"]
    finally:
        old.close()
    other, _ = Vault.create(tmp_path / "other-vault", PASSPHRASE, kdf=fast_kdf())
    try:
        problems = _problems(packets.verify_packet(out, vault=other))
        assert "not from this vault" in problems["manifest.json"]
    finally:
        other.close()


def test_edited_audit_head_in_the_manifest_is_caught(
    vault: Vault, tmp_path: Path, web: LocalServer
) -> None:
    built = make_case(vault, tmp_path / "in", web)
    out = tmp_path / "packet"
    packets.build_packet(vault, built.case_id, out)
    manifest = mf.Manifest.from_json_bytes((out / "manifest.json").read_bytes())
    assert manifest.audit_head is not None
    manifest.audit_head = mf.AuditHeadRef(manifest.audit_head.seq, "ab" * 32)
    for name in mf.MANIFEST_NAMES:
        (out / name).unlink()
    mf.write_manifests(out, manifest)
    problems = packets.verify_packet(out, vault=vault).failures
    assert any("different MAC" in f.problem for f in problems)


def test_cli_packet_and_verify(
    vault: Vault,
    tmp_path: Path,
    web: LocalServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built = make_case(vault, tmp_path / "in", web)
    vault.close()
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    base = ["--vault", str(tmp_path / "vault")]
    out = tmp_path / "cli-packet"
    code = cli([*base, "packet", built.case_id, "--out", str(out), "--zip", "--json"])
    result = json.loads(capsys.readouterr().out)
    # The matched copy and the original: the unrelated suspect file is not an exhibit.
    assert code == 0 and result["exhibits"] == 2 and Path(result["zip"]).is_file()
    assert cli(["verify", str(out)]) == 0
    assert "Packet OK" in capsys.readouterr().out
    assert cli([*base, "verify", str(out) + ".zip", "--with-vault"]) == 0
    assert "on this vault's chain" in capsys.readouterr().out
    (out / "extra.txt").write_text("x")
    assert cli(["verify", str(out)]) == 3
    text = capsys.readouterr().out
    assert "PACKET CHECK FAILED" in text and "extra.txt: extra" in text
    assert cli(["verify", str(out), "--json"]) == 3
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert report["failures"] == [
        {"file": "extra.txt", "problem": "extra: not listed in the manifest"}
    ]
    assert cli([*base, "packet", built.case_id, "--out", str(out)]) == 1
    assert "not an empty folder" in capsys.readouterr().err


def test_zip_member_read_failure_is_named(packet: Path, tmp_path: Path) -> None:
    """A ZIP whose stored bytes were damaged (CRC no longer matches) names that member."""
    data = bytearray((tmp_path / "packet.zip").read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("packet/packet.pdf")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(data))
    problems = _problems(packets.verify_packet(damaged))
    assert "packet.pdf" in problems
