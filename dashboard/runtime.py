"""Per-app runtime objects (settings, store engine) kept on the Flask app, not in globals."""

from __future__ import annotations

from dataclasses import dataclass

import flask
from sqlalchemy import Engine

from data_adapters.settings import Settings

_EXTENSION = "cityops"


@dataclass(frozen=True)
class Runtime:
    """What a request handler needs: the settings and the read engine of the ops store."""

    settings: Settings
    engine: Engine


def attach(server: flask.Flask, runtime: Runtime) -> None:
    """Keep `runtime` on the Flask app so callbacks find it through `current_app`."""
    server.extensions[_EXTENSION] = runtime


def current() -> Runtime:
    """The runtime of the app serving the current request."""
    return flask.current_app.extensions[_EXTENSION]


def settings_of(server: flask.Flask) -> Settings:
    """The settings of `server`'s app."""
    return server.extensions[_EXTENSION].settings
