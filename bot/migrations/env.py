"""Alembic environment: migrates the project's tables, never Rasa's `events`."""
from alembic import context

from bot.db import create_engine
from bot.models import Base

RASA_TABLES = {"events"}


def _include_object(obj, name, type_, reflected, compare_to) -> bool:
    return not (type_ == "table" and name in RASA_TABLES)


def run_migrations() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.connect() as connection:
            _migrate(connection)
        engine.dispose()
    else:
        _migrate(connection)


def _migrate(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_object=_include_object,
        render_as_batch=True,  # SQLite alters tables by copying them
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
