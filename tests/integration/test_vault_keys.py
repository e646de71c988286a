"""Header, key hierarchy and unlocking of a real vault on disk (real Argon2id, real SQLCipher).

Covers the KDF property (parameters stored in and read from the header, >= 64 MiB), the
difference between a wrong passphrase and a corrupt header, header backup repair, the
recovery key, passphrase changes and the OS-level single-writer lock.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import ncii_desk
from conftest import PASSPHRASE, fast_kdf
from ncii_desk import errors
from ncii_desk.services import vaults
from ncii_desk.vault import KdfParams, Vault
from ncii_desk.vault.keys import MIN_MEMORY_KIB, PRODUCT_FLOOR, canonical_json, tune_kdf
from ncii_desk.vault.models import AuditEvent, Case

NEW_PASSPHRASE = "a completely different long passphrase"
REPO_ROOT = Path(ncii_desk.__file__).resolve().parents[1]


# --- helpers --------------------------------------------------------------------------------


def header_doc(root: Path, name: str = "vault.hdr") -> dict[str, Any]:
    return json.loads((root / name).read_bytes())


def rewrite_header(root: Path, mutate: Callable[[dict[str, Any]], None], *names: str) -> None:
    """Edit header fields and recompute the (unkeyed) checksum, like a deliberate attacker."""
    for name in names or ("vault.hdr", "vault.hdr.bak"):
        doc = header_doc(root, name)
        mutate(doc["header"])
        doc["checksum"] = hashlib.sha256(canonical_json(doc["header"])).hexdigest()
        (root / name).write_bytes(json.dumps(doc, indent=2).encode() + b"\n")


def flip_bit_in_value(path: Path, value: str, bit: int = 0x01) -> None:
    """Flip one bit in the middle of ``value`` where it appears in the file's raw bytes."""
    raw = bytearray(path.read_bytes())
    start = raw.index(value.encode())
    raw[start + len(value) // 2] ^= bit
    path.write_bytes(bytes(raw))


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    out: dict[str, tuple[bytes, int]] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file():
            out[rel] = (path.read_bytes(), path.stat().st_mtime_ns)
        else:
            out[rel + "/"] = (b"", 0)
    return out


def files_under(base: Path) -> list[str]:
    return sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file())


def add_case(vault: Vault, label: str) -> str:
    with vault.transaction() as s:
        case = Case(label=label)
        s.add(case)
        s.flush()
        vault.audit(s, "case.created", object_id=case.id)
        return case.id


def case_labels(vault: Vault) -> list[str]:
    with vault.session() as s:
        return sorted(s.scalars(select(Case.label)))


@pytest.fixture
def closed_vault(new_vault: tuple[Vault, str], vault_dir: Path) -> tuple[Path, str]:
    """A vault with one case, closed again: (folder, recovery key text)."""
    vault, recovery = new_vault
    add_case(vault, "case one")
    vault.close()
    return vault_dir, recovery


# --- KDF ------------------------------------------------------------------------------------


def test_header_stores_argon2id_with_at_least_64_mib(closed_vault: tuple[Path, str]) -> None:
    root, _ = closed_vault
    primary, backup = header_doc(root), header_doc(root, "vault.hdr.bak")
    assert primary == backup
    kdf = primary["header"]["kdf"]
    assert kdf["name"] == "argon2id"
    assert kdf["version"] == 19
    assert kdf["memory_kib"] >= 65536
    assert kdf["time_cost"] >= 1
    assert len(base64.b64decode(kdf["salt"])) == 16
    # The salt is per vault: a second vault gets another one.
    other = root.parent / "other"
    Vault.create(other, PASSPHRASE, kdf=fast_kdf())[0].close()
    assert header_doc(other)["header"]["kdf"]["salt"] != kdf["salt"]


def test_unlock_uses_the_parameters_stored_in_the_header(vault_dir: Path) -> None:
    params = KdfParams(
        memory_kib=MIN_MEMORY_KIB, time_cost=2, parallelism=1, salt=secrets.token_bytes(16)
    )
    vault, _ = Vault.create(vault_dir, PASSPHRASE, kdf=params)
    vault.close()
    stored = header_doc(vault_dir)["header"]["kdf"]
    assert (stored["memory_kib"], stored["time_cost"], stored["parallelism"]) == (65536, 2, 1)
    with Vault.open(vault_dir, passphrase=PASSPHRASE) as opened, opened.session() as s:
        assert opened.header.kdf == params
        # The "vault.created" audit event records the parameters (without the salt).
        first = s.scalars(select(AuditEvent).where(AuditEvent.seq == 1)).one()
    assert first.action == "vault.created"
    assert json.loads(first.details)["kdf"]["time_cost"] == 2
    assert "salt" not in json.loads(first.details)["kdf"]


