"""blobs name the case key that encrypts them; sealable columns become TEXT on PostgreSQL

A clinic store encrypts a case's blobs with that case's key (``blobs.case_id`` and
``blobs.key_version``; NULL in a laptop vault and for a clinic's blobs of no case), and may
keep hash values, names of operators and other short columns sealed on the client: a sealed
token is longer than the clear value, so those columns are TEXT on PostgreSQL. SQLite does
not enforce a VARCHAR length, so a laptop vault keeps its column types (no table rebuild).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 07:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, column, VARCHAR length on SQLite, nullable) of every column made TEXT on
#: PostgreSQL; the models declare them with ``_sealable(length)``.
SEALABLE: tuple[tuple[str, str, int, bool], ...] = (
    ("cases", "label", 200, False),
    ("cases", "client_pseudonym", 200, False),
    ("blobs", "sha256", 64, False),
    ("captures", "operator", 200, False),
    ("items", "sha256", 64, False),
    ("items", "md5", 32, False),
    ("items", "operator", 200, False),
    ("hashes", "value", 256, False),
    ("matches", "reviewed_by", 200, True),
    ("removal_requests", "platform", 200, False),
    ("removal_requests", "ticket_id", 200, True),
    ("audit_events", "actor", 200, False),
    ("hash_lists", "name", 200, False),
    ("hash_lists", "sha256", 64, False),
    ("hash_lists", "operator", 200, False),
    ("hash_list_entries", "value", 256, False),
    ("hash_list_entries", "variant", 64, True),
    ("hash_list_entries", "original", 64, True),
    ("match_bank", "suspect_value", 256, False),
    ("match_bank", "target_value", 256, False),
    ("match_bank", "reviewer", 200, False),
    ("rechecks", "content_sha256", 64, True),
    ("rechecks", "operator", 200, False),
    ("face_references", "chosen_by", 200, False),
    ("model_validations", "operator", 200, False),
    ("imported_audit_events", "actor", 200, False),
)


def upgrade() -> None:
    with op.batch_alter_table("blobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("key_version", sa.Integer(), nullable=True))
        batch_op.create_index("ix_blobs_case_id", ["case_id"], unique=False)
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, length, nullable in SEALABLE:
        op.alter_column(
            table,
            column,
            existing_type=sa.String(length=length),
            type_=sa.Text(),
            existing_nullable=nullable,
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, column, length, nullable in SEALABLE:
            op.alter_column(
                table,
                column,
                existing_type=sa.Text(),
                type_=sa.String(length=length),
                existing_nullable=nullable,
            )
    with op.batch_alter_table("blobs", schema=None) as batch_op:
        batch_op.drop_index("ix_blobs_case_id")
        batch_op.drop_column("key_version")
        batch_op.drop_column("case_id")
