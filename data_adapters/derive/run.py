"""The derive step the clock runs after ingest: derived observations, indicator snapshots,
pruning, post processing and spike detection. A plain function returning a report.

The order keeps the indicators first: derived observations and snapshots (one transaction),
pruning, then the posts waiting for processing (at most `POSTS_PER_RUN` a run, one
transaction per batch, so a backlog is worked off over several runs) and spike detection over
the processed posts (one transaction). A failure in post processing or spike detection cannot
hold up the indicators of that run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine

from data_adapters.derive.derived import derive_observations
from data_adapters.derive.indicators import refresh_indicator
from data_adapters.derive.posts import BATCH, process_posts
from data_adapters.derive.prune import prune_snapshots
from data_adapters.derive.spikes import detect_spikes
from data_adapters.indicators import Indicator
from data_adapters.store.writer import write_transaction

log = logging.getLogger("cityops.derive")
#: Posts processed per derive run at most (about 5 s of one core).
POSTS_PER_RUN = 20_000


@dataclass(frozen=True)
class DeriveReport:
    """What one derive step wrote."""

    observations: int
    snapshots: int
    pruned: int
    seconds: float
    posts_processed: int = 0
    spikes: int = 0
    spikes_expired: int = 0


def run_derive(
    engine: Engine,
    indicators: Iterable[Indicator],
    *,
    now: datetime | None = None,
    guard: Callable[[Connection], None] | None = None,
) -> DeriveReport:
    """Derive and snapshot every indicator in one transaction (all or nothing), prune, then
    process waiting posts and detect spikes (see the module docstring)."""
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    with write_transaction(engine) as connection:
        if guard is not None:
            guard(connection)
        derived = derive_observations(connection, now)
        count = 0
        for indicator in indicators:
            refresh_indicator(connection, indicator, now)
            count += 1
    pruned = prune_snapshots(engine, now)
    processed = process_posts(engine, now, guard, max_batches=-(-POSTS_PER_RUN // BATCH))
    spikes, expired = detect_spikes(engine, now, guard)
    report = DeriveReport(
        derived, count, pruned, time.perf_counter() - started, processed, spikes, expired
    )
    log.info(
        "derived %d observations, %d snapshots, pruned %d, processed %d posts, %d spikes "
        "(%d ended) in %.2f s",
        derived,
        count,
        pruned,
        processed,
        spikes,
        expired,
        report.seconds,
    )
    return report
