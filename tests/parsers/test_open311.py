"""Tests for data_adapters.parsers.open311: GeoReport v2 services and requests, JSON and XML.

The real Bloomington samples are read in place from /work/shared/samples/open311/; the other
fixtures (tests/parsers/fixtures/open311/, see its README) are written after real feeds.
"""

from __future__ import annotations

import codecs
import json
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from data_adapters.contract import ConfigError, Rejected, SourceError
from data_adapters.parsers.open311 import (
    DEFAULT_MAX_TEXT,
    TRUNCATION_MARK,
    Service,
    ServiceRequest,
    detect_format,
    parse_requests,
    parse_services,
)
from tests.support.samples import sample_bytes

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "open311"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def sample(name: str) -> bytes:
    return sample_bytes(f"open311/{name}")


def by_id(requests: list[ServiceRequest]) -> dict[str, ServiceRequest]:
    return {r.service_request_id: r for r in requests}


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def request_row(**fields: object) -> dict[str, object]:
    row: dict[str, object] = {
        "service_request_id": "1",
        "status": "open",
        "requested_datetime": "2024-05-20T08:30:00+08:00",
    }
    row.update(fields)
    return row


def parse_rows(*rows: object, **kwargs: object) -> tuple[list[ServiceRequest], list[Rejected]]:
    return parse_requests(json.dumps(list(rows)).encode(), **kwargs)  # type: ignore[arg-type]


def parse_one(**fields: object) -> ServiceRequest:
    requests, rejected = parse_rows(request_row(**fields))
    assert rejected == []
    return requests[0]


