"""clinic validation records of manipulation classifiers (models evaluate --save)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "model_validations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("model_name", sa.String(length=200), nullable=False),
        sa.Column("model_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("operator", sa.String(length=200), nullable=False),
        sa.Column("domain", sa.Text(), nullable=False),
        sa.Column("n_real", sa.Integer(), nullable=False),
        sa.Column("n_fake", sa.Integer(), nullable=False),
        sa.Column("auc", sa.Float(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("record_sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_model_validations_model_sha256", "model_validations", ["model_sha256"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_model_validations_model_sha256", table_name="model_validations")
    op.drop_table("model_validations")
