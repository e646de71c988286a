"""Items stored but never hashed (cancel, crash, ``add --no-hash``) are counted and hashed.

`case show` and `vault check` count them and say how to fix it; `matches CASE --rematch`
hashes them from the vault (in memory) before matching, so a suspect added without hashing
is matched after all. Hash-only items cannot be hashed again (no bytes) and are counted
apart. Only generated, benign images are used.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from clikit import Cli
from PIL import Image

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.services import cases, intake, vaults
from ncii_desk.services.matching import hash_missing
from ncii_desk.services.unhashed import unhashed_items
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Role
from ncii_desk.vault.store import CaseStore


def picture(path: Path, seed: int, mirror: bool = False) -> Path:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:300, 0:400]
    img = np.stack([(xx * 0.6) % 256, (yy * 0.8) % 256, (xx + yy) % 256], -1).astype(np.uint8)
    for _ in range(8):
        y, x = rng.integers(0, 250), rng.integers(0, 350)
        img[y : y + 50, x : x + 50] = rng.integers(0, 256, 3)
    if mirror:
        img = np.ascontiguousarray(img[:, ::-1])
    Image.fromarray(img).save(path, quality=92)
    return path


def test_no_hash_items_are_counted_and_rematch_hashes_and_matches_them(
    cli: Cli, cli_vault: Path, tmp_path: Path, isolated_user_dirs: Path
) -> None:
    case = cli("case", "new", "Unhashed", "--json").json()["id"]
    orig = picture(tmp_path / "original.jpg", 1)
    other = picture(tmp_path / "other.jpg", 2)
    copy = picture(tmp_path / "found-copy.jpg", 1, mirror=True)
    assert cli("add", "original", case, str(orig), str(other), "--no-hash").rc == 0
    added = cli("add", "suspect", case, str(copy), "--no-hash")
    assert added.rc == 0
    assert "1 item(s) were not hashed" in added.out and "--rematch" in added.out

    shown = cli("case", "show", case, "--json").json()
    assert shown["unhashed"] == 3 and shown["unhashed_hash_only"] == 0
    text = cli("case", "show", case).out
    assert "3 picture/video item(s) have no hashes yet" in text
    assert f"ncii-desk matches {case[:12]} --rematch" in text
    check = cli("vault", "check", "--json")
    assert check.rc == 0
    assert check.json()["unhashed"] == 3 and check.json()["unhashed_cases"] == [case]
    assert "have no hashes yet" in cli("vault", "check").out

    before = cli("matches", case, "--json").json()
    assert before == []  # the plain listing does not hash anything
    rematch = cli("matches", case, "--rematch")
    assert rematch.rc == 0, rematch.err
    assert "Hashed 3 item(s) that had no hashes yet." in rematch.out
    matches = cli("matches", case, "--json").json()
    ids = {i["original_filename"]: i["id"] for i in cli("item", "list", case, "--json").json()}
    assert [(m["suspect_item_id"], m["target_item_id"]) for m in matches] == [
        (ids["found-copy.jpg"], ids["original.jpg"])
    ]

    shown = cli("case", "show", case, "--json").json()
    assert shown["unhashed"] == 0
    assert "have no hashes yet" not in cli("case", "show", case).out
    assert cli("vault", "check", "--json").json()["unhashed"] == 0
    # decrypted in memory only: nothing was written to the temporary folder
    assert list(Path(os.environ["TMPDIR"]).iterdir()) == []


def test_hash_only_items_without_hashes_are_counted_apart(store: CaseStore, tmp_path: Path) -> None:
    case_id = cases.new_case(store, "Minor").id
    pic = picture(tmp_path / "a.jpg", 3)
    stored = picture(tmp_path / "b.jpg", 4)
    intake.add_items(store, case_id, Role.SUSPECT, [pic], suspected_minor=True)  # not hashed
    intake.add_items(store, case_id, Role.SUSPECT, [stored])
    with store.session() as s:
        missing = unhashed_items(s, case_id)
    assert (len(missing.stored), len(missing.hash_only)) == (1, 1)
    view = cases.get_case(store, case_id)
    assert (view.unhashed, view.unhashed_hash_only) == (1, 1)

    report = hash_missing(store, case_id)
    assert report.hashed == 1 and report.hash_only_unhashable == 1 and report.errors == []
    view = cases.get_case(store, case_id)
    assert (view.unhashed, view.unhashed_hash_only) == (0, 1)


def test_a_cancelled_rematch_leaves_the_rest_counted(store: CaseStore, tmp_path: Path) -> None:
    from ncii_desk.services.jobs import Job

    case_id = cases.new_case(store, "Cancel").id
    paths = [picture(tmp_path / f"{n}.jpg", 10 + n) for n in range(4)]
    intake.add_items(store, case_id, Role.ORIGINAL, paths)
    job = Job()

    def stop_after_two(done: int, _total: int, _msg: str) -> None:
        if done == 2:
            job.token.cancel()

    job.on_progress = stop_after_two
    report = hash_missing(store, case_id, job=job)
    assert report.cancelled and report.hashed == 2 and report.not_hashed == 2
    assert cases.get_case(store, case_id).unhashed == 2


def test_vault_check_report_counts_unhashed(vault_dir: Path, tmp_path: Path) -> None:
    vault, _ = Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf(), actor="t")
    case_id = cases.new_case(vault, "Check").id
    intake.add_items(vault, case_id, Role.SUSPECT, [picture(tmp_path / "c.jpg", 5)])
    vault.close()
    report = vaults.check_vault(vault_dir, passphrase=PASSPHRASE)
    assert report.ok and report.as_dict()["unhashed"] == 1


def test_adding_the_file_again_hashes_a_hash_only_item_never_hashed(
    cli: Cli, cli_vault: Path, tmp_path: Path
) -> None:
    case = cli("case", "new", "Minor", "--suspected-minor", "--json").json()["id"]
    pic = picture(tmp_path / "a.jpg", 6)
    first = cli("add", "suspect", case, str(pic), "--no-hash")  # as if cancelled or crashed
    assert first.rc == 0
    shown = cli("case", "show", case)
    assert "1 item(s) kept as hashes only have no picture hashes" in shown.out
    assert "Add the files again" in shown.out

    again = cli("add", "suspect", case, str(pic), "--json")
    assert again.rc == 0, again.err
    out = again.json()
    assert out["added"] == [] and len(out["already_in_case"]) == 1
    assert out["hashing"]["hashed"] == 1  # the item already there got the file's hashes
    data = cli("case", "show", case, "--json").json()
    assert (data["unhashed"], data["unhashed_hash_only"]) == (0, 0)
    third = cli("add", "suspect", case, str(pic), "--json").json()
    assert third["already_in_case"] and third["hashing"] is None  # nothing more to do
