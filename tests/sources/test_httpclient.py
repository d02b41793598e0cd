"""The shared HTTP client: the status table, retries and Retry-After, timeouts, limits,
encodings and secrets, through `httpx.MockTransport` and a real loopback server."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from data_adapters.contract import ConfigError, SourceError, TransientError
from data_adapters.sources.httpclient import (
    MAX_BACKOFF_SECONDS,
    Action,
    HttpClient,
    HttpSettings,
    next_page_url,
    retry_after_seconds,
    rule_for,
)
from tests.sources.httpserver import LoopbackServer, Recorder, Reply, Sleeps
from tests.support.services import free_port

TOKEN = "s3cr3t-token-value-1234"
URL = "https://exchange.example.cn/api/v1/items"


def client(handler, sleeps: Sleeps | None = None, **settings) -> HttpClient:
    transport = httpx.MockTransport(handler)
    return HttpClient(
        HttpSettings(**settings), transport, sleeps if sleeps is not None else Sleeps()
    )


def reply(status: int = 200, **kwargs):
    return lambda request: httpx.Response(status, **kwargs)


# --- the status table -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (200, Action.OK),
        (204, Action.OK),
        (401, Action.CONFIG),
        (403, Action.CONFIG),
        (404, Action.CONFIG),
        (408, Action.RETRY),
        (425, Action.RETRY),
        (429, Action.RETRY),
        (500, Action.RETRY),
        (502, Action.RETRY),
        (503, Action.RETRY),
        (400, Action.SOURCE),
        (410, Action.SOURCE),
        (422, Action.SOURCE),
        (304, Action.SOURCE),
        (999, Action.SOURCE),
    ],
)
def test_status_table(status: int, action: Action) -> None:
    assert rule_for(status).action is action


def test_ok_json_with_params_and_user_agent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        assert request.url.params["since"] == "2026-11-01T00:00:00Z"
        assert request.url.params["fixed"] == "1"  # the URL's own query is kept
        return httpx.Response(200, json={"data": [1, 2]})

    with client(handler) as http:
        assert http.get_json(URL + "?fixed=1", {"since": "2026-11-01T00:00:00Z"}) == {
            "data": [1, 2]
        }
    assert seen[0].headers["user-agent"].startswith("CityOpsCentre")


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_are_a_config_error_without_retry(status: int) -> None:
    sleeps = Sleeps()
    calls = Recorder({"/api/v1/items": Reply("denied", status=status)})
    with client(calls, sleeps) as http, pytest.raises(ConfigError) as caught:
        http.get(URL)
    assert f"the source refused our credentials (HTTP {status})" in caught.value.operator_message
    assert len(calls.seen) == 1 and sleeps == []


def test_not_found_is_a_config_error_about_the_url() -> None:
    with client(reply(404, text="Not Found")) as http, pytest.raises(ConfigError) as caught:
        http.get(URL)
    assert "check the URL" in caught.value.operator_message
    assert URL in caught.value.detail and "404" in caught.value.detail


def test_other_client_errors_are_source_errors_with_a_body_excerpt() -> None:
    with client(reply(422, text="bad field " * 100)) as http, pytest.raises(SourceError) as caught:
        http.get(URL)
    assert "rejected our request (HTTP 422)" in caught.value.operator_message
    assert "bad field" in caught.value.detail and len(caught.value.detail) < 400


def test_server_errors_are_retried_with_capped_backoff_then_transient() -> None:
    sleeps = Sleeps()
    calls = Recorder({"/api/v1/items": Reply("oops", status=500)})
    http = client(calls, sleeps, max_retries=4, backoff_seconds=30)
    with http, pytest.raises(TransientError) as caught:
        http.get(URL)
    assert len(calls.seen) == 5 and len(sleeps) == 4
    assert all(0 < s <= MAX_BACKOFF_SECONDS for s in sleeps)
    assert 15 <= sleeps[0] <= 30, "first wait: backoff_seconds with jitter"
    assert "server error (HTTP 500)" in caught.value.operator_message
    assert "tried 5 times" in caught.value.operator_message
    assert caught.value.retry_after is None


def test_a_retry_that_succeeds_returns_the_answer() -> None:
    answers = iter([httpx.Response(502), httpx.Response(200, json=[1])])
    sleeps = Sleeps()
    with client(lambda request: next(answers), sleeps) as http:
        assert http.get_json(URL) == [1]
    assert len(sleeps) == 1


def test_retry_after_seconds_is_honoured_and_carried() -> None:
    sleeps = Sleeps()
    limited = Reply("slow down", status=429, headers={"Retry-After": "7"})
    http = client(Recorder({"/api/v1/items": limited}), sleeps, max_retries=2)
    with http, pytest.raises(TransientError) as caught:
        http.get(URL)
    assert sleeps == [7, 7]
    assert caught.value.retry_after == 7
    assert "slow down (HTTP 429)" in caught.value.operator_message


def test_a_long_retry_after_is_left_to_the_clock() -> None:
    sleeps = Sleeps()
    unavailable = Reply("", status=503, headers={"Retry-After": "3600"})
    http = client(Recorder({"/api/v1/items": unavailable}), sleeps)
    with http, pytest.raises(TransientError) as caught:
        http.get(URL)
    assert sleeps == [], "no sleeping through minutes inside a poll"
    assert caught.value.retry_after == 300, "capped at 300 s"


def test_retry_after_values() -> None:
    now = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    in_90s = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert retry_after_seconds("7") == 7
    assert retry_after_seconds(in_90s, now) == pytest.approx(90)
    assert retry_after_seconds(format_datetime(now - timedelta(hours=1), usegmt=True), now) == 0
    assert retry_after_seconds("86400") == 300
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_timeouts_are_retried_then_transient_in_plain_words() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    sleeps = Sleeps()
    with client(handler, sleeps, max_retries=1) as http, pytest.raises(TransientError) as caught:
        http.get(URL)
    assert caught.value.operator_message.startswith("the source did not answer within 20 s")
    assert len(sleeps) == 1


def test_malformed_json_names_the_position() -> None:
    body = b'{"data": [1, 2,, 3]}'
    with client(reply(200, content=body)) as http, pytest.raises(SourceError) as caught:
        http.get_json(URL)
    assert "not valid JSON" in caught.value.operator_message
    assert "line 1 column 16 (character 15)" in caught.value.operator_message


def test_an_html_page_instead_of_json_says_so() -> None:
    page = "<html><body>Please log in</body></html>"
    with client(reply(200, text=page)) as http, pytest.raises(SourceError, match="HTML or XML"):
        http.get_json(URL)


def test_gbk_declared_as_utf8_is_a_source_error_and_declared_gbk_is_read() -> None:
    body = '{"name": "连云港市海州区"}'.encode("gbk")
    wrong = {"content-type": "application/json; charset=utf-8"}
    http = client(reply(200, content=body, headers=wrong))
    with http, pytest.raises(SourceError, match="not valid UTF-8 text: byte 0x"):
        http.get_json(URL)
    right = {"content-type": "application/json; charset=GBK"}
    with client(reply(200, content=body, headers=right)) as http:
        assert http.get_json(URL) == {"name": "连云港市海州区"}


def test_a_utf8_bom_is_accepted() -> None:
    with client(reply(200, content=b'\xef\xbb\xbf{"a": 1}')) as http:
        assert http.get_json(URL) == {"a": 1}


def test_bodies_over_max_bytes_are_refused_declared_or_streamed() -> None:
    declared = reply(200, content=b"x" * 2000)
    with client(declared) as http, pytest.raises(SourceError, match="larger than 1,000 bytes"):
        http.get_bytes(URL, max_bytes=1000)

    def streamed(request: httpx.Request) -> httpx.Response:
        chunks = (b"y" * 300 for _ in range(10))  # no Content-Length: chunked
        return httpx.Response(200, content=chunks)

    with client(streamed, max_bytes=1000) as http, pytest.raises(SourceError, match="larger"):
        http.get_bytes(URL)
    with client(reply(200, content=b"z" * 1000)) as http:
        assert len(http.get_bytes(URL, max_bytes=1000)) == 1000


def test_redirects_are_followed_and_secrets_stay_on_the_first_server(monkeypatch) -> None:
    monkeypatch.setenv("EXCHANGE_TOKEN", TOKEN)
    monkeypatch.setenv("EXCHANGE_KEY", "api-key-5678")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/old":
            return httpx.Response(301, headers={"location": "/api/v1/items"})
        if request.url.host == "exchange.example.cn":
            return httpx.Response(302, headers={"location": "https://cdn.example.com/items"})
        return httpx.Response(200, json=[])

    settings = {"token_env": "EXCHANGE_TOKEN", "header_auth": {"X-Api-Key": "EXCHANGE_KEY"}}
    with client(handler, **settings) as http:
        assert http.get_json("https://exchange.example.cn/old") == []
    assert [r.url.host for r in seen] == ["exchange.example.cn"] * 2 + ["cdn.example.com"]
    assert seen[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert seen[1].headers["x-api-key"] == "api-key-5678"
    assert "authorization" not in seen[2].headers and "x-api-key" not in seen[2].headers


def test_endless_redirects_are_a_source_error() -> None:
    loop = reply(302, headers={"location": "/api/v1/items"})
    with client(loop) as http, pytest.raises(SourceError, match="redirected us more than 5"):
        http.get(URL)


def test_a_missing_secret_variable_is_a_config_error_naming_it(monkeypatch) -> None:
    monkeypatch.delenv("NO_SUCH_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="NO_SUCH_TOKEN"):
        HttpClient(HttpSettings(token_env="NO_SUCH_TOKEN"))


def test_secrets_never_reach_messages_details_or_logs(monkeypatch, caplog) -> None:
    monkeypatch.setenv("EXCHANGE_TOKEN", TOKEN)
    echo = f"invalid token {TOKEN}; api_key=query-secret-9999"

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        return httpx.Response(401, text=echo)

    caplog.set_level(logging.DEBUG)
    http = HttpClient(
        HttpSettings(token_env="EXCHANGE_TOKEN"),
        httpx.MockTransport(handler),
        Sleeps(),
        secrets=["query-secret-9999"],
    )
    with http, pytest.raises(ConfigError) as caught:
        http.get(URL, {"api_key": "query-secret-9999", "q": "1"})
    error = caught.value
    for text in (str(error), error.operator_message, error.detail, caplog.text):
        assert TOKEN not in text and "query-secret-9999" not in text
    assert "api_key=***" in error.detail and "q=1" in error.detail


def test_safe_url_masks_passwords_and_secret_parameters() -> None:
    with client(reply(200)) as http:
        shown = http.safe_url("https://user:pw@h.example/x?appKey=abc&access_token=t&page=2")
    assert "pw" not in shown and "abc" not in shown and "=t&" not in shown
    assert "user:***@" in shown and "appKey=***" in shown and "page=2" in shown


def test_an_unusable_url_is_a_config_error() -> None:
    with HttpClient(HttpSettings()) as http, pytest.raises(ConfigError, match="not usable"):
        http.get("ftp://files.example.cn/data.json")
    with HttpClient(HttpSettings()) as http, pytest.raises(ConfigError, match="not usable"):
        http.get("http://[::1/broken")


def test_next_page_links_stay_on_the_configured_server() -> None:
    base = "https://exchange.example.cn/api/v1/items"
    here = base + "?page=1"
    assert next_page_url("?page=2", here, base) == base + "?page=2"
    assert next_page_url("/api/v1/items?page=3", here, base) == base + "?page=3"
    internal = "http://10.0.0.7:8080/internal/items?page=4"
    assert next_page_url(internal, here, base) == base + "?page=4"


# --- against a real server on 127.0.0.1 -------------------------------------------------------


def test_connection_refused_is_transient_after_retries() -> None:
    sleeps = Sleeps()
    url = f"http://127.0.0.1:{free_port()}/api"
    http = HttpClient(HttpSettings(max_retries=2), sleep=sleeps)
    with http, pytest.raises(TransientError) as caught:
        http.get(url)
    assert "could not be reached at 127.0.0.1" in caught.value.operator_message
    assert "connection refused" in caught.value.operator_message
    assert len(sleeps) == 2


def test_a_slow_server_times_out_within_about_the_timeout() -> None:
    with LoopbackServer({"/slow": Reply({"late": True}, delay=5)}) as server:
        started = time.monotonic()
        http = HttpClient(HttpSettings(timeout_seconds=0.5, max_retries=0))
        with http, pytest.raises(TransientError) as caught:
            http.get(server.url + "/slow")
        elapsed = time.monotonic() - started
    assert elapsed < 2.0
    assert caught.value.operator_message == "the source did not answer within 0.5 s"


def test_a_real_server_round_trip_with_a_bearer_token(monkeypatch) -> None:
    monkeypatch.setenv("EXCHANGE_TOKEN", TOKEN)
    server = LoopbackServer({"/api": Reply({"ok": True})})
    with server, HttpClient(HttpSettings(token_env="EXCHANGE_TOKEN")) as http:
        assert http.get_json(server.url + "/api", {"page": 1}) == {"ok": True}
    assert server.seen[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert server.seen[0].query == {"page": "1"}
