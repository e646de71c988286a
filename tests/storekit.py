"""Helpers for service tests that run on both backends (the `store` fixture, tests/conftest.py).

A test reaches stored files and backend facts only through these, never through a vault
folder, so the same body runs on a laptop vault (SQLCipher) and on a clinic store
(PostgreSQL, shared blob folder)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ncii_desk.vault import Vault


def blob_files(store: Any) -> list[Path]:
    """Every file in the store's blob folder, leftovers of interrupted writes included.

    Both backends keep ciphertext in the same folder layout (ncii_desk.vault.blobs)."""
    return sorted(store.blobs.iter_files())


def is_laptop(store: Any) -> bool:
    """Whether ``store`` is a laptop vault: the only backend with a vault folder, a WAL file
    and SQLCipher pages; assertions about those are guarded by this and run there only."""
    return isinstance(store, Vault)
