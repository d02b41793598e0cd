"""The ops store on SQLite and PostgreSQL: migrations, time zones, uniqueness, read queries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect, select
from sqlalchemy.exc import IntegrityError, StatementError

from data_adapters.store import make_engine, metadata, schema
from data_adapters.store.engine import StoreURLError
from data_adapters.store.migrate import MIGRATIONS, current_revision, head_revision, upgrade
from data_adapters.store.queries import source_statuses, table_counts

NOW = datetime(2026, 11, 28, 1, 30, tzinfo=UTC)


def test_upgrade_creates_every_table_at_head(store: Engine) -> None:
    assert current_revision(store) == head_revision()
    assert set(metadata.tables) <= set(inspect(store).get_table_names())


def test_migrations_match_the_schema(store: Engine) -> None:
    with store.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []


def test_upgrade_twice_is_a_no_op(store: Engine) -> None:
    assert upgrade(store) == head_revision()


def _downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _asset_indexes(engine: Engine) -> dict[str, list[str]]:
    """The plain indexes of `assets` (not the one PostgreSQL makes for its unique key)."""
    indexes = inspect(engine).get_indexes("assets")
    return {i["name"]: i["column_names"] for i in indexes if i["name"].startswith("ix_")}


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    """An engine on an empty, unmigrated store, on each database."""
    engine = make_engine(store_url)
    yield engine
    engine.dispose()


def test_asset_map_indexes_migrate_up_and_down_keeping_the_assets(engine: Engine) -> None:
    upgrade(engine, "0005")
    with engine.begin() as connection:
        connection.execute(
            insert(schema.assets).values(
                source_id="s",
                source_key="SL1",
                ingested_at=NOW,
                kind="street_light",
                status="fault",
                district="320706",
                updated_at=NOW,
            )
        )
    upgrade(engine)
    assert _asset_indexes(engine) == {
        "ix_assets_source_key": ["source_key"],
        "ix_assets_kind_status": ["kind", "status"],
        "ix_assets_district_kind_status": ["district", "kind", "status"],
        "ix_assets_updated_at": ["updated_at"],
    }
    _downgrade(engine, "0005")
    assert _asset_indexes(engine) == {
        "ix_assets_kind_status": ["kind", "status"],
        "ix_assets_district_kind": ["district", "kind"],
        "ix_assets_updated_at": ["updated_at"],
    }
    upgrade(engine)
    assert table_counts(engine)["assets"] == 1


def _post_indexes(engine: Engine) -> dict[str, list[str]]:
    indexes = inspect(engine).get_indexes("posts")
    return {i["name"]: i["column_names"] for i in indexes if i["name"].startswith("ix_")}


def test_post_processing_columns_migrate_up_and_down_keeping_the_posts(engine: Engine) -> None:
    upgrade(engine, "0006")
    with engine.begin() as connection:
        connection.execute(
            insert(schema.posts).values(
                source_id="s",
                source_key="p1",
                ingested_at=NOW,
                channel="weibo",
                text="t",
                posted_at=NOW,
            )
        )
    upgrade(engine)
    columns = {c["name"] for c in inspect(engine).get_columns("posts")}
    assert {"text_masked", "topic", "processed_at"} <= columns
    assert _post_indexes(engine)["ix_posts_unprocessed"] == ["posted_at"]
    assert _post_indexes(engine)["ix_posts_posted_at_topic"] == ["posted_at", "topic"]
    with engine.connect() as connection:  # an existing post waits to be processed
        assert connection.scalar(select(schema.posts.c.processed_at)) is None
    _downgrade(engine, "0006")
    assert "ix_posts_unprocessed" not in _post_indexes(engine)
    assert "topic" not in {c["name"] for c in inspect(engine).get_columns("posts")}
    upgrade(engine)
    assert table_counts(engine)["posts"] == 1


def test_times_come_back_aware_utc(store: Engine) -> None:
    shanghai = timezone(timedelta(hours=8))
    with store.begin() as connection:
        connection.execute(
            insert(schema.observations).values(
                source_id="s",
                source_key="k1",
                ingested_at=NOW,
                indicator="aqi",
                district="320706",
                observed_at=datetime(2026, 11, 28, 9, 30, tzinfo=shanghai),
                value=42.0,
            )
        )
    with store.connect() as connection:
        observed = connection.scalar(select(schema.observations.c.observed_at))
    assert observed == NOW
    assert observed.tzinfo is not None and observed.utcoffset() == timedelta(0)


def test_naive_times_are_refused(store: Engine) -> None:
    with pytest.raises(StatementError, match="naive datetime"), store.begin() as connection:
        connection.execute(
            insert(schema.quarantine).values(
                source_id="s", at=datetime(2026, 1, 1), raw="{}", reason="r"
            )
        )


def test_source_rows_are_unique_by_source_and_key(store: Engine) -> None:
    row = dict(
        source_id="s", source_key="k", ingested_at=NOW, indicator="aqi", observed_at=NOW, value=1.0
    )
    with store.begin() as connection:
        connection.execute(insert(schema.observations).values(**row))
    with pytest.raises(IntegrityError), store.begin() as connection:
        connection.execute(insert(schema.observations).values(**row))
    assert table_counts(store)["observations"] == 1


def test_json_columns_round_trip(store: Engine) -> None:
    areas = [{"desc": "海州区", "geometry": None, "geocodes": {"adcode": "320706"}}]
    with store.begin() as connection:
        connection.execute(
            insert(schema.alerts).values(
                source_id="cap",
                source_key="id-1",
                ingested_at=NOW,
                origin="cap",
                sent=NOW,
                msg_type="Alert",
                state="active",
                areas=areas,
                references=[],
            )
        )
    with store.connect() as connection:
        assert connection.scalar(select(schema.alerts.c.areas)) == areas


def test_read_queries_on_an_empty_and_a_filled_store(store: Engine) -> None:
    assert table_counts(store) == dict.fromkeys(
        ("observations", "assets", "posts", "alerts", "incidents"), 0
    )
    assert source_statuses(store) == []
    with store.begin() as connection:
        connection.execute(
            insert(schema.source_status).values(
                source_id="hotline",
                kind="open311",
                rows_in=12,
                rows_quarantined=1,
                last_success_at=NOW,
                updated_at=NOW,
            )
        )
    [status] = source_statuses(store)
    assert status["source_id"] == "hotline" and status["rows_in"] == 12
    assert status["last_success_at"] == NOW


def test_sqlite_store_uses_wal(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'store.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert (tmp_path / "sub" / "store.db").exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [("not a url", "not a database URL"), ("nosuchdb://x/y", "cannot use database URL")],
)
def test_bad_urls_give_a_clear_error(url: str, message: str) -> None:
    with pytest.raises(StoreURLError, match=message):
        make_engine(url)
