"""The one passphrase rule the CLI, the desktop app and the vault use for new passphrases."""

from __future__ import annotations

import pytest

from ncii_desk.errors import WeakPassphrase
from ncii_desk.vault.keys import check_passphrase_strength, passphrase_weakness


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("short", "too short"),
        ("password", "most common passwords"),
        ("PASSWORD", "most common passwords"),
        ("p@ssw0rd!", "most common passwords"),
        ("password2024", "most common passwords"),
        ("letmeinletmein", "most common passwords"),
        ("12345678", "in order"),
        ("zyxwvutsrq", "in order"),
        ("aaaabbbb", "too few characters"),
        ("1212121212", "too few characters"),
    ],
)
def test_weak_passphrases_are_refused_with_the_reason(text: str, why: str) -> None:
    reason = passphrase_weakness(text)
    assert reason is not None and why in reason
    with pytest.raises(WeakPassphrase) as caught:
        check_passphrase_strength(text)
    assert why in caught.value.message and caught.value.hint


@pytest.mark.parametrize(
    "text",
    ["correct horse battery staple", "hunter22x", "Lamp-river-7-orange", "tres gatos azules"],
)
def test_ordinary_passphrases_pass(text: str) -> None:
    assert passphrase_weakness(text) is None
    check_passphrase_strength(text)
