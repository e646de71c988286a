"""Commands written out for a person to copy: ``ncii-desk matches 'Case 2026-014'``.

Hints name the real case (or item) instead of a placeholder, quoted the way the person's own
shell reads it back: single quotes on macOS and Linux shells, double quotes on Windows.
"""

from __future__ import annotations

import os
import re
import shlex

PROG = "ncii-desk"
_PLAIN = re.compile(r"^[A-Za-z0-9_./:@%+=,-]+$")


def arg(text: str, *, windows: bool | None = None) -> str:
    """``text`` as one shell word."""
    on_windows = os.name == "nt" if windows is None else windows
    if text and _PLAIN.match(text):
        return text
    if on_windows:
        return '"' + text.replace('"', '\\"') + '"'
    return shlex.quote(text)


def command(*words: str) -> str:
    """``ncii-desk`` followed by ``words``, each quoted only where its shell needs it.

    Words that start with "-" or are fixed command names pass through as they are typed.
    """
    return " ".join([PROG, *(arg(w) for w in words)])
