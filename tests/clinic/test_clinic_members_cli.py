"""The clinic commands end to end on a real PostgreSQL: init -> join -> admit -> case new ->
add -> verify, and two members writing to one case from two processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from conftest import PASSPHRASE
from ncii_desk.clinic.members import FingerprintMismatch, MemberPending
from ncii_desk.clinic.store import ClinicStore

SECOND_PASSPHRASE = "second member passphrase words"


def _picture(path: Path, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)).save(path)
    return path


def _init_and_join(
    cli: Any, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, Any], dict[str, Any]]:
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    made = cli(
        "clinic-server",
        "init",
        "--db",
        url,
        "--blobs",
        str(tmp_path / "blobs"),
        "--name",
        "Eastside Clinic",
        "--member-name",
        "Ada Advocate",
        "--json",
    )
    assert made.rc == 0, made.err
    first = made.json()
    assert first["member_name"] == "Ada Advocate" and first["recovery_key"]
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", SECOND_PASSPHRASE)
    joined = cli("clinic", "join", "--db", url, "--name", "Bo Barrister", "--json")
    assert joined.rc == 0, joined.err
    return first, joined.json()


def test_cli_init_join_admit_then_work_on_a_case(
    cli: Any, clinic_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _init_and_join(cli, clinic_url, tmp_path, monkeypatch)
    assert second["fingerprint"] in second["admit_command"]

    pending = cli("--vault", clinic_url, "--member", second["member_id"], "case", "list")
    assert pending.rc == MemberPending.exit_code
    assert "clinic admit" in pending.err and second["fingerprint"] in pending.err

    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    as_first = ("--vault", clinic_url, "--member", first["member_id"])
    bad = cli(*as_first, "clinic", "admit", second["member_id"], "--fingerprint", "AAAA-BBBB")
    assert bad.rc == FingerprintMismatch.exit_code and "does not match" in bad.err
    ok = cli(
        *as_first, "clinic", "admit", second["member_id"], "--fingerprint", second["fingerprint"]
    )
    assert ok.rc == 0, ok.err
    listed = cli(*as_first, "clinic", "members", "--json")
    assert listed.rc == 0, listed.err
    assert {(m["name"], m["status"]) for m in listed.json()} == {
        ("Ada Advocate", "admitted"),
        ("Bo Barrister", "admitted"),
    }

    monkeypatch.setenv("NCII_DESK_PASSPHRASE", SECOND_PASSPHRASE)
    monkeypatch.setenv("NCII_DESK_MEMBER", second["member_id"])
    case = cli("--vault", clinic_url, "case", "new", "Case 2026-001", "--json")
    assert case.rc == 0, case.err
    case_id = case.json()["id"]
    added = cli(
        "--vault",
        clinic_url,
        "add",
        "original",
        case_id,
        str(_picture(tmp_path / "one.png", 1)),
        "--no-hash",
    )
    assert added.rc == 0, added.err
    items = cli("--vault", clinic_url, "item", "list", case_id, "--json")
    assert items.rc == 0 and len(items.json()) == 1, items.err
    verified = cli("--vault", clinic_url, "audit", "verify", "--json")
    assert verified.rc == 0 and verified.json()["ok"], verified.out
    checked = cli("--vault", clinic_url, "vault", "check", "--json")
    assert checked.rc == 0 and checked.json()["blobs_checked"] == 1, checked.out

    laptop_only = cli("--vault", clinic_url, "vault", "change-passphrase")
    assert laptop_only.rc == 2 and "clinic passphrase" in laptop_only.err
    monkeypatch.setenv("NCII_DESK_NEW_PASSPHRASE", "a brand new passphrase")
    changed = cli("--vault", clinic_url, "clinic", "passphrase")
    assert changed.rc == 0, changed.err
    old = cli("--vault", clinic_url, "case", "list")
    assert old.rc == 4 and "not correct for this member" in old.err
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", "a brand new passphrase")
    assert cli("--vault", clinic_url, "case", "list").rc == 0

    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    monkeypatch.delenv("NCII_DESK_MEMBER")
    gone = cli(*as_first, "clinic", "remove-member", second["member_id"])
    assert gone.rc == 0, gone.err
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", "a brand new passphrase")
    refused = cli("--vault", clinic_url, "--member", second["member_id"], "case", "list")
    assert refused.rc == 5 and "was removed" in refused.err


def _cli_process(url: str, member: str, passphrase: str, *argv: str) -> subprocess.Popen[str]:
    env = dict(os.environ, NCII_DESK_PASSPHRASE=passphrase, NCII_DESK_MEMBER=member)
    return subprocess.Popen(
        [sys.executable, "-m", "ncii_desk", "--vault", url, *argv],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_members_write_to_one_case_from_two_processes(
    cli: Any, clinic_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _init_and_join(cli, clinic_url, tmp_path, monkeypatch)
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    as_first = ("--vault", clinic_url, "--member", first["member_id"])
    assert (
        cli(
            *as_first,
            "clinic",
            "admit",
            second["member_id"],
            "--fingerprint",
            second["fingerprint"],
        ).rc
        == 0
    )
    case = cli(*as_first, "case", "new", "Shared case", "--json")
    assert case.rc == 0, case.err
    case_id = case.json()["id"]
    # The second member works on the case once its creator adds them (per-case keys).
    added = cli(*as_first, "case", "add-member", case_id, second["member_id"], "--role", "advocate")
    assert added.rc == 0, added.err

    a_files = [str(_picture(tmp_path / f"a{i}.png", 10 + i)) for i in range(3)]
    b_files = [str(_picture(tmp_path / f"b{i}.png", 20 + i)) for i in range(3)]
    procs = [
        _cli_process(
            clinic_url,
            first["member_id"],
            PASSPHRASE,
            "add",
            "original",
            case_id,
            *a_files,
            "--no-hash",
        ),
        _cli_process(
            clinic_url,
            second["member_id"],
            SECOND_PASSPHRASE,
            "add",
            "suspect",
            case_id,
            *b_files,
            "--no-hash",
        ),
    ]
    for proc in procs:
        _out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err

    items = cli(*as_first, "item", "list", case_id, "--json")
    assert items.rc == 0, items.err
    assert len(items.json()) == 6
    verified = cli(*as_first, "audit", "verify", "--json")
    assert verified.rc == 0 and verified.json()["ok"], verified.out
    with ClinicStore.open_member(clinic_url, first["member_id"], passphrase=PASSPHRASE) as store:
        from sqlalchemy import select

        from ncii_desk.vault.models import AuditEvent

        with store.session() as s:
            actors = set(
                s.scalars(select(AuditEvent.actor).where(AuditEvent.action == "item.added"))
            )
    assert actors == {first["member_id"], second["member_id"]}
    log = json.loads(cli(*as_first, "audit", "log", "--json").out)
    assert all("Ada" not in e["actor"] and "Bo" not in e["actor"] for e in log)


def test_laptop_only_commands_and_missing_options_say_so(
    cli: Any, clinic_store: ClinicStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    url = clinic_store.url
    made = cli("--vault", url, "vault", "init")
    assert made.rc == 2 and "clinic-server init" in made.err
    info = cli("--vault", url, "--member", str(clinic_store.member_id), "vault", "info")
    assert info.rc == 2 and "laptop vault" in info.err
    no_blobs = cli("clinic-server", "init", "--db", url, "--name", "N", "--member-name", "M")
    assert no_blobs.rc == 2 and "--blobs" in no_blobs.err
    named = cli(
        "--vault", url, "--member", str(clinic_store.member_id), "--operator", "Ada", "case", "list"
    )
    assert named.rc == 0, named.err
    assert "--operator is not used on a clinic store" in named.err
    wrong = cli("--vault", "mysql://x@y/z", "case", "list")
    assert wrong.rc == 2 and "postgresql://" in wrong.err