def test_tampered_kdf_parameters_never_unlock_silently(closed_vault: tuple[Path, str]) -> None:
    """Edit time_cost in both copies and fix the checksum: the passphrase no longer works
    (proving unlock reads the header), and the recovery key path reports the header MAC."""
    root, recovery = closed_vault

    def bump(body: dict[str, Any]) -> None:
        body["kdf"]["time_cost"] += 1

    rewrite_header(root, bump)
    with pytest.raises(errors.WrongPassphrase):
        Vault.open(root, passphrase=PASSPHRASE)
    with pytest.raises(errors.VaultCorrupt) as info:
        Vault.open(root, recovery_key=recovery)
    assert (info.value.file, info.value.entry) == ("vault.hdr", "mac")


def test_header_with_kdf_below_minimum_is_corrupt(closed_vault: tuple[Path, str]) -> None:
    root, recovery = closed_vault

    def weaken(body: dict[str, Any]) -> None:
        body["kdf"]["memory_kib"] = 8 * 1024

    rewrite_header(root, weaken)
    for kwargs in ({"passphrase": PASSPHRASE}, {"recovery_key": recovery}):
        with pytest.raises(errors.VaultCorrupt) as info:
            Vault.open(root, **kwargs)
        assert (info.value.file, info.value.entry) == ("vault.hdr", "kdf.memory_kib")


@pytest.fixture
def no_hostile_argon2(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int, int]]:
    """Fail the test if Argon2id is ever asked to run with parameters above the ceilings
    (on the old code such a run would hang or crash); records every run."""
    from ncii_desk.vault import keys as keys_module

    real = keys_module.hash_secret_raw
    runs: list[tuple[int, int, int]] = []

    def guarded(secret: bytes, salt: bytes, **kw: Any) -> bytes:
        runs.append((kw["memory_cost"], kw["time_cost"], kw["parallelism"]))
        memory, passes = kw["memory_cost"], kw["time_cost"]
        work = memory * passes > 32 * 1024 * 1024
        if memory > 4 * 1024 * 1024 or passes > 40 or work or len(salt) > 64:
            raise AssertionError(f"Argon2id ran on a hostile header: {kw}")
        return real(secret, salt, **kw)

    monkeypatch.setattr(keys_module, "hash_secret_raw", guarded)
    return runs


HOSTILE_KDF = [
    pytest.param("time_cost", 2**31, id="time_cost-2^31"),
    pytest.param("time_cost", 41, id="time_cost-41"),
    pytest.param("time_cost", 0, id="time_cost-0"),
    pytest.param("time_cost", 3.5, id="time_cost-float"),
    pytest.param("time_cost", "3", id="time_cost-string"),
    pytest.param("time_cost", True, id="time_cost-bool"),
    pytest.param("memory_kib", 2**40, id="memory-1PiB"),
    pytest.param("memory_kib", 4 * 1024 * 1024 + 1, id="memory-4GiB+1KiB"),
    pytest.param("memory_kib", None, id="memory-null"),
    pytest.param("parallelism", 2**24, id="parallelism-huge"),
    pytest.param("parallelism", 0, id="parallelism-0"),
    pytest.param("salt", base64.b64encode(bytes(8)).decode(), id="salt-8-bytes"),
    pytest.param("salt", base64.b64encode(bytes(1 << 20)).decode(), id="salt-1-MiB"),
    pytest.param("salt", 12345, id="salt-number"),
]


@pytest.mark.parametrize(("field", "value"), HOSTILE_KDF)
def test_hostile_kdf_header_is_refused_before_argon2id_runs(
    closed_vault: tuple[Path, str],
    no_hostile_argon2: list[tuple[int, int, int]],
    field: str,
    value: Any,
) -> None:
    """Both copies crafted with a fixed checksum: VaultCorrupt naming the field, no Argon2id
    run at all, nothing written."""
    root, recovery = closed_vault
    rewrite_header(root, lambda b: b["kdf"].update({field: value}))
    before = snapshot(root)
    for kwargs in ({"passphrase": PASSPHRASE}, {"recovery_key": recovery}):
        with pytest.raises(errors.VaultCorrupt) as info:
            Vault.open(root, **kwargs)
        assert (info.value.file, info.value.entry) == ("vault.hdr", f"kdf.{field}")
    assert no_hostile_argon2 == []
    assert snapshot(root) == before


