"""Alembic environment: the URL comes from store.db.migrate (no alembic.ini needed)."""

from alembic import context
from sqlalchemy import create_engine

from store.schema import metadata

url = context.config.attributes["url"]
engine = create_engine(url, future=True)
with engine.connect() as connection:
    context.configure(
        connection=connection, target_metadata=metadata, render_as_batch=engine.dialect.name == "sqlite"
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
