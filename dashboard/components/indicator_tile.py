"""The indicator tile: one key indicator's value, change, sparkline, status and freshness.

`indicator_tile(indicator, snapshot_payload, freshness, language, id=...)` is a pure function of
its arguments (no request, no store), so any page can lay tiles out and a test can read one.
A tile is green, amber or red by the snapshot's status; a tile whose source is stale is none of
these: grey, dimmed and labelled stale. A tile with no snapshot yet says so.

Its styles are in `assets/css/vitals.css` (served on every page); the unit and the change's
label are drawn there from `data-unit` and `data-label`, which keeps a tile to six elements.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dash import dcc, html

from dashboard.data.freshness import Freshness
from dashboard.figures.sparkline import SPARKLINE_CONFIG, sparkline
from dashboard.figures.theme import ACCENT, CRIT, STALE, WARN
from dashboard.figures.values import display, format_number, scaled, unit
from dashboard.i18n import N_, _
from data_adapters.cycles import CYCLE_NAMES_ZH
from data_adapters.indicators import Indicator
from data_adapters.sources.config import CatalogueEntry

DEFAULT_ZONE = "Asia/Shanghai"
STATUS_LABELS = {"normal": N_("Normal"), "warning": N_("Warning"), "critical": N_("Critical")}
SPARK_COLORS = {"normal": ACCENT, "warning": WARN, "critical": CRIT, "stale": STALE}
ARROWS = {"up": "▲", "down": "▼", "flat": "▬"}
#: English names of the catalogue's update cycles (the Chinese are the catalogue's own).
CYCLE_NAMES_EN = {
    "realtime": "real time",
    "1min": "every minute",
    "5min": "every 5 minutes",
    "15min": "every 15 minutes",
    "hourly": "hourly",
    "daily": "daily",
    "weekly": "weekly",
    "monthly": "monthly",
    "quarterly": "quarterly",
    "yearly": "yearly",
}


def has_value(payload: dict[str, Any] | None) -> bool:
    """Whether a snapshot has a value to show."""
    return payload is not None and payload.get("value") is not None


def tile_state(payload: dict[str, Any] | None, freshness: Freshness | None) -> str:
    """What the tile's colour says: `nodata`, `stale` (over any status), or the status."""
    if not has_value(payload):
        return "nodata"
    if freshness is not None and freshness.stale:
        return "stale"
    status = payload.get("status") if payload else None
    return status if status in STATUS_LABELS else "normal"


def change_direction(indicator: Indicator, payload: dict[str, Any] | None) -> tuple[str, str]:
    """(direction, tone) of the change on the previous period: direction up/down/flat (flat
    when the change does not show at the indicator's decimals), tone good/bad/flat by the
    indicator's good direction; ("", "") when there is nothing to compare."""
    change = payload.get("change") if payload else None
    shown = scaled(indicator, change)
    if shown is None:
        return "", ""
    if shown == 0:
        return "flat", "flat"
    direction = "up" if shown > 0 else "down"
    return direction, "good" if direction == indicator.good else "bad"


def change_text(indicator: Indicator, payload: dict[str, Any]) -> str:
    """ "▲ 3.2 (+1.5%)": the change in display units, and in per cent where that reads well."""
    direction, _tone = change_direction(indicator, payload)
    shown = scaled(indicator, payload.get("change"))
    text = f"{ARROWS[direction]} {format_number(abs(shown or 0), indicator.decimals)}"
    share = payload.get("change_pct")
    if share is not None and direction != "flat" and indicator.unit_en != "%":
        text += f" ({format_number(100 * share, 1, signed=True)}%)"
    return text


def updated_label(when: datetime | None, now: datetime, zone: str = DEFAULT_ZONE) -> str:
    """A time in the city's zone: "HH:MM" today, "MM-DD HH:MM" another day this year,
    "YYYY-MM-DD" before; "—" never."""
    if when is None:
        return "—"
    local, today = when.astimezone(ZoneInfo(zone)), now.astimezone(ZoneInfo(zone))
    if local.date() == today.date():
        return local.strftime("%H:%M")
    return local.strftime("%m-%d %H:%M" if local.year == today.year else "%Y-%m-%d")


def period_label(start: str | None, period: str, language: str) -> str:
    """The data's period from its ISO start: an hour, a day, a month or a quarter."""
    if not start:
        return "—"
    at = datetime.fromisoformat(start)
    if period == "hour":
        return at.strftime("%Y-%m-%d %H:00")
    if period == "day":
        return at.strftime("%Y-%m-%d")
    if period == "month":
        return _("{year}-{month:02d}", language).format(year=at.year, month=at.month)
    quarter = (at.month - 1) // 3 + 1
    return _("{year} Q{quarter}", language).format(year=at.year, quarter=quarter)


