"""The vital signs page's reads on SQLite and PostgreSQL: the newest snapshot of every
indicator in one query, the detail's series by range and district (rolled up as the clock
does), the alerts and incidents marked on it; and `seed_city`, a small city the browser tests
serve."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import Engine, event, insert

from dashboard.data.catalogue import configured_sources
from dashboard.data.vitals import (
    View,
    alert_marks,
    detail_series,
    district_names,
    hourly_exact,
    hourly_rows_query,
    incident_marks,
    newest_computed_at,
    newest_snapshots,
    newest_snapshots_query,
    observation_rows,
    observation_rows_query,
)
from data_adapters.derive.indicators import snapshot_payload
from data_adapters.derive.periods import period_start, shift
from data_adapters.derive.run import run_derive
from data_adapters.indicators import Indicator, default_indicators
from data_adapters.settings import Settings
from data_adapters.store import make_engine
from data_adapters.store.migrate import upgrade
from data_adapters.store.schema import alerts, incidents, observations, snapshots, source_status

NOW = datetime(2026, 11, 28, 3, 30, tzinfo=UTC)  # 11:30 in Lianyungang
DEMO_SOURCES = Path(__file__).resolve().parent.parent / "data_adapters" / "demo_sources.toml"
INDICATORS = {i.id: i for i in default_indicators()}
DISTRICTS = list(district_names())
#: Observations the clock derives itself from posts, alerts and incidents.
DERIVED_BY_THE_CLOCK = {"hotline_tickets", "active_warnings", "open_incidents"}
#: A plausible, mostly normal level of each indicator, in stored units.
LEVELS = {
    "population": 700_000, "migration_in": 900, "gdp": 230, "budget_revenue": 4.5,
    "retail_sales": 25, "foreign_trade": 15, "industrial_growth": 7, "cpi": 101,
    "enterprises": 60_000, "new_enterprises": 700, "port_cargo": 3000, "port_teu": 60,
    "port_cargo_daily": 1_000_000, "ships_at_berth": 40, "aqi": 60, "pm25": 35,
    "water_level": -1.2, "dissolved_oxygen": 7, "ammonia_nitrogen": 0.4,
    "congestion_index": 1.4, "bus_on_time": 94, "hotline_closed_in_time": 95,
    "hotline_satisfaction": 92, "credit_penalties": 30, "certificates_issued": 400,
}  # fmt: skip
SEED_PERIODS = {"hour": 24 * 10, "day": 40, "month": 24, "quarter": 8}
AIR = INDICATORS["aqi"]


def observation(
    indicator: str, district: str | None, at: datetime, value: float, key: str = ""
) -> dict:
    """An observations row as a source would have stored it."""
    return {
        "source_id": "test",
        "source_key": f"{indicator}|{district}|{at.isoformat()}|{key}",
        "ingested_at": at,
        "indicator": indicator,
        "district": district,
        "observed_at": at,
        "value": value,
    }


def _seed_rows(indicator: Indicator, now: datetime) -> Iterator[dict]:
    level = LEVELS[indicator.id]
    start = period_start(now, indicator.period)
    places: list[str | None] = list(DISTRICTS)
    if indicator.city == "city_row":
        places.append(None)
    for back in range(SEED_PERIODS[indicator.period]):
        at = shift(start, indicator.period, -back).astimezone(UTC) + timedelta(minutes=5)
        wave = 1 + 0.05 * math.sin(back / 3)
        for position, district in enumerate(places):
            share = 1 - 0.01 * position if district else 1.0
            yield observation(indicator.observation, district, at, level * wave * share)


def seed_city(engine: Engine, now: datetime = NOW, stale: tuple[str, ...] = ()) -> None:
    """Every indicator's observations over its sparkline's span, every demo source polled a
    minute ago (those in `stale` last a year ago), and the clock's derive run once."""
    rows = [
        row
        for indicator in INDICATORS.values()
        if indicator.observation not in DERIVED_BY_THE_CLOCK
        for row in _seed_rows(indicator, now)
    ]
    specs = configured_sources(Settings(sources_file=DEMO_SOURCES))
    statuses = [
        {
            "source_id": source_id,
            "kind": spec.kind,
            "last_attempt_at": now - timedelta(minutes=1),
            "last_success_at": now
            - (timedelta(days=365) if source_id in stale else timedelta(minutes=1)),
            "rows_in": 100,
            "updated_at": now,
        }
        for source_id, spec in specs.items()
    ]
    with engine.begin() as connection:
        connection.execute(insert(observations), rows)
        connection.execute(insert(source_status), statuses)
    run_derive(engine, INDICATORS.values(), now=now)


