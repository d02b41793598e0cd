"""The static world shared by all feeds: config, clock anchors, districts, places, weather."""

from __future__ import annotations

from functools import cached_property

from .config import SimulatorConfig
from .gazetteer import Gazetteer
from .geography import Geography
from .times import DAY, to_epoch
from .weather import Weather


class World:
    """What every feed may read; built once per data centre (cheap, no database access).

    ``start`` is the simulated time the build finished at and ``t0`` the start of the backfill
    (``start - history_days``): base tables describe the city as it stood at ``t0``.
    """

    def __init__(self, config: SimulatorConfig, start: int):
        self.config = config
        self.seed = int(config.seed)
        self.start = int(start)
        self.t0 = self.start - int(config.history_days) * DAY
        self.geo = Geography.load(config.districts_geojson)
        self.weather = Weather(self.seed)

    def shared(self, key: str, factory):
        """A value computed once per world and shared between feeds (e.g. the base register)."""
        cache = self.__dict__.setdefault("_shared", {})
        if key not in cache:
            cache[key] = factory()
        return cache[key]

    @classmethod
    def from_config(cls, config: SimulatorConfig) -> World:
        return cls(config, to_epoch(config.resolved_start()))

    @cached_property
    def gazetteer(self) -> Gazetteer:
        return Gazetteer(self.geo, self.seed)