def test_memory_times_passes_ceiling(
    closed_vault: tuple[Path, str], no_hostile_argon2: list[tuple[int, int, int]]
) -> None:
    """4 GiB and 40 passes are each allowed, together they would take many minutes."""
    root, _ = closed_vault
    rewrite_header(root, lambda b: b["kdf"].update(memory_kib=4 * 1024 * 1024, time_cost=9))
    with pytest.raises(errors.VaultCorrupt) as info:
        Vault.open(root, passphrase=PASSPHRASE)
    assert info.value.entry == "kdf.time_cost"
    assert "GiB-passes" in info.value.message
    assert no_hostile_argon2 == []


def test_hostile_main_header_falls_back_to_the_backup(
    closed_vault: tuple[Path, str], no_hostile_argon2: list[tuple[int, int, int]]
) -> None:
    root, _ = closed_vault
    good = (root / "vault.hdr.bak").read_bytes()
    rewrite_header(root, lambda b: b["kdf"].update(time_cost=2**31), "vault.hdr")
    with Vault.open(root, passphrase=PASSPHRASE) as vault:
        (repair,) = vault.report.header_repairs
        assert (repair.file, repair.entry) == ("vault.hdr", "kdf.time_cost")
        assert case_labels(vault) == ["case one"]
    assert (root / "vault.hdr").read_bytes() == good
    assert len(no_hostile_argon2) == 1  # only the backup's (sane) parameters ran


def test_edited_kdf_in_main_header_only_opens_with_the_backup(
    closed_vault: tuple[Path, str],
) -> None:
    """An in-range edit of the main copy's KDF fields (checksum fixed) looks like a wrong
    passphrase for that copy; the differing backup copy opens, and the edit is repaired and
    recorded instead of sending the advocate to the recovery key."""
    root, _ = closed_vault
    good = (root / "vault.hdr.bak").read_bytes()
    rewrite_header(
        root, lambda b: b["kdf"].update(time_cost=b["kdf"]["time_cost"] + 1), "vault.hdr"
    )
    with Vault.open(root, passphrase=PASSPHRASE) as vault:
        (repair,) = vault.report.header_repairs
        assert (repair.file, repair.entry) == ("vault.hdr", "wrapped_keys.passphrase")
        with vault.session() as s:
            actions = list(s.scalars(select(AuditEvent.action)))
        assert "vault.header_restored_from_backup" in actions
    assert (root / "vault.hdr").read_bytes() == good
    # A wrong passphrase is still a wrong passphrase when both copies are the same.
    with pytest.raises(errors.WrongPassphrase):
        Vault.open(root, passphrase="not the passphrase at all")


# --- the tuning floor ------------------------------------------------------------------------


class BusyClock:
    """perf_counter on a machine so loaded that one Argon2id pass seems to take 5 s."""

    def __init__(self) -> None:
        self.now = 0.0

    def perf_counter(self) -> float:
        self.now += 2.5
        return self.now


@pytest.fixture
def busy_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    from ncii_desk.vault import keys as keys_module

    monkeypatch.setattr(keys_module, "time", BusyClock())


def test_tuning_on_a_busy_machine_never_goes_below_the_floor(
    product_kdf_floor: None, busy_machine: None
) -> None:
    params = tune_kdf()
    assert params.memory_kib >= 256 * 1024
    assert params.time_cost >= 3
    assert (PRODUCT_FLOOR.memory_kib, PRODUCT_FLOOR.time_cost) == (256 * 1024, 3)


def test_gui_tuning_gets_the_floor(product_kdf_floor: None, busy_machine: None) -> None:
    from ncii_desk.gui import gate

    params = gate.tune_kdf_here()
    assert (params.memory_kib, params.time_cost) >= (256 * 1024, 3)
    assert params.time_cost >= 3


