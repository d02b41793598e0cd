"""Run the simulated data centre on its own: ``python -m simulator [--once] ...``."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

from .config import (
    DEFAULT_DATABASE_URL,
    DEFAULT_DISTRICTS_GEOJSON,
    DEFAULT_DROP_DIR,
    DEFAULT_SEED,
    SimulatorConfig,
)
from .datacentre import DataCentre
from .reports import TickReport

log = logging.getLogger("simulator")


def _aware(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m simulator",
        description="Build and run the simulated Lianyungang city data centre.",
    )
    p.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help="SQLAlchemy URL of the data centre database (default: %(default)s)",
    )
    p.add_argument(
        "--drop-dir",
        type=Path,
        default=DEFAULT_DROP_DIR,
        help="folder for CAP and file drops (default: %(default)s)",
    )
    p.add_argument(
        "--districts",
        type=Path,
        default=DEFAULT_DISTRICTS_GEOJSON,
        help="districts GeoJSON (default: %(default)s)",
    )
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="simulated seconds per real second (default: %(default)s)",
    )
    p.add_argument(
        "--start",
        type=_aware,
        default=None,
        help="simulated start time, ISO-8601 (naive means UTC); default: now",
    )
    p.add_argument("--history-days", type=int, default=30)
    p.add_argument("--assets", type=int, default=120_000, help="point assets (%(default)s)")
    p.add_argument(
        "--enterprises",
        type=int,
        default=60_000,
        help="entities in the base register (%(default)s)",
    )
    p.add_argument("--once", action="store_true", help="build (or resume) and exit")
    p.add_argument("-v", "--verbose", action="store_true")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    config = SimulatorConfig(
        database_url=args.database_url,
        drop_dir=args.drop_dir,
        districts_geojson=args.districts,
        seed=args.seed,
        speed=args.speed,
        start=args.start,
        history_days=args.history_days,
        assets=args.assets,
        enterprises=args.enterprises,
    )
    centre = DataCentre(config)
    report = centre.build()
    verb = "resumed" if report.resumed else "built"
    log.info(
        "data centre %s in %.1f s: %d rows, simulated now %s",
        verb,
        report.seconds,
        report.total_rows,
        report.sim_now.isoformat(),
    )
    for table, count in sorted(report.counts.items()):
        log.info("  %-28s %10d", table, count)
    if args.once:
        centre.close()
        return 0
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())

    def on_tick(tick: TickReport) -> None:
        if tick.rows:
            log.debug("%s: %d rows", tick.sim_to.isoformat(), tick.rows)

    log.info("running at %.0fx; Ctrl-C to stop", config.speed)
    centre.run(stop, on_tick)
    log.info("stopped at simulated %s", centre.sim_now.isoformat())
    centre.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
