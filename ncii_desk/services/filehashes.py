"""Files hashed without a vault (``ncii-desk hash``) and the files a folder scan reads.

:func:`input_files` turns the paths a person gave into the files to read (folders walked in
name order, hidden and system files left out and listed); :func:`hash_files` hashes them in
worker processes with the same safe media loader as intake, results as they finish.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ncii_desk.media.walk import walk

if TYPE_CHECKING:
    from ncii_desk.hashing.pipeline import FileHashes

__all__ = ["hash_files", "input_files"]


def input_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[str]]:
    """(files to read, hidden or system files and folders left out) for the paths given."""
    skipped: list[str] = []
    files = [p for p, _ in walk([Path(x) for x in paths], lambda p: skipped.append(str(p)))]
    return files, skipped


def hash_files(
    files: Iterable[Path],
    *,
    workers: int | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Iterator[FileHashes]:
    """Every hash of each file (SHA-256, MD5, PDQ, pHash, dHash; frame hashes of a video), as
    each finishes; a file that cannot be read is a result with ``error`` and ``hint`` set."""
    from ncii_desk.hashing.pipeline import hash_many  # OpenCV and the pool only when hashing

    return hash_many(files, "plain", workers=workers, should_stop=should_stop)
