"""The watched folder adapter: every format, encodings, once-per-content, settling, moves."""

from __future__ import annotations

import csv
import json
import os
import shutil
import time
import tracemalloc
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import openpyxl
import pytest
from shapely.geometry import Point, Polygon

from data_adapters.contract import Batch, ConfigError, Rejected
from data_adapters.domain import InvalidRow, validate_row
from data_adapters.sources import files
from data_adapters.sources.files import (
    MAX_REMEMBERED,
    FilesAdapter,
    FilesOptions,
    _pruned,
    read_csv_rows,
    sniff_delimiter,
)

FIXTURES = Path(__file__).parent / "fixtures" / "files"
MAP = {"key": ["id"], "fields": {"name": "name", "district": "district"}}
ASSET_MAP = {
    "key": ["id"],
    "fields": {"name": "name", "district": "district", "lon": "lon", "lat": "lat"},
    "constants": {
        "kind": "streetlight",
        "status": "normal",
        "updated_at": "2026-01-01T08:00+08:00",
    },
}
# Lianyungang, Haizhou district, in lon/lat and in CGCS2000 / 3-degree Gauss-Kruger CM 120E.
LON, LAT = 119.2, 34.6
GK_CM120 = "EPSG:4549"
SHAPE_MAP = {**ASSET_MAP, "fields": {**ASSET_MAP["fields"], "geometry": "geometry"}}


def _adapter(folder: Path, **extra: Any) -> FilesAdapter:
    return FilesAdapter.from_options(
        {"folder": str(folder), "settle_seconds": 0, "map": MAP} | extra
    )


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _age(path: Path, seconds: float) -> None:
    """Set mtime `seconds` in the past, so files are taken oldest first in a known order."""
    moment = time.time() - seconds
    os.utime(path, (moment, moment))


def _fields(batch: Batch) -> dict[str, dict[str, Any]]:
    return {record.key: dict(record.fields) for record in batch.records}


def _reasons(batch: Batch) -> list[str]:
    return [rejected.reason for rejected in batch.rejected]


# -- CSV -----------------------------------------------------------------------------------------
def test_utf8_csv_keeps_ids_as_text_and_empty_values_as_none(tmp_path: Path) -> None:
    _write(tmp_path / "lamps.csv", "id,name,district\n007,海州区 路灯,320706\n008,,\n")
    batch = _adapter(tmp_path).poll(None)
    assert _fields(batch) == {
        "007": {"name": "海州区 路灯", "district": "320706"},
        "008": {"name": None, "district": None},
    }
    assert batch.rejected == [] and not batch.more


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    _write(tmp_path / "lamps.csv", "id,name,district\n0001,海州区 路灯,320706\n", encoding)
    batch = _adapter(tmp_path).poll(None)
    assert _fields(batch) == {"0001": {"name": "海州区 路灯", "district": "320706"}}


def test_explicit_encoding_is_used(tmp_path: Path) -> None:
    _write(tmp_path / "lamps.csv", "id,name\n1,连云港\n", "gbk")
    batch = _adapter(tmp_path, csv={"encoding": "gbk"}).poll(None)
    assert _fields(batch)["1"]["name"] == "连云港"


def test_text_in_no_known_encoding_is_one_rejected_file_and_the_poll_goes_on(
    tmp_path: Path,
) -> None:
    (tmp_path / "a_bad.csv").write_bytes(b"id,name\n1,\xff\xfe\xff\n")
    _age(tmp_path / "a_bad.csv", 60)
    _write(tmp_path / "b_good.csv", "id,name\n2,ok\n")
    batch = _adapter(tmp_path).poll(None)
    assert list(_fields(batch)) == ["2"]
    assert len(batch.rejected) == 1
    assert "a_bad.csv" in batch.rejected[0].reason
    assert "neither UTF-8 nor GB18030" in batch.rejected[0].reason
    entries = {e["name"]: e for e in batch.watermark["files"].values()}
    assert "GB18030" in entries["a_bad.csv"]["error"] and entries["b_good.csv"]["rows"] == 1