def as_xml(rows: list[dict[str, object]], root: str = "service_requests") -> bytes:
    """The XML form of JSON-like rows; None becomes an empty element."""
    item = "request" if root != "services" else "service"
    body = "".join(
        f"<{item}>"
        + "".join(f"<{k}>{'' if v is None else escape(str(v))}</{k}>" for k, v in row.items())
        + f"</{item}>"
        for row in rows
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><{root}>{body}</{root}>'.encode()


# --- the real Bloomington samples ------------------------------------------------------------


def test_bloomington_requests_are_all_read() -> None:
    requests, rejected = parse_requests(sample("open311status_bloomington_requests.json"))
    assert rejected == []
    assert len(requests) == 21
    assert [r.status for r in requests].count("closed") == 3
    assert sum(r.lat is not None for r in requests) == 13  # 6 are 0/0, 2 are null


def test_bloomington_request_values() -> None:
    requests = by_id(parse_requests(sample("open311status_bloomington_requests.json"))[0])
    graffiti = requests["4fbd3beeb1fe2c9f5c000001"]
    assert graffiti.status == "open"
    assert graffiti.service_name == "Graffiti"
    assert graffiti.service_code == "4e090d24992b941e78000027"
    assert graffiti.agency_responsible == "Police Department"
    assert graffiti.requested_datetime == utc(2012, 5, 23, 19, 35, 8)  # 15:35:08-04:00
    assert graffiti.updated_datetime == utc(2012, 5, 23, 19, 35, 10)
    assert (graffiti.lon, graffiti.lat) == (-86.485448337464, 39.146551871103)
    assert graffiti.address == "2303-2559 S Olcott Blvd"
    assert graffiti.media_url is None  # "" in the file
    assert graffiti.extra == {}

    yard = requests["4fbd14bbb1fe2c5214000000"]
    assert (yard.status, yard.zipcode, yard.description) == ("closed", "47401", None)

    app = requests["4fbd12bcb1fe2c1c7d000001"]
    assert app.media_url == (
        "https://bloomington.in.gov/crm/media/2012/05/23/4fbd12bcb1fe2c1c7d000001/media.jpg"
    )
    assert app.address is None


def test_bloomington_zero_and_null_locations_are_no_location_without_warnings() -> None:
    requests = by_id(parse_requests(sample("open311status_bloomington_requests.json"))[0])
    weeds = requests["4fbd2b76b1fe2c195f000000"]  # "lat": 0, "long": 0, "zipcode": ""
    assert (weeds.lon, weeds.lat, weeds.zipcode) == (None, None, None)
    assert "warnings" not in weeds.extra
    traffic = requests["4fbd40b2b1fe2c4b02000001"]  # "lat": null, "long": null
    assert (traffic.lon, traffic.lat) == (None, None)


def test_bloomington_crlf_becomes_lf() -> None:
    requests = by_id(parse_requests(sample("open311status_bloomington_requests.json"))[0])
    description = requests["4fbd40b2b1fe2c4b02000001"].description
    assert description is not None
    assert "\r" not in description
    assert description.endswith("in a large pickup.\n\nThanks.")


def test_bloomington_record_is_the_inspect_line() -> None:
    requests = by_id(parse_requests(sample("open311status_bloomington_requests.json"))[0])
    record = requests["4fbd3beeb1fe2c9f5c000001"].to_record()
    assert record == {
        "service_request_id": "4fbd3beeb1fe2c9f5c000001",
        "status": "open",
        "status_notes": None,
        "service_code": "4e090d24992b941e78000027",
        "service_name": "Graffiti",
        "description": "Graffiti on mailboxes",
        "agency_responsible": "Police Department",
        "requested_datetime": "2012-05-23T19:35:08Z",
        "updated_datetime": "2012-05-23T19:35:10Z",
        "expected_datetime": None,
        "address": "2303-2559 S Olcott Blvd",
        "zipcode": None,
        "lon": -86.485448337464,
        "lat": 39.146551871103,
        "media_url": None,
    }
    for request in requests.values():
        json.dumps(request.to_record(), ensure_ascii=False, allow_nan=False)


def test_bloomington_services() -> None:
    services, rejected = parse_services(sample("open311status_bloomington_services.json"))
    assert rejected == []
    assert len(services) == 46
    assert services[0] == Service(
        service_code="4e09c863992b94b915000000",
        service_name="City Performance",
        description=(
            "Report issues or concerns about the City of Bloomington's performance in serving"
            " the public."
        ),
        metadata=False,
        type="realtime",
        keywords=[],
        group="Most Popular",
    )
    graffiti = next(s for s in services if s.service_name == "Graffiti")
    assert (graffiti.service_code, graffiti.metadata) == ("4e090d24992b941e78000027", True)
    assert services[-1].group == "Miscellaneous"


# --- format detection and encodings ------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"[]", "json"),
        (b'{"service_requests": []}', "json"),
        (b"\xef\xbb\xbf \r\n\t[{}]", "json"),
        (codecs.BOM_UTF16_LE + "[]".encode("utf-16-le"), "json"),
        ("  []".encode("utf-16-be"), "json"),
        (b"<?xml version='1.0'?><services/>", "xml"),
        (b"\n\n   <service_requests/>", "xml"),
        (b"\xef\xbb\xbf<services/>", "xml"),
        ("<services/>".encode("utf-16"), "xml"),
    ],
)
def test_detect_format_by_content(data: bytes, expected: str) -> None:
    assert detect_format(data) == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "is empty"), (b"  \n ", "is empty"), (b"Service Unavailable", "neither JSON nor XML")],
)
def test_detect_format_refuses_other_content(data: bytes, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        detect_format(data)


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_json_in_unicode_encodings(codec: str) -> None:
    text = json.dumps([request_row(description="海州区 路灯")], ensure_ascii=False)
    requests, _ = parse_requests(text.encode(codec))
    assert requests[0].description == "海州区 路灯"


def test_gbk_json_from_a_government_system() -> None:
    requests, rejected = parse_requests(fixture("hotline_12345_gbk.json"))
    assert rejected == []
    first, second = requests
    assert first.service_request_id == "3001"
    assert first.description == "海州区解放中路小区停水两天，无通知。"
    assert first.requested_datetime == utc(2024, 5, 22, 0, 1, 2)  # 08:01:02 in Shanghai
    assert (second.address, second.status) == ("连云港市赣榆区青口镇", "closed")
    assert second.extra == {"status_raw": "已办结"}


def test_bytes_neither_utf8_nor_gb18030_are_refused() -> None:
    with pytest.raises(SourceError, match="cannot be decoded as utf-8 or gb18030"):
        parse_requests(b'[{"description": "\xff\xfe\xff"}]')


@pytest.mark.parametrize(
    ("declared", "codec"),
    [("ISO-8859-1", "latin-1"), ("GB2312", "gbk"), ("GBK", "gbk"), ("UTF-16", "utf-16")],
)
def test_xml_in_its_declared_encoding(declared: str, codec: str) -> None:
    text = as_xml([request_row(address="Caf\u00e9" if codec == "latin-1" else "连云区墟沟")])
    text = text.replace(b'encoding="UTF-8"', f'encoding="{declared}"'.encode())
    requests, rejected = parse_requests(text.decode().encode(codec))
    assert rejected == []
    assert requests[0].address == ("Caf\u00e9" if codec == "latin-1" else "连云区墟沟")


def test_xml_with_an_unknown_declared_encoding_is_refused() -> None:
    data = as_xml([request_row()]).replace(b"UTF-8", b"x-no-such-codec")
    with pytest.raises(SourceError, match="unknown encoding 'x-no-such-codec'"):
        parse_requests(data)


def test_fmt_forces_the_parser() -> None:
    with pytest.raises(SourceError, match="not well-formed XML"):
        parse_requests(b"[]", fmt="xml")
    assert parse_requests(b" []", fmt="json") == ([], [])
    with pytest.raises(ConfigError, match="unknown Open311 format 'csv'"):
        parse_requests(b"[]", fmt="csv")


# --- document shapes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "wrap",
    [
        lambda rows: rows,
        lambda rows: {"service_requests": rows},
        lambda rows: {"requests": rows},
        lambda rows: {"service_requests": {"request": rows}},
    ],
    ids=["list", "service_requests", "requests", "service_requests.request"],
)
def test_json_requests_wrapped_or_not(wrap: object) -> None:
    rows = [request_row(service_request_id="1"), request_row(service_request_id="2")]
    requests, rejected = parse_requests(json.dumps(wrap(rows)).encode())  # type: ignore[operator]
    assert [r.service_request_id for r in requests] == ["1", "2"]
    assert rejected == []


