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

ALERT_ROW = 0.94  # where alert markers sit, as a share of the plot's height
INCIDENT_ROW = 0.06


@dataclass(frozen=True)
class MarkPoint:
    """An alert or incident to mark: local time ("YYYY-MM-DD HH:MM"), severity, title."""

    at: str
    severity: str
    title: str


def _threshold_line(value: float, color: str, label: str) -> dict[str, Any]:
    return {
        "type": "line",
        "xref": "paper",
        "x0": 0,
        "x1": 1,
        "y0": value,
        "y1": value,
        "line": {"color": color, "width": 1.5, "dash": "dash"},
        "label": {"text": label, "textposition": "end", "font": {"color": color, "size": 12}},
    }


def _band(low: float, high: float, label: str) -> dict[str, Any]:
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
        "label": {"text": label, "textposition": "top right", "font": {"color": OK, "size": 12}},
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
    unit: str = "",
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
    shapes = []
    if band is not None:
        shapes.append(_band(band[0], band[1], _("Target band", language)))
    for value, color, label in ((warning, WARN, N_("Warning")), (critical, CRIT, N_("Critical"))):
        if value is not None:
            shapes.append(_threshold_line(value, color, _(label, language)))
    if alerts:
        data.append(_marks(alerts, ALERT_ROW, "triangle-down", _("Alert", language)))
    if incidents:
        data.append(_marks(incidents, INCIDENT_ROW, "diamond", _("Incident", language)))
    xaxis: dict[str, Any] = {"type": "date", "gridcolor": GRID, "color": MUTED}
    if x_range is not None:
        xaxis["range"] = list(x_range)
    return {
        "data": data,
        "layout": base_layout(
            margin={"l": 64, "r": 24, "t": 16, "b": 40},
            xaxis=xaxis,
            yaxis={
                "gridcolor": GRID,
                "color": MUTED,
                "title": {"text": unit},
                "tickformat": f",.{decimals}f",
            },
            yaxis2={"overlaying": "y", "range": [0, 1], "visible": False, "fixedrange": True},
            shapes=shapes,
            hovermode="closest",
        ),
    }
