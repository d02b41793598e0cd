"""Spike detection: the rule on constructed series, the counts in SQL on SQLite and PostgreSQL,
the alert a spike becomes (one row, refreshed, expired), and its place in the derive step."""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, event, func, insert, select

from data_adapters.derive.derived import warnings_in_force
from data_adapters.derive.posts import waiting
from data_adapters.derive.run import run_derive
from data_adapters.derive.spikes import (
    DAILY,
    DIMENSIONS,
    HOURLY,
    SOURCE_ID,
    baseline_of,
    count_windows,
    detect,
    detect_spikes,
    poisson_tail,
    window_bounds,
)
from data_adapters.store import make_engine
from data_adapters.store.migrate import upgrade
from data_adapters.store.schema import alerts, posts

NOW = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
TOPIC = "交通出行·堵车"
_keys = itertools.count()


def _post(at: datetime, topic: str | None = TOPIC, district: str | None = None, channel="weibo"):
    return {
        "source_id": "posts",
        "source_key": f"p{next(_keys)}",
        "ingested_at": at,
        "channel": channel,
        "text": "通灌北路又堵车了",
        "posted_at": at,
        "topic": topic,
        "district": district,
        "processed_at": at,
    }


def _hourly(store: Engine, per_day: list[int], **fields) -> None:
    """per_day[k] posts in the hour ending k days before NOW (k = 0 is now)."""
    rows = []
    for k, n in enumerate(per_day):
        end = NOW - timedelta(days=k)
        rows += [_post(end - timedelta(minutes=59) * (i + 1) / (n + 1), **fields) for i in range(n)]
    _insert(store, rows)


def _insert(store: Engine, rows: list[dict]) -> None:
    if rows:
        with store.begin() as connection:
            connection.execute(insert(posts), rows)


def _history(store: Engine, days: int = 9) -> None:
    """One unrelated post `days` ago: the store's history starts there."""
    _insert(store, [_post(NOW - timedelta(days=days), topic=None, channel="forum")])


def _spikes(store: Engine, rules=(HOURLY,)) -> dict[tuple[str, str, str], object]:
    with store.connect() as connection:
        found = detect(connection, NOW, rules)
    return {(s.rule.window, s.dimension, s.key): s for s in found}


# -- the rule ---------------------------------------------------------------------------------
def _direct_tail(count: int, mean: float) -> float:
    return 1.0 - sum(math.exp(-mean) * mean**i / math.factorial(i) for i in range(count))


@pytest.mark.parametrize(("count", "mean"), [(5, 1.0), (6, 1.0), (9, 2.0), (3, 7.5), (0, 3.0)])
def test_poisson_tail(count: int, mean: float) -> None:
    assert poisson_tail(count, mean) == pytest.approx(_direct_tail(count, mean), rel=1e-9)


def test_poisson_tail_far_out_is_tiny_not_zero() -> None:
    assert 0.0 < poisson_tail(200, 10.0) < 1e-100


def test_flat_series_is_no_spike() -> None:
    assert not HOURLY.is_spike(10, 10.0) and not DAILY.is_spike(200, 200.0)


def test_a_jump_is_a_spike() -> None:
    assert HOURLY.is_spike(30, 2.0) and HOURLY.severity(30, 2.0) == "Severe"
    assert HOURLY.is_spike(13, 3.0) and HOURLY.severity(13, 3.0) == "Moderate"


def test_a_slow_rise_is_no_spike() -> None:
    days = [round(100 * 1.1**k) for k in range(7)]  # 7 days ago ... yesterday, +10 % a day
    today = round(100 * 1.1**7)
    assert not HOURLY.is_spike(today, baseline_of(days))
    assert not DAILY.is_spike(today * 24, baseline_of([d * 24 for d in days]))


def test_nothing_below_the_minimum_count() -> None:
    assert not DAILY.is_spike(19, 0.0) and DAILY.is_spike(20, 0.0)
    assert not HOURLY.is_spike(4, 0.0)


def test_small_counts_need_the_poisson_test() -> None:
    assert not HOURLY.is_spike(6, 1.0)  # ratio 6, but p = 0.0006
    assert HOURLY.is_spike(7, 1.0)  # p = 0.00008
    assert not HOURLY.is_spike(6, 0.0)  # a new key counts as 1 a window (the floor)
    assert HOURLY.is_spike(7, 0.0)


def test_a_big_series_needs_the_ratio() -> None:
    assert HOURLY.p_value(170, 120.0) < HOURLY.alpha
    assert not HOURLY.is_spike(170, 120.0)