def test_product_refuses_to_create_below_the_floor(
    product_kdf_floor: None, vault_dir: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ValueError, match="256 MiB"):
        tune_kdf(memory_kib=64 * 1024)
    with pytest.raises(errors.InvalidSetting, match="between 256 MiB and 4096 MiB"):
        vaults.create_vault(vault_dir, PASSPHRASE, memory_mib=64)
    with pytest.raises(errors.InvalidSetting, match="between 256 MiB and 4096 MiB"):
        vaults.create_vault(vault_dir, PASSPHRASE, memory_mib=8192)
    monkeypatch.setenv("NCII_DESK_VAULT", str(vault_dir))
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    result = cli("vault", "init", "--kdf-memory-mib", "64", "--kdf-seconds", "0.05", "--json")
    assert result.rc == 2
    assert "256 MiB" in result.json()["message"]
    assert not (vault_dir / "vault.hdr").exists()


def test_weaker_existing_vault_still_opens_and_a_passphrase_change_lifts_it(
    product_kdf_floor: None, busy_machine: None, closed_vault: tuple[Path, str]
) -> None:
    root, recovery = closed_vault
    assert header_doc(root)["header"]["kdf"]["memory_kib"] == 64 * 1024  # below the floor
    with Vault.open(root, passphrase=PASSPHRASE) as vault:
        vault.change_passphrase(NEW_PASSPHRASE)
    kdf = header_doc(root)["header"]["kdf"]
    assert (kdf["memory_kib"], kdf["time_cost"]) == (256 * 1024, 3)
    Vault.open(root, recovery_key=recovery).close()


def test_tune_kdf_calibrates_time_cost_at_64_mib() -> None:
    params = tune_kdf(memory_kib=65536, target_seconds=0.2)
    assert params.memory_kib == 65536
    assert 1 <= params.time_cost <= 40
    assert 1 <= params.parallelism <= 16
    assert len(params.salt) == 16
    assert tune_kdf(memory_kib=65536, target_seconds=0.01, parallelism=1).salt != params.salt
    with pytest.raises(ValueError, match="64 MiB"):
        tune_kdf(memory_kib=65535, target_seconds=0.2)


@pytest.mark.parametrize("path", ["create", "change_passphrase"])
def test_kdf_below_64_mib_is_refused_when_writing_a_header(vault_dir: Path, path: str) -> None:
    """A header the vault would later refuse to read must never be written."""
    weak = KdfParams(memory_kib=8 * 1024, time_cost=1, parallelism=1, salt=secrets.token_bytes(16))
    if path == "create":
        with pytest.raises(errors.InvalidSetting, match="64 MiB"):
            Vault.create(vault_dir, PASSPHRASE, kdf=weak)
        assert not (vault_dir / "vault.hdr").exists()
        return
    vault, recovery = Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf())
    before = (vault_dir / "vault.hdr").read_bytes()
    with vault, pytest.raises(errors.InvalidSetting, match="64 MiB"):
        vault.change_passphrase(NEW_PASSPHRASE, kdf=weak)
    assert (vault_dir / "vault.hdr").read_bytes() == before
    Vault.open(vault_dir, passphrase=PASSPHRASE).close()
    Vault.open(vault_dir, recovery_key=recovery).close()


# --- wrong passphrase versus corrupt header ------------------------------------------------


def test_wrong_passphrase_is_distinct_and_modifies_nothing(
    closed_vault: tuple[Path, str], isolated_user_dirs: Path
) -> None:
    root, _ = closed_vault
    before = snapshot(root)
    user_before = files_under(isolated_user_dirs)
    attempt = "Tr0ub4dor&3 not the passphrase"
    for _ in range(2):
        with pytest.raises(errors.WrongPassphrase) as info:
            Vault.open(root, passphrase=attempt)
    err = info.value
    assert not isinstance(err, errors.VaultCorrupt)
    assert err.exit_code == 4
    assert "not correct" in err.message
    assert attempt not in str(err) and attempt not in repr(err.as_dict())
    assert snapshot(root) == before
    assert files_under(isolated_user_dirs) == user_before
    # And the right passphrase still works afterwards.
    with Vault.open(root, passphrase=PASSPHRASE) as vault:
        assert case_labels(vault) == ["case one"]


