"""ncii_desk.hardening's file helpers, and harden_process() reporting what it set."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ncii_desk.hardening import create_private_file, make_private_dir, tighten_tree

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@posix_only
def test_make_private_dir_creates_owner_only_folders_and_keeps_existing_ones(
    tmp_path: Path,
) -> None:
    os.chmod(tmp_path, 0o755)
    old = os.umask(0)
    try:
        made = make_private_dir(tmp_path / "a" / "b" / "c", parents=True)
    finally:
        os.umask(old)
    assert made.is_dir()
    assert [mode(p) for p in (tmp_path / "a", tmp_path / "a/b", made)] == [0o700] * 3
    assert mode(tmp_path) == 0o755  # not ours: left alone
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(FileExistsError):
        make_private_dir(tmp_path / "file")


@posix_only
def test_create_private_file_is_0600_and_exclusive_unless_told(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    old = os.umask(0)
    try:
        with create_private_file(target) as fh:
            fh.write(b"first")
        assert mode(target) == 0o600
        with pytest.raises(FileExistsError):
            create_private_file(target)
        os.chmod(target, 0o644)
        with create_private_file(target, exclusive=False) as fh:
            fh.write(b"2")
    finally:
        os.umask(old)
    assert target.read_bytes() == b"2" and mode(target) == 0o600


@posix_only
def test_tighten_tree_reports_only_what_was_loose_and_skips_links(tmp_path: Path) -> None:
    root = tmp_path / "v"
    (root / "blobs" / "ab").mkdir(parents=True)
    (root / "blobs" / "ab" / "x").write_bytes(b"x")
    (root / "tight").write_bytes(b"t")
    outside = tmp_path / "outside"
    outside.write_bytes(b"o")
    os.chmod(outside, 0o644)
    (root / "link").symlink_to(outside)
    for p in (root, root / "blobs", root / "blobs/ab"):
        os.chmod(p, 0o755)
    os.chmod(root / "blobs/ab/x", 0o640)
    os.chmod(root / "tight", 0o600)
    assert tighten_tree(root) == [".", "blobs", "blobs/ab", "blobs/ab/x"]
    assert mode(root / "blobs/ab/x") == 0o600 and mode(root) == 0o700
    assert mode(outside) == 0o644  # a link is not followed
    assert tighten_tree(root) == []


def test_harden_process_reports_what_it_set() -> None:
    code = (
        "import json, dataclasses\n"
        "from ncii_desk.hardening import harden_process\n"
        "print(json.dumps(dataclasses.asdict(harden_process())))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    state = json.loads(done.stdout)
    assert state["telemetry_off"] is True and state["notes"] == []
    assert state["core_limit_zero"] is (sys.platform != "win32")
    assert state["not_dumpable"] is sys.platform.startswith("linux")