@pytest.mark.parametrize("delimiter", [";", "\t", "|", ","])
def test_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    lines = ["id,name,district", "0101,井盖 A,320706", '0102,"B, with a comma",320705']
    text = "\n".join(line.replace(",", delimiter, 2) for line in lines[:2])
    text += "\n" + delimiter.join(["0102", '"B, with a comma"', "320705"]) + "\n"
    _write(tmp_path / "covers.csv", text)
    batch = _adapter(tmp_path).poll(None)
    assert _fields(batch)["0102"] == {"name": "B, with a comma", "district": "320705"}


def test_semicolon_file_with_quoted_line_breaks(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "manholes_semicolon.csv", tmp_path)
    batch = _adapter(tmp_path, map={**MAP, "fields": {"note": "note"}}).poll(None)
    assert _fields(batch) == {
        "0101": {"note": "line one\nline two; with a semicolon"},
        "0102": {"note": "plain, with a comma"},
    }


def test_sniffer_falls_back_to_comma_for_one_column() -> None:
    assert sniff_delimiter("id\n1\n2\n") == ","
    assert sniff_delimiter("a;b\n1;2\n") == ";"


def test_a_row_of_another_width_is_rejected_and_the_file_goes_on(tmp_path: Path) -> None:
    _write(tmp_path / "lamps.csv", "id,name,district\n1,a,320706\n2,b\n3,c,320706\n")
    batch = _adapter(tmp_path).poll(None)
    assert list(_fields(batch)) == ["1", "3"]
    assert _reasons(batch) == ["lamps.csv row 2: 2 values, the header has 3 columns"]
    assert json.loads(batch.rejected[0].raw) == {
        "_file": "lamps.csv",
        "_row": 2,
        "values": ["2", "b"],
    }


def test_a_row_missing_its_key_is_rejected_with_the_raw_row(tmp_path: Path) -> None:
    _write(tmp_path / "lamps.csv", "id,name,district\n1,a,320706\n,no id,320706\n3,c,320706\n")
    batch = _adapter(tmp_path).poll(None)
    assert list(_fields(batch)) == ["1", "3"]
    assert _reasons(batch) == ["lamps.csv row 2: missing key field(s) id"]
    raw = json.loads(batch.rejected[0].raw)
    assert datetime.fromisoformat(raw.pop("_modified")).tzinfo is not None
    assert raw == {
        "id": None,
        "name": "no id",
        "district": "320706",
        "_file": "lamps.csv",
        "_row": 2,
    }


def test_file_and_row_make_a_key_when_the_source_has_none(tmp_path: Path) -> None:
    _write(tmp_path / "readings.csv", "value\n1.5\n\n2.5\n")
    batch = _adapter(tmp_path, map={"key": ["_file", "_row"], "fields": {"value": "value"}}).poll(
        None
    )
    assert _fields(batch) == {
        "readings.csv|1": {"value": "1.5"},
        "readings.csv|2": {"value": "2.5"},
    }


