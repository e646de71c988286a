"""captures.server_address becomes TEXT on PostgreSQL (sealed on a clinic store)

A clinic store seals the address of the server that hosted a captured copy with the case
key (session 8): the token is longer than an address, so the column is TEXT on PostgreSQL.
SQLite does not enforce a VARCHAR length, so a laptop vault keeps its column type.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 13:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.alter_column(
        "captures",
        "server_address",
        existing_type=sa.String(length=64),
        type_=sa.Text(),
        existing_nullable=True,
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.alter_column(
        "captures",
        "server_address",
        existing_type=sa.Text(),
        type_=sa.String(length=64),
        existing_nullable=True,
    )
