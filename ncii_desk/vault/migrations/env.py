"""Alembic environment: always runs on the vault's own (already keyed) connection."""

from alembic import context

import ncii_desk.vault.schema  # noqa: F401  (String(n) rule on PostgreSQL, see there)
from ncii_desk.vault.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