# -- XLSX ----------------------------------------------------------------------------------------
def _workbook(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    lamps = workbook.active
    lamps.title = "路灯"
    lamps.append(["id", "name", "district", "height", "updated"])
    lamps.append(["007", "海州区 路灯", "320706", 12.5, datetime(2026, 3, 1, 8, 0)])
    lamps.append([])
    lamps.append([1001, None, "320706", 9, datetime(2026, 3, 2, 8, 0)])
    covers = workbook.create_sheet("井盖")
    covers.append(["id", "name"])
    covers.append(["C-1", "井盖"])
    workbook.save(path)
    workbook.close()
    return path


XLSX_MAP = {
    "key": ["id"],
    "fields": {"name": "name", "height": "height", "updated_at": "updated"},
}


def test_xlsx_first_sheet_keeps_cell_types(tmp_path: Path) -> None:
    _workbook(tmp_path / "lamps.xlsx")
    batch = _adapter(tmp_path, map=XLSX_MAP).poll(None)
    assert _fields(batch) == {
        "007": {
            "name": "海州区 路灯",
            "height": 12.5,
            "updated_at": datetime(2026, 3, 1, tzinfo=UTC),
        },
        "1001": {"name": None, "height": 9, "updated_at": datetime(2026, 3, 2, tzinfo=UTC)},
    }


@pytest.mark.parametrize("sheet", ["井盖", 1])
def test_xlsx_sheet_by_name_or_number(tmp_path: Path, sheet: str | int) -> None:
    _workbook(tmp_path / "assets.xlsx")
    batch = _adapter(tmp_path, sheet=sheet).poll(None)
    assert _fields(batch) == {"C-1": {"name": "井盖"}}


def test_a_missing_sheet_is_a_rejected_file(tmp_path: Path) -> None:
    _workbook(tmp_path / "assets.xlsx")
    batch = _adapter(tmp_path, sheet="消防栓").poll(None)
    assert batch.records == []
    assert "no sheet '消防栓'" in _reasons(batch)[0]


def test_a_corrupt_workbook_is_rejected_and_the_next_file_is_still_read(tmp_path: Path) -> None:
    good = _workbook(tmp_path / "good.xlsx")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(good.read_bytes()[:700])  # a truncated zip
    (tmp_path / "words.xlsx").write_text("not a workbook at all")
    for age, path in ((90, bad), (60, tmp_path / "words.xlsx"), (30, good)):
        _age(path, age)
    batch = _adapter(tmp_path, map=XLSX_MAP).poll(None)
    assert sorted(_fields(batch)) == ["007", "1001"]
    assert [r.reason.split(":")[0] for r in batch.rejected] == ["bad.xlsx", "words.xlsx"]
    assert all("cannot be read as xlsx" in reason for reason in _reasons(batch))
    assert json.loads(batch.rejected[0].raw)["file"] == "bad.xlsx"


# -- geometry files ------------------------------------------------------------------------------
GEO_MAP = {
    **ASSET_MAP,
    "key": ["lamp_id"],
    "fields": {**ASSET_MAP["fields"], "geometry": "geometry"},
}


def test_geojson_points_and_polygons_in_lon_lat(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "lamps.geojson", tmp_path)
    batch = _adapter(tmp_path, map=GEO_MAP).poll(None)
    fields = _fields(batch)
    assert list(fields) == ["0001", "0002", "P-01", "BAD-1", "BAD-2"]
    lamp = fields["0001"]
    assert (lamp["lon"], lamp["lat"]) == (119.1788, 34.6017)
    assert lamp["geometry"] == {"type": "Point", "coordinates": [119.1788, 34.6017]}
    park = fields["P-01"]
    assert park["geometry"]["type"] == "Polygon"
    assert Polygon(park["geometry"]["coordinates"][0]).contains(Point(park["lon"], park["lat"]))
    validate_row("assets", fields["0001"])
    validate_row("assets", park)


def test_invalid_and_out_of_range_geometries_pass_through_to_validation(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "lamps.geojson", tmp_path)
    fields = _fields(_adapter(tmp_path, map=GEO_MAP).poll(None))
    with pytest.raises(InvalidRow, match="geometry is invalid: Self-intersection"):
        validate_row("assets", fields["BAD-1"])
    assert fields["BAD-2"]["lon"] == 219.2
    with pytest.raises(InvalidRow, match="lon"):
        validate_row("assets", fields["BAD-2"])


def _haizhou(crs: str = GK_CM120) -> gpd.GeoDataFrame:
    """Two street lights near (119.2, 34.6), in `crs`."""
    frame = gpd.GeoDataFrame(
        {"id": ["0001", "0002"], "name": ["海州区 路灯", "新浦 路灯"], "height": [12.5, 9.0]},
        geometry=[Point(LON, LAT), Point(LON + 0.01, LAT + 0.01)],
        crs="EPSG:4326",
    )
    return frame.to_crs(crs)


def _assert_near_haizhou(batch: Batch) -> None:
    fields = _fields(batch)
    assert list(fields) == ["0001", "0002"]
    first = fields["0001"]
    assert first["name"] == "海州区 路灯"
    assert first["lon"] == pytest.approx(LON, abs=1e-7)
    assert first["lat"] == pytest.approx(LAT, abs=1e-7)
    assert first["geometry"]["coordinates"] == pytest.approx([LON, LAT], abs=1e-7)
    validate_row("assets", first)


def test_shapefile_in_gauss_kruger_comes_back_in_lon_lat(tmp_path: Path) -> None:
    frame = _haizhou()
    assert frame.geometry.iloc[0].x == pytest.approx(426_615, abs=1)  # metres, not degrees
    frame.to_file(tmp_path / "lamps.shp", engine="pyogrio")
    batch = _adapter(tmp_path, map=SHAPE_MAP).poll(None)
    _assert_near_haizhou(batch)
    assert [e["name"] for e in batch.watermark["files"].values()] == ["lamps.shp"]


def test_geopackage_in_gauss_kruger_by_layer(tmp_path: Path) -> None:
    park = gpd.GeoDataFrame(
        {"id": ["P-01"], "name": ["苍梧绿园"]},
        geometry=[Polygon([(LON, LAT), (LON + 0.01, LAT), (LON + 0.01, LAT + 0.01)])],
        crs="EPSG:4326",
    ).to_crs(GK_CM120)
    _haizhou().to_file(tmp_path / "assets.gpkg", layer="lamps", engine="pyogrio")
    park.to_file(tmp_path / "assets.gpkg", layer="parks", engine="pyogrio")
    _assert_near_haizhou(_adapter(tmp_path, map=SHAPE_MAP).poll(None))
    parks = _fields(_adapter(tmp_path, map=SHAPE_MAP, layer="parks").poll(None))
    assert parks["P-01"]["geometry"]["type"] == "Polygon"
    assert parks["P-01"]["lon"] == pytest.approx(LON + 0.0067, abs=0.004)


@pytest.mark.parametrize("name", ["lamps.shp", "lamps.gpkg"])
def test_features_are_read_in_chunks_without_gaps_or_repeats(
    tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "GEO_CHUNK", 2)
    frame = gpd.GeoDataFrame(
        {"id": [f"{i:04d}" for i in range(7)]},
        geometry=[Point(LON + i / 1000, LAT) for i in range(7)],
        crs="EPSG:4326",
    ).to_crs(GK_CM120)
    frame.to_file(tmp_path / name, engine="pyogrio")
    batch = _adapter(tmp_path, map={"key": ["id"], "fields": {"lon": "lon", "row": "_row"}}).poll(
        None
    )
    fields = _fields(batch)
    assert list(fields) == [f"{i:04d}" for i in range(7)]
    assert [f["row"] for f in fields.values()] == list(range(1, 8))
    assert fields["0006"]["lon"] == pytest.approx(LON + 0.006, abs=1e-7)


def test_geojson_with_a_legacy_crs_member_is_reprojected(tmp_path: Path) -> None:
    _haizhou().to_file(tmp_path / "lamps.geojson", driver="GeoJSON", engine="pyogrio")
    assert "EPSG::4549" in (tmp_path / "lamps.geojson").read_text("utf-8")
    _assert_near_haizhou(_adapter(tmp_path, map=SHAPE_MAP).poll(None))


def test_zipped_shapefile(tmp_path: Path) -> None:
    build = tmp_path / "build"
    build.mkdir()
    _haizhou().to_file(build / "lamps.shp", engine="pyogrio")
    drop = tmp_path / "drop"
    drop.mkdir()
    with zipfile.ZipFile(drop / "lamps.zip", "w") as archive:
        for part in sorted(build.iterdir()):
            archive.write(part, f"export/{part.name}")
    _assert_near_haizhou(_adapter(drop, map=SHAPE_MAP).poll(None))


@pytest.mark.parametrize("missing", [".shx", ".dbf"])
def test_shapefile_missing_a_part_is_rejected(tmp_path: Path, missing: str) -> None:
    _haizhou().to_file(tmp_path / "lamps.shp", engine="pyogrio")
    (tmp_path / f"lamps{missing}").unlink()
    batch = _adapter(tmp_path, map=SHAPE_MAP).poll(None)
    assert batch.records == []
    assert _reasons(batch) == [
        f"lamps.shp: cannot be read as shapefile: the shapefile is missing its {missing}"
    ]


def test_truncated_zip_is_rejected(tmp_path: Path) -> None:
    build = tmp_path / "build"
    build.mkdir()
    _haizhou().to_file(build / "lamps.shp", engine="pyogrio")
    with zipfile.ZipFile(tmp_path / "whole.zip", "w") as archive:
        for part in build.iterdir():
            archive.write(part, part.name)
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "lamps.zip").write_bytes((tmp_path / "whole.zip").read_bytes()[:400])
    batch = _adapter(drop, map=SHAPE_MAP).poll(None)
    assert batch.records == []
    assert "corrupt or truncated" in _reasons(batch)[0]


