"""The Open311 GeoReport v2 adapter: date windows split at the server's cap, the watermark
with its overlap, posts records, the parser's rejects, encodings and secrets.

The real Bloomington samples (`shared/samples/open311/`, see SOURCES.md) are served as they
are; the other feeds are written here after the Lianyungang 12345 hotline's.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from data_adapters.contract import ConfigError, SourceError, TransientError
from data_adapters.domain import validate_row
from data_adapters.geo.coords import gcj02_to_wgs84
from data_adapters.parsers.open311 import DEFAULT_MAX_TEXT, TRUNCATION_MARK
from data_adapters.sources.open311 import Open311Adapter, halves, split_span
from tests.sources.httpserver import LoopbackServer, Recorder, Reply, Seen, Sleeps
from tests.support.samples import sample_bytes
from tests.support.services import free_port

URL = "https://12345.lyg.example/open311/v2"
PATH = "/open311/v2/requests.json"
API_KEY = "georeport-key-20261101"


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def ticket(number: int, requested: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "service_request_id": f"2026{number:08d}",
        "status": "open",
        "service_code": "CG-01",
        "service_name": "市容环境",
        "description": f"朝阳东路垃圾堆放 #{number}",
        "requested_datetime": requested.isoformat(),
        "updated_datetime": requested.isoformat(),
        "address": "连云港市海州区朝阳东路",
        "lat": 34.5961,
        "long": 119.2198,
        **extra,
    }


@dataclass
class FakeGeoReport:
    """A GeoReport v2 server: requests by `requested_datetime` within the window, newest
    first, at most `cap` of them, as real servers answer."""

    tickets: list[dict[str, Any]] = field(default_factory=list)
    cap: int = 1000
    windows: list[tuple[datetime, datetime]] = field(default_factory=list)

    def __call__(self, seen: Seen) -> Reply:
        start, end = parse(seen.query["start_date"]), parse(seen.query["end_date"])
        self.windows.append((start, end))
        rows = [t for t in self.tickets if start <= parse(t["requested_datetime"]) <= end]
        rows.sort(key=lambda t: parse(t["requested_datetime"]), reverse=True)
        return Reply(rows[: self.cap])


@pytest.fixture
def opened():
    adapters: list[Open311Adapter] = []
    yield adapters
    for adapter in adapters:
        adapter.close()


@pytest.fixture
def make(opened):
    def build(routes: Recorder | Any, **options: Any) -> Open311Adapter:
        recorder = routes if isinstance(routes, Recorder) else Recorder({PATH: routes})
        adapter = Open311Adapter.from_options(
            {"url": URL, **options}, transport=recorder.transport(), sleep=Sleeps()
        )
        opened.append(adapter)
        return adapter

    return build


def recent(minutes: int) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=minutes)


# --- the real Bloomington samples -------------------------------------------------------------


def test_the_real_bloomington_requests_become_posts(make) -> None:
    body = sample_bytes("open311/open311status_bloomington_requests.json")
    day = datetime(2012, 5, 22, tzinfo=UTC)

    def route(seen: Seen) -> Reply:
        start, end = parse(seen.query["start_date"]), parse(seen.query["end_date"])
        return Reply(body if start <= day <= end else b"[]")

    adapter = make(route, window_days=90)
    batch = adapter.poll({"cursor": day.isoformat()})
    assert len(batch.records) == 21 and batch.rejected == []
    posts = {r.key: r.fields for r in batch.records}
    closed = posts["4fbd14bbb1fe2c5214000000"]
    assert closed["channel"] == "12345" and closed["category"] == "Yard Waste"
    assert closed["status"] == "closed"
    assert closed["closed_at"] == datetime(2012, 5, 23, 16, 47, 59, tzinfo=UTC)
    assert closed["posted_at"] == datetime(2012, 5, 23, 16, 47, 55, tzinfo=UTC)
    assert closed["place"] == "3313 E Mulberry CT"
    weeds = posts["4fbd2b76b1fe2c195f000000"]
    assert weeds["lon"] is None and weeds["lat"] is None, "0/0 is no location"
    assert "\r" not in posts["4fbd40b2b1fe2c4b02000001"]["text"]
    for fields in posts.values():
        validate_row("posts", dict(fields))  # every record fits the posts table
    assert batch.more, "14 years of 90-day windows take more than one poll"
    assert batch.watermark["resume"] is True


def test_check_counts_the_real_services(make) -> None:
    services = sample_bytes("open311/open311status_bloomington_services.json")
    recorder = Recorder({"/open311/v2/services.json": Reply(services)})
    health = make(recorder, jurisdiction_id="lyg.gov.cn").check()
    assert health.ok and health.details["services"] == 46
    assert health.message == "the Open311 server lists 46 service(s)"
    assert recorder.seen[0].query == {"jurisdiction_id": "lyg.gov.cn"}


# --- windows ----------------------------------------------------------------------------------


def test_windows_walk_from_the_backfill_to_now_with_the_params(make, monkeypatch) -> None:
    monkeypatch.setenv("LYG_311_KEY", API_KEY)
    server = FakeGeoReport([ticket(1, recent(60 * 24 * 10))])
    recorder = Recorder({PATH: server})
    adapter = make(
        recorder, backfill_days=20, window_days=7, jurisdiction_id="lyg", api_key_env="LYG_311_KEY"
    )
    batch = adapter.poll(None)
    assert [r.key for r in batch.records] == ["202600000001"]
    assert len(server.windows) == 3
    assert all(a[1] == b[0] for a, b in zip(server.windows, server.windows[1:], strict=False))
    assert datetime.now(UTC) - server.windows[-1][1] < timedelta(minutes=1)
    query = recorder.seen[0].query
    assert query["jurisdiction_id"] == "lyg" and query["api_key"] == API_KEY
    assert query["start_date"].endswith("Z") and "T" in query["start_date"]


def test_a_window_at_the_page_cap_is_split_so_nothing_is_missed(make) -> None:
    base = recent(60 * 24)
    server = FakeGeoReport([ticket(i, base + timedelta(minutes=7 * i)) for i in range(10)], cap=3)
    batch = make(server, backfill_days=2, window_days=2, page_cap=3).poll(None)
    assert sorted(r.key for r in batch.records) == [f"2026{i:08d}" for i in range(10)]
    assert len(server.windows) > 3 and not batch.more
    first, second = halves(server.windows[0])
    assert server.windows[1:3] == [first, second]


def test_window_helpers() -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    windows = split_span(start, start + timedelta(days=10), timedelta(days=4))
    assert [(b - a).days for a, b in windows] == [4, 4, 2]
    assert halves((start, start + timedelta(seconds=61))) == (
        (start, start + timedelta(seconds=30)),
        (start + timedelta(seconds=30), start + timedelta(seconds=61)),
    )


def test_max_pages_sets_more_and_the_next_poll_goes_on_without_overlap(make) -> None:
    server = FakeGeoReport([ticket(1, recent(60 * 24 * 50))])
    adapter = make(server, backfill_days=90, window_days=1, max_pages=20)
    first = adapter.poll(None)
    assert first.more and len(server.windows) == 20
    assert first.watermark == {"cursor": server.windows[-1][1].isoformat(), "resume": True}
    second = adapter.poll(first.watermark)
    assert server.windows[20][0] == server.windows[19][1], "resumes exactly where it stopped"
    assert second.more


# --- the watermark ----------------------------------------------------------------------------


def test_the_watermark_is_the_newest_update_and_the_next_poll_overlaps(make) -> None:
    updated = recent(30)
    server = FakeGeoReport(
        [ticket(1, recent(120), updated_datetime=updated.isoformat()), ticket(2, recent(90))]
    )
    adapter = make(server, backfill_days=1)
    first = adapter.poll(None)
    assert first.watermark == {"cursor": updated.isoformat()}
    adapter.poll(first.watermark)
    assert server.windows[-1][0] == updated - timedelta(minutes=10)


def test_time_going_backwards_does_not_move_the_watermark_back(make) -> None:
    server = FakeGeoReport([ticket(1, recent(60))])
    later = {"cursor": recent(5).isoformat()}
    assert make(server).poll(later).watermark == later


def test_the_watermark_never_passes_the_signpost(make) -> None:
    future = datetime.now(UTC) + timedelta(days=1)
    server = FakeGeoReport([ticket(1, recent(60), updated_datetime=future.isoformat())])
    batch = make(server, backfill_days=1).poll(None)
    assert parse(batch.watermark["cursor"]) <= datetime.now(UTC)


def test_an_empty_first_poll_has_no_watermark(make) -> None:
    batch = make(FakeGeoReport(), backfill_days=1).poll(None)
    assert batch.records == [] and batch.watermark is None and not batch.more


# --- records ----------------------------------------------------------------------------------


def test_duplicates_keep_the_newest_update_and_the_parser_rejects_pass_through(make) -> None:
    when = recent(100)
    older = ticket(1, when, status="open")
    newer = ticket(1, when, status="closed", updated_datetime=recent(50).isoformat())
    broken = ticket(2, when, status="lost")
    batch = make(Reply([newer, older, broken]), backfill_days=1).poll(None)
    assert [(r.key, r.fields["status"]) for r in batch.records] == [("202600000001", "closed")]
    assert batch.records[0].fields["closed_at"] == recent(50)
    reasons = sorted(r.reason for r in batch.rejected)
    assert any("unknown status 'lost'" in reason for reason in reasons)
    assert any("superseded" in reason for reason in reasons)


def test_duplicates_across_windows_keep_the_newest_update(make) -> None:
    when = recent(60 * 24 * 3)
    copies = iter(
        [
            [ticket(1, when, status="closed", updated_datetime=recent(10).isoformat())],
            [ticket(1, when, status="open")],
        ]
    )
    route = lambda seen: Reply(next(copies, []))  # noqa: E731
    batch = make(route, backfill_days=4, window_days=2).poll(None)
    assert [r.fields["status"] for r in batch.records] == ["closed"]


def test_text_falls_back_to_the_service_name_and_html_stays_text(make) -> None:
    rows = [
        ticket(1, recent(60), description=""),
        ticket(2, recent(60), description="<script>alert(1)</script><b>井盖</b>缺失"),
        ticket(3, recent(60), description="", service_name="", service_code=""),
    ]
    batch = make(Reply(rows), backfill_days=1, category_from="service_code").poll(None)
    texts = {r.key: r.fields["text"] for r in batch.records}
    assert texts["202600000001"] == "市容环境"
    assert texts["202600000002"] == "<script>alert(1)</script><b>井盖</b>缺失"
    assert batch.records[0].fields["category"] == "CG-01"
    assert [r.reason for r in batch.rejected] == ["no description or service name to use as text"]


def test_a_10_mb_description_is_cut_by_the_parser(make) -> None:
    rows = [ticket(1, recent(60), description="噪" * 10_000_000)]
    batch = make(Reply(rows), backfill_days=1).poll(None)
    text = batch.records[0].fields["text"]
    assert len(text) == DEFAULT_MAX_TEXT and text.endswith(TRUNCATION_MARK)


def test_gbk_declared_as_utf8_is_read_by_the_parser_fallback(make) -> None:
    body = json.dumps([ticket(1, recent(60))], ensure_ascii=False).encode("gbk")
    reply = Reply(body, headers={"Content-Type": "application/json; charset=utf-8"})
    batch = make(reply, backfill_days=1).poll(None)
    assert batch.records[0].fields["text"] == "朝阳东路垃圾堆放 #1"


def test_xml_requests(make) -> None:
    when = recent(60).isoformat()
    xml = (
        '<?xml version="1.0" encoding="utf-8"?><service_requests><request>'
        "<service_request_id>X-1</service_request_id><status>Closed</status>"
        f"<service_name>路灯</service_name><requested_datetime>{when}</requested_datetime>"
        f"<updated_datetime>{when}</updated_datetime></request></service_requests>"
    )
    recorder = Recorder({"/open311/v2/requests.xml": Reply(xml)})
    batch = make(recorder, format="xml", backfill_days=1).poll(None)
    assert [(r.key, r.fields["text"], r.fields["status"]) for r in batch.records] == [
        ("X-1", "路灯", "closed")
    ]


def test_gcj02_coordinates_become_wgs84_and_long_places_are_cut(make) -> None:
    rows = [ticket(1, recent(60), address="海" * 300, district="320706")]
    batch = make(Reply(rows), backfill_days=1, crs="gcj02", district_field="district").poll(None)
    fields = batch.records[0].fields
    assert (fields["lon"], fields["lat"]) == pytest.approx(gcj02_to_wgs84(119.2198, 34.5961))
    assert abs(fields["lon"] - 119.2198) > 0.003, "moved by the GCJ-02 offset"
    assert len(fields["place"]) == 255 and fields["district"] == "320706"
    validate_row("posts", dict(fields))


# --- faults -----------------------------------------------------------------------------------


def test_malformed_json_is_a_source_error_naming_the_position(make) -> None:
    with pytest.raises(SourceError, match="line 1 column"):
        make(Reply(b'[{"service_request_id": 1,,}]'), backfill_days=1).poll(None)


def test_an_api_key_never_appears_in_errors_or_logs(make, monkeypatch, caplog) -> None:
    monkeypatch.setenv("LYG_311_KEY", API_KEY)
    caplog.set_level(logging.DEBUG)
    refused = Reply(f"api_key {API_KEY} is not valid", status=403)
    adapter = make(refused, api_key_env="LYG_311_KEY", backfill_days=1)
    with pytest.raises(ConfigError) as caught:
        adapter.poll(None)
    error = caught.value
    assert "refused our credentials (HTTP 403)" in error.operator_message
    for text in (str(error), error.detail, caplog.text, adapter.check().message):
        assert API_KEY not in text
    assert "requests.json" in caplog.text or "requests.json" in error.detail


def test_a_missing_api_key_variable_is_a_config_error(make, monkeypatch) -> None:
    monkeypatch.delenv("LYG_311_KEY", raising=False)
    adapter = make(Reply([]), api_key_env="LYG_311_KEY")
    with pytest.raises(ConfigError, match="LYG_311_KEY"):
        adapter.poll(None)
    assert "LYG_311_KEY" in adapter.check().message


def test_a_429_with_retry_after_is_honoured_then_transient(opened) -> None:
    sleeps = Sleeps()
    recorder = Recorder({PATH: Reply("busy", status=429, headers={"Retry-After": "7"})})
    adapter = Open311Adapter.from_options(
        {"url": URL, "backfill_days": 1, "http": {"max_retries": 3}},
        transport=recorder.transport(),
        sleep=sleeps,
    )
    opened.append(adapter)
    with pytest.raises(TransientError) as caught:
        adapter.poll(None)
    assert sleeps == [7, 7, 7] and caught.value.retry_after == 7


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"window_days": 120}, "window_days"),
        ({"format": "csv"}, "format"),
        ({"max_pages": 5}, "max_pages"),
    ],
)
def test_bad_options_are_config_errors(options: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Open311Adapter.from_options({"url": URL, **options})


# --- against a real server on 127.0.0.1 -------------------------------------------------------


def test_a_source_that_is_down_is_transient_and_unhealthy() -> None:
    url = f"http://127.0.0.1:{free_port()}/open311/v2"
    adapter = Open311Adapter.from_options({"url": url, "http": {"max_retries": 0}})
    try:
        with pytest.raises(TransientError, match="could not be reached"):
            adapter.poll(None)
        health = adapter.check()
    finally:
        adapter.close()
    assert not health.ok and health.details["kind"] == "transient"


def test_a_real_server_on_loopback() -> None:
    server = FakeGeoReport([ticket(i, recent(30 * i)) for i in range(1, 4)])
    with LoopbackServer({PATH: server, "/open311/v2/services.json": Reply([])}) as loopback:
        adapter = Open311Adapter.from_options(
            {
                "url": loopback.url + "/open311/v2",
                "backfill_days": 1,
                "http": {"timeout_seconds": 5},
            }
        )
        try:
            batch = adapter.poll(None)
            health = adapter.check()
        finally:
            adapter.close()
    assert sorted(r.key for r in batch.records) == [f"2026{i:08d}" for i in range(1, 4)]
    assert health.ok and health.details["services"] == 0
