"""rechecks of captured URLs and the faces picked in reference photos

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 10:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OUTCOMES = ("still_up", "changed", "gone", "error")


def upgrade() -> None:
    op.create_table(
        "rechecks",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("capture_id", sa.String(length=32), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(*_OUTCOMES, name="recheckoutcome", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("content_sha256", sa.String(length=64), nullable=True),
        sa.Column("operator", sa.String(length=200), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["capture_id"], ["captures.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rechecks_case_id", "rechecks", ["case_id"])
    op.create_index("ix_rechecks_capture_id", "rechecks", ["capture_id"])
    op.create_table(
        "face_references",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.String(length=32), nullable=False),
        sa.Column("face_index", sa.Integer(), nullable=False),
        sa.Column("box", sa.JSON(), nullable=False),
        sa.Column("detector_score", sa.Float(), nullable=False),
        sa.Column("embedding", sa.JSON(), nullable=False),
        sa.Column("model_sha256", sa.String(length=64), nullable=False),
        sa.Column("chosen_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_face_references_case_id", "face_references", ["case_id"])
    op.create_index("ix_face_references_item_id", "face_references", ["item_id"])


def downgrade() -> None:
    op.drop_index("ix_face_references_item_id", table_name="face_references")
    op.drop_index("ix_face_references_case_id", table_name="face_references")
    op.drop_table("face_references")
    op.drop_index("ix_rechecks_capture_id", table_name="rechecks")
    op.drop_index("ix_rechecks_case_id", table_name="rechecks")
    op.drop_table("rechecks")
