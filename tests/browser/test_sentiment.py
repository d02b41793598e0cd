"""The public-sentiment page in a real Chromium over a store seeded with hand-made posts: the
wall at 1920x1080 without a page scrollbar; a hostile post renders as text (no dialog, no
element, no error); filters and a clicked topic change the list and the URL, and the URL
restores the view; a spike becomes exactly one incident."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from dash import Dash
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException
from sqlalchemy import Engine, func, select

from dashboard.app import create_app
from data_adapters.settings import Settings
from data_adapters.store import make_engine, schema
from data_adapters.store.migrate import upgrade
from tests.browser.test_vitals import WALL, _screen, _scrollbars, _severe, until
from tests.support.asset_city import DEMO_SOURCES
from tests.test_sentiment_page import XSS, seed_posts

pytestmark = pytest.mark.browser

POSTS = "#sentiment-posts .post"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[Settings, Engine]]:
    settings = Settings(var_dir=tmp_path / "var", sources_file=DEMO_SOURCES)
    engine = make_engine(settings.store_url)
    upgrade(engine)
    seed_posts(engine, datetime.now(UTC))
    yield settings, engine
    engine.dispose()


@pytest.fixture
def app(store) -> Dash:
    settings, engine = store
    return create_app(settings, engine)


def _open(dash_duo, app: Dash, query: str = "", start: bool = True) -> None:
    if start:
        _screen(dash_duo, WALL)
        dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/sentiment{query}", timeout=20)
    dash_duo.wait_for_text_to_equal(".shell-nav-link.active", "社会舆情", timeout=20)
    until(lambda: len(dash_duo.find_elements(POSTS)) > 0, "the latest posts")


def _texts(dash_duo) -> list[str]:
    return dash_duo.driver.execute_script(
        f"return [...document.querySelectorAll('{POSTS} .post-text')].map(e => e.textContent)"
    )


def _search(dash_duo) -> str:
    return dash_duo.driver.execute_script("return window.location.search")


def _choose(dash_duo, select: str, text: str) -> None:
    dash_duo.find_element(select).click()
    options = ".mantine-Select-option"
    until(lambda: any(text in o.text for o in dash_duo.find_elements(options)), f"'{text}'")
    next(o for o in dash_duo.find_elements(options) if text in o.text).click()


def _click_topic(dash_duo, topic: str) -> bool:
    """Click the topic's row (rows re-drawn under the click are looked up again)."""
    try:
        next(r for r in dash_duo.find_elements(".topic-row") if topic in r.text).click()
    except (StaleElementReferenceException, StopIteration):
        return False
    return True


def _no_dialog(dash_duo) -> bool:
    try:
        dash_duo.driver.switch_to.alert  # noqa: B018 - raises when there is none
    except NoAlertPresentException:
        return True
    return False


def test_the_wall_and_a_hostile_post(dash_duo, app, artifacts: Path) -> None:
    _open(dash_duo, app)
    assert _texts(dash_duo)[0] == XSS  # shown as the text it is
    time.sleep(1)
    assert _no_dialog(dash_duo)
    assert dash_duo.find_elements("#sentiment-posts script, #sentiment-posts img") == []
    assert dash_duo.driver.execute_script("return window.__xss === undefined")
    assert len(_texts(dash_duo)) == 11
    assert dash_duo.find_elements(".spike-button")
    assert "道路破损·井盖" in dash_duo.find_element("#sentiment-topics").text
    assert "井盖" in dash_duo.find_element("#sentiment-words").text
    assert len(dash_duo.find_elements("#sentiment-map path")) >= 6
    assert _scrollbars(dash_duo) == [0, 0]
    dash_duo.driver.save_screenshot(str(artifacts / "sentiment-1080p.png"))
    assert _severe(dash_duo) == []


def test_filters_a_clicked_topic_and_the_url(dash_duo, app) -> None:
    _open(dash_duo, app)
    _choose(dash_duo, "#sentiment-channel", "微博")
    until(lambda: len(_texts(dash_duo)) == 10, "the weibo posts only")
    until(lambda: "channel=weibo" in _search(dash_duo), "the channel in the URL")
    _choose(dash_duo, "#sentiment-channel", "全部渠道")
    until(lambda: len(_texts(dash_duo)) == 11, "every channel again")
    until(lambda: _click_topic(dash_duo, "噪声扰民·广场舞"), "a click on the topic")
    until(lambda: len(_texts(dash_duo)) == 1, "the clicked topic's posts")
    until(lambda: "topic=" in _search(dash_duo), "the topic in the URL")
    assert "噪声扰民·广场舞" in dash_duo.find_element("#sentiment-list-filters").text
    query = _search(dash_duo)
    _open(dash_duo, app, query + "&district=320706", start=False)
    until(lambda: len(_texts(dash_duo)) == 1, "the view restored from the URL")
    assert dash_duo.find_element("#sentiment-district").get_attribute("value") == "海州区"
    dash_duo.find_element("#sentiment-clear").click()
    until(lambda: len(_texts(dash_duo)) == 1 + 0, "the Haizhou posts")  # the hostile one
    until(lambda: "topic=" not in _search(dash_duo), "the topic gone from the URL")
    assert _severe(dash_duo) == []


def test_a_spike_becomes_one_incident(dash_duo, app, store) -> None:
    _, engine = store
    _open(dash_duo, app)
    dash_duo.find_element(".spike-button").click()
    until(lambda: "INC-" in dash_duo.find_element("#sentiment-message").text, "the message")
    assert "已生成事件" in dash_duo.find_element("#sentiment-message").text
    until(lambda: dash_duo.find_elements(".spike-made"), "the spike names its incident")
    assert dash_duo.find_elements(".spike-button") == []
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(schema.incidents)).scalar() == 1
        events = connection.execute(select(func.count()).select_from(schema.incident_events))
        assert events.scalar() == 1
    assert sys.modules["dashboard.pages.sentiment"].ACTOR == "operator"
    assert _severe(dash_duo) == []


def test_the_page_with_demo_data(dash_br, demo, artifacts: Path) -> None:
    """The real demo: the clock polls and processes the data centre's posts, and the page
    (refreshing itself by its stamp) shows them, in Chinese and in English."""
    _screen(dash_br, WALL)
    dash_br.server_url = demo.url
    dash_br.wait_for_page(url=f"{demo.url}sentiment", timeout=30)
    dash_br.wait_for_text_to_equal(".shell-nav-link.active", "社会舆情", timeout=20)
    until(lambda: len(dash_br.find_elements(POSTS)) >= 10, "processed posts", timeout=240)
    until(lambda: dash_br.find_elements("#sentiment-words .word"), "keywords", timeout=60)
    time.sleep(1)
    assert _scrollbars(dash_br) == [0, 0]
    dash_br.driver.save_screenshot(str(artifacts / "sentiment-demo-zh.png"))
    assert _severe(dash_br) == []
    dash_br.driver.get(f"{demo.url}sentiment?lang=en&range=7d")
    dash_br.wait_for_text_to_equal(".shell-nav-link.active", "Public sentiment", timeout=20)
    until(lambda: len(dash_br.find_elements(POSTS)) >= 10, "the posts in English", timeout=30)
    time.sleep(1)
    assert _scrollbars(dash_br) == [0, 0]
    dash_br.driver.save_screenshot(str(artifacts / "sentiment-demo-en.png"))
    assert _severe(dash_br) == []
