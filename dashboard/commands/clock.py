"""`cityops clock`: poll every source on its update cycle; one leader, any number standing by."""

from __future__ import annotations

import argparse
import signal
import threading
from datetime import timedelta

from dashboard.commands.base import Command
from dashboard.commands.sources_setup import build_adapters, configured_sources
from dashboard.commands.web import check_store_ready
from data_adapters.clock.service import DEFAULT_LEASE_TTL, Clock
from data_adapters.indicators import default_indicators
from data_adapters.settings import Settings
from data_adapters.store import make_engine


def run_clock(args: argparse.Namespace, settings: Settings) -> int:
    """Run the scheduler in the foreground until SIGINT or SIGTERM."""
    check_store_ready(settings)
    specs = configured_sources(settings)
    clock = Clock(
        make_engine(settings.store_url),
        specs,
        build_adapters(specs),
        lease_ttl=timedelta(seconds=args.lease_seconds),
        indicators=default_indicators(),
        districts_file=settings.districts_path,
    )

    def stop(*_: object) -> None:
        threading.Thread(target=clock.stop, name="clock-stop").start()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)
    clock.start()
    return 0


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lease-seconds",
        type=float,
        default=DEFAULT_LEASE_TTL.total_seconds(),
        help="how long the leader lease lasts without renewal (a standby takes over after it)",
    )


COMMAND = Command(
    name="clock",
    help="Poll every source of CITYOPS_SOURCES_FILE on its update cycle (one leader).",
    handler=run_clock,
    options=_options,
)
