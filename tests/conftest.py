"""Fixtures: settings in a temporary folder, the ops store on SQLite and PostgreSQL, the app,
and headless Chromium options for `dash[testing]`."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.chrome.options import Options
from sqlalchemy import Engine, create_engine, text

from data_adapters.settings import Settings
from data_adapters.store import make_engine
from data_adapters.store.migrate import upgrade
from tests.support.postgres import PostgresUnavailable, temporary_server
from tests.support.services import unavailable

CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--window-size=1920,1080",
    "--lang=zh-CN",
)


def pytest_setup_options() -> Options:
    """Options `dash[testing]` uses for Chromium: headless, no network beyond loopback."""
    options = Options()
    if os.path.exists("/usr/bin/chromium"):
        options.binary_location = "/usr/bin/chromium"
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    return options  # pluggy gathers it into the list dash[testing] reads


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's own `.env` or CITYOPS_* variables."""
    for name in list(os.environ):
        if name.startswith("CITYOPS_") and not name.startswith("CITYOPS_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with every file under the test's temporary folder."""
    return Settings(var_dir=tmp_path / "var")


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """The admin URL of a PostgreSQL server for this test session."""
    existing = os.environ.get("CITYOPS_TEST_POSTGRES_URL")
    if existing:
        yield existing
        return
    try:
        with temporary_server() as url:
            yield url
    except PostgresUnavailable as exc:
        unavailable(str(exc))


_database_numbers = itertools.count(1)


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    admin_url = request.getfixturevalue("postgres_admin_url")
    name = f"cityops_test_{os.getpid()}_{next(_database_numbers)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty ops store URL, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(store_url: str) -> Iterator[Engine]:
    """A migrated ops store on each database."""
    engine = make_engine(store_url)
    upgrade(engine)
    yield engine
    engine.dispose()
