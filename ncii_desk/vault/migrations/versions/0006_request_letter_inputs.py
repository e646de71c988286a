"""removal requests keep what their letter was made from (re-dated when sent)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 20:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("removal_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("letter_inputs", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("removal_requests", schema=None) as batch_op:
        batch_op.drop_column("letter_inputs")
