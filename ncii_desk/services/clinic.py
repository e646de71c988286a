"""Clinic server mode (issue 19 §2): the service door to the clinic's shared store.

The CLI (``ncii-desk clinic-server ...``) and, later, the GUI's clinic profile call these;
the work is in :mod:`ncii_desk.clinic.store`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def init_clinic_server(db: str, blobs: Path, name: str) -> dict[str, Any]:
    """Create the schema and the clinic record in the empty PostgreSQL database ``db`` and
    the clinic's blob folder ``blobs``; returns the clinic record."""
    from ncii_desk.clinic.store import init_clinic

    return init_clinic(db, blobs, name).as_dict()


def clinic_server_info(db: str) -> dict[str, Any]:
    """The clinic record of the store at ``db`` (needs no key)."""
    from ncii_desk.clinic.store import read_record

    return read_record(db).as_dict()


# clinic-server upgrade / check (server-side administration, no key) ------------------------


def upgrade_clinic_server(db: str) -> dict[str, Any]:
    """Run this version's missing migrations on the clinic database ``db`` under the writer
    lock (refused while a client is saving); returns from/to revisions."""
    from ncii_desk.clinic.ops import upgrade_clinic

    return upgrade_clinic(db).as_dict()


def check_clinic_server(
    db: str,
    blobs: Path | None = None,
    grace_minutes: float = 60,
    sweep: bool = False,
    hashes: bool = False,
) -> dict[str, Any]:
    """Compare the clinic's blob folder with its rows: strays (moved to quarantine with
    ``sweep``), missing files, ownership and modes; with ``hashes`` each file's SHA-256
    against the ciphertext hash its row holds. Needs no key."""
    from ncii_desk.clinic.ops import check_blob_folder

    report = check_blob_folder(
        db, blobs_dir=blobs, grace_minutes=grace_minutes, sweep=sweep, hashes=hashes
    )
    return report.as_dict()
