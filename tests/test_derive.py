"""Indicator status and snapshots: thresholds, good direction, periods, missing data, pruning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, func, insert, select

from data_adapters.derive.indicators import refresh_indicators, snapshot_payload
from data_adapters.derive.periods import period_start, shift
from data_adapters.derive.prune import prune_snapshots
from data_adapters.indicators import Indicator, default_indicators
from data_adapters.store.schema import observations, snapshots

NOW = datetime(2026, 11, 28, 3, 30, tzinfo=UTC)  # 11:30 in Lianyungang


def _indicator(**changes) -> Indicator:
    base = dict(
        id="aqi",
        name_zh="空气质量指数",
        name_en="AQI",
        domain="environment",
        source="air",
        observation="aqi",
        period="hour",
        good="down",
        warning=100,
        critical=150,
    )
    return Indicator(**{**base, **changes})


@pytest.mark.parametrize(
    ("changes", "value", "expected"),
    [
        ({}, 50, "normal"),
        ({}, 100, "warning"),
        ({}, 149.9, "warning"),
        ({}, 150, "critical"),
        ({"good": "up", "warning": 90, "critical": 80}, 95, "normal"),
        ({"good": "up", "warning": 90, "critical": 80}, 85, "warning"),
        ({"good": "up", "warning": 90, "critical": 80}, 80, "critical"),
        ({"warning": None, "critical": None, "band": (2.0, 4.0)}, 3, "normal"),
        ({"warning": None, "critical": None, "band": (2.0, 4.0)}, 4.5, "warning"),
        ({}, None, "none"),
        ({"warning": None, "critical": None}, 999, "normal"),
    ],
)
def test_status(changes, value, expected) -> None:
    assert _indicator(**changes).status(value) == expected


def test_thresholds_must_point_the_bad_way() -> None:
    with pytest.raises(ValidationError, match="critical must be beyond warning"):
        _indicator(warning=150, critical=100)
    with pytest.raises(ValidationError, match="band"):
        _indicator(band=(5, 1))


def test_periods_are_local_calendar_periods() -> None:
    assert period_start(NOW, "day").isoformat() == "2026-11-28T00:00:00+08:00"
    assert period_start(NOW, "quarter").isoformat() == "2026-10-01T00:00:00+08:00"
    assert shift(period_start(NOW, "month"), "month", -11).isoformat().startswith("2025-12-01")


def _rows(*items):
    return [(d, NOW - timedelta(minutes=m), v) for d, m, v in items]


def test_snapshot_means_stations_then_districts() -> None:
    rows = _rows(
        ("320706", 10, 80),
        ("320706", 20, 100),
        ("320703", 10, 60),
        ("320706", 70, 40),
        ("320703", 70, 40),
    )
    payload = snapshot_payload(_indicator(), rows, NOW)
    assert payload["districts"]["320706"]["value"] == 90
    assert payload["value"] == 75 and payload["previous"] == 40
    assert payload["change"] == 35 and payload["status"] == "normal"
    assert payload["districts"]["320706"]["status"] == "normal"
    assert [v for _, v in payload["series"]] == [40, 75]


def test_snapshot_sums_a_day_and_handles_city_rows() -> None:
    tickets = _indicator(
        id="tickets",
        observation="tickets",
        period="day",
        rollup="sum",
        city="sum",
        good="down",
        warning=None,
        critical=None,
    )
    payload = snapshot_payload(
        tickets, _rows(("320706", 5, 3), ("320706", 50, 2), ("320723", 5, 4)), NOW
    )
    assert payload["value"] == 9
    gdp = _indicator(
        id="gdp",
        observation="gdp",
        period="quarter",
        rollup="last",
        city="city_row",
        good="up",
        warning=None,
        critical=None,
    )
    payload = snapshot_payload(gdp, _rows((None, 60, 1100.0), ("320706", 60, 300.0)), NOW)
    assert payload["value"] == 1100.0 and payload["districts"]["320706"]["value"] == 300.0


def test_snapshot_without_data() -> None:
    payload = snapshot_payload(_indicator(), [], NOW)
    assert payload["value"] is None and payload["status"] == "none"
    assert payload["series"] == [] and payload["districts"] == {}


def test_refresh_appends_snapshots_and_prune_keeps_the_newest(store: Engine) -> None:
    with store.begin() as connection:
        connection.execute(
            insert(observations),
            [
                {
                    "source_id": "air",
                    "source_key": str(i),
                    "ingested_at": NOW,
                    "indicator": "aqi",
                    "district": "320706",
                    "observed_at": NOW - timedelta(minutes=10 * i),
                    "value": 50.0 + i,
                }
                for i in range(20)
            ],
        )
    indicator = _indicator()
    for hours in (72, 50, 1, 0):
        refresh_indicators(store, [indicator], NOW - timedelta(hours=hours))
    with store.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(snapshots)) == 4
    assert prune_snapshots(store, NOW) == 2
    with store.connect() as connection:
        newest = (
            connection.execute(select(snapshots).order_by(snapshots.c.computed_at.desc()))
            .mappings()
            .first()
        )
    assert newest["computed_at"] == NOW and newest["payload"]["value"] == pytest.approx(
        51.5
    )  # 11:00-11:30: 50..53
    assert newest["source_freshness"] == NOW


def test_the_products_indicators_load() -> None:
    indicators = default_indicators()
    assert len(indicators) >= 24
    assert len({i.domain for i in indicators}) == 8


def test_every_indicator_reads_a_demo_source_or_the_clock() -> None:
    from pathlib import Path

    from data_adapters.sources import REGISTRY
    from data_adapters.sources.config import load_sources

    demo = Path(__file__).resolve().parent.parent / "data_adapters" / "demo_sources.toml"
    ids = {spec.id for spec in load_sources(demo, REGISTRY)} | {"derived"}
    assert {i.source for i in default_indicators()} <= ids
