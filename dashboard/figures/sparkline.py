"""The tile's sparkline: a tiny line of the snapshot's series, no axes, no interaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dashboard.figures.theme import ACCENT, TRANSPARENT

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
            "line": {"color": color, "width": 2},
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
        "layout": {  # the least a static line needs: 28 of them go out with every refresh
            "paper_bgcolor": TRANSPARENT,
            "plot_bgcolor": TRANSPARENT,
            "margin": {"l": 4, "r": 6, "t": 4, "b": 4},
            "showlegend": False,
            "xaxis": {**axis, "range": [-0.5, max(last, 1) + 0.5]},
            "yaxis": axis,
        },
    }
