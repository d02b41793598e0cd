"""The retry schedule after failures, as a table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from data_adapters.clock.backoff import next_due, retry_delay
from data_adapters.contract import ConfigError, SourceError, TransientError


@pytest.mark.parametrize(
    ("failures", "interval", "error", "expected"),
    [
        (0, 300, None, 300),  # healthy: the cycle
        (1, 300, TransientError("t"), 30),
        (2, 300, TransientError("t"), 60),
        (3, 300, TransientError("t"), 120),
        (4, 300, TransientError("t"), 240),
        (5, 300, TransientError("t"), 300),  # never longer than the cycle
        (9, 300, TransientError("t"), 300),
        (3, 10, TransientError("t"), 30),  # fast sources still wait at least 30 s
        (1, 300, TransientError("t", retry_after=120), 120),  # Retry-After wins when longer
        (4, 300, TransientError("t", retry_after=5), 240),
        (1, 300, SourceError("s"), 30),
        (1, 300, ConfigError("c"), 900),  # a person must fix it
        (1, 86400, ConfigError("c"), 86400),
    ],
)
def test_retry_delay(failures, interval, error, expected) -> None:
    assert retry_delay(failures, interval, error) == expected


def test_next_due_adds_the_delay() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert next_due(now, 300, 2, TransientError("t")) == now + timedelta(seconds=60)
