"""`cityops simulate`: run the simulated city data centre until stopped (Ctrl-C).

Only this command starts the simulator; the product reads what it writes through adapters:
its database, its file drops and the HTTP feeds it serves on 127.0.0.1:CITYOPS_SIM_PORT.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from datetime import datetime
from pathlib import Path

from dashboard.commands.base import Command, UserError
from dashboard.paths import districts_geojson
from data_adapters.settings import Settings

log = logging.getLogger("cityops.simulate")


def drop_dir(settings: Settings) -> Path:
    """Where the simulated data centre drops files (CAP messages, CSV and GeoJSON exports)."""
    return settings.var_dir / "datacentre"


def simulator_config(settings: Settings, args: argparse.Namespace):  # -> SimulatorConfig
    """The simulator's configuration from settings, overridden by command-line options."""
    from simulator import SimulatorConfig

    start = None
    if args.start:
        try:
            start = datetime.fromisoformat(args.start)
        except ValueError:
            raise UserError(f"--start {args.start!r} is not an ISO-8601 time") from None
        if start.tzinfo is None:
            raise UserError(f"--start {args.start!r} needs a UTC offset, e.g. +08:00")
    return SimulatorConfig(
        database_url=settings.datacentre_store_url,
        drop_dir=drop_dir(settings),
        districts_geojson=districts_geojson(),
        seed=settings.sim_seed if args.seed is None else args.seed,
        speed=settings.sim_speed if args.speed is None else args.speed,
        start=start,
        history_days=settings.sim_history_days,
        assets=settings.sim_assets,
    )


def run_simulator(args: argparse.Namespace, settings: Settings) -> int:
    """Build the data centre (or resume it), serve its feeds on loopback and keep them moving
    until a signal."""
    from simulator import DataCentre
    from simulator.server import FeedServer

    config = simulator_config(settings, args)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    centre = DataCentre(config)
    report = centre.build()
    log.info("data centre ready: %s", report)
    if args.once:
        return 0
    server = FeedServer(
        config.database_url,
        port=settings.sim_port,
        exchange_token=settings.sim_exchange_token.get_secret_value(),
    )
    try:
        server.start()
    except OSError as exc:
        raise UserError(
            f"cannot serve the data centre's feeds on port {settings.sim_port} "
            f"(CITYOPS_SIM_PORT): {exc.strerror or exc}"
        ) from None
    log.info("data centre feeds at %s", server.url)
    try:
        centre.run(stop)
    finally:
        server.stop()
    log.info("simulator stopped")
    return 0


def add_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by `simulate` and `demo`."""
    parser.add_argument("--seed", type=int, help="seed (default CITYOPS_SIM_SEED)")
    parser.add_argument(
        "--speed", type=float, help="simulated seconds per real second (CITYOPS_SIM_SPEED)"
    )
    parser.add_argument("--start", help="simulated start time, ISO-8601 with offset")


def _options(parser: argparse.ArgumentParser) -> None:
    add_options(parser)
    parser.add_argument("--once", action="store_true", help="build, then exit")


COMMAND = Command(
    name="simulate",
    help="Run the simulated city data centre (base databases, catalogue, live feeds).",
    handler=run_simulator,
    options=_options,
)
