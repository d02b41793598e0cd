"""The ops store: the schema, the engine factory and the migrations (SQLite or PostgreSQL)."""

from data_adapters.store.engine import make_engine
from data_adapters.store.schema import metadata

__all__ = ["make_engine", "metadata"]
