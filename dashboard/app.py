"""The Dash application factory: `create_app(settings)` builds the whole web tier."""

from __future__ import annotations

import importlib
import secrets
import sys

import dash
from dash import Dash
from dash import _callback as dash_callbacks
from sqlalchemy import Engine

from dashboard import shell
from dashboard.api import blueprint as api_blueprint
from dashboard.pages import PAGE_MODULES
from dashboard.paths import assets_dir
from dashboard.runtime import Runtime, attach
from data_adapters.settings import Settings
from data_adapters.store import make_engine

#: Modules whose import registers pages and `@dash.callback`s, shell first.
CALLBACK_MODULES: tuple[str, ...] = ("dashboard.shell", *PAGE_MODULES)


def create_app(settings: Settings, engine: Engine | None = None) -> Dash:
    """Build the Dash app for `settings`, reading the ops store through `engine`."""
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(assets_dir()),
        serve_locally=True,
        title="CityOps Centre",
        update_title=None,
        suppress_callback_exceptions=True,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    app.index_string = app.index_string.replace("<html>", '<html lang="zh-CN">', 1)
    server = app.server
    server.secret_key = settings.secret_key.get_secret_value() or secrets.token_hex(32)
    attach(server, Runtime(settings=settings, engine=engine or make_engine(settings.store_url)))
    server.register_blueprint(api_blueprint)
    _register_callback_modules(app)
    app.layout = shell.layout
    _warm_up(app)
    return app


def _warm_up(app: Dash) -> None:
    """Serve the index once before any real request.

    Dash finishes its set-up (the registry of script paths among it) during the first request.
    Under a threaded server, a second request arriving during that set-up found the registry
    still empty and failed with 500 for the component scripts; doing it here, in one thread,
    before the server accepts connections, leaves nothing to race.
    """
    with app.server.test_client() as client:
        for path in ("/", "/_dash-layout", "/_dash-dependencies"):
            response = client.get(path)
            response.close()
            if response.status_code != 200:
                raise RuntimeError(f"the app failed its warm-up request {path}")


def _register_callback_modules(app: Dash) -> None:
    """Run each page and widget module for this app and hand it their callbacks at once.

    Dash collects `@dash.callback`s in process-wide lists that the first app to serve a request
    takes. (Re)running the modules here and moving what they registered into `app` straight
    away gives every app built in one process (gunicorn's worker, a test) exactly one copy.
    """
    dash.page_registry.clear()
    for name in CALLBACK_MODULES:
        module = sys.modules.get(name)
        if module is None:
            importlib.import_module(name)
        else:
            importlib.reload(module)
    for key in list(dash_callbacks.GLOBAL_CALLBACK_MAP):
        app.callback_map[key] = dash_callbacks.GLOBAL_CALLBACK_MAP.pop(key)
    app._callback_list.extend(dash_callbacks.GLOBAL_CALLBACK_LIST)
    dash_callbacks.GLOBAL_CALLBACK_LIST.clear()
    app._inline_scripts.extend(dash_callbacks.GLOBAL_INLINE_SCRIPTS)
    dash_callbacks.GLOBAL_INLINE_SCRIPTS.clear()
