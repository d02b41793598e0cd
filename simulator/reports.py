"""What ``DataCentre.build`` and ``DataCentre.advance_to`` report back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class BuildReport:
    counts: dict[str, int]
    """Rows per data table after the build."""
    seconds: float
    resumed: bool
    """True when an existing build for the same seed was found and continued."""
    start: datetime
    """Simulated time the build was made for (end of the backfill)."""
    sim_now: datetime
    """Simulated time the live clock continues from."""

    @property
    def total_rows(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class TickReport:
    sim_from: datetime
    sim_to: datetime
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    files: int = 0
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.inserted.values()) + sum(self.updated.values())
