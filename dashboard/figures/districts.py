"""The detail's district breakdown: a choropleth of the six districts and counties and a
ranked bar chart, both drawn offline.

The choropleth is a plotly `choropleth` on an invisible `geo` subplot, with the outlines from
the app's own GeoJSON, fitted to the districts: no basemap, no tiles. plotly.js still asks for
a world topojson whenever a trace has a `locationmode`, from cdn.plot.ly by default; the graph
config `OFFLINE_GEO_CONFIG` points that request at an empty topology inside a data: URL (the
file name plotly appends lands in the URL's fragment), so nothing leaves the machine.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any
from urllib.parse import quote

from shapely.geometry import MultiPolygon, mapping, shape
from shapely.geometry.polygon import orient

from dashboard.data.vitals import district_name, district_names
from dashboard.figures.theme import (
    ACCENT,
    GRID,
    MUTED,
    STALE,
    STATUS_COLORS,
    TEXT,
    TRANSPARENT,
    VALUE_SCALE,
    base_layout,
)
from dashboard.i18n import _
from dashboard.paths import districts_geojson

_EMPTY_TOPOLOGY = '{"type":"Topology","objects":{},"arcs":[]}'
#: `dcc.Graph(config=...)` for geo figures: no request to the internet for a world map.
OFFLINE_GEO_CONFIG: dict[str, Any] = {
    "topojsonURL": "data:application/json," + quote(_EMPTY_TOPOLOGY) + "#",
    "displayModeBar": False,
}
SIMPLIFY_DEGREES = 0.002  # about 200 m: invisible in a panel, a quarter of the file's size
NO_DATA_COLOR = "#2a3442"


def _rounded(coordinates: Any) -> Any:
    if isinstance(coordinates[0], float):
        return [round(coordinates[0], 4), round(coordinates[1], 4)]
    return [_rounded(part) for part in coordinates]


@cache
def district_outlines() -> dict[str, Any]:
    """The districts' GeoJSON, simplified and wound clockwise, as d3-geo (plotly's geo
    subplot) draws a polygon: an RFC 7946 counter-clockwise ring would fill the whole globe."""
    collection = json.loads(districts_geojson().read_text(encoding="utf-8"))
    features = []
    for feature in collection["features"]:
        geometry = shape(feature["geometry"]).simplify(SIMPLIFY_DEGREES, preserve_topology=True)
        parts = geometry.geoms if isinstance(geometry, MultiPolygon) else [geometry]
        wound = MultiPolygon([orient(part, sign=-1.0) for part in parts])
        features.append(
            {
                "type": "Feature",
                "id": feature["properties"]["adcode"],
                "properties": {"adcode": feature["properties"]["adcode"]},
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": _rounded(mapping(wound)["coordinates"]),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


@cache
def district_centres() -> dict[str, tuple[float, float]]:
    """A point well inside each district (lon, lat), where its label goes."""
    collection = json.loads(districts_geojson().read_text(encoding="utf-8"))
    centres = {}
    for feature in collection["features"]:
        point = shape(feature["geometry"]).representative_point()
        centres[feature["properties"]["adcode"]] = (round(point.x, 4), round(point.y, 4))
    return centres


def _short(name: str) -> str:
    """ "Haizhou District" -> "Haizhou": English names crowd a small map."""
    return name.removesuffix(" District").removesuffix(" County")


def _labels(values: Mapping[str, float | None], language: str, decimals: int) -> dict[str, Any]:
    """Each district's name and value written on the map (a wall is read, not hovered)."""
    codes = list(district_names())
    centres = district_centres()
    return {
        "type": "scattergeo",
        "mode": "text",
        "lon": [centres[c][0] for c in codes],
        "lat": [centres[c][1] for c in codes],
        "customdata": codes,
        "text": [
            _short(district_name(c, language))
            + ("" if values.get(c) is None else f"<br><b>{values[c]:,.{decimals}f}</b>")
            for c in codes
        ],
        "textfont": {"color": TEXT, "size": 13, "shadow": "0px 0px 3px #000"},
        "hoverinfo": "skip",
    }


