"""Query plans on SQLite: incremental polls and indicator reads use the time-led indexes, and
the asset map's reads use the indexes made for them.

SQLite's planner picks an index by its own estimates; a composite index not led by the time
column once made the newest-1 % query 150 times slower. These tests read EXPLAIN QUERY PLAN
for the queries the clock and the pages really run and fail if they stop using the intended
index. The asset map's plans are of the very SQL its read functions send (caught on the way
to the driver), on a store without statistics, as a store that never ran ANALYZE plans.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    event,
    select,
)
from sqlalchemy.engine import Engine

from dashboard.data import assets
from data_adapters.derive.periods import window_start
from data_adapters.sources.sql import SqlAdapter
from data_adapters.store import make_engine
from data_adapters.store.migrate import upgrade
from data_adapters.store.schema import observations

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _explain(engine: Engine, statement: str, parameters: Any = ()) -> str:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    return " | ".join(str(row[-1]) for row in rows)


def _plan(engine: Engine, query) -> str:
    compiled = query.compile(engine, compile_kwargs={"literal_binds": True})
    return _explain(engine, str(compiled))


def _plans_of(engine: Engine, read: Callable[[Engine], object]) -> list[str]:
    """The plan of every statement `read(engine)` sends, in order."""
    sent: list[tuple[str, Any]] = []

    def catch(connection, cursor, statement, parameters, context, executemany) -> None:
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", catch)
    try:
        read(engine)
    finally:
        event.remove(engine, "before_cursor_execute", catch)
    return [_explain(engine, statement, parameters) for statement, parameters in sent]


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


@pytest.fixture
def asset_store(tmp_path) -> Iterator[Engine]:
    """A migrated SQLite ops store without statistics (the asset map's plans do not depend on
    how many rows there are until ANALYZE runs, which the product never does)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


DISTRICT = "320706"
#: Counts and fault rates come from the (district, kind, status) index alone, already in group
#: order (no temporary B-tree); one asset is found by its key (a sort of its few rows is fine).
BY_DISTRICT = "SEARCH assets USING COVERING INDEX ix_assets_district_kind_status"


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        pytest.param(
            lambda engine: assets.asset_detail(engine, "SL000123"),
            "SEARCH assets USING INDEX ix_assets_source_key (source_key=?)"
            " | USE TEMP B-TREE FOR ORDER BY",
            id="asset_detail",
        ),
        pytest.param(
            lambda engine: assets.kind_counts(engine, assets.AssetFilter(district=DISTRICT)),
            f"{BY_DISTRICT} (district=?)",
            id="kind_counts-of-a-district",
        ),
        pytest.param(assets.fault_rates, f"{BY_DISTRICT} (district>?)", id="fault_rates"),
        pytest.param(assets.worst_cells, f"{BY_DISTRICT} (district>?)", id="worst_cells"),
    ],
)
def test_asset_map_reads_use_their_indexes(
    asset_store: Engine, read: Callable[[Engine], object], expected: str
) -> None:
    [plan] = _plans_of(asset_store, read)
    assert plan == expected
