"""Time rhythms shared by the feeds: hour-of-day curves, weekday factors, seasonal curves.

Curves are 24 hourly weights in local time, interpolated cyclically; the Poisson helper turns
a daily total and a curve into event times for one simulated hour.
"""

from __future__ import annotations

import numpy as np

from .times import HOUR, local_hour, local_weekday

HOURLY = {
    # 12345 hotline: quiet at night, morning and afternoon office peaks
    "hotline": (
        0.25,
        0.15,
        0.1,
        0.08,
        0.08,
        0.15,
        0.4,
        0.9,
        1.6,
        2.0,
        2.0,
        1.7,
        1.2,
        1.4,
        1.8,
        1.9,
        1.8,
        1.5,
        1.1,
        0.9,
        0.8,
        0.7,
        0.55,
        0.4,
    ),
    # social media: evening peak
    "posts": (
        0.6,
        0.35,
        0.2,
        0.12,
        0.1,
        0.15,
        0.4,
        0.8,
        1.0,
        1.0,
        1.0,
        1.1,
        1.3,
        1.1,
        1.0,
        1.0,
        1.0,
        1.1,
        1.3,
        1.6,
        1.9,
        2.0,
        1.7,
        1.1,
    ),
    # road traffic on working days: morning and evening rush
    "traffic_workday": (
        0.12,
        0.08,
        0.06,
        0.06,
        0.1,
        0.3,
        0.75,
        1.45,
        1.5,
        1.1,
        0.95,
        1.0,
        1.0,
        0.95,
        1.0,
        1.05,
        1.2,
        1.5,
        1.45,
        1.0,
        0.75,
        0.55,
        0.35,
        0.2,
    ),
    "traffic_weekend": (
        0.2,
        0.12,
        0.08,
        0.06,
        0.07,
        0.15,
        0.3,
        0.55,
        0.8,
        1.0,
        1.15,
        1.2,
        1.15,
        1.1,
        1.1,
        1.15,
        1.2,
        1.25,
        1.15,
        1.0,
        0.85,
        0.65,
        0.45,
        0.3,
    ),
    # emergencies: afternoon/evening heavier, never zero
    "incidents": (
        0.6,
        0.5,
        0.45,
        0.4,
        0.4,
        0.5,
        0.7,
        1.0,
        1.1,
        1.1,
        1.1,
        1.15,
        1.1,
        1.05,
        1.1,
        1.15,
        1.2,
        1.3,
        1.35,
        1.3,
        1.2,
        1.0,
        0.85,
        0.7,
    ),
    # office work (registrations, licences, certificates)
    "office": (
        0.02,
        0.01,
        0.01,
        0.01,
        0.01,
        0.02,
        0.05,
        0.3,
        1.6,
        2.2,
        2.2,
        1.6,
        0.6,
        0.9,
        2.0,
        2.2,
        2.0,
        1.2,
        0.3,
        0.15,
        0.1,
        0.08,
        0.05,
        0.03,
    ),
}

WEEKDAY = {
    "hotline": (1.1, 1.08, 1.05, 1.05, 1.02, 0.85, 0.8),
    "posts": (0.95, 0.95, 0.95, 0.97, 1.03, 1.1, 1.08),
    "incidents": (1.0, 0.98, 0.98, 1.0, 1.04, 1.07, 1.05),
    "office": (1.2, 1.2, 1.2, 1.2, 1.15, 0.05, 0.03),
    "flat": (1.0,) * 7,
}

_NORMALISED = {k: np.asarray(v) / np.mean(v) for k, v in HOURLY.items()}


def hour_curve(name: str, t) -> np.ndarray:
    """Relative level (mean 1 over a day) of curve ``name`` at times ``t``, interpolated."""
    curve = _NORMALISED[name]
    h = local_hour(t)
    i = np.floor(h).astype(np.int64) % 24
    f = h - np.floor(h)
    return curve[i] * (1 - f) + curve[(i + 1) % 24] * f


def weekday_factor(name: str, t) -> np.ndarray:
    return np.asarray(WEEKDAY[name])[local_weekday(np.asarray(t))]


def seasonal(doy, mean: float, amplitude: float, peak_doy: float) -> np.ndarray:
    """Cosine annual cycle peaking on day-of-year ``peak_doy``."""
    return mean + amplitude * np.cos(2 * np.pi * (np.asarray(doy) - peak_doy) / 365.25)


def poisson_times(
    rng: np.random.Generator, block_start: int, expected: float, seconds: int = HOUR
) -> np.ndarray:
    """Sorted event times (epoch s) of a Poisson process with ``expected`` events in the block."""
    n = int(rng.poisson(max(expected, 0.0)))
    return np.sort(block_start + rng.integers(0, seconds, n)).astype(np.int64)


def expected_in_hour(daily_total: float, curve: str, weekday: str, block_start: int) -> float:
    """Expected events in the hour starting at ``block_start`` for a mean daily total."""
    mid = np.array([block_start + HOUR // 2])
    return float(daily_total / 24.0 * hour_curve(curve, mid)[0] * weekday_factor(weekday, mid)[0])
