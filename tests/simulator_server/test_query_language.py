"""The feed server's small OData `$filter` grammar and its lenient time parameters."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import column, select
from sqlalchemy.dialects import sqlite

from simulator.schema import sensor_observations
from simulator.server.odata import Compare, Logical, Not, matches, parse_filter, to_sql
from simulator.server.params import ParameterError
from simulator.server.timefmt import iso, parse_time
from tests.simulator_server.support import Site

STREAM = {
    "@iot.id": 7,
    "name": "墟沟空气质量监测站 PM2.5",
    "properties": {"kind": "air_quality", "district": "320703", "interval_seconds": 600},
    "Thing": {"@iot.id": 6, "properties": {"kind": "air_quality", "station_type": "省控"}},
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id eq 7", True),
        ("@iot.id ne 7", False),
        ("7 eq id", True),
        ("properties/kind eq 'air_quality'", True),
        ("Thing/properties/kind eq 'water_level'", False),
        ("properties/district eq 320703", True),  # a code compared as a number
        ("properties/interval_seconds ge 600 and id lt 10", True),
        ("id eq 1 or id eq 2 or properties/kind eq 'air_quality'", True),
        ("not (id eq 7)", False),
        ("id eq 7 and (id eq 1 or id eq 2)", False),
        ("properties/missing eq null", True),
        ("properties/missing gt 3", False),
        ("Thing/properties/station_type eq '省控'", True),
        ("name eq 'it''s'", False),
    ],
)
def test_filters_on_json_entities(text: str, expected: bool) -> None:
    assert matches(parse_filter(text), STREAM) is expected


def test_the_tree_of_a_filter() -> None:
    tree = parse_filter("not id eq 1 or name eq 'a''b' and phenomenonTime ge 2026-11-01T08:00Z")
    assert isinstance(tree, Logical) and tree.op == "or"
    assert isinstance(tree.terms[0], Not)
    conjunction = tree.terms[1]
    assert isinstance(conjunction, Logical) and conjunction.op == "and"
    assert conjunction.terms[0] == Compare(conjunction.terms[0].path, "eq", "a'b")
    assert conjunction.terms[1].value == datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("id eq", "ends too early"),
        ("id equals 7", "expected one of"),
        ("id eq 7 7", "unexpected"),
        ("(id eq 7", "ends too early"),
        ("id eq 7)", "unexpected"),
        ("id eq 2026-13-01T00:00:00Z", "not an ISO 8601"),
        ('id eq "7"', "cannot read"),
        ("'a' eq 'b'", "compare a property with a value"),
    ],
)
def test_bad_filters_say_why(text: str, words: str) -> None:
    with pytest.raises(ParameterError, match=words):
        parse_filter(text)


def test_filters_compile_to_sql_on_known_columns_only() -> None:
    columns = {
        "phenomenonTime": sensor_observations.c.phenomenon_time,
        "result": sensor_observations.c.result,
    }
    condition = to_sql(
        parse_filter("phenomenonTime gt '2026-11-01T00:00:00+08:00' and result ne null"), columns
    )
    sql = str(select(column("x")).where(condition).compile(dialect=sqlite.dialect()))
    assert "phenomenon_time >" in sql and "result IS NOT NULL" in sql
    with pytest.raises(ParameterError, match="cannot use 'name'"):
        to_sql(parse_filter("name eq 'x'"), columns)
    with pytest.raises(ParameterError, match="is a time"):
        to_sql(parse_filter("phenomenonTime gt 5"), columns)
    with pytest.raises(ParameterError, match="is a number"):
        to_sql(parse_filter("result gt 'high'"), columns)


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-28T08:00:00+08:00",
        "2026-11-28T08:00:00 08:00",  # a "+" that was not URL-encoded arrives as a space
        "2026-11-28T00:00:00Z",
        "2026-11-28 00:00:00.000000+00:00",
        "2026-11-28T08:00:00",  # no offset: Beijing time
    ],
)
def test_time_parameters_are_read_leniently(text: str) -> None:
    assert parse_time(text) == datetime(2026, 11, 28, 0, 0, tzinfo=UTC)


def test_times_are_written_with_offsets() -> None:
    moment = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
    assert iso(moment) == "2026-11-28T08:00:00+08:00"
    assert iso(moment, utc=True) == "2026-11-28T00:00:00Z"
    assert iso(moment.replace(microsecond=5000)) == "2026-11-28T08:00:00.005000+08:00"
    assert iso(None) is None
    with pytest.raises(ValueError, match="naive"):
        iso(datetime(2026, 11, 28))


def test_an_unencoded_plus_reaches_the_server_as_a_space(site: Site) -> None:
    with httpx.Client(base_url=site.url) as http:
        answer = http.get("/open311/v2/requests.json?updated_after=2026-11-28T11:00:00+08:00")
    assert answer.status_code == 200
    assert all(r["updated_datetime"] >= "2026-11-28T11:00:00+08:00" for r in answer.json())


def test_select_and_orderby_on_metadata(site: Site) -> None:
    with httpx.Client(base_url=site.url) as http:
        things = http.get(
            "/sta/v1.1/Things", params={"$select": "id,name", "$orderby": "name desc", "$top": 5}
        ).json()["value"]
        properties = http.get("/sta/v1.1/ObservedProperties").json()["value"]
    assert all(set(t) == {"@iot.id", "name"} for t in things)
    assert [t["name"] for t in things] == sorted((t["name"] for t in things), reverse=True)
    assert {p["@iot.id"] for p in properties} >= {"aqi", "pm25", "water_level", "bus_on_time"}
