"""`FeedServer`: the feed app on a loopback port, served by werkzeug in a background thread.

    server = FeedServer("sqlite:///var/datacentre.db", port=8061)
    server.start()          # returns once listening; OSError if the port is taken
    ...                     # server.url == "http://127.0.0.1:8061"
    server.stop()           # prompt: stalled (fault-injected) requests are woken

The socket is bound here rather than by werkzeug (which would exit the process on a taken
port), so a busy port is an `OSError` that says which port and what to do. Port 0 picks a
free port (see `url`). Each request runs in its own thread; the request log goes to the
`cityops.simulator.server` logger at DEBUG instead of stderr.
"""

from __future__ import annotations

import errno
import logging
import socket
import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import close_feed_app, create_feed_app

log = logging.getLogger("cityops.simulator.server")

POLL_INTERVAL_SECONDS = 0.1
STOP_TIMEOUT_SECONDS = 5.0


class _QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler with its per-request log sent to our logger at DEBUG."""

    def log(self, type: str, message: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), message % args)


class FeedServer:
    """The simulated data centre's HTTP feeds on `host:port`, in a background thread."""

    def __init__(
        self, database_url: str, host: str = "127.0.0.1", port: int = 8061, **app_options: Any
    ) -> None:
        self.host = host
        self.port = port
        self.app = create_feed_app(database_url, **app_options)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The server's root URL, e.g. `http://127.0.0.1:8061` (the real port once started)."""
        port = self._server.port if self._server is not None else self.port
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{port}"

    def start(self) -> None:
        """Listen and serve in a background thread; `OSError` if the port cannot be bound."""
        if self._server is not None:
            raise RuntimeError("the feed server is already running")
        listener = self._bind()
        try:
            self._server = make_server(
                self.host,
                self.port,
                self.app,
                threaded=True,
                request_handler=_QuietHandler,
                fd=listener.fileno(),
            )
        finally:
            listener.close()  # werkzeug serves a duplicate of the descriptor
        self._faults().stopping.clear()
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL_SECONDS},
            name=f"feed-server-{self._server.port}",
            daemon=True,
        )
        self._thread.start()
        log.info("feed server listening on %s", self.url)

    def stop(self) -> None:
        """Stop serving, close the socket and the database connections."""
        server, thread = self._server, self._thread
        self._faults().stopping.set()
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(STOP_TIMEOUT_SECONDS)
        self._server = self._thread = None
        close_feed_app(self.app)

    def __enter__(self) -> FeedServer:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.host, self.port))
            listener.listen(128)
        except OSError as exc:
            listener.close()
            hint = (
                "another program is using it: stop that program or choose another port "
                "(CITYOPS_SIM_PORT)"
                if exc.errno == errno.EADDRINUSE
                else exc.strerror or str(exc)
            )
            raise OSError(
                exc.errno, f"the feed server cannot listen on {self.host}:{self.port}: {hint}"
            ) from exc
        return listener

    def _faults(self) -> Any:
        return self.app.extensions["cityops_faults"]
