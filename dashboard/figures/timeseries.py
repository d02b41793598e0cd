"""The detail's time series: the indicator over the chosen range, its thresholds (warning and
critical lines, or the target band shaded) and alerts and incidents marked at their times."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dashboard.figures.theme import (
    ACCENT,
    CRIT,
    GRID,
    MUTED,
    OK,
    SEVERITY_COLORS,
    WARN,
    base_layout,
    message_figure,
)
from dashboard.i18n import N_, _

DAY_MS = 86_400_000
#: Tick labels by zoom: hours within a day, days within months, months beyond.
DATE_TICKS: list[dict[str, Any]] = [
    {"dtickrange": [None, DAY_MS], "value": "%H:%M\n%m-%d"},
    {"dtickrange": [DAY_MS, "M1"], "value": "%m-%d"},
    {"dtickrange": ["M1", None], "value": "%Y-%m"},
]
ALERT_ROW = 0.94  # where alert markers sit, as a share of the plot's height
INCIDENT_ROW = 0.06


@dataclass(frozen=True)
class MarkPoint:
    """An alert or incident to mark: local time ("YYYY-MM-DD HH:MM"), severity, title."""

    at: str
    severity: str
    title: str


def _threshold_line(value: float, color: str) -> dict[str, Any]:
    return {
        "type": "line",
        "xref": "paper",
        "x0": 0,
        "x1": 1,
        "y0": value,
        "y1": value,
        "line": {"color": color, "width": 1.5, "dash": "dash"},
    }


def _band(low: float, high: float) -> dict[str, Any]:
    return {
        "type": "rect",
        "xref": "paper",
        "x0": 0,
        "x1": 1,
        "y0": low,
        "y1": high,
        "fillcolor": "rgba(46, 204, 113, 0.12)",
        "line": {"width": 0},
        "layer": "below",
    }


def _margin_label(value: float, color: str, text: str) -> dict[str, Any]:
    """A threshold's name in the right margin at its height: never cut off by the plot."""
    return {
        "text": text,
        "xref": "paper",
        "x": 1,
        "xanchor": "left",
        "y": value,
        "yref": "y",
        "showarrow": False,
        "font": {"color": color, "size": 12},
    }


def _marks(marks: Sequence[MarkPoint], row: float, symbol: str, name: str) -> dict[str, Any]:
    return {
        "type": "scatter",
        "mode": "markers",
        "name": name,
        "x": [m.at for m in marks],
        "y": [row] * len(marks),
        "yaxis": "y2",
        "text": [m.title for m in marks],
        "marker": {
            "symbol": symbol,
            "size": 12,
            "color": [SEVERITY_COLORS.get(m.severity, MUTED) for m in marks],
            "line": {"color": "#07111f", "width": 1},
        },
        "hovertemplate": f"%{{x}}<br>{name}: %{{text}}<extra></extra>",
    }


def timeseries(
    points: Sequence[tuple[str, float]],
    *,
    language: str,
    unit: str = "",  # shown on hover (the panel's title names it too)
    decimals: int = 1,
    warning: float | None = None,
    critical: float | None = None,
    band: tuple[float, float] | None = None,
    alerts: Sequence[MarkPoint] = (),
    incidents: Sequence[MarkPoint] = (),
    x_range: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """A line of `points` ([(local time, display value)]) with thresholds in display units."""
    if not points:
        return message_figure(_("No data in this range", language))
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines+markers" if len(points) < 60 else "lines",
            "x": [at for at, _value in points],
            "y": [value for _at, value in points],
            "line": {"color": ACCENT, "width": 2.5},
            "marker": {"size": 5},
            "hovertemplate": f"%{{x}}<br>%{{y:,.{decimals}f}} {unit}<extra></extra>",
        }
    ]
    shapes, labels = [], []
    if band is not None:
        shapes.append(_band(band[0], band[1]))
        labels.append(_margin_label(band[1], OK, _("Target band", language)))
    for value, color, label in ((warning, WARN, N_("Warning")), (critical, CRIT, N_("Critical"))):
        if value is not None:
            shapes.append(_threshold_line(value, color))
            labels.append(_margin_label(value, color, _(label, language)))
    if alerts:
        data.append(_marks(alerts, ALERT_ROW, "triangle-down", _("Alert", language)))
    if incidents:
        data.append(_marks(incidents, INCIDENT_ROW, "diamond", _("Incident", language)))
    xaxis: dict[str, Any] = {
        "type": "date",
        "gridcolor": GRID,
        "color": MUTED,
        "tickformatstops": DATE_TICKS,  # numbers only: no English month names
        "hoverformat": "%Y-%m-%d %H:%M",
    }
    if x_range is not None:
        xaxis["range"] = list(x_range)
    return {
        "data": data,
        "layout": base_layout(
            margin={"l": 64, "r": 64, "t": 20, "b": 48},
            xaxis=xaxis,
            yaxis={
                "gridcolor": GRID,
                "color": MUTED,
                "tickformat": f",.{decimals}f",
            },
            yaxis2={"overlaying": "y", "range": [0, 1], "visible": False, "fixedrange": True},
            shapes=shapes,
            annotations=labels,
            hovermode="closest",
        ),
    }
