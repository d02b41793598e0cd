"""The asset map page's pure parts, without a browser: the filter from the rail and back into
the URL, which layers a view draws and when their URLs change, the rail's counts, what a click
selects, and the asset panel's text in both languages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from dash import html

from dashboard.app import create_app
from dashboard.components.asset_panel import (
    asset_panel,
    attribute_value,
    distance_text,
    history_list,
)
from dashboard.data.assets import KINDS, STATUSES, AssetFilter
from data_adapters.geo.spatial import Hit
from data_adapters.settings import Settings
from data_adapters.store import make_engine
from data_adapters.store.migrate import upgrade

STAMP = "2026-11-28T01:00:00|120000|124600|2026-11-28T00:59:00|6400|6400"
STATUS_CHANGED = "2026-11-28T01:05:00|120000|124600|2026-11-28T01:05:00|6401|6401"
ASSET_ADDED = "2026-11-28T01:05:00|120001|124601|2026-11-28T00:59:00|6400|6400"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """The page module as an app loads it (it registers itself with Dash)."""
    tmp = tmp_path_factory.mktemp("assets-page")
    settings = Settings(var_dir=tmp / "var")
    engine = make_engine(settings.store_url)
    upgrade(engine)
    create_app(settings, engine)
    from dashboard.pages import assets

    yield assets
    engine.dispose()


def _urls(layers: list) -> dict[str, str]:
    return {layer.id["layer"]: layer.url for layer in layers}


def _text(component) -> str:
    """All the text under a component."""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(_text(c) for c in component if c is not None)
    children = getattr(component, "children", None)
    return _text(children) if children is not None else ""


def test_the_rail_describes_a_filter_and_the_url_keeps_it(page) -> None:
    every = page.filter_of(list(KINDS), list(STATUSES), "all")
    assert every == AssetFilter()
    chosen = page.filter_of(["cctv_camera", "nonsense"], ["fault", "offline"], "320706")
    assert chosen == AssetFilter(("cctv_camera",), ("fault", "offline"), "320706")
    query = page.page_query(chosen, "faults", "CC000001", "en")
    assert query == (
        "?kinds=cctv_camera&status=fault%2Coffline&district=320706&view=faults"
        "&asset=CC000001&lang=en"
    )
    assert page.page_query(every, "assets", None, None) == ""
    assert page.view_of({"view": "faults"}) == "faults"
    assert page.view_of({"view": ["<script>"]}) == "assets"
    assert page.filter_of([], [], "999999") == AssetFilter(district=None)


def test_a_status_change_redraws_only_the_layer_on_top(page) -> None:
    layers = _urls(page.asset_layers(AssetFilter(), STAMP, "zh"))
    assert set(layers) == {"shapes", "normal", "alerts"}
    changed = _urls(page.asset_layers(AssetFilter(), STATUS_CHANGED, "zh"))
    assert changed["normal"] == layers["normal"], "the clustered layer stays put"
    assert changed["alerts"] != layers["alerts"] and changed["shapes"] != layers["shapes"]
    added = _urls(page.asset_layers(AssetFilter(), ASSET_ADDED, "zh"))
    assert added["normal"] != layers["normal"], "a new asset is a new clustered layer"
    assert "status=" not in layers["normal"]
    assert "status=fault%2Cmaintenance%2Coffline" in layers["alerts"]
    assert "status=fault%2Cmaintenance%2Coffline" in layers["shapes"], "far out: faulty only"
    close = _urls(page.asset_layers(AssetFilter(), STAMP, "zh", close=True))
    assert "status=" not in close["shapes"], "close up: every pipe and park"


def test_a_status_filter_decides_which_point_layers_exist(page) -> None:
    faults = _urls(page.asset_layers(AssetFilter(statuses=("fault",)), STAMP, "zh"))
    assert set(faults) == {"shapes", "alerts"} and "status=fault&" in faults["alerts"]
    normal = _urls(page.asset_layers(AssetFilter(statuses=("normal",)), STAMP, "zh"))
    assert set(normal) == {"normal"} and "status=normal" in normal["normal"]
    close = _urls(page.asset_layers(AssetFilter(statuses=("normal",)), STAMP, "zh", close=True))
    assert set(close) == {"shapes", "normal"} and "status=normal" in close["shapes"]
    points_only = AssetFilter(kinds=("cctv_camera", "school"))
    assert "shapes" not in _urls(page.asset_layers(points_only, STAMP, "zh"))
    parks = _urls(page.asset_layers(AssetFilter(kinds=("park",)), STAMP, "en"))
    assert parks["shapes"].startswith("/api/assets/shapes.json?kinds=park")


def test_the_fault_rate_view_draws_the_districts_with_their_rates(page) -> None:
    import pandas as pd

    rates = pd.DataFrame({"district": ["320706", "320703"], "per_1000": [1.23456, 0.5]})
    [layer] = page.rate_layer(rates, "zh")
    assert layer.hideout["rates"] == {"320706": 1.235, "320703": 0.5}
    assert layer.hideout["steps"] == list(page.RATE_STEPS)
    assert len(layer.hideout["colours"]) == len(page.RATE_STEPS) + 1


def test_counts_on_the_switches_and_in_the_summary(page) -> None:
    matrix = {kind: dict.fromkeys(STATUSES, 0) for kind in KINDS}
    matrix["street_light"].update(normal=1000, fault=7, offline=2)
    matrix["cctv_camera"].update(normal=50, offline=3)
    flt = AssetFilter(statuses=("fault", "normal"))
    options = {o["value"]: _text(o["label"]) for o in page.kind_options(matrix, flt, "zh")}
    assert options["street_light"].split() == ["路灯", "1,007", "7"]
    assert options["cctv_camera"].split() == ["视频监控", "50", "0"]
    statuses = {o["value"]: _text(o["label"]) for o in page.status_options(matrix, flt, "en")}
    assert statuses["offline"].split() == ["Offline", "5"]
    summary = _text(page.summary(matrix, flt, "en"))
    assert summary.split() == ["Shown", "1,057", "·", "not", "normal", "7"]


def test_what_a_click_selects(page) -> None:
    assert page._clicked_key({"properties": {"cluster": True, "point_count": 40}}) is None
    assert page._clicked_key({"properties": {"k": "SL000001", "t": 0, "s": 1}}) == "SL000001"
    assert page._clicked_key({"properties": {"key": "WP000002", "kind": "water_pipe"}}) == (
        "WP000002"
    )
    assert page._clicked_key({"properties": {"adcode": "320706"}}) is None
    assert page._clicked_key(None) is None


def test_an_asset_is_anchored_at_its_point_or_on_its_shape(page) -> None:
    assert page._anchor({"lon": 119.2, "lat": 34.6}) == (119.2, 34.6)
    line = {"type": "LineString", "coordinates": [[119.0, 34.0], [119.2, 34.0]]}
    lon, lat = page._anchor({"lon": None, "lat": None, "geometry": line})
    assert 119.0 <= lon <= 119.2 and lat == 34.0
    assert page._anchor({"lon": None, "lat": None, "geometry": None}) is None


def test_the_asset_panel_in_both_languages() -> None:
    detail = {
        "key": "SL000123",
        "name": "晶都大道132号灯杆",
        "status": "fault",
        "kind": "street_light",
        "install_date": date(2016, 11, 8),
        "owner": "市城市管理局",
        "lon": 119.17,
        "lat": 34.6,
        "attributes": {"wattage": 60, "smart": False, "routes": [1, 7], "vendor_code": "X9"},
    }
    history = [
        {
            "changed_at": datetime(2026, 11, 28, 9, 18, tzinfo=UTC),
            "from_status": "normal",
            "to_status": "fault",
            "reason": "灯具损坏",
        }
    ]
    incidents = [{"severity": "Severe", "title": "路灯杆倒伏", "distance_m": 312.4}]
    common = dict(
        kind_name="路灯",
        district="海州区",
        history=history,
        nearest=[Hit("SL000124", "street_light", 171.2), Hit("SL009999", "street_light", 2400)],
        nearest_names={"SL000124": ("新浦路133号灯杆", "offline")},
        incidents=incidents,
        radius_m=2000,
        zone="Asia/Shanghai",
    )
    zh = _text(asset_panel(detail, language="zh", **common))
    for expected in (
        "晶都大道132号灯杆",
        "故障",
        "功率（瓦）",
        "否",
        "1、7",
        "vendor_code",
        "X9",
        "11-28 17:18",
        "灯具损坏",
        "新浦路133号灯杆",
        "离线",
        "171 米",
        "2.4 公里",
        "SL009999",
        "严重",
        "路灯杆倒伏",
        "312 米",
        "2.0 公里 内未结事件",
    ):
        assert expected in zh, expected
    en = _text(asset_panel(detail, language="en", **common))
    for expected in (
        "Wattage (W)",
        "No",
        "1, 7",
        "Fault",
        "171 m",
        "Severe",
        "Open incidents within 2.0 km",
    ):
        assert expected in en, expected


def test_panel_pieces_say_when_there_is_nothing() -> None:
    assert _text(history_list([], "zh", "Asia/Shanghai")) == "暂无状态变更记录"
    assert attribute_value(None, "en") == "—" and attribute_value(True, "zh") == "是"
    assert distance_text(999.4, "en") == "999 m" and distance_text(1000, "en") == "1.0 km"
    assert isinstance(history_list([], "en", "UTC"), html.Div)


def test_page_is_registered_after_the_vital_signs(page) -> None:
    import dash

    entry = dash.page_registry["dashboard.pages.assets"]
    assert (entry["path"], entry["order"]) == ("/assets", 2)
    assert entry["sources"] == ["table:assets", "table:asset_changes"]
    assert Path(page.__file__).name == "assets.py"
