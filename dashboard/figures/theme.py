"""The wall theme for figures: the colours of `assets/css/cityops.css` (figures cannot read CSS
variables) and the transparent, axis-light base layout every figure starts from."""

from __future__ import annotations

from typing import Any

TEXT = "#e6f0ff"
MUTED = "#8aa4c2"
ACCENT = "#3fa9ff"
GRID = "#1c3552"
OK = "#2ecc71"
WARN = "#f5a623"
CRIT = "#ff4d4f"
STALE = "#8c8c9c"
SEVERE = "#ff7a45"
TRANSPARENT = "rgba(0,0,0,0)"
FONT = '"CityOps Sans", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif'

#: The line or fill colour of a status (tiles, bars); `stale` is neither green nor red.
STATUS_COLORS: dict[str, str] = {
    "normal": OK,
    "warning": WARN,
    "critical": CRIT,
    "stale": STALE,
    "none": STALE,
}

#: Marker colours by severity, for CAP alerts (extreme ... minor) and incidents.
SEVERITY_COLORS: dict[str, str] = {
    "extreme": CRIT,
    "critical": CRIT,
    "severe": SEVERE,
    "serious": SEVERE,
    "moderate": WARN,
    "minor": ACCENT,
}

#: Sequential colours of district values: low is dark, high is bright.
VALUE_SCALE: list[list[Any]] = [[0.0, "#123a5e"], [0.5, "#1f7fc4"], [1.0, "#8fd3ff"]]


def base_layout(**changes: Any) -> dict[str, Any]:
    """A transparent layout in the wall's font and colours, with room only for the data."""
    layout: dict[str, Any] = {
        "paper_bgcolor": TRANSPARENT,
        "plot_bgcolor": TRANSPARENT,
        "font": {"family": FONT, "color": TEXT, "size": 14},
        "margin": {"l": 8, "r": 8, "t": 8, "b": 8},
        "showlegend": False,
        "hoverlabel": {"font": {"family": FONT}},
    }
    layout.update(changes)
    return layout


def message_figure(text: str) -> dict[str, Any]:
    """An empty figure that says why it is empty."""
    return {
        "data": [],
        "layout": base_layout(
            xaxis={"visible": False},
            yaxis={"visible": False},
            annotations=[
                {
                    "text": text,
                    "showarrow": False,
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.5,
                    "y": 0.5,
                    "font": {"color": MUTED, "size": 16},
                }
            ],
        ),
    }
