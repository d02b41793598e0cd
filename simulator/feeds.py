"""The feed framework: a Step is one transaction covering simulated time (a, b]; a Feed writes
its base rows once at build and then, for every step, exactly the rows that arrive in (a, b].

Block feeds generate their events one simulated hour ("block") at a time from
``rng.generator(seed, name, block)``, so the content of any hour depends only on the seed and
the hour, never on how the clock was advanced; the rows of a step are those whose arrival
time ``_t`` falls in (a, b].
"""

from __future__ import annotations

import queue
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import Table
from sqlalchemy.engine import Connection

from . import db
from .frame import Frame
from .rng import generator
from .times import HOUR
from .world import World


class Writer:
    """Runs a step's database work on one background thread, strictly in submission order.

    Used at build time so that SQLite's inserts and index builds (C code that releases the
    GIL) overlap with the Python that generates the next feed's rows.
    """

    def __init__(self) -> None:
        self._jobs: queue.Queue = queue.Queue(maxsize=8)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="datacentre-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    return
                if self._error is None:
                    job()
            except BaseException as exc:  # re-raised in the submitting thread by flush()
                self._error = exc
            finally:
                self._jobs.task_done()

    def submit(self, job: Callable[[], None]) -> None:
        self._raise()
        self._jobs.put(job)

    def flush(self) -> None:
        """Wait until every submitted job has run; re-raise the first failure."""
        self._jobs.join()
        self._raise()

    def close(self) -> None:
        """Finish the queued work and stop the thread; re-raise the first failure."""
        self._jobs.put(None)
        self._thread.join()
        self._raise()

    def abort(self) -> None:
        """Stop after the current job, dropping the rest (the transaction is rolled back)."""
        self._error = self._error or RuntimeError("aborted")
        self._jobs.put(None)
        self._thread.join()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error


@dataclass
class Step:
    """One unit of work: everything that arrives in simulated time (a, b], one transaction."""

    conn: Connection
    world: World
    a: int
    b: int
    inserted: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    files: list[tuple[Path, bytes]] = field(default_factory=list)
    writer: Writer | None = None

    def run(self, job: Callable[[], None]) -> None:
        """Run database work now, or queue it on the writer (keeping its order)."""
        if self.writer is None:
            job()
        else:
            self.writer.submit(job)

    def insert(self, table: Table, frame: Frame) -> None:
        if frame.n:
            columns = frame.public().columns
            self.inserted[table.name] += frame.n
            self.run(lambda: db.insert(self.conn, table, columns))

    def update(self, table: Table, keys: tuple[str, ...], frame: Frame) -> None:
        if frame.n:
            columns = frame.public().columns
            self.updated[table.name] += frame.n
            self.run(lambda: db.update(self.conn, table, keys, columns))

    def create_indexes(self, tables: Iterable[Table]) -> None:
        """Queue CREATE INDEX for the given tables (bulk loads index faster afterwards)."""
        for table in tables:
            for index in table.indexes:
                self.run(lambda index=index: index.create(self.conn))

    def flush(self) -> None:
        """Let queued database work finish before using ``conn`` directly."""
        if self.writer is not None:
            self.writer.flush()

    def write_file(self, relative: str, data: bytes) -> None:
        """Queue a file for drop_dir/relative; written atomically before the commit."""
        self.files.append((Path(relative), data))


class Feed:
    """Something the data centre holds: base rows at build, changes over simulated time."""

    name = "feed"

    def __init__(self, world: World):
        self.world = world

    @property
    def seed(self) -> int:
        return self.world.seed

    def build(self, step: Step) -> None:
        """Write the base rows as they stood at ``world.t0`` (step.a == step.b == t0)."""

    def emit(self, step: Step) -> None:
        """Write the rows and changes arriving in (step.a, step.b]."""


class BlockFeed(Feed):
    """A feed of events generated per simulated hour, filtered by arrival time ``_t``."""

    block_seconds = HOUR
    max_delay = 0
    """Latest arrival after the end of its block, in seconds (e.g. transmission delay)."""
    cache_blocks = 4

    def __init__(self, world: World):
        super().__init__(world)
        self._cache: OrderedDict[int, Frame] = OrderedDict()

    def generate(self, block: int, rng: np.random.Generator) -> Frame:
        """Events of block ``block`` (starting at block * block_seconds), sorted by ``_t``."""
        raise NotImplementedError

    def block(self, k: int) -> Frame:
        frame = self._cache.get(k)
        if frame is None:
            frame = self.generate(k, generator(self.seed, self.name, k))
            self._cache[k] = frame
            while len(self._cache) > self.cache_blocks:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(k)
        return frame

    def arrivals(self, a: int, b: int) -> Frame:
        """All generated rows with ``a < _t <= b``, in arrival order."""
        bs = self.block_seconds
        first = (a - self.max_delay) // bs
        parts = []
        for k in range(first, b // bs + 1):
            frame = self.block(k)
            if not frame.n:
                continue
            t = frame["_t"]
            lo, hi = np.searchsorted(t, a, "right"), np.searchsorted(t, b, "right")
            if hi > lo:
                parts.append(frame.take(slice(lo, hi)))
        return Frame.concat(parts)
