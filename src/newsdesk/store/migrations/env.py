"""Alembic environment: newsdesk passes an open connection in ``config.attributes``."""

from alembic import context

from newsdesk.store.schema import include_name, metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through newsdesk.store.Store, which supplies the connection")

context.configure(
    connection=connection, target_metadata=metadata, render_as_batch=True, compare_type=False, include_name=include_name
)
with context.begin_transaction():
    context.run_migrations()
