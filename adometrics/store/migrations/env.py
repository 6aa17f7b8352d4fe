"""Alembic environment: always run through :mod:`adometrics.store.migrate`, on the caller's connection."""

from __future__ import annotations

from alembic import context

from adometrics.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with adometrics.store.migrate.upgrade(), which passes a connection")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
