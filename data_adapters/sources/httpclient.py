"""The HTTP client the HTTP adapters share: the one place where status codes, retries,
timeouts, redirects, size limits, secrets and JSON decoding are handled.

What a response means is data, after the Airbyte CDK's default error mapping: `STATUS_TABLE`
maps each status to an action and a sentence for the operator.

    2xx                  ok
    401, 403             ConfigError at once (our credentials)
    404                  ConfigError at once (our URL)
    408, 425, 429, 5xx   retried with backoff, then TransientError
    other 4xx            SourceError at once
    anything else        SourceError at once

Retries wait `backoff_seconds * 2**attempt` with jitter, at most 60 s. A `Retry-After` (seconds
or an HTTP date) on a 429 or 503 replaces that wait; it is capped at 300 s and carried on the
final `TransientError` as `retry_after`. A `Retry-After` longer than 60 s is not slept through
inside a poll: the error is raised at once and the clock schedules the next try.

Timeouts, refused connections and broken connections are retried, then reported in a plain
sentence ("the source did not answer within 20 s"). A response body is read within the
timeout as a whole (a server trickling bytes cannot hold a poll) and within `max_bytes`.

Secrets come from environment variables named in the settings (`token_env` for a bearer token,
`header_auth` for API-key headers). They are sent only to the server a request was made for
(redirects to another server lose them) and never appear in an error, a detail or a log line:
every message goes through `HttpClient.redact`, which also masks the values of query
parameters with secret-looking names.

The bottom of the module holds the few helpers the HTTP adapters share (options, health,
next-page links, UTC times), so the adapters themselves stay short.
"""

from __future__ import annotations

import codecs
import json
import logging
import os
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import Enum
from typing import Any, Self, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from data_adapters.contract import (
    AdapterError,
    ConfigError,
    Health,
    SourceError,
    TransientError,
)
from data_adapters.domain import describe

log = logging.getLogger("cityops.http")

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
MAX_BACKOFF_SECONDS = 60.0
MAX_RETRY_AFTER_SECONDS = 300.0
MAX_REDIRECTS = 5
EXCERPT_CHARS = 200
_ERROR_BODY_BYTES = 4096
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RETRY_AFTER_STATUSES = frozenset({429, 503})
_SECRET_PARAM = re.compile(r"key|token|secret|passw|pwd|sign|auth|credential", re.IGNORECASE)
_CHARSET = re.compile(r"charset\s*=\s*\"?([\w.:-]+)", re.IGNORECASE)
_GB_ALIASES = frozenset({"gb2312", "gbk", "cp936", "x-gbk", "gb_2312-80", "euc-cn"})
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DEFAULT_PORTS = {"http": 80, "https": 443}

M = TypeVar("M", bound=BaseModel)


class HttpSettings(BaseModel):
    """How to talk to one HTTP source: timeouts, retries, headers and where secrets live."""

    model_config = ConfigDict(extra="forbid")

    timeout_seconds: float = Field(default=20, gt=0, le=600)
    max_retries: int = Field(default=4, ge=0, le=10)
    backoff_seconds: float = Field(default=1.0, ge=0, le=MAX_BACKOFF_SECONDS)
    headers: dict[str, str] = Field(default_factory=dict)
    token_env: str | None = None
    header_auth: dict[str, str] = Field(default_factory=dict)
    verify_tls: bool = True
    user_agent: str = "CityOpsCentre/0.1 (city operations centre data adapter)"
    max_bytes: int = Field(default=DEFAULT_MAX_BYTES, ge=1)


# --- the status table -------------------------------------------------------------------------


class Action(Enum):
    """What to do with a response."""

    OK = "ok"
    RETRY = "retry"  # retry with backoff, then TransientError
    CONFIG = "config"  # ConfigError at once: our side is wrong
    SOURCE = "source"  # SourceError at once: the source's side is wrong


@dataclass(frozen=True)
class StatusRule:
    """The action for some statuses and the operator's sentence (`{status}` is filled in)."""

    statuses: range | frozenset[int]
    action: Action
    message: str


