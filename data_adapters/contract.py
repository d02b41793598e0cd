"""The adapter contract: what every source adapter offers and what it hands back.

An adapter has two capabilities, after the Grafana plugin SDK's CheckHealth and QueryData:

- `check() -> Health` never raises: ok or not, a message an operator understands, details.
- `close()` releases connections; the adapter may be used again after it.
- `poll(since) -> Batch`: the rows whose cursor is at or after the watermark `since` (None for
  the first poll), normalised to the fields of the domain table the source feeds, plus the
  rows that failed (with the raw record and the reason), plus the next watermark.

Errors say what to do next (after the Meltano SDK and Airbyte CDK):

    AdapterError
     ├── ConfigError      do not retry: bad URL, unknown table, 401/403, missing secret
     ├── TransientError   retry with backoff: timeout, connection refused, 429, 5xx
     └── SourceError      the source sent something we cannot read (malformed JSON,
                          truncated XML): retry later, but tell the operator it is theirs

Each error carries `operator_message` (for the sources page) and `detail` (for the log).

Watermarks are small JSON dicts handled by pure functions (Singer's bookmarks): `cursor` is
the newest cursor value delivered, never later than a point taken before the poll began (the
"signpost"), so a row committed at the source during a poll is never skipped. Rows with the
watermark's cursor value are read again by the next poll (`cursor >= since`) and deduplicated
by the source key on upsert.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

Watermark = dict[str, Any]


@dataclass(frozen=True)
class Health:
    """The result of `Adapter.check()`: a value, never an exception."""

    ok: bool
    message: str
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Record:
    """One row for a domain table: the source's own key and the normalised fields."""

    key: str
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class Rejected:
    """A row that could not be read: the raw text as received and why it was refused."""

    raw: str
    reason: str


@dataclass(frozen=True)
class Batch:
    """What one poll returns. `more` is True when a page limit stopped the poll early."""

    records: list[Record]
    watermark: Watermark | None
    rejected: list[Rejected] = field(default_factory=list)
    more: bool = False


class AdapterError(Exception):
    """Base of the adapter errors: one message for the operator, one detail for the log."""

    kind = "source"

    def __init__(self, operator_message: str, detail: str = "") -> None:
        super().__init__(operator_message)
        self.operator_message = operator_message
        self.detail = detail or operator_message


class ConfigError(AdapterError):
    """Our side is wrong (configuration, credentials, permissions): retrying will not help."""

    kind = "config"


class TransientError(AdapterError):
    """The source is unavailable for now: retry with backoff, or after `retry_after` seconds."""

    kind = "transient"

    def __init__(
        self, operator_message: str, detail: str = "", retry_after: float | None = None
    ) -> None:
        super().__init__(operator_message, detail)
        self.retry_after = retry_after


class SourceError(AdapterError):
    """The source answered with something that cannot be read."""

    kind = "source"


@runtime_checkable
class Adapter(Protocol):
    """A source of rows for one domain table."""

    def check(self) -> Health: ...

    def poll(self, since: Watermark | None) -> Batch: ...

    def close(self) -> None: ...
