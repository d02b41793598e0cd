"""Districts for rows ingested with a position and no district (assets, posts, resources), on
SQLite and PostgreSQL: the district holding the point, the lowest adcode on a shared border,
none outside the city; an explicit district and rows without a position are left alone; and
the demo's shelters file, read as if it named no district, ends up with its districts."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import Point
from sqlalchemy import Engine, func, select

from data_adapters.clock.polling import poll_source
from data_adapters.clock.service import Clock
from data_adapters.contract import Batch, ConfigError, Record
from data_adapters.ingest import ingest
from data_adapters.places import district_index
from data_adapters.settings import shipped_districts_file
from data_adapters.sources import REGISTRY, build_adapter
from data_adapters.sources.config import SourceSpec, load_sources
from data_adapters.store import schema
from simulator import DataCentre, SimulatorConfig

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data_adapters" / "demo_sources.toml"
NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)

HAIZHOU = "320706"
INSIDE_HAIZHOU = (119.2, 34.6)
# A vertex of the border Lianyungang's Lianyun (320703) and Haizhou (320706) districts share.
ON_THE_BORDER = (119.16724, 34.65319)
BEIJING = (116.39, 39.91)  # outside every district of the city

ROW_FIELDS: dict[str, dict[str, Any]] = {
    "assets": {"kind": "shelter", "status": "normal", "updated_at": NOW},
    "posts": {"channel": "12345", "text": "路灯不亮", "posted_at": NOW},
    "resources": {
        "kind": "rescue_team",
        "name": "救援一队",
        "status": "available",
        "updated_at": NOW,
    },
}


def _record(table: str, key: str, at: tuple[float, float] | None, **fields: Any) -> Record:
    position = {} if at is None else {"lon": at[0], "lat": at[1]}
    return Record(key=key, fields=ROW_FIELDS[table] | position | fields)


def _ingest(store: Engine, table: str, records: list[Record], **options: Any):
    batch = Batch(records=records, watermark={"cursor": "t1"})
    return ingest(store, source_id="s", kind="files", table=table, batch=batch, now=NOW, **options)


def _districts(store: Engine, table: str) -> dict[str, str | None]:
    columns = schema.metadata.tables[table].c
    with store.connect() as connection:
        return dict(connection.execute(select(columns.source_key, columns.district)).all())


@pytest.mark.parametrize("table", sorted(ROW_FIELDS))
def test_rows_with_a_position_and_no_district_get_the_one_holding_them(
    store: Engine, table: str
) -> None:
    records = [
        _record(table, "inside", INSIDE_HAIZHOU),
        _record(table, "border", ON_THE_BORDER),
        _record(table, "outside", BEIJING),
        _record(table, "named", INSIDE_HAIZHOU, district="320722"),
        _record(table, "nowhere", None),
        _record(table, "named-nowhere", None, district="320724"),
    ]
    report = _ingest(store, table, records)
    assert (report.stored, report.quarantined) == (6, 0)
    assert _districts(store, table) == {
        "inside": HAIZHOU,
        "border": "320703",
        "outside": None,
        "named": "320722",
        "nowhere": None,
        "named-nowhere": "320724",
    }


def test_the_border_point_is_on_both_districts_and_gets_the_lower_adcode() -> None:
    index = district_index(shipped_districts_file())
    for adcode in ("320703", HAIZHOU):
        assert index.outline(adcode).covers(Point(*ON_THE_BORDER))
    assert index.district_of(*ON_THE_BORDER) == "320703"


def test_tables_without_positions_are_not_placed(store: Engine) -> None:
    record = Record(key="aqi-1", fields={"indicator": "aqi", "observed_at": NOW, "value": 42.0})
    _ingest(store, "observations", [record], districts_file=Path("no-such-file.geojson"))
    assert _districts(store, "observations") == {"aqi-1": None}


# --- the outlines file ---------------------------------------------------------------------

# Two unit squares sharing the edge lon = 1; the east one has the lower adcode.
WEST, EAST = "320799", "320701"


def _square(adcode: str, x0: float) -> dict[str, Any]:
    ring = [[x0, 0], [x0 + 1, 0], [x0 + 1, 1], [x0, 1], [x0, 0]]
    return {
        "type": "Feature",
        "properties": {"adcode": adcode},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def _write_outlines(path: Path, *features: dict[str, Any]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}))
    return path


@pytest.fixture
def squares(tmp_path: Path) -> Path:
    return _write_outlines(tmp_path / "squares.geojson", _square(WEST, 0), _square(EAST, 1))


def test_a_districts_file_of_ones_own_is_used(store: Engine, squares: Path) -> None:
    records = [
        _record("assets", "west", (0.5, 0.5)),
        _record("assets", "border", (1.0, 0.5)),
        _record("assets", "lianyungang", INSIDE_HAIZHOU),
    ]
    _ingest(store, "assets", records, districts_file=squares)
    assert _districts(store, "assets") == {"west": WEST, "border": EAST, "lianyungang": None}


def test_the_index_is_built_once_per_file_and_again_when_it_changes(squares: Path) -> None:
    first = district_index(squares)
    assert district_index(squares) is first
    _write_outlines(squares, _square("320702", 0))
    stat = squares.stat()
    os.utime(squares, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    again = district_index(squares)
    assert again is not first and again.adcodes == ("320702",)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "No such file"),
        ("{not json", "Expecting property name"),
        ('{"type": "FeatureCollection", "features": []}', "holds no district"),
        (json.dumps({"type": "FeatureCollection", "features": [_square("A1", 0)]}), "six digits"),
    ],
)
def test_unusable_outlines_write_nothing_and_say_why(
    store: Engine, tmp_path: Path, content: str | None, reason: str
) -> None:
    path = tmp_path / "districts.geojson"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError, match=reason):
        _ingest(store, "assets", [_record("assets", "a", INSIDE_HAIZHOU)], districts_file=path)
    with store.connect() as connection:
        for table in (schema.assets, schema.source_status):
            assert connection.scalar(select(func.count()).select_from(table)) == 0


def test_an_unusable_file_is_not_read_when_no_row_needs_a_district(store: Engine) -> None:
    records = [_record("assets", "named", INSIDE_HAIZHOU, district=HAIZHOU)]
    _ingest(store, "assets", records, districts_file=Path("no-such-file.geojson"))
    assert _districts(store, "assets") == {"named": HAIZHOU}


# --- the demo's shelters file ----------------------------------------------------------------


@pytest.fixture
def shelters_file(tmp_path: Path) -> Iterator[Path]:
    """A simulated data centre's drop folder holding its `shelters.geojson`."""
    config = SimulatorConfig(
        database_url=f"sqlite:///{tmp_path / 'datacentre.db'}",
        drop_dir=tmp_path / "var" / "datacentre",
        districts_geojson=shipped_districts_file(),
        start=NOW - timedelta(days=1),
        history_days=1,
        assets=300,
        enterprises=10,
    )
    centre = DataCentre(config)
    centre.build()
    yield config.drop_dir / "files" / "shelters.geojson"
    centre.close()


