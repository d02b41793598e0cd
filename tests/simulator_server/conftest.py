"""One small simulated data centre for the package, its feed server on a free port, and
helpers that read the data centre's database directly (what the feeds must match).

The start is fixed (a past hour with a gale warning in its history, so the CAP feed has
messages) and everything before it is history, so the adapters' signposts never cut it off.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.sql.elements import ColumnElement

from simulator import DataCentre, SimulatorConfig
from simulator.server import FeedServer

ROOT = Path(__file__).resolve().parents[2]
DISTRICTS = ROOT / "assets" / "geo" / "lianyungang-districts.geojson"
START = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
TOKEN = "test-exchange-token"
TOKEN_ENV = "CITYOPS_SIM_EXCHANGE_TOKEN"


@dataclass
class Site:
    """The running data centre and its feed server."""

    centre: DataCentre
    server: FeedServer

    @property
    def url(self) -> str:
        return self.server.url

    def scalar(self, stmt: Any) -> Any:
        with self.centre.engine.connect() as conn:
            return conn.execute(stmt).scalar_one()

    def rows(self, stmt: Any) -> list[Any]:
        with self.centre.engine.connect() as conn:
            return conn.execute(stmt).all()

    def count(self, table: Any, *where: ColumnElement[bool]) -> int:
        return self.scalar(select(func.count()).select_from(table).where(*where))


@pytest.fixture(scope="package")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("datacentre")
    config = SimulatorConfig(
        database_url=f"sqlite:///{folder / 'dc.db'}",
        drop_dir=folder / "drop",
        districts_geojson=DISTRICTS,
        history_days=2,
        assets=2000,
        enterprises=2000,
        start=START,
    )
    centre = DataCentre(config)
    centre.build()
    server = FeedServer(config.database_url, port=0, exchange_token=TOKEN)
    server.start()
    try:
        yield Site(centre, server)
    finally:
        server.stop()
        centre.close()


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    """The exchange token in the environment variable the adapters are configured with."""
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    return TOKEN