def test_json_wrapper_around_a_single_request_or_nothing() -> None:
    single = {"service_requests": {"request": request_row(service_request_id="9")}}
    assert [r.service_request_id for r in parse_requests(json.dumps(single).encode())[0]] == ["9"]
    assert parse_requests(b'{"service_requests": null}') == ([], [])


def test_json_services_wrapped() -> None:
    data = json.dumps({"services": {"service": [{"service_code": 7, "service_name": "x"}]}})
    services, _ = parse_services(data.encode())
    assert services[0].service_code == "7"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"total": 0, "items": []}', "not a list of service requests: an object with the keys"),
        (b'"open"', "not a list of service requests: a str"),
        (b"null", "not a list of service requests"),
    ],
)
def test_json_that_is_not_a_request_list(data: bytes, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        parse_requests(data, fmt="json")


def test_json_and_xml_give_the_same_requests() -> None:
    rows = [
        request_row(
            service_request_id=7,
            status="Closed",
            description="line 1\r\nline 2 <b>bold</b>",
            address="连云港市海州区朝阳东路",
            lat="34.6",
            long="119.2",
            updated_datetime="2024-05-21 10:00:00",
            zipcode=None,
        ),
        request_row(service_request_id="8", lat=0, long=0),
    ]
    from_json, _ = parse_requests(json.dumps(rows).encode())
    from_xml, _ = parse_requests(as_xml(rows))
    assert [r.to_record() for r in from_json] == [r.to_record() for r in from_xml]
    assert from_json[0].description == "line 1\nline 2 <b>bold</b>"


# --- XML requests in the wild ------------------------------------------------------------------


def test_xml_requests_with_local_times_and_capitalised_statuses() -> None:
    requests, _ = parse_requests(fixture("requests_local_times.xml"))
    found = by_id(requests)
    assert list(found) == ["LYG-2024-000123", "1024", "1025"]
    light = found["LYG-2024-000123"]
    assert light.status == "open"
    assert light.requested_datetime == utc(2024, 5, 20, 0, 30)  # 08:30 in Asia/Shanghai
    assert light.updated_datetime == utc(2024, 5, 20, 1, 15, 30)  # space instead of T
    assert light.description == "Streetlight out since Monday.\nSecond line."
    assert (light.status_notes, light.service_notice, light.expected_datetime) == (None,) * 3
    assert (light.address_id, light.media_url) == (None, None)
    assert (light.lon, light.lat) == (119.2214, 34.5966)
    assert (light.address, light.zipcode) == ("连云港市海州区朝阳东路88号", "222000")

    pothole = found["1024"]
    assert pothole.status == "closed"
    assert pothole.requested_datetime == utc(2024, 5, 19, 14, 5, 10, 250000)
    assert pothole.updated_datetime == utc(2024, 5, 21, 2, 0)
    assert pothole.description == "<p>Deep pothole &amp; <b>dangerous</b></p>"  # CDATA, as text
    assert (pothole.lon, pothole.lat) == (None, None)  # 0/0
    assert pothole.extra == {"district": "连云区"}


def test_xml_request_with_inline_html_swapped_coordinates_and_a_bad_time() -> None:
    found = by_id(parse_requests(fixture("requests_local_times.xml"))[0])
    acknowledged = found["1025"]
    assert acknowledged.status == "open"
    assert acknowledged.description == "See <b>this</b> photo"
    assert acknowledged.updated_datetime is None
    assert (acknowledged.lon, acknowledged.lat) == (None, None)
    assert acknowledged.extra["status_raw"] == "ACKNOWLEDGED"
    assert acknowledged.extra["warnings"] == [
        "location lat=119.2 long=34.6 out of range (lat and long swapped?); dropped",
        "updated_datetime 'not yet' is not an ISO 8601 date and time; dropped",
    ]


def test_xml_bad_requests_are_rejected_and_the_rest_go_on() -> None:
    _, rejected = parse_requests(fixture("requests_local_times.xml"))
    assert [r.reason for r in rejected] == [
        "requested_datetime 'yesterday' is not an ISO 8601 date and time",
        "unknown status 'on fire': expected open or closed",
        "missing service_request_id",
    ]
    assert rejected[0].raw.startswith("<request>")
    assert "<service_request_id>1026</service_request_id>" in rejected[0].raw
    assert rejected[0].raw.endswith("</request>")


def test_default_timezone_applies_to_times_without_offset() -> None:
    data = fixture("requests_local_times.xml")
    found = by_id(parse_requests(data, default_timezone="America/Indiana/Indianapolis")[0])
    assert found["LYG-2024-000123"].requested_datetime == utc(2024, 5, 20, 12, 30)  # EDT
    assert found["1024"].updated_datetime == utc(2024, 5, 21, 2, 0)  # had +08:00


def test_xml_unexpected_element_is_rejected_with_its_text() -> None:
    data = b"<service_requests><note>hello</note><request><service_request_id>1"
    data += b"</service_request_id><status>open</status><requested_datetime>2024-05-20"
    data += b"</requested_datetime></request></service_requests>"
    requests, rejected = parse_requests(data)
    assert [r.service_request_id for r in requests] == ["1"]
    assert rejected == [
        Rejected(raw="<note>hello</note>", reason="unexpected element <note>, not <request>")
    ]


def test_xml_namespaces_are_ignored_and_root_requests_is_accepted() -> None:
    data = (
        b'<requests xmlns="http://example.org/georeport"><request>'
        b"<service_request_id>5</service_request_id><status>open</status>"
        b"<requested_datetime>2024-05-20T00:00:00Z</requested_datetime></request></requests>"
    )
    assert parse_requests(data)[0][0].service_request_id == "5"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<services><service/></services>", "is <services>, not <service_requests>"),
        (b"<html><body>502 Bad Gateway</body></html>", "is an HTML page"),
    ],
)
def test_xml_with_the_wrong_root_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        parse_requests(data)


