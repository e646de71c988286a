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


#: The folders the store fixtures make in a test's tmp_path (tests/conftest.py): the laptop
#: vault's folder, and the clinic store's blob folder.
STORE_FOLDERS = frozenset({"vault", "clinic-blobs"})


def left_in(folder: Path) -> list[str]:
    """The names in ``folder`` other than the store fixtures' own folders, sorted: what a
    test's own steps left there, whichever backend it runs on."""
    return sorted(p.name for p in folder.iterdir() if p.name not in STORE_FOLDERS)


def store_folder(store: Any) -> Path:
    """The folder the store writes on this machine: a laptop vault's folder (database, blobs,
    header), or a clinic store's blob folder (the database is on the server). Scans for
    plaintext look here on both backends."""
    return Path(store.root) if is_laptop(store) else Path(store.blobs.root).parent


def dropped_key(store: Any) -> str:
    """The settings row that lists blobs dropped but whose files are not deleted yet."""
    if is_laptop(store):
        from ncii_desk.vault.vault import DROPPED_BLOBS_KEY

        return DROPPED_BLOBS_KEY
    from ncii_desk.clinic.store import DROPPED_KEY

    return DROPPED_KEY


def write_transactions(statements: list[str], store: Any) -> int:
    """How many write transactions the statements sent to the store began: a laptop vault
    begins each with ``BEGIN IMMEDIATE``; a clinic store takes its writer lock
    (``pg_advisory_xact_lock``) first in each."""
    marker = "BEGIN IMMEDIATE" if is_laptop(store) else "pg_advisory_xact_lock"
    return sum(1 for s in statements if marker in s)
