"""The tile's sparkline: a tiny line of the snapshot's series, no axes, no interaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dashboard.figures.theme import ACCENT, base_layout

#: `dcc.Graph` config of a sparkline: a static picture (cheaper to draw, nothing to hover).
SPARKLINE_CONFIG: dict[str, Any] = {"staticPlot": True, "displayModeBar": False}


def sparkline(series: Sequence[Sequence[Any]], color: str = ACCENT) -> dict[str, Any]:
    """A line of the values of `series` ([[time, value], ...]); the last point is marked."""
    values = [point[1] for point in series]
    last = len(values) - 1
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "y": values,
            "line": {"color": color, "width": 2, "shape": "linear"},
            "hoverinfo": "skip",
        }
    ]
    if values:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [last],
                "y": [values[-1]],
                "marker": {"color": color, "size": 6},
                "hoverinfo": "skip",
            }
        )
    axis = {"visible": False, "fixedrange": True}
    return {
        "data": data,
        "layout": base_layout(
            margin={"l": 4, "r": 6, "t": 4, "b": 4},
            xaxis={**axis, "range": [-0.5, max(last, 1) + 0.5]},
            yaxis=axis,
            autosize=True,
        ),
    }
