"""The SQL adapter on SQLite and PostgreSQL: incremental polls, pages with ties, pushdown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Column, DateTime, Float, Integer, MetaData, String, Table, insert

from data_adapters.contract import ConfigError, TransientError
from data_adapters.sources.sql import SqlAdapter
from data_adapters.store import make_engine

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _readings_table(metadata: MetaData) -> Table:
    return Table(
        "readings",
        metadata,
        Column("reading_id", Integer, primary_key=True, autoincrement=False),
        Column("district_code", String(6), nullable=False),
        Column("observed", DateTime(timezone=True), nullable=False),
        Column("value", Float, nullable=False),
    )


class Source:
    """A source database with a `readings` table (a SQLite file or a PostgreSQL database)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        metadata = MetaData()
        self.table = _readings_table(metadata)
        metadata.create_all(self.engine)

    def time(self, moment: datetime) -> datetime:
        """As a source stores it: naive UTC on SQLite (like the simulator), aware elsewhere."""
        return moment.replace(tzinfo=None) if self.url.startswith("sqlite") else moment

    def row(self, i: int, minutes: int, district: str = "320706", value: float | None = None):
        return {
            "reading_id": i,
            "district_code": district,
            "observed": self.time(T0 + timedelta(minutes=minutes)),
            "value": float(i) if value is None else value,
        }

    def add(self, rows: list[dict[str, Any]]) -> None:
        with self.engine.begin() as connection:
            connection.execute(insert(self.table), rows)


@pytest.fixture
def source(store_url: str):
    created = Source(store_url)
    yield created
    created.engine.dispose()


_OPEN: list[SqlAdapter] = []


@pytest.fixture(autouse=True)
def _close_adapters():
    yield
    while _OPEN:
        _OPEN.pop().close()


def _adapter(url: str, **extra: Any) -> SqlAdapter:
    options = {
        "url": url,
        "table": "readings",
        "cursor": "observed",
        "map": {
            "key": ["reading_id"],
            "fields": {"district": "district_code", "observed_at": "observed", "value": "value"},
            "constants": {"indicator": "aqi"},
            "timezone": "UTC",
        },
        **extra,
    }
    adapter = SqlAdapter.from_options(options)
    _OPEN.append(adapter)
    return adapter


def _drain(adapter: SqlAdapter, since=None) -> tuple[list[str], dict]:
    keys: list[str] = []
    for _ in range(100):
        batch = adapter.poll(since)
        keys += [r.key for r in batch.records]
        since = batch.watermark
        if not batch.more:
            return keys, since
    raise AssertionError("the poll never finished")


def test_first_poll_reads_everything_and_maps_fields(source) -> None:
    url = source.url
    source.add([source.row(i, i) for i in range(1, 11)])
    batch = _adapter(url).poll(None)
    assert [r.key for r in batch.records] == [str(i) for i in range(1, 11)]
    first = batch.records[0].fields
    assert first["indicator"] == "aqi" and first["district"] == "320706"
    assert first["observed_at"] == T0 + timedelta(minutes=1)
    assert batch.watermark == {"cursor": (T0 + timedelta(minutes=10)).isoformat()}
    assert not batch.more


def test_incremental_poll_returns_only_new_rows_and_the_boundary(source) -> None:
    url = source.url
    source.add([source.row(i, i) for i in range(1, 11)])
    adapter = _adapter(url)
    watermark = adapter.poll(None).watermark
    source.add([source.row(i, i) for i in range(11, 14)])
    batch = adapter.poll(watermark)
    assert [r.key for r in batch.records] == ["10", "11", "12", "13"]  # >= re-reads the boundary


def test_pages_stream_rows_that_share_one_cursor_value(source) -> None:
    url = source.url
    source.add([source.row(i, 5) for i in range(1, 26)] + [source.row(i, 6) for i in range(26, 31)])
    keys, watermark = _drain(_adapter(url, limit=7))
    assert sorted(set(keys), key=int) == [str(i) for i in range(1, 31)]
    assert len(keys) == len(set(keys)), "keyset pages never repeat a row"
    assert "after_key" not in watermark


def test_watermark_never_passes_the_signpost(source) -> None:
    url = source.url
    future = datetime.now(UTC) + timedelta(days=2)
    source.add([source.row(1, 1), {**source.row(2, 1), "observed": source.time(future)}])
    batch = _adapter(url).poll(None)
    assert datetime.fromisoformat(batch.watermark["cursor"]) <= datetime.now(UTC)


