"""Query plans on SQLite: incremental polls and indicator reads use the time-led indexes.

SQLite's planner picks an index by its own estimates; a composite index not led by the time
column once made the newest-1 % query 150 times slower. These tests read EXPLAIN QUERY PLAN
for the queries the clock really runs and fail if they stop using the intended index.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, DateTime, Float, Index, Integer, MetaData, String, Table, select
from sqlalchemy.engine import Engine

from data_adapters.derive.periods import window_start
from data_adapters.sources.sql import SqlAdapter
from data_adapters.store import make_engine
from data_adapters.store.migrate import upgrade
from data_adapters.store.schema import observations

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _plan(engine: Engine, query) -> str:
    compiled = query.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
    return " | ".join(str(row[-1]) for row in rows)


def _source(tmp_path) -> tuple[Engine, SqlAdapter]:
    url = f"sqlite:///{tmp_path / 'source.db'}"
    engine = make_engine(url)
    metadata = MetaData()
    Table(
        "readings",
        metadata,
        Column("reading_id", Integer, primary_key=True),
        Column("district_code", String(6)),
        Column("category", String(8)),
        Column("observed_at", DateTime),
        Column("value", Float),
        Index("ix_readings_observed_at", "observed_at", "district_code", "value"),
        Index("ix_readings_district_category", "district_code", "category"),
    )
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            Table("readings", MetaData(), autoload_with=connection).insert(),
            [
                {
                    "reading_id": i,
                    "district_code": f"32070{i % 6}",
                    "category": f"c{i % 9}",
                    "observed_at": (T0 + timedelta(minutes=i)).replace(tzinfo=None),
                    "value": i,
                }
                for i in range(1, 20001)
            ],
        )
        connection.exec_driver_sql("ANALYZE")
    adapter = SqlAdapter.from_options(
        {
            "url": url,
            "table": "readings",
            "cursor": "observed_at",
            "aggregate": {
                "group_by": ["district_code"],
                "bucket": {"column": "observed_at", "unit": "hour"},
                "measures": {"mean": "avg:value"},
            },
            "map": {
                "key": ["district_code", "bucket"],
                "timezone": "UTC",
                "fields": {"district": "district_code", "observed_at": "bucket", "value": "mean"},
                "constants": {"indicator": "x"},
            },
        }
    )
    return engine, adapter


def test_incremental_poll_uses_the_time_index(tmp_path) -> None:
    engine, adapter = _source(tmp_path)
    table = adapter._reflect()
    since = {"cursor": (T0 + timedelta(days=13)).isoformat()}
    rows = SqlAdapter.from_options(
        {
            **adapter.options.model_dump(by_alias=True, exclude={"aggregate"}),
            "map": {"key": ["reading_id"], "fields": {"value": "value"}},
        }
    )
    rows_plan = _plan(engine, rows._rows_query(rows._reflect(), since))
    rows.close()
    assert "ix_readings_observed_at" in rows_plan, rows_plan
    aggregate, _ = adapter._aggregate_query(table, since)
    refresh_plan = _plan(engine, aggregate)
    assert "ix_readings_observed_at" in refresh_plan, refresh_plan
    assert "district_category" not in refresh_plan
    adapter.close()
    engine.dispose()


def test_indicator_reads_use_the_indicator_time_index(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(engine)
    now = datetime(2026, 11, 28, tzinfo=UTC)
    query = (
        select(observations.c.district, observations.c.observed_at, observations.c.value)
        .where(observations.c.indicator == "aqi")
        .where(observations.c.observed_at >= window_start(now, "hour"))
        .where(observations.c.observed_at <= now)
    )
    plan = _plan(engine, query)
    assert "USING INDEX ix_observations_indicator_observed_at" in plan, plan
    engine.dispose()
