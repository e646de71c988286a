"""hash lists and match banks

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 08:07:43.152925
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hash_lists",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("bad_lines", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("operator", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "hash_list_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("list_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("value", sa.String(length=256), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=True),
        sa.Column("label", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["hash_lists.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("hash_list_entries", schema=None) as batch_op:
        batch_op.create_index("ix_hash_list_entries_kind_value", ["kind", "value"], unique=False)
        batch_op.create_index(batch_op.f("ix_hash_list_entries_list_id"), ["list_id"], unique=False)

    op.create_table(
        "match_bank",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("bank", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("suspect_value", sa.String(length=256), nullable=False),
        sa.Column("target_value", sa.String(length=256), nullable=False),
        sa.Column("match_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("reviewer", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["match_id"],
            ["matches.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("match_bank", schema=None) as batch_op:
        batch_op.create_index("ix_match_bank_pair", ["suspect_value", "target_value"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("match_bank", schema=None) as batch_op:
        batch_op.drop_index("ix_match_bank_pair")

    op.drop_table("match_bank")
    with op.batch_alter_table("hash_list_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hash_list_entries_list_id"))
        batch_op.drop_index("ix_hash_list_entries_kind_value")

    op.drop_table("hash_list_entries")
    op.drop_table("hash_lists")
