"""Asset status history: the row model, ingest into `asset_changes` on SQLite and PostgreSQL,
and the demo's `asset-status-changes` source polling a small simulated data centre."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from data_adapters.clock.polling import poll_source
from data_adapters.contract import Batch, Record
from data_adapters.domain import InvalidRow, validate_row
from data_adapters.ingest import ingest
from data_adapters.sources import REGISTRY, build_adapter
from data_adapters.sources.config import SourceSpec, load_sources
from data_adapters.sources.mapping import FieldMap
from data_adapters.store import schema
from simulator import DataCentre, SimulatorConfig
from simulator.schema import geo_asset_status_changes, geo_assets

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data_adapters" / "demo_sources.toml"
DISTRICTS = ROOT / "assets" / "geo" / "lianyungang-districts.geojson"
NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
SHANGHAI = timezone(timedelta(hours=8))
SOURCE = "asset-status-changes"


def _fields(**overrides: Any) -> dict[str, Any]:
    fields = {
        "asset_key": "SL000123",
        "kind": "street_light",
        "from_status": "normal",
        "to_status": "fault",
        "reason": "灯具损坏",
        "changed_at": NOW,
    }
    return fields | overrides


# --- the row model ------------------------------------------------------------------------


def test_a_good_change_is_normalised() -> None:
    row = validate_row(
        "asset_changes",
        _fields(reason="  维修完成\r\n已恢复\x00 ", changed_at=NOW.astimezone(SHANGHAI)),
    )
    assert row == _fields(reason="维修完成\n已恢复")
    assert row["changed_at"].tzinfo == UTC


def test_optional_fields_may_be_missing() -> None:
    row = validate_row(
        "asset_changes", {"asset_key": "FH000001", "to_status": "offline", "changed_at": NOW}
    )
    assert (row["kind"], row["from_status"], row["reason"]) == (None, None, "")
    assert validate_row("asset_changes", _fields(reason=None))["reason"] == ""


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (_fields(to_status="broken"), "to_status: Input should be 'normal'"),
        (_fields(from_status="repaired"), "from_status: Input should be 'normal'"),
        (_fields(to_status=None), "to_status"),
        ({k: v for k, v in _fields().items() if k != "changed_at"}, "changed_at: Field required"),
        (_fields(changed_at=NOW.replace(tzinfo=None)), "changed_at: Value error, time has no UTC"),
        (_fields(changed_at="yesterday"), "changed_at"),
        (_fields(asset_key=""), "asset_key"),
        (_fields(asset_key="X" * 65), "asset_key"),
        (_fields(reason="x" * 20_001), "reason: Value error, text is 20,001 characters"),
        (_fields(status="fault"), "status: Extra inputs are not permitted"),
    ],
    ids=[
        "bad-status",
        "bad-from-status",
        "no-status",
        "no-time",
        "naive-time",
        "not-a-time",
        "empty-asset",
        "long-asset",
        "long-reason",
        "unknown-field",
    ],
)
def test_bad_changes_are_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRow, match=message):
        validate_row("asset_changes", fields)


def test_a_naive_change_time_is_read_in_the_sources_zone() -> None:
    field_map = FieldMap.model_validate(
        {
            "key": ["change_id"],
            "fields": {"asset_key": "asset_id", "to_status": "to", "changed_at": "at"},
            "timezone": "Asia/Shanghai",
        }
    )
    record = field_map.record(
        {"change_id": "c1", "asset_id": "SL000123", "to": "fault", "at": datetime(2026, 11, 28, 10)}
    )
    assert record.key == "c1"
    assert validate_row("asset_changes", dict(record.fields))["changed_at"] == NOW


# --- ingest -------------------------------------------------------------------------------


def _change(key: str, asset: str, minutes: int, before: str, after: str, reason: str) -> Record:
    return Record(
        key=key,
        fields=_fields(
            asset_key=asset,
            from_status=before,
            to_status=after,
            reason=reason,
            changed_at=NOW + timedelta(minutes=minutes),
        ),
    )


BATCH = [
    _change("SL000123-1-s", "SL000123", 0, "normal", "fault", "灯具损坏"),
    _change("SL000123-2-e", "SL000123", 90, "fault", "normal", "维修完成"),
    _change("SL000200-1-s", "SL000200", 30, "normal", "maintenance", "例行保养"),
]


def _ingest(store: Engine, records: list[Record], watermark: str = "t1"):
    return ingest(
        store,
        source_id=SOURCE,
        kind="sql",
        table="asset_changes",
        batch=Batch(records=records, watermark={"cursor": watermark}),
        now=NOW,
    )


def _history(store: Engine, asset: str) -> list[tuple]:
    c = schema.asset_changes.c
    with store.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                select(c.source_key, c.from_status, c.to_status, c.reason, c.changed_at)
                .where(c.asset_key == asset)
                .order_by(c.changed_at)
            )
        ]


def _count(store: Engine, table=schema.asset_changes) -> int:
    with store.connect() as connection:
        return connection.scalar(select(func.count()).select_from(table))


def test_a_batch_is_stored_as_each_assets_history(store: Engine) -> None:
    naive = Record(key="bad", fields=_fields(changed_at=NOW.replace(tzinfo=None)))
    report = _ingest(store, [*BATCH, naive])
    assert (report.stored, report.quarantined) == (3, 1)
    assert _history(store, "SL000123") == [
        ("SL000123-1-s", "normal", "fault", "灯具损坏", NOW),
        ("SL000123-2-e", "fault", "normal", "维修完成", NOW + timedelta(minutes=90)),
    ]
    assert [h[2] for h in _history(store, "SL000200")] == ["maintenance"]
    with store.connect() as connection:
        row = connection.execute(select(schema.asset_changes)).mappings().first()
        reason = connection.scalar(select(schema.quarantine.c.reason))
    assert row["source_id"] == SOURCE and row["ingested_at"] == NOW
    assert row["changed_at"].utcoffset() == timedelta(0)
    assert "UTC offset" in reason


def test_ingesting_the_same_changes_twice_stores_them_once(store: Engine) -> None:
    _ingest(store, BATCH)
    corrected = _change("SL000123-2-e", "SL000123", 90, "fault", "normal", "更换灯具")
    report = _ingest(store, [*BATCH[:1], corrected, *BATCH[2:]], watermark="t2")
    assert report.stored == 3
    assert _count(store) == 3
    assert [h[3] for h in _history(store, "SL000123")] == ["灯具损坏", "更换灯具"]


# --- the demo source against a simulated data centre --------------------------------------

START = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)  # in the past: no signpost cuts rows off


@pytest.fixture
def datacentre(tmp_path: Path) -> Iterator[DataCentre]:
    config = SimulatorConfig(
        database_url=f"sqlite:///{tmp_path / 'datacentre.db'}",
        drop_dir=tmp_path / "drop",
        districts_geojson=DISTRICTS,
        start=START,
        history_days=1,
        assets=3000,
        enterprises=50,
    )
    centre = DataCentre(config)
    centre.build()
    yield centre
    centre.close()


def _demo_specs(prefix: str) -> list[SourceSpec]:
    return [s for s in load_sources(DEMO, REGISTRY) if s.id.startswith(prefix)]


def _poll(store: Engine, spec: SourceSpec, centre: DataCentre) -> None:
    adapter = build_adapter(spec, {"CITYOPS_DATACENTRE_URL": centre.config.database_url})
    try:
        report = poll_source(store, spec, adapter)
    finally:
        adapter.close()
    assert report.ok, report.error
    assert report.quarantined == 0


def _centre_changes(centre: DataCentre) -> dict[str, tuple]:
    c = geo_asset_status_changes.c
    with centre.engine.connect() as connection:
        rows = connection.execute(
            select(c.change_id, c.asset_id, c.from_status, c.to_status, c.reason, c.changed_at)
        )
        return {r[0]: (*r[1:5], r[5].replace(tzinfo=UTC)) for r in rows}


def _stored_changes(store: Engine) -> dict[str, tuple]:
    c = schema.asset_changes.c
    with store.connect() as connection:
        rows = connection.execute(
            select(c.source_key, c.asset_key, c.from_status, c.to_status, c.reason, c.changed_at)
        )
        return {r[0]: tuple(r[1:]) for r in rows}


def test_the_demo_source_polls_every_change_once(store: Engine, datacentre: DataCentre) -> None:
    [spec] = _demo_specs(SOURCE)
    assert (spec.kind, spec.table) == ("sql", "asset_changes")

    datacentre.advance_to(START + timedelta(days=1))
    _poll(store, spec, datacentre)
    first = _centre_changes(datacentre)
    assert first and _stored_changes(store) == first

    datacentre.advance_to(START + timedelta(days=3))
    _poll(store, spec, datacentre)
    _poll(store, spec, datacentre)  # nothing new: rows at the watermark are upserted again
    every = _centre_changes(datacentre)
    assert len(every) > len(first)
    assert _stored_changes(store) == every
    assert _count(store) == len(every)

    # each change names an asset the asset sources store, and the newest is its status now
    for asset_spec in _demo_specs("assets-"):
        if asset_spec.kind == "sql":
            _poll(store, asset_spec, datacentre)
    a = schema.assets.c
    with store.connect() as connection:
        status = dict(connection.execute(select(a.source_key, a.status)).all())
    with datacentre.engine.connect() as connection:
        assert len(status) == connection.scalar(select(func.count()).select_from(geo_assets))
    newest: dict[str, tuple[datetime, str]] = {}
    for asset, _, after, _, at in every.values():
        if asset not in newest or at > newest[asset][0]:
            newest[asset] = (at, after)
    assert {asset: after for asset, (_, after) in newest.items()} == {
        asset: status[asset] for asset in newest
    }
