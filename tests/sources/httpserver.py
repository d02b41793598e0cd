"""Test helpers for the HTTP adapters: a real HTTP server on 127.0.0.1, and a recorder of
the requests an `httpx.MockTransport` receives.

`LoopbackServer` answers each path from a table of routes (a `Reply`, or a function of the
`Seen` request returning one; the route `"*"` answers any other path), on a free port, in a
thread; leaving the `with` block wakes any
reply still waiting out its delay, stops the server and closes its socket, so no test leaves a
thread or a socket behind.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx


@dataclass(frozen=True)
class Seen:
    """One request as the server (or the mock transport) saw it."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]

    @classmethod
    def of(cls, request: httpx.Request) -> Seen:
        return cls(
            path=request.url.path,
            query=dict(request.url.params.multi_items()),
            headers={k.lower(): v for k, v in request.headers.items()},
        )


@dataclass(frozen=True)
class Reply:
    """A canned answer: a dict or list body is sent as JSON."""

    body: Any = b""
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")

    def content_type(self) -> str:
        if isinstance(self.body, dict | list):
            return "application/json; charset=utf-8"
        return "text/plain; charset=utf-8"

    def all_headers(self) -> dict[str, str]:
        """The reply's headers, a Content-Type of our own unless one is given."""
        given = {name.lower(): value for name, value in self.headers.items()}
        return {"content-type": self.content_type(), **given}

    def response(self) -> httpx.Response:
        return httpx.Response(self.status, headers=self.all_headers(), content=self.payload())


Route = Reply | Callable[[Seen], Reply]


def answer(route: Route, seen: Seen) -> Reply:
    return route(seen) if callable(route) else route


class Recorder:
    """A `MockTransport` handler answering from routes by path, keeping every request."""

    def __init__(self, routes: Mapping[str, Route]) -> None:
        self.routes = dict(routes)
        self.seen: list[Seen] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        seen = Seen.of(request)
        self.seen.append(seen)
        route = self.routes.get(seen.path, self.routes.get("*"))
        if route is None:
            return httpx.Response(404, text=f"no route for {seen.path}")
        return answer(route, seen).response()

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, routes: Mapping[str, Route]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes = dict(routes)
        self.seen: list[Seen] = []
        self.stopping = threading.Event()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (a timeout test) is expected: stay quiet."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        seen = Seen(
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
        )
        self.server.seen.append(seen)
        route = self.server.routes.get(parts.path, self.server.routes.get("*"))
        reply = answer(route, seen) if route is not None else Reply("no route", status=404)
        if reply.delay and self.server.stopping.wait(reply.delay):
            return
        body = reply.payload()
        try:
            self.send_response(reply.status)
            for name, value in reply.all_headers().items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read `seen` instead."""


class LoopbackServer:
    """A real HTTP server on 127.0.0.1 for the length of a `with` block."""

    def __init__(self, routes: Mapping[str, Route]) -> None:
        self._server = _Server(routes)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def seen(self) -> list[Seen]:
        return self._server.seen

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class Sleeps(list[float]):
    """A `sleep` that records how long it was asked to wait, and returns at once."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
