"""`cityops inspect`: every shared CAP and Open311 sample comes through the real adapter code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.cli import main
from tests.support.samples import SAMPLES

FIXTURES = Path(__file__).resolve().parent / "parsers" / "fixtures"
ALERT_FIELDS = {
    "identifier",
    "sender",
    "sent",
    "status",
    "msg_type",
    "references",
    "language",
    "languages",
    "event",
    "severity",
    "urgency",
    "certainty",
    "headline",
    "areas",
}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "service_code",
    "service_name",
    "description",
    "requested_datetime",
    "lon",
    "lat",
    "address",
}


def _run(capsys, *argv: str) -> tuple[int, list[dict], str]:
    code = main(["inspect", *argv])
    captured = capsys.readouterr()
    return code, [json.loads(line) for line in captured.out.splitlines()], captured.err


def _samples(kind: str) -> list[Path]:
    found = sorted((SAMPLES / kind).glob("*"))
    assert found, f"no shared samples under {SAMPLES / kind}"
    return found


@pytest.mark.parametrize("path", _samples("cap"), ids=lambda p: p.name)
def test_every_cap_sample(path: Path, capsys) -> None:
    code, records, err = _run(capsys, "--kind", "cap", str(path))
    assert code == 0 and err == ""
    [alert] = records
    assert set(alert) >= ALERT_FIELDS
    assert alert["sent"].endswith("Z")
    for area in alert["areas"]:
        assert set(area) >= {"desc", "geometry", "geocodes"}
        if area["geometry"] and area["geometry"]["type"] == "Polygon":
            lon, lat = area["geometry"]["coordinates"][0][0]
            assert -180 <= lon <= 180 and -90 <= lat <= 90


def test_cap_sample_details(capsys) -> None:
    _code, [update], _ = _run(
        capsys, "--kind", "cap", str(SAMPLES / "cap" / "oasiscap_v1dot2_appendix_adot3.xml")
    )
    assert update["msg_type"] == "Update"
    assert update["references"][0]["identifier"] == "TRI13970876.1"
    _code, [amber], _ = _run(
        capsys, "--kind", "cap", str(SAMPLES / "cap" / "oasiscap_v1dot2_appendix_adot4.xml")
    )
    assert amber["languages"] == ["en-US", "es-US"] and amber["language"] == "en-US"


def test_open311_requests_sample(capsys) -> None:
    path = SAMPLES / "open311" / "open311status_bloomington_requests.json"
    code, records, _ = _run(capsys, "--kind", "open311", str(path))
    assert code == 0 and len(records) == 21
    assert all(set(r) >= REQUEST_FIELDS for r in records)
    assert {r["status"] for r in records} <= {"open", "closed"}
    assert all(r["requested_datetime"].endswith("Z") for r in records)
    assert all((r["lon"] is None) == (r["lat"] is None) for r in records)
    assert not any(r["lon"] == 0 for r in records)


def test_rejected_rows_go_to_stderr_with_reasons(capsys) -> None:
    code, records, err = _run(
        capsys, "--kind", "open311", str(FIXTURES / "open311" / "duplicates.json")
    )
    assert code == 0 and records
    assert all("reason" in json.loads(line) for line in err.splitlines())


def test_unreadable_file_is_one_line_and_nonzero(capsys) -> None:
    code, records, err = _run(capsys, "--kind", "cap", str(FIXTURES / "cap" / "truncated.xml"))
    assert code == 1 and records == []
    assert len(err.strip().splitlines()) == 1 and "not well-formed" in err


def test_missing_file(capsys, tmp_path: Path) -> None:
    assert main(["inspect", "--kind", "cap", str(tmp_path / "none.xml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_csv_in_gbk_with_a_bad_row(tmp_path: Path, capsys) -> None:
    path = tmp_path / "lamps.csv"
    path.write_bytes("id,district,name\nSL1,320706,朝阳东路路灯\nSL2,320703\n".encode("gbk"))
    code, records, err = _run(capsys, "--kind", "csv", str(path))
    assert code == 0 and records == [{"id": "SL1", "district": "320706", "name": "朝阳东路路灯"}]
    assert "row 2" in json.loads(err.splitlines()[0])["reason"]


def test_geojson_rows_carry_lon_lat(tmp_path: Path, capsys) -> None:
    path = tmp_path / "shelters.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"id": "SH1", "name": "避难场所"},
                        "geometry": {"type": "Point", "coordinates": [119.2, 34.6]},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    code, [row], _ = _run(capsys, "--kind", "geojson", str(path))
    assert code == 0 and (row["lon"], row["lat"]) == (119.2, 34.6) and row["name"] == "避难场所"


def test_sensorthings_observations(tmp_path: Path, capsys) -> None:
    path = tmp_path / "obs.json"
    path.write_text(
        json.dumps(
            {
                "value": [
                    {"@iot.id": 1, "phenomenonTime": "2026-11-28T08:00:00+08:00", "result": 42},
                    {"@iot.id": 2, "phenomenonTime": "2026-11-28T09:00:00+08:00", "result": "n/a"},
                ]
            }
        ),
        encoding="utf-8",
    )
    code, [row], err = _run(capsys, "--kind", "sensorthings", str(path))
    assert code == 0 and row == {
        "id": 1,
        "phenomenon_time": "2026-11-28T00:00:00+00:00",
        "result": 42.0,
    }
    assert "not a number" in err


def test_a_file_of_the_wrong_kind_is_unreadable(capsys) -> None:
    code, _, err = _run(capsys, "--kind", "geojson", str(FIXTURES / "cap" / "truncated.xml"))
    assert code == 1 and len(err.strip().splitlines()) == 1
