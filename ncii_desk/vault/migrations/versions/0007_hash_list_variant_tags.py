"""hash-list entries keep their variant tag and the canonical hash of their picture

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 22:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("hash_list_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("variant", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("original", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("hash_list_entries", schema=None) as batch_op:
        batch_op.drop_column("original")
        batch_op.drop_column("variant")