@contextmanager
def counted_statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements `engine` runs inside the block."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _snapshot(kind: str, key: str, minutes_ago: int, value: float) -> dict:
    at = NOW - timedelta(minutes=minutes_ago)
    return {
        "kind": kind,
        "key": key,
        "computed_at": at,
        "runtime_ms": 1.0,
        "payload": {"indicator": key, "value": value},
    }


def test_newest_snapshot_of_every_indicator_in_one_query(store: Engine) -> None:
    with store.begin() as connection:
        connection.execute(
            insert(snapshots),
            [
                _snapshot("indicator", "aqi", 3, 1.0),
                _snapshot("indicator", "aqi", 1, 2.0),
                _snapshot("indicator", "aqi", 2, 3.0),
                _snapshot("indicator", "gdp", 30, 4.0),
                _snapshot("sentiment", "aqi", 0, 5.0),  # another kind, newer
            ],
        )
    wanted = ["aqi", "gdp", "pm25"]  # pm25 has none yet
    with counted_statements(store) as statements:
        newest = newest_snapshots(store, wanted)
    assert len(statements) == 1
    assert {key: s.payload["value"] for key, s in newest.items()} == {"aqi": 2.0, "gdp": 4.0}
    assert newest["aqi"].computed_at == NOW - timedelta(minutes=1)
    assert set(newest_snapshots(store, ["gdp"])) == {"gdp"}
    assert newest_snapshots(store, []) == {}
    assert newest_computed_at(store, wanted) == NOW - timedelta(minutes=1)
    assert newest_computed_at(store, ["gdp"]) == NOW - timedelta(minutes=30)
    assert newest_computed_at(store, wanted, kind="nothing") is None


def test_an_empty_store_has_no_snapshots(store: Engine) -> None:
    assert newest_snapshots(store, INDICATORS) == {}
    assert newest_computed_at(store, INDICATORS) is None
    assert detail_series(store, AIR, View("aqi", "7d"), NOW) == []


def _air_readings() -> list[dict]:
    """Two stations in Haizhou, one in Lianyun, each hour of the last 3 days."""
    rows = []
    hour = period_start(NOW, "hour").astimezone(UTC)
    for back in range(72):
        at = hour - timedelta(hours=back)
        for minute, district, value in ((5, "320706", 40), (20, "320706", 60), (10, "320703", 90)):
            rows.append(observation("aqi", district, at + timedelta(minutes=minute), value + back))
    return rows


def test_detail_series_by_range_and_district(store: Engine) -> None:
    with store.begin() as connection:
        connection.execute(insert(observations), _air_readings())
    city = detail_series(store, AIR, View("aqi", "24h"), NOW)
    haizhou = detail_series(store, AIR, View("aqi", "24h", "320706"), NOW)
    assert len(city) == len(haizhou) == 25  # whole hours from 24 h ago to this one
    newest_at, newest = city[-1]
    assert newest_at == period_start(NOW, "hour")
    assert newest == pytest.approx(((40 + 60) / 2 + 90) / 2)  # mean of the districts' means
    assert haizhou[-1][1] == pytest.approx(50)
    assert haizhou[0][1] == pytest.approx(50 + 24)
    assert len(detail_series(store, AIR, View("aqi", "7d"), NOW)) == 72
    assert detail_series(store, AIR, View("aqi", "24h", "320724"), NOW) == []


@pytest.mark.parametrize("indicator_id", ["aqi", "water_level", "certificates_issued"])
def test_hourly_aggregates_give_the_clocks_roll_up(store: Engine, indicator_id: str) -> None:
    indicator = INDICATORS[indicator_id]
    assert hourly_exact(indicator)
    with store.begin() as connection:
        connection.execute(insert(observations), list(_seed_rows(indicator, NOW)))
    view = View(indicator_id, "30d")
    start = period_start(NOW - timedelta(days=30), indicator.period)
    raw = observation_rows(store, indicator.observation, start, NOW, None)
    expected = snapshot_payload(indicator, raw, NOW)["series"]
    got = detail_series(store, indicator, view, NOW)
    assert [(at.isoformat(), pytest.approx(v)) for at, v in got] == [
        (at, pytest.approx(v)) for at, v in expected
    ]


def test_last_value_roll_ups_read_the_readings(store: Engine) -> None:
    population = INDICATORS["population"]
    assert not hourly_exact(population)
    with store.begin() as connection:
        connection.execute(insert(observations), list(_seed_rows(population, NOW)))
    series = detail_series(store, population, View("population", "12m"), NOW)
    assert len(series) == 13  # this month and the twelve before it
    district = detail_series(store, population, View("population", "12m", DISTRICTS[0]), NOW)
    assert district[-1][1] == pytest.approx(LEVELS["population"])