def test_empty_poll_keeps_the_watermark(source) -> None:
    url = source.url
    source.add([source.row(1, 1)])
    adapter = _adapter(url)
    watermark = adapter.poll(None).watermark
    assert adapter.poll({**watermark, "after_key": [1]}).watermark == watermark


def test_aggregation_is_pushed_down_by_hour(source) -> None:
    url = source.url
    source.add(
        [
            source.row(i, i * 10, district="320706" if i % 2 else "320703", value=i)
            for i in range(1, 13)
        ]
    )
    adapter = _adapter(
        url,
        aggregate={
            "group_by": ["district_code"],
            "bucket": {"column": "observed", "unit": "hour"},
            "measures": {"mean": "avg:value", "n": "count:*"},
        },
        map={
            "key": ["district_code", "bucket"],
            "fields": {"district": "district_code", "observed_at": "bucket", "value": "mean"},
            "constants": {"indicator": "aqi_hourly"},
            "timezone": "UTC",
        },
    )
    batch = adapter.poll(None)
    by_key = {r.key: r.fields for r in batch.records}
    hour0 = by_key[f"320706|{T0.isoformat(sep=' ')}"]
    assert hour0["value"] == pytest.approx((1 + 3 + 5) / 3)
    assert len(batch.records) == 5  # minutes 10..110 in hours 0-1 for both, 120 in hour 2

    source.add([source.row(13, 125, value=100.0)])
    refreshed = adapter.poll(batch.watermark)
    keys = sorted(r.key for r in refreshed.records)
    assert all("02:00:00" in k or "01:00:00" in k for k in keys), "only recent buckets recomputed"


def test_missing_table_is_a_config_error(source) -> None:
    url = source.url
    adapter = _adapter(url, table="nope")
    with pytest.raises(ConfigError, match="no table 'nope'"):
        adapter.poll(None)
    assert not adapter.check().ok


def test_missing_column_is_a_config_error(source) -> None:
    url = source.url
    with pytest.raises(ConfigError, match="no column 'when'"):
        _adapter(url, cursor="when").poll(None)


def test_bad_options_are_a_config_error() -> None:
    with pytest.raises(ConfigError, match="sql source options"):
        SqlAdapter.from_options({"url": "sqlite://", "table": "t"})


def test_unreachable_database_is_transient() -> None:
    adapter = _adapter("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(TransientError):
        adapter.poll(None)
    health = adapter.check()
    assert not health.ok and health.details["kind"] == "transient"


def test_check_reports_a_readable_table(source) -> None:
    url = source.url
    health = _adapter(url).check()
    assert health.ok and "readings" in health.message


def test_share_measure_is_a_percentage_of_rows_with_a_value(source) -> None:
    """share:column=value: the satisfied among the rated, NULLs left out."""
    source.add([source.row(i, i, value=v) for i, v in ((1, 1.0), (2, 1.0), (3, 2.0), (4, 2.0))])
    adapter = _adapter(
        source.url,
        aggregate={"group_by": ["district_code"], "measures": {"share": "share:value=1.0"}},
        map={
            "key": ["district_code"],
            "fields": {"district": "district_code", "observed_at": "_cursor", "value": "share"},
            "constants": {"indicator": "satisfaction"},
            "timezone": "UTC",
        },
    )
    [record] = adapter.poll(None).records
    assert record.fields["value"] == pytest.approx(50.0)


def test_filters_by_value_list_and_not_null(source) -> None:
    source.add(
        [
            source.row(1, 1, district="320706"),
            source.row(2, 2, district="320703"),
            source.row(3, 3, district="320707"),
        ]
    )
    adapter = _adapter(
        source.url, filters={"district_code": ["320706", "320707"], "value": {"not_null": True}}
    )
    assert [r.key for r in adapter.poll(None).records] == ["1", "3"]


def test_a_view_is_read_like_a_table(source) -> None:
    """A query the source saves as a view is read like a table (no SQL text in our config)."""
    from sqlalchemy import text

    source.add([source.row(1, 1, district="320706"), source.row(2, 2, district="320703")])
    with source.engine.begin() as connection:
        connection.execute(
            text(
                "CREATE VIEW haizhou_readings AS "
                "SELECT * FROM readings WHERE district_code = '320706'"
            )
        )
    adapter = _adapter(source.url, table="haizhou_readings")
    assert [r.key for r in adapter.poll(None).records] == ["1"]
