"""Ingest benchmark: a large source table polled through the SQL adapter into the ops store.

For SQLite and PostgreSQL (a throwaway server, or CITYOPS_BENCH_POSTGRES_URL), it measures:
the first full poll and ingest; an incremental poll after 1 % new rows (aim: at most 3 % of
the full poll); an indicator (daily mean by district) computed by a GROUP BY pushed down to
the source, against loading the table with pandas and grouping there (aim: faster and
smaller); and the refresh of that indicator after 1 % new rows (aim: at most 5 % of computing
it from scratch). Usage: `python bench/ingest.py [--rows 10000000] [--dbs sqlite,postgresql]`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    Float,
    Index,
    MetaData,
    String,
    Table,
    func,
    select,
    text,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.support import Measurement, measure, print_table
from data_adapters.clock.polling import poll_source
from data_adapters.sources.config import SourceSpec
from data_adapters.sources.sql import SqlAdapter
from data_adapters.store import make_engine
from data_adapters.store.migrate import upgrade

DISTRICTS = ("320703", "320706", "320707", "320722", "320723", "320724")
T0 = datetime(2025, 11, 1, tzinfo=UTC)
SPAN = timedelta(days=365)
CHUNK = 200_000


def source_table(metadata: MetaData, aware: bool) -> Table:
    return Table(
        "readings",
        metadata,
        Column("reading_id", BigInteger, primary_key=True, autoincrement=False),
        Column("district_code", String(6), nullable=False),
        Column("observed_at", DateTime(timezone=aware), nullable=False),
        Column("value", Float, nullable=False),
        Index("ix_readings_observed_at", "observed_at", "district_code", "value"),
    )


def fill(engine: Engine, table: Table, first: int, count: int, start: datetime, step: timedelta):
    """Append `count` rows with increasing ids and times; COPY on PostgreSQL."""
    rng = np.random.default_rng(first)
    for offset in range(0, count, CHUNK):
        n = min(CHUNK, count - offset)
        ids = np.arange(first + offset, first + offset + n)
        times = [start + step * int(i - first) for i in ids]
        if engine.dialect.name == "sqlite":
            times = [t.replace(tzinfo=None) for t in times]
        frame = pd.DataFrame(
            {
                "reading_id": ids,
                "district_code": np.asarray(DISTRICTS)[rng.integers(0, 6, n)],
                "observed_at": times,
                "value": rng.gamma(4.0, 15.0, n).round(2),
            }
        )
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                cursor = connection.connection.cursor()
                with cursor.copy("COPY readings FROM STDIN") as copy:
                    for row in frame.itertuples(index=False):
                        copy.write_row(row)
        else:
            with engine.begin() as connection:
                connection.execute(table.insert(), frame.to_dict("records"))


def spec(url: str, aggregate: bool) -> SourceSpec:
    options: dict = {"url": url, "table": "readings", "cursor": "observed_at", "limit": 50_000}
    if aggregate:
        options["aggregate"] = {
            "group_by": ["district_code"],
            "bucket": {"column": "observed_at", "unit": "day"},
            "measures": {"mean": "avg:value"},
        }
        options["map"] = {
            "key": ["district_code", "bucket"],
            "fields": {"district": "district_code", "observed_at": "bucket", "value": "mean"},
            "constants": {"indicator": "reading_daily_mean"},
            "timezone": "UTC",
        }
    else:
        options["map"] = {
            "key": ["reading_id"],
            "fields": {"district": "district_code", "observed_at": "observed_at", "value": "value"},
            "constants": {"indicator": "reading"},
            "timezone": "UTC",
        }
    return SourceSpec.model_validate(
        {
            "id": "bench-agg" if aggregate else "bench",
            "kind": "sql",
            "table": "observations",
            "catalogue": {
                "resource_id": "bench",
                "name_zh": "基准",
                "name_en": "Benchmark",
                "provider": "bench",
                "format": "db_table",
                "share_type": "unconditional",
                "update_cycle": "5min",
            },
            "options": options,
        }
    )


def poll(store: Engine, source_url: str, aggregate: bool) -> Measurement:
    """Poll (and ingest) until the source has nothing more."""
    source = spec(source_url, aggregate)
    adapter = SqlAdapter.from_options(source.options)
    stored = 0
    with measure() as result:
        while True:
            report = poll_source(store, source, adapter, max_pages=10_000)
            assert report.ok, report.error
            stored += report.stored
            if report.pages < 10_000:
                break
    adapter.close()
    result.extra["rows"] = stored
    return result


def pandas_groupby(source_url: str) -> Measurement:
    engine = make_engine(source_url)
    with measure() as result:
        frame = pd.read_sql_table("readings", engine)
        frame["day"] = pd.to_datetime(frame["observed_at"]).dt.floor("D")
        grouped = frame.groupby(["district_code", "day"])["value"].mean()
        result.extra["rows"] = len(grouped)
        del frame
    engine.dispose()
    return result


def run(dialect: str, source_url: str, store_url: str, rows: int) -> list[tuple[str, ...]]:
    source_engine = make_engine(source_url)
    metadata = MetaData()
    table = source_table(metadata, aware=dialect == "postgresql")
    metadata.create_all(source_engine)
    step = SPAN / rows
    with measure() as filled:
        fill(source_engine, table, 1, rows, T0, step)
    if dialect == "postgresql":
        with source_engine.begin() as connection:
            connection.execute(text("ANALYZE readings"))
    store = make_engine(store_url)
    upgrade(store)

    full = poll(store, source_url, aggregate=False)
    agg_full = poll(store, source_url, aggregate=True)
    in_pandas = pandas_groupby(source_url)  # the same rows as the pushed-down GROUP BY
    new = max(1, rows // 100)
    fill(source_engine, table, rows + 1, new, T0 + SPAN, step)
    incremental = poll(store, source_url, aggregate=False)
    agg_incremental = poll(store, source_url, aggregate=True)
    with source_engine.connect() as connection:
        total = connection.scalar(select(func.count()).select_from(table))
    source_engine.dispose()
    store.dispose()

    def row(name: str, m: Measurement, base: Measurement | None = None) -> tuple[str, ...]:
        ratio = f"{m.seconds / base.seconds:.1%}" if base else ""
        rate = f"{m.extra.get('rows', 0) / m.seconds:,.0f}" if m.extra.get("rows") else ""
        return (
            dialect,
            name,
            f"{m.extra.get('rows', ''):,}" if m.extra.get("rows") else "",
            f"{m.seconds:.2f}",
            rate,
            f"{m.peak_mb:.0f}",
            ratio,
        )

    filled.extra["rows"] = rows
    return [
        row("fill source table", filled),
        row("full poll + ingest", full),
        row("incremental poll + ingest (1 % new)", incremental, full),
        row("indicator: GROUP BY pushed down", agg_full),
        row("indicator: pandas read + groupby", in_pandas, agg_full),
        row("indicator refresh after 1 % new", agg_incremental, agg_full),
        (dialect, f"source rows now {total:,}", "", "", "", "", ""),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--dbs", default="sqlite,postgresql")
    args = parser.parse_args()
    results: list[tuple[str, ...]] = []
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="cityops-bench-") as folder:
        for dialect in args.dbs.split(","):
            if dialect == "sqlite":
                source_url = f"sqlite:///{folder}/source.db"
                store_url = f"sqlite:///{folder}/store.db"
            else:
                admin = os.environ.get("CITYOPS_BENCH_POSTGRES_URL")
                if admin is None:
                    from tests.support.postgres import temporary_server

                    admin = stack.enter_context(temporary_server())
                engine = make_engine(admin, isolation_level="AUTOCOMMIT")
                with engine.connect() as connection:
                    for name in ("bench_source", "bench_store"):
                        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
                        connection.execute(text(f"CREATE DATABASE {name}"))
                engine.dispose()
                base = admin.rsplit("/", 1)[0]
                source_url, store_url = f"{base}/bench_source", f"{base}/bench_store"
            results += run(dialect, source_url, store_url, args.rows)
            print_table(
                f"ingest benchmark, {args.rows:,} rows",
                results,
                ("db", "step", "rows", "seconds", "rows/s", "peak MB", "vs baseline"),
            )


if __name__ == "__main__":
    main()