def test_a_shapefile_without_prj_needs_assume_crs(tmp_path: Path) -> None:
    _haizhou().to_file(tmp_path / "lamps.shp", engine="pyogrio")
    (tmp_path / "lamps.prj").unlink()
    refused = _adapter(tmp_path, map=SHAPE_MAP).poll(None)
    assert "does not say its coordinate system" in _reasons(refused)[0]
    _assert_near_haizhou(_adapter(tmp_path, map=SHAPE_MAP, assume_crs=GK_CM120).poll(None))


# -- each content once ---------------------------------------------------------------------------
def test_same_content_under_a_new_name_is_not_read_again(tmp_path: Path) -> None:
    _write(tmp_path / "lamps.csv", "id,name\n1,a\n")
    adapter = _adapter(tmp_path)
    first = adapter.poll(None)
    assert list(_fields(first)) == ["1"]
    (tmp_path / "lamps.csv").rename(tmp_path / "lamps-renamed.csv")
    shutil.copy(tmp_path / "lamps-renamed.csv", tmp_path / "copy of lamps.csv")
    again = adapter.poll(first.watermark)
    assert again.records == [] and again.rejected == []
    assert again.watermark == first.watermark
    assert _adapter(tmp_path).poll(first.watermark).records == []  # a new adapter knows too


