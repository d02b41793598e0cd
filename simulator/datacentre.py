"""The simulated city data centre: builds its database and keeps its live feeds flowing.

``DataCentre.build`` creates the schema, writes the base databases as they stood at
``t0 = start - history_days`` and backfills every feed up to ``start``; ``advance_to`` moves
the simulated clock forward one transaction per step (at most a day of simulated time);
``run`` keeps advancing with the accelerated clock until told to stop.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateTable

from .assets import AssetFeed
from .cap import CapFeed
from .catalogue import CatalogueFeed
from .certificates import CertificateFeed
from .config import SimulatorConfig
from .credit import CreditFeed
from .db import make_engine
from .economy import EconomyFeed
from .enterprises import EnterpriseFeed
from .feeds import Feed, Step, Writer
from .hotline import HotlineFeed
from .incidents import IncidentFeed
from .lifecycle import apply_due
from .population import PopulationFeed
from .port import BerthFeed, PortDailyFeed
from .posts import PostFeed
from .reports import BuildReport, TickReport
from .resources import ResourceFeed
from .schema import SCHEMA_VERSION, SIM_TABLES, data_tables, metadata, sim_state
from .sensors import SensorFeed
from .times import DAY, HOUR, to_datetime, to_epoch
from .world import World

log = logging.getLogger(__name__)

STEP_SECONDS = DAY
"""Longest simulated span written in one transaction by ``advance_to``."""
BACKFILL_STEP_SECONDS = 31 * DAY
"""Longest span of one backfill step at build (bigger steps mean fewer pending rows)."""
RUN_MAX_CATCH_UP = HOUR
"""Longest simulated span ``run`` advances in one call, so it can notice ``stop`` quickly."""

FEEDS: tuple[type[Feed], ...] = (
    CatalogueFeed,
    PopulationFeed,
    EconomyFeed,
    PortDailyFeed,
    EnterpriseFeed,
    CreditFeed,
    CertificateFeed,
    AssetFeed,
    ResourceFeed,
    SensorFeed,
    BerthFeed,
    HotlineFeed,
    PostFeed,
    CapFeed,
    IncidentFeed,
)


class DataCentre:
    """The simulated data centre behind one database URL and one drop folder."""

    def __init__(self, config: SimulatorConfig):
        self.config = config
        self.engine = make_engine(config.database_url)
        self._lock = threading.RLock()
        self._world: World | None = None
        self._feeds: list[Feed] = []
        self._now: int | None = None

    # --- state ---------------------------------------------------------------------------
    @property
    def sim_now(self) -> datetime | None:
        """Simulated time up to which everything has been written (None before build)."""
        return None if self._now is None else to_datetime(self._now)

    def _fingerprint(self) -> dict[str, str]:
        geo = Path(self.config.districts_geojson)
        return {
            "schema_version": SCHEMA_VERSION,
            "seed": str(self.config.seed),
            "assets": str(self.config.assets),
            "history_days": str(self.config.history_days),
            "districts_sha256": hashlib.sha256(geo.read_bytes()).hexdigest()
            if geo.exists()
            else "",
        }

    def _read_state(self) -> dict[str, str]:
        if not inspect(self.engine).has_table(sim_state.name):
            return {}
        with self.engine.connect() as conn:
            return dict(conn.execute(select(sim_state.c.key, sim_state.c.value)).all())

    @staticmethod
    def _write_state(conn: Connection, at: int, **values: str) -> None:
        for key, value in values.items():
            row = {"value": str(value), "updated_at": to_datetime(at)}
            done = conn.execute(sim_state.update().where(sim_state.c.key == key).values(**row))
            if not done.rowcount:
                conn.execute(sim_state.insert().values(key=key, **row))

    def _setup(self, start: int) -> None:
        self._world = World(self.config, start)
        self._feeds = [feed(self._world) for feed in FEEDS]

    # --- build -----------------------------------------------------------------------------
    def build(self) -> BuildReport:
        """Create and fill the data centre, or continue an existing build for the same seed."""
        with self._lock:
            began = time.perf_counter()
            state = self._read_state()
            fingerprint = self._fingerprint()
            if state.get("status") == "ready" and all(
                state.get(k) == v for k, v in fingerprint.items()
            ):
                self._setup(int(state["start"]))
                self._now = int(state["sim_now"])
                log.info("data centre resumed at %s", self.sim_now)
                return self._report(began, resumed=True)
            if state:
                log.info("rebuilding the data centre (different or unfinished build)")
            return self._fresh_build(began, fingerprint)

    def _fresh_build(self, began: float, fingerprint: dict[str, str]) -> BuildReport:
        start = to_epoch(self.config.resolved_start())
        self._now = None
        self._setup(start)
        world, feeds = self._world, self._feeds
        metadata.drop_all(self.engine)
        with self.engine.begin() as conn:
            for table in metadata.sorted_tables:
                conn.execute(CreateTable(table))  # indexes come after each bulk load
            self._write_state(
                conn,
                world.t0,
                status="building",
                start=str(start),
                sim_now=str(world.t0),
                **fingerprint,
            )
        # One transaction for base databases and backfill; a background writer does the
        # database work in order while the next rows are generated.
        with self.engine.begin() as conn:
            writer, indexed, steps = Writer(), set(), []
            try:
                base = Step(conn, world, world.t0, world.t0, writer=writer)
                self._feed_pass(base, [feed.build for feed in feeds], indexed)
                steps.append(base)
                a = world.t0
                while a < start:
                    step = Step(
                        conn, world, a, min(start, a + BACKFILL_STEP_SECONDS), writer=writer
                    )
                    if a > world.t0:  # nothing is pending before the first backfill step
                        apply_due(step)
                    self._feed_pass(step, [feed.emit for feed in feeds], indexed)
                    steps.append(step)
                    a = step.b
                rest = [t for t in metadata.sorted_tables if t.name not in indexed]
                steps[-1].create_indexes(rest)
                writer.close()
            except BaseException:
                writer.abort()
                raise
            for step in steps:
                self._write_files(step)
            self._write_state(conn, start, status="ready", sim_now=str(start))
        self._now = start
        if self.engine.dialect.name == "sqlite":
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        log.info("data centre built in %.1f s", time.perf_counter() - began)
        return self._report(began, resumed=False)

    @staticmethod
    def _feed_pass(step: Step, works: list[Callable[[Step], None]], indexed: set[str]) -> None:
        """Run feed builds/emits; queue each table's indexes once its bulk load is queued."""
        for work in works:
            before = set(step.inserted)
            work(step)
            fresh = [
                metadata.tables[name]
                for name in set(step.inserted) - before
                if name not in indexed and name not in SIM_TABLES
            ]
            indexed.update(t.name for t in fresh)
            step.create_indexes(fresh)

    def _report(self, began: float, resumed: bool) -> BuildReport:
        return BuildReport(
            counts=self.counts(),
            seconds=time.perf_counter() - began,
            resumed=resumed,
            start=to_datetime(self._world.start),
            sim_now=to_datetime(self._now),
        )

    def counts(self) -> dict[str, int]:
        """Rows per data table."""
        with self.engine.connect() as conn:
            return {
                t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in data_tables()
            }

    # --- live clock ------------------------------------------------------------------------
    def _ensure_built(self) -> None:
        if self._now is None:
            self.build()

    def advance_to(self, sim_time: datetime) -> TickReport:
        """Write every event up to ``sim_time``; a time at or before ``sim_now`` does nothing."""
        with self._lock:
            self._ensure_built()
            return self._advance(to_epoch(sim_time), STEP_SECONDS)

    def _advance(self, target: int, max_step: int) -> TickReport:
        """Advance to ``target`` in steps of at most ``max_step`` seconds, one transaction each."""
        began = time.perf_counter()
        origin = self._now
        inserted, updated, files = Counter(), Counter(), 0
        while self._now < target:
            step = self._step(self._now, min(target, self._now + max_step))
            inserted.update(step.inserted)
            updated.update(step.updated)
            files += len(step.files)
        return TickReport(
            sim_from=to_datetime(origin),
            sim_to=to_datetime(self._now),
            inserted=dict(inserted),
            updated=dict(updated),
            files=files,
            seconds=time.perf_counter() - began,
        )

    def _step(self, a: int, b: int) -> Step:
        with self.engine.begin() as conn:
            step = Step(conn, self._world, a, b)
            apply_due(step)
            for feed in self._feeds:
                feed.emit(step)
            self._write_state(conn, b, sim_now=str(b))
            self._write_files(step)
        self._now = b
        return step

    def _write_files(self, step: Step) -> None:
        """Write queued drop files atomically (temp name in the same folder, then rename)."""
        root = Path(self.config.drop_dir)
        for relative, data in step.files:
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise

    def run(
        self, stop: threading.Event, on_tick: Callable[[TickReport], None] | None = None
    ) -> None:
        """Advance with the accelerated clock every tick until ``stop`` is set."""
        self._ensure_built()
        speed = float(self.config.speed)
        tick = float(self.config.tick_seconds)
        sim0, real0 = self._now, time.monotonic()
        n = 0
        while not stop.is_set():
            ticks_due = int((time.monotonic() - real0) * speed // tick)
            target = sim0 + int(ticks_due * tick)
            if target > self._now:
                report = self.advance_to(to_datetime(min(target, self._now + RUN_MAX_CATCH_UP)))
                if on_tick is not None:
                    on_tick(report)
                continue
            n = ticks_due + 1
            stop.wait(max(0.0, real0 + n * tick / speed - time.monotonic()))

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> DataCentre:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
