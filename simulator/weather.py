"""Deterministic weather of Lianyungang by local day: a pure function of (seed, day).

Drives the feeds that should agree with each other: water levels rise after heavy rain,
early warnings follow rain, wind, fog, heat and cold waves, tickets about ponding follow
rainstorms, air quality is worse on calm winter days. Climate magnitudes are those of a
warm-temperate monsoon coast (January ~1 °C, July ~27 °C, ~900 mm rain, mostly June-August).
"""

from __future__ import annotations

import numpy as np

from .rhythms import seasonal
from .rng import fractal_noise, smooth_noise, uniform
from .times import DAY, calendar_month, day_of_year, local_day, local_hour, month_of_day

# Probability of a wet day and mean rain on a wet day (mm), January..December.
P_RAIN = np.array([0.18, 0.2, 0.25, 0.25, 0.28, 0.33, 0.45, 0.42, 0.3, 0.22, 0.2, 0.16])
RAIN_SCALE = np.array([4, 5, 6, 8, 9, 12, 14, 13, 10, 7, 5, 4], dtype=float)
P_FOG = np.array([0.12, 0.1, 0.08, 0.06, 0.04, 0.04, 0.03, 0.02, 0.03, 0.06, 0.1, 0.13])
WINDY_MONTHS = np.array([0.8, 0.6, 0.9, 0.8, 0.3, 0.0, 0.0, 0.0, 0.2, 0.4, 0.8, 0.9])
P_TYPHOON_START = 0.012  # per day, July-September


CACHE_CHUNK = 256


class Weather:
    """Daily weather features for arrays of local day indices (memoised in day chunks)."""

    def __init__(self, seed: int):
        self.seed = seed
        self._chunks: dict[int, dict[str, np.ndarray]] = {}

    def daily(self, d) -> dict[str, np.ndarray]:
        d = np.atleast_1d(np.asarray(d, dtype=np.int64))
        chunk = d // CACHE_CHUNK
        lo, hi = int(chunk.min()), int(chunk.max())
        if lo == hi:
            table = self._chunk(lo)
            return {k: v[d - lo * CACHE_CHUNK] for k, v in table.items()}
        tables = [self._chunk(c) for c in range(lo, hi + 1)]
        merged = {k: np.concatenate([t[k] for t in tables]) for k in tables[0]}
        return {k: v[d - lo * CACHE_CHUNK] for k, v in merged.items()}

    def _chunk(self, c: int) -> dict[str, np.ndarray]:
        table = self._chunks.get(c)
        if table is None:
            table = self._compute(np.arange(c * CACHE_CHUNK, (c + 1) * CACHE_CHUNK))
            if len(self._chunks) > 32:
                self._chunks.pop(next(iter(self._chunks)))
            self._chunks[c] = table
        return table

    def _compute(self, d: np.ndarray) -> dict[str, np.ndarray]:
        s = self.seed
        doy = day_of_year(d)
        month = calendar_month(month_of_day(d))
        mi = month - 1
        t = d * DAY
        anomaly = 3.2 * smooth_noise(s, "wx.temp", 0, t, 5 * DAY) + 1.6 * smooth_noise(
            s, "wx.temp", 1, t, 17 * DAY
        )
        tmean = seasonal(doy, 14.3, 13.0, 200) + anomaly
        typhoon_start = lambda day: (  # noqa: E731
            np.isin(calendar_month(month_of_day(day)), (7, 8, 9))
            & (uniform(s, "wx.typhoon", day) < P_TYPHOON_START)
        )
        typhoon = typhoon_start(d) | typhoon_start(d - 1)
        wet = uniform(s, "wx.wet", d) < P_RAIN[mi]
        rain = np.where(wet, -np.log1p(-uniform(s, "wx.rain", d)) * RAIN_SCALE[mi], 0.0)
        rain = np.where(typhoon, rain + 45 + 90 * uniform(s, "wx.train", d), rain)
        rain = np.round(rain, 1)
        rain_start = np.floor(uniform(s, "wx.rstart", d) * 20)
        rain_hours = np.minimum(2 + np.floor(uniform(s, "wx.rhours", d) * 11), 24 - rain_start)
        wind = (
            3.2
            + 1.7 * smooth_noise(s, "wx.wind", 0, t, 2 * DAY)
            + WINDY_MONTHS[mi]
            + 1.2 * (uniform(s, "wx.gust", d) > 0.93)
        )
        wind = np.where(typhoon, np.maximum(wind, 8 + 2 * uniform(s, "wx.twind", d)), wind)
        wind = np.clip(np.round(wind), 1, 12).astype(np.int64)
        foggy = (uniform(s, "wx.fog", d) < P_FOG[mi]) & (wind <= 4) & (rain < 10)
        visibility = np.where(
            foggy,
            0.045 + 0.75 * uniform(s, "wx.vis", d) ** 1.5,
            6 + 14 * uniform(s, "wx.vis", d),
        )
        tmax = tmean + 5.2 + 1.5 * (month >= 6) * (month <= 8) - np.minimum(rain / 12, 3.5)
        tmin = tmean - 4.5 + np.minimum(rain / 25, 1.5)
        pm_base = seasonal(doy, 44, 24, 10)
        haze = np.exp(0.62 * fractal_noise(s, "wx.haze", 0, t, (3 * DAY, 11 * DAY), (2, 1)))
        pm = pm_base * haze * np.exp(-0.13 * (wind - 3)) * np.where(rain > 5, 0.6, 1.0)
        return {
            "day": d,
            "month": month,
            "tmax": np.round(tmax, 1),
            "tmin": np.round(tmin, 1),
            "rain_mm": rain,
            "rain_start": rain_start,
            "rain_hours": rain_hours,
            "wind": wind,
            "visibility_km": np.round(visibility, 2),
            "typhoon": typhoon,
            "pm25_day": np.round(pm, 1),
        }

    def _window(self, t, back: int):
        t = np.atleast_1d(np.asarray(t, dtype=np.int64))
        d = local_day(t)
        lo = int(d.min()) - back
        days = self.daily(np.arange(lo, int(d.max()) + 1))
        return t, d - lo, days

    def rain_rate(self, t) -> np.ndarray:
        """Rain intensity (mm/h) at times ``t``."""
        t, i, w = self._window(t, 0)
        h = local_hour(t)
        on = (h >= w["rain_start"][i]) & (h < w["rain_start"][i] + w["rain_hours"][i])
        return np.where(on, w["rain_mm"][i] / np.maximum(w["rain_hours"][i], 1), 0.0)

    def rain_index(self, t, tau_days: float, back: int = 10) -> np.ndarray:
        """Exponentially weighted rain of the last ``back`` days plus today's rain so far (mm)."""
        t, i, w = self._window(t, back)
        h = local_hour(t)
        done = np.clip((h - w["rain_start"][i]) / np.maximum(w["rain_hours"][i], 1), 0, 1)
        total = w["rain_mm"][i] * done
        for k in range(1, back + 1):
            total = total + w["rain_mm"][i - k] * np.exp(-(k - 0.5) / tau_days)
        return total

    def at(self, t) -> dict[str, np.ndarray]:
        """Daily features of the local day of each time in ``t``."""
        t, i, w = self._window(t, 0)
        return {k: v[i] for k, v in w.items()}