def test_xml_services_list() -> None:
    services, rejected = parse_services(fixture("services.xml"))
    assert services == [
        Service(
            service_code="12345-CG-01",
            service_name="市容环境",
            description="垃圾堆放、占道经营、乱贴乱画",
            metadata=False,
            type="realtime",
            keywords=["垃圾", "占道经营", "小广告"],
            group="城市管理",
        ),
        Service(
            service_code="STREETLIGHT",
            service_name="Streetlight out",
            description=None,
            metadata=True,
            type="batch",
            keywords=[],
            group=None,
        ),
    ]
    assert [r.reason for r in rejected] == ["missing service_code"]
    assert "<service_name>No code</service_name>" in rejected[0].raw


def test_services_keywords_as_list_and_name_falling_back_to_code() -> None:
    data = json.dumps([{"service_code": "X", "keywords": ["a", " b ", ""], "metadata": "true"}])
    (service,), _ = parse_services(data.encode())
    assert (service.service_name, service.keywords, service.metadata) == ("X", ["a", "b"], True)


def test_duplicate_services_keep_the_later_one() -> None:
    data = json.dumps(
        [{"service_code": "A", "service_name": "old"}, {"service_code": "A", "service_name": "new"}]
    )
    services, rejected = parse_services(data.encode())
    assert [s.service_name for s in services] == ["new"]
    assert rejected[0].reason == "duplicate service_code 'A', superseded by a newer row"


