"""The ``ncii-desk`` command line: output shapes, exit codes and error messages.

Most commands run in-process through ``main(argv)`` (fast); a few run the real executable.
Exit codes (cli/main.py): 0 ok, 1 error, 2 usage, 3 integrity, 4 wrong secret,
5 locked / in use, 6 vault missing or already exists, 7 some items failed, 130 cancelled.
Only generated, benign bytes are used.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from clikit import Cli, Result

from conftest import PASSPHRASE, fast_kdf
from ncii_desk import __version__
from ncii_desk.vault import Vault

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
NEW_PASSPHRASE = "a brand new passphrase for the desk"
ERROR_KEYS = {"error", "message", "hint"}
EXE = shutil.which("ncii-desk") or str(Path(sys.executable).with_name("ncii-desk"))


Stocked = tuple[dict[str, Any], dict[str, Any], bytes]


def run_exe(*argv: str, env: dict[str, str] | None = None) -> Result:
    proc = subprocess.run(
        [EXE, *argv],
        capture_output=True,
        text=True,
        timeout=60,
        env=env if env is not None else dict(os.environ),
        stdin=subprocess.DEVNULL,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def assert_json_error(result: Result, error: str, rc: int) -> dict[str, str]:
    assert result.rc == rc, (result.out, result.err)
    data = json.loads(result.out)
    assert isinstance(data, dict)
    assert set(data) >= ERROR_KEYS
    assert data["error"] == error
    assert data["message"] and data["hint"]
    assert all(isinstance(data[k], str) for k in ERROR_KEYS)
    assert data["message"] in result.err  # the human-readable copy goes to stderr
    return data


@pytest.fixture(scope="module")
def template_vault(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One vault made once per module; each test works on its own copy."""
    root = tmp_path_factory.mktemp("template") / "vault"
    vault, recovery = Vault.create(root, PASSPHRASE, kdf=fast_kdf(), actor="test-advocate")
    vault.close()
    return root, recovery


@dataclass
class Desk:
    root: Path
    recovery_key: str


