"""WSGI entry point for gunicorn: `gunicorn dashboard.wsgi:server` (settings from CITYOPS_*)."""

from dashboard.app import create_app
from data_adapters.settings import Settings

app = create_app(Settings())
server = app.server
