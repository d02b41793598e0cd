"""Whether a test needs something the machine lacks: skip locally, fail in CI (`CI=true`)."""

from __future__ import annotations

import os
import socket

import pytest


def in_ci() -> bool:
    """True when running under CI, where nothing may be skipped for a missing tool."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(reason: str) -> None:
    """Fail in CI, skip elsewhere: a missing Chromium or PostgreSQL is never silently ignored."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: required)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
