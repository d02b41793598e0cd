"""`cityops demo`: the whole product on one machine, no configuration.

It migrates the SQLite ops store, then runs the production commands side by side as child
processes: the simulated data centre (`cityops simulate`), the web tier (`cityops web`) and,
once the data centre's feeds answer, the clock polling it through the adapters of the built-in
`demo_sources.toml` (`cityops clock`). Ctrl-C (or SIGTERM) stops them all; if one dies, the
others are stopped and the demo exits non-zero.
"""

from __future__ import annotations

import argparse
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence

import httpx

from dashboard.commands import simulate
from dashboard.commands.base import Command, UserError
from dashboard.commands.sources_setup import DEMO_SOURCES
from data_adapters.settings import Settings
from data_adapters.store import make_engine
from data_adapters.store.migrate import upgrade

log = logging.getLogger("cityops.demo")
STOP_GRACE_SECONDS = 10.0
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def child_commands(args: argparse.Namespace) -> dict[str, list[str]]:
    """The processes the demo runs, by name, as `cityops` command lines."""
    base = [sys.executable, "-m", "dashboard.cli"]
    if args.config:
        base += ["--config", args.config]
    sim = [*base, "simulate"]
    for flag in ("seed", "speed", "start"):
        value = getattr(args, flag)
        if value is not None:
            sim += [f"--{flag}", str(value)]
    return {
        "simulate": sim,
        "clock": [*base, "clock"],
        "web": [*base, "web", "--workers", str(args.workers), "--threads", "4"],
    }


def child_environment(settings: Settings) -> dict[str, str]:
    """The environment of the demo's processes: the demo's sources, the data centre's URL."""
    environment = dict(os.environ)
    environment.setdefault("CITYOPS_SOURCES_FILE", str(DEMO_SOURCES))
    environment["CITYOPS_DATACENTRE_URL"] = settings.datacentre_store_url
    environment["CITYOPS_VAR_DIR"] = str(settings.var_dir.resolve())
    environment["CITYOPS_SIM_PORT"] = str(settings.sim_port)
    environment["CITYOPS_SIM_EXCHANGE_TOKEN"] = settings.sim_exchange_token.get_secret_value()
    return environment


def supervise(
    commands: dict[str, list[str]],
    environment: dict[str, str],
    ready: dict[str, Callable[[], bool]] | None = None,
) -> int:
    """Start every command, wait until a signal or until one of them exits, stop the rest.

    A command named in `ready` starts only once its condition holds (the clock waits for the
    data centre to answer, so its first polls find the tables and feeds there).
    """
    stopping = False
    waiting = dict(ready or {})

    def request_stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, request_stop) for s in (signal.SIGINT, signal.SIGTERM)}
    children: dict[str, subprocess.Popen] = {}
    status = 0
    try:
        while not stopping:
            for name, command in commands.items():
                if name not in children and (name not in waiting or waiting[name]()):
                    children[name] = subprocess.Popen(
                        command, env=environment, preexec_fn=_die_with_parent
                    )
            for name, child in children.items():
                code = child.poll()
                if code is not None:
                    log.error("%s exited with status %s; stopping the demo", name, code)
                    stopping, status = True, code or 1
                    break
            time.sleep(0.2)
    finally:
        stop_all(list(children.values())[::-1])  # the clock first, the data centre last
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return status


def _die_with_parent() -> None:
    """In a child: ask Linux to SIGTERM it when the demo dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether nothing listens on `host:port` now."""
    with socket.socket() as probe:
        return probe.connect_ex((host, port)) != 0


def stop_all(children: Sequence[subprocess.Popen]) -> None:
    """SIGTERM the children one after the other, in the order given; SIGKILL one that does
    not stop within the grace period."""
    for child in children:
        if child.poll() is None:
            child.terminate()
        try:
            child.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def run_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Prepare the store and run the demo's processes until stopped."""
    for port, setting in (
        (settings.web_port, "CITYOPS_WEB_PORT"),
        (settings.sim_port, "CITYOPS_SIM_PORT"),
    ):
        if not port_is_free(port):
            raise UserError(f"port {port} is already in use: stop what runs there or set {setting}")
    upgrade(make_engine(settings.store_url))
    print(
        f"CityOps Centre demo: http://{settings.web_host}:{settings.web_port}/ "
        "(Ctrl-C stops everything)",
        flush=True,
    )
    feeds = f"http://127.0.0.1:{settings.sim_port}/healthz"
    return supervise(
        child_commands(args),
        child_environment(settings),
        ready={"clock": lambda: answers(feeds)},
    )


def answers(url: str) -> bool:
    """Whether `url` answers 200 right now."""
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _options(parser: argparse.ArgumentParser) -> None:
    simulate.add_options(parser)
    parser.add_argument("--workers", type=int, default=2, help="web worker processes")


COMMAND = Command(
    name="demo",
    help="Run the simulated data centre and the web tier together on SQLite.",
    handler=run_demo,
    options=_options,
)
