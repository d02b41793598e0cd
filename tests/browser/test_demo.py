"""The running demo in a real Chromium: it renders in Chinese, switches to English, shows the
offline district map, logs no severe console error, and stops cleanly on Ctrl-C."""

from __future__ import annotations

from pathlib import Path

import psutil
import pytest

from tests.browser.conftest import Demo
from tests.browser.test_vitals import until

pytestmark = pytest.mark.browser


def _severe(dash_br) -> list[dict]:
    return [entry for entry in dash_br.get_logs() if entry.get("level") == "SEVERE"]


def test_demo_page_renders_in_chinese_then_english(dash_br, demo: Demo, artifacts: Path) -> None:
    dash_br.server_url = demo.url
    dash_br.wait_for_page(url=demo.url, timeout=30)
    dash_br.wait_for_text_to_equal(".shell-brand-title", "城市运行管理中心", timeout=20)
    dash_br.wait_for_text_to_equal(".shell-nav-link.active", "城市总览")
    dash_br.wait_for_element(".leaflet-container")
    labels = dash_br.wait_for_element(".district-label", timeout=20)
    assert labels.is_displayed()
    names = {e.text for e in dash_br.find_elements(".district-label")}
    assert names == {"海州区", "连云区", "赣榆区", "东海县", "灌云县", "灌南县"}
    dash_br.wait_for_contains_text("#shell-clock", "20", timeout=5)
    dash_br.driver.save_screenshot(str(artifacts / "demo-overview-zh.png"))
    assert _severe(dash_br) == []

    dash_br.find_element("a.shell-lang-link:not(.active)").click()
    dash_br.wait_for_text_to_equal(".shell-nav-link.active", "Overview", timeout=10)
    dash_br.wait_for_text_to_equal(".shell-brand-title", "City Operations Centre")
    dash_br.driver.save_screenshot(str(artifacts / "demo-overview-en.png"))

    dash_br.driver.get(demo.url)  # the cookie keeps English without ?lang=
    dash_br.wait_for_text_to_equal(".shell-nav-link.active", "Overview", timeout=20)
    assert _severe(dash_br) == []


def test_demo_answers_quickly_and_stops_cleanly(demo: Demo) -> None:
    assert demo.ready_seconds < 60
    children = psutil.Process(demo.process.pid).children(recursive=True)
    assert len(children) >= 3, "simulator, web master and at least one web worker"
    assert demo.stop() == 0
    _gone, alive = psutil.wait_procs(children, timeout=10)
    assert alive == [], f"left running: {alive}"


def _tiles_with_values(dash_br) -> int:
    return len(dash_br.find_elements(".vitals-tile .tile-number"))


def test_demo_feeds_the_vitals_and_asset_pages(dash_br, demo: Demo, artifacts: Path) -> None:
    """The clock's first passes reach the pages: the vital signs fill their tiles from the
    snapshots (the page refreshes itself) and the asset map shows the data centre's assets."""
    dash_br.server_url = demo.url
    dash_br.wait_for_page(url=f"{demo.url}vitals", timeout=30)
    dash_br.wait_for_text_to_equal(".shell-nav-link.active", "城市体征", timeout=20)
    assert len(dash_br.find_elements(".vitals-tile")) == 28
    until(lambda: _tiles_with_values(dash_br) >= 24, "the snapshots on the tiles", timeout=240)
    dash_br.driver.save_screenshot(str(artifacts / "demo-vitals-zh.png"))
    assert _severe(dash_br) == []

    dash_br.driver.get(f"{demo.url}assets")
    dash_br.wait_for_text_to_equal(".shell-nav-link.active", "城市资产", timeout=20)
    until(lambda: dash_br.find_elements(".assets-cluster"), "clusters of assets", timeout=60)
    shown = dash_br.find_element("#assets-summary b").text.replace(",", "")
    assert int(shown) >= 3000
    dash_br.driver.save_screenshot(str(artifacts / "demo-assets-zh.png"))
    assert _severe(dash_br) == []