# --- the 12345 hotline feed --------------------------------------------------------------------


def test_chinese_12345_hotline_feed() -> None:
    requests, rejected = parse_requests(fixture("hotline_12345.json"))
    assert rejected == []
    first, second, third = requests
    assert first.service_request_id == "202405200001"  # an integer in the feed
    assert first.description == (
        "朝阳东路与通灌南路交叉口东侧人行道上有垃圾堆放，气味很大。\n请尽快处理！"
    )
    assert first.address == "连云港市海州区朝阳东路"
    assert first.agency_responsible == "海州区城市管理局"
    assert (first.lon, first.lat) == (119.2198, 34.5961)
    assert first.requested_datetime == utc(2024, 5, 20, 1, 12, 33)
    assert first.expected_datetime == utc(2024, 5, 23, 10, 0)  # "2024-05-23 18:00:00" local
    assert (first.service_notice, first.address_id, first.media_url) == (None, None, None)

    assert (second.status, second.status_notes) == ("closed", "已办结，噪音已停止")
    assert (second.lon, second.lat) == (119.1987, 34.6012)  # strings in the feed
    assert second.requested_datetime == utc(2024, 5, 20, 15, 5, 41)

    assert third.service_request_id == "202405210003"
    assert third.status == "open"
    assert third.description == "<b>红绿灯</b>不亮"
    assert (third.lon, third.lat) == (None, None)  # "lat": 0, "long": 0
    assert third.requested_datetime == utc(2024, 5, 20, 23, 45, 0, 123000)
    assert third.extra == {"source_channel": "微信公众号", "status_raw": "in_progress"}


# --- whole-document errors ---------------------------------------------------------------------


def test_json_error_response() -> None:
    with pytest.raises(SourceError) as caught:
        parse_requests(fixture("error_403.json"))
    assert caught.value.operator_message == (
        "the Open311 server answered with an error instead of service requests: 403 Invalid"
        " api_key received -- can't proceed with create_request."
    )


@pytest.mark.parametrize(
    "document",
    [
        {"errors": [{"code": 401, "description": "api_key missing"}]},
        {"error": {"code": 401, "description": "api_key missing"}},
        {"code": 401, "description": "api_key missing"},
    ],
)
def test_json_error_response_variants(document: object) -> None:
    with pytest.raises(SourceError, match="401 api_key missing"):
        parse_requests(json.dumps(document).encode())


def test_xml_error_response() -> None:
    with pytest.raises(SourceError, match="400 service_code was not provided; 404 jurisdiction"):
        parse_services(fixture("error_400.xml"))


def test_malformed_json_says_where() -> None:
    with pytest.raises(SourceError) as caught:
        parse_requests(fixture("malformed.json"))
    assert caught.value.operator_message == (
        "the Open311 service requests document is not valid JSON:"
        " Expecting ',' delimiter at line 3 column 5"
    )


@pytest.mark.parametrize(
    "data",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b"<service_requests><request>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</request>"
        b"</service_requests>",
    ],
    ids=["json", "xml"],
)
def test_deeply_nested_documents_are_refused(data: bytes) -> None:
    with pytest.raises(SourceError, match="nested too deeply"):
        parse_requests(data)


def test_truncated_xml() -> None:
    with pytest.raises(SourceError) as caught:
        parse_requests(fixture("truncated.xml"))
    assert caught.value.operator_message == (
        "the Open311 service requests document is not well-formed XML: no element found"
        " at line 11 column 1 (the document looks truncated)"
    )


def test_xml_that_is_not_well_formed() -> None:
    with pytest.raises(SourceError) as caught:
        parse_requests(b"<service_requests><request></service_requests>")
    assert caught.value.operator_message == (
        "the Open311 service requests document is not well-formed XML: mismatched tag"
        " at line 1 column 30"
    )


@pytest.mark.parametrize("name", ["billion_laughs.xml", "external_entity.xml"])
def test_xml_bombs_are_refused(name: str) -> None:
    with pytest.raises(SourceError, match="was refused: it declares XML entities") as caught:
        parse_requests(fixture(name))
    assert "EntitiesForbidden" in caught.value.detail


