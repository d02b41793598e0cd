"""Alembic migrations of the ops store (run them with `cityops db upgrade`)."""
