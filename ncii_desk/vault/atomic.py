"""Crash-safe file writes: temp file in the same folder, fsync, rename, fsync the folder."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ncii_desk.hardening import create_private_file

TEMP_PREFIX = ".tmp-"


def fsync_dir(folder: Path) -> None:
    """Make a rename inside ``folder`` durable (no-op where the OS cannot open folders)."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_writer(target: Path) -> Iterator[BinaryIO]:
    """Yield a file to write; on success it replaces ``target`` atomically and durably.

    The file is owner-only (0600 on POSIX) whatever the umask: it may be a vault file, an
    export or a letter.

    On any exception the temp file is removed and ``target`` is untouched.
    """
    folder = target.parent
    tmp = folder / f"{TEMP_PREFIX}{target.name}.{secrets.token_hex(6)}"
    fh = create_private_file(tmp)
    try:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())
        fh.close()
        os.replace(tmp, target)
        fsync_dir(folder)
    except BaseException:
        fh.close()
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def atomic_write_bytes(target: Path, data: bytes) -> None:
    with atomic_writer(target) as fh:
        fh.write(data)