# --- rows --------------------------------------------------------------------------------------


def test_malformed_rows_are_rejected_and_the_rest_go_on() -> None:
    requests, rejected = parse_rows(
        "just text",
        request_row(service_request_id="ok"),
        [1, 2],
        None,
        request_row(service_request_id=None),
        request_row(service_request_id=True),
        request_row(service_request_id="   "),
        request_row(service_request_id="no-status", status=None),
        request_row(service_request_id="no-time", requested_datetime=None),
    )
    assert [r.service_request_id for r in requests] == ["ok"]
    assert [(r.raw, r.reason) for r in rejected[:4]] == [
        ('"just text"', "not an object but a JSON str"),
        ("[1,2]", "not an object but a JSON list"),
        ("null", "not an object but a JSON NoneType"),
        (
            '{"service_request_id":null,"status":"open",'
            '"requested_datetime":"2024-05-20T08:30:00+08:00"}',
            "missing service_request_id",
        ),
    ]
    assert [r.reason for r in rejected[4:]] == [
        "service_request_id True is not a string or a number",
        "missing service_request_id",
        "missing status",
        "missing requested_datetime",
    ]


@pytest.mark.parametrize(
    ("value", "expected"), [(42, "42"), (42.0, "42"), ("  A-7 ", "A-7"), (10**20, str(10**20))]
)
def test_ids_are_always_strings(value: object, expected: str) -> None:
    assert parse_one(service_request_id=value).service_request_id == expected


@pytest.mark.parametrize(
    ("value", "expected", "raw"),
    [
        ("open", "open", None),
        ("Open", "open", None),
        ("CLOSED", "closed", None),
        (" closed ", "closed", None),
        ("acknowledged", "open", "acknowledged"),
        ("In Progress", "open", "In Progress"),
        ("in-progress", "open", "in-progress"),
        ("Resolved", "closed", "Resolved"),
        ("已受理", "open", "已受理"),
        ("已办结", "closed", "已办结"),
    ],
)
def test_statuses(value: str, expected: str, raw: str | None) -> None:
    request = parse_one(status=value)
    assert request.status == expected
    assert request.extra.get("status_raw") == raw


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2013-03-26T10:18:07-04:00", utc(2013, 3, 26, 14, 18, 7)),
        ("2013-03-26T14:18:07Z", utc(2013, 3, 26, 14, 18, 7)),
        ("2013-03-26T14:18:07.5Z", utc(2013, 3, 26, 14, 18, 7, 500000)),
        ("2013-03-26T14:18:07.123456789+00:00", utc(2013, 3, 26, 14, 18, 7, 123456)),
        ("2013-03-26 22:18:07+08:00", utc(2013, 3, 26, 14, 18, 7)),
        ("2013-03-26T22:18:07+0800", utc(2013, 3, 26, 14, 18, 7)),
        ("2013-03-26T22:18:07", utc(2013, 3, 26, 14, 18, 7)),  # Asia/Shanghai
        ("2013-03-26 22:18:07", utc(2013, 3, 26, 14, 18, 7)),
        ("2013/03/26 22:18:07", utc(2013, 3, 26, 14, 18, 7)),
        ("2013-03-26", utc(2013, 3, 25, 16, 0)),
        (" 2013-03-26T14:18:07Z\n", utc(2013, 3, 26, 14, 18, 7)),
    ],
)
def test_times(value: str, expected: datetime) -> None:
    request = parse_one(requested_datetime=value, updated_datetime=value)
    assert request.requested_datetime == expected
    assert request.updated_datetime == expected
    assert request.requested_datetime.tzinfo is UTC  # type: ignore[union-attr]


@pytest.mark.parametrize("value", ["yesterday", "2013-13-01T00:00:00", "1369312528", 1369312528])
def test_unparseable_requested_datetime_rejects_the_row(value: object) -> None:
    requests, rejected = parse_rows(request_row(requested_datetime=value))
    assert requests == []
    assert rejected[0].reason == (f"requested_datetime {value!r} is not an ISO 8601 date and time")


