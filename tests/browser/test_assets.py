"""The asset map in a real Chromium over a store filled by the real adapters from a simulated
data centre: layers and filters change what the map shows, a click on an asset opens its panel,
search flies to an asset, the fault-rate view, a URL restores the view, and the map keeps the
operator's zoom when the data refresh."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dash import Dash
from sqlalchemy import Engine, select, update

from dashboard.app import create_app
from data_adapters.settings import Settings
from data_adapters.store import make_engine, schema
from data_adapters.store.migrate import upgrade
from tests.browser.test_vitals import WALL, _screen, _scrollbars, until
from tests.support.asset_city import DEMO_SOURCES, add_incident_near, build_asset_city

pytestmark = pytest.mark.browser

ALERT_MARKERS = ".leaflet-assets-alerts-pane path.leaflet-interactive"
CLUSTERS = ".assets-cluster"


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Iterator[tuple[Settings, Engine]]:
    """One store for the module's tests (they only read it, but for the refresh test)."""
    tmp = tmp_path_factory.mktemp("asset-city")
    settings = Settings(var_dir=tmp / "var", sources_file=DEMO_SOURCES)
    engine = make_engine(settings.store_url)
    upgrade(engine)
    build_asset_city(engine, tmp)
    yield settings, engine
    engine.dispose()


@pytest.fixture
def app(city) -> Dash:
    settings, engine = city
    return create_app(settings, engine)


def _page():
    """The page module as the app loaded it (`create_app` runs page modules afresh)."""
    return sys.modules["dashboard.pages.assets"]


def _open(dash_duo, app: Dash, query: str = "") -> None:
    _screen(dash_duo, WALL)
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/assets{query}", timeout=20)
    dash_duo.wait_for_text_to_equal(".shell-nav-link.active", "城市资产", timeout=20)


def _shown(dash_duo) -> tuple[int, int]:
    """The summary's (assets shown, not normal)."""
    numbers = [
        int(n.replace(",", ""))
        for n in re.findall(r"[\d,]+", dash_duo.find_element("#assets-summary").text)
    ]
    return numbers[0], numbers[1]


def _counts(engine: Engine, **where: str) -> tuple[int, int]:
    a = schema.assets.c
    query = select(a.status)
    for column, value in where.items():
        query = query.where(getattr(a, column) == value)
    with engine.connect() as connection:
        statuses = connection.execute(query).scalars().all()
    return len(statuses), sum(1 for s in statuses if s != "normal")


def _not_normal_points(engine: Engine, **where: str) -> int:
    a = schema.assets.c
    query = select(a.source_key).where(a.status != "normal", a.lon.is_not(None))
    for column, value in where.items():
        query = query.where(getattr(a, column) == value)
    with engine.connect() as connection:
        return len(connection.execute(query).all())


def _choose(dash_duo, select: str, text: str) -> None:
    """Pick the option showing `text` in a Mantine select (typing first when it searches)."""
    dash_duo.find_element(select).click()
    options = ".mantine-Select-option"
    until(lambda: any(text in o.text for o in dash_duo.find_elements(options)), f"'{text}' offered")
    next(o for o in dash_duo.find_elements(options) if text in o.text).click()


def _tick(dash_duo, checklist: str, value: str) -> None:
    dash_duo.find_element(f"#{checklist} input[value='{value}']").click()


def test_the_map_shows_every_layer_with_counts(dash_duo, app, city, artifacts: Path) -> None:
    _, engine = city
    _open(dash_duo, app)
    until(lambda: len(dash_duo.find_elements(CLUSTERS)) > 3, "clusters of normal assets")
    total, bad = _counts(engine)
    assert _shown(dash_duo) == (total, bad)
    assert bad > 0
    until(
        lambda: len(dash_duo.find_elements(ALERT_MARKERS)) == _not_normal_points(engine),
        "one marker per point asset that is not normal",
    )
    kinds = dash_duo.find_elements("#assets-kinds label")
    assert len(kinds) == 12 and "路灯" in kinds[0].text
    lights, _ = _counts(engine, kind="street_light")
    assert f"{lights:,}" in kinds[0].text
    assert len(dash_duo.find_elements(".leaflet-overlay-pane path")) >= 6  # the outlines
    until(lambda: "status=fault" in _shapes_url(dash_duo), "far out: pipes and parks not normal")
    assert _scrollbars(dash_duo) == [0, 0]
    assert [e for e in dash_duo.get_logs() if e.get("level") == "SEVERE"] == []
    dash_duo.driver.save_screenshot(str(artifacts / "assets-1080p.png"))


def test_layers_and_filters_change_what_is_shown(dash_duo, app, city) -> None:
    _, engine = city
    _open(dash_duo, app)
    until(lambda: len(dash_duo.find_elements(CLUSTERS)) > 3, "clusters")
    total, bad = _counts(engine)
    lights, bad_lights = _counts(engine, kind="street_light")
    _tick(dash_duo, "assets-kinds", "street_light")
    until(lambda: _shown(dash_duo) == (total - lights, bad - bad_lights), "street lights gone")
    assert "kinds=" in dash_duo.driver.current_url and "street_light" not in (
        dash_duo.driver.current_url
    )
    _tick(dash_duo, "assets-statuses", "normal")
    until(lambda: not dash_duo.find_elements(CLUSTERS), "no cluster without normal assets")
    expected = _not_normal_points(engine) - _not_normal_points(engine, kind="street_light")
    until(lambda: len(dash_duo.find_elements(ALERT_MARKERS)) == expected, "only the rest")
    _choose(dash_duo, "#assets-district", "海州区")
    until(lambda: "district=320706" in dash_duo.driver.current_url, "district in the URL")
    in_haizhou = _not_normal_points(engine, district="320706") - _not_normal_points(
        engine, district="320706", kind="street_light"
    )
    until(lambda: len(dash_duo.find_elements(ALERT_MARKERS)) == in_haizhou, "Haizhou only")


