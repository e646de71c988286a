"""Pure tests of the key helpers: recovery key text, canonical JSON, KDF parameter checks.

No vault, no files, no Argon2 runs: everything here is deterministic and fast.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest

from ncii_desk import errors
from ncii_desk.vault.keys import (
    DEFAULT_MEMORY_KIB,
    MIN_MEMORY_KIB,
    RECOVERY_CHECK_BYTES,
    RECOVERY_KEY_BYTES,
    SUBKEY_LABELS,
    KdfParamError,
    KdfParams,
    b64e,
    canonical_json,
    check_passphrase_strength,
    derive_passphrase_key,
    derive_subkeys,
    format_recovery_key,
    new_recovery_key,
    parse_recovery_key,
    tune_kdf,
)

# A fixed key so that every "one character changed" case below is deterministic.
FIXED_RAW = bytes(range(7, 7 + RECOVERY_KEY_BYTES))
B32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
# 35 bytes (key + 3 checksum bytes) = 280 bits = exactly 56 base32 characters.
EXPECTED_CHARS = 56


# --- recovery key text ---------------------------------------------------------------------


def test_recovery_key_format_is_groups_of_four_base32() -> None:
    text = format_recovery_key(FIXED_RAW)
    groups = text.split("-")
    assert len(groups) == EXPECTED_CHARS // 4
    assert all(len(g) == 4 for g in groups)
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){13}", text)
    # The characters are the base32 of key || first 3 bytes of its SHA-256 (no padding).
    check = hashlib.sha256(FIXED_RAW).digest()[:RECOVERY_CHECK_BYTES]
    assert text.replace("-", "") == base64.b32encode(FIXED_RAW + check).decode()


def test_recovery_key_round_trips() -> None:
    assert parse_recovery_key(format_recovery_key(FIXED_RAW)) == FIXED_RAW
    raw = new_recovery_key()
    assert len(raw) == RECOVERY_KEY_BYTES
    assert parse_recovery_key(format_recovery_key(raw)) == raw
    assert new_recovery_key() != raw


@pytest.mark.parametrize(
    "transform",
    [
        pytest.param(lambda t: t.lower(), id="lower-case"),
        pytest.param(lambda t: t.replace("-", " "), id="spaces"),
        pytest.param(lambda t: t.lower().replace("-", " "), id="lower-case-spaces"),
        pytest.param(lambda t: t.replace("-", ""), id="no-separators"),
        pytest.param(lambda t: "  " + t.replace("-", "\t") + "\r\n", id="tabs-newline"),
        pytest.param(lambda t: "\n".join(t.split("-")), id="one-group-per-line"),
    ],
)
def test_recovery_key_tolerates_case_spaces_and_dashes(transform: Any) -> None:
    assert parse_recovery_key(transform(format_recovery_key(FIXED_RAW))) == FIXED_RAW


@pytest.mark.parametrize("position", range(EXPECTED_CHARS))
def test_recovery_key_single_character_typo_is_caught_by_checksum(position: int) -> None:
    chars = list(format_recovery_key(FIXED_RAW).replace("-", ""))
    original = chars[position]
    chars[position] = B32_ALPHABET[(B32_ALPHABET.index(original) + 1) % 32]
    with pytest.raises(errors.RecoveryKeyInvalid) as info:
        parse_recovery_key("".join(chars))
    assert "checksum" in info.value.message
    assert info.value.exit_code == 4


def test_recovery_key_swapped_neighbours_are_caught() -> None:
    chars = list(format_recovery_key(FIXED_RAW).replace("-", ""))
    # Find two different neighbours and swap them (a classic transposition typo).
    i = next(i for i in range(len(chars) - 1) if chars[i] != chars[i + 1])
    chars[i], chars[i + 1] = chars[i + 1], chars[i]
    with pytest.raises(errors.RecoveryKeyInvalid, match="checksum"):
        parse_recovery_key("".join(chars))


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda t: t[:-1], id="one-character-missing"),
        pytest.param(lambda t: t + "A", id="one-character-extra"),
        pytest.param(lambda t: t[: len(t) // 2], id="half"),
        pytest.param(lambda t: "", id="empty"),
    ],
)
def test_recovery_key_wrong_length_is_rejected(mangle: Any) -> None:
    text = mangle(format_recovery_key(FIXED_RAW).replace("-", ""))
    with pytest.raises(errors.RecoveryKeyInvalid) as info:
        parse_recovery_key(text)
    assert f"should have {EXPECTED_CHARS} letters" in info.value.message
    assert f"{len(text)} were given" in info.value.message


@pytest.mark.parametrize("bad", ["0", "1", "8", "9", "!", "="])
def test_recovery_key_characters_outside_base32_are_rejected(bad: str) -> None:
    chars = list(format_recovery_key(FIXED_RAW).replace("-", ""))
    chars[10] = bad
    with pytest.raises(errors.RecoveryKeyInvalid) as info:
        parse_recovery_key("".join(chars))
    assert "cannot appear" in info.value.message


def test_recovery_key_errors_have_distinct_messages() -> None:
    text = format_recovery_key(FIXED_RAW).replace("-", "")
    messages = set()
    for candidate in (text[:-1], text[:10] + "1" + text[11:], text[:10] + "B" + text[11:]):
        if candidate == text:  # pragma: no cover - the fixed key makes this impossible
            continue
        with pytest.raises(errors.RecoveryKeyInvalid) as info:
            parse_recovery_key(candidate)
        messages.add(info.value.message)
        assert "Type the recovery key exactly" in info.value.hint
    assert len(messages) == 3


# --- canonical JSON -----------------------------------------------------------------------


def test_canonical_json_exact_bytes() -> None:
    value = {"b": 1, "a": [1, {"d": 2, "c": "é"}], "e": None, "f": True}
    assert canonical_json(value) == '{"a":[1,{"c":"é","d":2}],"b":1,"e":null,"f":true}'.encode()


def test_canonical_json_ignores_insertion_order() -> None:
    one = {"z": {"y": 1, "x": 2}, "a": [3, 2, 1]}
    two = {"a": [3, 2, 1], "z": {"x": 2, "y": 1}}
    assert canonical_json(one) == canonical_json(two)
    # List order is data, not formatting: it must change the bytes.
    assert canonical_json({"a": [1, 2]}) != canonical_json({"a": [2, 1]})


def test_canonical_json_is_utf8_without_escapes_or_spaces() -> None:
    out = canonical_json({"name": "Zoë 名前", "n": 1})
    assert out == '{"n":1,"name":"Zoë 名前"}'.encode()
    assert b"\\u" not in out
    assert b", " not in out and b": " not in out


# --- KDF parameters -----------------------------------------------------------------------


def _kdf_json(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "argon2id",
        "version": 19,
        "memory_kib": MIN_MEMORY_KIB,
        "time_cost": 3,
        "parallelism": 2,
        "salt": b64e(bytes(range(16))),
    }
    data.update(overrides)
    return data


def test_kdf_params_json_round_trip() -> None:
    params = KdfParams(memory_kib=262144, time_cost=4, parallelism=3, salt=bytes(range(16)))
    data = params.to_json()
    assert data == {
        "name": "argon2id",
        "version": 19,
        "memory_kib": 262144,
        "time_cost": 4,
        "parallelism": 3,
        "salt": b64e(bytes(range(16))),
    }
    assert KdfParams.from_json(data) == params


def test_kdf_params_minimum_is_64_mib() -> None:
    assert MIN_MEMORY_KIB == 65536
    assert DEFAULT_MEMORY_KIB >= MIN_MEMORY_KIB  # what tune_kdf() aims for by default
    params = KdfParams.from_json(_kdf_json(memory_kib=65536, time_cost=1, parallelism=1))
    assert (params.memory_kib, params.time_cost, params.parallelism) == (65536, 1, 1)
    assert KdfParams.from_json(_kdf_json(parallelism=16)).parallelism == 16


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "argon2i"}, "unsupported"),
        ({"name": "scrypt"}, "unsupported"),
        ({"version": 16}, "unsupported"),
        ({"memory_kib": 65535}, "minimum"),
        ({"memory_kib": 1024}, "minimum"),
        ({"time_cost": 0}, "minimum"),
        ({"salt": b64e(bytes(15))}, "minimum"),
        ({"parallelism": 0}, "parallelism"),
        ({"parallelism": 17}, "parallelism"),
        ({"memory_kib": 4 * 1024 * 1024 + 1}, "ceiling of 4 GiB"),
        ({"time_cost": 41}, "ceiling of 40 passes"),
        ({"time_cost": 2**31}, "ceiling of 40 passes"),
        ({"memory_kib": 1024 * 1024, "time_cost": 33}, "GiB-passes"),
        ({"salt": b64e(bytes(65))}, "ceiling of 64 bytes"),
        ({"time_cost": "3"}, "whole number"),
        ({"memory_kib": 65536.0}, "whole number"),
        ({"parallelism": True}, "whole number"),
    ],
)
def test_kdf_params_from_json_rejects_weak_or_unknown(
    overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        KdfParams.from_json(_kdf_json(**overrides))


def test_kdf_params_from_json_rejects_bad_salt_encoding() -> None:
    with pytest.raises(ValueError):
        KdfParams.from_json(_kdf_json(salt="not base64 at all!"))


def test_kdf_params_from_json_missing_name_is_rejected() -> None:
    data = _kdf_json()
    del data["name"]
    with pytest.raises(ValueError, match="unsupported"):
        KdfParams.from_json(data)


@pytest.mark.parametrize("memory_kib", [0, 1024, MIN_MEMORY_KIB - 1])
def test_tune_kdf_refuses_memory_below_64_mib(memory_kib: int) -> None:
    with pytest.raises(ValueError, match="64 MiB"):
        tune_kdf(memory_kib=memory_kib, target_seconds=0.01)


# --- subkeys and passphrase rules --------------------------------------------------------


def test_subkeys_are_distinct_and_bound_to_the_vault_id() -> None:
    data_key = bytes(range(32))
    vault_a = "6f1c1f0e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
    vault_b = "6f1c1f0e-1a2b-4c3d-8e9f-0a1b2c3d4e60"
    keys_a = derive_subkeys(data_key, vault_a)
    values = [keys_a.database, keys_a.blob, keys_a.audit, keys_a.export, keys_a.header_mac]
    assert len(SUBKEY_LABELS) == 5
    assert len(set(values)) == 5
    assert all(len(v) == 32 and v != data_key for v in values)
    assert derive_subkeys(data_key, vault_a) == keys_a
    keys_b = derive_subkeys(data_key, vault_b)
    assert not {keys_b.database, keys_b.blob, keys_b.audit} & set(values)


def test_short_passphrase_is_refused() -> None:
    with pytest.raises(errors.WeakPassphrase) as info:
        check_passphrase_strength("qzxv7")
    assert "qzxv7" not in str(info.value)  # never echo the passphrase
    assert "5 characters" in info.value.message
    check_passphrase_strength("long enough passphrase")


def test_kdf_param_errors_name_the_field() -> None:
    for overrides, field in (
        ({"time_cost": 2**31}, "time_cost"),
        ({"memory_kib": 2**40}, "memory_kib"),
        ({"parallelism": 99}, "parallelism"),
        ({"salt": b64e(bytes(4))}, "salt"),
    ):
        with pytest.raises(KdfParamError) as info:
            KdfParams.from_json(_kdf_json(**overrides))
        assert info.value.field == field


def test_largest_allowed_parameters_parse() -> None:
    top = KdfParams.from_json(_kdf_json(memory_kib=4 * 1024 * 1024, time_cost=8, parallelism=16))
    assert (top.memory_kib, top.time_cost, top.parallelism) == (4 * 1024 * 1024, 8, 16)
    assert KdfParams.from_json(_kdf_json(time_cost=40)).time_cost == 40


def test_derive_refuses_out_of_range_parameters_without_running() -> None:
    hostile = KdfParams(memory_kib=MIN_MEMORY_KIB, time_cost=2**31, parallelism=1, salt=bytes(16))
    with pytest.raises(KdfParamError, match="time_cost"):
        derive_passphrase_key("anything", hostile)  # would run for days if it started
