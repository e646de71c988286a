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
