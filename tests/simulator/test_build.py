"""Building, resuming, the cursor columns and the live clock."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, func, select, text

from simulator import DataCentre
from simulator.schema import data_tables, hotline_tickets, metadata

from .conftest import START, dump, small_config


def test_build_reports_counts(built):
    centre = DataCentre(built)
    report = centre.build()
    centre.close()
    assert report.resumed
    assert report.sim_now == START
    for table in (
        "catalogue_resources",
        "pop_population",
        "ent_enterprises",
        "macro_values",
        "credit_records",
        "cert_daily_issuance",
        "geo_assets",
        "geo_resources",
        "sensor_things",
        "sensor_datastreams",
        "sensor_observations",
        "hotline_tickets",
        "public_posts",
        "emergency_incidents",
        "port_berth_snapshots",
        "port_daily",
    ):
        assert report.counts[table] > 0, table


def test_resume_continues_from_newest_time(fresh_copy):
    config = fresh_copy()
    centre = DataCentre(config)
    centre.build()
    centre.advance_to(START + timedelta(hours=2))
    centre.close()
    again = DataCentre(config)
    report = again.build()
    assert report.resumed
    assert report.sim_now == START + timedelta(hours=2)
    assert again.advance_to(START + timedelta(hours=1)).rows == 0  # the past is not rewritten
    again.close()


def test_other_seed_rebuilds(fresh_copy):
    config = fresh_copy()
    from dataclasses import replace

    with DataCentre(replace(config, seed=99)) as centre:
        assert not centre.build().resumed


def test_every_table_has_primary_key_and_cursor_index():
    for table in metadata.sorted_tables:
        assert list(table.primary_key.columns), table.name
        assert "updated_at" in table.c
        cursor = [i for i in table.indexes if i.name == f"ix_{table.name}_cursor"]
        assert cursor and next(iter(cursor[0].columns)).name == "updated_at"


def test_updated_at_is_an_increasing_cursor(fresh_copy):
    config = fresh_copy()
    before = dump(config.database_url)
    centre = DataCentre(config)
    centre.build()
    engine = create_engine(config.database_url)
    with engine.connect() as conn:
        high = {
            t.name: conn.execute(select(func.max(t.c.updated_at))).scalar() for t in data_tables()
        }
    centre.advance_to(START + timedelta(hours=5))
    centre.close()
    after = dump(config.database_url)
    for table in data_tables():
        cursor = list(table.c.keys()).index("updated_at")
        old = set(before[table.name])
        changed = [row for row in after[table.name] if row not in old]
        for row in changed:
            assert high[table.name] is None or row[cursor] > high[table.name], table.name
            assert row[cursor] <= START + timedelta(hours=5)
            assert row[cursor].tzinfo is not None
    assert any(len(after[t.name]) > len(before[t.name]) for t in data_tables())


def test_times_are_aware_utc_and_stored_sortable(built):
    engine = create_engine(built.database_url)
    with engine.connect() as conn:
        value = conn.execute(select(func.max(hotline_tickets.c.updated_at))).scalar()
        raw = conn.execute(text("SELECT max(updated_at) FROM hotline_tickets")).scalar()
    assert value.tzinfo == UTC
    assert raw == value.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def test_run_stops_promptly(fresh_copy):
    config = fresh_copy()
    centre = DataCentre(config)
    centre.build()
    ticks = []
    stop = threading.Event()
    worker = threading.Thread(target=centre.run, args=(stop, ticks.append))
    worker.start()
    time.sleep(1.5)
    began = time.monotonic()
    stop.set()
    worker.join(timeout=2)
    assert not worker.is_alive()
    assert time.monotonic() - began < 1.0
    assert ticks and centre.sim_now > START
    # speed 600, 1.5 s: about 15 simulated minutes
    assert centre.sim_now - START < timedelta(minutes=30)
    centre.close()


def test_start_defaults_to_now_floored(tmp_path):
    config = small_config(tmp_path, start=None)
    start = config.resolved_start()
    assert start.second == 0 and start.microsecond == 0
    assert abs(start - datetime.now(UTC)) < timedelta(minutes=2)
