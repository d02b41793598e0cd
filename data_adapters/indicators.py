"""The city's key indicators, declared as data in `indicators.toml` and validated here.

An indicator names the observations it is computed from (`observation`, the `indicator`
column of the store's observations), how readings roll up within a period (`rollup`: the
mean of the stations in a district over an hour, the sum of a day's tickets, the last value
of a month) and how districts make the city figure (`city`), the direction that is good, its
thresholds (warning and critical, or a target band), and the source whose update cycle sets
its freshness limit.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from data_adapters.domain import describe
from data_adapters.tomlfile import read_toml

INDICATORS_FILE = Path(__file__).resolve().parent / "indicators.toml"
Domain = Literal[
    "population", "economy", "port", "environment", "traffic", "services", "safety", "credit"
]
Period = Literal["hour", "day", "month", "quarter"]


class IndicatorsFileError(ValueError):
    """An indicators file that cannot be used; the message names the indicator and field."""


class Indicator(BaseModel):
    """One key indicator of the city."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    name_zh: str
    name_en: str
    unit_zh: str = ""
    unit_en: str = ""
    domain: Domain
    source: str
    observation: str
    period: Period
    rollup: Literal["mean", "sum", "max", "min", "last"] = "mean"
    city: Literal["mean", "sum", "max", "min", "city_row"] = "mean"
    good: Literal["up", "down"]
    warning: float | None = None
    critical: float | None = None
    band: tuple[float, float] | None = None
    districts: bool = True
    scale: float = 1.0  # multiplies stored values for display (people -> 10k people)
    decimals: int = Field(default=1, ge=0, le=4)
    headline: bool = False

    @model_validator(mode="after")
    def _thresholds_follow_the_good_direction(self) -> Indicator:
        if self.band is not None and self.band[0] >= self.band[1]:
            raise ValueError("band must be [low, high] with low < high")
        if self.warning is not None and self.critical is not None:
            worse = (
                self.critical > self.warning
                if self.good == "down"
                else (self.critical < self.warning)
            )
            if not worse:
                raise ValueError("critical must be beyond warning in the bad direction")
        return self

    def status(self, value: float | None) -> Literal["normal", "warning", "critical", "none"]:
        """The status of a value against the thresholds (or the target band)."""
        if value is None:
            return "none"
        if self.band is not None:
            low, high = self.band
            return "normal" if low <= value <= high else "warning"
        for level, limit in (("critical", self.critical), ("warning", self.warning)):
            if limit is None:
                continue
            if (self.good == "down" and value >= limit) or (self.good == "up" and value <= limit):
                return level  # type: ignore[return-value]
        return "normal"


def load_indicators(path: Path = INDICATORS_FILE) -> list[Indicator]:
    """Read and validate an indicators file; ids must be unique."""
    data = read_toml(path, "indicators file", IndicatorsFileError)
    indicators = []
    for position, entry in enumerate(data.get("indicator", []), start=1):
        try:
            indicators.append(Indicator.model_validate(entry))
        except ValidationError as exc:
            label = entry.get("id", f"#{position}")
            raise IndicatorsFileError(f"{path}: indicator {label}: {describe(exc)}") from None
    ids = [i.id for i in indicators]
    if len(ids) != len(set(ids)):
        raise IndicatorsFileError(f"{path}: duplicate indicator ids")
    return indicators


@cache
def default_indicators() -> tuple[Indicator, ...]:
    """The product's indicators, read once per process."""
    return tuple(load_indicators())