def test_missing_days_count_zero_in_the_baseline() -> None:
    assert baseline_of([7, 0, 0, 0, 0, 0, 7]) == 2.0


def test_the_rule_explains_itself_with_its_parameters() -> None:
    text = HOURLY.explain()
    for part in ("hour", "7 days", "at least 5 posts", "3 times", "0.0001", "Severe"):
        assert part in text
    assert "day" in DAILY.explain() and "20 posts" in DAILY.explain()
    assert HOURLY.fields()["min_count"] == 5


# -- counting in the store --------------------------------------------------------------------
def test_flat_series_in_the_store_raises_nothing(store: Engine) -> None:
    _history(store)
    _hourly(store, [6] * 8, district="320706")
    assert _spikes(store) == {}


def test_a_jump_in_the_store_spikes_in_every_dimension(store: Engine) -> None:
    _history(store)
    _hourly(store, [25, 1, 2, 1, 0, 1, 2, 1], district="320706")
    found = _spikes(store)
    assert set(found) == {
        ("1h", "topic", TOPIC),
        ("1h", "district", "320706"),
        ("1h", "channel", "weibo"),
    }
    spike = found[("1h", "topic", TOPIC)]
    assert spike.count == 25 and spike.days == [1, 2, 1, 0, 1, 2, 1]
    assert spike.baseline == pytest.approx(8 / 7)


def test_only_the_window_counts(store: Engine) -> None:
    _history(store)
    _hourly(store, [0, 1, 1, 1, 1, 1, 1, 1])
    _insert(store, [_post(NOW - timedelta(hours=2)) for _ in range(30)])  # before the hour
    _insert(store, [_post(NOW + timedelta(minutes=5)) for _ in range(30)])  # in the future
    assert _spikes(store) == {}


def test_a_slow_rise_in_the_store_is_no_spike(store: Engine) -> None:
    _history(store)
    _hourly(store, [round(10 * 1.1 ** (7 - k)) for k in range(8)])
    assert _spikes(store) == {}


def test_below_the_minimum_in_the_store(store: Engine) -> None:
    _history(store)
    _hourly(store, [4, 0, 0, 0, 0, 0, 0, 0])
    assert _spikes(store) == {}


def test_missing_days_count_zero_in_the_store(store: Engine) -> None:
    _history(store)
    _hourly(store, [30, 7, 0, 0, 0, 0, 0, 7])
    spike = _spikes(store)[("1h", "topic", TOPIC)]
    assert spike.days == [7, 0, 0, 0, 0, 0, 7] and spike.baseline == 2.0


def test_no_detection_before_the_history_covers_the_baseline(store: Engine) -> None:
    _history(store, days=7)  # the oldest hourly window starts 7 days and 1 hour ago
    _hourly(store, [30])
    assert _spikes(store) == {}
    assert _spikes(store, rules=(DAILY,)) == {}  # 8 days ago
    _history(store, days=8)
    assert set(_spikes(store)) == {("1h", "topic", TOPIC), ("1h", "channel", "weibo")}


def test_the_daily_window(store: Engine) -> None:
    _history(store)
    rows = [_post(NOW - timedelta(hours=h + 0.5)) for h in range(20) for _ in range(3)]
    _insert(store, rows)  # 60 in the last day, none before
    found = _spikes(store, rules=(DAILY,))
    assert found[("1d", "topic", TOPIC)].count == 60
    assert found[("1d", "topic", TOPIC)].days == [0] * 7


# -- alerts -----------------------------------------------------------------------------------
def _alerts(store: Engine) -> list:
    with store.connect() as connection:
        return list(connection.execute(select(alerts).where(alerts.c.source_id == SOURCE_ID)))


def test_a_spike_is_one_alert_refreshed_then_expired(store: Engine) -> None:
    _history(store)
    _hourly(store, [25, 1, 2, 1, 0, 1, 2, 1])
    assert detect_spikes(store, NOW, rules=(HOURLY,)) == (2, 0)  # topic and channel
    (first, *_) = [a for a in _alerts(store) if a.source_key == f"spike:1h:topic:{TOPIC}"]
    assert first.origin == "spike" and first.state == "active" and first.sent == NOW
    assert first.msg_type == "Alert" and first.cap_status == "Actual" and first.event == "舆情突增"
    assert first.severity == "Severe" and first.district is None
    assert first.infos["count"] == 25 and first.infos["days"] == [1, 2, 1, 0, 1, 2, 1]
    assert first.infos["rule"]["alpha"] == 0.0001 and first.infos["p"] < 0.0001

    later = NOW + timedelta(minutes=1)
    _insert(store, [_post(later - timedelta(seconds=10)) for _ in range(5)])
    assert detect_spikes(store, later, rules=(HOURLY,)) == (2, 0)
    rows = _alerts(store)
    assert len(rows) == 2  # updated, not duplicated
    topic = next(a for a in rows if a.source_key == f"spike:1h:topic:{TOPIC}")
    assert topic.sent == NOW and topic.infos["count"] == 30

    over = NOW + timedelta(hours=2)
    assert detect_spikes(store, over, rules=(HOURLY,)) == (0, 2)
    assert {a.state for a in _alerts(store)} == {"expired"}
    assert all(a.expires == over for a in _alerts(store))


