"""Per-member database logins of a clinic store (row-level security, migration 0012): the
service door for ``ncii-desk clinic-server login`` and ``logins``. The work is in
:mod:`ncii_desk.clinic.rls`; every call takes the clinic owner's address."""

from __future__ import annotations

from typing import Any


def create_member_login(db: str, member_id: str) -> dict[str, Any]:
    """A login (or a new password for it) for admitted member ``member_id``; the result's
    ``url`` holds the password and is to be shown once."""
    from ncii_desk.clinic.rls import create_login

    return create_login(db, member_id)


def remove_member_login(db: str, member_id: str) -> dict[str, Any]:
    from ncii_desk.clinic.rls import remove_login

    return remove_login(db, member_id)


def list_member_logins(db: str) -> list[dict[str, Any]]:
    from ncii_desk.clinic.rls import list_logins

    return [login.as_dict() for login in list_logins(db)]


def create_join_login(db: str) -> dict[str, Any]:
    """The clinic's joining login (for ``clinic join`` only); ``url`` is shown once."""
    from ncii_desk.clinic.rls import create_join_login as create

    return create(db)


def remove_join_login(db: str) -> dict[str, Any]:
    from ncii_desk.clinic.rls import remove_join_login as remove

    return remove(db)
