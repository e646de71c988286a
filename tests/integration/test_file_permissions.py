"""Owner-only files (POSIX): the vault folder 0700 and everything in it 0600/0700, and every
file we write for the user (exported items, WARC, letters, the packet with its sealed/
originals and ZIP, hash lists, heat-maps, the recovery key) 0600 in 0700 folders we create,
whatever the umask. A vault made looser outside the app is tightened on open, once, with an
audit event.
"""

from __future__ import annotations

import io
import json
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from capture_server import LocalServer, Route, page
from clikit import Cli
from PIL import Image
from sqlalchemy import select

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.hardening import walk_modes
from ncii_desk.services import cases, intake
from ncii_desk.vault import Vault
from ncii_desk.vault.models import AuditEvent, Role

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")


@pytest.fixture(params=[0o022, 0o000], ids=["umask022", "umask000"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def _png(seed: int, edited: bool = False) -> bytes:
    from skimage import data

    pixels = np.ascontiguousarray(data.astronaut()[::2, ::2] if seed == 1 else data.coffee())
    if seed not in (1, 2):
        pixels = np.roll(pixels, seed * 37, axis=1)
    if edited:
        pixels = pixels.copy()
        pixels[60:140, 60:140] = data.rocket()[100:180, 200:280]
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "PNG")
    return buf.getvalue()


def _loose(root: Path, *, skip_root: bool = False) -> list[str]:
    """Paths under ``root`` whose mode is not 0600 (files) / 0700 (folders)."""
    bad = []
    for path, mode in walk_modes(root):
        if skip_root and path == root:
            continue
        want = 0o700 if path.is_dir() else 0o600
        if mode != want:
            bad.append(f"{path.relative_to(root.parent)} {oct(mode)}")
    return bad


def test_vault_and_every_output_are_owner_only(
    umask: int, cli: Cli, web: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault_dir = tmp_path / "vault"
    monkeypatch.setenv("NCII_DESK_VAULT", str(vault_dir))
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.setenv("no_proxy", "*")
    out = tmp_path / "out"
    out.mkdir(mode=0o755)  # the user's own folder: its mode is theirs
    os.chmod(out, 0o755)
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.png").write_bytes(_png(1))
    (inputs / "b.png").write_bytes(_png(2))

    key_file = out / "recovery-key.txt"
    r = cli(
        "vault", "init", "--kdf-memory-mib", "64", "--kdf-seconds", "0.05",
        "--recovery-key-out", str(key_file), "--json",
    )  # fmt: skip
    assert r.rc == 0, r.err
    r = cli("case", "new", "Perm Case", "--json")
    assert r.rc == 0, r.err
    r = cli("add", "original", "Perm Case", str(inputs), "--json")
    assert r.rc == 0, r.err
    original = r.json()["added"][0]["id"]

    web.routes["/pic.png"] = Route(_png(1), content_type="image/png")
    web.routes["/post"] = Route(page('<img src="/pic.png">'))
    r = cli("capture", "Perm Case", web.url("/post"), "--json")
    assert r.rc == 0, r.err
    r = cli("capture", "list", "Perm Case", "--json")
    capture_id = r.json()[0]["id"]

    exports = out / "exports"
    exports.mkdir(mode=0o755)
    r = cli("item", "export", original, "--out", str(exports / "a-copy.png"), "--reason", "t")
    assert r.rc == 0, r.err
    r = cli("capture", "export", capture_id, "--warc", str(exports / "page.warc"))
    assert r.rc == 0, r.err

    r = cli(
        "clinic", "set", "--name", "Harbor Legal Clinic", "--signer", "Dana Advocate",
        "--email", "help@harbor.example", "--json",
    )  # fmt: skip
    assert r.rc == 0, r.err
    letters = out / "letters" / "round-1"  # two folders created by the command
    r = cli(
        "requests", "draft", "Perm Case", "--route", "takedown", "--out", str(letters),
        "--signature", "/s/ Dana Advocate", "--good-faith", "--covered-platform", "yes",
        "--authority", "advocate asked in writing to act", "--json",
    )  # fmt: skip
    assert r.rc == 0, r.err

    packet = out / "packet"
    r = cli("packet", "Perm Case", "--out", str(packet), "--zip", "--sealed", "--json")
    assert r.rc == 0, r.err
    assert (packet / "sealed").is_dir() and any((packet / "sealed").iterdir())

    r = cli("hashlist", "export", "Perm Case", "--out", str(out / "hashes.txt"))
    assert r.rc == 0, r.err
    r = cli("hashlist", "export", "Perm Case", "--out", str(out / "hashes.txt"), "--overwrite")
    assert r.rc == 0, r.err  # an overwritten file is made owner-only too
    (tmp_path / "edited.png").write_bytes(_png(1, edited=True))
    r = cli(
        "inspect", str(tmp_path / "edited.png"), "--original", str(inputs / "a.png"),
        "--heatmap", str(out / "heat.png"),
    )  # fmt: skip
    assert r.rc == 0, r.err

    written = {p.relative_to(out).as_posix() for p, _ in walk_modes(out) if p != out}
    for expected in (
        "recovery-key.txt",
        "exports/a-copy.png",
        "exports/page.warc",
        "letters",
        "letters/round-1",
        "packet",
        "packet/sealed",
        "packet.zip",
        "hashes.txt",
        "heat.png",
    ):
        assert expected in written, sorted(written)
    assert any(p.startswith("letters/round-1/") for p in written)
    # The user's own folders keep their mode; everything we made is owner-only.
    assert _loose(out, skip_root=True) == ["out/exports 0o755"]
    assert _loose(vault_dir) == []
    names = {p.name for p, _ in walk_modes(vault_dir)}
    assert {"vault.hdr", "vault.hdr.bak", "meta.db", "audit.head", "vault.lock"} <= names
    assert "quarantine" in names and "blobs" in names


def test_sqlite_wal_and_shm_files_are_owner_only(umask: int, tmp_path: Path) -> None:
    """SQLite creates meta.db-wal and -shm while the vault is open, with the database
    file's mode: they are looked at while they exist."""
    vault, _ = Vault.create(tmp_path / "vault", PASSPHRASE, kdf=fast_kdf())
    try:
        with vault.transaction() as s:
            vault.audit(s, "test.event", details={"n": 1})
        side = [p for p in (tmp_path / "vault").iterdir() if p.name.startswith("meta.db-")]
        assert {p.name for p in side} >= {"meta.db-wal", "meta.db-shm"}
        assert {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in side} == {
            p.name: "0o600" for p in side
        }
    finally:
        vault.close()


def test_a_looser_vault_is_tightened_on_open_and_audited_once(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    picture = tmp_path / "a.png"
    picture.write_bytes(_png(3))
    vault, _ = Vault.create(root, PASSPHRASE, kdf=fast_kdf())
    cases.new_case(vault, "Loose Case")
    assert intake.add_items(vault, "Loose Case", Role.ORIGINAL, [picture]).added
    vault.close()
    for path, _ in walk_modes(root):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    assert _loose(root)

    vault = Vault.open(root, passphrase=PASSPHRASE)
    try:
        tightened = vault.report.permissions_tightened
        assert "." in tightened and "vault.hdr" in tightened and "meta.db" in tightened
        assert any(t.startswith("blobs/") for t in tightened)
        assert any("private to you" in w for w in vault.report.warnings)
        assert _loose(root) == []
        with vault.session() as s:
            events = list(
                s.scalars(
                    select(AuditEvent).where(AuditEvent.action == "vault.permissions_tightened")
                )
            )
        assert len(events) == 1
        details = json.loads(events[0].details)
        assert details["count"] == len(tightened) and "vault.hdr" in details["paths"]
    finally:
        vault.close()

    vault = Vault.open(root, passphrase=PASSPHRASE)  # nothing left to tighten: no new event
    try:
        assert vault.report.permissions_tightened == []
        with vault.session() as s:
            count = len(
                list(
                    s.scalars(
                        select(AuditEvent).where(AuditEvent.action == "vault.permissions_tightened")
                    )
                )
            )
        assert count == 1
        assert vault.check().ok
    finally:
        vault.close()


def test_packet_zip_members_unpack_owner_only(tmp_path: Path) -> None:
    import zipfile

    from ncii_desk.documents.packet import write_zip

    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "x.txt").write_bytes(b"x")
    write_zip(folder, tmp_path / "p.zip", "p")
    with zipfile.ZipFile(tmp_path / "p.zip") as zf:
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in zf.infolist()}
    assert modes == {"p/x.txt": 0o600}
    assert stat.S_IMODE((tmp_path / "p.zip").stat().st_mode) == 0o600
