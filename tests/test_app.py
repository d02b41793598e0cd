"""The app factory, the WSGI entry point, the shell and the overview page, without a browser."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import dash
import pytest
from dash import Dash
from plotly.utils import PlotlyJSONEncoder

from dashboard import shell
from dashboard.app import create_app
from dashboard.paths import assets_dir, districts_geojson
from data_adapters.settings import Settings
from data_adapters.store import make_engine
from data_adapters.store.migrate import upgrade


@pytest.fixture
def app(settings: Settings) -> Dash:
    engine = make_engine(settings.store_url)
    upgrade(engine)
    return create_app(settings, engine)


def _render(component: object) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


def test_wsgi_server_is_the_apps_server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CITYOPS_VAR_DIR", str(tmp_path / "var"))
    wsgi = importlib.import_module("dashboard.wsgi")
    wsgi = importlib.reload(wsgi)
    assert wsgi.server is wsgi.app.server


def test_assets_are_served_by_the_app(app: Dash) -> None:
    client = app.server.test_client()
    for path in ("/assets/css/cityops.css", "/assets/geo/lianyungang-districts.geojson"):
        with client.get(path) as response:
            assert response.status_code == 200, path
    assert districts_geojson().is_file() and assets_dir().is_dir()


def test_index_references_no_outside_host(app: Dash) -> None:
    html = app.server.test_client().get("/").get_data(as_text=True)
    assert "<script" in html
    for host in ("unpkg.com", "cdn.jsdelivr", "cdnjs", "googleapis", "plot.ly/"):
        assert host not in html


def test_navigation_lists_only_registered_pages(app: Dash) -> None:
    with app.server.test_request_context("/"):
        links = shell.nav_links("/", "zh")
    assert [link.children for link in links] == [
        "城市总览",
        "城市体征",
        "城市资产",
        "社会舆情",
        "数据源",
    ]
    assert [link.href for link in links] == [
        p["relative_path"] for p in dash.page_registry.values()
    ]
    assert links[0].className.endswith("active")


def test_every_app_built_in_one_process_has_the_callbacks(settings: Settings) -> None:
    engine = make_engine(settings.store_url)
    upgrade(engine)
    first, second = create_app(settings, engine), create_app(settings, engine)
    for app in (first, second):
        deps = app.server.test_client().get("/_dash-dependencies").get_json()
        outputs = [d["output"] for d in deps]
        assert len(outputs) == len(set(outputs)), "a callback is registered twice"
        assert any("shell-nav" in o for o in outputs)
        assert any("overview-store" in o for o in outputs)


def test_header_follows_the_language_and_keeps_it_in_a_cookie(app: Dash) -> None:
    client = app.server.test_client()
    body = {
        "output": "..shell-root.lang...shell-brand.children...shell-nav.children..."
        "shell-lang.children..",
        "outputs": [
            {"id": "shell-root", "property": "lang"},
            {"id": "shell-brand", "property": "children"},
            {"id": "shell-nav", "property": "children"},
            {"id": "shell-lang", "property": "children"},
        ],
        "inputs": [
            {"id": "shell-url", "property": "pathname", "value": "/"},
            {"id": "shell-url", "property": "search", "value": "?lang=en"},
        ],
        "changedPropIds": ["shell-url.search"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    assert "Overview" in response.get_data(as_text=True)
    assert "cityops_lang=en" in response.headers.get("Set-Cookie", "")
    body["inputs"][1]["value"] = ""
    text = client.post("/_dash-update-component", json=body).get_data(as_text=True)
    assert "Overview" in text, "the cookie keeps English without ?lang="


def test_overview_shows_the_empty_store_honestly(app: Dash) -> None:
    page = dash.page_registry["dashboard.pages.overview"]
    with app.server.test_request_context("/"):
        rendered = _render(page["layout"]())
    assert "尚未采集任何数据源" in rendered
    with app.server.test_request_context("/?lang=en"):
        rendered = _render(page["layout"](lang="en"))
    assert "No source has been polled yet" in rendered


def test_scripts_are_served_to_parallel_first_requests(app: Dash) -> None:
    """A fresh worker answered 500 for scripts requested during Dash's first-request set-up."""
    import re
    from concurrent.futures import ThreadPoolExecutor

    assert app.registered_paths, "set-up done before the first real request"
    index = app.server.test_client().get("/").get_data(as_text=True)
    scripts = re.findall(r'src="(/_dash-component-suites/[^"]+)"', index)
    assert len(scripts) >= 5

    def fetch(path: str) -> int:
        with app.server.test_client() as client:
            response = client.get(path)
            response.close()
            return response.status_code

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(fetch, scripts * 3)) == {200}