STATUS_TABLE: tuple[StatusRule, ...] = (
    StatusRule(range(200, 300), Action.OK, ""),
    StatusRule(
        frozenset({401, 403}),
        Action.CONFIG,
        "the source refused our credentials (HTTP {status}): check the token or API key",
    ),
    StatusRule(
        frozenset({404}),
        Action.CONFIG,
        "the source has nothing at this address (HTTP 404): check the URL",
    ),
    StatusRule(frozenset({408}), Action.RETRY, "the source timed out our request (HTTP 408)"),
    StatusRule(
        frozenset({425, 429}), Action.RETRY, "the source asked us to slow down (HTTP {status})"
    ),
    StatusRule(frozenset({503}), Action.RETRY, "the source is unavailable for now (HTTP 503)"),
    StatusRule(range(500, 600), Action.RETRY, "the source had a server error (HTTP {status})"),
    StatusRule(range(400, 500), Action.SOURCE, "the source rejected our request (HTTP {status})"),
)
_UNEXPECTED = StatusRule(
    range(0), Action.SOURCE, "the source answered with an unexpected HTTP status {status}"
)


def rule_for(status: int) -> StatusRule:
    """The first rule of `STATUS_TABLE` that covers `status`."""
    return next((rule for rule in STATUS_TABLE if status in rule.statuses), _UNEXPECTED)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A `Retry-After` header (seconds or an HTTP date) in seconds, capped at 300 s."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = (moment - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


# --- responses --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HttpResponse:
    """A successful response, read whole: `url` is where it came from after redirects."""

    url: str
    status: int
    headers: httpx.Headers
    content: bytes
    display_url: str

    @property
    def charset(self) -> str | None:
        match = _CHARSET.search(self.headers.get("content-type", ""))
        return match.group(1) if match else None

    def text(self) -> str:
        """The body as text: a BOM first, then the declared charset, else UTF-8."""
        return decode_text(self.content, self.charset, self.display_url)

    def json(self) -> Any:
        """The body as JSON, or `SourceError` saying where it stops being JSON."""
        return decode_json(self.content, self.charset, self.display_url)


def decode_text(content: bytes, charset: str | None, where: str = "the source") -> str:
    """`content` decoded: a BOM wins, then the declared charset (GBK as GB18030), then UTF-8."""
    for bom, codec in _BOMS:
        if content.startswith(bom):
            return content.decode(codec, errors="replace")
    declared = (charset or "utf-8").strip().lower()
    codec = "gb18030" if declared in _GB_ALIASES else declared
    try:
        return content.decode(codec)
    except LookupError:
        raise SourceError(
            f"the source declares an unknown character set {charset!r}", f"GET {where}"
        ) from None
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"the source's answer is not valid {declared.upper()} text: byte "
            f"0x{content[exc.start]:02x} at position {exc.start} (is it in another encoding?)",
            f"GET {where}: {exc}",
        ) from None