def cycle_name(cycle: str, language: str) -> str:
    """An update cycle as the catalogue names it in Chinese, or in English."""
    names = CYCLE_NAMES_ZH if language == "zh" else CYCLE_NAMES_EN
    return names.get(cycle, cycle)


def tile_title(
    indicator: Indicator,
    payload: dict[str, Any] | None,
    freshness: Freshness | None,
    language: str,
    source: CatalogueEntry | None = None,
    zone: str = DEFAULT_ZONE,
) -> str:
    """The hover text: source, provider department, update cycle, period and freshness."""
    if source is not None:
        provider = source.provider if language == "zh" else (source.provider_en or source.provider)
        lines = [
            _("Source: {name}", language).format(
                name=source.name_zh if language == "zh" else source.name_en
            ),
            _("Provider: {name}", language).format(name=provider),
            _("Update cycle: {cycle}", language).format(
                cycle=cycle_name(source.update_cycle, language)
            ),
        ]
    elif indicator.source == "derived":
        lines = [_("Computed by the clock from the ops store", language)]
    else:
        lines = [_("Source: {name}", language).format(name=indicator.source)]
    period = period_label(
        payload.get("period_start") if payload else None, indicator.period, language
    )
    lines.append(_("Data period: {period}", language).format(period=period))
    if freshness is not None:
        last = freshness.last_success
        when = last.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M") if last else None
        lines.append(
            _("Last success: {time}", language).format(time=when)
            if when
            else _("Last success: never", language)
        )
        if freshness.error:
            lines.append(_("Last error: {error}", language).format(error=freshness.error))
    return "\n".join(lines)


def _value(indicator: Indicator, payload: dict[str, Any] | None, language: str) -> html.Div:
    """The value, its unit drawn after it from `data-unit` (one element, not three: 28 tiles
    go out with every refresh)."""
    if not has_value(payload):
        return html.Div(_("No data yet", language), className="tile-empty")
    value = display(indicator, payload["value"] if payload else None)
    return html.Div(value, className="tile-number", **{"data-unit": unit(indicator, language)})


def _change(indicator: Indicator, payload: dict[str, Any] | None, language: str) -> html.Div:
    """The change on the previous period, coloured by its tone, labelled from `data-label`."""
    direction, tone = change_direction(indicator, payload)
    if not direction or payload is None:
        text = _("No previous period", language) if has_value(payload) else ""
        return html.Div(text, className="tile-change tone-none")
    return html.Div(
        change_text(indicator, payload),
        className=f"tile-change tone-{tone}",
        **{"data-label": _("vs previous period", language)},
    )


def _badges(state: str, stale: bool, language: str) -> list[html.Span]:
    """The warning or critical label, or the stale label (normal needs no words)."""
    if stale:
        key, text = "stale", N_("Stale")
    elif state in ("warning", "critical"):
        key, text = state, STATUS_LABELS[state]
    else:
        return []
    return [html.Span(_(text, language), className=f"tile-badge badge-{key}")]


def indicator_tile(
    indicator: Indicator,
    snapshot_payload: dict[str, Any] | None,
    freshness: Freshness | None,
    language: str,
    id: str | dict[str, str],
    *,
    source: CatalogueEntry | None = None,
    zone: str = DEFAULT_ZONE,
    now: datetime | None = None,
) -> html.Div:
    """One indicator as a clickable tile (count clicks on `id`'s `n_clicks`).

    `snapshot_payload` is the newest snapshot's payload (None: none yet); `freshness` is the
    source's (None: unknown, not shown); `source` the catalogue entry shown on hover.
    """
    state = tile_state(snapshot_payload, freshness)
    stale = freshness is not None and freshness.stale
    series = snapshot_payload.get("series", []) if snapshot_payload else []
    now = now or datetime.now(ZoneInfo(zone))
    updated = updated_label(freshness.last_success if freshness else None, now, zone)
    spark: Any = (
        dcc.Graph(
            figure=sparkline(series, SPARK_COLORS.get(state, STALE)),
            config=SPARKLINE_CONFIG,
            className="tile-spark",
            responsive=True,
        )
        if series and state != "nodata"
        else html.Div(className="tile-spark")
    )
    return html.Div(
        id=id,
        className=f"vitals-tile tile-{state}"
        + (" tile-stale" if stale and state != "stale" else ""),
        title=tile_title(indicator, snapshot_payload, freshness, language, source, zone),
        **{"data-indicator": indicator.id},
        children=[
            html.Div(
                indicator.name_zh if language == "zh" else indicator.name_en, className="tile-name"
            ),
            *_badges(state, stale, language),
            _value(indicator, snapshot_payload, language),
            _change(indicator, snapshot_payload, language),
            spark,
            html.Div(_("Updated {time}", language).format(time=updated), className="tile-updated"),
        ],
    )
