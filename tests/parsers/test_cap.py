"""The CAP parser: the real public samples, then fixtures of what real feeds do that they don't."""

from __future__ import annotations

import json
import math
import tracemalloc
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pyproj import Geod

from data_adapters.contract import SourceError
from data_adapters.parsers.cap import (
    CapAlert,
    CapCircle,
    CapInfo,
    feed_links,
    parse_cap,
    parse_cap_documents,
)

FIXTURES = Path(__file__).parent / "fixtures" / "cap"
SAMPLES = (
    "oasiscap_v1dot2_appendix_adot3.xml",
    "oasiscap_v1dot2_appendix_adot4.xml",
    "oasiscap_ipaws-5e7e0fc5023f1930efcf3deb.xml",
)
LYG = "lyg_rainstorm_orange_zh_en.xml"
READABLE = (
    *SAMPLES,
    LYG,
    "cap11_flood_warning.xml",
    "cap10_incident_com.xml",
    "no_namespace.xml",
    "cancel_no_info.xml",
    "latin1_declared.xml",
    "gbk_declared.xml",
    "geometry_edge_cases.xml",
    "no_offset.xml",
)
RECORD_KEYS = {
    "identifier", "sender", "sent", "status", "msg_type", "scope", "references", "language",
    "languages", "event", "severity", "urgency", "certainty", "headline", "description",
    "instruction", "onset", "expires", "effective", "areas", "infos", "incidents", "note",
    "version", "warnings",
}  # fmt: skip
WGS84 = Geod(ellps="WGS84")


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def load(name: str, **options: object) -> CapAlert:
    return parse_cap(read(name), source_name=name, **options)  # type: ignore[arg-type]


def alert_xml(
    body: str = "",
    *,
    sent: str = "2024-07-10T08:30:00+08:00",
    status: str = "Actual",
    msg_type: str = "Alert",
    namespace: str = "urn:oasis:names:tc:emergency:cap:1.2",
) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<alert xmlns="{namespace}">'
        "<identifier>LYG-T-1</identifier><sender>test@lyg.gov.cn</sender>"
        f"<sent>{sent}</sent><status>{status}</status><msgType>{msg_type}</msgType>"
        f"<scope>Public</scope>{body}</alert>"
    )


def info_xml(language: str | None = "en-US", extra: str = "", **codes: str) -> str:
    values = {"urgency": "Expected", "severity": "Minor", "certainty": "Likely", **codes}
    language_xml = f"<language>{language}</language>" if language else ""
    return (
        f"<info>{language_xml}<category>Met</category><event>Event {language}</event>"
        + "".join(f"<{name}>{value}</{name}>" for name, value in values.items())
        + f"{extra}</info>"
    )


def parse_text(text: str, **options: object) -> CapAlert:
    return parse_cap(text.encode("utf-8"), source_name="test", **options)  # type: ignore[arg-type]


