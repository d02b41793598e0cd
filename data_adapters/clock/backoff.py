"""When to poll a source again: its cycle when healthy, exponential backoff after failures.

Pure functions, tested with tables (after Redash's `should_schedule_next`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from data_adapters.contract import AdapterError, ConfigError, TransientError

BASE_SECONDS = 30.0
CONFIG_ERROR_SECONDS = 900.0  # a configuration error waits for a person, not for backoff


def retry_delay(failures: int, interval: float, error: AdapterError | None = None) -> float:
    """Seconds to wait after `failures` consecutive failed polls of a source polled every
    `interval` seconds: 30 s doubling each time, never more than the interval itself (nor less
    than a source's `Retry-After`), and 15 minutes for configuration errors."""
    if failures <= 0:
        return interval
    if isinstance(error, ConfigError):
        return max(interval, CONFIG_ERROR_SECONDS)
    delay = min(BASE_SECONDS * 2 ** (failures - 1), max(interval, BASE_SECONDS))
    if isinstance(error, TransientError) and error.retry_after:
        delay = max(delay, error.retry_after)
    return delay


def next_due(
    now: datetime, interval: float, failures: int, error: AdapterError | None = None
) -> datetime:
    """The time of the next poll."""
    return now + timedelta(seconds=retry_delay(failures, interval, error))
