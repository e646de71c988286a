"""clinic members, per-case key wraps, signed membership records and sign-offs

Used by a clinic store (PostgreSQL); a laptop vault gets the empty tables.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 04:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "clinic_members",
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("key_record", sa.Text(), nullable=False),
        sa.Column("clinic_key_wrap", sa.Text(), nullable=True),
        sa.Column("name_sealed", sa.Text(), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=True),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("member_id"),
    )
    op.create_table(
        "case_key_wraps",
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("wrap", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("case_id", "version", "member_id"),
    )
    op.create_table(
        "case_membership",
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("case_id", "seq"),
    )
    op.create_table(
        "sign_offs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("document_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sign_offs_case_id", "sign_offs", ["case_id"], unique=False)
    op.create_index("ix_sign_offs_document_id", "sign_offs", ["document_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_sign_offs_document_id", table_name="sign_offs")
    op.drop_index("ix_sign_offs_case_id", table_name="sign_offs")
    op.drop_table("sign_offs")
    op.drop_table("case_membership")
    op.drop_table("case_key_wraps")
    op.drop_table("clinic_members")