def test_changed_content_is_read_again_and_so_is_a_revert(tmp_path: Path) -> None:
    path = _write(tmp_path / "lamps.csv", "id,name\n1,a\n2,b\n")
    adapter = _adapter(tmp_path)
    first = adapter.poll(None)
    _write(path, "id,name\n1,a\n2,B (repaired)\n")
    second = adapter.poll(first.watermark)
    assert _fields(second) == {"1": {"name": "a"}, "2": {"name": "B (repaired)"}}
    assert adapter.poll(second.watermark).records == []
    _write(path, "id,name\n1,a\n2,b\n")  # back to the first version
    third = adapter.poll(second.watermark)
    assert _fields(third)["2"] == {"name": "b"}
    assert len(third.watermark["files"]) == 2


def test_watermark_entries_name_rows_and_time(tmp_path: Path) -> None:
    _write(tmp_path / "lamps.csv", "id,name\n1,a\n,b\n")
    batch = _adapter(tmp_path).poll(None)
    [(sha, entry)] = batch.watermark["files"].items()
    assert len(sha) == 64
    assert entry["name"] == "lamps.csv" and entry["rows"] == 2 and entry["rejected"] == 1
    assert datetime.fromisoformat(entry["at"]).tzinfo is not None
    json.dumps(batch.watermark)


def test_watermark_keeps_the_newest_entries_and_drops_departed_files_first() -> None:
    files = {
        f"{i:064x}": {"name": f"f{i}.csv", "rows": 1, "at": f"2026-01-01T00:00:{i % 60:02d}"}
        for i in range(MAX_REMEMBERED + 3)
    }
    files["0" * 63 + "1"]["at"] = "2025-01-01"  # the oldest, but its file is still there
    kept = _pruned(files, present={"f1.csv"})
    assert len(kept) == MAX_REMEMBERED
    assert "0" * 63 + "1" in kept
    assert "0" * 64 not in kept


# -- files being written, ignored names ----------------------------------------------------------
def test_a_file_being_written_is_left_until_it_settles(tmp_path: Path) -> None:
    offset = {"seconds": 0.0}
    options = FilesOptions.model_validate({"folder": tmp_path, "settle_seconds": 5, "map": MAP})
    adapter = FilesAdapter(
        options, clock=lambda: time.time() + offset["seconds"], sleep=lambda _: None
    )
    path = tmp_path / "lamps.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("id,name\n1,a\n2,")
        handle.flush()
        half = adapter.poll(None)
        assert half.records == [] and half.rejected == [] and half.watermark == {"files": {}}
        handle.write("b\n3,c\n")
    assert adapter.check().details["waiting"] == 1
    offset["seconds"] = 6  # the settle time has passed
    whole = adapter.poll(half.watermark)
    assert _fields(whole) == {"1": {"name": "a"}, "2": {"name": "b"}, "3": {"name": "c"}}