def test_alerts_and_incidents_in_the_range_spikes_left_out(store: Engine) -> None:
    def alert(key: str, hours_ago: float, district: str | None) -> dict:
        return {
            "source_id": "cap",
            "source_key": key,
            "ingested_at": NOW,
            "origin": "cap",
            "sent": NOW - timedelta(hours=hours_ago),
            "msg_type": "Alert",
            "severity": "Severe",
            "headline": f"暴雨预警 {key}",
            "district": district,
            "state": "active",
        }

    def incident(ref: str, hours_ago: float, district: str | None) -> dict:
        created = NOW - timedelta(hours=hours_ago)
        return {
            "ref": ref,
            "type": "flood",
            "severity": "moderate",
            "title": f"积水 {ref}",
            "district": district,
            "state": "open",
            "origin": "manual",
            "created_at": created,
            "updated_at": created + timedelta(minutes=30),
        }

    with store.begin() as connection:
        connection.execute(
            insert(alerts),
            [alert("a", 2, None), alert("b", 5, "320706"), alert("c", 50, None)],
        )
        spike = alert("spike:1h:topic:噪声扰民", 1, None) | {"origin": "spike"}
        connection.execute(insert(alerts), [spike])  # the sentiment page's, not a marker
        connection.execute(
            insert(incidents),
            [incident("i1", 1, "320703"), incident("i2", 3, "320706"), incident("i3", 40, None)],
        )
    day = NOW - timedelta(hours=24)
    assert [m.title for m in alert_marks(store, day, NOW, None)] == ["暴雨预警 a", "暴雨预警 b"]
    assert alert_marks(store, day, NOW, None)[0].severity == "severe"
    assert [m.title for m in alert_marks(store, day, NOW, "320703")] == ["暴雨预警 a"]
    assert [m.title for m in incident_marks(store, day, NOW, None)] == ["积水 i1", "积水 i2"]
    assert [m.title for m in incident_marks(store, day, NOW, "320706")] == ["积水 i2"]


def test_the_seeded_city_has_a_value_for_every_indicator(store: Engine) -> None:
    seed_city(store)
    newest = newest_snapshots(store, INDICATORS)
    assert set(newest) == set(INDICATORS)
    missing = [key for key, s in newest.items() if s.payload["value"] is None]
    assert missing == []


def _plan(engine: Engine, query) -> str:
    compiled = query.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
    return " | ".join(str(row[-1]) for row in rows)


def test_reads_use_their_indexes_on_sqlite(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'plans.db'}")
    upgrade(engine)
    month = NOW - timedelta(days=30)
    try:
        plan = _plan(engine, newest_snapshots_query(["aqi", "gdp"]))
        assert "SCAN snapshots" not in plan and "SCAN older" not in plan, plan
        assert plan.count("ix_snapshots_kind_key_computed_at (kind=? AND key=?") == 2, plan
        for query in (
            observation_rows_query("aqi", month, NOW, None),
            hourly_rows_query("sqlite", "aqi", "mean", month, NOW, "320706"),
        ):
            assert "ix_observations_indicator_observed_at" in _plan(engine, query)
    finally:
        engine.dispose()


def _refresh(client, stamp: str | None) -> tuple[int, dict]:
    body = {
        "output": "..vitals-grid.children...vitals-stamp.data..",
        "outputs": [
            {"id": "vitals-grid", "property": "children"},
            {"id": "vitals-stamp", "property": "data"},
        ],
        "inputs": [{"id": "vitals-refresh", "property": "n_intervals", "value": 1}],
        "state": [
            {"id": "vitals-stamp", "property": "data", "value": stamp},
            {"id": "vitals-lang", "property": "data", "value": "zh"},
        ],
        "changedPropIds": ["vitals-refresh.n_intervals"],
    }
    response = client.post("/_dash-update-component", json=body)
    return response.status_code, (response.get_json() or {}) if response.data else {}


def test_the_page_says_no_data_yet_then_refreshes_once(store: Engine, tmp_path: Path) -> None:
    import dash

    from dashboard.app import create_app

    app = create_app(Settings(var_dir=tmp_path / "var", sources_file=DEMO_SOURCES), store)
    page = dash.page_registry["dashboard.pages.vitals"]
    assert set(page["sources"]) >= {"air-quality", "macro-economy"}
    assert "derived" not in page["sources"]
    with app.server.test_request_context("/vitals"):
        empty = json.dumps(page["layout"](), cls=PlotlyJSONEncoder, ensure_ascii=False)
    assert empty.count("暂无数据") == 28

    seed_city(store, datetime.now(UTC))
    time.sleep(1.05)  # the board is read at most once a second
    client = app.server.test_client()
    status, body = _refresh(client, "an old stamp")
    assert status == 200
    rendered = json.dumps(body["response"]["vitals-grid"]["children"], ensure_ascii=False)
    assert "暂无数据" not in rendered and rendered.count("vitals-tile tile-") == 28
    stamp = body["response"]["vitals-stamp"]["data"]
    assert _refresh(client, stamp)[0] == 204  # nothing changed: nothing sent
