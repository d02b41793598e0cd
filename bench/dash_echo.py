"""A bare Dash app with one echo callback (an Input's value returned into an Output): the
baseline that `bench/vitals.py` measures the vital-signs page and its refresh callback
against, served by the same gunicorn settings in the same run."""

from __future__ import annotations

from dash import Dash, Input, Output, dcc, html

INPUT_ID = "echo-in"
OUTPUT_ID = "echo-out"
VALUE = "ping"


def create_echo_app() -> Dash:
    """The echo app, warmed up like `dashboard.app.create_app` before it serves."""
    app = Dash(__name__, serve_locally=True, title="echo", update_title=None)
    app.layout = html.Div([dcc.Input(id=INPUT_ID, value=VALUE), html.Div(id=OUTPUT_ID)])

    @app.callback(Output(OUTPUT_ID, "children"), Input(INPUT_ID, "value"))
    def echo(value: str | None) -> str | None:
        return value

    with app.server.test_client() as client:
        for path in ("/", "/_dash-layout", "/_dash-dependencies"):
            response = client.get(path)
            response.close()
            if response.status_code != 200:
                raise RuntimeError(f"the echo app failed its warm-up request {path}")
    return app
