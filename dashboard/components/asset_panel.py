"""The asset panel's content: one asset's facts, its status history, the nearest assets of the
same kind and the open incidents near it.

Pure functions of what the page read from the store (no request, no store here), so a test can
render a panel from plain dicts. Attribute names known to the data centre's spatial base
database get labels in both languages; others are shown as they come. Values that are data
(names, reasons, materials) are shown as the source wrote them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from dash import html

from dashboard.formatting import format_time
from dashboard.i18n import N_, _
from data_adapters.geo.spatial import Hit

STATUS_LABELS: dict[str, str] = {
    "normal": N_("Normal"),
    "fault": N_("Fault"),
    "maintenance": N_("Under maintenance"),
    "offline": N_("Offline"),
}
ATTRIBUTE_LABELS: dict[str, str] = {
    "wattage": N_("Wattage (W)"),
    "lamp_type": N_("Lamp type"),
    "pole_height_m": N_("Pole height (m)"),
    "smart": N_("Smart controller"),
    "utility": N_("Utility"),
    "material": N_("Material"),
    "diameter_mm": N_("Diameter (mm)"),
    "sensor": N_("Sensor fitted"),
    "resolution": N_("Resolution"),
    "ptz": N_("Pan-tilt-zoom"),
    "network": N_("Network"),
    "ai": N_("AI analytics"),
    "type": N_("Type"),
    "pressure_mpa": N_("Pressure (MPa)"),
    "routes": N_("Bus routes"),
    "shelter": N_("Shelter"),
    "e_board": N_("Electronic board"),
    "phases": N_("Signal phases"),
    "adaptive": N_("Adaptive timing"),
    "countdown": N_("Countdown display"),
    "level": N_("Level"),
    "students": N_("Students"),
    "public": N_("Public"),
    "grade": N_("Grade"),
    "beds": N_("Beds"),
    "emergency": N_("Emergency department"),
    "area_ha": N_("Area (ha)"),
    "open_hours": N_("Opening hours"),
    "toilets": N_("Toilets"),
    "buried_depth_m": N_("Buried depth (m)"),
    "system": N_("System"),
}
SEVERITY_LABELS: dict[str, str] = {
    "extreme": N_("Extreme"),
    "severe": N_("Severe"),
    "moderate": N_("Moderate"),
    "minor": N_("Minor"),
    "unknown": N_("Unknown"),
}
NEAREST_BUTTON = "assets-nearest"


def status_badge(status: str, language: str) -> html.Span:
    """The status as a coloured label."""
    label = _(STATUS_LABELS.get(status, status), language)
    return html.Span(label, className=f"asset-status status-{status}")


def attribute_value(value: Any, language: str) -> str:
    """An attribute's value as text: yes/no for booleans, lists joined, numbers as they are."""
    if isinstance(value, bool):
        return _("Yes", language) if value else _("No", language)
    if isinstance(value, list | tuple):
        return (
            "、".join(str(item) for item in value)
            if language == "zh"
            else ", ".join(str(item) for item in value)
        )
    if value is None or value == "":
        return "—"
    return str(value)


def distance_text(metres: float, language: str) -> str:
    """A distance in metres under a kilometre, else in kilometres."""
    if metres < 1000:
        return _("{n} m", language).format(n=f"{metres:.0f}")
    return _("{n} km", language).format(n=f"{metres / 1000:.1f}")


def _facts(detail: Mapping[str, Any], kind_name: str, district: str, language: str) -> html.Dl:
    installed = detail.get("install_date")
    rows: list[tuple[str, str]] = [
        (_("Kind", language), kind_name),
        (_("District", language), district),
        (
            _("Installed", language),
            installed.isoformat() if isinstance(installed, date) else str(installed or "—"),
        ),
        (_("Owner", language), detail.get("owner") or "—"),
    ]
    if detail.get("lon") is not None and detail.get("lat") is not None:
        rows.append((_("Location", language), f"{detail['lat']:.5f}° N, {detail['lon']:.5f}° E"))
    for key, value in (detail.get("attributes") or {}).items():
        label = ATTRIBUTE_LABELS.get(key)
        rows.append((_(label, language) if label else key, attribute_value(value, language)))
    return html.Dl(
        [part for name, value in rows for part in (html.Dt(name), html.Dd(value))],
        className="asset-facts",
    )


