"""Client-side encryption of sensitive columns with the case key."""

from __future__ import annotations

import base64
import secrets
import uuid

import pytest

from ncii_desk.errors import VaultCorrupt
from ncii_desk.vault import fields
from ncii_desk.vault.fields import FieldCipher, FieldUnreadable
from ncii_desk.vault.members import CaseKey

CLINIC = uuid.uuid4().hex
CASE = uuid.uuid4().hex
ROW = uuid.uuid4().hex
MARKER = "Zyxwv-Ñandú Marker 7781 https://example.invalid/p?q=Zyxwv"


def _key(version: int, case_id: str = CASE, key: bytes | None = None) -> CaseKey:
    return CaseKey(CLINIC, case_id, version, key or secrets.token_bytes(32))


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher([_key(1)])


def _all_columns() -> list[tuple[str, str]]:
    return [(t, c) for t, cols in fields.SENSITIVE_COLUMNS.items() for c in cols]


@pytest.mark.parametrize(("table", "column"), _all_columns())
def test_round_trip_every_sensitive_column(cipher: FieldCipher, table: str, column: str) -> None:
    token = cipher.encrypt(table, column, ROW, MARKER)
    assert token.isascii() and fields.is_token(token)
    assert cipher.decrypt(table, column, ROW, token) == MARKER
    # nothing of the value is readable in the token, in clear or in base64
    for needle in ("Zyxwv", "Marker", base64.b64encode(b"Zyxwv").decode()[:6]):
        assert needle not in token


def test_empty_and_long_values_round_trip(cipher: FieldCipher) -> None:
    for value in ("", "x", "é" * 5000, "line\nbreak\ttab\x00nul"):
        assert cipher.decrypt(
            "items", "notes", ROW, cipher.encrypt("items", "notes", ROW, value)
        ) == (value)


def test_equal_values_give_different_tokens(cipher: FieldCipher) -> None:
    tokens = {cipher.encrypt("cases", "label", ROW, "same label") for _ in range(5)}
    assert len(tokens) == 5


def test_stored_length_shows_size_only_roughly(cipher: FieldCipher) -> None:
    short = cipher.encrypt("cases", "client_pseudonym", ROW, "A")
    longer = cipher.encrypt("cases", "client_pseudonym", ROW, "Abcdefghijklmno")  # 15 bytes
    assert len(short) == len(longer)  # both padded to 16 bytes
    assert len(cipher.encrypt("cases", "client_pseudonym", ROW, "A" * 16)) > len(short)


def test_json_column_round_trip(cipher: FieldCipher) -> None:
    urls = ["https://example.invalid/a", "https://example.invalid/b?x=1"]
    token = cipher.encrypt_json("removal_requests", "urls", ROW, urls)
    assert "example" not in token
    assert cipher.decrypt_json("removal_requests", "urls", ROW, token) == urls


@pytest.mark.parametrize(
    ("table", "column", "row_id"),
    [
        ("items", "label", ROW),  # another column of the same row
        ("cases", "notes", uuid.uuid4().hex),  # the same column of another row
        ("items", "notes", ROW),  # another table
    ],
    ids=["another-column", "another-row", "another-table"],
)
def test_token_copied_to_another_row_column_or_table_is_refused(
    cipher: FieldCipher, table: str, column: str, row_id: str
) -> None:
    token = cipher.encrypt("cases", "notes", ROW, MARKER)
    with pytest.raises(FieldUnreadable) as caught:
        cipher.decrypt(table, column, row_id, token)
    error = caught.value
    assert f"{table}.{column}" in error.message and row_id in error.message
    assert "copied from another row" in error.message
    assert (error.file, error.entry) == (f"{table}.{column}", row_id)
    assert "Zyxwv" not in str(error)  # never the value


def test_token_copied_to_another_case_is_refused_even_under_the_same_key_bytes() -> None:
    raw = secrets.token_bytes(32)
    ours = FieldCipher([_key(1, CASE, raw)])
    theirs = FieldCipher([_key(1, uuid.uuid4().hex, raw)])
    token = ours.encrypt("cases", "label", ROW, MARKER)
    with pytest.raises(FieldUnreadable, match="integrity check"):
        theirs.decrypt("cases", "label", ROW, token)


