"""Configuration of the simulated city data centre (one frozen dataclass, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///var/datacentre.db"
DEFAULT_DROP_DIR = Path("var/drop")
DEFAULT_DISTRICTS_GEOJSON = Path("assets/geo/lianyungang-districts.geojson")
DEFAULT_SEED = 20261128


@dataclass(frozen=True)
class SimulatorConfig:
    """Everything that decides what the simulated data centre contains and how fast it runs.

    The contents are a pure function of ``seed``, ``start``, ``history_days``, ``assets`` and
    the district outlines; ``speed`` and ``tick_seconds`` only pace the live clock.
    """

    database_url: str = DEFAULT_DATABASE_URL
    drop_dir: Path = field(default=DEFAULT_DROP_DIR)
    districts_geojson: Path = field(default=DEFAULT_DISTRICTS_GEOJSON)
    seed: int = DEFAULT_SEED
    speed: float = 1.0
    start: datetime | None = None
    tick_seconds: float = 10.0
    history_days: int = 30
    assets: int = 120_000
    enterprises: int = 60_000

    def __post_init__(self) -> None:
        object.__setattr__(self, "drop_dir", Path(self.drop_dir))
        object.__setattr__(self, "districts_geojson", Path(self.districts_geojson))
        if self.speed <= 0:
            raise ValueError(f"speed must be positive, got {self.speed}")
        if self.tick_seconds <= 0:
            raise ValueError(f"tick_seconds must be positive, got {self.tick_seconds}")
        if self.history_days < 0:
            raise ValueError(f"history_days must be zero or more, got {self.history_days}")
        if self.enterprises < 0:
            raise ValueError(f"enterprises must be zero or more, got {self.enterprises}")
        if self.assets < 0:
            raise ValueError(f"assets must be zero or more, got {self.assets}")
        if self.seed < 0:
            raise ValueError(f"seed must be zero or more, got {self.seed}")
        if self.start is not None and self.start.tzinfo is None:
            raise ValueError("start must be timezone-aware (UTC), got a naive datetime")

    def resolved_start(self) -> datetime:
        """Simulated "now" at start: ``start`` in UTC, or the real time floored to the minute."""
        if self.start is not None:
            return self.start.astimezone(UTC)
        return datetime.now(UTC).replace(second=0, microsecond=0)
