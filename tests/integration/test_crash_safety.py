"""kill -9 a process that is importing files, many times; the vault must always come back whole.

After every kill: the vault opens, `vault check` is clean (SQLite integrity_check,
SQLCipher cipher_integrity_check, every blob authenticates, audit chain matches audit.head),
and every item the child acknowledged is present and hash-verified.
"""

from __future__ import annotations

import hashlib
import os
import random
import sys
import textwrap
from pathlib import Path

from killkit import acks, run_and_kill

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.services import cases
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Blob, EvidenceItem

KILLS = 24

CHILD = textwrap.dedent(
    """
    import os, random, sys
    from pathlib import Path
    from ncii_desk.services import intake, vaults
    from ncii_desk.vault.models import Role

    vault = vaults.open_vault(Path(sys.argv[1]), passphrase=os.environ["CRASH_PASSPHRASE"])
    src = Path(sys.argv[2])
    print("ready", flush=True)
    rng = random.Random(os.getpid())
    n = 0
    while True:
        n += 1
        path = src / f"{os.getpid()}-{n}.bin"
        # sizes vary, as photos do (a file the size of one already in the case is read
        # once more to check it is not the same file)
        size = rng.choice([4_000, 70_000, 1_300_000, 2_700_000]) + rng.randrange(4096)
        # a PNG signature first: intake refuses content that is not a picture or video
        path.write_bytes(b"\\x89PNG\\r\\n\\x1a\\n" + os.urandom(size))
        result = intake.add_items(vault, sys.argv[3], Role.SUSPECT, [path])
        for item in result.added:
            print("ACK", item.id, item.sha256, flush=True)
    """
)


def _run_child_and_kill(
    vault_dir: Path, src: Path, case_id: str, rng: random.Random, wait_ready: bool
) -> list[tuple[str, str]]:
    lines = run_and_kill(
        [sys.executable, "-c", CHILD, str(vault_dir), str(src), case_id],
        env=dict(os.environ, CRASH_PASSPHRASE=PASSPHRASE),
        rng=rng,
        # waiting for "ready" or not: the kill may also land during start-up or unlock
        delay=(0.0, 0.9) if wait_ready else (0.05, 1.2),
        wait_for=1 if wait_ready else 0,
        timeout=60,
    )
    return acks(lines)


def test_vault_survives_repeated_sigkill_during_import(vault_dir: Path, tmp_path: Path) -> None:
    rng = random.Random(20261129)
    vault, _ = Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf(), actor="crash-test")
    case_id = cases.new_case(vault, "crash case").id
    vault.close()
    src = tmp_path / "src"
    src.mkdir()

    acknowledged: dict[str, str] = {}
    kills_mid_import = 0
    quarantined = 0  # half-written blobs moved aside on open: proves kills landed mid-write
    for round_no in range(KILLS):
        acks = _run_child_and_kill(vault_dir, src, case_id, rng, wait_ready=round_no % 4 != 3)
        acknowledged.update(acks)
        kills_mid_import += bool(acks)

        vault = Vault.open(vault_dir, passphrase=PASSPHRASE, actor="checker")
        try:
            report = vault.check()
            assert report.ok, f"round {round_no}: {report.as_dict()}"
            assert vault.report.missing_blobs == []
            quarantined += len(vault.report.quarantined)
            assert vault.report.audit_problems == []
            with vault.session() as s:
                for item_id, sha in acknowledged.items():
                    item = s.get(EvidenceItem, item_id)
                    assert item is not None, f"round {round_no}: acknowledged item lost"
                    assert item.sha256 == sha
                    blob = s.get(Blob, item.blob_id)
                    assert blob is not None
                    data = vault.read_blob(blob)
                    assert hashlib.sha256(data).hexdigest() == sha
            assert vault.verify_audit().ok
        finally:
            vault.close()

    assert len(acknowledged) >= KILLS, "the child should have acknowledged items along the way"
    assert kills_mid_import >= KILLS // 2
    assert quarantined >= 1
