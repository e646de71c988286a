"""row-level security on a clinic store: member logins see and change only their cases

PostgreSQL only (a laptop vault is unchanged). Each admitted member of a clinic may have
their own database login (``ncii-desk clinic-server login``), named ``ncii_m_`` followed by
their member id. For such a login, PostgreSQL itself enforces what the clients already
enforce from the signed membership records:

* a member on a case reads its rows; an advocate or a supervising attorney of the case
  inserts, updates and deletes them; a read-only member cannot write; a member not on the
  case sees none of its rows (cases, items, hashes and analyses through their item, blobs
  of the case, captures, matches, removal requests, rechecks, face references, case key
  wraps, membership records, sign-offs, imported audit events);
* the role is read from the newest membership record of the case (the record's clear
  ``members`` map); a record is accepted only from a login allowed to write it: the
  case's creator in the transaction that created the case for record 1, an advocate or
  supervising attorney of the case after; records are never updated or deleted;
* only a supervising attorney of the case adds a sign-off, and only under their own id;
* the member directory: a member changes their own key record only, never brings back a
  removed member, and adds only pending rows;
* the clinic record in ``settings`` is the owner's alone.

The table owner (the login that runs ``clinic-server init`` and ``upgrade``) bypasses all
of this, as PostgreSQL's row-level security does for a table's owner.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 07:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Case-scoped tables and the SQL giving a row's case id (``r`` is the row).
CASE_TABLES: tuple[tuple[str, str], ...] = (
    ("cases", "id"),
    ("items", "case_id"),
    ("hashes", "ncii_item_case(item_id)"),
    ("analyses", "ncii_item_case(item_id)"),
    ("captures", "case_id"),
    ("matches", "case_id"),
    ("removal_requests", "case_id"),
    ("rechecks", "case_id"),
    ("face_references", "case_id"),
    ("case_key_wraps", "case_id"),
    ("case_membership", "case_id"),
    ("sign_offs", "case_id"),
    ("imported_audit_events", "case_id"),
    ("blobs", "case_id"),
)

#: Functions made here (dropped by downgrade, in this order).
FUNCTIONS = (
    "ncii_change_guard()",
    "ncii_membership_guard()",
    "ncii_members_guard()",
    "ncii_cases(boolean)",
    "ncii_may_write(text)",
    "ncii_may_read(text)",
    "ncii_case_role(text)",
    "ncii_creating(text)",
    "ncii_item_case(text)",
    "ncii_login_member()",
    "ncii_is_owner()",
)


def _functions(schema: str) -> list[str]:
    fixed = f"SECURITY DEFINER SET search_path = {schema}, pg_temp"
    return [
        # The member id of this session's login: a login named ncii_m_<id> of an admitted
        # member; NULL for any other login (the owner, a removed member).
        f"""CREATE FUNCTION ncii_login_member() RETURNS text LANGUAGE sql STABLE {fixed} AS $$
            SELECT m.member_id FROM clinic_members m
            WHERE left(session_user::text, 7) = 'ncii_m_'
              AND m.member_id = substr(session_user::text, 8)
              AND m.removed_at IS NULL AND m.clinic_key_wrap IS NOT NULL $$""",
        # Whether this session's login owns the tables (or is a superuser): RLS does not
        # apply to it, and neither do the guards below.
        f"""CREATE FUNCTION ncii_is_owner() RETURNS boolean LANGUAGE sql STABLE {fixed} AS $$
            SELECT coalesce((SELECT r.rolsuper FROM pg_roles r
                             WHERE r.rolname = session_user), false)
                OR pg_has_role(session_user,
                               (SELECT c.relowner FROM pg_class c
                                WHERE c.oid = 'cases'::regclass), 'USAGE') $$""",
        f"""CREATE FUNCTION ncii_item_case(p_item text) RETURNS text LANGUAGE sql STABLE
            {fixed} AS $$ SELECT i.case_id FROM items i WHERE i.id = p_item $$""",
        # The case row was written by this very transaction (and the login is a member):
        # its creator may fill it before the first membership record names them.
        f"""CREATE FUNCTION ncii_creating(p_case text) RETURNS boolean LANGUAGE sql STABLE
            {fixed} AS $$
            SELECT ncii_login_member() IS NOT NULL AND EXISTS (
              SELECT 1 FROM cases c WHERE c.id = p_case
                AND c.xmin::text = (pg_current_xact_id_if_assigned()::text::bigint
                                    % 4294967296)::text) $$""",
        # The login's role on the case, as the case's newest membership record states it.
        f"""CREATE FUNCTION ncii_case_role(p_case text) RETURNS text LANGUAGE sql STABLE
            {fixed} AS $$
            SELECT r.record::jsonb -> 'body' -> 'members' -> ncii_login_member() ->> 'role'
            FROM case_membership r WHERE r.case_id = p_case
            ORDER BY r.seq DESC LIMIT 1 $$""",
        f"""CREATE FUNCTION ncii_may_read(p_case text) RETURNS boolean LANGUAGE sql STABLE
            {fixed} AS $$
            SELECT coalesce(ncii_case_role(p_case) IS NOT NULL OR ncii_creating(p_case),
                            false) $$""",
        f"""CREATE FUNCTION ncii_may_write(p_case text) RETURNS boolean LANGUAGE sql STABLE
            {fixed} AS $$
            SELECT coalesce(ncii_case_role(p_case) IN ('advocate', 'supervising_attorney')
                            OR ncii_creating(p_case), false) $$""",
        # The cases the login may read (p_write false) or write (true), as one set, by the
        # same rule as ncii_may_read / ncii_may_write: the policies test a row's case
        # against it, which PostgreSQL computes once per statement instead of once per row.
        f"""CREATE FUNCTION ncii_cases(p_write boolean) RETURNS SETOF text LANGUAGE sql
            STABLE {fixed} AS $$
            SELECT n.case_id FROM (
                SELECT DISTINCT ON (m.case_id) m.case_id, m.record FROM case_membership m
                ORDER BY m.case_id, m.seq DESC) n,
              (SELECT ncii_login_member() AS id) me
            WHERE me.id IS NOT NULL AND strpos(n.record, me.id) > 0
              AND CASE WHEN p_write
                THEN (n.record::jsonb -> 'body' -> 'members' -> me.id ->> 'role')
                     IN ('advocate', 'supervising_attorney')
                ELSE (n.record::jsonb -> 'body' -> 'members' -> me.id ->> 'role')
                     IS NOT NULL END
            UNION
            SELECT c.id FROM cases c,
              (SELECT ncii_login_member() AS id, pg_current_xact_id_if_assigned() AS xact) me
            WHERE me.id IS NOT NULL AND me.xact IS NOT NULL
              AND c.xmin::text = (me.xact::text::bigint % 4294967296)::text $$""",
        # UPDATE and DELETE of a row the login may read but not write: refused with an
        # error (a policy alone would skip a DELETE silently), and an UPDATE must be
        # allowed on the row's case before the change as well as after it (WITH CHECK):
        # no moving a row out of a case where the login is read-only.
        f"""CREATE FUNCTION ncii_change_guard() RETURNS trigger LANGUAGE plpgsql {fixed} AS $$
            DECLARE v_case text; v_ok boolean;
            BEGIN
              v_ok := ncii_is_owner();
              IF NOT v_ok THEN
                IF TG_ARGV[0] = 'item' THEN
                  v_case := ncii_item_case(to_jsonb(OLD) ->> 'item_id');
                ELSE
                  v_case := to_jsonb(OLD) ->> TG_ARGV[0];
                END IF;
                IF v_case IS NULL AND TG_TABLE_NAME = 'blobs' THEN
                  v_ok := ncii_login_member() IS NOT NULL;
                ELSE
                  v_ok := ncii_may_write(v_case);
                END IF;
              END IF;
              IF NOT v_ok THEN
                RAISE EXCEPTION 'ncii-rls: this login may not % rows of % of case %',
                  lower(TG_OP), TG_TABLE_NAME, v_case USING ERRCODE = 'insufficient_privilege';
              END IF;
              IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
              RETURN NEW;
            END $$""",
        # A membership record is accepted only from a login allowed to make it.
        f"""CREATE FUNCTION ncii_membership_guard() RETURNS trigger LANGUAGE plpgsql
            {fixed} AS $$
            DECLARE v_member text; v_body jsonb; v_prev text;
            BEGIN
              IF ncii_is_owner() THEN
                IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;  -- NULL would skip the delete
                RETURN NEW;
              END IF;
              IF TG_OP <> 'INSERT' THEN
                RAISE EXCEPTION 'ncii-rls: membership records are never changed'
                  USING ERRCODE = 'insufficient_privilege';
              END IF;
              v_member := ncii_login_member();
              IF v_member IS NULL THEN
                RAISE EXCEPTION 'ncii-rls: this login is not an admitted member'
                  USING ERRCODE = 'insufficient_privilege';
              END IF;
              BEGIN
                v_body := NEW.record::jsonb -> 'body';
              EXCEPTION WHEN others THEN
                RAISE EXCEPTION 'ncii-rls: the membership record cannot be read'
                  USING ERRCODE = 'insufficient_privilege';
              END;
              IF v_body ->> 'case_id' IS DISTINCT FROM NEW.case_id
                 OR v_body ->> 'seq' IS DISTINCT FROM NEW.seq::text
                 OR v_body ->> 'actor' IS DISTINCT FROM v_member THEN
                RAISE EXCEPTION 'ncii-rls: the membership record does not match its row '
                  'or is not made by this login''s member'
                  USING ERRCODE = 'insufficient_privilege';
              END IF;
              IF NEW.seq = 1 THEN
                IF NOT ncii_creating(NEW.case_id)
                   OR v_body ->> 'action' IS DISTINCT FROM 'case.create'
                   OR (SELECT array_agg(k) FROM jsonb_object_keys(v_body -> 'members') k)
                      IS DISTINCT FROM ARRAY[v_member] THEN
                  RAISE EXCEPTION 'ncii-rls: only the member creating case % starts its '
                    'membership', NEW.case_id USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NEW;
              END IF;
              SELECT r.record::jsonb -> 'body' -> 'members' -> v_member ->> 'role'
                INTO v_prev FROM case_membership r
                WHERE r.case_id = NEW.case_id AND r.seq = NEW.seq - 1;
              IF v_prev IS NULL OR v_prev NOT IN ('advocate', 'supervising_attorney') THEN
                RAISE EXCEPTION 'ncii-rls: only an advocate or supervising attorney of case % '
                  'changes who is on it', NEW.case_id
                  USING ERRCODE = 'insufficient_privilege';
              END IF;
              RETURN NEW;
            END $$""",
        # The member directory, for a member's login.
        f"""CREATE FUNCTION ncii_members_guard() RETURNS trigger LANGUAGE plpgsql
            {fixed} AS $$
            DECLARE v_member text;
            BEGIN
              IF ncii_is_owner() THEN
                IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                RETURN NEW;
              END IF;
              v_member := ncii_login_member();
              IF TG_OP = 'INSERT' THEN
                IF NEW.clinic_key_wrap IS NOT NULL OR NEW.removed_at IS NOT NULL
                   OR NEW.added_by IS NOT NULL THEN
                  RAISE EXCEPTION 'ncii-rls: a new member row starts pending'
                    USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NEW;
              END IF;
              IF v_member IS NULL THEN
                RAISE EXCEPTION 'ncii-rls: this login is not an admitted member'
                  USING ERRCODE = 'insufficient_privilege';
              END IF;
              IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION 'ncii-rls: member rows are never deleted'
                  USING ERRCODE = 'insufficient_privilege';
              END IF;
              IF NEW.member_id <> OLD.member_id
                 OR (NEW.key_record <> OLD.key_record AND OLD.member_id <> v_member)
                 OR (OLD.removed_at IS NOT NULL AND (NEW.removed_at IS NULL
                     OR NEW.clinic_key_wrap IS NOT NULL)) THEN
                RAISE EXCEPTION 'ncii-rls: this change of member % is not allowed',
                  OLD.member_id USING ERRCODE = 'insufficient_privilege';
              END IF;
              RETURN NEW;
            END $$""",
    ]


def _policies(table: str, case: str) -> list[str]:
    member = "(SELECT ncii_login_member()) IS NOT NULL"  # once per statement
    if case.startswith("ncii_item_case"):
        # through the item: readable when the login sees the item (items' own policy)
        read = "EXISTS (SELECT 1 FROM items i WHERE i.id = item_id)"
        write = (
            "EXISTS (SELECT 1 FROM items i WHERE i.id = item_id "
            "AND i.case_id IN (SELECT ncii_cases(true)))"
        )
    else:
        read = f"{case} IN (SELECT ncii_cases(false))"
        write = f"{case} IN (SELECT ncii_cases(true))"
    if table == "blobs":
        read = f"(case_id IS NULL AND {member}) OR {read}"
        write = f"(case_id IS NULL AND {member}) OR {write}"
    insert = write
    if table in ("cases", "case_membership"):
        insert = member  # case_membership: the guard trigger checks the record
    elif table == "sign_offs":
        insert = (
            "member_id = ncii_login_member() AND "
            "(ncii_case_role(case_id) = 'supervising_attorney' OR ncii_creating(case_id))"
        )
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY ncii_read ON {table} FOR SELECT USING ({read})",
        f"CREATE POLICY ncii_insert ON {table} FOR INSERT WITH CHECK ({insert})",
        # USING read: a read-only member's UPDATE reaches the row and fails WITH CHECK
        # with an error instead of silently changing nothing.
        f"CREATE POLICY ncii_update ON {table} FOR UPDATE USING ({read}) WITH CHECK ({write})",
        f"CREATE POLICY ncii_delete ON {table} FOR DELETE USING ({read})",
    ]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    for statement in _functions(f'"{schema}"'):
        op.execute(statement)
    for table, case in CASE_TABLES:
        for statement in _policies(table, case):
            op.execute(statement)
        column = "item" if case.startswith("ncii_item_case") else case
        op.execute(
            f"CREATE TRIGGER ncii_change_guard BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW "
            f"EXECUTE FUNCTION ncii_change_guard('{column}')"
        )
    op.execute(
        "CREATE TRIGGER ncii_membership_guard BEFORE INSERT OR UPDATE OR DELETE "
        "ON case_membership FOR EACH ROW EXECUTE FUNCTION ncii_membership_guard()"
    )
    op.execute(
        "CREATE TRIGGER ncii_members_guard BEFORE INSERT OR UPDATE OR DELETE "
        "ON clinic_members FOR EACH ROW EXECUTE FUNCTION ncii_members_guard()"
    )
    # The clinic record is the owner's alone; every other settings row is any member's.
    op.execute("ALTER TABLE settings ENABLE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY ncii_read ON settings FOR SELECT USING (true)")
    op.execute(
        "CREATE POLICY ncii_write ON settings FOR ALL USING (key <> 'clinic.record') "
        "WITH CHECK (key <> 'clinic.record' AND ncii_login_member() IS NOT NULL)"
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("DROP POLICY IF EXISTS ncii_write ON settings")
    op.execute("DROP POLICY IF EXISTS ncii_read ON settings")
    op.execute("ALTER TABLE settings DISABLE ROW LEVEL SECURITY")
    op.execute("DROP TRIGGER IF EXISTS ncii_members_guard ON clinic_members")
    op.execute("DROP TRIGGER IF EXISTS ncii_membership_guard ON case_membership")
    for table, _case in CASE_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS ncii_change_guard ON {table}")
        for name in ("ncii_read", "ncii_insert", "ncii_update", "ncii_delete"):
            op.execute(f"DROP POLICY IF EXISTS {name} ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
