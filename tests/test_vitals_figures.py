"""The vital signs page without a browser: figure builders return plain, offline dicts; the
tile's status colours, arrows, stale state, missing data and number formatting; and the view
a URL asks for, with unknown values falling back to the defaults."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from dash.development.base_component import Component
from plotly.utils import PlotlyJSONEncoder

from dashboard.components.indicator_tile import (
    change_direction,
    change_text,
    indicator_tile,
    period_label,
    tile_state,
    tile_title,
    updated_label,
)
from dashboard.data.freshness import Freshness
from dashboard.data.vitals import (
    DEFAULT_RANGE,
    DERIVED_LIMIT,
    View,
    district_names,
    indicator_freshness,
    parse_view,
    window,
)
from dashboard.figures import (
    OFFLINE_GEO_CONFIG,
    MarkPoint,
    district_choropleth,
    ranked_bars,
    sparkline,
    timeseries,
)
from dashboard.figures.districts import district_outlines
from dashboard.figures.theme import CRIT, STALE, WARN
from dashboard.figures.values import display, format_number, scaled
from data_adapters.indicators import default_indicators
from data_adapters.sources.config import CatalogueEntry

NOW = datetime(2026, 11, 28, 3, 30, tzinfo=UTC)  # 11:30 in Lianyungang
INDICATORS = {i.id: i for i in default_indicators()}
AQI, POPULATION, BUS = INDICATORS["aqi"], INDICATORS["population"], INDICATORS["bus_on_time"]
AIR_SOURCE = CatalogueEntry(
    resource_id="320700-001",
    name_zh="空气质量实时监测",
    name_en="Real-time air quality",
    provider="市生态环境局",
    provider_en="Ecology and Environment Bureau",
    format="api",
    share_type="unconditional",
    update_cycle="realtime",
)
FRESH = Freshness("air-quality", NOW - timedelta(minutes=2), timedelta(minutes=5), False, None)
STALE_SOURCE = Freshness("air-quality", NOW - timedelta(days=3), timedelta(minutes=5), True, None)


def _payload(value: float | None = 60, status: str = "normal", change: float | None = -3) -> dict:
    return {
        "indicator": "aqi",
        "value": value,
        "previous": None if value is None or change is None else value - change,
        "change": change,
        "change_pct": None if change is None or not value else change / (value - change),
        "status": status,
        "districts": {"320706": {"value": 70, "status": "normal"}},
        "series": [["2026-11-28T10:00:00+08:00", 63], ["2026-11-28T11:00:00+08:00", 60]],
        "period_start": "2026-11-28T11:00:00+08:00",
    }


def _json(component: object) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


def _classes(component: Component) -> str:
    return component.className


# --- figures ----------------------------------------------------------------------------------


def test_sparkline_is_a_bare_line_as_a_plain_dict() -> None:
    figure = sparkline([["a", 1.0], ["b", 3.0], ["c", 2.0]], color=WARN)
    assert type(figure) is dict
    line, last = figure["data"]
    assert line["y"] == [1.0, 3.0, 2.0] and line["line"]["color"] == WARN
    assert last["x"] == [2] and last["y"] == [2.0]
    assert figure["layout"]["xaxis"]["visible"] is False
    assert figure["layout"]["yaxis"]["visible"] is False
    assert sparkline([])["data"][0]["y"] == []
    assert sparkline([["a", 4_597_234.123], ["b", 4_617_234.9]])["data"][0]["y"] == [
        4_597_234,
        4_617_235,
    ]  # a two-hundredth of the range is enough for a line this small
    assert sparkline([["a", 40.46], ["b", 84.07]])["data"][0]["y"] == [40.5, 84.1]
    json.dumps(figure)  # nothing but JSON


def test_timeseries_draws_thresholds_and_marks() -> None:
    figure = timeseries(
        [("2026-11-28 10:00", 63.0), ("2026-11-28 11:00", 60.0)],
        language="zh",
        unit="AQI",
        decimals=0,
        warning=101,
        critical=151,
        alerts=[MarkPoint("2026-11-28 10:30", "severe", "大雾橙色预警")],
        incidents=[MarkPoint("2026-11-28 10:40", "minor", "道路积水")],
        x_range=("2026-11-21 00:00", "2026-11-28 11:30"),
    )
    lines = {shape["y0"]: shape["line"]["color"] for shape in figure["layout"]["shapes"]}
    assert lines == {101: WARN, 151: CRIT}
    labels = {a["y"]: a["text"] for a in figure["layout"]["annotations"]}
    assert labels == {101: "预警", 151: "严重"}
    names = [trace.get("name") for trace in figure["data"]]
    assert names == [None, "预警信息", "事件"]
    alerts = figure["data"][1]
    assert alerts["yaxis"] == "y2" and alerts["text"] == ["大雾橙色预警"]
    assert figure["layout"]["xaxis"]["range"] == ["2026-11-21 00:00", "2026-11-28 11:30"]
    json.dumps(figure)


def test_timeseries_shades_a_target_band_and_says_when_empty() -> None:
    banded = timeseries([("2026-10-01 00:00", 101.0)], language="en", band=(99.0, 103.0))
    (shape,) = banded["layout"]["shapes"]
    assert (shape["type"], shape["y0"], shape["y1"]) == ("rect", 99.0, 103.0)
    assert banded["layout"]["annotations"][0]["text"] == "Target band"
    empty = timeseries([], language="zh")
    assert empty["data"] == []
    assert empty["layout"]["annotations"][0]["text"] == "此时间范围内无数据"


def test_choropleth_is_offline_and_honest_about_missing_districts() -> None:
    values = {"320706": 70.0, "320703": 55.0}
    figure = district_choropleth(values, language="zh", unit="AQI", decimals=0, selected="320706")
    missing, known, labels = figure["data"]
    assert sorted(known["locations"]) == ["320703", "320706"]
    assert set(missing["locations"]) == set(district_names()) - set(values)
    assert "无数据" in missing["hovertemplate"]
    assert known["marker"]["line"]["width"] == [
        3 if c == "320706" else 1 for c in known["locations"]
    ]
    assert labels["type"] == "scattergeo" and "海州区<br><b>70</b>" in labels["text"]
    assert "东海县" in labels["text"]  # a district without data is still named
    geo = figure["layout"]["geo"]
    assert geo["visible"] is False and geo["fitbounds"] == "locations"
    assert known["geojson"] is district_outlines()  # shipped outlines, not a URL elsewhere
    assert "http" not in OFFLINE_GEO_CONFIG["topojsonURL"]
    assert OFFLINE_GEO_CONFIG["topojsonURL"].startswith("data:application/json,")
    assert "mapbox" not in _json(figure) and "tiles" not in _json(figure)


def _signed_area(ring: list[list[float]]) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(ring)) / 2


def test_district_outlines_are_wound_for_d3() -> None:
    outlines = district_outlines()
    assert len(outlines["features"]) == 6
    for feature in outlines["features"]:
        for polygon in feature["geometry"]["coordinates"]:
            assert _signed_area(polygon[0]) < 0, feature["id"]  # clockwise outer rings


def test_ranked_bars_put_the_largest_on_top_and_the_missing_last() -> None:
    values = {"320706": 70.0, "320703": 90.0, "320707": 50.0}
    statuses = {"320703": "warning"}
    figure = ranked_bars(values, statuses=statuses, language="zh", decimals=0, selected="320703")
    (bars,) = figure["data"]
    assert bars["y"][-3:] == ["赣榆区", "海州区", "连云区"]  # plotly draws the last on top
    assert bars["text"][:3] == ["无数据"] * 3
    assert bars["marker"]["color"][-1] == WARN
    assert bars["marker"]["opacity"][-1] == 1 and bars["marker"]["opacity"][-2] == 0.35
    assert bars["customdata"][-1] == "320703"


# --- tiles ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "freshness", "expected"),
    [
        (_payload(status="normal"), FRESH, "normal"),
        (_payload(status="warning"), FRESH, "warning"),
        (_payload(status="critical"), FRESH, "critical"),
        (_payload(status="critical"), STALE_SOURCE, "stale"),  # stale wins over any status
        (_payload(value=None, status="none"), FRESH, "nodata"),
        (None, STALE_SOURCE, "nodata"),
        (_payload(status="warning"), None, "warning"),  # freshness unknown: not judged
    ],
)
def test_tile_state(payload, freshness, expected) -> None:
    assert tile_state(payload, freshness) == expected


@pytest.mark.parametrize(
    ("indicator", "change", "expected"),
    [
        (AQI, -3, ("down", "good")),  # AQI falling is good
        (AQI, 4, ("up", "bad")),
        (BUS, 1.5, ("up", "good")),  # punctuality rising is good
        (BUS, -1.5, ("down", "bad")),
        (AQI, 0.2, ("flat", "flat")),  # does not show at no decimals
        (AQI, None, ("", "")),
    ],
)
def test_change_arrows_follow_the_good_direction(indicator, change, expected) -> None:
    assert change_direction(indicator, _payload(change=change)) == expected


def test_change_text() -> None:
    assert change_text(AQI, _payload(value=60, change=-3)) == "▼ 3 (-4.8%)"
    assert change_text(BUS, {"change": 1.25, "change_pct": 0.0135}) == "▲ 1.2"  # % of %: none
    assert change_text(AQI, {"change": 0.1, "change_pct": 0.001}) == "▬ 0"


def test_numbers_are_scaled_and_rounded() -> None:
    assert scaled(POPULATION, 4_597_234) == 459.7
    assert display(POPULATION, 4_597_234) == "459.7"
    assert display(INDICATORS["enterprises"], 312_456) == "312,456"
    assert display(INDICATORS["water_level"], -0.004) == "0.00"  # never "-0.00"
    assert format_number(-0.0001, 2) == "0.00"
    assert format_number(1234.5, 1, signed=True) == "+1,234.5"
    assert format_number(None, 1) == "—"


def test_times_and_periods() -> None:
    assert updated_label(NOW - timedelta(minutes=5), NOW) == "11:25"
    assert updated_label(NOW - timedelta(days=2), NOW) == "11-26 11:30"
    assert updated_label(NOW - timedelta(days=365), NOW) == "2025-11-28"
    assert updated_label(None, NOW) == "—"
    assert period_label("2026-10-01T00:00:00+08:00", "month", "zh") == "2026年10月"
    assert period_label("2026-10-01T00:00:00+08:00", "month", "en") == "2026-10"
    assert period_label("2026-07-01T00:00:00+08:00", "quarter", "zh") == "2026年第3季度"
    assert period_label("2026-11-28T11:00:00+08:00", "hour", "zh") == "2026-11-28 11:00"
    assert period_label(None, "day", "zh") == "—"


def test_tile_shows_value_change_and_freshness() -> None:
    tile = indicator_tile(AQI, _payload(), FRESH, "zh", id="t", source=AIR_SOURCE, now=NOW)
    rendered = _json(tile)
    assert _classes(tile) == "vitals-tile tile-normal"
    assert "空气质量指数" in rendered and '"60"' in rendered and "AQI" in rendered
    assert "tone-good" in rendered and "▼ 3" in rendered and "较上期" in rendered
    assert "更新 11:28" in rendered
    assert tile.title.splitlines() == [
        "数据源：空气质量实时监测",
        "提供部门：市生态环境局",
        "更新周期：实时",
        "数据期：2026-11-28 11:00",
        "最近成功：2026-11-28 11:28",
    ]
    assert "graph" in rendered.lower()  # the sparkline


def test_tile_in_english() -> None:
    tile = indicator_tile(AQI, _payload(), FRESH, "en", id="t", source=AIR_SOURCE, now=NOW)
    assert AQI.name_en in _json(tile) and "vs previous period" in _json(tile)
    assert "Update cycle: real time" in tile.title
    assert "Provider: Ecology and Environment Bureau" in tile.title


def test_a_stale_tile_is_grey_and_says_so() -> None:
    tile = indicator_tile(AQI, _payload(status="critical"), STALE_SOURCE, "zh", id="t", now=NOW)
    assert _classes(tile) == "vitals-tile tile-stale"
    rendered = _json(tile)
    assert "数据滞后" in rendered and "严重" not in rendered
    assert f'"color": "{STALE}"' in rendered  # the sparkline greys out too
    assert "更新 11-25 11:30" in rendered


def test_a_tile_without_a_snapshot_says_no_data_yet() -> None:
    tile = indicator_tile(AQI, None, FRESH, "zh", id="t", now=NOW)
    rendered = _json(tile)
    assert _classes(tile) == "vitals-tile tile-nodata"
    assert "暂无数据" in rendered and "dash-graph" not in rendered.lower()
    assert "较上期" not in rendered
    english = _json(indicator_tile(AQI, None, None, "en", id="t", now=NOW))
    assert "No data yet" in english


def test_warning_and_critical_tiles_are_labelled() -> None:
    warning = _json(indicator_tile(AQI, _payload(status="warning"), FRESH, "zh", id="t"))
    critical = _json(indicator_tile(AQI, _payload(status="critical"), FRESH, "zh", id="t"))
    assert "预警" in warning and "badge-warning" in warning
    assert "严重" in critical and "badge-critical" in critical


def test_hover_for_a_derived_indicator_and_an_unknown_source() -> None:
    derived = INDICATORS["open_incidents"]
    fresh = indicator_freshness(derived, {}, NOW - timedelta(minutes=1), NOW)
    assert not fresh.stale and fresh.last_success == NOW - timedelta(minutes=1)
    assert indicator_freshness(derived, {}, NOW - DERIVED_LIMIT * 2, NOW).stale
    assert indicator_freshness(derived, {}, None, NOW).stale
    assert "由调度进程根据运行数据库计算" in tile_title(derived, None, fresh, "zh")
    unknown = indicator_freshness(AQI, {}, NOW, NOW)
    assert unknown.stale and unknown.last_success is None
    assert "最近成功：从未" in tile_title(AQI, None, unknown, "zh")
    assert indicator_freshness(AQI, {"air-quality": FRESH}, None, NOW) is FRESH


# --- the view in the URL ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, View(None, DEFAULT_RANGE, None)),
        ({"indicator": "aqi", "range": "30d", "district": "320706"}, View("aqi", "30d", "320706")),
        ({"indicator": "aqi", "range": "5y", "district": "110101"}, View("aqi", "7d", None)),
        ({"indicator": "gdp"}, View("gdp", "12m", None)),  # its usual range
        ({"indicator": "hotline_tickets"}, View("hotline_tickets", "30d", None)),
        ({"indicator": "nonsense", "range": "24h"}, View(None, "24h", None)),
        ({"indicator": ["aqi", "gdp"], "range": ["12m"]}, View("aqi", "12m", None)),
        ({"indicator": "", "district": ""}, View(None, DEFAULT_RANGE, None)),
    ],
)
def test_parse_view_falls_back_to_defaults(query, expected) -> None:
    assert parse_view(query, INDICATORS) == expected


def test_the_view_goes_back_into_the_url() -> None:
    view = View("aqi", "30d", "320706")
    assert view.query() == {"indicator": "aqi", "range": "30d", "district": "320706"}
    assert parse_view(view.query(), INDICATORS) == view
    assert View(None, "30d", "320706").query() == {}


def test_window_covers_whole_periods() -> None:
    start, end = window("24h", "hour", NOW)
    assert end == NOW and start == NOW - timedelta(hours=24, minutes=30)
    start, _ = window("30d", "month", NOW)
    assert start.isoformat() == "2026-10-01T00:00:00+08:00"
    assert window("bogus", "hour", NOW)[0] == window(DEFAULT_RANGE, "hour", NOW)[0]