def signed_area(ring: list[list[float]]) -> float:
    """Shoelace area: positive for a counter-clockwise ring."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairwise(ring)) / 2


def area_named(alert: CapAlert, desc: str) -> dict:
    (area,) = [a for a in alert.to_record()["areas"] if a["desc"] == desc]
    return area


# --- the real samples ---------------------------------------------------------------------


def test_appendix_a3_is_an_update_with_a_reference_and_a_point_circle() -> None:
    alert = load("oasiscap_v1dot2_appendix_adot3.xml")
    assert (alert.identifier, alert.msg_type, alert.version) == ("TRI13970876.2", "Update", "1.2")
    assert alert.sent == datetime(2003, 6, 12, 3, 56, tzinfo=UTC)
    assert alert.references == [
        ("trinet@caltech.edu", "TRI13970876.1", datetime(2003, 6, 12, 3, 30, tzinfo=UTC))
    ]
    (info,) = alert.infos
    assert info.language == "en-US"  # absent: the spec's default
    assert info.parameters["Magnitude"] == ["3.4 Ml"]
    (area,) = info.areas
    assert area.geometry == {"type": "Point", "coordinates": [-115.5527, 32.9525]}
    assert area.circles == [CapCircle(lon=-115.5527, lat=32.9525, radius_km=0.0)]
    record = alert.to_record()
    assert record["references"] == [
        {
            "sender": "trinet@caltech.edu",
            "identifier": "TRI13970876.1",
            "sent": "2003-06-12T03:30:00Z",
        }
    ]
    assert record["areas"][0]["circles"] == [{"lon": -115.5527, "lat": 32.9525, "radius_km": 0.0}]


def test_appendix_a4_two_infos_are_translations_of_one_alert() -> None:
    alert = load("oasiscap_v1dot2_appendix_adot4.xml")
    assert [info.language for info in alert.infos] == ["en-US", "es-US"]
    spanish = alert.info_for(["es"])
    assert spanish is not None and spanish.event == "Abducción de Niño"
    assert spanish.areas[0].geometry is None
    assert spanish.areas[0].geocodes == {"SAME": ["006037"]}
    record = alert.to_record()  # neither zh-CN nor zh is there: en-US, the second preference
    assert record["language"] == "en-US" and record["languages"] == ["en-US", "es-US"]
    assert record["event"] == "Child Abduction"
    assert [info["event"] for info in record["infos"]] == ["Child Abduction", "Abducción de Niño"]
    assert alert.to_record(["es-US"])["headline"] == "Alerta Amber en el condado de Los Ángeles"


def test_ipaws_polygon_is_lon_lat_counter_clockwise_and_the_signature_is_ignored() -> None:
    alert = load("oasiscap_ipaws-5e7e0fc5023f1930efcf3deb.xml")
    assert alert.sent == datetime(2019, 12, 13, 21, 24, 50, tzinfo=UTC)
    (info,) = alert.infos
    assert info.event_codes == {"SAME": ["LAE"]}
    assert info.parameters["BLOCKCHANNEL"] == ["CAPEXCH", "NWEM", "EAS", "PUBLIC"]
    assert info.resources[0].mime_type == "image/jpeg"  # its inline image is not kept
    geometry = info.areas[0].geometry
    assert geometry is not None and geometry["type"] == "Polygon"
    (ring,) = geometry["coordinates"]
    assert ring[0] == ring[-1] and len(ring) == 41
    assert all(-77.2 < lon < -77.1 and 39.0 < lat < 39.2 for lon, lat in ring)
    assert signed_area(ring) > 0
    assert "Signature" not in json.dumps(alert.to_record())


@pytest.mark.parametrize("name", SAMPLES)
def test_samples_read_without_warnings(name: str) -> None:
    assert load(name).warnings == []


@pytest.mark.parametrize("name", READABLE)
def test_records_have_every_key_and_are_json(name: str) -> None:
    record = load(name).to_record()
    assert set(record) >= RECORD_KEYS
    assert record["sent"].endswith("Z")
    assert json.loads(json.dumps(record, ensure_ascii=False)) == record


# --- versions and where the alert is -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "version"),
    [
        ("oasiscap_v1dot2_appendix_adot3.xml", "1.2"),
        ("cap11_flood_warning.xml", "1.1"),
        ("cap10_incident_com.xml", "1.0"),
        ("no_namespace.xml", "1.2"),
    ],
)
def test_version_comes_from_the_namespace(name: str, version: str) -> None:
    assert load(name).version == version


def test_cap10_under_the_oasis_urn_and_its_name_equals_value_pairs() -> None:
    text = (
        read("cap10_incident_com.xml")
        .decode()
        .replace("http://www.incident.com/cap/1.0", "urn:oasis:names:tc:emergency:cap:1.0")
    )
    alert = parse_text(text)
    assert alert.version == "1.0"
    assert alert.infos[0].parameters == {"HSAS": ["ORANGE"]}
    assert alert.infos[0].certainty == "Very Likely"


def test_an_alert_without_namespace_is_read_with_a_warning() -> None:
    alert = load("no_namespace.xml")
    assert alert.identifier == "PH-PAGASA-20240710-0001"
    assert any("no CAP namespace" in warning for warning in alert.warnings)


def test_an_alert_nested_in_an_envelope_is_found() -> None:
    inner = read("oasiscap_v1dot2_appendix_adot4.xml").decode().split("?>", 1)[1]
    envelope = (
        '<envelope xmlns="urn:example:envelope"><header/><body>'
        f"{inner}</body>"
        '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignatureValue>x</SignatureValue>'
        "</Signature></envelope>"
    )
    assert parse_text(envelope).identifier == "KAR0-0306112239-SW"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>', "no CAP alert"),
        (read("atom_embedded.xml").decode(), "4 CAP alerts"),
    ],
)
def test_parse_cap_wants_exactly_one_alert(text: str, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        parse_text(text)


# --- the Lianyungang alert and languages ----------------------------------------------------


def test_lianyungang_rainstorm_is_read_in_chinese_by_default() -> None:
    alert = load(LYG)
    record = alert.to_record()
    assert record["language"] == "zh-CN" and record["languages"] == ["zh-CN", "en-US"]
    assert record["event"] == "暴雨橙色预警"
    assert record["severity"] == "Severe" and record["urgency"] == "Expected"
    assert record["onset"] == "2024-07-10T01:00:00Z"
    assert record["expires"] == "2024-07-11T00:30:00Z"
    assert record["instruction"].splitlines()[1] == "2. 切断有危险的室外电源，暂停户外作业；"
    english = alert.info_for(["en"])
    assert english is not None and english.event == "Rainstorm Orange Warning"
    assert "连云港市气象台" in json.dumps(record, ensure_ascii=False)


def test_lianyungang_polygon_and_geocode_only_area() -> None:
    polygon_area, geocode_area = load(LYG).to_record()["areas"]
    (ring,) = polygon_area["geometry"]["coordinates"]
    assert polygon_area["geometry"]["type"] == "Polygon"
    assert {tuple(point) for point in ring} == {
        (119.1, 34.75), (119.5, 34.75), (119.5, 34.45), (119.1, 34.45)
    }  # fmt: skip
    assert signed_area(ring) > 0  # written clockwise, turned counter-clockwise
    assert polygon_area["geocodes"] == {"GB/T 2260": ["320706", "320703"]}
    assert geocode_area["geometry"] is None
    assert geocode_area["geocodes"] == {"GB/T 2260": ["320723"]}


def test_info_for_matches_tag_then_primary_subtag_then_takes_the_first() -> None:
    infos = "".join(info_xml(language) for language in ("en-US", "zh-TW", "es-US"))
    alert = parse_text(alert_xml(infos))

    def language(preferred: list[str]) -> str | None:
        info = alert.info_for(preferred)
        return info.language if info else None

    assert language(["ZH-tw"]) == "zh-TW"  # exact, case-insensitive
    assert language(["zh_TW"]) == "zh-TW"
    assert language(["es"]) == "es-US"  # primary subtag
    assert language(["zh-CN", "en-US"]) == "zh-TW"  # each preference in turn, as RFC 4647
    assert language(["fr", "de"]) == "en-US"  # no match: the first info
    assert language([]) == "en-US"
    assert parse_text(alert_xml()).info_for(["en"]) is None


def test_a_cancel_without_info_is_valid() -> None:
    alert = load("cancel_no_info.xml")
    assert alert.msg_type == "Cancel" and alert.infos == []
    assert alert.info_for(["zh-CN"]) is None
    assert [identifier for _, identifier, _ in alert.references] == [
        "32070041600000_20240710083000",
        "32070041600000_20240710060000",
    ]
    record = alert.to_record()
    assert record["language"] is None and record["languages"] == []
    assert record["event"] is None and record["expires"] is None and record["areas"] == []
    assert record["note"] == "暴雨橙色预警解除 / rainstorm orange warning lifted"


# --- encodings ------------------------------------------------------------------------------


def test_iso_8859_1_declared_document() -> None:
    (info,) = load("latin1_declared.xml").infos
    assert info.headline == "Vigilance jaune orages : Hérault, Gard et Bouches-du-Rhône"
    assert info.description is not None and info.description.startswith("Épisode orageux")


@pytest.mark.parametrize("declared", [b"GBK", b"GB2312", b"gb18030", b"cp936"])
def test_gbk_family_declared_document(declared: bytes) -> None:
    data = read("gbk_declared.xml").replace(b'encoding="GBK"', b'encoding="' + declared + b'"')
    (info,) = parse_cap(data).infos
    assert info.event == "大风蓝色预警"
    assert info.sender_name == "连云港市气象台"
    assert info.description is not None and "6～7级" in info.description


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])
def test_utf16_with_bom(codec: str) -> None:
    text = read(LYG).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    data = text.encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    assert parse_cap(data).infos[0].event == "暴雨橙色预警"


@pytest.mark.parametrize(
    ("declaration", "body", "message"),
    [
        (b"GBK", b"\xff\xfe", "declares encoding GBK but byte"),
        (b"x-klingon", b"x", "unknown encoding 'x-klingon'"),
    ],
)
def test_unreadable_encodings(declaration: bytes, body: bytes, message: str) -> None:
    data = b'<?xml version="1.0" encoding="' + declaration + b'"?><alert>' + body + b"</alert>"
    with pytest.raises(SourceError, match=message):
        parse_cap(data)


# --- times ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("2024-07-10T08:30:00+08:00", datetime(2024, 7, 10, 0, 30, tzinfo=UTC)),
        ("2024-07-10T00:30:00Z", datetime(2024, 7, 10, 0, 30, tzinfo=UTC)),
        ("2024-07-10T00:30:00-00:00", datetime(2024, 7, 10, 0, 30, tzinfo=UTC)),
        ("2024-07-10T02:30:00+0200", datetime(2024, 7, 10, 0, 30, tzinfo=UTC)),
        ("2024-07-09T20:30:00-04:00", datetime(2024, 7, 10, 0, 30, tzinfo=UTC)),
        ("2024-07-10T00:30:00.123456789Z", datetime(2024, 7, 10, 0, 30, 0, 123456, tzinfo=UTC)),
        ("2024-07-10T08:30:00", datetime(2024, 7, 10, 0, 30, tzinfo=UTC)),  # Asia/Shanghai
    ],
)
def test_sent_formats(sent: str, expected: datetime) -> None:
    alert = parse_text(alert_xml(sent=sent))
    assert alert.sent == expected and alert.sent.tzinfo is UTC


def test_times_without_offset_use_the_default_timezone_with_a_warning() -> None:
    alert = load("no_offset.xml")
    assert alert.sent == datetime(2024, 7, 10, 0, 30, tzinfo=UTC)
    assert alert.infos[0].onset == datetime(2024, 7, 10, 4, 0, tzinfo=UTC)
    assert any("<sent>" in w and "no UTC offset" in w for w in alert.warnings)
    for zone in ("UTC", ZoneInfo("UTC")):
        assert load("no_offset.xml", default_timezone=zone).sent == datetime(
            2024, 7, 10, 8, 30, tzinfo=UTC
        )


def test_an_unreadable_optional_time_becomes_none_with_a_warning() -> None:
    alert = load("no_offset.xml")
    assert alert.infos[0].expires is None
    assert any("<expires> ignored" in w and "tomorrow evening" in w for w in alert.warnings)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing_sent.xml", "missing_sent.xml, alert 'LYG-MISSING-SENT' has no <sent>"),
        ("bad_sent.xml", "bad_sent.xml, alert 'LYG-BAD-SENT' has an unreadable <sent>"),
    ],
)
def test_sent_is_required_and_must_be_readable(name: str, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        load(name)


@pytest.mark.parametrize("sent", ["2024-02-30T08:30:00+08:00", "2024-07-10T08:30:00+25:00"])
def test_impossible_sent_is_refused(sent: str) -> None:
    with pytest.raises(SourceError, match="unreadable <sent>"):
        parse_text(alert_xml(sent=sent))


# --- required elements and code values ------------------------------------------------------


@pytest.mark.parametrize("element", ["identifier", "sender", "sent", "status", "msgType"])
@pytest.mark.parametrize("how", ["missing", "empty"])
def test_required_alert_elements(element: str, how: str) -> None:
    text = alert_xml()
    start, end = text.index(f"<{element}>"), text.index(f"</{element}>") + len(element) + 3
    replacement = "" if how == "missing" else f"<{element}>  </{element}>"
    with pytest.raises(SourceError, match=f"has no <{element}>, which CAP requires"):
        parse_text(text[:start] + replacement + text[end:])


def test_code_values_are_put_in_canonical_case() -> None:
    alert = load("no_namespace.xml")
    assert (alert.status, alert.msg_type, alert.scope) == ("Actual", "Alert", "Public")
    (info,) = alert.infos
    assert (info.category, info.urgency, info.severity, info.certainty) == (
        ["Met"],
        "Expected",
        "Severe",
        "Likely",
    )


def test_unknown_code_values_are_kept_with_a_warning() -> None:
    alert = parse_text(alert_xml(info_xml(severity="Catastrophic"), status="Rehearsal"))
    assert alert.status == "Rehearsal"
    assert alert.infos[0].severity == "Catastrophic"
    assert any("'Rehearsal' is not a CAP status value" in w for w in alert.warnings)
    assert any("'Catastrophic' is not a CAP severity value" in w for w in alert.warnings)


def test_missing_info_elements_are_warned_about_not_fatal() -> None:
    alert = parse_text(alert_xml("<info><event>Fog</event></info>"))
    (info,) = alert.infos
    assert (info.category, info.urgency, info.severity, info.certainty) == ([], "", "", "")
    assert sum("CAP requires it" in w for w in alert.warnings) == 4


# --- text, references, incidents ------------------------------------------------------------


def test_whitespace_cdata_and_html_are_text() -> None:
    alert = load("cap11_flood_warning.xml")
    assert alert.identifier == "LYG-SW-2024-0712-001"
    assert alert.sent == datetime(2024, 7, 12, 6, 0, 0, 250000, tzinfo=UTC)
    assert alert.note == "Issued by the\ncity hydrology bureau."
    (info,) = alert.infos
    assert info.headline == "Flood warning for the Qiangwei River"
    assert info.description == ("<p>The <b>Qiangwei River</b> is above warning level & rising.</p>")
    assert info.instruction == "Move to higher ground <now>."
    assert info.category == ["Met", "Safety"]
    assert info.response_type == ["Evacuate", "Monitor"]


def test_incidents_keep_quoted_identifiers_whole() -> None:
    assert load("cap11_flood_warning.xml").incidents == ["LYG-FLOOD-2024-07", "Qiangwei River 2024"]


def test_malformed_references_keep_what_they_can() -> None:
    references = "lonely-id sender,id-2 s,id-3,yesterday a,b,c,2024-07-10T08:30:00+08:00"
    alert = parse_text(alert_xml(f"<references>{references}</references>"))
    assert alert.references == [
        ("", "lonely-id", None),
        ("sender", "id-2", None),
        ("s", "id-3", None),
        ("a", "b,c", datetime(2024, 7, 10, 0, 30, tzinfo=UTC)),
    ]
    assert len([w for w in alert.warnings if "<references>" in w]) == 4


# --- geometry -------------------------------------------------------------------------------


def test_open_polygon_is_closed_and_repeated_points_dropped() -> None:
    (area,) = load("cap11_flood_warning.xml").infos[0].areas
    assert area.geometry is not None
    (ring,) = area.geometry["coordinates"]
    assert len(ring) == 5 and ring[0] == ring[-1]
    assert {tuple(point) for point in ring} == {
        (119.15, 34.62), (119.25, 34.62), (119.25, 34.55), (119.15, 34.55)
    }  # fmt: skip
    assert signed_area(ring) > 0
    assert (area.altitude, area.ceiling) == (0.0, 500.0)


@pytest.mark.parametrize(
    ("desc", "warning"),
    [
        ("empty polygon", "<polygon> ignored: it is empty"),
        ("two-point polygon", "<polygon> ignored: it has 2 distinct point(s)"),
        ("lon,lat written by mistake", "'119.10,34.50' is out of range"),
        ("bad circle", "<circle> ignored: radius '-3' is not a distance"),
    ],
)
def test_bad_shapes_are_dropped_with_a_warning_not_the_alert(desc: str, warning: str) -> None:
    alert = load("geometry_edge_cases.xml")
    assert any(warning in w for w in alert.warnings)
    assert len(alert.infos[0].areas) == 8
    area = area_named(alert, desc)
    expected_type = "Polygon" if desc == "lon,lat written by mistake" else None
    assert (area["geometry"] or {}).get("type") == expected_type


def test_an_empty_polygon_area_keeps_its_geocodes() -> None:
    area = area_named(load("geometry_edge_cases.xml"), "empty polygon")
    assert area["geocodes"] == {"GB/T 2260": ["320703"]}


def test_shapes_combine_by_kind() -> None:
    alert = load("geometry_edge_cases.xml")
    two = area_named(alert, "two polygons")["geometry"]
    assert two["type"] == "MultiPolygon" and len(two["coordinates"]) == 2
    with_circle = area_named(alert, "polygon and circle")
    assert with_circle["geometry"]["type"] == "MultiPolygon"
    assert with_circle["circles"] == [{"lon": 119.22, "lat": 34.6, "radius_km": 5.0}]
    with_point = area_named(alert, "polygon and point")["geometry"]
    assert with_point["type"] == "GeometryCollection"
    assert [g["type"] for g in with_point["geometries"]] == ["Polygon", "Point"]
    assert with_point["geometries"][1]["coordinates"] == [119.22, 34.6]


def test_a_circle_becomes_a_64_vertex_geodesic_polygon() -> None:
    area = area_named(load("geometry_edge_cases.xml"), "circle of 10 km")
    assert area["circles"] == [{"lon": 119.22, "lat": 34.6, "radius_km": 10.0}]
    (ring,) = area["geometry"]["coordinates"]
    assert len(ring) == 65 and ring[0] == ring[-1]
    assert signed_area(ring) > 0
    _, _, distances = WGS84.inv([119.22] * 64, [34.6] * 64, *zip(*ring[:-1], strict=True))
    assert all(math.isclose(d, 10_000, rel_tol=1e-4) for d in distances)


def test_an_unreadable_number_is_dropped_with_a_warning() -> None:
    alert = load("geometry_edge_cases.xml")
    assert area_named(alert, "bad circle")["altitude"] is None
    assert any("<altitude> 'about 300' ignored" in w for w in alert.warnings)
    resource = "<resource><resourceDesc>map</resourceDesc><size>inf</size></resource>"
    alert = parse_text(alert_xml(info_xml(extra=resource)))
    assert alert.infos[0].resources[0].size is None
    assert any("<size> 'inf' ignored" in w for w in alert.warnings)


@pytest.mark.parametrize("pair", ["34.6", "34.6,119.2,5", "north,east", "nan,119.2", "34.6,inf"])
def test_a_polygon_with_an_unreadable_pair_is_dropped(pair: str) -> None:
    polygon = f"<polygon>34.5,119.1 34.5,119.3 {pair} 34.5,119.1</polygon>"
    area = f"<area><areaDesc>x</areaDesc>{polygon}</area>"
    alert = parse_text(alert_xml(info_xml(extra=area)))
    assert alert.infos[0].areas[0].geometry is None
    assert any(f"{pair!r} is not a 'lat,lon' pair" in w for w in alert.warnings)


# --- safety and size ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["billion_laughs.xml", "external_entity.xml"])
@pytest.mark.parametrize("reader", [parse_cap, parse_cap_documents, feed_links])
def test_entities_are_refused_not_expanded(name: str, reader: object) -> None:
    with pytest.raises(SourceError, match="declares XML entities") as caught:
        reader(read(name))  # type: ignore[operator]
    assert "root:" not in caught.value.operator_message + caught.value.detail


def test_a_parameter_entity_reading_a_file_is_refused() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'
        + alert_xml().split("?>", 1)[1].encode()
    )
    with pytest.raises(SourceError, match="declares XML entities"):
        parse_cap(data)


def test_truncated_document_names_the_source_and_the_line() -> None:
    with pytest.raises(SourceError) as caught:
        load("truncated.xml")
    message = caught.value.operator_message
    assert message.startswith("CAP document from truncated.xml is not well-formed XML: ")
    assert "line 10" in message


def test_an_empty_document_is_refused() -> None:
    with pytest.raises(SourceError, match="is empty"):
        parse_cap(b"  \n")


def test_documents_over_max_bytes_are_refused_unread() -> None:
    data = read(LYG)
    with pytest.raises(SourceError, match=r"over the 0\.0 MB limit"):
        parse_cap(data, max_bytes=len(data) - 1)
    assert parse_cap(data, max_bytes=len(data)).identifier.startswith("320700")


def test_a_10_mb_description() -> None:
    description = "暴雨" * (10 * 1024 * 1024 // 6) + "<b>end</b>"
    data = alert_xml(info_xml(extra=f"<description><![CDATA[{description}]]></description>"))
    encoded = data.encode("utf-8")
    assert len(encoded) > 10 * 1024 * 1024
    with pytest.raises(SourceError, match=r"is 10\.0 MB, over the 5\.0 MB limit"):
        parse_cap(encoded)
    tracemalloc.start()
    try:
        alert = parse_cap(encoded, max_bytes=20 * 1024 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert alert.infos[0].description == description
    assert peak < 8 * len(encoded)


# --- documents with many alerts, and feeds ----------------------------------------------------


def test_parse_cap_documents_reads_a_single_alert() -> None:
    alerts, rejected = parse_cap_documents(read(LYG))
    assert [a.identifier for a in alerts] == ["32070041600000_20240710083000"] and rejected == []


def test_atom_feed_embedding_alerts_rejects_the_broken_ones_and_reads_the_rest() -> None:
    alerts, rejected = parse_cap_documents(read("atom_embedded.xml"), source_name="lyg-atom")
    assert [a.identifier for a in alerts] == ["LYG-A1", "LYG-A3"]
    escaped = alerts[1]
    assert escaped.version == "1.1" and escaped.msg_type == "Update"
    assert escaped.references[0][1] == "LYG-A1"
    missing_sent, cut_short = rejected
    assert "<identifier>LYG-A2-BROKEN</identifier>" in missing_sent.raw
    assert "has no <sent>" in missing_sent.reason and "lyg-atom" in missing_sent.reason
    assert cut_short.raw.startswith('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">')
    assert "escaped as text is not well-formed XML" in cut_short.reason


def test_edxl_de_distribution_with_embedded_alerts() -> None:
    alerts, rejected = parse_cap_documents(read("edxl_de.xml"))
    assert [(a.identifier, a.version) for a in alerts] == [("LYG-DE-1", "1.2"), ("LYG-DE-2", "1.1")]
    assert rejected == []


def test_an_index_feed_has_no_alerts_but_links() -> None:
    assert parse_cap_documents(read("atom_index.xml")) == ([], [])
    assert feed_links(read("atom_index.xml")) == [
        "https://alerts.example.cn/cap/20240710083000.xml",  # typed; the HTML link is not taken
        "https://alerts.example.cn/cap/2024/20240710060000.cap",  # .cap, against xml:base
        "https://alerts.example.cn/capget.php?x=42",  # the entry's only, untyped link
    ]  # the HTML-only entry gives nothing; the repeated URL comes once


def test_rss_index_links_and_enclosures() -> None:
    assert feed_links(read("rss_index.xml")) == [
        "https://alerts.example.cn/cap/20240710083000.xml",
        "https://alerts.example.cn/cap/20240710060000",  # the typed enclosure, not the HTML link
        "https://alerts.example.cn/capget?id=77",
    ]


def test_rss_1_0_rdf_index_links() -> None:
    rdf = (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/"><channel><title>x</title></channel>'
        "<item><title>a</title><link>https://alerts.example.cn/a.xml</link></item>"
        "<item><title>b</title><link>https://alerts.example.cn/b.html</link></item></rdf:RDF>"
    )
    assert feed_links(rdf.encode()) == ["https://alerts.example.cn/a.xml"]  # not the .html


def test_entries_that_embed_their_alert_give_no_links() -> None:
    assert feed_links(read("atom_embedded.xml")) == []


def test_what_is_not_a_feed_or_an_alert_is_refused() -> None:
    with pytest.raises(SourceError, match="not an Atom or RSS feed"):
        feed_links(read(LYG))
    with pytest.raises(SourceError, match="neither a CAP alert nor a feed"):
        parse_cap_documents(b"<html><body>503 Service Unavailable</body></html>")


def test_values_are_frozen() -> None:
    info = load(LYG).infos[0]
    assert isinstance(info, CapInfo)
    with pytest.raises(AttributeError):
        info.event = "changed"  # type: ignore[misc]
