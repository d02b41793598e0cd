"""Schema migrations run from code: `upgrade(engine)` brings a store to the newest revision."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config(engine: Engine, connection: object) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Migrate the store to `revision` in one transaction; return the revision reached."""
    with engine.begin() as connection:
        command.upgrade(_config(engine, connection), revision)
    return current_revision(engine)


def current_revision(engine: Engine) -> str | None:
    """The store's revision, or None for an empty store."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision the code knows."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def make_revision(engine: Engine, message: str) -> None:
    """Autogenerate a revision from the difference between `schema.py` and the store."""
    with engine.begin() as connection:
        command.revision(_config(engine, connection), message=message, autogenerate=True)
