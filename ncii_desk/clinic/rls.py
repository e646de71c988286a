"""Per-member PostgreSQL logins of a clinic store, for the row-level security of migration 0012.

Every client used to connect with the clinic owner's login, so roles and case membership
were the clients' rule alone. With a login of their own, a member's computer connects as
``ncii_m_<member id>`` (:func:`login_name`; 39 characters, under PostgreSQL's 63-byte limit)
and PostgreSQL enforces, on every row, what the signed membership records say (see the
migration's text for the exact policies). The naming rule is the whole link from login to
member: the server-side functions read the member id back from ``session_user`` and accept
it only while that member is admitted in ``clinic_members``.

Table privileges go to one group role per clinic, ``ncii_c_<clinic id>`` (:func:`group_name`),
which each member login is a member of; :func:`refresh_grants` sets them again after an
upgrade adds tables. All of this is done by the clinic's administrator with the owner's
address (the owner needs the CREATEROLE attribute); a login's password is made here with
:mod:`secrets`, shown once, and stored nowhere by NCII Desk.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import exc as sa_exc
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from ncii_desk.clinic.errors import ClinicError, MemberUnknown
from ncii_desk.clinic.store import (
    _reachable,
    _read_record,
    check_revision,
    engine_url,
    make_engine,
    resolve_member,
    status_of,
)
from ncii_desk.vault.models import ClinicMember

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

LOGIN_PREFIX = "ncii_m_"
GROUP_PREFIX = "ncii_c_"
JOIN_PREFIX = "ncii_j_"
#: The schema revision from which a clinic store has row-level security.
RLS_REVISION = "0012"

#: Table -> the privileges a member login's group gets on it (any other table: all four).
_PRIVILEGES: dict[str, str] = {
    "alembic_version": "SELECT",
    "audit_events": "SELECT, INSERT",  # written by everyone (a reveal is logged), never changed
    "case_membership": "SELECT, INSERT",  # records are only ever added
    "clinic_members": "SELECT, INSERT, UPDATE",  # guarded row by row (ncii_members_guard)
}
_ALL = "SELECT, INSERT, UPDATE, DELETE"


class LoginRefused(ClinicError):
    """The owner's login may not manage logins, or the store predates row-level security."""

    exit_code = 6
    default_hint = (
        "Run this with the address of the clinic database's owner, whose PostgreSQL login "
        "has the CREATEROLE attribute (ALTER ROLE owner CREATEROLE, as the postgres superuser)."
    )


def _hex_id(value: str) -> str:
    return uuid.UUID(value).hex


def login_name(member_id: str) -> str:
    """The database login of member ``member_id`` (``ncii_m_`` + the id's 32 hex digits)."""
    return LOGIN_PREFIX + _hex_id(member_id)


def group_name(clinic_id: str) -> str:
    """The role holding a clinic's table privileges, granted to each member login."""
    return GROUP_PREFIX + _hex_id(clinic_id)


def join_login_name(clinic_id: str) -> str:
    """The clinic's joining login: newcomers run ``clinic join`` with it, and it can do
    nothing else (read the clinic record and the member directory, add a pending member)."""
    return JOIN_PREFIX + _hex_id(clinic_id)


#: What the joining login may touch: the clinic record, the schema revision and the member
#: directory (where ncii_members_guard lets it add pending rows only). No case table.
_JOIN_PRIVILEGES: dict[str, str] = {
    "alembic_version": "SELECT",
    "settings": "SELECT",
    "clinic_members": "SELECT, INSERT",
}


def member_of_login(login: str) -> str | None:
    """The member id a login name stands for (None: not a member login)."""
    match = re.fullmatch(LOGIN_PREFIX + "([0-9a-f]{32})", login)
    return match.group(1) if match else None


@dataclass(frozen=True)
class LoginInfo:
    login: str
    member_id: str | None
    status: str  # admitted / pending / removed / unknown, or joining (the joining login)
    can_login: bool

    @property
    def stale(self) -> bool:
        """A login that should not exist: its member is removed or unknown."""
        return self.status in ("removed", "unknown")

    def as_dict(self) -> dict[str, Any]:
        return {
            "login": self.login,
            "member_id": self.member_id,
            "status": self.status,
            "can_login": self.can_login,
            "stale": self.stale,
        }


def _role_exists(conn: Connection, name: str) -> bool:
    found = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name})
    return found.first() is not None