def test_unparseable_optional_times_become_none_with_a_warning() -> None:
    request = parse_one(updated_datetime="2024-02-30T00:00:00", expected_datetime="", lat="")
    assert (request.updated_datetime, request.expected_datetime) == (None, None)
    assert request.extra["warnings"] == [
        "updated_datetime '2024-02-30T00:00:00' is not an ISO 8601 date and time; dropped"
    ]


@pytest.mark.parametrize(
    ("lat", "long", "expected", "warned"),
    [
        (34.6, 119.2, (119.2, 34.6), False),
        ("34.6", " 119.2 ", (119.2, 34.6), False),
        (None, None, (None, None), False),
        ("", "", (None, None), False),
        (0, 0, (None, None), False),
        ("0", "0.0", (None, None), False),
        (0, None, (None, None), False),
        (0, 119.2, (None, None), True),  # one 0, one real value: not a place
        (34.6, 0, (None, None), True),
        (34.6, None, (None, None), True),
        (91, 119.2, (None, None), True),
        (34.6, -181, (None, None), True),
        ("abc", 119.2, (None, None), True),
        ("NaN", 119.2, (None, None), True),
        (True, 119.2, (None, None), True),
        (-33.8688, 151.2093, (151.2093, -33.8688), False),
    ],
)
def test_coordinates(lat: object, long: object, expected: tuple[object, object], warned: bool):
    request = parse_one(lat=lat, long=long)
    assert (request.lon, request.lat) == expected
    assert ("warnings" in request.extra) is warned


def test_text_is_cleaned_and_html_kept() -> None:
    request = parse_one(
        description="  <script>alert(1)</script>\r\nline\rtwo\x00 \n",
        status_notes=" \r\n\t ",
        address="\u3000连云港市海州区\u3000",
        zipcode=222000,
    )
    assert request.description == "<script>alert(1)</script>\nline\ntwo"
    assert request.status_notes is None
    assert request.address == "连云港市海州区"
    assert request.zipcode == "222000"


def test_max_text_cuts_with_a_marker_and_a_warning() -> None:
    request = parse_rows(request_row(description="x" * 100), max_text=50)[0][0]
    assert request.description == "x" * (50 - len(TRUNCATION_MARK)) + TRUNCATION_MARK
    assert len(request.description) == 50
    assert request.extra["warnings"] == ["description truncated from 100 to 50 characters"]
    with pytest.raises(ValueError, match="max_text"):
        parse_rows(request_row(), max_text=5)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_10_mb_description_does_not_blow_up(fmt: str) -> None:
    rows = [request_row(description="连云港 12345 " * 1_000_000 + "end")]  # 10 M characters, 16 MB
    data = json.dumps(rows, ensure_ascii=False).encode() if fmt == "json" else as_xml(rows)
    (request,), rejected = parse_requests(data)
    assert rejected == []
    assert request.description is not None
    assert len(request.description) == DEFAULT_MAX_TEXT
    assert request.description.endswith(TRUNCATION_MARK)
    assert request.extra["warnings"] == [
        f"description truncated from 10000003 to {DEFAULT_MAX_TEXT} characters"
    ]


def test_duplicates_keep_the_newest_update() -> None:
    requests, rejected = parse_requests(fixture("duplicates.json"))
    assert [(r.service_request_id, r.status_notes, r.status) for r in requests] == [
        ("A1", "newest", "closed"),
        ("B2", "B last", "closed"),  # equal updated_datetime: the later row
    ]
    reasons = [r.reason for r in rejected]
    assert reasons == [
        "duplicate service_request_id 'A1', superseded by a newer row",
        "duplicate service_request_id 'A1', superseded by a newer row",
        "duplicate service_request_id 'B2', superseded by a newer row",
    ]
    assert ['"first"' in r.raw for r in rejected] == [True, False, False]
    assert '"stale copy"' in rejected[1].raw
    assert '"B first"' in rejected[2].raw


def test_integer_and_string_ids_of_one_request_are_duplicates() -> None:
    requests, rejected = parse_rows(
        request_row(service_request_id=7, updated_datetime="2024-05-20T10:00:00"),
        request_row(service_request_id="7", updated_datetime="2024-05-20T09:00:00"),
    )
    assert [r.updated_datetime for r in requests] == [utc(2024, 5, 20, 2, 0)]
    assert len(rejected) == 1


def test_unknown_time_zone_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown time zone 'Mars/Olympus'"):
        parse_requests(b"[]", default_timezone="Mars/Olympus")
