"""The vital signs page in a real Chromium over a seeded store: all 28 tiles with data and no
page scrollbar (1920×1080 and 3840×2160), a stale source greys its tiles, a URL restores the
detail's view, a click opens a detail and the CSV download gives the series."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from dash import Dash
from sqlalchemy import Engine

from dashboard.app import create_app
from data_adapters.settings import Settings
from data_adapters.store import make_engine
from data_adapters.store.migrate import upgrade
from tests.test_vitals_data import DEMO_SOURCES, seed_city

pytestmark = pytest.mark.browser

WALL = {"width": 1920, "height": 1080}
WALL_4K = {"width": 3840, "height": 2160}
TILES = ".vitals-tile"


@pytest.fixture
def vitals_app(tmp_path: Path) -> Iterator[Callable[..., Dash]]:
    """Builds the app over a freshly seeded store (some sources stale if asked)."""
    engines: list[Engine] = []

    def build(stale: tuple[str, ...] = ()) -> Dash:
        settings = Settings(var_dir=tmp_path / "var", sources_file=DEMO_SOURCES)
        engine = make_engine(settings.store_url)
        engines.append(engine)
        upgrade(engine)
        seed_city(engine, datetime.now(UTC), stale=stale)
        return create_app(settings, engine)

    yield build
    for engine in engines:
        engine.dispose()


def _screen(dash_duo, size: dict[str, int]) -> None:
    dash_duo.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {**size, "deviceScaleFactor": 1, "mobile": False}
    )


def _open(dash_duo, app: Dash, query: str = "", nav: str = "城市体征") -> None:
    _screen(dash_duo, WALL)
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/vitals{query}", timeout=20)
    dash_duo.wait_for_text_to_equal(".shell-nav-link.active", nav, timeout=20)
    until(lambda: len(dash_duo.find_elements(TILES)) == 28, "28 tiles")


def until(condition: Callable[[], object], what: str, timeout: float = 15) -> None:
    """Wait for `condition` to hold; fail naming `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _sparklines_drawn(dash_duo) -> bool:
    return dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('.vitals-tile'))"
        ".every(t => t.querySelector('.tile-spark .main-svg'))"
    )


def _scrollbars(dash_duo) -> list[int]:
    return dash_duo.driver.execute_script(
        "const e = document.documentElement;"
        "return [e.scrollWidth - window.innerWidth, e.scrollHeight - window.innerHeight];"
    )


def _tile(dash_duo, indicator: str):
    return dash_duo.find_element(f"{TILES}[data-indicator='{indicator}']")


def _panel_open(dash_duo) -> None:
    """Wait until the detail panel is open and has finished sliding in."""
    dash_duo.wait_for_element(".vitals-detail.open", timeout=10)
    until(
        lambda: (
            dash_duo.driver.execute_script(
                "return getComputedStyle(document.getElementById('vitals-detail')).transform"
            )
            == "none"
        ),
        "the panel in place",
    )


def _severe(dash_duo) -> list[dict]:
    return [entry for entry in dash_duo.get_logs() if entry.get("level") == "SEVERE"]


def test_all_tiles_render_with_data(dash_duo, vitals_app, artifacts: Path) -> None:
    _open(dash_duo, vitals_app())
    until(lambda: _sparklines_drawn(dash_duo), "every sparkline")
    tiles = dash_duo.find_elements(TILES)
    assert [t for t in tiles if "tile-nodata" in t.get_attribute("class")] == []
    assert [t for t in tiles if "tile-stale" in t.get_attribute("class")] == []
    groups = [g.text for g in dash_duo.find_elements(".vitals-group-title")]
    assert groups == [
        "人口",
        "经济",
        "港口",
        "生态环境",
        "交通",
        "公共服务",
        "公共安全",
        "信用与证照",
    ]
    air = _tile(dash_duo, "aqi")
    assert "空气质量指数" in air.text and "更新" in air.text
    value = air.find_element("css selector", ".tile-number")
    assert value.text.isdigit() and value.get_attribute("data-unit") == "AQI"
    assert "更新周期：实时" in air.get_attribute("title")
    assert "提供部门：市生态环境局" in air.get_attribute("title")
    assert _scrollbars(dash_duo) == [0, 0]
    dash_duo.driver.save_screenshot(str(artifacts / "vitals-1080p.png"))

    _screen(dash_duo, WALL_4K)
    until(lambda: dash_duo.driver.execute_script("return window.innerWidth") == 3840, "4K")
    time.sleep(0.5)  # let responsive sparklines follow the new size
    assert _scrollbars(dash_duo) == [0, 0]
    dash_duo.driver.save_screenshot(str(artifacts / "vitals-2160p.png"))
    assert _severe(dash_duo) == []


def test_a_stale_source_turns_its_tiles_stale(dash_duo, vitals_app, artifacts: Path) -> None:
    _open(dash_duo, vitals_app(stale=("air-quality",)))
    for indicator in ("aqi", "pm25"):
        tile = _tile(dash_duo, indicator)
        assert "tile-stale" in tile.get_attribute("class")
        assert "数据滞后" in tile.text
    bus = _tile(dash_duo, "bus_on_time")
    assert "tile-stale" not in bus.get_attribute("class") and "数据滞后" not in bus.text
    dash_duo.driver.save_screenshot(str(artifacts / "vitals-stale-1080p.png"))
    assert _severe(dash_duo) == []


def test_a_url_restores_the_view(dash_duo, vitals_app, artifacts: Path) -> None:
    _open(dash_duo, vitals_app(), "?range=30d&district=320706&indicator=aqi")
    _panel_open(dash_duo)
    dash_duo.wait_for_contains_text("#vitals-detail-title", "空气质量指数")
    assert "海州区" in dash_duo.find_element("#vitals-detail-title").text
    assert dash_duo.find_element("#vitals-district").get_attribute("value") == "海州区"
    active = dash_duo.find_element("#vitals-range [data-active] input")
    assert active.get_attribute("value") == "30d"
    assert dash_duo.find_element("#vitals-range [data-active]").text == "30天"
    dash_duo.wait_for_element("#vitals-timeseries .main-svg")
    dash_duo.wait_for_element("#vitals-choropleth .choroplethlayer path")
    assert len(dash_duo.find_elements("#vitals-choropleth .choroplethlayer path")) == 6
    assert len(dash_duo.find_elements("#vitals-table tbody tr")) > 24
    assert _scrollbars(dash_duo) == [0, 0]
    dash_duo.driver.save_screenshot(str(artifacts / "vitals-detail-1080p.png"))
    _screen(dash_duo, WALL_4K)
    time.sleep(1)
    dash_duo.driver.save_screenshot(str(artifacts / "vitals-detail-2160p.png"))
    assert _severe(dash_duo) == [], "the offline choropleth fetched nothing from outside"


def test_clicking_a_tile_opens_its_detail(dash_duo, vitals_app) -> None:
    _open(dash_duo, vitals_app())
    assert "open" not in dash_duo.find_element("#vitals-detail").get_attribute("class")
    _tile(dash_duo, "bus_on_time").click()
    _panel_open(dash_duo)
    dash_duo.wait_for_contains_text("#vitals-detail-title", "公交准点率")
    until(lambda: "indicator=bus_on_time&range=7d" in dash_duo.driver.current_url, "URL")
    dash_duo.find_element("#vitals-range label[for$='-24h']").click()
    until(lambda: "range=24h" in dash_duo.driver.current_url, "the range in the URL")
    dash_duo.find_element("#vitals-close").click()
    until(lambda: dash_duo.driver.current_url.endswith("/vitals"), "the URL without a view")
    assert "open" not in dash_duo.find_element("#vitals-detail").get_attribute("class")
    _tile(dash_duo, "gdp").click()
    dash_duo.wait_for_contains_text("#vitals-detail-title", "地区生产总值")
    until(lambda: "indicator=gdp&range=12m" in dash_duo.driver.current_url, "GDP's own range")
    assert _severe(dash_duo) == []


def test_the_page_in_english(dash_duo, vitals_app, artifacts: Path) -> None:
    _open(dash_duo, vitals_app(), "?lang=en&indicator=cpi", nav="Vital signs")
    dash_duo.wait_for_contains_text("#vitals-detail-title", "Consumer price index")
    groups = [g.text for g in dash_duo.find_elements(".vitals-group-title")]
    assert groups[:3] == ["Population", "Economy", "Port"]
    change = _tile(dash_duo, "aqi").find_element("css selector", ".tile-change")
    assert change.get_attribute("data-label") == "vs previous period"
    assert "Update cycle: monthly" in _tile(dash_duo, "cpi").get_attribute("title")
    _tile(dash_duo, "bus_on_time").click()  # left of the open panel
    until(lambda: "lang=en" in dash_duo.driver.current_url, "lang kept in the URL")
    dash_duo.wait_for_contains_text("#vitals-detail-title", "Bus on-time rate")
    dash_duo.wait_for_element("#vitals-timeseries .main-svg")
    time.sleep(0.5)
    dash_duo.driver.save_screenshot(str(artifacts / "vitals-detail-en-1080p.png"))
    assert _severe(dash_duo) == []


def test_the_csv_download_has_the_series(dash_duo, vitals_app) -> None:
    download = Path(dash_duo.download_path)
    dash_duo.driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(download)}
    )
    _open(dash_duo, vitals_app(), "?indicator=aqi&range=24h")
    _panel_open(dash_duo)
    rows = len(dash_duo.find_elements("#vitals-table tbody tr"))
    dash_duo.find_element("#vitals-csv").click()
    target = download / "aqi-city-24h.csv"
    until(target.exists, "the CSV file")
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "时间,数值 (AQI)"
    assert len(lines) == rows + 1 >= 25
    time_text, value = lines[-1].split(",")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:00", time_text) and re.fullmatch(r"\d+", value)
