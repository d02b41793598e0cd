"""Helpers for periodic releases (monthly statistics, daily exports) that appear at fixed times.

A periodic feed knows, for each period, when it is released; the build writes every period
released by ``t0``, each step the periods released in (a, b].
"""

from __future__ import annotations

import numpy as np

from .times import HOUR, day_start, month_first_day


def monthly_release(m, day_of_month: int, hour: int) -> np.ndarray:
    """Release time (epoch s) of month ``m``'s figures: local ``day_of_month`` of month m+1."""
    m = np.asarray(m, dtype=np.int64)
    return day_start(month_first_day(m + 1) + day_of_month - 1) + hour * HOUR


def released_between(release: np.ndarray, a: int | None, b: int) -> np.ndarray:
    """Boolean mask of releases in (a, b] (or <= b when ``a`` is None)."""
    if a is None:
        return release <= b
    return (release > a) & (release <= b)