def test_clicking_an_asset_opens_its_panel(dash_duo, app, artifacts: Path) -> None:
    _open(dash_duo, app, "?status=fault,maintenance,offline&kinds=street_light,cctv_camera")
    until(lambda: dash_duo.find_elements(ALERT_MARKERS), "markers")
    assert "open" not in dash_duo.find_element("#assets-panel").get_attribute("class")
    dash_duo.find_elements(ALERT_MARKERS)[0].click()
    dash_duo.wait_for_element("#assets-panel.open", timeout=10)
    until(lambda: "asset=" in dash_duo.driver.current_url, "the asset in the URL")
    key = re.search(r"asset=(\w+)", dash_duo.driver.current_url).group(1)
    panel = dash_duo.find_element("#assets-panel")
    assert key in panel.text and "状态变更记录" in panel.text and "最近的同类资产" in panel.text
    assert dash_duo.find_elements("#assets-panel .asset-history li")  # not normal: a change
    assert len(dash_duo.find_elements("#assets-panel .asset-nearest li")) == _page().NEAREST
    dash_duo.driver.save_screenshot(str(artifacts / "assets-panel-1080p.png"))
    dash_duo.find_element("#assets-close").click()
    until(lambda: "asset=" not in dash_duo.driver.current_url, "the panel closed")


def test_search_flies_to_the_asset(dash_duo, app, city) -> None:
    _, engine = city
    add_incident_near(engine, "SL000007", "INC-TEST-1", "路灯杆倒伏", 300)
    _open(dash_duo, app)
    dash_duo.find_element("#assets-search").send_keys("sl000007")
    _choose(dash_duo, "#assets-search", "SL000007")
    dash_duo.wait_for_element("#assets-panel.open", timeout=10)
    dash_duo.wait_for_contains_text("#assets-panel", "SL000007")
    until(lambda: "路灯杆倒伏" in dash_duo.find_element("#assets-panel").text, "the incident")
    until(lambda: _zoom(dash_duo) == _page().SEARCH_ZOOM, "the map at the asset")
    until(lambda: "status=" not in _shapes_url(dash_duo), "close up, every pipe and park")


def _shapes_url(dash_duo) -> str:
    """The URL of the pipes-and-parks layer the browser fetched last."""
    return dash_duo.driver.execute_script(
        "const names = performance.getEntriesByType('resource').map(e => e.name)"
        "  .filter(n => n.includes('/api/assets/shapes.json'));"
        "return names.length ? names[names.length - 1] : '';"
    )


def _zoom(dash_duo) -> float | None:
    return dash_duo.driver.execute_script(
        "const m = window.dash_component_api.getLayout('assets-map');"
        "return m && m.props ? m.props.zoom : null;"
    )


def test_the_fault_rate_view(dash_duo, app, artifacts: Path) -> None:
    _open(dash_duo, app, "?view=faults")
    until(lambda: len(dash_duo.find_elements(".district-label")) == 6, "six districts labelled")
    assert all("‰" in label.text for label in dash_duo.find_elements(".district-label"))
    assert not dash_duo.find_elements(CLUSTERS)
    assert "每千件资产故障数" in dash_duo.find_element("#assets-legend").text
    dash_duo.driver.save_screenshot(str(artifacts / "assets-faults-1080p.png"))
    dash_duo.find_elements("#assets-view label")[0].click()
    until(lambda: dash_duo.find_elements(CLUSTERS), "back to the assets")
    assert "view=" not in dash_duo.driver.current_url


def test_a_url_restores_the_view(dash_duo, app) -> None:
    _open(dash_duo, app, "?kinds=cctv_camera&status=fault,offline&district=320706&asset=CC000001")
    dash_duo.wait_for_element("#assets-panel.open", timeout=10)
    dash_duo.wait_for_contains_text("#assets-panel", "CC000001")
    ticked = [
        e.get_attribute("value") for e in dash_duo.find_elements("#assets-kinds input:checked")
    ]
    assert ticked == ["cctv_camera"]
    statuses = [
        e.get_attribute("value") for e in dash_duo.find_elements("#assets-statuses input:checked")
    ]
    assert statuses == ["fault", "offline"]
    assert dash_duo.find_element("#assets-district").get_attribute("value") == "海州区"


def test_the_map_keeps_its_view_when_data_refresh(dash_duo, app, city, monkeypatch) -> None:
    _, engine = city
    monkeypatch.setattr(_page(), "REFRESH_MS", 1000)
    _open(dash_duo, app)
    until(lambda: _zoom(dash_duo) is not None, "the map's zoom")
    dash_duo.find_element(".leaflet-control-zoom-in").click()
    until(lambda: _zoom(dash_duo) == _page().CITY_ZOOM + 1, "zoomed in")
    stamp = dash_duo.find_element("#assets-summary").text
    a = schema.assets.c
    with engine.begin() as connection:  # the clock writes a repair
        connection.execute(
            update(schema.assets)
            .where(a.source_key == "SL000001")
            .values(status="fault", updated_at=datetime.now(UTC) + timedelta(seconds=1))
        )
    until(lambda: dash_duo.find_element("#assets-summary").text != stamp, "the refresh")
    assert _zoom(dash_duo) == _page().CITY_ZOOM + 1
