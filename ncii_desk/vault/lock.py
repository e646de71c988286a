"""An OS-level exclusive lock on a vault folder, released by the OS if the process dies."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO

from ncii_desk.errors import VaultInUse
from ncii_desk.hardening import PRIVATE_FILE_MODE, restrict

LOCK_NAME = "vault.lock"


class VaultFileLock:
    """Exclusive, non-blocking lock: a second process gets :class:`VaultInUse` at once."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_NAME
        self._fh: IO[bytes] | None = None

    def acquire(self) -> None:
        existed = self.path.exists()
        fd = os.open(
            self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), PRIVATE_FILE_MODE
        )
        fh = os.fdopen(fd, "r+b")
        if not existed:
            restrict(self.path)  # 0600 whatever the umask
        try:
            _lock(fh)
        except OSError as exc:
            fh.close()
            raise VaultInUse(
                "This vault is already open in another NCII Desk window or command."
            ) from exc
        self._fh = fh

    def release(self) -> None:
        if self._fh is None:
            return
        try:
            _unlock(self._fh)
        finally:
            self._fh.close()
            self._fh = None

    @property
    def held(self) -> bool:
        return self._fh is not None


if sys.platform == "win32":  # pragma: no cover - exercised on Windows CI
    import msvcrt

    def _lock(fh: IO[bytes]) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(fh: IO[bytes]) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fh: IO[bytes]) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fh: IO[bytes]) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
