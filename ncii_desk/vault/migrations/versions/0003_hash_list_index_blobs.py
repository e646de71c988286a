"""hash list index blobs and entry positions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 08:26:38.320295
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("hash_list_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("position", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index(
            "ix_hash_list_entries_list_position", ["list_id", "position"], unique=False
        )

    with op.batch_alter_table("hash_lists", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pdq_index_blob_id", sa.String(length=32), nullable=True))
        batch_op.create_foreign_key(
            "fk_hash_lists_pdq_index_blob_id_blobs", "blobs", ["pdq_index_blob_id"], ["id"]
        )

    # Lists imported before this revision: their entries were inserted in list order.
    op.execute(
        "UPDATE hash_list_entries SET position = id - (SELECT MIN(e2.id) FROM "
        "hash_list_entries AS e2 WHERE e2.list_id = hash_list_entries.list_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("hash_lists", schema=None) as batch_op:
        batch_op.drop_constraint("fk_hash_lists_pdq_index_blob_id_blobs", type_="foreignkey")
        batch_op.drop_column("pdq_index_blob_id")

    with op.batch_alter_table("hash_list_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_hash_list_entries_list_position")
        batch_op.drop_column("position")