def test_both_headers_damaged_is_corrupt_not_wrong_passphrase(
    closed_vault: tuple[Path, str],
) -> None:
    root, recovery = closed_vault
    wrapped = header_doc(root)["header"]["wrapped_keys"]["passphrase"]["ciphertext"]
    for name in ("vault.hdr", "vault.hdr.bak"):
        flip_bit_in_value(root / name, wrapped)
    before = snapshot(root)
    messages = set()
    for kwargs in (
        {"passphrase": PASSPHRASE},
        {"passphrase": "some wrong passphrase"},
        {"recovery_key": recovery},
    ):
        with pytest.raises(errors.VaultCorrupt) as info:
            Vault.open(root, **kwargs)
        assert not isinstance(info.value, errors.WrongPassphrase)
        assert info.value.file == "vault.hdr"
        assert info.value.entry in {"checksum", "structure"}
        assert info.value.exit_code == 3
        messages.add(info.value.message)
    assert snapshot(root) == before  # a corrupt vault is never written to
    assert len(messages) == 1
    assert "Both copies of the vault header are damaged" in messages.pop()


def test_wrong_passphrase_and_corrupt_header_messages_differ(
    closed_vault: tuple[Path, str],
) -> None:
    root, _ = closed_vault
    with pytest.raises(errors.WrongPassphrase) as wrong:
        Vault.open(root, passphrase="definitely the wrong one")
    for name in ("vault.hdr", "vault.hdr.bak"):
        raw = bytearray((root / name).read_bytes())
        raw[len(raw) // 2] ^= 0x04
        (root / name).write_bytes(bytes(raw))
    with pytest.raises(errors.VaultCorrupt) as corrupt:
        Vault.open(root, passphrase=PASSPHRASE)
    assert type(wrong.value) is errors.WrongPassphrase
    assert type(corrupt.value) is errors.VaultCorrupt
    assert not issubclass(errors.WrongPassphrase, errors.VaultCorrupt)
    assert not issubclass(errors.VaultCorrupt, errors.WrongPassphrase)
    assert wrong.value.message != corrupt.value.message
    assert wrong.value.hint != corrupt.value.hint
    assert corrupt.value.file == "vault.hdr"
    assert "damaged" in corrupt.value.message


@pytest.mark.parametrize("field", ["ciphertext", "checksum"])
def test_one_bit_in_primary_header_is_repaired_from_backup(
    closed_vault: tuple[Path, str], field: str
) -> None:
    root, _ = closed_vault
    good = (root / "vault.hdr.bak").read_bytes()
    doc = header_doc(root)
    value = {
        "ciphertext": doc["header"]["wrapped_keys"]["passphrase"]["ciphertext"],
        "checksum": doc["checksum"],
    }[field]
    flip_bit_in_value(root / "vault.hdr", value)
    assert (root / "vault.hdr").read_bytes() != good
    with Vault.open(root, passphrase=PASSPHRASE) as vault:
        assert vault.report.header_restored_from_backup is True
        assert vault.report.backup_header_rewritten is False
        assert any("restored from its backup" in w for w in vault.report.warnings)
        assert case_labels(vault) == ["case one"]
        assert (root / "vault.hdr").read_bytes() == good  # repaired on disk
        assert vault.check().ok
    with Vault.open(root, passphrase=PASSPHRASE) as vault:
        assert vault.report.header_restored_from_backup is False


def test_damaged_backup_header_is_rewritten(closed_vault: tuple[Path, str]) -> None:
    root, _ = closed_vault
    good = (root / "vault.hdr").read_bytes()
    raw = bytearray(good)
    raw[len(raw) // 3] ^= 0x02
    (root / "vault.hdr.bak").write_bytes(bytes(raw))
    with Vault.open(root, passphrase=PASSPHRASE) as vault:
        assert vault.report.header_restored_from_backup is False
        assert vault.report.backup_header_rewritten is True
    assert (root / "vault.hdr.bak").read_bytes() == good


def test_missing_primary_header_is_restored(closed_vault: tuple[Path, str]) -> None:
    root, _ = closed_vault
    good = (root / "vault.hdr").read_bytes()
    (root / "vault.hdr").unlink()
    with Vault.open(root, passphrase=PASSPHRASE) as vault:
        assert vault.report.header_restored_from_backup is True
    assert (root / "vault.hdr").read_bytes() == good


@pytest.mark.parametrize(
    ("mutate", "with_passphrase", "with_recovery"),
    [
        pytest.param(
            lambda b: b.update(generation=b["generation"] + 5),
            errors.VaultCorrupt,
            errors.VaultCorrupt,
            id="generation",
        ),
        pytest.param(
            lambda b: b.update(mac="0" * 64), errors.VaultCorrupt, errors.VaultCorrupt, id="mac"
        ),
        pytest.param(
            lambda b: b["kdf"].update(parallelism=b["kdf"]["parallelism"] % 4 + 1),
            errors.WrongPassphrase,
            errors.VaultCorrupt,
            id="kdf-parallelism",
        ),
        pytest.param(
            lambda b: b["wrapped_keys"]["passphrase"].update(
                nonce=base64.b64encode(bytes(12)).decode()
            ),
            errors.WrongPassphrase,
            errors.VaultCorrupt,
            id="passphrase-wrap-nonce",
        ),
        pytest.param(
            lambda b: b["wrapped_keys"]["recovery"].update(
                salt=base64.b64encode(bytes(16)).decode()
            ),
            errors.VaultCorrupt,
            errors.RecoveryKeyInvalid,
            id="recovery-wrap-salt",
        ),
    ],
)
def test_deliberate_header_edits_with_fixed_checksum_are_caught(
    closed_vault: tuple[Path, str],
    mutate: Callable[[dict[str, Any]], None],
    with_passphrase: type[Exception],
    with_recovery: type[Exception],
) -> None:
    """Someone who recomputes the unkeyed checksum still cannot get past the MAC/AAD."""
    root, recovery = closed_vault
    rewrite_header(root, mutate)
    with pytest.raises(with_passphrase) as by_pass:
        Vault.open(root, passphrase=PASSPHRASE)
    with pytest.raises(with_recovery) as by_recovery:
        Vault.open(root, recovery_key=recovery)
    for err in (by_pass.value, by_recovery.value):
        if isinstance(err, errors.VaultCorrupt):
            assert (err.file, err.entry) == ("vault.hdr", "mac")


def test_mac_failure_in_primary_only_falls_back_to_backup(closed_vault: tuple[Path, str]):
    root, _ = closed_vault
    good = (root / "vault.hdr.bak").read_bytes()
    rewrite_header(root, lambda b: b.update(generation=b["generation"] + 1), "vault.hdr")
    with Vault.open(root, passphrase=PASSPHRASE) as vault:
        assert vault.report.header_restored_from_backup is True
        assert case_labels(vault) == ["case one"]
    assert (root / "vault.hdr").read_bytes() == good


# --- recovery key and passphrase change ----------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param(lambda k: k, id="as-printed"),
        pytest.param(lambda k: k.lower().replace("-", " "), id="lower-case-spaces"),
    ],
)
def test_recovery_key_opens_the_vault(
    closed_vault: tuple[Path, str], typed: Callable[[str], str]
) -> None:
    root, recovery = closed_vault
    with Vault.open(root, recovery_key=typed(recovery)) as vault:
        assert case_labels(vault) == ["case one"]
        assert vault.check().ok


