"""A clock killed (SIGKILL) in the middle of a long poll loses nothing and doubles nothing:
the next clock takes the lease over and continues from the last committed watermark."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Column, DateTime, Float, Integer, MetaData, Table, func, insert, select

from data_adapters.store import make_engine, schema
from data_adapters.store.migrate import upgrade

ROWS = 60_000
SOURCES = """
[[source]]
id = "readings"
kind = "sql"
table = "observations"
[source.catalogue]
resource_id = "320700-TEST-1"
name_zh = "测试读数"
name_en = "Test readings"
provider = "市数据局"
format = "db_table"
share_type = "unconditional"
update_cycle = "realtime"
[source.options]
url = "${SOURCE_URL}"
table = "readings"
cursor = "at"
limit = 400
[source.options.map]
key = ["id"]
fields = { observed_at = "at", value = "value" }
constants = { indicator = "test" }
timezone = "UTC"
"""


def _count(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(
            select(func.count())
            .select_from(schema.observations)
            .where(schema.observations.c.source_id == "readings")
        )


def _start_clock(tmp_path: Path, environment: dict[str, str]) -> subprocess.Popen:
    with (tmp_path / f"clock-{time.monotonic_ns()}.log").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "dashboard.cli", "clock", "--lease-seconds", "2"],
            env=environment,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def test_killed_clock_loses_and_doubles_nothing(tmp_path: Path) -> None:
    source = make_engine(f"sqlite:///{tmp_path / 'source.db'}")
    metadata = MetaData()
    readings = Table(
        "readings",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("at", DateTime, nullable=False),
        Column("value", Float, nullable=False),
    )
    metadata.create_all(source)
    start = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=1)
    with source.begin() as connection:
        connection.execute(
            insert(readings),
            [
                {"id": i, "at": start + timedelta(seconds=i), "value": float(i)}
                for i in range(1, ROWS + 1)
            ],
        )
    (tmp_path / "sources.toml").write_text(SOURCES, encoding="utf-8")
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    store = make_engine(store_url)
    upgrade(store)
    environment = {
        **os.environ,
        "CITYOPS_DATABASE_URL": store_url,
        "CITYOPS_SOURCES_FILE": str(tmp_path / "sources.toml"),
        "SOURCE_URL": f"sqlite:///{tmp_path / 'source.db'}",
    }

    first = _start_clock(tmp_path, environment)
    deadline = time.monotonic() + 60
    while _count(store) < ROWS // 6:
        assert first.poll() is None, "the clock exited early"
        assert time.monotonic() < deadline, "the first clock stored nothing"
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait()
    at_kill = _count(store)
    assert 0 < at_kill < ROWS, "killed mid-poll"

    second = _start_clock(tmp_path, environment)
    try:
        deadline = time.monotonic() + 90
        while _count(store) < ROWS:
            assert second.poll() is None, "the second clock exited"
            assert time.monotonic() < deadline, f"stuck at {_count(store)} rows"
            time.sleep(0.1)
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0
    with store.connect() as connection:
        keys = connection.scalars(
            select(schema.observations.c.source_key).where(
                schema.observations.c.source_id == "readings"
            )
        ).all()
        status = (
            connection.execute(
                select(schema.source_status).where(schema.source_status.c.source_id == "readings")
            )
            .mappings()
            .one()
        )
    assert sorted(map(int, keys)) == list(range(1, ROWS + 1))
    assert status["rows_in"] >= ROWS and status["last_error"] is None
    source.dispose()
    store.dispose()
