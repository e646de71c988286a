"""kill -9 a process while it adds folders of small files (one batch each): every folder is
then in the vault whole or not at all, every acknowledged item is there and reads back, and
blobs of a batch that never committed are accounted for (moved to quarantine/ on open)."""

from __future__ import annotations

import hashlib
import os
import random
import sys
import textwrap
from collections import Counter
from pathlib import Path

from killkit import acks, run_and_kill
from sqlalchemy import select

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.services import cases, intake
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Blob, EvidenceItem

KILLS = 14
FILES_PER_FOLDER = 24
assert FILES_PER_FOLDER <= intake.BATCH_FILES  # one folder, one batch

CHILD = textwrap.dedent(
    f"""
    import os, random, sys
    from pathlib import Path
    from ncii_desk.services import intake, vaults
    from ncii_desk.vault.models import Role

    vault = vaults.open_vault(Path(sys.argv[1]), passphrase=os.environ["CRASH_PASSPHRASE"])
    src = Path(sys.argv[2])
    rng = random.Random(os.getpid())
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        folder = src / f"f{{os.getpid()}}-{{n}}"
        folder.mkdir()
        for i in range({FILES_PER_FOLDER}):
            # sizes all differ: a file the size of one waiting in the batch makes intake
            # commit the batch first (it may hold the same bytes), splitting the folder
            size = 3_000 + 4_000 * i + rng.randrange(4_000)
            # a PNG signature first: intake refuses content that is not a picture or video
            data = b"\\x89PNG\\r\\n\\x1a\\n" + os.urandom(size)
            (folder / f"{{folder.name}}-{{i}}.png").write_bytes(data)
        result = intake.add_items(vault, sys.argv[3], Role.SUSPECT, [folder])
        for item in result.added:
            print("ACK", item.id, item.sha256, flush=True)
    """
)


def _run_and_kill(
    vault_dir: Path, src: Path, case_id: str, rng: random.Random
) -> list[tuple[str, str]]:
    lines = run_and_kill(
        [sys.executable, "-c", CHILD, str(vault_dir), str(src), case_id],
        env=dict(os.environ, CRASH_PASSPHRASE=PASSPHRASE),
        rng=rng,
        delay=(0.2, 1.5),
    )
    return acks(lines)


def test_a_kill_mid_batch_leaves_the_whole_folder_or_none_of_it(
    vault_dir: Path, tmp_path: Path
) -> None:
    rng = random.Random(20261206)
    vault, _ = Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf(), actor="crash-test")
    case_id = cases.new_case(vault, "batch crash case").id
    vault.close()
    src = tmp_path / "src"
    src.mkdir()
    acknowledged: dict[str, str] = {}
    quarantined = 0  # blobs of batches that never committed
    partial_folders_started = 0  # folders whose files were written but not all recorded
    for round_no in range(KILLS):
        acknowledged.update(_run_and_kill(vault_dir, src, case_id, rng))
        vault = Vault.open(vault_dir, passphrase=PASSPHRASE, actor="checker")
        try:
            report = vault.check()
            assert report.ok, f"round {round_no}: {report.as_dict()}"
            assert vault.report.missing_blobs == []
            assert vault.report.audit_problems == []
            quarantined += len(vault.report.quarantined)
            with vault.session() as s:
                names = list(s.scalars(select(EvidenceItem.original_filename)))
                per_folder = Counter(name.rsplit("-", 1)[0] for name in names)
                whole = {f: n for f, n in per_folder.items() if n != FILES_PER_FOLDER}
                assert whole == {}, f"round {round_no}: folders recorded in part: {whole}"
                for item_id, sha in acknowledged.items():
                    item = s.get(EvidenceItem, item_id)
                    assert item is not None, f"round {round_no}: acknowledged item lost"
                    blob = s.get(Blob, item.blob_id)
                    assert blob is not None
                    assert hashlib.sha256(vault.read_blob(blob)).hexdigest() == sha
            assert vault.verify_audit().ok
        finally:
            vault.close()
        written = {p.name for p in src.iterdir()}
        partial_folders_started += len(written) - len(per_folder)
    assert len(acknowledged) >= FILES_PER_FOLDER, "the child should acknowledge folders"
    assert len(acknowledged) % FILES_PER_FOLDER == 0
    # Kills landed while a batch was being written: its blobs were found without rows.
    assert quarantined >= 1 and partial_folders_started >= 1
