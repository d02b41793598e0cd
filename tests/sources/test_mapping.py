"""Field mapping from source rows to domain records: paths, keys, times, JSON, CRS, values."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from data_adapters.contract import Rejected
from data_adapters.sources.mapping import FieldMap, MappingError, parse_time


def test_dotted_paths_and_constants() -> None:
    mapping = FieldMap(
        key=["properties.id"],
        fields={"name": "properties.name", "lon": "geometry.coordinates.0"},
        constants={"kind": "school"},
    )
    record = mapping.record(
        {
            "properties": {"id": 7, "name": "海州实验小学"},
            "geometry": {"coordinates": [119.17, 34.58]},
        }
    )
    assert record.key == "7"
    assert record.fields == {"kind": "school", "name": "海州实验小学", "lon": 119.17}


def test_missing_key_is_rejected_with_the_raw_row() -> None:
    result = FieldMap(key=["id"]).apply({"name": "x"})
    assert isinstance(result, Rejected) and "missing key" in result.reason and '"x"' in result.raw


@pytest.mark.parametrize(
    ("value", "zone", "expected"),
    [
        ("2026-11-28T09:30:00+08:00", "UTC", datetime(2026, 11, 28, 1, 30, tzinfo=UTC)),
        ("2026-11-28 09:30:00", "Asia/Shanghai", datetime(2026, 11, 28, 1, 30, tzinfo=UTC)),
        ("2026-11-28T01:30:00Z", "Asia/Shanghai", datetime(2026, 11, 28, 1, 30, tzinfo=UTC)),
        (date(2026, 11, 28), "Asia/Shanghai", datetime(2026, 11, 27, 16, 0, tzinfo=UTC)),
        (1_764_293_400, "UTC", datetime(2025, 11, 28, 1, 30, tzinfo=UTC)),
    ],
)
def test_times(value, zone, expected) -> None:
    assert parse_time(value, zone) == expected


def test_bad_time_and_bad_json_are_mapping_errors() -> None:
    with pytest.raises(MappingError, match="not an ISO 8601 time"):
        FieldMap(key=["id"], fields={"observed_at": "t"}).record({"id": 1, "t": "yesterday"})
    with pytest.raises(MappingError, match="not valid JSON"):
        FieldMap(key=["id"], fields={"attributes": "a"}, json_fields=["attributes"]).record(
            {"id": 1, "a": "{broken"}
        )


def test_gcj02_coordinates_are_converted_to_wgs84() -> None:
    mapping = FieldMap(key=["id"], fields={"lon": "x", "lat": "y"}, crs="gcj02")
    record = mapping.record({"id": 1, "x": 119.2253, "y": 34.5967})
    assert record.fields["lon"] == pytest.approx(119.2201, abs=0.001)
    assert record.fields["lat"] == pytest.approx(34.5978, abs=0.001)


def test_values_are_replaced() -> None:
    mapping = FieldMap(
        key=["id"],
        fields={"district": "code", "status": "state"},
        replace={"district": {"320700": ""}, "status": {"正常": "normal"}},
    )
    city = mapping.record({"id": 1, "code": "320700", "state": "正常"})
    assert city.fields == {"district": None, "status": "normal"}
    other = mapping.record({"id": 2, "code": "320706", "state": "fault"})
    assert other.fields == {"district": "320706", "status": "fault"}
