"""A small terminal progress bar drawn on stderr (only when stderr is a terminal)."""

from __future__ import annotations

import shutil
import sys
import time


class ProgressBar:
    def __init__(self, label: str, min_interval: float = 0.1) -> None:
        self.label = label
        self._min_interval = min_interval
        self._last = 0.0
        self._drawn = False

    def update(self, done: int, total: int, message: str = "") -> None:
        now = time.monotonic()
        if done < total and now - self._last < self._min_interval:
            return
        self._last = now
        width = shutil.get_terminal_size((80, 20)).columns
        counter = f" {done}/{total}" if total else f" {done}"
        text = f"{self.label}: {message}" if message else self.label
        bar_width = max(10, min(40, width - len(text) - len(counter) - 6))
        filled = bar_width if not total else int(bar_width * done / total)
        line = f"\r{text} [{'#' * filled}{'.' * (bar_width - filled)}]{counter}"
        sys.stderr.write(line[: width + 1])
        sys.stderr.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            sys.stderr.write("\n")
            sys.stderr.flush()