def test_passphrase_change_keeps_recovery_key(closed_vault: tuple[Path, str]) -> None:
    root, recovery = closed_vault
    before = header_doc(root)["header"]
    with Vault.open(root, passphrase=PASSPHRASE) as vault:
        vault.change_passphrase(NEW_PASSPHRASE, kdf=fast_kdf())
        assert vault.header.generation == 2
    after = header_doc(root)["header"]
    assert header_doc(root, "vault.hdr.bak")["header"] == after
    assert after["generation"] == before["generation"] + 1
    assert after["vault_id"] == before["vault_id"]
    assert after["kdf"]["salt"] != before["kdf"]["salt"]
    # Only the passphrase wrap changed: the recovery wrap is byte-identical.
    assert after["wrapped_keys"]["recovery"] == before["wrapped_keys"]["recovery"]
    assert after["wrapped_keys"]["passphrase"] != before["wrapped_keys"]["passphrase"]

    with pytest.raises(errors.WrongPassphrase):
        Vault.open(root, passphrase=PASSPHRASE)
    with Vault.open(root, passphrase=NEW_PASSPHRASE) as vault:
        assert case_labels(vault) == ["case one"]
        with vault.session() as s:
            actions = list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
        assert actions[-1] == "vault.passphrase_changed"
        assert vault.verify_audit().ok
    with Vault.open(root, recovery_key=recovery.lower()) as vault:
        assert case_labels(vault) == ["case one"]


def test_change_passphrase_refuses_weak_passphrase(vault: Vault, vault_dir: Path) -> None:
    before = (vault_dir / "vault.hdr").read_bytes()
    with pytest.raises(errors.WeakPassphrase):
        vault.change_passphrase("short", kdf=fast_kdf())
    assert (vault_dir / "vault.hdr").read_bytes() == before