def _hover(unit: str, decimals: int) -> str:
    return f"%{{text}}<br>%{{z:,.{decimals}f}} {unit}<extra></extra>"


def district_choropleth(
    values: Mapping[str, float | None],
    *,
    language: str,
    unit: str = "",
    decimals: int = 1,
    selected: str | None = None,
) -> dict[str, Any]:
    """The six districts coloured by value (display units); districts without a value are
    grey and say so on hover; the selected district is outlined."""
    codes = list(district_names())
    known = [c for c in codes if values.get(c) is not None]
    missing = [c for c in codes if values.get(c) is None]
    outlines = district_outlines()

    def trace(locations: list[str], **extra: Any) -> dict[str, Any]:
        return {
            "type": "choropleth",
            "geojson": outlines,
            "featureidkey": "properties.adcode",
            "locations": locations,
            "text": [district_name(c, language) for c in locations],
            "marker": {
                "line": {
                    "color": [TEXT if c == selected else GRID for c in locations],
                    "width": [3 if c == selected else 1 for c in locations],
                }
            },
            **extra,
        }

    data = []
    if missing:
        data.append(
            trace(
                missing,
                z=[0] * len(missing),
                colorscale=[[0, NO_DATA_COLOR], [1, NO_DATA_COLOR]],
                showscale=False,
                hovertemplate=f"%{{text}}<br>{_('No data', language)}<extra></extra>",
            )
        )
    if known:
        data.append(
            trace(
                known,
                z=[values[c] for c in known],
                colorscale=VALUE_SCALE,
                hovertemplate=_hover(unit, decimals),
                colorbar={
                    "thickness": 12,
                    "len": 0.8,
                    "outlinewidth": 0,
                    "tickfont": {"color": MUTED},
                    "tickformat": f",.{decimals}f",
                },
            )
        )
    data.append(_labels(values, language, decimals))
    return {
        "data": data,
        "layout": base_layout(
            margin={"l": 0, "r": 0, "t": 0, "b": 0},
            geo={
                "visible": False,
                "fitbounds": "locations",
                "bgcolor": TRANSPARENT,
                "projection": {"type": "mercator"},
            },
            dragmode=False,
        ),
    }


def ranked_bars(
    values: Mapping[str, float | None],
    *,
    language: str,
    statuses: Mapping[str, str] | None = None,
    unit: str = "",
    decimals: int = 1,
    selected: str | None = None,
) -> dict[str, Any]:
    """Districts ranked by value, largest on top, coloured by status; districts without a
    value come last, labelled "no data"; others are dimmed while one is selected."""
    statuses = statuses or {}
    codes = list(district_names())
    ranked = sorted((c for c in codes if values.get(c) is not None), key=lambda c: values[c])
    missing = [c for c in codes if values.get(c) is None]
    order = missing + ranked  # plotly draws the first category at the bottom
    no_data = _("No data", language)
    bar_colors = [STATUS_COLORS.get(statuses.get(c, "none"), ACCENT) for c in order]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [district_name(c, language) for c in order],
                "customdata": order,
                "x": [values.get(c) or 0 for c in order],
                "text": [
                    no_data if values.get(c) is None else f"{values[c]:,.{decimals}f}"
                    for c in order
                ],
                "textposition": ["outside" if values.get(c) is None else "auto" for c in order],
                "insidetextanchor": "end",
                "textfont": {"color": [STALE if values.get(c) is None else TEXT for c in order]},
                "marker": {
                    "color": bar_colors,
                    "opacity": [1 if selected in (None, c) else 0.35 for c in order],
                },
                "hovertemplate": f"%{{y}}: %{{text}} {unit}<extra></extra>",
            }
        ],
        "layout": base_layout(
            margin={"l": 88, "r": 16, "t": 8, "b": 32},
            xaxis={"gridcolor": GRID, "color": MUTED, "tickformat": f",.{decimals}f"},
            yaxis={"color": TEXT, "automargin": True},
            bargap=0.3,
        ),
    }
