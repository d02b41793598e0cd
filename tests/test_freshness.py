"""Source freshness for the pages: within the update cycle's limit, stale, never polled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, insert

from dashboard.data.catalogue import configured_sources
from dashboard.data.freshness import freshness_of
from data_adapters.settings import Settings
from data_adapters.store.schema import source_status

NOW = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
DEMO = Path(__file__).resolve().parent.parent / "data_adapters" / "demo_sources.toml"


def test_fresh_stale_and_never_polled(store: Engine) -> None:
    specs = configured_sources(Settings(sources_file=DEMO))
    with store.begin() as connection:
        connection.execute(
            insert(source_status),
            [
                {
                    "source_id": "air-quality",
                    "kind": "sensorthings",
                    "updated_at": NOW,
                    "last_success_at": NOW - timedelta(minutes=3),
                    "last_error": None,
                },
                {
                    "source_id": "population",
                    "kind": "sql",
                    "updated_at": NOW,
                    "last_success_at": NOW - timedelta(days=60),
                    "last_error": "timed out",
                },
            ],
        )
    fresh = freshness_of(store, specs, NOW)
    assert not fresh["air-quality"].stale and fresh["air-quality"].limit == timedelta(minutes=5)
    assert fresh["population"].stale and fresh["population"].error == "timed out"
    assert fresh["macro-economy"].stale and fresh["macro-economy"].last_success is None
    assert fresh["air-quality"].age(NOW) == timedelta(minutes=3)


def test_no_sources_file_means_no_sources(tmp_path: Path) -> None:
    assert dict(configured_sources(Settings())) == {}
    assert dict(configured_sources(Settings(sources_file=tmp_path / "missing.toml"))) == {}