def _without_districts(spec: SourceSpec) -> SourceSpec:
    """The source as if its file named no district (and read at once, without settling)."""
    mapping = spec.options["map"]
    fields = {name: path for name, path in mapping["fields"].items() if name != "district"}
    options = spec.options | {"settle_seconds": 0, "map": mapping | {"fields": fields}}
    return spec.model_copy(update={"options": options})


def test_the_shelters_file_without_districts_gets_the_simulators_districts(
    store: Engine, shelters_file: Path
) -> None:
    [spec] = [s for s in load_sources(DEMO, REGISTRY) if s.id == "shelters-file"]
    environ = {"CITYOPS_VAR_DIR": str(shelters_file.parents[2])}
    adapter = build_adapter(_without_districts(spec), environ)
    try:
        report = poll_source(store, spec, adapter)
    finally:
        adapter.close()
    assert report.ok and report.quarantined == 0, report.error
    features = json.loads(shelters_file.read_text(encoding="utf-8"))["features"]
    expected = {f["properties"]["id"]: f["properties"]["district_code"] for f in features}
    assert expected and _districts(store, "assets") == expected


def test_the_clock_places_rows_in_its_districts_file(
    store: Engine, shelters_file: Path, squares: Path
) -> None:
    """`cityops clock` passes `CITYOPS_DISTRICTS_FILE` on: with outlines far from the city,
    no shelter is placed."""
    [spec] = [s for s in load_sources(DEMO, REGISTRY) if s.id == "shelters-file"]
    spec = _without_districts(spec)
    environ = {"CITYOPS_VAR_DIR": str(shelters_file.parents[2])}
    adapter = build_adapter(spec, environ)
    clock = Clock(store, [spec], {spec.id: adapter}, districts_file=squares)
    clock.renew_lease()  # takes the free lease, as the running clock does first
    try:
        report = clock.run_poll(spec.id)
    finally:
        adapter.close()
    assert report is not None and report.ok, report
    placed = _districts(store, "assets")
    assert len(placed) == 40 and set(placed.values()) == {None}
