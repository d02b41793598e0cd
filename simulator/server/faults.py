"""Fault injection: make some feeds fail or stall, to test adapters and to show a stale source.

    POST /admin/faults  {"path_prefix": "/open311", "status": 503, "delay_seconds": 0,
                         "for_seconds": 60, "retry_after": null}
    POST /admin/faults  {"clear": true}
    GET  /admin/faults

While a fault is active, each request whose path starts with `path_prefix` waits
`delay_seconds` (woken early when the server stops) and then, if `status` is set, fails with
that status in its protocol's error format (with `Retry-After` when `retry_after` is given);
with `status` null it only stalls. A fault ends after `for_seconds` (null: until cleared).
The newest matching fault wins. Only clients on the loopback interface may use `/admin`,
and `/admin` itself is never faulted.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import Forbidden, HTTPException

from .params import ParameterError
from .responses import json_response

ADMIN_PREFIX = "/admin"
LOOPBACK = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})
MAX_DELAY_SECONDS = 120.0

bp = Blueprint("faults", __name__, url_prefix=ADMIN_PREFIX)


@dataclass(frozen=True)
class Fault:
    """One injected fault."""

    fault_id: int
    path_prefix: str
    status: int | None
    delay_seconds: float
    retry_after: int | None
    until: float | None  # time.monotonic() deadline; None = until cleared

    def active(self, now: float) -> bool:
        return self.until is None or now < self.until

    def describe(self, now: float) -> dict[str, Any]:
        remaining = None if self.until is None else max(0.0, round(self.until - now, 1))
        return {
            "id": self.fault_id,
            "path_prefix": self.path_prefix,
            "status": self.status,
            "delay_seconds": self.delay_seconds,
            "retry_after": self.retry_after,
            "remaining_seconds": remaining,
        }


@dataclass
class FaultTable:
    """The active faults of one app; thread-safe. `stopping` wakes stalled requests."""

    stopping: threading.Event = field(default_factory=threading.Event)
    _faults: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def add(self, spec: dict[str, Any]) -> Fault:
        fault = _fault(next(self._ids), spec, time.monotonic())
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def current(self) -> list[Fault]:
        now = time.monotonic()
        with self._lock:
            self._faults = [f for f in self._faults if f.active(now)]
            return list(self._faults)

    def matching(self, path: str) -> Fault | None:
        if path.startswith(ADMIN_PREFIX):
            return None
        found = [f for f in self.current() if path.startswith(f.path_prefix)]
        return found[-1] if found else None


def install(app: Flask, table: FaultTable) -> None:
    """Check every request against `table` and serve `/admin/faults`."""
    app.before_request(_inject)
    app.register_blueprint(bp)
    app.extensions["cityops_faults"] = table


def _table() -> FaultTable:
    return current_app.extensions["cityops_faults"]


def _inject() -> None:
    table = _table()
    fault = table.matching(request.path)
    if fault is None:
        return
    if fault.delay_seconds:
        table.stopping.wait(fault.delay_seconds)
    if fault.status is not None:
        error = HTTPException(f"injected fault #{fault.fault_id}: HTTP {fault.status}")
        error.code = fault.status
        if fault.retry_after is not None:
            error.retry_after = fault.retry_after  # type: ignore[attr-defined]
        raise error


@bp.before_request
def _loopback_only() -> None:
    if request.remote_addr not in LOOPBACK:
        raise Forbidden("fault injection is only accepted from 127.0.0.1")


@bp.get("/faults")
def list_faults() -> Response:
    now = time.monotonic()
    return json_response({"faults": [f.describe(now) for f in _table().current()]})


@bp.post("/faults")
def add_fault() -> Response:
    spec = request.get_json(silent=True)
    if not isinstance(spec, dict):
        raise ParameterError('send a JSON object, e.g. {"path_prefix": "/open311", ...}')
    table = _table()
    if spec.get("clear") is True:
        table.clear()
        return json_response({"faults": []})
    fault = table.add(spec)
    return json_response({"fault": fault.describe(time.monotonic())}, 201)


def _fault(fault_id: int, spec: dict[str, Any], now: float) -> Fault:
    """A fault from its JSON description, or `ParameterError` naming the bad field."""
    unknown = set(spec) - {"path_prefix", "status", "delay_seconds", "for_seconds", "retry_after"}
    if unknown:
        raise ParameterError(f"unknown field(s) {', '.join(sorted(unknown))}")
    prefix = spec.get("path_prefix")
    if not isinstance(prefix, str) or not prefix.startswith("/"):
        raise ParameterError("path_prefix must be a path starting with /, e.g. /open311")
    status = spec.get("status", 503)
    if status is not None and (not _is_int(status) or not 400 <= status <= 599):
        raise ParameterError("status must be an HTTP error status (400-599) or null")
    delay = _number(spec, "delay_seconds", 0.0, MAX_DELAY_SECONDS)
    lasting = spec.get("for_seconds", 60)
    if lasting is not None:
        lasting = _number(spec, "for_seconds", 60.0, None)
    retry_after = spec.get("retry_after")
    if retry_after is not None and (not _is_int(retry_after) or retry_after < 0):
        raise ParameterError("retry_after must be a whole number of seconds or null")
    if status is None and not delay:
        raise ParameterError("a fault needs a status, a delay_seconds, or both")
    until = None if lasting is None else now + lasting
    return Fault(fault_id, prefix, status, delay, retry_after, until)


def _number(spec: dict[str, Any], name: str, default: float, maximum: float | None) -> float:
    value = spec.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ParameterError(f"{name} must be a number of seconds, zero or more")
    if maximum is not None and value > maximum:
        raise ParameterError(f"{name} may be at most {maximum:g}")
    return float(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
