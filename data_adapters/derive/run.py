"""The derive step the clock runs after ingest: derived observations, indicator snapshots,
pruning. A plain function returning a report."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine

from data_adapters.derive.derived import derive_observations
from data_adapters.derive.indicators import refresh_indicator
from data_adapters.derive.prune import prune_snapshots
from data_adapters.indicators import Indicator
from data_adapters.store.writer import write_transaction

log = logging.getLogger("cityops.derive")


@dataclass(frozen=True)
class DeriveReport:
    """What one derive step wrote."""

    observations: int
    snapshots: int
    pruned: int
    seconds: float


def run_derive(
    engine: Engine,
    indicators: Iterable[Indicator],
    *,
    now: datetime | None = None,
    guard: Callable[[Connection], None] | None = None,
) -> DeriveReport:
    """Derive, snapshot every indicator and prune, in one transaction (all or nothing)."""
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
    report = DeriveReport(derived, count, pruned, time.perf_counter() - started)
    log.info(
        "derived %d observations, %d snapshots, pruned %d in %.2f s",
        derived,
        count,
        pruned,
        report.seconds,
    )
    return report
