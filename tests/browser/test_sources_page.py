"""The sources page and the stale banner in a real Chromium at 1920x1080, on a store prepared by
hand (`tests.test_sources_page.seed_store`): every configured source listed, the late one first
and marked, the catalogue narrowed by provider, the banner on the home page until the late
source is fresh again, no scrollbar, and no severe console error. Screenshots go to
`test-artifacts/`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import Engine

from dashboard.app import create_app
from dashboard.components import stale_banner
from data_adapters.settings import Settings
from data_adapters.store import make_engine
from data_adapters.store.migrate import upgrade
from tests.test_sources_page import DEMO, demo_specs, make_fresh, seed_store

pytestmark = pytest.mark.browser

NO_SCROLLBAR = (
    "return [document.documentElement.scrollHeight, document.documentElement.clientHeight,"
    " document.documentElement.scrollWidth, document.documentElement.clientWidth]"
)


@pytest.fixture
def prepared(tmp_path: Path) -> Iterator[tuple[Settings, Engine]]:
    """A store where `population` is late and `air-quality` fails; the rest is fresh."""
    settings = Settings(var_dir=tmp_path / "var", sources_file=DEMO)
    engine = make_engine(settings.store_url)
    upgrade(engine)
    seed_store(
        engine,
        datetime.now(UTC),
        demo_specs(),
        late=["population"],
        failing={"air-quality": ("transient", "the sensor service timed out after 20 s")},
        reasons={"air-quality": 4},
    )
    yield settings, engine
    engine.dispose()


def _severe(dash_duo) -> list[dict]:
    return [entry for entry in dash_duo.get_logs() or [] if entry.get("level") == "SEVERE"]


def _assert_no_scrollbar(dash_duo) -> None:
    height, visible_height, width, visible_width = dash_duo.driver.execute_script(NO_SCROLLBAR)
    assert (height, width) == (visible_height, visible_width), "the page scrolls"


def _wall_screen(dash_duo) -> None:
    """A viewport of exactly 1920x1080 CSS pixels (the window's own frame aside)."""
    dash_duo.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False},
    )


def _open(dash_duo, path: str) -> None:
    """Load a page and wait until it and its fonts are in: a request the browser abandons by
    navigating on leaves the in-process server an unclosed file (a ResourceWarning)."""
    dash_duo.driver.get(f"{dash_duo.server.url}{path}")
    dash_duo.wait_for_element(".shell-brand-title", timeout=20)
    WebDriverWait(dash_duo.driver, 20).until(
        lambda driver: driver.execute_script(
            "return document.readyState === 'complete' && document.fonts.status === 'loaded'"
        )
    )