@pytest.fixture
def desk(template_vault: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Desk:
    """An existing vault with NCII_DESK_VAULT and NCII_DESK_PASSPHRASE set."""
    root = tmp_path / "vault"
    shutil.copytree(template_vault[0], root)
    monkeypatch.setenv("NCII_DESK_VAULT", str(root))
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    return Desk(root, template_vault[1])


@pytest.fixture
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    folder.mkdir()
    return folder


def new_case(cli: Cli, label: str = "Case 2026-014", *extra: str) -> dict[str, Any]:
    result = cli("case", "new", label, "--json", *extra)
    assert result.rc == 0, result.err
    return result.json()  # type: ignore[no-any-return]


def add(cli: Cli, role: str, case: str, *paths: Path | str) -> tuple[int, dict[str, Any]]:
    result = cli("add", role, case, *(str(p) for p in paths), "--json")
    return result.rc, result.json()


# --- version and usage ----------------------------------------------------------------------


def test_version(cli: Cli) -> None:
    result = cli("--version")
    assert result.rc == 0
    assert result.out.strip() == f"ncii-desk {__version__}"


def test_version_of_the_installed_executable() -> None:
    result = run_exe("--version")
    assert result.rc == 0
    assert result.out.strip() == f"ncii-desk {__version__}"
    proc = subprocess.run(
        [sys.executable, "-m", "ncii_desk", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0 and proc.stdout.strip() == f"ncii-desk {__version__}"


def test_usage_errors_exit_2(cli: Cli) -> None:
    # (no command at all opens the window: tests/gui/test_launch.py)
    assert cli("vault").rc == 2  # a group without its action
    result = cli("add", "not-a-role", "case", "file")
    assert result.rc == 2
    assert "invalid choice" in result.err


# --- vault init -------------------------------------------------------------------------------


@pytest.fixture
def init_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "new-vault"
    monkeypatch.setenv("NCII_DESK_VAULT", str(root))
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    return root


FAST_INIT = ("vault", "init", "--kdf-memory-mib", "64", "--kdf-seconds", "0.05")


def test_vault_init_prints_the_recovery_key_once(cli: Cli, init_env: Path) -> None:
    result = cli(*FAST_INIT)
    assert result.rc == 0, result.err
    assert "RECOVERY KEY" in result.out
    assert f"Vault created in {init_env.resolve()}" in result.out
    key_lines = [line.strip() for line in result.out.splitlines() if line.startswith("    ")]
    assert len(key_lines) == 1
    key = key_lines[0]
    assert result.out.count(key) == 1
    assert key not in result.err
    assert PASSPHRASE not in result.out + result.err
    assert (init_env / "vault.hdr").is_file() and (init_env / "vault.hdr.bak").is_file()
    # the printed key opens the vault; the passphrase does too
    with Vault.open(init_env, recovery_key=key) as vault:
        assert vault.header.kdf.memory_kib == 64 * 1024
    assert cli("vault", "info", "--json").rc == 0


def test_vault_init_json(cli: Cli, init_env: Path, tmp_path: Path) -> None:
    key_file = tmp_path / "recovery.txt"
    result = cli(*FAST_INIT, "--json", "--recovery-key-out", str(key_file))
    assert result.rc == 0, result.err
    info = result.json()
    assert {"vault", "vault_id", "kdf", "recovery_key"} <= set(info)
    assert info["vault"] == str(init_env.resolve())
    assert info["kdf"]["name"] == "argon2id"
    assert info["kdf"]["memory_mib"] >= 64
    assert info["kdf"]["time_cost"] >= 1
    assert key_file.read_text().strip() == info["recovery_key"]
    with Vault.open(init_env, recovery_key=info["recovery_key"]) as vault:
        assert vault.vault_id == info["vault_id"]
    shown = cli("vault", "info", "--json").json()
    assert shown["vault_id"] == info["vault_id"]
    assert shown["kdf"] == info["kdf"]
    assert shown["cases"] == 0


def test_vault_init_into_a_non_empty_folder_exits_6(cli: Cli, init_env: Path) -> None:
    init_env.mkdir()
    (init_env / "notes.txt").write_text("keep me")
    result = cli(*FAST_INIT, "--json")
    data = assert_json_error(result, "VaultExists", 6)
    assert "not empty" in data["message"]
    assert sorted(p.name for p in init_env.iterdir()) == ["notes.txt"]
    assert (init_env / "notes.txt").read_text() == "keep me"
    assert cli(*FAST_INIT).rc == 6


def test_vault_init_recovery_key_out_is_private_and_never_overwritten(
    cli: Cli, init_env: Path, tmp_path: Path
) -> None:
    key_file = tmp_path / "key.txt"
    result = cli(*FAST_INIT, "--recovery-key-out", str(key_file))
    assert result.rc == 0, result.err
    key = key_file.read_text().strip()
    assert key in result.out
    if os.name == "posix":
        assert key_file.stat().st_mode & 0o777 == 0o600

    other_vault = tmp_path / "second"
    again = cli(
        *FAST_INIT, "--json", "--vault", str(other_vault), "--recovery-key-out", str(key_file)
    )
    data = assert_json_error(again, "InvalidSetting", 2)
    assert "already exists" in data["message"]
    assert key_file.read_text().strip() == key
    assert not other_vault.exists()


def test_vault_init_refuses_too_little_kdf_memory(cli: Cli, init_env: Path) -> None:
    argv = ["vault", "init", "--kdf-memory-mib", "32", "--kdf-seconds", "0.05", "--json"]
    data = assert_json_error(cli(*argv), "InvalidSetting", 2)
    assert "64 MiB" in data["message"]
    assert not init_env.exists() or not any(init_env.iterdir())


@pytest.mark.parametrize("weak", ["short", "password", "Password1!", "12345678", "aaaaaaaaaa"])
def test_vault_init_refuses_a_weak_passphrase(
    cli: Cli, init_env: Path, monkeypatch: pytest.MonkeyPatch, weak: str
) -> None:
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", weak)
    result = cli(*FAST_INIT, "--json")
    assert_json_error(result, "WeakPassphrase", 1)
    assert not init_env.exists() or not any(init_env.iterdir())


# --- cases ----------------------------------------------------------------------------------


def test_case_new_list_show(cli: Cli, desk: Desk) -> None:
    case = new_case(cli, "Case 2026-014", "--pseudonym", "Robin", "--jurisdiction", "US-CA")
    assert case["label"] == "Case 2026-014"
    assert case["client_pseudonym"] == "Robin"
    assert case["jurisdiction"] == "US-CA"
    assert case["suspected_minor"] is False
    assert len(case["id"]) == 32 and case["created_at"].endswith("Z")
    minor = new_case(cli, "Case 2026-015", "--suspected-minor")
    assert minor["suspected_minor"] is True

    listed = cli("case", "list", "--json")
    assert listed.rc == 0
    data = listed.json()
    assert [c["id"] for c in data] == [case["id"], minor["id"]]
    for c in data:
        counts = {"originals", "references", "suspects", "open_requests", "nearest_deadline"}
        assert set(c) >= counts
        assert c["originals"] == c["references"] == c["suspects"] == c["open_requests"] == 0

    by_label = cli("case", "show", "case 2026-014", "--json")
    assert by_label.rc == 0 and by_label.json()["id"] == case["id"]
    by_prefix = cli("case", "show", minor["id"][:8], "--json")
    assert by_prefix.rc == 0 and by_prefix.json()["id"] == minor["id"]

    text_list = cli("case", "list")
    assert "Case 2026-014" in text_list.out and "Robin" in text_list.out
    assert case["id"][:12] in text_list.out

    clash = cli("case", "new", "CASE 2026-014", "--json")
    data = assert_json_error(clash, "NciiDeskError", 1)
    assert "already exists" in data["message"]
    assert len(cli("case", "list", "--json").json()) == 2

    missing = cli("case", "show", "no such case", "--json")
    assert_json_error(missing, "CaseNotFound", 1)
    assert cli("case", "new", "   ", "--json").rc == 1


# --- add ------------------------------------------------------------------------------------


def test_add_original_reference_suspect(cli: Cli, desk: Desk, files: Path) -> None:
    case = new_case(cli)
    orig = files / "orig.png"
    orig.write_bytes(PNG_MAGIC + os.urandom(5000))
    ref = files / "face.jpg"
    ref.write_bytes(JPEG_MAGIC + os.urandom(3000))
    folder = files / "found"
    folder.mkdir()
    (folder / "copy.jpg").write_bytes(orig.read_bytes())  # same bytes, another name
    (folder / "other.bin").write_bytes(JPEG_MAGIC + os.urandom(1000))
    (folder / ".hidden").write_bytes(os.urandom(10))

    rc, out = add(cli, "original", case["id"], orig)
    assert rc == 0
    assert set(out) == {
        "added",
        "duplicates",
        "errors",
        "skipped",
        "cancelled",
        "already_in_case",
        "hashing",
    }
    assert out["hashing"]["hashed"] == 0  # random bytes behind a PNG signature: not decodable
    assert "cannot be decoded" in out["hashing"]["errors"][0]["error"]
    (orig_item,) = out["added"]
    assert orig_item["role"] == "original" and orig_item["mime"] == "image/png"
    assert orig_item["sha256"] == hashlib.sha256(orig.read_bytes()).hexdigest()
    assert orig_item["md5"] == hashlib.md5(orig.read_bytes()).hexdigest()
    assert out["duplicates"] == 0 and out["errors"] == [] and out["cancelled"] is False

    rc, out = add(cli, "reference", "Case 2026-014", ref)
    assert rc == 0 and out["added"][0]["role"] == "reference"
    assert out["added"][0]["mime"] == "image/jpeg"

    rc, out = add(cli, "suspect", case["id"], folder)
    assert rc == 0
    by_name = {i["original_filename"]: i for i in out["added"]}
    assert set(by_name) == {"copy.jpg", "other.bin"}
    assert by_name["copy.jpg"]["duplicate_of"] == orig_item["id"]
    assert by_name["copy.jpg"]["mime"] == "image/png"
    assert out["duplicates"] == 1
    assert out["skipped"] == [str(folder / ".hidden")]
    assert all(i["source"] == "folder-scan" for i in out["added"])

    shown = cli("case", "show", case["id"], "--json").json()
    assert (shown["originals"], shown["references"], shown["suspects"]) == (1, 1, 2)

    text = cli("add", "suspect", case["id"], str(orig))  # copy.jpg holds these bytes already
    assert text.rc == 0
    assert "Added 0 item(s) as suspect." in text.out
    copy_id = by_name["copy.jpg"]["id"][:12]
    assert f"already in this case: {orig} (same file as item {copy_id})" in text.out
    text = cli("add", "suspect", case["id"], str(orig), "--again")
    assert text.rc == 0
    assert "Added 1 item(s) as suspect, 1 of them duplicates" in text.out


def test_add_with_failures_exits_7_and_keeps_the_rest(cli: Cli, desk: Desk, files: Path) -> None:
    case = new_case(cli)
    good = files / "good.png"
    good.write_bytes(PNG_MAGIC + os.urandom(2000))
    empty = files / "empty.png"
    empty.write_bytes(b"")
    missing = files / "missing.png"

    rc, out = add(cli, "suspect", case["id"], missing, good, empty)
    assert rc == 7
    assert [i["original_filename"] for i in out["added"]] == ["good.png"]
    assert [e["path"] for e in out["errors"]] == [str(missing), str(empty)]
    for err in out["errors"]:
        assert set(err) == {"path", "message", "hint"} and err["message"] and err["hint"]
    assert "does not exist" in out["errors"][0]["message"]
    assert "empty" in out["errors"][1]["message"]

    listed = cli("item", "list", case["id"], "--json").json()
    assert [i["id"] for i in listed] == [out["added"][0]["id"]]

    # when nothing at all could be added the code is 1 (docs/cli.md, exit code table)
    text = cli("add", "suspect", case["id"], str(missing))
    assert text.rc == 1
    assert "Added 0 item(s)" in text.out
    assert f"error: {missing}" in text.err and "does not exist" in text.err
    rc, none_added = add(cli, "suspect", case["id"], missing, empty)
    assert rc == 1
    assert none_added["added"] == [] and len(none_added["errors"]) == 2

    assert cli("vault", "check").rc == 0


def test_add_to_an_unknown_case(cli: Cli, desk: Desk, files: Path) -> None:
    path = files / "a.bin"
    path.write_bytes(os.urandom(100))
    result = cli("add", "suspect", "no-such-case", str(path), "--json")
    assert_json_error(result, "CaseNotFound", 1)


# --- items ----------------------------------------------------------------------------------


@pytest.fixture
def stocked(cli: Cli, desk: Desk, files: Path) -> Stocked:
    """A case with one original (returned with its bytes) and one suspect."""
    case = new_case(cli)
    data = PNG_MAGIC + os.urandom(150_000)
    path = files / "evidence 01.png"
    path.write_bytes(data)
    rc, out = add(cli, "original", case["id"], path)
    assert rc == 0
    suspect = files / "s.jpg"
    suspect.write_bytes(JPEG_MAGIC + os.urandom(800))
    assert add(cli, "suspect", case["id"], suspect)[0] == 0
    return case, out["added"][0], data


def test_item_list_and_show(cli: Cli, stocked: Stocked) -> None:
    case, item, data = stocked
    listed = cli("item", "list", case["id"], "--json")
    assert listed.rc == 0
    all_items = listed.json()
    assert [i["role"] for i in all_items] == ["original", "suspect"]
    assert all_items[0] == item
    originals = cli("item", "list", case["label"], "--role", "original", "--json").json()
    assert originals == [item]

    shown = cli("item", "show", item["id"][:10], "--json")
    assert shown.rc == 0 and shown.json() == item
    assert item["size"] == len(data)

    text = cli("item", "list", case["id"])
    assert item["id"][:12] in text.out and "evidence 01.png" in text.out
    assert item["sha256"][:16] in text.out

    assert_json_error(cli("item", "show", "ffffffffffff", "--json"), "ItemNotFound", 1)


def test_item_export(
    cli: Cli,
    stocked: Stocked,
    tmp_path: Path,
) -> None:
    _case, item, data = stocked
    out_dir = tmp_path / "exports"
    out_dir.mkdir()

    result = cli("item", "export", item["id"], "--out", str(out_dir), "--reason", "court", "--json")
    assert result.rc == 0, result.err
    exported = Path(result.json()["exported"])
    assert exported == out_dir / "evidence 01.png"
    assert exported.read_bytes() == data

    target = tmp_path / "named.png"
    assert cli("item", "export", item["id"], "--out", str(target)).rc == 0
    assert target.read_bytes() == data

    target.write_bytes(b"do not clobber")
    again = cli("item", "export", item["id"], "--out", str(target))
    assert again.rc == 1
    assert "already exists" in again.err
    assert target.read_bytes() == b"do not clobber"
    assert_json_error(
        cli("item", "export", item["id"], "--out", str(target), "--json"), "ExportError", 1
    )

    forced = cli("item", "export", item["id"], "--out", str(target), "--overwrite")
    assert forced.rc == 0 and "audit" in forced.out
    assert target.read_bytes() == data

    log = cli("audit", "log", "--json", "--limit", "200")
    assert log.rc == 0
    exports = [e for e in log.json() if e["action"] == "item.exported"]
    assert len(exports) == 3  # the refused export is not logged
    assert all(e["object_id"] == item["id"] for e in exports)
    assert exports[0]["details"]["reason"] == "court"
    assert exports[0]["details"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert exports[0]["details"]["file_name"] == "evidence 01.png"
    assert exports[1]["details"]["file_name"] == "named.png"
    assert [e["seq"] for e in log.json()] == sorted(e["seq"] for e in log.json())


# --- vault check and audit --------------------------------------------------------------------


def test_vault_check_healthy_then_damaged_blob(cli: Cli, stocked: Stocked, desk: Desk) -> None:
    _case, item, _data = stocked
    healthy = cli("vault", "check", "--json")
    assert healthy.rc == 0, healthy.out
    report = healthy.json()
    assert report["ok"] is True and report["problems"] == []
    assert report["blobs_checked"] == 2
    assert report["audit_events"] > 0
    text = cli("vault", "check")
    assert text.rc == 0 and text.out.startswith("Vault OK")

    blob_files = sorted(p for p in (desk.root / "blobs").rglob("*") if p.is_file())
    assert len(blob_files) == 2
    sizes = {p: p.stat().st_size for p in blob_files}
    damaged = max(sizes, key=lambda p: sizes[p])  # the 150 kB original
    raw = bytearray(damaged.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    damaged.write_bytes(bytes(raw))
    rel = damaged.relative_to(desk.root).as_posix()

    broken = cli("vault", "check", "--json")
    assert broken.rc == 3
    report = broken.json()
    assert report["ok"] is False
    assert [p["file"] for p in report["problems"]] == [rel]
    assert report["problems"][0]["message"]
    text = cli("vault", "check")
    assert text.rc == 3
    assert "VAULT CHECK FAILED" in text.out and rel in text.out

    # exporting the damaged item fails as an integrity error, and writes nothing
    out = desk.root.parent / "out.png"
    assert_json_error(
        cli("item", "export", item["id"], "--out", str(out), "--json"), "VaultCorrupt", 3
    )
    assert not out.exists()


def test_audit_verify(cli: Cli, stocked: Stocked) -> None:
    result = cli("audit", "verify", "--json")
    assert result.rc == 0
    report = result.json()
    assert report["ok"] is True
    assert report["events"] >= 4
    text = cli("audit", "verify")
    assert text.rc == 0 and text.out.startswith("Audit chain OK")
    actions = [e["action"] for e in cli("audit", "log", "--json").json()]
    assert actions[0] == "vault.created"
    assert actions.count("item.added") == 2 and "case.created" in actions


# --- secrets --------------------------------------------------------------------------------


def test_change_passphrase_then_old_fails_and_recovery_works(
    cli: Cli, desk: Desk, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    case = new_case(cli)
    monkeypatch.setenv("NCII_DESK_NEW_PASSPHRASE", NEW_PASSPHRASE)
    changed = cli("vault", "change-passphrase", "--json")
    assert changed.rc == 0, changed.err
    assert changed.json() == {"changed": True, "generation": 2}

    old = cli("case", "list", "--json")
    data = assert_json_error(old, "WrongPassphrase", 4)
    assert "passphrase is not correct" in data["message"]

    monkeypatch.setenv("NCII_DESK_PASSPHRASE", NEW_PASSPHRASE)
    new = cli("case", "list", "--json")
    assert new.rc == 0 and [c["id"] for c in new.json()] == [case["id"]]

    # the recovery key from vault creation still opens it, from a file or the environment
    key_file = tmp_path / "recovery.txt"
    key_file.write_text(desk.recovery_key + "\n")
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)  # wrong, but the file wins
    via_file = cli("case", "list", "--json", "--recovery-key-file", str(key_file))
    assert via_file.rc == 0 and via_file.json()[0]["id"] == case["id"]
    monkeypatch.delenv("NCII_DESK_PASSPHRASE")
    monkeypatch.setenv("NCII_DESK_RECOVERY_KEY", desk.recovery_key.lower().replace("-", " "))
    via_env = cli("case", "list", "--json")
    assert via_env.rc == 0 and via_env.json()[0]["id"] == case["id"]
    log = cli("audit", "log", "--json").json()
    assert "vault.passphrase_changed" in [e["action"] for e in log]
    assert log[-1]["details"]["with"] == "recovery key"


def test_wrong_passphrase_exits_4(cli: Cli, desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", "not the right passphrase")
    result = cli("case", "list")
    assert result.rc == 4
    assert "passphrase is not correct" in result.err
    assert "not the right passphrase" not in result.err + result.out
    assert_json_error(cli("case", "list", "--json"), "WrongPassphrase", 4)


def test_wrong_recovery_key_exits_4(
    cli: Cli, desk: Desk, monkeypatch: pytest.MonkeyPatch, template_vault: tuple[Path, str]
) -> None:
    monkeypatch.delenv("NCII_DESK_PASSPHRASE")
    monkeypatch.setenv("NCII_DESK_RECOVERY_KEY", "AAAA-BBBB")
    assert_json_error(cli("case", "list", "--json"), "RecoveryKeyInvalid", 4)


def test_missing_vault_exits_6(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NCII_DESK_VAULT", str(tmp_path / "nowhere"))
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    data = assert_json_error(cli("case", "list", "--json"), "VaultNotFound", 6)
    assert "No NCII Desk vault" in data["message"]
    assert "vault init" in data["hint"]
    assert cli("vault", "check").rc == 6
    assert not (tmp_path / "nowhere").exists()
    # --vault on the command line wins over the environment
    other = cli("--vault", str(tmp_path / "elsewhere"), "case", "list")
    assert other.rc == 6 and "elsewhere" in other.err


def test_passphrase_file(
    cli: Cli, desk: Desk, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("NCII_DESK_PASSPHRASE")
    secret = tmp_path / "pass.txt"
    secret.write_text(PASSPHRASE + "\n")
    result = cli("--passphrase-file", str(secret), "case", "new", "via file", "--json")
    assert result.rc == 0, result.err
    assert result.json()["label"] == "via file"
    after = cli("case", "list", "--json", "--passphrase-file", str(secret))
    assert after.rc == 0 and [c["label"] for c in after.json()] == ["via file"]

    secret.write_text("wrong passphrase entirely\n")
    assert cli("case", "list", "--passphrase-file", str(secret)).rc == 4
    unreadable = cli("case", "list", "--json", "--passphrase-file", str(tmp_path / "nope.txt"))
    data = assert_json_error(unreadable, "NciiDeskError", 1)
    assert "could not be read" in data["message"]


def test_no_passphrase_and_no_terminal_exits_5(
    cli: Cli, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NCII_DESK_PASSPHRASE")
    assert not sys.stdin.isatty()
    data = assert_json_error(cli("case", "list", "--json"), "VaultLocked", 5)
    assert "No passphrase was given" in data["message"]
    assert "--passphrase-file" in data["hint"]

    env = {k: v for k, v in os.environ.items() if k != "NCII_DESK_PASSPHRASE"}
    result = run_exe("case", "list", env=env)
    assert result.rc == 5
    assert "No passphrase was given and there is no terminal" in result.err
    assert "--passphrase-file" in result.err


@pytest.fixture
def held_open(desk: Desk) -> Iterator[subprocess.Popen[str]]:
    """Another process that holds the vault open."""
    script = textwrap.dedent(
        """
        import os, sys, time
        from pathlib import Path
        from ncii_desk.vault import Vault
        vault = Vault.open(Path(sys.argv[1]), passphrase=os.environ["NCII_DESK_PASSPHRASE"])
        print("ready", flush=True)
        time.sleep(120)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(desk.root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if line.strip() != "ready":
            proc.kill()
            _, err = proc.communicate(timeout=30)
            pytest.fail(f"the holder did not open the vault: {line!r} {err}")
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)


def test_vault_in_use_by_another_process_exits_5(
    cli: Cli, desk: Desk, held_open: subprocess.Popen[str]
) -> None:
    result = cli("case", "list")
    assert result.rc == 5
    assert "already open" in result.err
    data = assert_json_error(cli("case", "list", "--json"), "VaultInUse", 5)
    assert "already open" in data["message"]
    assert run_exe("vault", "check").rc == 5

    held_open.kill()
    held_open.wait(30)
    deadline = time.monotonic() + 10
    while (again := cli("case", "list", "--json")).rc == 5 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert again.rc == 0 and again.json() == []


# --- real executable end to end -----------------------------------------------------------


def test_executable_end_to_end(desk: Desk, files: Path, tmp_path: Path) -> None:
    data = PNG_MAGIC + os.urandom(40_000)
    src = files / "photo.jpg"
    src.write_bytes(data)
    result = run_exe("case", "new", "Case EXE", "--json")
    assert result.rc == 0, result.err
    case_id = json.loads(result.out)["id"]

    result = run_exe("add", "original", case_id, str(src), str(files / "gone.png"), "--json")
    assert result.rc == 7, result.err
    out = json.loads(result.out)
    (item,) = out["added"]
    assert item["mime"] == "image/png"
    assert item["sha256"] == hashlib.sha256(data).hexdigest()
    assert len(out["errors"]) == 1 and out["errors"][0]["path"] == str(files / "gone.png")

    target = tmp_path / "exported.jpg"
    result = run_exe("item", "export", item["id"], "--out", str(target), "--reason", "police")
    assert result.rc == 0, result.err
    assert target.read_bytes() == data

    result = run_exe("vault", "check", "--json")
    assert result.rc == 0 and json.loads(result.out)["ok"] is True
    result = run_exe("audit", "log", "--json")
    events = json.loads(result.out)
    exported = [e for e in events if e["action"] == "item.exported"]
    assert len(exported) == 1 and exported[0]["object_id"] == item["id"]
    assert exported[0]["details"]["reason"] == "police"


# --- every --json error is one object with error, message, hint -----------------------------


@pytest.mark.parametrize(
    ("argv", "error", "rc"),
    [
        (["case", "show", "missing-case", "--json"], "CaseNotFound", 1),
        (["item", "show", "0123456789ab", "--json"], "ItemNotFound", 1),
        (["vault", "info", "--json", "--vault", "{tmp}/none"], "VaultNotFound", 6),
        (["case", "list", "--json", "--passphrase-file", "{tmp}/bad-pass"], "WrongPassphrase", 4),
        (["add", "suspect", "missing-case", "{tmp}/x", "--json"], "CaseNotFound", 1),
        (["vault", "change-passphrase", "--json"], "VaultLocked", 5),
    ],
)
def test_json_errors_are_objects_with_error_message_hint(
    cli: Cli, desk: Desk, tmp_path: Path, argv: list[str], error: str, rc: int
) -> None:
    (tmp_path / "bad-pass").write_text("definitely the wrong one\n")
    (tmp_path / "x").write_bytes(os.urandom(10))
    result = cli(*(a.replace("{tmp}", str(tmp_path)) for a in argv))
    data = assert_json_error(result, error, rc)
    assert PASSPHRASE not in result.out + result.err
    assert "definitely the wrong one" not in result.out + result.err
    assert set(data) <= ERROR_KEYS | {"file", "entry"}
