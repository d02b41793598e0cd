"""The data centre runs on PostgreSQL too, with exactly the same contents as on SQLite."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from simulator import DataCentre

from .conftest import START, dump, files


def test_postgresql_build_equals_sqlite_build(built, fresh_copy, postgres_url, tmp_path):
    target = START + timedelta(hours=3, minutes=17)
    sqlite_config = fresh_copy("sqlite")
    lite = DataCentre(sqlite_config)
    lite.build()
    lite.advance_to(target)
    lite.close()

    pg_config = replace(built, database_url=postgres_url, drop_dir=tmp_path / "pg-drop")
    pg = DataCentre(pg_config)
    report = pg.build()
    assert not report.resumed
    pg.advance_to(START + timedelta(hours=1))
    pg.advance_to(target)
    pg.close()
    with DataCentre(pg_config) as again:
        assert again.build().resumed

    assert dump(pg_config.database_url) == dump(sqlite_config.database_url)
    assert files(pg_config.drop_dir) == files(sqlite_config.drop_dir)