def test_a_file_growing_between_two_stats_is_left_for_the_next_poll(tmp_path: Path) -> None:
    path = _write(tmp_path / "lamps.csv", "id,name\n1,a\n")
    _age(path, 60)  # an old mtime, as a copy that keeps the original's
    writes: list[str] = ["2,b\n"]

    def sleep(_: float) -> None:  # the writer adds a row while the adapter waits
        if writes:
            with path.open("a", encoding="utf-8") as handle:
                handle.write(writes.pop())
            _age(path, 60)

    options = FilesOptions.model_validate({"folder": tmp_path, "settle_seconds": 5, "map": MAP})
    adapter = FilesAdapter(options, clock=lambda: time.time() + 10, sleep=sleep)
    assert adapter.poll(None).records == []
    assert list(_fields(adapter.poll(None))) == ["1", "2"]


def test_partial_and_lock_files_are_never_read(tmp_path: Path) -> None:
    for name in ("a.csv.part", "~$lamps.xlsx", ".hidden.csv", "b.tmp", "c.csv.crdownload"):
        _write(tmp_path / name, "id,name\n1,a\n")
    _write(tmp_path / "notes.docx", "not data")
    _write(tmp_path / "lamps.csv", "id,name\n2,b\n")
    adapter = _adapter(tmp_path)
    health = adapter.check()
    assert health.details["files"] == 1 and health.details["ignored"] == 1
    batch = adapter.poll(None)
    assert list(_fields(batch)) == ["2"] and batch.rejected == []


def test_pattern_and_explicit_format(tmp_path: Path) -> None:
    _write(tmp_path / "export.dat", "id|name\n1|a\n")
    _write(tmp_path / "lamps.csv", "id,name\n2,b\n")
    batch = _adapter(tmp_path, pattern="*.DAT", format="csv").poll(None)
    assert list(_fields(batch)) == ["1"]


# -- limits ----------------------------------------------------------------------------------------
def test_max_files_leaves_the_rest_for_more(tmp_path: Path) -> None:
    for i in range(3):
        _age(_write(tmp_path / f"f{i}.csv", f"id,name\n{i},x\n"), 30 - i)
    adapter = _adapter(tmp_path, max_files=2)
    first = adapter.poll(None)
    assert list(_fields(first)) == ["0", "1"] and first.more
    second = adapter.poll(first.watermark)
    assert list(_fields(second)) == ["2"] and not second.more


def test_max_rows_reads_so_many_and_says_so(tmp_path: Path) -> None:
    _write(tmp_path / "lamps.csv", "id\n" + "".join(f"{i}\n" for i in range(1, 11)))
    batch = _adapter(tmp_path, max_rows=4, map={"key": ["id"]}).poll(None)
    assert list(_fields(batch)) == ["1", "2", "3", "4"]
    assert "more than 4 rows (max_rows)" in _reasons(batch)[0]
    [entry] = batch.watermark["files"].values()
    assert entry["truncated"] is True and entry["rows"] == 4


def test_a_large_csv_streams_in_constant_memory(tmp_path: Path, capsys) -> None:
    rows = 200_000
    path = tmp_path / "readings.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "district", "observed", "value"])
        for i in range(rows):
            writer.writerow([f"{i:08d}", "320706", "2026-03-01T08:00:00", f"{i * 0.5:.1f}"])
    size = path.stat().st_size
    options = FilesOptions.model_validate(
        {"folder": tmp_path, "settle_seconds": 0, "map": {"key": ["id"]}}
    )

    tracemalloc.start()
    started = time.perf_counter()
    count = sum(1 for _ in read_csv_rows(path, options))
    traced_seconds = time.perf_counter() - started
    _, reader_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == rows
    assert reader_peak < size / 8, "the reader holds a few rows and blocks, never the file"

    obs_map = {
        "key": ["id"],
        "fields": {"district": "district", "observed_at": "observed", "value": "value"},
        "constants": {"indicator": "aqi"},
    }
    started = time.perf_counter()
    batch = _adapter(tmp_path, map=obs_map).poll(None)
    seconds = time.perf_counter() - started
    assert len(batch.records) == rows and batch.records[0].key == "00000000"
    assert batch.records[-1].fields["value"] == "99999.5"
    with capsys.disabled():
        print(
            f"\n[files] {rows:,}-row CSV ({size / 1e6:.1f} MB): poll (hash, detect, read, map) "
            f"{seconds:.2f} s, {rows / seconds:,.0f} rows/s; reader alone under tracemalloc "
            f"{traced_seconds:.2f} s, peak {reader_peak / 1e6:.2f} MB"
        )


