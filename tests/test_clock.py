"""The clock with real schedulers, a real SQL source and the ops store: one leader polls,
a standby takes over within two lease periods when the leader dies, nothing is doubled."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    Table,
    func,
    insert,
    select,
)

from data_adapters.clock.lease import current_holder
from data_adapters.clock.polling import poll_source
from data_adapters.clock.service import Clock
from data_adapters.contract import Batch, TransientError
from data_adapters.sources import build_adapter
from data_adapters.sources.config import SourceSpec
from data_adapters.store import make_engine, schema

TTL = timedelta(seconds=1.5)


class SourceDb:
    """A source SQLite database with readings the clock polls through the SQL adapter."""

    def __init__(self, path) -> None:
        self.url = f"sqlite:///{path}"
        self.engine = make_engine(self.url)
        metadata = MetaData()
        self.table = Table(
            "readings",
            metadata,
            Column("id", Integer, primary_key=True, autoincrement=False),
            Column("at", DateTime, nullable=False),
            Column("value", Float, nullable=False),
        )
        metadata.create_all(self.engine)
        self.next_id = 1

    def add(self, count: int) -> None:
        now = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=5)
        rows = [{"id": self.next_id + i, "at": now, "value": float(i)} for i in range(count)]
        with self.engine.begin() as connection:
            connection.execute(insert(self.table), rows)
        self.next_id += count

    def spec(self, update_cycle: str = "realtime") -> SourceSpec:
        return SourceSpec.model_validate(
            {
                "id": "readings",
                "kind": "sql",
                "table": "observations",
                "catalogue": {
                    "resource_id": "320700-001",
                    "name_zh": "空气质量",
                    "name_en": "Air",
                    "provider": "市生态环境局",
                    "format": "db_table",
                    "share_type": "conditional",
                    "update_cycle": update_cycle,
                },
                "options": {
                    "url": self.url,
                    "table": "readings",
                    "cursor": "at",
                    "limit": 40,
                    "map": {
                        "key": ["id"],
                        "constants": {"indicator": "aqi"},
                        "fields": {"observed_at": "at", "value": "value"},
                        "timezone": "UTC",
                    },
                },
            }
        )


@pytest.fixture
def source(tmp_path) -> SourceDb:
    return SourceDb(tmp_path / "source.db")


def _clock(store: Engine, source: SourceDb, name: str) -> Clock:
    spec = source.spec()
    scheduler = BackgroundScheduler(timezone=UTC)
    return Clock(
        store,
        [spec],
        {spec.id: build_adapter(spec)},
        holder=name,
        lease_ttl=TTL,
        scheduler=scheduler,
    )


def _stored(store: Engine) -> int:
    with store.connect() as connection:
        return connection.scalar(select(func.count()).select_from(schema.observations))


def _wait_for(condition, timeout: float, what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {timeout}s")


def test_one_leader_polls_and_a_standby_takes_over(store: Engine, source: SourceDb) -> None:
    source.add(100)
    leader, standby = _clock(store, source, "leader"), _clock(store, source, "standby")
    leader.start()
    _wait_for(leader.leading.is_set, 5, "the first clock leading")
    standby.start()
    try:
        _wait_for(lambda: _stored(store) == 100, 10, "the first poll")
        time.sleep(TTL.total_seconds())
        assert not standby.leading.is_set()
        # the leader dies without handing over (no release): its scheduler just stops
        leader.scheduler.shutdown(wait=False)
        died = time.monotonic()
        _wait_for(standby.leading.is_set, 2 * TTL.total_seconds() + 1, "the takeover")
        assert time.monotonic() - died <= 2 * TTL.total_seconds() + 0.5
        assert current_holder(store)[0] == "standby"
        source.add(50)
        standby.run_poll("readings")
        _wait_for(lambda: _stored(store) == 150, 10, "the standby's poll")
    finally:
        standby.stop()
        for adapter in leader.adapters.values():
            adapter.close()
    with store.connect() as connection:
        keys = connection.scalars(select(schema.observations.c.source_key)).all()
    assert len(keys) == len(set(keys)) == 150


def test_a_clock_that_lost_its_lease_writes_nothing(store: Engine, source: SourceDb) -> None:
    source.add(10)
    clock = _clock(store, source, "old")
    clock.renew_lease()
    assert clock.leading.is_set()
    # another process took the lease over after ours expired
    from data_adapters.clock.lease import acquire

    assert acquire(store, "new", TTL, datetime.now(UTC) + 2 * TTL)
    assert clock.run_poll("readings") is None
    assert _stored(store) == 0
    assert not clock.leading.is_set()
    for adapter in clock.adapters.values():
        adapter.close()


class FailingAdapter:
    """An adapter whose source is down: every poll raises a transient error."""

    def __init__(self) -> None:
        self.polls = 0

    def check(self):  # pragma: no cover - not used here
        raise NotImplementedError

    def poll(self, since: Any) -> Batch:
        self.polls += 1
        raise TransientError("connection refused by the exchange platform")

    def close(self) -> None:
        pass


def test_a_failing_source_backs_off_and_keeps_its_data(store: Engine, source: SourceDb) -> None:
    source.add(5)
    spec = source.spec(update_cycle="5min")
    good = build_adapter(spec)
    assert poll_source(store, spec, good).stored == 5
    good.close()
    first = poll_source(store, spec, FailingAdapter())
    second = poll_source(store, spec, FailingAdapter())
    assert not first.ok and first.error_kind == "transient"
    assert "connection refused" in second.error
    gap1 = (first.next_due - datetime.now(UTC)).total_seconds()
    gap2 = (second.next_due - datetime.now(UTC)).total_seconds()
    assert 20 < gap1 < 31 and 50 < gap2 < 61  # 30 s, then 60 s
    assert _stored(store) == 5


class SlowAdapter(FailingAdapter):
    """A source that takes its time to answer, so a poll is running when the clock stops."""

    def __init__(self) -> None:
        super().__init__()
        self.started = threading.Event()

    def poll(self, since: Any) -> Batch:
        self.started.set()
        time.sleep(1.0)
        return Batch(records=[], watermark=since)


def test_stop_while_a_poll_runs_does_not_deadlock(store: Engine, source: SourceDb) -> None:
    """APScheduler's shutdown(wait=True) held a lock the running poll needed to reschedule."""
    spec = source.spec()
    slow = SlowAdapter()
    clock = Clock(
        store,
        [spec],
        {spec.id: slow},
        holder="solo",
        lease_ttl=TTL,
        scheduler=BackgroundScheduler(timezone=UTC),
    )
    clock.start()
    assert slow.started.wait(10), "the poll began"
    stopper = threading.Thread(target=clock.stop)
    stopper.start()
    stopper.join(timeout=15)
    assert not stopper.is_alive(), "stop() returned"
    assert current_holder(store) is None, "the lease was handed back"
