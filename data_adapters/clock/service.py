"""The clock process: APScheduler jobs for every source, run only while this process leads.

One job renews the leader lease every third of its time to live. While the process leads,
each enabled source has a job on its catalogue update cycle (`coalesce`, one instance at a
time, a misfire grace of half the interval); a failed poll moves that job's next run to the
backoff time, and a poll that left rows waiting runs again at once. When the lease is lost
(or cannot be renewed), the source jobs are removed at once and every ingest refuses to write.
A derive job (every minute) then turns what was ingested into derived observations and
indicator snapshots, and prunes old snapshots.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Connection, Engine

from data_adapters.clock import lease
from data_adapters.clock.polling import LeaseLost, PollReport, poll_source
from data_adapters.contract import Adapter
from data_adapters.cycles import poll_interval
from data_adapters.derive.run import DeriveReport, run_derive
from data_adapters.indicators import Indicator
from data_adapters.sources.config import SourceSpec

log = logging.getLogger("cityops.clock")
LEASE_JOB = "lease"
LEASE_EXECUTOR = "lease"
DERIVE_JOB = "derive"
DERIVE_INTERVAL = timedelta(seconds=60)
DEFAULT_LEASE_TTL = timedelta(seconds=30)


def holder_name() -> str:
    """A name unique to this process, readable in `sources check`: host, pid, random tail."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Clock:
    """Schedules the polls of `adapters` (by source id) while holding the leader lease."""

    def __init__(
        self,
        engine: Engine,
        specs: list[SourceSpec],
        adapters: Mapping[str, Adapter],
        *,
        holder: str | None = None,
        lease_ttl: timedelta = DEFAULT_LEASE_TTL,
        scheduler: BaseScheduler | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        workers: int = 4,
        indicators: Sequence[Indicator] = (),
        derive_interval: timedelta = DERIVE_INTERVAL,
        districts_file: Path | None = None,
    ) -> None:
        self.engine = engine
        self.specs = {spec.id: spec for spec in specs if spec.enabled}
        self.adapters = adapters
        self.holder = holder or holder_name()
        self.lease_ttl = lease_ttl
        self.clock = clock
        self.scheduler = scheduler or BlockingScheduler(
            executors={"default": ThreadPoolExecutor(workers)}, timezone=UTC
        )
        # the lease is renewed on a thread of its own, never queued behind long polls
        self.scheduler.add_executor(ThreadPoolExecutor(1), alias=LEASE_EXECUTOR)
        self.indicators = tuple(indicators)
        self.districts_file = districts_file
        self.derive_interval = derive_interval
        self.leading = threading.Event()
        self._stopping = threading.Event()
        self._idle = threading.Condition()
        self._running = 0
        self.reports: dict[str, PollReport] = {}

    # -- leadership ---------------------------------------------------------------------------
    def start(self) -> None:
        """Add the lease job (first run now) and start the scheduler (blocks if blocking)."""
        self.scheduler.add_job(
            self.renew_lease,
            IntervalTrigger(seconds=self.lease_ttl.total_seconds() / 3),
            id=LEASE_JOB,
            executor=LEASE_EXECUTOR,
            next_run_time=self.clock(),
            coalesce=True,
            max_instances=1,
        )
        log.info("clock %s starting; %d source(s)", self.holder, len(self.specs))
        self.scheduler.start()

    def stop(self, timeout: float = 60.0) -> None:
        """Stop scheduling, wait for running polls, and hand the lease over at once.

        APScheduler's `shutdown(wait=True)` holds its job-store lock while it waits for running
        jobs, and a job that reschedules itself needs that lock: so the scheduler is shut down
        without waiting, and the clock waits for its own jobs, which no longer reschedule.
        """
        self._stopping.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        with self._idle:
            if not self._idle.wait_for(lambda: self._running == 0, timeout=timeout):
                log.warning("clock %s: %d job(s) still running at stop", self.holder, self._running)
        if self.leading.is_set():
            lease.release(self.engine, self.holder)
            self.leading.clear()
        for adapter in self.adapters.values():
            adapter.close()
        log.info("clock %s stopped", self.holder)

    def renew_lease(self) -> None:
        """Take or keep the lease; start or stop the source jobs when leadership changes."""
        if self._stopping.is_set():
            return
        try:
            leads = lease.acquire(self.engine, self.holder, self.lease_ttl, self.clock())
        except Exception:
            log.exception("clock %s: cannot reach the store to renew the lease", self.holder)
            leads = False
        if leads and not self.leading.is_set():
            self.leading.set()
            log.info("clock %s is the leader", self.holder)
            self._add_source_jobs()
        elif not leads and self.leading.is_set():
            self.leading.clear()
            log.warning("clock %s lost the lease; standing by", self.holder)
            if not self._stopping.is_set():
                self._remove_source_jobs()

    # -- polls --------------------------------------------------------------------------------
    def _add_source_jobs(self) -> None:
        now = self.clock()
        for spec in self.specs.values():
            interval = poll_interval(spec.catalogue.update_cycle).total_seconds()
            self.scheduler.add_job(
                self.run_poll,
                IntervalTrigger(seconds=interval),
                args=[spec.id],
                id=self._job_id(spec.id),
                name=f"poll {spec.id}",
                next_run_time=now,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=max(1, int(interval / 2)),
                replace_existing=True,
            )

        self.scheduler.add_job(
            self.run_derive,
            IntervalTrigger(seconds=self.derive_interval.total_seconds()),
            id=DERIVE_JOB,
            name="derive",
            next_run_time=now + timedelta(seconds=5),
            coalesce=True,
            max_instances=1,
            replace_existing=True,
        )

    def _remove_source_jobs(self) -> None:
        for job_id in (*map(self._job_id, self.specs), DERIVE_JOB):
            job = self.scheduler.get_job(job_id)
            if job is not None:
                job.remove()

    @contextmanager
    def _job(self) -> Iterator[bool]:
        """Count a running job; yields whether it should run at all (leading, not stopping)."""
        with self._idle:
            self._running += 1
        try:
            yield self.leading.is_set() and not self._stopping.is_set()
        finally:
            with self._idle:
                self._running -= 1
                self._idle.notify_all()

    def run_poll(self, source_id: str) -> PollReport | None:
        """Poll one source now (the job's body); reschedule it for backoff or more rows."""
        with self._job() as go:
            if not go:
                return None
            spec = self.specs[source_id]
            try:
                report = poll_source(
                    self.engine,
                    spec,
                    self.adapters[source_id],
                    guard=self._guard,
                    districts_file=self.districts_file,
                )
            except LeaseLost:
                log.warning("clock %s: lease lost during a poll of %s", self.holder, source_id)
                self.renew_lease()
                return None
            self.reports[source_id] = report
            if self._stopping.is_set():
                return report
            job = self.scheduler.get_job(self._job_id(source_id))
            if job is not None and (not report.ok or report.next_due <= self.clock()):
                job.modify(next_run_time=report.next_due)
            return report

    def run_derive(self) -> DeriveReport | None:
        """Derived observations, indicator snapshots and pruning (the derive job's body)."""
        with self._job() as go:
            if not go:
                return None
            try:
                return run_derive(self.engine, self.indicators, now=self.clock(), guard=self._guard)
            except LeaseLost:
                self.renew_lease()
            except Exception:  # a bug in a derivation must not stop the polls
                log.exception("clock %s: the derive step failed", self.holder)
            return None

    def _guard(self, connection: Connection) -> None:
        if not lease.holds(connection, self.holder, self.clock()):
            raise LeaseLost(self.holder)

    @staticmethod
    def _job_id(source_id: str) -> str:
        return f"poll:{source_id}"
