"""Query parameters: read, checked and turned into values, or `ParameterError` saying why not.

Every protocol reports a `ParameterError` as an HTTP 400 in its own error format
(`simulator.server.responses`), so a client always learns which parameter was wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from werkzeug.exceptions import BadRequest

from .timefmt import parse_time


class ParameterError(BadRequest):
    """A query parameter that cannot be used; `description` says which and why."""


def int_param(
    args: Mapping[str, str], name: str, default: int, minimum: int, maximum: int | None = None
) -> int:
    """A whole-number parameter within `minimum`..`maximum`, or `default` when absent."""
    text = args.get(name)
    if text is None or not text.strip():
        return default
    try:
        value = int(text.strip())
    except ValueError:
        raise ParameterError(f"{name} must be a whole number, got {text!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
        raise ParameterError(f"{name} must be {bound}, got {value}")
    return value


def time_param(args: Mapping[str, str], name: str) -> datetime | None:
    """An ISO 8601 time parameter as aware UTC, or None when absent."""
    text = args.get(name)
    if text is None or not text.strip():
        return None
    try:
        return parse_time(text, name)
    except ValueError as exc:
        raise ParameterError(str(exc)) from None


def list_param(
    args: Mapping[str, str], name: str, allowed: frozenset[str] | None = None
) -> list[str]:
    """A comma-separated parameter as a list (empty when absent), each value in `allowed`."""
    values = [v.strip() for v in (args.get(name) or "").split(",") if v.strip()]
    if allowed is not None:
        wrong = [v for v in values if v not in allowed]
        if wrong:
            raise ParameterError(
                f"{name} {', '.join(wrong)} is not one of {', '.join(sorted(allowed))}"
            )
    return values
