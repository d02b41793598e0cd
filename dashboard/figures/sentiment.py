"""The public-sentiment page's figures: volume stacked by sentiment, the negative share against
its baseline band, 12345 response times against their limits, and the channels' shares."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dashboard.figures.theme import (
    ACCENT,
    CRIT,
    GRID,
    MUTED,
    OK,
    STALE,
    TEXT,
    TRANSPARENT,
    WARN,
    base_layout,
    message_figure,
)
from dashboard.i18n import N_, _

#: Colours of the sentiments (the page's chips use the same in sentiment.css).
SENTIMENT_COLORS: dict[str, str] = {"negative": CRIT, "neutral": STALE, "positive": OK}
SENTIMENT_LABELS: dict[str, str] = {
    "negative": N_("Negative"),
    "neutral": N_("Neutral"),
    "positive": N_("Positive"),
}
CHANNEL_COLORS: tuple[str, ...] = (ACCENT, WARN, "#9b59b6", "#1abc9c", "#e67e22", "#95a5a6")


def volume_figure(
    labels: Sequence[str], counts: Mapping[str, Sequence[int]], language: str
) -> dict[str, Any]:
    """Posts per bucket as bars stacked by sentiment, negative at the bottom."""
    if not labels or not any(sum(v) for v in counts.values()):
        return message_figure(_("No posts in this range", language))
    data = [
        {
            "type": "bar",
            "name": _(SENTIMENT_LABELS[key], language),
            "x": list(labels),
            "y": list(counts.get(key, [])),
            "marker": {"color": SENTIMENT_COLORS[key]},
            "hovertemplate": "%{x}<br>%{fullData.name}: %{y:,}<extra></extra>",
        }
        for key in ("negative", "neutral", "positive")
    ]
    return {
        "data": data,
        "layout": base_layout(
            barmode="stack",
            bargap=0.15,
            showlegend=True,
            legend={
                "orientation": "h",
                "x": 1,
                "xanchor": "right",
                "y": 1.12,
                "font": {"size": 12},
            },
            margin={"l": 44, "r": 28, "t": 24, "b": 28},
            xaxis={"type": "category", "color": MUTED, "nticks": 8, "tickfont": {"size": 11}},
            yaxis={
                "gridcolor": GRID,
                "color": MUTED,
                "tickformat": ",~r",
                "rangemode": "tozero",
                "tickfont": {"size": 11},
            },
        ),
    }


def share_figure(
    days: Sequence[float | None],
    current: float | None,
    baseline: float | None,
    spread: float | None,
    labels: Sequence[str],
) -> dict[str, Any]:
    """The negative share of the 7 days before and now (percent), over the baseline band
    (mean ± one standard deviation) and its mean line; now in red when above the band."""
    values = [None if v is None else round(100 * v, 1) for v in [*days, current]]
    x = list(labels)
    data: list[dict[str, Any]] = []
    shapes = []
    if baseline is not None:
        low = max(0.0, 100 * (baseline - (spread or 0)))
        high = 100 * (baseline + (spread or 0))
        shapes = [
            {
                "type": "rect",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": low,
                "y1": high,
                "fillcolor": "rgba(63,169,255,0.15)",
                "line": {"width": 0},
                "layer": "below",
            },
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": 100 * baseline,
                "y1": 100 * baseline,
                "line": {"color": ACCENT, "width": 1, "dash": "dot"},
            },
        ]
    high_now = (
        current is not None
        and baseline is not None
        and 100 * current > 100 * (baseline + (spread or 0))
    )
    data.append(
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": x,
            "y": values,
            "line": {"color": TEXT, "width": 2},
            "marker": {
                "size": [6] * (len(values) - 1) + [11],
                "color": [MUTED] * (len(values) - 1) + [CRIT if high_now else OK],
            },
            "hovertemplate": "%{x}: %{y:.1f}%<extra></extra>",
            "connectgaps": True,
        }
    )
    return {
        "data": data,
        "layout": base_layout(
            shapes=shapes,
            margin={"l": 36, "r": 8, "t": 6, "b": 22},
            xaxis={"type": "category", "color": MUTED, "showgrid": False, "tickfont": {"size": 10}},
            yaxis={"gridcolor": GRID, "color": MUTED, "ticksuffix": "%", "tickfont": {"size": 10}},
        ),
    }


def response_figure(
    departments: Sequence[str],
    medians: Sequence[float],
    limits: Sequence[float | None],
    language: str,
) -> dict[str, Any]:
    """Median hours to close by department (slowest on top), red when over its time limit;
    the limit as a tick on each bar."""
    if not departments:
        return message_figure(_("No tickets closed in this range", language))
    order = list(range(len(departments)))[::-1]
    names = [departments[i] for i in order]
    over = [limits[i] is not None and medians[i] > limits[i] for i in order]
    hours = _("hours", language)
    limit_word = _("Time limit", language)
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": names,
                "x": [medians[i] for i in order],
                "marker": {"color": [CRIT if o else OK for o in over]},
                "text": [f"{medians[i]:.1f}" for i in order],
                "textposition": "auto",
                "hovertemplate": f"%{{y}}: %{{x:.1f}} {hours}<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "markers",
                "y": [n for n, i in zip(names, order, strict=True) if limits[i] is not None],
                "x": [limits[i] for i in order if limits[i] is not None],
                "marker": {"symbol": "line-ns", "size": 18, "line": {"width": 3, "color": WARN}},
                "hovertemplate": f"%{{y}}: {limit_word} %{{x:.0f}} {hours}<extra></extra>",
            },
        ],
        "layout": base_layout(
            margin={"l": 8, "r": 12, "t": 4, "b": 24},
            bargap=0.25,
            xaxis={"gridcolor": GRID, "color": MUTED, "ticksuffix": "h", "tickfont": {"size": 11}},
            yaxis={"color": TEXT, "automargin": True, "tickfont": {"size": 12}},
        ),
    }


def channels_figure(names: Sequence[str], counts: Sequence[int], language: str) -> dict[str, Any]:
    """The channels' shares as a ring, largest first."""
    if not counts or not sum(counts):
        return message_figure(_("No posts in this range", language))
    return {
        "data": [
            {
                "type": "pie",
                "hole": 0.55,
                "labels": list(names),
                "values": list(counts),
                "sort": False,
                "direction": "clockwise",
                "marker": {
                    "colors": [CHANNEL_COLORS[i % len(CHANNEL_COLORS)] for i in range(len(names))],
                    "line": {"color": TRANSPARENT, "width": 0},
                },
                "textinfo": "percent",
                "textposition": "inside",
                "insidetextorientation": "horizontal",
                "textfont": {"size": 12, "color": TEXT},
                "hovertemplate": "%{label}: %{value:,} (%{percent})<extra></extra>",
            }
        ],
        "layout": base_layout(margin={"l": 4, "r": 4, "t": 4, "b": 4}),
    }