def test_recovery_key_with_one_character_changed(closed_vault: tuple[Path, str]) -> None:
    root, recovery = closed_vault
    before = snapshot(root)
    for position in (0, len(recovery) // 2, len(recovery) - 1):
        chars = list(recovery)
        if chars[position] == "-":
            position += 1
        chars[position] = "A" if chars[position] != "A" else "B"
        with pytest.raises(errors.RecoveryKeyInvalid) as info:
            Vault.open(root, recovery_key="".join(chars))
        assert "checksum" in info.value.message
    assert snapshot(root) == before


def test_recovery_key_of_another_vault(closed_vault: tuple[Path, str]) -> None:
    root, _ = closed_vault
    other, other_recovery = Vault.create(root.parent / "other", PASSPHRASE, kdf=fast_kdf())
    other.close()
    before = snapshot(root)
    with pytest.raises(errors.RecoveryKeyInvalid) as info:
        Vault.open(root, recovery_key=other_recovery)
    assert "does not belong to this vault" in info.value.message
    assert not isinstance(info.value, errors.WrongPassphrase)
    assert snapshot(root) == before


# --- opening rules --------------------------------------------------------------------------


def test_opening_rules(tmp_path: Path, vault_dir: Path) -> None:
    with pytest.raises(errors.VaultNotFound):
        Vault.open(tmp_path / "nothing-here", passphrase=PASSPHRASE)
    with pytest.raises(errors.WeakPassphrase):
        Vault.create(vault_dir, "short", kdf=fast_kdf())
    assert not (vault_dir / "vault.hdr").exists()
    vault, _ = Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf())
    vault.close()
    with pytest.raises(errors.VaultExists):
        Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf())
    with pytest.raises(errors.VaultLocked):
        Vault.open(vault_dir)
    with pytest.raises(errors.VaultLocked), vault.session():
        pass
    assert vault.is_open is False


# --- single writer: OS lock across processes --------------------------------------------------

TRY_OPEN = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from ncii_desk import errors
    from ncii_desk.vault import Vault
    try:
        vault = Vault.open(Path(sys.argv[1]), passphrase=sys.stdin.readline().rstrip("\\n"))
    except errors.VaultInUse as exc:
        print("VaultInUse", exc.exit_code, flush=True)
        raise SystemExit(0)
    vault.close()
    print("opened", flush=True)
    """
)

HOLD_OPEN = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from ncii_desk.vault import Vault
    vault = Vault.open(Path(sys.argv[1]), passphrase=sys.stdin.readline().rstrip("\\n"))
    print("holding", flush=True)
    sys.stdin.readline()
    vault.close()
    print("closed", flush=True)
    """
)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def test_second_process_gets_vault_in_use(new_vault: tuple[Vault, str], vault_dir: Path) -> None:
    vault, _ = new_vault

    def try_open() -> str:
        done = subprocess.run(
            [sys.executable, "-c", TRY_OPEN, str(vault_dir)],
            input=PASSPHRASE + "\n",
            capture_output=True,
            text=True,
            timeout=60,
            env=child_env(),
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert try_open() == "VaultInUse 5"
    # Also a second open inside this very process is refused.
    with pytest.raises(errors.VaultInUse):
        Vault.open(vault_dir, passphrase=PASSPHRASE)
    assert vault.is_open
    vault.close()
    assert try_open() == "opened"


def test_lock_held_by_another_process(closed_vault: tuple[Path, str]) -> None:
    root, _ = closed_vault
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD_OPEN, str(root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    try:
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(PASSPHRASE + "\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "holding"
        with pytest.raises(errors.VaultInUse) as info:
            Vault.open(root, passphrase=PASSPHRASE)
        assert info.value.exit_code == 5
        child.stdin.write("\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "closed"
        assert child.wait(timeout=60) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    with Vault.open(root, passphrase=PASSPHRASE) as vault:
        assert case_labels(vault) == ["case one"]


def test_lock_is_released_when_the_holder_dies(closed_vault: tuple[Path, str]) -> None:
    root, _ = closed_vault
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD_OPEN, str(root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    try:
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(PASSPHRASE + "\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "holding"
        with pytest.raises(errors.VaultInUse):
            Vault.open(root, passphrase=PASSPHRASE)
    finally:
        child.kill()
        child.wait(timeout=60)
    with Vault.open(root, passphrase=PASSPHRASE) as vault:
        assert case_labels(vault) == ["case one"]
