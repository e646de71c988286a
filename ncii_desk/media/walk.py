"""Expanding files and folders given by a person into the files to work on."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

SKIPPED_NAMES = {".ds_store", "thumbs.db", "desktop.ini", "ehthumbs.db"}


def walk(
    paths: Iterable[Path], on_skip: Callable[[Path], None] | None = None
) -> Iterator[tuple[Path, bool]]:
    """Yield (file, found_in_a_folder), folders recursively and in name order.

    Hidden and system files, hidden folders and links to folders are not entered; each is
    passed to ``on_skip``. Paths that are not folders are yielded as given (so a missing file
    is reported by whoever opens it).
    """
    for given in paths:
        if not given.is_dir():
            yield given, False
            continue
        for folder, dirs, files in os.walk(given, followlinks=False):
            base = Path(folder)
            kept = []
            for d in sorted(dirs):
                if d.startswith(".") or (base / d).is_symlink():
                    if on_skip is not None:
                        on_skip(base / d)
                else:
                    kept.append(d)
            dirs[:] = kept
            for name in sorted(files):
                path = base / name
                if name.startswith(".") or name.lower() in SKIPPED_NAMES:
                    if on_skip is not None:
                        on_skip(path)
                    continue
                yield path, True
