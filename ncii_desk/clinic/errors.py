"""The clinic store's errors (each with what happened and what to do)."""

from __future__ import annotations

from ncii_desk.errors import VaultCorrupt, VaultError
from ncii_desk.vault.roles import NotPermitted


class ClinicError(VaultError):
    """Something about a clinic's shared store."""

    exit_code = 6
    default_hint = (
        "Check the database address and that the clinic server is running; your clinic's "
        "administrator can see the server's log."
    )


class ValueRefused(ClinicError):
    """PostgreSQL refuses a value a laptop vault would keep (the NUL character in text)."""

    exit_code = 2
    default_hint = (
        "Remove that character from what was typed or pasted (a platform name, a ticket "
        "number, a label) and try again. Sealed values (names, notes, addresses) may hold "
        "it; the clinic server's other text columns may not."
    )


class AuditChainMoved(ClinicError):
    """The audit head moved under a writer: nothing of its transaction was kept."""

    exit_code = 3
    default_hint = (
        "Nothing of this change was saved. Try again; if it happens again, run "
        "'ncii-desk verify' against the clinic store and tell your administrator: something "
        "other than NCII Desk is writing to the database."
    )


class MemberUnknown(ClinicError):
    exit_code = 6
    default_hint = (
        "Check the member id (ncii-desk clinic members lists them), or join the clinic first "
        "with 'ncii-desk clinic join --db ADDRESS --name NAME'."
    )


class MemberPending(ClinicError):
    exit_code = 5


class MemberRemoved(ClinicError):
    exit_code = 5
    default_hint = (
        "Ask a member of the clinic who is still admitted to add you again (you join anew "
        "with 'ncii-desk clinic join')."
    )


class ClinicRolledBack(VaultCorrupt):
    """The server shows an older audit log than this computer already saw."""

    def __init__(self, message: str) -> None:
        super().__init__(
            message,
            file="audit_events",
            entry="head",
            hint="Do not work on this clinic store until your administrator has checked the "
            "server: a database restored from an old backup, or altered, would hide changes "
            "made since. If the administrator restored a backup on purpose, they can tell you "
            "how to accept it (remove this computer's clinic profile).",
        )


class MemberKeyUnusable(ClinicError):
    exit_code = 3
    default_hint = (
        "Ask a member who is still admitted to remove you and admit you again; if they see "
        "the same error, the clinic database was altered and needs checking."
    )


class NotCaseMember(NotPermitted):
    """The member who opened the store is not on the case."""

    default_hint = (
        "Ask a member of the case to add you to it ('ncii-desk case add-member CASE MEMBER_ID')."
    )


class ServerRefused(NotPermitted):
    """The clinic server's row-level security refused a change made with a member login."""

    default_hint = (
        "Ask a supervising attorney on the case to make the change, or to give you a role "
        "that allows it. If you should be allowed, ask your clinic's administrator to check "
        "your database login ('ncii-desk clinic-server logins')."
    )


def server_refused(reason: str) -> ServerRefused:
    """The error for a statement PostgreSQL refused with SQLSTATE 42501 (``reason``: the
    first line of the server's message)."""
    return ServerRefused(
        "The clinic server refused this change: your database login may not make it (you "
        "are read-only on this case, or not on it, or the change is the administrator's). "
        f"Nothing of it was saved. (Server: {reason})"
    )
