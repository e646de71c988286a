"""audit events of other vaults received with a case hand-over file (case import)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 00:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "imported_audit_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("import_id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("sender_vault_id", sa.String(length=64), nullable=False),
        sa.Column("sender_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_mac", sa.String(length=64), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_imported_audit_events_import_id", "imported_audit_events", ["import_id"], unique=False
    )
    op.create_index(
        "ix_imported_audit_events_case_id", "imported_audit_events", ["case_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_imported_audit_events_case_id", table_name="imported_audit_events")
    op.drop_index("ix_imported_audit_events_import_id", table_name="imported_audit_events")
    op.drop_table("imported_audit_events")
