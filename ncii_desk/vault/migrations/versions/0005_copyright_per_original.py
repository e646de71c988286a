"""who took each original and whether the client holds its copyright

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 20:30:00

Both columns start "unknown" for every existing item. A vault made before this revision
had no stored copyright facts (the DMCA draft took one "--copyright-owner" tick for the
whole case); that tick is never turned into per-original claims: the next DMCA draft
names each original that still has to be marked.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (SQLite supports it): the items table is not rebuilt.
    op.add_column(
        "items",
        sa.Column(
            "taken_by",
            sa.Enum("client", "other", "unknown", name="takenby", native_enum=False, length=20),
            nullable=False,
            server_default="unknown",
        ),
    )
    op.add_column(
        "items",
        sa.Column(
            "client_holds_copyright",
            sa.Enum("yes", "no", "unknown", name="answer", native_enum=False, length=20),
            nullable=False,
            server_default="unknown",
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.drop_column("client_holds_copyright")
        batch.drop_column("taken_by")