def decode_json(content: bytes, charset: str | None, where: str = "the source") -> Any:
    """`content` as JSON, or `SourceError` naming the line, column and character."""
    text = decode_text(content, charset, where)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        start = text.lstrip()[:1]
        hint = " (it looks like HTML or XML)" if start == "<" else ""
        raise SourceError(
            f"the source's answer is not valid JSON{hint}: {exc.msg} at line {exc.lineno} "
            f"column {exc.colno} (character {exc.pos})",
            f"GET {where}: {exc}; near {excerpt(text[max(exc.pos - 40, 0) : exc.pos + 40])!r}",
        ) from None
    except RecursionError:
        raise SourceError("the source's answer is JSON nested too deeply to read") from None


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """`text` on one line, at most `limit` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# --- the client -------------------------------------------------------------------------------


class _Retry(Exception):
    """One attempt failed in a way worth another try."""

    def __init__(self, message: str, detail: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.retry_after = retry_after


class HttpClient:
    """One `httpx.Client` with the status table, retries, limits and secret handling.

    `transport` replaces the network (an `httpx.MockTransport` in tests); `sleep` is called
    for every wait between attempts; `secrets` are more values to keep out of messages
    (an API key sent as a query parameter). A missing secret variable is a `ConfigError`.
    """

    def __init__(
        self,
        settings: HttpSettings,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        *,
        secrets: Iterable[str] = (),
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        self._auth = auth_headers(settings, os.environ if environ is None else environ)
        inline = [v for k, v in settings.headers.items() if looks_secret(k)]
        values = [*self._auth.values(), *inline, *secrets]
        values += [value.split(" ", 1)[-1] for value in values]  # "Bearer <token>"
        self._secrets = sorted({s for s in values if len(s) >= 4}, key=len, reverse=True)
        self._client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(settings.timeout_seconds),
            verify=settings.verify_tls,
            headers={"User-Agent": settings.user_agent, **settings.headers},
            follow_redirects=False,
        )
        self._log_filter = _RedactingFilter(self.redact)
        logging.getLogger("httpx").addFilter(self._log_filter)

    def close(self) -> None:
        logging.getLogger("httpx").removeFilter(self._log_filter)
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- requests ----------------------------------------------------------------------------
    def get(
        self, url: str, params: Mapping[str, Any] | None = None, *, max_bytes: int | None = None
    ) -> HttpResponse:
        """GET `url` with retries; the response of a 2xx, or the error the table says."""
        limit = max_bytes or self.settings.max_bytes
        attempts = self.settings.max_retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return self._attempt(url, params, limit)
            except _Retry as failure:
                wait = self._wait(failure, attempt)
                if attempt == attempts or wait is None:
                    raise self._gave_up(failure, attempt) from None
                log.warning(
                    "%s (attempt %d of %d); retrying in %.1f s: %s",
                    failure.message,
                    attempt,
                    attempts,
                    wait,
                    self.redact(failure.detail),
                )
                self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def get_json(self, url: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET `url` and read the body as JSON (`SourceError` with the position if it is not)."""
        return self.get(url, params).json()

    def get_bytes(
        self, url: str, params: Mapping[str, Any] | None = None, *, max_bytes: int | None = None
    ) -> bytes:
        """GET `url` and return the body, refusing one over `max_bytes` (50 MB by default)."""
        return self.get(url, params, max_bytes=max_bytes).content

    # -- secrets -----------------------------------------------------------------------------
    def redact(self, text: str) -> str:
        """`text` with every secret value replaced by `***`."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def safe_url(self, url: str | httpx.URL) -> str:
        """`url` fit for a message: no password, secret-looking parameters masked."""
        try:
            parsed = httpx.URL(str(url))
        except httpx.InvalidURL:
            return self.redact(str(url))
        if parsed.password:
            parsed = parsed.copy_with(username=parsed.username, password="***")
        masked = [
            (name, "***" if looks_secret(name) else value)
            for name, value in parsed.params.multi_items()
        ]
        if masked:
            parsed = parsed.copy_with(params=masked)
        return self.redact(str(parsed).replace("%2A%2A%2A", "***"))

    # -- one attempt -------------------------------------------------------------------------
    def _attempt(self, url: str, params: Mapping[str, Any] | None, limit: int) -> HttpResponse:
        origin = _origin(url)
        target, query = url, params
        for _ in range(MAX_REDIRECTS + 1):
            response = self._send(target, query, origin, limit)
            location = response.headers.get("location")
            if response.status not in _REDIRECTS or not location:
                return self._judge(response)
            target, query = str(httpx.URL(response.url).join(location)), None
        raise SourceError(
            f"the source redirected us more than {MAX_REDIRECTS} times",
            f"GET {self.safe_url(url)}",
        )

    def _send(
        self, url: str, params: Mapping[str, Any] | None, origin: tuple, limit: int
    ) -> HttpResponse:
        headers = self._auth if _origin(url) == origin else {}
        try:
            target = httpx.URL(url).copy_merge_params(params) if params else httpx.URL(url)
            request = self._client.build_request("GET", target, headers=headers)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise ConfigError(
                f"the source URL is not usable: {self.redact(str(exc))}", self.safe_url(url)
            ) from None
        shown = self.safe_url(request.url)
        started = time.monotonic()
        try:
            response = self._client.send(request, stream=True)
            try:
                ok = 200 <= response.status_code < 300
                content = self._read(response, limit if ok else _ERROR_BODY_BYTES, ok, started)
            finally:
                response.close()
        except httpx.TimeoutException as exc:
            raise _Retry(self._timeout_message(), f"GET {shown}: {type(exc).__name__}") from None
        except httpx.ConnectError as exc:
            raise self._connect_error(exc, request.url, shown) from None
        except httpx.UnsupportedProtocol as exc:
            raise ConfigError(f"the source URL is not usable: {exc}", shown) from None
        except httpx.DecodingError as exc:
            raise SourceError(
                "the source's answer could not be decompressed", f"GET {shown}: {exc}"
            ) from None
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise _Retry(
                "the connection to the source broke off", f"GET {shown}: {self.redact(str(exc))}"
            ) from None
        return HttpResponse(
            url=str(request.url),
            status=response.status_code,
            headers=response.headers,
            content=content,
            display_url=shown,
        )

    def _read(self, response: httpx.Response, limit: int, strict: bool, started: float) -> bytes:
        """The body, within the timeout and `limit` bytes (cut quietly for an error body)."""
        shown = self.safe_url(response.request.url)
        declared = response.headers.get("content-length", "")
        if strict and declared.isdigit() and int(declared) > limit:
            raise self._too_large(shown, limit)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                if strict:
                    raise self._too_large(shown, limit)
                break
            if time.monotonic() - started > self.settings.timeout_seconds:
                raise _Retry(self._timeout_message(), f"GET {shown}: body too slow")
        return b"".join(chunks)[:limit]

    def _judge(self, response: HttpResponse) -> HttpResponse:
        rule = rule_for(response.status)
        if rule.action is Action.OK:
            return response
        message = rule.message.format(status=response.status)
        body = excerpt(response.content.decode("utf-8", errors="replace"))
        detail = self.redact(f"GET {response.display_url} -> HTTP {response.status}; {body!r}")
        if rule.action is Action.RETRY:
            retry_after = None
            if response.status in _RETRY_AFTER_STATUSES:
                retry_after = retry_after_seconds(response.headers.get("retry-after"))
            raise _Retry(message, detail, retry_after)
        if rule.action is Action.CONFIG:
            raise ConfigError(message, detail)
        raise SourceError(message, detail)

    # -- failures ----------------------------------------------------------------------------
    def _wait(self, failure: _Retry, attempt: int) -> float | None:
        """Seconds to wait before the next attempt; None to give up now (a long Retry-After)."""
        if failure.retry_after is not None:
            return failure.retry_after if failure.retry_after <= MAX_BACKOFF_SECONDS else None
        ceiling = min(self.settings.backoff_seconds * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS)
        return ceiling * random.uniform(0.5, 1.0)

    def _gave_up(self, failure: _Retry, attempts: int) -> TransientError:
        tries = f" (tried {attempts} times)" if attempts > 1 else ""
        return TransientError(
            self.redact(failure.message + tries),
            self.redact(failure.detail),
            retry_after=failure.retry_after,
        )

    def _timeout_message(self) -> str:
        return f"the source did not answer within {self.settings.timeout_seconds:g} s"

    def _connect_error(self, exc: httpx.ConnectError, url: httpx.URL, shown: str) -> Exception:
        reason = re.sub(r"^\[Errno -?\d+\]\s*", "", str(exc)) or "no reason given"
        if "CERTIFICATE" in reason.upper():
            return ConfigError(
                f"the source's TLS certificate was not accepted at {url.host}: check the "
                "certificate (or, for a known internal server only, set verify_tls = false)",
                self.redact(f"GET {shown}: {reason}"),
            )
        port = url.port or _DEFAULT_PORTS.get(url.scheme, "")
        return _Retry(
            f"the source could not be reached at {url.host}:{port} ({reason.lower()})",
            self.redact(f"GET {shown}: {reason}"),
        )

    def _too_large(self, shown: str, limit: int) -> SourceError:
        return SourceError(
            f"the source's answer is larger than {_size(limit)}; it was refused",
            f"GET {shown}: over max_bytes={limit}",
        )


class _RedactingFilter(logging.Filter):
    """Masks a client's secrets in the records of httpx's own request log."""

    def __init__(self, redact: Callable[[str], str]) -> None:
        super().__init__()
        self._redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self._redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def auth_headers(settings: HttpSettings, environ: Mapping[str, str]) -> dict[str, str]:
    """The secret headers, read from the environment; `ConfigError` naming a missing variable."""
    headers: dict[str, str] = {}
    if settings.token_env:
        headers["Authorization"] = f"Bearer {secret_from(settings.token_env, environ)}"
    for header, variable in settings.header_auth.items():
        headers[header] = secret_from(variable, environ)
    return headers


def secret_from(variable: str, environ: Mapping[str, str] | None = None) -> str:
    """The value of the environment variable `variable`, or `ConfigError` naming it."""
    value = (os.environ if environ is None else environ).get(variable, "").strip()
    if not value:
        raise ConfigError(
            f"the environment variable {variable} (a secret for this source) is not set"
        )
    return value


def _origin(url: str | httpx.URL) -> tuple[str, str, int | None]:
    try:
        parsed = httpx.URL(str(url))
    except httpx.InvalidURL:
        return ("", "", None)
    return (parsed.scheme, parsed.host, parsed.port or _DEFAULT_PORTS.get(parsed.scheme))


def _size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    return f"{limit:,} bytes"


# --- shared by the HTTP adapters --------------------------------------------------------------


def looks_secret(name: str) -> bool:
    """Whether a query parameter or header called `name` probably carries a secret."""
    return bool(_SECRET_PARAM.search(name))


def without_params(url: str, names: Iterable[str]) -> str:
    """`url` without the query parameters called `names` (kept out of stored watermarks)."""
    parsed = httpx.URL(url)
    drop = set(names)
    kept = [(k, v) for k, v in parsed.params.multi_items() if k not in drop]
    return str(parsed.copy_with(params=kept) if kept else parsed.copy_with(query=None))


def parse_options(model: type[M], options: Mapping[str, Any], kind: str) -> M:
    """`options` validated by `model`, or `ConfigError` naming each bad field."""
    try:
        return model.model_validate(options)
    except ValidationError as exc:
        raise ConfigError(f"{kind} source options: {describe(exc)}") from None


def checked(probe: Callable[[], Health], kind: str) -> Health:
    """`probe()`, with any failure turned into an unhealthy `Health`: `check()` never raises."""
    try:
        return probe()
    except AdapterError as exc:
        return Health(ok=False, message=exc.operator_message, details={"kind": exc.kind})
    except Exception as exc:  # our own bug: log it whole, report one line
        log.exception("%s check failed unexpectedly", kind)
        return Health(
            ok=False,
            message=f"internal error while checking this source: {exc}",
            details={"kind": "internal"},
        )


def next_page_url(link: str, current: str, base: str) -> str:
    """A next-page `link` resolved against the `current` page, kept on the `base` server.

    A link to another server (a gateway announcing its internal address) is rebased: its
    query is applied to the current page's URL, so credentials never leave `base`'s server.
    """
    here = httpx.URL(current)
    try:
        resolved = here.join(link.strip())
    except httpx.InvalidURL:
        raise SourceError(f"the source's next-page link {link[:100]!r} is not a URL") from None
    if _origin(resolved) == _origin(base):
        return str(resolved)
    log.info("next-page link on another server (%s); rebased onto %s", resolved.host, here.host)
    return str(here.copy_with(query=resolved.query or None))


def utc_now() -> datetime:
    """Now, aware UTC, to the second (the signpost of a poll)."""
    return datetime.now(UTC).replace(microsecond=0)


def iso_utc(moment: datetime) -> str:
    """A watermark time: ISO 8601 in UTC with `+00:00`, as the SQL adapter writes it."""
    return moment.astimezone(UTC).isoformat()


def query_time(moment: datetime) -> str:
    """A time for a query string: ISO 8601 UTC with a `Z` (milliseconds if any)."""
    moment = moment.astimezone(UTC)
    spec = "milliseconds" if moment.microsecond else "seconds"
    return moment.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def from_iso(value: str) -> datetime:
    """A watermark time back as aware UTC."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def code_text(value: Any) -> str | None:
    """A code (a district's adcode) as text, from text or a whole number; None if empty."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() or None


def cut_text(text: str | None, limit: int) -> str | None:
    """`text` cut to at most `limit` characters, ending in an ellipsis when cut."""
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


class HttpSource:
    """What the HTTP adapters share: options parsed once (`options_model`, whose `http` field
    holds the HTTP settings), a client built on first use (so a missing secret shows on the
    sources page, not at start-up), rebuilt after `close()`, and a `check()` that never
    raises. A subclass names its `kind` and `options_model`, implements `poll()` and
    `_probe()`, and may add `_secrets()`."""

    kind = "http"
    options_model: type[BaseModel]

    def __init__(
        self,
        options: Any,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.options = options
        self._settings: HttpSettings = options.http
        self._transport = transport
        self._sleep = sleep
        self._client: HttpClient | None = None

    @classmethod
    def from_options(
        cls,
        options: Mapping[str, Any],
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> Self:
        """The adapter for `options`; `ConfigError` naming each bad option."""
        return cls(parse_options(cls.options_model, options, cls.kind), transport, sleep)

    @property
    def client(self) -> HttpClient:
        if self._client is None:
            self._client = HttpClient(
                self._settings, self._transport, self._sleep, secrets=self._secrets()
            )
        return self._client

    def check(self) -> Health:
        return checked(self._probe, self.kind)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _probe(self) -> Health:
        raise NotImplementedError

    def _secrets(self) -> list[str]:
        return []
