"""``ncii-desk case history``: the sending vault's events that came with an imported case.

Before this command the imported history was kept (docs/cli.md, ``case import``) but no
command showed it, so a lawyer could not check from the command line what the sender had
done with the case. Two laptop vaults, generated benign pictures.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from clikit import Cli
from PIL import Image

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.vault import Vault


def _vault(root: Path) -> str:
    Vault.create(root, PASSPHRASE, kdf=fast_kdf(), actor="desk")[0].close()
    return str(root)


def test_history_lists_the_senders_events_and_only_for_imported_cases(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    sender, receiver = _vault(tmp_path / "sender"), _vault(tmp_path / "receiver")
    picture = tmp_path / "original.png"
    rng = np.random.default_rng(7)
    Image.fromarray(rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)).resize((96, 64)).save(picture)
    case_id = cli("--vault", sender, "case", "new", "Case H-1", "--json").json()["id"]
    assert cli("--vault", sender, "add", "original", case_id, str(picture)).rc == 0
    own = cli("--vault", sender, "case", "history", case_id)
    assert own.rc == 0 and "No imported history" in own.out
    assert cli("--vault", sender, "case", "history", case_id, "--json").json() == []

    pub = tmp_path / "receiver.pub"
    key = cli("--vault", receiver, "vault", "pubkey", "--out", str(pub), "--json").json()
    out = tmp_path / "case.ncii"
    sent = cli(
        "--vault", sender, "case", "export", case_id, "--to", str(pub), "--out", str(out),
        "--fingerprint", key["fingerprint"],
    )  # fmt: skip
    assert sent.rc == 0, sent
    signer = cli("--vault", sender, "vault", "pubkey", "--json").json()["signing_fingerprint"]
    got = cli("--vault", receiver, "case", "import", str(out), "--fingerprint", signer)
    assert got.rc == 0, got

    history = cli("--vault", receiver, "case", "history", "Case H-1", "--json").json()
    sender_log = {e["seq"]: e for e in cli("--vault", sender, "audit", "log", "--json").json()}
    assert [e["action"] for e in history][:1] == ["case.created"]
    assert "item.added" in {e["action"] for e in history}
    assert "case.exported" not in {e["action"] for e in history}
    for event in history:
        assert event["sender_fingerprint"] == signer
        for field in ("at", "actor", "action", "object_id", "details"):
            assert event[field] == sender_log[event["seq"]][field], field
    text = cli("--vault", receiver, "case", "history", case_id)
    assert text.rc == 0 and f"{len(history)} event(s)" in text.out and signer in text.out
    assert "item.added" in text.out
    # The receiver's own audit log does not mix the sender's events in.
    receiver_actions = {
        e["action"] for e in cli("--vault", receiver, "audit", "log", "--json").json()
    }
    assert "case.imported" in receiver_actions and "item.added" not in receiver_actions

    missing = cli("--vault", receiver, "case", "history", "no-such-case")
    assert missing.rc != 0 and "no-such-case" in missing.err
