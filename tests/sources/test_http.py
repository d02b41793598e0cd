"""The generic JSON REST adapter: the five paging styles, incremental polls with the signpost,
resuming after max_pages, loop guards, rejects, faults and secrets."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from data_adapters.contract import ConfigError, Rejected, SourceError, TransientError
from data_adapters.domain import validate_row
from data_adapters.sources.http import HttpAdapter, newer, next_link_header, read_cursor
from tests.sources.httpserver import LoopbackServer, Recorder, Reply, Seen, Sleeps
from tests.support.services import free_port

URL = "https://exchange.example.cn/api/v1/air"
PATH = "/api/v1/air"
T0 = datetime(2026, 11, 1, tzinfo=UTC)
TOKEN = "exchange-token-0123456789"
OBSERVATIONS = {
    "key": ["id"],
    "fields": {
        "indicator": "indicator",
        "district": "district.code",
        "observed_at": "updated_at",
        "value": "value",
    },
}
POSTS = {
    "key": ["id"],
    "fields": {"text": "text", "posted_at": "updated_at"},
    "constants": {"channel": "exchange"},
}


def row(i: int, minutes: int | None = None, **extra: Any) -> dict[str, Any]:
    moment = T0 + timedelta(minutes=i if minutes is None else minutes)
    return {
        "id": i,
        "indicator": "aqi",
        "district": {"code": "320706"},
        "updated_at": moment.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "value": float(i),
        **extra,
    }


@pytest.fixture
def opened():
    adapters: list[HttpAdapter] = []
    yield adapters
    for adapter in adapters:
        adapter.close()


@pytest.fixture
def make(opened):
    def build(routes, **options: Any) -> HttpAdapter:
        handler = routes if isinstance(routes, Recorder) else Recorder({PATH: routes})
        options = {"url": URL, "records_path": "data", "map": OBSERVATIONS, **options}
        adapter = HttpAdapter.from_options(options, transport=handler.transport(), sleep=Sleeps())
        opened.append(adapter)
        return adapter

    return build


def paged(rows: list[dict], *, size_param: str = "page_size", cap: int | None = None):
    """A server paging `rows` by ?page=&page_size= (or ?offset=&limit=)."""

    def route(seen: Seen) -> Reply:
        if "offset" in seen.query:
            start, size = int(seen.query["offset"]), int(seen.query["limit"])
        else:
            size = int(seen.query[size_param])
            start = (int(seen.query["page"]) - 1) * size
        size = min(size, cap or size)
        return Reply({"data": rows[start : start + size]})

    return route


def keys(batch) -> list[str]:
    return [r.key for r in batch.records]


# --- paging -----------------------------------------------------------------------------------


def test_one_request_maps_records_from_the_records_path(make) -> None:
    calls = Recorder({PATH: Reply({"data": [row(1), row(2)]})})
    batch = make(calls).poll(None)
    assert keys(batch) == ["1", "2"]
    fields = batch.records[0].fields
    assert fields == {
        "indicator": "aqi",
        "district": "320706",
        "observed_at": T0 + timedelta(minutes=1),
        "value": 1.0,
    }
    assert not batch.more and len(calls.seen) == 1
    validate_row("observations", dict(fields))  # fits the domain table


def test_a_top_level_list_with_an_empty_records_path(make) -> None:
    batch = make(Reply([row(1)]), records_path="").poll(None)
    assert keys(batch) == ["1"]


def test_page_numbers_until_an_empty_page(make) -> None:
    calls = Recorder({PATH: paged([row(i) for i in range(1, 8)])})
    adapter = make(calls, pagination={"style": "page", "size": 3})
    batch = adapter.poll(None)
    assert keys(batch) == [str(i) for i in range(1, 8)]
    assert [s.query["page"] for s in calls.seen] == ["1", "2", "3", "4"]
    assert {s.query["page_size"] for s in calls.seen} == {"3"}


def test_offsets_move_by_the_records_received_when_the_server_caps_the_size(make) -> None:
    calls = Recorder({PATH: paged([row(i) for i in range(1, 8)], cap=2)})
    batch = make(calls, pagination={"style": "offset", "size": 5}).poll(None)
    assert keys(batch) == [str(i) for i in range(1, 8)]
    assert [s.query["offset"] for s in calls.seen] == ["0", "2", "4", "6", "7"]


def test_cursor_pages_follow_next_cursor_until_it_is_null(make) -> None:
    pages = {
        None: {"data": [row(1)], "meta": {"next_cursor": "abc"}},
        "abc": {"data": [row(2)], "meta": {"next_cursor": "def"}},
        "def": {"data": [row(3)], "meta": {"next_cursor": None}},
    }
    calls = Recorder({PATH: lambda seen: Reply(pages[seen.query.get("cursor")])})
    batch = make(calls, pagination={"style": "cursor"}).poll(None)
    assert keys(batch) == ["1", "2", "3"]
    assert [s.query.get("cursor") for s in calls.seen] == [None, "abc", "def"]


def test_next_links_relative_and_absolute(make) -> None:
    pages = {
        "1": {"data": [row(1)], "links": {"next": "?p=2"}},
        "2": {"data": [row(2)], "links": {"next": URL + "?p=3"}},
        "3": {"data": [row(3)], "links": {"next": None}},
    }
    calls = Recorder({PATH: lambda seen: Reply(pages[seen.query.get("p", "1")])})
    batch = make(calls, pagination={"style": "next_link"}).poll(None)
    assert keys(batch) == ["1", "2", "3"]


def test_next_links_in_the_link_header(make) -> None:
    def route(seen: Seen) -> Reply:
        page = int(seen.query.get("page", "1"))
        link = f'<{PATH}?page={page + 1}>; rel="next", <{PATH}?page=1>; rel="first"'
        return Reply({"data": [row(page)]}, headers={"Link": link} if page < 3 else {})

    calls = Recorder({PATH: route})
    adapter = make(calls, pagination={"style": "next_link", "next_link_path": "header"})
    assert keys(adapter.poll(None)) == ["1", "2", "3"]


def test_link_header_parsing() -> None:
    header = '<https://a/x?page=1>; rel="prev", <https://a/x?page=3>; rel="next last"'
    assert next_link_header(header) == "https://a/x?page=3"
    assert next_link_header('<https://a/x>; rel="first"') is None
    assert next_link_header("") is None


def test_a_secret_static_param_is_sent_on_every_page_but_never_stored(make, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    pages = {
        "1": {"data": [row(1)], "links": {"next": "?p=2"}},
        "2": {"data": [row(2)], "links": {"next": "?p=3"}},
        "3": {"data": [row(3)], "links": {}},
    }
    calls = Recorder({PATH: lambda seen: Reply(pages[seen.query.get("p", "1")])})
    adapter = make(
        calls, params={"appKey": "app-key-31415"}, pagination={"style": "next_link"}, max_pages=1
    )
    first = adapter.poll(None)
    assert first.more and first.watermark["resume"]["position"] == URL + "?p=2"
    second = adapter.poll(first.watermark)
    third = adapter.poll(second.watermark)
    assert keys(first) + keys(second) + keys(third) == ["1", "2", "3"]
    assert {s.query["appKey"] for s in calls.seen} == {"app-key-31415"}
    assert "app-key-31415" not in json.dumps([first.watermark, second.watermark])
    assert "app-key-31415" not in caplog.text


def test_a_next_link_naming_an_internal_host_is_rebased(make) -> None:
    pages = {
        "1": {"data": [row(1)], "links": {"next": "http://10.1.2.3:8080/gw/air?p=2"}},
        "2": {"data": [row(2)], "links": {}},
    }
    calls = Recorder({PATH: lambda seen: Reply(pages[seen.query.get("p", "1")])})
    assert keys(make(calls, pagination={"style": "next_link"}).poll(None)) == ["1", "2"]
    assert [s.path for s in calls.seen] == [PATH, PATH]


def test_a_repeated_next_link_stops_with_a_source_error(make) -> None:
    same = Reply({"data": [row(1)], "links": {"next": "?p=2"}})
    adapter = make(same, pagination={"style": "next_link"})
    with pytest.raises(SourceError, match="same next-page link twice"):
        adapter.poll(None)


def test_a_repeated_cursor_stops_with_a_source_error(make) -> None:
    same = Reply({"data": [row(1)], "meta": {"next_cursor": "again"}})
    with pytest.raises(SourceError, match="same next-page cursor twice"):
        make(same, pagination={"style": "cursor"}).poll(None)


def test_a_server_ignoring_the_page_parameter_stops_with_a_source_error(make) -> None:
    same = Reply({"data": [row(1), row(2)]})
    with pytest.raises(SourceError, match="ignore the page parameter"):
        make(same, pagination={"style": "page", "size": 2}).poll(None)


def test_max_pages_sets_more_and_the_next_poll_resumes_with_the_same_query(make) -> None:
    rows = [row(i) for i in range(1, 11)]
    calls = Recorder({PATH: paged(rows)})
    adapter = make(
        calls,
        pagination={"style": "page", "size": 2},
        since_param="updated_since",
        cursor_field="updated_at",
        max_pages=2,
    )
    since = {"cursor": T0.isoformat()}
    first = adapter.poll(since)
    assert first.more and keys(first) == ["1", "2", "3", "4"]
    assert first.watermark["cursor"] == T0.isoformat(), "not committed before the end"
    assert first.watermark["resume"]["position"] == 3
    second = adapter.poll(first.watermark)
    third = adapter.poll(second.watermark)
    assert second.more and not third.more
    assert keys(second) + keys(third) == [str(i) for i in range(5, 11)]
    assert {s.query["updated_since"] for s in calls.seen} == {"2026-11-01T00:00:00Z"}
    assert [s.query["page"] for s in calls.seen] == ["1", "2", "3", "4", "5", "6"]
    assert third.watermark == {"cursor": (T0 + timedelta(minutes=10)).isoformat()}


# --- incremental reading ----------------------------------------------------------------------


def test_the_watermark_is_sent_and_moves_to_the_newest_cursor(make) -> None:
    calls = Recorder({PATH: Reply({"data": [row(3), row(1), row(2)]})})
    adapter = make(calls, since_param="updated_since", cursor_field="updated_at")
    first = adapter.poll(None)
    assert "updated_since" not in calls.seen[0].query
    assert first.watermark == {"cursor": (T0 + timedelta(minutes=3)).isoformat()}
    adapter.poll(first.watermark)
    assert calls.seen[1].query["updated_since"] == "2026-11-01T00:03:00Z"


def test_time_going_backwards_does_not_move_the_watermark_back(make) -> None:
    adapter = make(Reply({"data": [row(1)]}), since_param="since", cursor_field="updated_at")
    later = {"cursor": (T0 + timedelta(hours=5)).isoformat()}
    assert adapter.poll(later).watermark == later


def test_the_watermark_never_passes_the_signpost(make) -> None:
    future = row(1, minutes=0)
    future["updated_at"] = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    batch = make(Reply({"data": [future]}), cursor_field="updated_at").poll(None)
    assert datetime.fromisoformat(batch.watermark["cursor"]) <= datetime.now(UTC)


def test_numeric_cursors(make) -> None:
    rows = [row(1, seq=17), row(2, seq=5)]
    adapter = make(Reply({"data": rows}), since_param="after_seq", cursor_field="seq")
    batch = adapter.poll({"cursor": 3})
    assert batch.watermark == {"cursor": 17}


def test_since_format_as_local_time_text(make) -> None:
    calls = Recorder({PATH: Reply({"data": []})})
    adapter = make(
        calls, since_param="begin", cursor_field="updated_at", since_format="%Y-%m-%d %H:%M:%S"
    )
    batch = adapter.poll({"cursor": T0.isoformat()})
    assert calls.seen[0].query["begin"] == "2026-11-01 08:00:00"  # Asia/Shanghai
    assert batch.watermark == {"cursor": T0.isoformat()}, "an empty poll keeps the watermark"


def test_cursor_helpers() -> None:
    assert read_cursor(12, "UTC") == 12
    assert read_cursor("42", "UTC") == 42
    assert read_cursor("2026-11-01 08:00:00", "Asia/Shanghai") == T0
    assert read_cursor("yesterday", "UTC") is None
    assert read_cursor(True, "UTC") is None
    assert newer(T0, 5) == T0, "a cursor of another kind is ignored"
    assert newer(None, 5) == 5 and newer(7, 5) == 7


# --- records ----------------------------------------------------------------------------------


def test_duplicate_ids_in_one_poll_keep_the_last(make) -> None:
    rows = [row(1), {**row(1), "value": 99.0}, row(2)]
    batch = make(Reply({"data": rows})).poll(None)
    assert sorted(keys(batch)) == ["1", "2"]
    assert {r.key: r.fields["value"] for r in batch.records}["1"] == 99.0


def test_records_that_do_not_fit_are_rejected_with_their_raw_json(make) -> None:
    rows = [row(1), {"indicator": "aqi"}, "not an object", {**row(3), "updated_at": "soon"}]
    batch = make(Reply({"data": rows})).poll(None)
    assert keys(batch) == ["1"]
    assert all(isinstance(r, Rejected) for r in batch.rejected)
    reasons = [r.reason for r in batch.rejected]
    assert "missing key field(s) id" in reasons[0]
    assert reasons[1].startswith("not a JSON object")
    assert "observed_at" in reasons[2]
    assert json.loads(batch.rejected[0].raw) == {"indicator": "aqi"}


def test_a_10_mb_text_field_and_html_are_kept_as_text(make) -> None:
    huge = "长" * 10_000_000
    script = "<script>alert('x')</script><b>积水</b>"
    rows = [{"id": 1, "text": huge, "updated_at": "2026-11-01T08:00:00"}, row(2, text=script)]
    batch = make(Reply({"data": rows}), map=POSTS).poll(None)
    texts = {r.key: r.fields["text"] for r in batch.records}
    assert len(texts["1"]) == 10_000_000, "kept: the ingest's validation quarantines it"
    assert texts["2"] == script


def test_a_missing_records_list_is_a_source_error(make) -> None:
    with pytest.raises(SourceError, match="no list of records at records_path 'data'"):
        make(Reply({"items": []})).poll(None)
    assert make(Reply({"data": None})).poll(None).records == []


# --- faults -----------------------------------------------------------------------------------


def test_malformed_json_is_a_source_error_naming_the_position(make) -> None:
    with pytest.raises(SourceError, match=r"line 2 column 1 \(character 13\)"):
        make(Reply(b'{"data": [1,\n]}')).poll(None)


def test_gbk_declared_as_utf8_is_a_source_error_and_charset_gbk_is_read(make) -> None:
    body = json.dumps({"data": [row(1, place="连云港")]}, ensure_ascii=False).encode("gbk")
    with pytest.raises(SourceError, match="not valid UTF-8"):
        make(Reply(body, headers={"Content-Type": "application/json; charset=utf-8"})).poll(None)
    gbk = Reply(body, headers={"Content-Type": "application/json; charset=gbk"})
    assert keys(make(gbk).poll(None)) == ["1"]


def test_server_errors_are_transient_and_check_reports_them(make) -> None:
    adapter = make(Reply("down", status=503))
    with pytest.raises(TransientError):
        adapter.poll(None)
    health = adapter.check()
    assert not health.ok and health.details["kind"] == "transient"


def test_check_reports_a_readable_api(make) -> None:
    health = make(Reply({"data": [row(1)]})).check()
    assert health.ok and "1 record(s)" in health.message


def test_a_missing_token_shows_in_check_and_is_a_config_error_on_poll(make, monkeypatch) -> None:
    monkeypatch.delenv("EXCHANGE_TOKEN", raising=False)
    adapter = make(Reply({"data": []}), http={"token_env": "EXCHANGE_TOKEN"})
    health = adapter.check()
    assert not health.ok and "EXCHANGE_TOKEN" in health.message
    with pytest.raises(ConfigError, match="EXCHANGE_TOKEN"):
        adapter.poll(None)


def test_the_token_never_appears_in_errors(make, monkeypatch) -> None:
    monkeypatch.setenv("EXCHANGE_TOKEN", TOKEN)
    adapter = make(Reply(f"bad token {TOKEN}", status=401), http={"token_env": "EXCHANGE_TOKEN"})
    with pytest.raises(ConfigError) as caught:
        adapter.poll(None)
    assert TOKEN not in str(caught.value) and TOKEN not in caught.value.detail
    assert TOKEN not in adapter.check().message


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"pagination": {"style": "scroll"}}, "pagination"),
        ({"since_param": "since"}, "since_param needs cursor_field"),
        ({"url": "exchange.example.cn/api"}, "url"),
        ({"max_pages": 0}, "max_pages"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_options_are_config_errors(options: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        HttpAdapter.from_options({"url": URL, "map": OBSERVATIONS, **options})


# --- against a real server on 127.0.0.1 -------------------------------------------------------


def test_a_real_server_with_pages_and_a_bearer_token(monkeypatch) -> None:
    monkeypatch.setenv("EXCHANGE_TOKEN", TOKEN)
    rows = [row(i) for i in range(1, 6)]
    with LoopbackServer({PATH: paged(rows)}) as server:
        adapter = HttpAdapter.from_options(
            {
                "url": server.url + PATH,
                "http": {"token_env": "EXCHANGE_TOKEN", "timeout_seconds": 5},
                "records_path": "data",
                "pagination": {"style": "page", "size": 2},
                "cursor_field": "updated_at",
                "map": OBSERVATIONS,
            }
        )
        try:
            batch = adapter.poll(None)
        finally:
            adapter.close()
    assert keys(batch) == ["1", "2", "3", "4", "5"]
    assert {s.headers["authorization"] for s in server.seen} == {f"Bearer {TOKEN}"}
    assert batch.watermark == {"cursor": (T0 + timedelta(minutes=5)).isoformat()}


def test_a_source_that_is_down_is_transient_and_unhealthy() -> None:
    url = f"http://127.0.0.1:{free_port()}{PATH}"
    options = {"url": url, "map": OBSERVATIONS, "http": {"max_retries": 1}}
    adapter = HttpAdapter.from_options(options, sleep=Sleeps())
    try:
        with pytest.raises(TransientError, match="could not be reached"):
            adapter.poll(None)
        health = adapter.check()
    finally:
        adapter.close()
    assert not health.ok and health.details["kind"] == "transient"


def test_a_slow_source_times_out_instead_of_hanging() -> None:
    with LoopbackServer({PATH: Reply({"data": []}, delay=5)}) as server:
        options = {
            "url": server.url + PATH,
            "records_path": "data",
            "map": OBSERVATIONS,
            "http": {"timeout_seconds": 0.5, "max_retries": 1},
        }
        adapter = HttpAdapter.from_options(options, sleep=Sleeps())
        started = time.monotonic()
        try:
            with pytest.raises(TransientError, match=r"did not answer within 0\.5 s"):
                adapter.poll(None)
        finally:
            adapter.close()
        assert time.monotonic() - started < 3.0, "two attempts of 0.5 s, not five seconds"
