"""The tile's sparkline: a tiny line of the snapshot's series, no axes, no interaction."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from dashboard.figures.theme import ACCENT, TRANSPARENT

#: `dcc.Graph` config of a sparkline: a static picture (cheaper to draw, nothing to hover).
SPARKLINE_CONFIG: dict[str, Any] = {"staticPlot": True}


def _rounded(values: list[float]) -> list[float]:
    """Values to a two-hundredth of their range: finer than a sparkline's pixels, and fewer
    digits to send."""
    span = max(values) - min(values) if values else 0
    if span <= 0:
        return values
    digits = max(0, -math.floor(math.log10(span / 200)))
    return [round(value, digits) for value in values]


def sparkline(series: Sequence[Sequence[Any]], color: str = ACCENT) -> dict[str, Any]:
    """A line of the values of `series` ([[time, value], ...]); the last point is marked.

    Scatter traces (plotly's default type) with nothing a static plot does not draw: 28 of
    these go out with every refresh of the tiles.
    """
    values = _rounded([point[1] for point in series])
    last = len(values) - 1
    data: list[dict[str, Any]] = [{"mode": "lines", "y": values, "line": {"color": color}}]
    if values:
        data.append({"mode": "markers", "x": [last], "y": [values[-1]], "marker": {"color": color}})
    axis = {"visible": False}
    return {
        "data": data,
        "layout": {
            "paper_bgcolor": TRANSPARENT,
            "plot_bgcolor": TRANSPARENT,
            "margin": {"l": 4, "r": 6, "t": 4, "b": 4},
            "showlegend": False,
            "xaxis": {**axis, "range": [-0.5, max(last, 1) + 0.5]},
            "yaxis": axis,
        },
    }
