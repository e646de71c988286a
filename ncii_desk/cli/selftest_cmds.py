"""CLI commands for the selftest area; build_parser in main.py calls register()."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ncii_desk.cli.main import Commands


def register(commands: Commands) -> None:
    """Add this area's commands (filled in by the selftest work)."""
    del commands