def test_sources_page_lists_late_sources_first(
    dash_duo, prepared: tuple[Settings, Engine], artifacts: Path
) -> None:
    settings, engine = prepared
    _wall_screen(dash_duo)
    dash_duo.start_server(create_app(settings, engine), navigate=False)
    _open(dash_duo, "/sources")
    dash_duo.wait_for_text_to_equal(".shell-nav-link.active", "数据源", timeout=20)
    rows = dash_duo.find_elements("#sources-table tbody tr")
    assert len(rows) == len(demo_specs())
    table_text = dash_duo.find_element("#sources-table").text
    for spec in demo_specs().values():
        assert spec.catalogue.name_zh in table_text
    first = rows[0]
    assert "state-stale" in first.get_attribute("class")
    assert first.find_element(By.CSS_SELECTOR, ".col-freshness").text.startswith("超时 2 小时")
    assert "分区县分年龄性别常住人口" in first.text
    assert "暂时性错误" in rows[1].text, "the failing source leads the fresh ones"
    summary = dash_duo.find_element("#sources-summary").text
    assert f"{len(rows)}\n数据源总数" in summary and "1\n超时或未采集" in summary
    assert dash_duo.find_element("#stale-banner").is_displayed() is False
    _assert_no_scrollbar(dash_duo)
    dash_duo.driver.save_screenshot(str(artifacts / "sources-zh.png"))

    rows[1].click()  # the failing source's details: its error and latest quarantine reasons
    dash_duo.wait_for_contains_text(".mantine-Modal-body", "the sensor service timed out", 10)
    assert len(dash_duo.find_elements(".sources-reasons li")) == 3
    dash_duo.driver.save_screenshot(str(artifacts / "sources-details-zh.png"))
    dash_duo.find_element(".mantine-Modal-close").click()
    WebDriverWait(dash_duo.driver, 10).until(
        lambda d: not d.find_elements(By.CSS_SELECTOR, ".mantine-Modal-body")
    )

    dash_duo.find_element("#sources-table th.col-rows_in button").click()  # sort by rows in
    dash_duo.wait_for_text_to_equal("#sources-table th.col-rows_in .sources-sort-arrow", "▲")
    assert dash_duo.find_element("#sources-table th.col-freshness .sources-sort-arrow").text == ""
    dash_duo.find_element("#sources-table th.col-freshness button").click()  # back to urgency
    dash_duo.wait_for_text_to_equal("#sources-table th.col-freshness .sources-sort-arrow", "▲")
    dash_duo.wait_for_contains_text("#sources-table tbody tr", "超时 2 小时")

    dash_duo.wait_for_text_to_equal("#sources-catalogue-count", "共 1,000 项资源")
    provider = dash_duo.find_element("#sources-filter-provider")
    provider.click()
    provider.send_keys("市水利局")
    dash_duo.wait_for_element(".mantine-Select-option", timeout=10).click()
    WebDriverWait(dash_duo.driver, 10).until(
        lambda d: d.find_element(By.ID, "sources-catalogue-count").text != "共 1,000 项资源"
    )
    providers = {
        cell.text for cell in dash_duo.find_elements("#sources-catalogue tbody td.col-provider")
    }
    assert providers == {"市水利局"}
    _assert_no_scrollbar(dash_duo)
    dash_duo.driver.save_screenshot(str(artifacts / "sources-catalogue-filtered-zh.png"))

    _open(dash_duo, "/sources?lang=en")
    dash_duo.wait_for_text_to_equal(".shell-nav-link.active", "Data sources", timeout=20)
    dash_duo.wait_for_contains_text("#sources-table tbody tr", "Late by 2 h", timeout=10)
    _assert_no_scrollbar(dash_duo)
    dash_duo.driver.save_screenshot(str(artifacts / "sources-en.png"))
    assert _severe(dash_duo) == []


def test_banner_shows_on_home_until_the_source_is_fresh(
    dash_duo,
    prepared: tuple[Settings, Engine],
    artifacts: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings, engine = prepared
    monkeypatch.setattr(stale_banner, "REFRESH_MS", 1000)
    _wall_screen(dash_duo)
    dash_duo.start_server(create_app(settings, engine), navigate=False)
    _open(dash_duo, "/")
    dash_duo.wait_for_element(".stale-banner.is-late", timeout=20)
    text = dash_duo.find_element("#stale-banner").text
    assert "本页有 1 个数据源已超时：分区县分年龄性别常住人口" in text
    assert dash_duo.find_element(".stale-banner-link").get_attribute("href").endswith("/sources")
    dash_duo.wait_for_element(".district-label", timeout=20)
    _assert_no_scrollbar(dash_duo)
    dash_duo.driver.save_screenshot(str(artifacts / "banner-overview-zh.png"))

    make_fresh(engine, "population", datetime.now(UTC))
    dash_duo.wait_for_element(".stale-banner.is-hidden", timeout=10)
    assert dash_duo.find_element("#stale-banner").is_displayed() is False
    dash_duo.driver.save_screenshot(str(artifacts / "banner-gone-zh.png"))
    assert _severe(dash_duo) == []