# -- after reading: move ---------------------------------------------------------------------------
def test_move_sends_read_files_to_done_and_unreadable_ones_to_failed(tmp_path: Path) -> None:
    _write(tmp_path / "lamps.csv", "id,name\n1,a\n")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 truncated")
    _haizhou().to_file(tmp_path / "poles.shp", engine="pyogrio")
    adapter = _adapter(tmp_path, after="move", map={"key": ["id"]})
    first = adapter.poll(None)
    assert sorted(_fields(first)) == ["0001", "0002", "1"] and len(first.rejected) == 1
    assert (tmp_path / "lamps.csv").exists(), "nothing moves before the rows are committed"

    adapter.poll(first.watermark)  # the watermark saved with the rows: now they move
    done = sorted(p.name for p in (tmp_path / "done").iterdir())
    assert done == sorted(
        ["lamps.csv", "poles.shp", "poles.shx", "poles.dbf", "poles.prj", "poles.cpg"]
    )
    failed = tmp_path / "failed"
    assert sorted(p.name for p in failed.iterdir()) == ["broken.xlsx", "broken.xlsx.reason.txt"]
    assert "cannot be read as xlsx" in (failed / "broken.xlsx.reason.txt").read_text("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["done", "failed"]

    _write(tmp_path / "lamps.csv", "id,name\n1,a2\n")  # a new version under the same name
    second = adapter.poll(first.watermark)
    assert _fields(second) == {"1": {}}
    adapter.poll(second.watermark)
    assert len([p for p in (tmp_path / "done").iterdir() if p.name.startswith("lamps")]) == 2


# -- check and options ---------------------------------------------------------------------------
def test_check_counts_waiting_files(tmp_path: Path) -> None:
    _write(tmp_path / "a.csv", "id,name\n1,a\n")
    _write(tmp_path / "b.csv", "id,name\n2,b\n")
    adapter = _adapter(tmp_path)
    health = adapter.check()
    assert health.ok and health.details["waiting"] == 2
    assert "2 file(s) waiting" in health.message
    adapter.poll(None)
    assert adapter.check().details["waiting"] == 0


def test_a_missing_folder_fails_check_and_poll(tmp_path: Path) -> None:
    adapter = _adapter(tmp_path / "nowhere")
    health = adapter.check()
    assert not health.ok and "does not exist" in health.message
    with pytest.raises(ConfigError, match="does not exist"):
        adapter.poll(None)
    _write(tmp_path / "file.csv", "id\n1\n")
    assert not _adapter(tmp_path / "file.csv").check().ok


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"recursive": True}, "recursive"),
        ({"format": "xls"}, "format"),
        ({"csv": {"delimiter": ";;"}}, "one character"),
        ({"csv": {"encoding": "klingon"}}, "unknown encoding"),
        ({"assume_crs": "EPSG:999999"}, "unknown coordinate system"),
        ({"pattern": "sub/*.csv"}, "not paths"),
        ({"after": "delete"}, "after"),
        ({"max_files": 0}, "max_files"),
    ],
)
def test_bad_options_are_config_errors(tmp_path: Path, extra: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _adapter(tmp_path, **extra)


def test_rejected_entries_are_plain_values(tmp_path: Path) -> None:
    _write(tmp_path / "lamps.csv", "id,name\n,a\n")
    [rejected] = _adapter(tmp_path).poll(None).rejected
    assert isinstance(rejected, Rejected) and isinstance(rejected.raw, str)
