"""`cityops web`: serve the Dash app with gunicorn, the way production runs it."""

from __future__ import annotations

import argparse
from typing import Any

from gunicorn.app.base import BaseApplication

from dashboard.commands.base import Command, UserError
from data_adapters.settings import Settings
from data_adapters.store import make_engine
from data_adapters.store.migrate import current_revision, head_revision


class _Gunicorn(BaseApplication):
    """gunicorn serving the app factory's WSGI server, configured from code, not argv."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self._settings = settings
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from dashboard.app import create_app

        return create_app(self._settings).server


def check_store_ready(settings: Settings) -> None:
    """Refuse to serve from a store whose schema is older than the code's."""
    engine = make_engine(settings.store_url)
    have, need = current_revision(engine), head_revision()
    if have != need:
        raise UserError(
            f"the ops store is at schema revision {have}, this version needs {need}: "
            "run `cityops db upgrade`"
        )


def serve(settings: Settings, workers: int, threads: int) -> int:
    """Run gunicorn in the foreground until it is told to stop."""
    check_store_ready(settings)
    options = {
        "bind": f"{settings.web_host}:{settings.web_port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": 60,
        "graceful_timeout": 5,
        "accesslog": None,
        "loglevel": settings.log_level.lower(),
        "proc_name": "cityops-web",
    }
    _Gunicorn(settings, options).run()
    return 0


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")


COMMAND = Command(
    name="web",
    help="Serve the web tier (gunicorn) on CITYOPS_WEB_HOST:CITYOPS_WEB_PORT.",
    handler=lambda args, settings: serve(settings, args.workers, args.threads),
    options=_options,
)