def test_token_relabelled_with_another_key_version_is_refused() -> None:
    raw = secrets.token_bytes(32)
    cipher = FieldCipher([_key(1, key=raw), _key(2, key=raw)])  # same bytes: only the AAD differs
    token = cipher.encrypt("cases", "label", ROW, MARKER)
    assert token.startswith("nf1.2.")
    with pytest.raises(FieldUnreadable, match="integrity check"):
        cipher.decrypt("cases", "label", ROW, "nf1.1." + token.split(".", 2)[2])


def test_tampered_token_is_refused(cipher: FieldCipher) -> None:
    token = cipher.encrypt("captures", "url", ROW, MARKER)
    head, body = token.rsplit(".", 1)
    for index in (0, len(body) // 2, len(body) - 2):
        flipped = body[:index] + ("A" if body[index] != "A" else "B") + body[index + 1 :]
        with pytest.raises(FieldUnreadable, match=r"captures\.url of row .* integrity check"):
            cipher.decrypt("captures", "url", ROW, f"{head}.{flipped}")


@pytest.mark.parametrize(
    "stored",
    ["a label written in clear", "", "nf1.1.", "nf1.x.AAAA", "nf1.1.A" + "A" * 10, "nf1.1.%%%%"],
)
def test_value_that_is_not_a_token_is_named(cipher: FieldCipher, stored: str) -> None:
    with pytest.raises(FieldUnreadable, match=r"items\.original_filename .*not an encrypted value"):
        cipher.decrypt("items", "original_filename", ROW, stored)


def test_value_written_under_a_version_the_reader_lacks(cipher: FieldCipher) -> None:
    """A member removed at version 1 keeps version 1 only: later writes stay closed to them."""
    newer = FieldCipher([_key(1), _key(2)])
    token = newer.encrypt("cases", "notes", ROW, MARKER)
    with pytest.raises(FieldUnreadable) as caught:
        cipher.decrypt("cases", "notes", ROW, token)
    assert "version 2" in caught.value.message and "do not hold" in caught.value.message
    assert isinstance(caught.value, VaultCorrupt) and "add you" in caught.value.hint


def test_old_versions_stay_readable_and_new_writes_use_the_newest() -> None:
    v1, v2 = _key(1), _key(2)
    old = FieldCipher([v1]).encrypt("cases", "label", ROW, "before rotation")
    both = FieldCipher([v2, v1])
    assert both.write_version == 2
    assert both.decrypt("cases", "label", ROW, old) == "before rotation"
    assert both.encrypt("cases", "label", ROW, "after").startswith("nf1.2.")


def test_keys_of_two_cases_cannot_share_a_cipher() -> None:
    with pytest.raises(ValueError, match="more than one case"):
        FieldCipher([_key(1), _key(2, uuid.uuid4().hex)])
    with pytest.raises(ValueError, match="no case key"):
        FieldCipher([])


def test_row_helpers_encrypt_only_sensitive_columns_and_keep_going_past_a_bad_value(
    cipher: FieldCipher,
) -> None:
    row = {"label": MARKER, "notes": None, "original_filename": "IMG_0001.jpg", "mime": "image/png"}
    stored = cipher.encrypt_row("items", ROW, row)
    assert stored["notes"] is None and stored["mime"] == "image/png"
    assert fields.is_token(str(stored["label"])) and fields.is_token(
        str(stored["original_filename"])
    )
    assert cipher.decrypt_row("items", ROW, stored) == (row, [])

    damaged = dict(stored, label="a label written in clear")
    values, problems = cipher.decrypt_row("items", ROW, damaged)
    assert values == dict(row, label=None)
    assert [(p.table, p.column, p.row_id) for p in problems] == [("items", "label", ROW)]


def test_every_listed_column_exists_in_the_models_and_is_text_or_json() -> None:
    from sqlalchemy import JSON, String, Text

    from ncii_desk.vault.models import Base

    tables = Base.metadata.tables
    listed = [
        (table, column, kinds)
        for registry, kinds in (
            (fields.SENSITIVE_COLUMNS, (String, Text)),
            (fields.SENSITIVE_JSON_COLUMNS, (JSON,)),
        )
        for table, columns in registry.items()
        for column in columns
    ]
    assert len(listed) == 33  # 24; session 7: four operator names, reviewer, platform;
    # session 8: a capture's server address and certificate, analysis results
    for table, column, kinds in listed:
        assert isinstance(tables[table].c[column].type, kinds), (table, column)
