"""No module of the package grows past 1,000 lines (issue 16: modules split along their
responsibilities stay readable and reviewable)."""

from __future__ import annotations

from pathlib import Path

import ncii_desk

LIMIT = 1000


def test_no_module_exceeds_the_line_limit() -> None:
    root = Path(ncii_desk.__file__).parent
    long = {
        str(p.relative_to(root)): n
        for p in sorted(root.rglob("*.py"))
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert not long, f"modules over {LIMIT} lines (split them by responsibility): {long}"
