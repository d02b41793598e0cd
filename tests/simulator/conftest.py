"""Shared fixtures: a small simulated data centre built once per session (copied for tests
that advance it), plus helpers to dump tables for byte-for-byte comparisons."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from simulator import DataCentre, SimulatorConfig
from simulator.schema import metadata

FIXTURE_GEOJSON = Path(__file__).parent / "fixtures" / "districts.geojson"
START = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)  # 09:00 local, a Saturday


def small_config(tmp: Path, **overrides) -> SimulatorConfig:
    values = dict(
        database_url=f"sqlite:///{tmp / 'datacentre.db'}",
        drop_dir=tmp / "drop",
        districts_geojson=FIXTURE_GEOJSON,
        start=START,
        history_days=1,
        assets=1500,
        enterprises=2000,
        speed=600.0,
    )
    values.update(overrides)
    return SimulatorConfig(**values)


def dump(url: str) -> dict[str, list[tuple]]:
    """Every table's rows ordered by primary key."""
    engine = create_engine(url)
    out = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            order = list(table.primary_key.columns)
            out[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
    engine.dispose()
    return out


def files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> SimulatorConfig:
    """A built data centre (read-only for tests; copy it with ``fresh_copy`` to advance it)."""
    tmp = tmp_path_factory.mktemp("built")
    config = small_config(tmp)
    centre = DataCentre(config)
    centre.build()
    centre.close()
    return config


@pytest.fixture
def fresh_copy(built, tmp_path):
    """A private copy of the session build (database file and drop folder)."""

    def make(name: str = "copy") -> SimulatorConfig:
        target = tmp_path / name
        target.mkdir()
        source_db = Path(built.database_url.removeprefix("sqlite:///"))
        shutil.copy(source_db, target / "datacentre.db")
        shutil.copytree(built.drop_dir, target / "drop")
        return replace(
            built, database_url=f"sqlite:///{target / 'datacentre.db'}", drop_dir=target / "drop"
        )

    return make
