"""A small city of assets in an ops store, the way production gets it: a simulated data centre
is built and advanced, and the demo's asset sources (and the status changes) are polled into
the store by the real adapters. Used by the asset map's browser tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, insert, select

from data_adapters.clock.polling import poll_source
from data_adapters.sources import REGISTRY, build_adapter
from data_adapters.sources.config import load_sources
from data_adapters.store import schema
from simulator import DataCentre, SimulatorConfig

ROOT = Path(__file__).resolve().parents[2]
DEMO_SOURCES = ROOT / "data_adapters" / "demo_sources.toml"
DISTRICTS = ROOT / "assets" / "geo" / "lianyungang-districts.geojson"
ASSET_TABLES = ("assets", "asset_changes")


def asset_sources() -> list:
    """The demo's sources that write assets or their status changes."""
    return [s for s in load_sources(DEMO_SOURCES, REGISTRY) if s.table in ASSET_TABLES]


def build_asset_city(store: Engine, workdir: Path, assets: int = 3000, days: int = 3) -> None:
    """Fill `store` with `assets` point assets (plus lines and polygons) and `days` of status
    changes from a simulated data centre under `workdir`, through the demo's sources."""
    now = datetime.now(UTC).replace(microsecond=0)
    config = SimulatorConfig(
        database_url=f"sqlite:///{workdir / 'datacentre.db'}",
        drop_dir=workdir / "var" / "datacentre",
        districts_geojson=DISTRICTS,
        start=now - timedelta(days=days),
        history_days=1,
        assets=assets,
        enterprises=50,
    )
    centre = DataCentre(config)
    try:
        centre.build()
        centre.advance_to(now)
        environ = {
            "CITYOPS_DATACENTRE_URL": config.database_url,
            "CITYOPS_VAR_DIR": str(workdir / "var"),
        }
        for spec in sorted(asset_sources(), key=lambda s: s.kind == "files"):  # files settle
            adapter = build_adapter(spec, environ)
            try:
                report = poll_source(store, spec, adapter)
            finally:
                adapter.close()
            if not report.ok:
                raise AssertionError(f"{spec.id}: {report.error}")
    finally:
        centre.close()


def add_incident_near(store: Engine, key: str, ref: str, title: str, metres_east: float) -> None:
    """An open incident `metres_east` of asset `key` (a degree of longitude is ~92 km here)."""
    a = schema.assets.c
    with store.begin() as connection:
        lon, lat, district = connection.execute(
            select(a.lon, a.lat, a.district).where(a.source_key == key)
        ).one()
        now = datetime.now(UTC)
        connection.execute(
            insert(schema.incidents).values(
                ref=ref,
                type="infrastructure",
                severity="Severe",
                title=title,
                description="",
                lon=lon + metres_east / 92_000,
                lat=lat,
                district=district,
                state="open",
                origin="manual",
                created_at=now,
                updated_at=now,
            )
        )