def _ident(conn: Connection, name: str) -> str:
    quoted = conn.execute(text("SELECT quote_ident(:n)"), {"n": name}).scalar_one()
    return str(quoted)


def _literal(conn: Connection, value: str) -> str:
    quoted = conn.execute(text("SELECT quote_literal(:v)"), {"v": value}).scalar_one()
    return str(quoted)


@contextlib.contextmanager
def _managing_roles(url: str) -> Any:
    """A transaction on the owner's connection; 'permission denied' becomes LoginRefused."""
    engine = make_engine(url)
    try:
        with _reachable(url), Session(engine) as s, s.begin():
            try:
                yield s
            except sa_exc.ProgrammingError as exc:
                if getattr(getattr(exc, "orig", None), "sqlstate", None) != "42501":
                    raise
                reason = str(exc.orig).strip().splitlines()[0]
                raise LoginRefused(
                    f"PostgreSQL refused to manage the clinic's logins ({reason})."
                ) from exc
    finally:
        engine.dispose()


def _clinic(s: Session, url: str) -> str:
    record = _read_record(s, url)
    check_revision(record)
    return record.clinic_id


def refresh_grants(conn: Connection, clinic_id: str) -> bool:
    """Give the clinic's member group its privileges on every table and sequence of the
    schema (after an upgrade added tables). False when the clinic has no member logins."""
    group = group_name(clinic_id)
    if not _role_exists(conn, group):
        return False
    g = _ident(conn, group)
    schema = _ident(conn, str(conn.execute(text("SELECT current_schema()")).scalar_one()))
    database = _ident(conn, str(conn.execute(text("SELECT current_database()")).scalar_one()))
    # CONNECT is PUBLIC's by default; granting it needs the database's owner, which the
    # clinic's owner need not be, so a refusal here changes nothing else.
    with contextlib.suppress(sa_exc.ProgrammingError), conn.begin_nested():
        conn.execute(text(f"GRANT CONNECT ON DATABASE {database} TO {g}"))
    conn.execute(text(f"GRANT USAGE ON SCHEMA {schema} TO {g}"))
    conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {g}"))
    tables = conn.execute(
        text(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
    ).scalars()
    for table in sorted(str(t) for t in tables):
        privileges = _PRIVILEGES.get(table, _ALL)
        conn.execute(text(f"GRANT {privileges} ON {schema}.{_ident(conn, table)} TO {g}"))
    conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {g}"))
    return True


def member_url(owner_url: str, login: str, password: str) -> str:
    """The owner's address with the member's login and password in place of the owner's."""
    url = make_url(engine_url(owner_url)).set(username=login, password=password)
    rendered = url.render_as_string(hide_password=False)
    scheme = owner_url.split("://", 1)[0]
    return scheme + "://" + rendered.split("://", 1)[1]


def create_login(owner_url: str, member: str) -> dict[str, Any]:
    """Create (or give a new password to) the database login of admitted member
    ``member``; returns its name, the member id and the address with its password (shown
    once: NCII Desk keeps no copy)."""
    password = secrets.token_urlsafe(32)
    with _managing_roles(owner_url) as s:
        clinic_id = _clinic(s, owner_url)
        row = resolve_member(s, member)
        status = status_of(row)
        if status != "admitted":
            raise ClinicError(
                f"Member {row.member_id} is {status}; only an admitted member gets a login.",
                "Admit them first ('ncii-desk clinic admit')."
                if status == "pending"
                else "A removed member gets no login.",
            )
        conn = s.connection()
        group = group_name(clinic_id)
        if not _role_exists(conn, group):
            conn.execute(text(f"CREATE ROLE {_ident(conn, group)} NOLOGIN"))
        refresh_grants(conn, clinic_id)
        login = login_name(row.member_id)
        ident = _ident(conn, login)
        renewed = _role_exists(conn, login)
        verb = "ALTER" if renewed else "CREATE"
        conn.execute(
            text(
                f"{verb} ROLE {ident} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS "
                f"PASSWORD {_literal(conn, password)}"
            )
        )
        conn.execute(text(f"GRANT {_ident(conn, group)} TO {ident}"))
        member_id = row.member_id
    return {
        "login": login,
        "member_id": member_id,
        "renewed": renewed,
        "url": member_url(owner_url, login, password),
    }


def create_join_login(owner_url: str) -> dict[str, Any]:
    """Create (or give a new password to) the clinic's joining login; returns its name and
    the address with its password (shown once)."""
    password = secrets.token_urlsafe(32)
    with _managing_roles(owner_url) as s:
        clinic_id = _clinic(s, owner_url)
        conn = s.connection()
        login = join_login_name(clinic_id)
        ident = _ident(conn, login)
        renewed = _role_exists(conn, login)
        verb = "ALTER" if renewed else "CREATE"
        conn.execute(
            text(
                f"{verb} ROLE {ident} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS "
                f"PASSWORD {_literal(conn, password)}"
            )
        )
        schema = _ident(conn, str(conn.execute(text("SELECT current_schema()")).scalar_one()))
        conn.execute(text(f"GRANT USAGE ON SCHEMA {schema} TO {ident}"))
        conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {ident}"))
        for table, privileges in _JOIN_PRIVILEGES.items():
            conn.execute(text(f"GRANT {privileges} ON {schema}.{_ident(conn, table)} TO {ident}"))
    return {"login": login, "renewed": renewed, "url": member_url(owner_url, login, password)}


def remove_join_login(owner_url: str) -> dict[str, Any]:
    """Drop the clinic's joining login (when nobody is about to join)."""
    with _managing_roles(owner_url) as s:
        login = join_login_name(_clinic(s, owner_url))
        if not _role_exists(s.connection(), login):
            raise ClinicError(
                "The clinic has no joining login.",
                "Nothing to do ('ncii-desk clinic-server logins' lists the logins).",
            )
        conn = s.connection()
        ident = _ident(conn, login)
        schema = _ident(conn, str(conn.execute(text("SELECT current_schema()")).scalar_one()))
        conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {ident}"))
        conn.execute(text(f"REVOKE ALL ON SCHEMA {schema} FROM {ident}"))
        conn.execute(text(f"DROP ROLE {ident}"))
    return {"login": login, "removed": True}


def remove_login(owner_url: str, member: str) -> dict[str, Any]:
    """Drop the database login of ``member`` (a full member id; it may be removed or
    unknown to the clinic)."""
    with _managing_roles(owner_url) as s:
        _clinic(s, owner_url)
        try:
            member_id = resolve_member(s, member).member_id
        except MemberUnknown:
            try:
                member_id = _hex_id(member.strip())
            except ValueError:
                raise MemberUnknown(
                    f"The clinic has no member with the id {member.strip()}.",
                    "Give the member id as 'ncii-desk clinic-server logins' lists it.",
                ) from None
        login = login_name(member_id)
        conn = s.connection()
        if not _role_exists(conn, login):
            raise MemberUnknown(
                f"Member {member_id} has no database login.",
                "Nothing to do ('ncii-desk clinic-server logins' lists the logins).",
            )
        # With the role its privileges go (they are its group's): a connection of it that
        # is still open is refused every table from now on, and a new one cannot log in.
        conn.execute(text(f"DROP ROLE {_ident(conn, login)}"))
    return {"login": login, "member_id": member_id, "removed": True}


def list_logins(owner_url: str) -> list[LoginInfo]:
    """The member logins of this clinic (members of its group role), each with its
    member's status; a login of a removed or unknown member is :attr:`LoginInfo.stale`."""
    with _managing_roles(owner_url) as s:
        clinic_id = _clinic(s, owner_url)
        rows = s.execute(
            text(
                "SELECT r.rolname, r.rolcanlogin FROM pg_roles r "
                "JOIN pg_auth_members m ON m.member = r.oid "
                "JOIN pg_roles g ON g.oid = m.roleid WHERE g.rolname = :g "
                "ORDER BY r.rolname"
            ),
            {"g": group_name(clinic_id)},
        ).all()
        joining = s.execute(
            text("SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = :n"),
            {"n": join_login_name(clinic_id)},
        ).all()
        members = {m.member_id: m for m in s.scalars(select(ClinicMember))}
        out = []
        for login, can_login in rows:
            member_id = member_of_login(str(login))
            row = members.get(member_id) if member_id else None
            status = status_of(row) if row is not None else "unknown"
            out.append(LoginInfo(str(login), member_id, status, bool(can_login)))
        out.extend(LoginInfo(str(name), None, "joining", bool(can)) for name, can in joining)
    return out