def _section(title: str, body: Any) -> html.Section:
    return html.Section([html.H3(title, className="assets-section-title"), body])


def _empty(text: str) -> html.Div:
    return html.Div(text, className="asset-empty")


def history_list(history: Sequence[Mapping[str, Any]], language: str, zone: str) -> Any:
    """The status changes, newest first: when, from → to, why."""
    if not history:
        return _empty(_("No status changes recorded", language))
    items = []
    for change in history:
        at: datetime | None = change.get("changed_at")
        move = [
            status_badge(change.get("from_status") or "", language)
            if change.get("from_status")
            else None,
            " → ",
            status_badge(change["to_status"], language),
        ]
        items.append(
            html.Li(
                [
                    html.Span(format_time(at, zone, "%m-%d %H:%M"), className="when"),
                    html.Span([*move, " ", change.get("reason") or ""], className="what"),
                ]
            )
        )
    return html.Ul(items, className="asset-list asset-history")


def nearest_list(hits: Sequence[Hit], names: Mapping[str, tuple[str, str]], language: str) -> Any:
    """The nearest assets of the same kind; a click selects one. `names`: key -> (name, status)."""
    if not hits:
        return _empty(_("No other assets of this kind nearby", language))
    items = []
    for hit in hits:
        name, status = names.get(hit.key, (hit.key, ""))
        items.append(
            html.Li(
                [
                    html.Button(
                        name or hit.key,
                        id={"type": NEAREST_BUTTON, "key": hit.key},
                        className="what",
                        title=hit.key,
                    ),
                    status_badge(status, language) if status and status != "normal" else None,
                    html.Span(distance_text(hit.metres, language), className="dist"),
                ]
            )
        )
    return html.Ul(items, className="asset-list asset-nearest")


def incidents_list(incidents: Sequence[Mapping[str, Any]], language: str) -> Any:
    """Open incidents near the asset, nearest first."""
    if not incidents:
        return _empty(_("No open incidents nearby", language))
    items = [
        html.Li(
            [
                html.Span(
                    _(
                        SEVERITY_LABELS.get(str(incident.get("severity")).lower(), N_("Unknown")),
                        language,
                    ),
                    className="when",
                ),
                html.Span(incident.get("title") or incident.get("ref") or "", className="what"),
                html.Span(distance_text(incident["distance_m"], language), className="dist"),
            ]
        )
        for incident in incidents
    ]
    return html.Ul(items, className="asset-list asset-incidents")


def asset_panel(
    detail: Mapping[str, Any],
    *,
    kind_name: str,
    district: str,
    history: Sequence[Mapping[str, Any]],
    nearest: Sequence[Hit],
    nearest_names: Mapping[str, tuple[str, str]],
    incidents: Sequence[Mapping[str, Any]],
    radius_m: float,
    language: str,
    zone: str,
) -> list:
    """The whole panel for one asset."""
    return [
        html.Div(
            [
                html.Div(detail.get("name") or detail["key"], className="asset-name"),
                html.Div(
                    [detail["key"], status_badge(detail["status"], language)],
                    className="asset-id",
                ),
            ],
            className="asset-title",
        ),
        _facts(detail, kind_name, district, language),
        _section(_("Status history", language), history_list(history, language, zone)),
        _section(
            _("Nearest of the same kind", language), nearest_list(nearest, nearest_names, language)
        ),
        _section(
            _("Open incidents within {distance}", language).format(
                distance=distance_text(radius_m, language)
            ),
            incidents_list(incidents, language),
        ),
    ]