def test_a_new_spike_of_the_same_key_reactivates_its_alert(store: Engine) -> None:
    _history(store)
    _hourly(store, [25, 1, 2, 1, 0, 1, 2, 1])
    detect_spikes(store, NOW, rules=(HOURLY,))
    detect_spikes(store, NOW + timedelta(hours=2), rules=(HOURLY,))
    again = NOW + timedelta(hours=3)
    _insert(store, [_post(again - timedelta(minutes=5)) for _ in range(25)])
    detect_spikes(store, again, rules=(HOURLY,))
    rows = [a for a in _alerts(store) if a.source_key == f"spike:1h:topic:{TOPIC}"]
    assert len(rows) == 1 and rows[0].state == "active" and rows[0].sent == again
    assert rows[0].expires is None


def test_a_district_spike_names_its_district(store: Engine) -> None:
    _history(store)
    _hourly(store, [12, 0, 0, 0, 0, 0, 0, 0], topic=None, district="320703")
    _hourly(store, [10] * 8, topic=None)  # the channel: 22 against 10, no spike
    detect_spikes(store, NOW, rules=(HOURLY,))
    (row,) = _alerts(store)
    assert row.source_key == "spike:1h:district:320703" and row.district == "320703"
    assert row.severity == "Moderate"  # ratio 12, but fewer than 15 posts


def test_spikes_are_not_counted_as_early_warnings(store: Engine) -> None:
    _history(store)
    _hourly(store, [25, 1, 2, 1, 0, 1, 2, 1])
    detect_spikes(store, NOW)
    with store.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(alerts)) > 0
        (observation,) = warnings_in_force(connection, NOW)
    assert observation["value"] == 0.0


def test_the_derive_step_processes_posts_then_detects_spikes(store: Engine) -> None:
    _history(store)
    _hourly(store, [1, 1, 1, 1, 1, 1, 1, 1])
    rows = [
        {**_post(NOW - timedelta(minutes=m + 1), topic=None), "processed_at": None}
        for m in range(20)
    ]
    _insert(store, rows)  # 20 unprocessed posts about a traffic jam, this hour
    report = run_derive(store, [], now=NOW)
    assert report.posts_processed == 20 and report.spikes >= 1
    with store.connect() as connection:
        waiting = connection.scalar(
            select(func.count()).select_from(posts).where(posts.c.processed_at.is_(None))
        )
    assert waiting == 0
    assert any(a.source_key.startswith("spike:1h:topic:交通出行") for a in _alerts(store))


# -- query plans (SQLite) ---------------------------------------------------------------------
def _plans(engine: Engine, run) -> list[str]:
    """The SQLite plan of every statement `run(engine)` sends."""
    sent: list[tuple[str, object]] = []

    def catch(connection, cursor, statement, parameters, context, executemany) -> None:
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", catch)
    try:
        run(engine)
    finally:
        event.remove(engine, "before_cursor_execute", catch)
    with engine.connect() as connection:
        return [
            " | ".join(
                str(row[-1])
                for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)
            )
            for sql, params in sent
        ]


def test_counts_and_the_waiting_posts_read_only_their_indexes(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'plans.db'}")
    upgrade(engine)

    def count(engine: Engine) -> None:
        with engine.connect() as connection:
            for dimension in DIMENSIONS:
                count_windows(connection, dimension, window_bounds(NOW, HOURLY))

    for dimension, plan in zip(DIMENSIONS, _plans(engine, count), strict=True):
        index = f"USING COVERING INDEX ix_posts_posted_at_{dimension} (posted_at>? AND posted_at<?)"
        assert plan.count(index) == 8 and "SCAN" not in plan
    (plan,) = _plans(engine, lambda e: waiting(e, 10))
    assert "USING INDEX ix_posts_unprocessed" in plan and "TEMP B-TREE" not in plan
    engine.dispose()
