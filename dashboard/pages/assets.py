"""The city asset map (城市资产): every asset of the spatial base database on one offline map,
by kind, status and district, and one asset's panel a click away.

The rail on the left switches the layers (each kind with its count and its count not normal),
filters by status and district, searches by id or name (a choice flies the map to the asset),
switches the map to the districts' fault rate (faults per 1,000 assets), exports what the
filters select as CSV or GeoJSON, and ranks the worst districts and kinds.

Points never travel in the layout or a callback: the layers name cached routes of
`dashboard.api.assets` (geobuf for points, clustered in the browser; GeoJSON for lines and
polygons), so a filter change sends a URL of a few hundred bytes. Normal assets are clustered;
assets that are not normal are drawn one by one above the clusters, so no fault hides in a
cluster. The view lives in the URL (`?kinds=street_light&status=fault&district=320706&view=
faults&asset=SL000123`); the map keeps the operator's pan and zoom when data refresh.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, urlencode

import dash
import dash_leaflet as dl
import dash_mantine_components as dmc
import pandas as pd
import shapely
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from sqlalchemy import Engine

from dashboard import runtime
from dashboard.components.asset_panel import NEAREST_BUTTON, STATUS_LABELS, asset_panel
from dashboard.components.district_map import CITY_CENTRE, CITY_ZOOM, DISTRICTS_URL
from dashboard.data.assets import (
    KINDS,
    STATUSES,
    AssetFilter,
    asset_detail,
    asset_history,
    assets_stamp,
    fault_rates,
    incidents_near,
    inventory_stamp,
    kind_counts,
    point_frame,
    search_assets,
    shape_features,
    worst_cells,
)
from dashboard.data.vitals import district_name, district_names
from dashboard.i18n import N_, _, request_language
from data_adapters.geo.spatial import PointIndex

#: The statuses' colours on the map (the page's CSS uses the same tones).
STATUS_COLOURS: dict[str, str] = {
    "normal": "#2ecc71",
    "fault": "#ff4d4f",
    "maintenance": "#f5a623",
    "offline": "#a0a0b4",
}
VIEWS: dict[str, str] = {"assets": N_("Assets"), "faults": N_("Fault rate")}
#: Faults per 1,000 assets: the choropleth's class breaks and their colours (low to high).
RATE_STEPS: tuple[float, ...] = (0.5, 1.0, 2.0, 5.0)
RATE_COLOURS: tuple[str, ...] = ("#1f4e3d", "#4d7a2a", "#b3891f", "#d0582a", "#c0262d")
ALL_DISTRICTS = "all"
NOT_NORMAL: tuple[str, ...] = tuple(s for s in STATUSES if s != "normal")
ALERTS_PANE = "assets-alerts"
SEARCH_ZOOM = 17
SHAPES_ZOOM = 13  # from here on the map draws every pipe and park (~1.5 km across a screen)
NEAREST = 5
NEAR_RADIUS_M = 2000.0
REFRESH_MS = 30_000
LAYER = "assets-layer"
SELECT_CLASSES = {"input": "assets-input", "dropdown": "assets-dropdown"}
PANEL = "assets-panel"
API = "/api/assets"
#: The sources this page reads (for the stale banner): whatever writes assets and their changes.
SOURCES: list[str] = ["table:assets", "table:asset_changes"]


def _first(value: object) -> str | None:
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    return value if isinstance(value, str) and value else None


def view_of(query: Mapping[str, object]) -> str:
    """The map's view named by the URL: the asset layers, or the districts' fault rate."""
    view = _first(query.get("view"))
    return view if view in VIEWS else "assets"


def filter_of(kinds: list | None, statuses: list | None, district: str | None) -> AssetFilter:
    """The filter the rail's controls describe (every kind or status ticked means all)."""
    kinds = [k for k in kinds or [] if k in KINDS]
    statuses = [s for s in statuses or [] if s in STATUSES]
    return AssetFilter(
        kinds=() if len(kinds) == len(KINDS) else tuple(sorted(kinds)),
        statuses=() if len(statuses) == len(STATUSES) else tuple(sorted(statuses)),
        district=district if district in district_names() else None,
    )


def _ticked(chosen: tuple[str, ...], every: Mapping[str, Any] | tuple[str, ...]) -> list[str]:
    return list(chosen) if chosen else list(every)


def page_query(flt: AssetFilter, view: str, asset: str | None, lang: str | None) -> str:
    """The URL's query for a view (empty parts left out), `lang` kept if it was there."""
    query = dict(flt.query())
    if view != "assets":
        query["view"] = view
    if asset:
        query["asset"] = asset
    if lang:
        query["lang"] = lang
    return f"?{urlencode(query)}" if query else ""


def route(name: str, flt: AssetFilter, extra: Mapping[str, str] | None = None) -> str:
    """The URL of one of the asset routes for a filter."""
    query = {**flt.query(), **(extra or {})}
    return f"{API}/{name}" + (f"?{urlencode(query)}" if query else "")


def _restrict(flt: AssetFilter, statuses: tuple[str, ...]) -> AssetFilter | None:
    """The filter narrowed to `statuses`; None when that selects nothing."""
    chosen = tuple(s for s in (flt.statuses or STATUSES) if s in statuses)
    if not chosen:
        return None
    return AssetFilter(kinds=flt.kinds, statuses=chosen, district=flt.district)


# --- the rail ---------------------------------------------------------------------------------


def _swatch(colour: str, geometry: str = "point") -> html.Span:
    return html.Span(className=f"assets-swatch {geometry}", style={"background": colour})


def _count_label(colour: str, name: str, total: int, bad: int, geometry: str) -> html.Span:
    return html.Span(
        [
            _swatch(colour, geometry),
            html.Span(name, className="assets-option-name"),
            html.Span(f"{total:,}", className="assets-count"),
            html.Span(
                f"{bad:,}" if bad else "0", className="assets-count-bad" + ("" if bad else " none")
            ),
        ],
        className="assets-option",
    )


def kind_options(
    matrix: Mapping[str, Mapping[str, int]], flt: AssetFilter, language: str
) -> list[dict]:
    """The layer switches: each kind with its assets under the status filter and, in red,
    how many of them are not normal."""
    statuses = flt.statuses or STATUSES
    options = []
    for key, kind in KINDS.items():
        counts = matrix.get(key, {})
        total = sum(counts.get(s, 0) for s in statuses)
        bad = sum(counts.get(s, 0) for s in statuses if s != "normal")
        name = kind.name_zh if language == "zh" else kind.name_en
        label = _count_label(kind.color, name, total, bad, kind.geometry)
        options.append({"label": label, "value": key})
    return options


def status_options(
    matrix: Mapping[str, Mapping[str, int]], flt: AssetFilter, language: str
) -> list[dict]:
    """The status switches, each with its count over the ticked kinds."""
    kinds = flt.kinds or tuple(KINDS)
    options = []
    for status in STATUSES:
        total = sum(matrix.get(k, {}).get(status, 0) for k in kinds)
        label = html.Span(
            [
                _swatch(STATUS_COLOURS[status]),
                html.Span(_(STATUS_LABELS[status], language), className="assets-option-name"),
                html.Span(f"{total:,}", className="assets-count"),
            ],
            className="assets-option",
        )
        options.append({"label": label, "value": status})
    return options


def district_options(language: str) -> list[dict]:
    """The district filter: the whole city, then the six districts and counties."""
    options = [{"label": _("Whole city", language), "value": ALL_DISTRICTS}]
    options += [
        {"label": district_name(code, language), "value": code} for code in district_names()
    ]
    return options


def worst_table(cells: pd.DataFrame, language: str) -> Any:
    """The districts and kinds with the most faults per 1,000 assets."""
    if cells.empty:
        return html.Div(_("No faults reported", language), className="asset-empty")
    head = html.Tr(
        [
            html.Th(_("District", language)),
            html.Th(_("Kind", language)),
            html.Th(_("Faults", language), className="num"),
            html.Th("‰", className="num", title=_("Faults per 1,000 assets", language)),
        ]
    )
    rows = [
        html.Tr(
            [
                html.Td(district_name(row.district, language)),
                html.Td(KINDS[row.kind].name_zh if language == "zh" else KINDS[row.kind].name_en),
                html.Td(f"{row.faults:,}", className="num"),
                html.Td(f"{row.per_1000:.2f}", className="num rate"),
            ]
        )
        for row in cells.itertuples()
    ]
    return html.Table([html.Thead(head), html.Tbody(rows)], className="assets-worst")


def _section(title: str, *children: Any, **kwargs: Any) -> html.Section:
    return html.Section([html.H3(title, className="assets-section-title"), *children], **kwargs)


def rail(
    flt: AssetFilter,
    view: str,
    matrix: Mapping[str, Mapping[str, int]],
    cells: pd.DataFrame,
    language: str,
) -> html.Aside:
    """The filter rail."""
    return html.Aside(
        className="panel assets-rail",
        children=[
            dmc.Select(
                id="assets-search",
                placeholder=_("Search by asset id or name", language),
                data=[],
                searchable=True,
                clearable=True,
                nothingFoundMessage=_("No asset found", language),
                className="assets-search",
                classNames=SELECT_CLASSES,
                comboboxProps={"zIndex": 1000},
            ),
            dmc.SegmentedControl(
                id="assets-view",
                data=[{"label": _(label, language), "value": key} for key, label in VIEWS.items()],
                value=view,
                fullWidth=True,
                color="blue",
                className="assets-view",
            ),
            _section(
                _("Layers", language),
                dcc.Checklist(
                    id="assets-kinds",
                    options=kind_options(matrix, flt, language),
                    value=_ticked(flt.kinds, KINDS),
                    className="assets-checklist",
                ),
            ),
            _section(
                _("Status", language),
                dcc.Checklist(
                    id="assets-statuses",
                    options=status_options(matrix, flt, language),
                    value=_ticked(flt.statuses, STATUSES),
                    className="assets-checklist",
                ),
            ),
            _section(
                _("District", language),
                dmc.Select(
                    id="assets-district",
                    data=district_options(language),
                    value=flt.district or ALL_DISTRICTS,
                    allowDeselect=False,
                    classNames=SELECT_CLASSES,
                    comboboxProps={"zIndex": 1000},
                ),
            ),
            _section(
                _("Export", language),
                html.Div(
                    [
                        html.A("CSV", id="assets-csv", href=route("export.csv", flt), download=""),
                        html.A(
                            "GeoJSON",
                            id="assets-geojson",
                            href=route("export.geojson", flt),
                            download="",
                        ),
                    ],
                    className="assets-export",
                ),
            ),
            _section(
                _("Most faults per 1,000 assets", language),
                html.Div(worst_table(cells, language), id="assets-worst"),
            ),
        ],
    )


# --- the map ----------------------------------------------------------------------------------


def _hideout(language: str, **extra: Any) -> dict[str, Any]:
    return {
        "kinds": {key: kind.color for key, kind in KINDS.items()},
        "statuses": STATUS_COLOURS,
        "kindCodes": [kind.color for kind in KINDS.values()],  # points carry codes
        "statusCodes": [STATUS_COLOURS[status] for status in STATUSES],
        "language": language,
        **extra,
    }


def asset_layers(flt: AssetFilter, stamp: str, language: str, close: bool = False) -> list:
    """The layers of the asset view: shapes, points clustered, those not normal on top.

    Without a status filter the clustered layer holds every point and is versioned by the
    inventory only, so a status change redraws just the small layer on top: the wall does not
    re-cluster 100,000 points whenever a lamp fails. With a status filter it holds the normal
    points the filter lets through. Pipes and parks that are normal are drawn only `close` up
    (from zoom `SHAPES_ZOOM`, where they are more than specks); those not normal always.
    """
    version = {"v": stamp}
    layers: list = []
    shape_kinds = [k for k in (flt.kinds or KINDS) if KINDS[k].geometry != "point"]
    shapes = flt if close else _restrict(flt, NOT_NORMAL)
    if shape_kinds and shapes is not None:
        layers.append(
            dl.GeoJSON(
                id={"type": LAYER, "layer": "shapes"},
                url=route("shapes.json", shapes, version),
                style={"variable": "cityops.assets.shape"},
                hideout=_hideout(language),
            )
        )
    clustered = flt if not flt.statuses else _restrict(flt, ("normal",))
    if clustered is not None:
        today = datetime.now(UTC).date().isoformat()
        inventory = {"v": inventory_stamp(stamp, today) if not flt.statuses else stamp}
        layers.append(
            dl.GeoJSON(
                id={"type": LAYER, "layer": "normal"},
                url=route("points.pbf", clustered, inventory),
                format="geobuf",
                cluster=True,
                zoomToBoundsOnClick=True,
                superClusterOptions={"radius": 70, "maxZoom": 16},
                clusterToLayer={"variable": "cityops.assets.cluster"},
                pointToLayer={"variable": "cityops.assets.point"},
                hideout=_hideout(language),
            )
        )
    alerts = _restrict(flt, NOT_NORMAL)
    if alerts is not None:
        layers.append(
            dl.GeoJSON(
                id={"type": LAYER, "layer": "alerts"},
                url=route("points.pbf", alerts, version),
                format="geobuf",
                pointToLayer={"variable": "cityops.assets.point"},
                hideout=_hideout(language, pane=ALERTS_PANE),
            )
        )
    return layers


def rate_layer(rates: pd.DataFrame, language: str) -> list:
    """The districts shaded by faults per 1,000 assets, named and labelled with the rate."""
    values = {row.district: round(float(row.per_1000), 3) for row in rates.itertuples()}
    return [
        dl.GeoJSON(
            id={"type": LAYER, "layer": "rates"},
            url=DISTRICTS_URL,
            style={"variable": "cityops.assets.rateStyle"},
            onEachFeature={"variable": "cityops.assets.rateLabel"},
            hideout=_hideout(
                language, rates=values, steps=list(RATE_STEPS), colours=list(RATE_COLOURS)
            ),
        )
    ]


def outline_layer() -> dl.GeoJSON:
    """The district outlines under the assets (the offline basemap)."""
    return dl.GeoJSON(
        url=DISTRICTS_URL,
        style={"color": "#2f6b9f", "weight": 1.5, "fillColor": "#0c1a2b", "fillOpacity": 0.6},
        interactive=False,
    )


def legend(view: str, language: str) -> list:
    """The legend of what the map shows in `view`."""
    if view == "faults":
        bounds = ["<" + f"{RATE_STEPS[0]:g}"] + [f"≥{step:g}" for step in RATE_STEPS]
        rows = [
            html.Div([_swatch(colour, "polygon"), f"{label} ‰"], className="assets-legend-row")
            for colour, label in zip(RATE_COLOURS, bounds, strict=True)
        ]
        return [html.B(_("Faults per 1,000 assets", language)), *rows]
    return [
        html.Div(
            [_swatch(STATUS_COLOURS[s]), _(STATUS_LABELS[s], language)],
            className="assets-legend-row",
        )
        for s in NOT_NORMAL
    ] + [html.Div(_("Normal assets in their kind's colour", language), className="asset-empty")]


def overlay(
    engine: Engine, flt: AssetFilter, view: str, stamp: str, language: str, close: bool = False
) -> list:
    """What the map shows over the basemap for a filter and a view (`close`: zoomed in)."""
    if view == "faults":
        return rate_layer(fault_rates(engine, flt.kinds), language)
    return asset_layers(flt, stamp, language, close)


def summary(matrix: Mapping[str, Mapping[str, int]], flt: AssetFilter, language: str) -> list:
    """The count of what the filters select, and how many of those are not normal."""
    kinds = flt.kinds or tuple(KINDS)
    statuses = flt.statuses or STATUSES
    total = sum(matrix.get(k, {}).get(s, 0) for k in kinds for s in statuses)
    bad = sum(matrix.get(k, {}).get(s, 0) for k in kinds for s in statuses if s != "normal")
    return [
        _("Shown", language) + " ",
        html.B(f"{total:,}"),
        " · ",
        html.Span(
            [_("not normal", language), " ", html.B(f"{bad:,}")], className="bad" if bad else ""
        ),
    ]


def asset_map(tile_url: str | None, language: str, children: list, ring: list) -> dl.Map:
    """The map: the city's own tiles when configured, the district outlines, the overlay and
    the ring around the selected asset."""
    base: list = []
    if tile_url:
        base.append(dl.TileLayer(url=tile_url, attribution=_("City basemap", language)))
    base.append(outline_layer())
    return dl.Map(
        id="assets-map",
        center=CITY_CENTRE,
        zoom=CITY_ZOOM,
        zoomSnap=0.25,
        className="assets-map",
        attributionControl=bool(tile_url),
        children=[
            *base,
            dl.Pane(name=ALERTS_PANE, style={"zIndex": 650}),
            dl.LayerGroup(id="assets-overlay", children=children),
            dl.LayerGroup(id="assets-selection", children=ring),
        ],
    )


def layout(lang: str | None = None, **query: str) -> html.Div:
    """The asset map for the viewer's language, in the view the URL names."""
    language = request_language(lang)
    current = runtime.current()
    engine = current.engine
    flt = AssetFilter.from_query(query)
    view = view_of(query)
    asset = _first(query.get("asset"))
    stamp = assets_stamp(engine)
    matrix = kind_counts(engine, AssetFilter(district=flt.district))
    panel_class, panel_body, ring = panel_state(engine, asset, language, current.settings.timezone)
    return html.Div(
        className="page page-assets",
        children=[
            dcc.Location(id="assets-url", refresh=False),
            dcc.Store(id="assets-lang", data=language),
            dcc.Store(id="assets-stamp", data=stamp),
            dcc.Store(id="assets-selected", data=asset or ""),
            dcc.Store(id="assets-close-up", data=False),
            rail(flt, view, matrix, worst_cells(engine), language),
            html.Div(
                className="assets-map-wrap",
                children=[
                    asset_map(
                        current.settings.tile_url,
                        language,
                        overlay(engine, flt, view, stamp, language),
                        ring,
                    ),
                    html.Div(
                        summary(matrix, flt, language),
                        id="assets-summary",
                        className="assets-summary",
                    ),
                    html.Div(legend(view, language), id="assets-legend", className="assets-legend"),
                ],
            ),
            html.Aside(
                id=PANEL,
                className=panel_class,
                children=[
                    html.Button(
                        "×", id="assets-close", className="asset-close", title=_("Close", language)
                    ),
                    html.Div(panel_body, id="assets-panel-body"),
                ],
            ),
            dcc.Interval(id="assets-refresh", interval=REFRESH_MS),
        ],
    )


dash.register_page(
    __name__,
    path="/assets",
    name=N_("Assets"),
    title="CityOps Centre",
    order=2,
    layout=layout,
    sources=SOURCES,
)


# --- callbacks --------------------------------------------------------------------------------


@callback(
    Output("assets-close-up", "data"),
    Input("assets-map", "zoom"),
    State("assets-close-up", "data"),
    prevent_initial_call=True,
)
def track_close_up(zoom: float | None, close: bool) -> bool:
    """Whether the map is zoomed in far enough for every pipe and park; sent only when that
    changes, so panning and zooming cost nothing else."""
    now = zoom is not None and zoom >= SHAPES_ZOOM
    if now == bool(close):
        raise PreventUpdate
    return now


@callback(
    Output("assets-stamp", "data"),
    Input("assets-refresh", "n_intervals"),
    State("assets-stamp", "data"),
    prevent_initial_call=True,
)
def refresh_stamp(_n: int, stamp: str | None) -> str:
    """A new stamp when any asset or status change was written; else nothing."""
    fresh = assets_stamp(runtime.current().engine)
    if fresh == stamp:
        raise PreventUpdate
    return fresh


@callback(
    Output("assets-overlay", "children"),
    Output("assets-kinds", "options"),
    Output("assets-statuses", "options"),
    Output("assets-summary", "children"),
    Output("assets-legend", "children"),
    Output("assets-worst", "children"),
    Output("assets-csv", "href"),
    Output("assets-geojson", "href"),
    Input("assets-kinds", "value"),
    Input("assets-statuses", "value"),
    Input("assets-district", "value"),
    Input("assets-view", "value"),
    Input("assets-stamp", "data"),
    Input("assets-close-up", "data"),
    State("assets-lang", "data"),
    prevent_initial_call=True,
)
def apply_filters(
    kinds: list,
    statuses: list,
    district: str,
    view: str,
    stamp: str,
    close: bool,
    language: str,
) -> tuple:
    """Redraw the layers, counts and links for the filters (URLs only: no points travel)."""
    engine = runtime.current().engine
    flt = filter_of(kinds, statuses, district)
    view = view if view in VIEWS else "assets"
    matrix = kind_counts(engine, AssetFilter(district=flt.district))
    return (
        overlay(engine, flt, view, stamp, language, bool(close)),
        kind_options(matrix, flt, language),
        status_options(matrix, flt, language),
        summary(matrix, flt, language),
        legend(view, language),
        worst_table(worst_cells(engine), language),
        route("export.csv", flt),
        route("export.geojson", flt),
    )


@callback(
    Output("assets-url", "search"),
    Input("assets-kinds", "value"),
    Input("assets-statuses", "value"),
    Input("assets-district", "value"),
    Input("assets-view", "value"),
    Input("assets-selected", "data"),
    State("assets-url", "search"),
    prevent_initial_call=True,
)
def keep_view_in_url(
    kinds: list, statuses: list, district: str, view: str, asset: str, search: str | None
) -> str:
    """The URL names the filters, the view and the open asset, so a link shows the same."""
    lang = _first(parse_qs((search or "").lstrip("?")).get("lang"))
    return page_query(filter_of(kinds, statuses, district), view, asset or None, lang)


@callback(
    Output("assets-search", "data"),
    Input("assets-search", "searchValue"),
    State("assets-search", "data"),
    State("assets-lang", "data"),
    prevent_initial_call=True,
)
def search_options(text: str | None, offered: list[dict] | None, language: str) -> list[dict]:
    """Assets whose id or name matches what is typed. Choosing an option puts its label in
    the search box; that is not a new search (the chosen option must stay offered)."""
    if not text or not text.strip() or any(o.get("label") == text for o in offered or []):
        raise PreventUpdate
    found = search_assets(runtime.current().engine, text)
    return [
        {
            "label": f"{row['name'] or row['key']} · {row['key']} · "
            + (KINDS[row["kind"]].name_zh if language == "zh" else KINDS[row["kind"]].name_en),
            "value": row["key"],
        }
        for row in found
        if row["kind"] in KINDS
    ]


def _clicked_key(feature: Mapping[str, Any] | None) -> str | None:
    """The asset key of a clicked feature; None for a cluster or a district."""
    props = (feature or {}).get("properties") or {}
    if props.get("cluster"):
        return None
    return props.get("k") or props.get("key")


@callback(
    Output("assets-selected", "data"),
    Output("assets-map", "viewport"),
    Input({"type": LAYER, "layer": ALL}, "clickData"),
    Input("assets-search", "value"),
    Input({"type": NEAREST_BUTTON, "key": ALL}, "n_clicks"),
    Input("assets-close", "n_clicks"),
    prevent_initial_call=True,
)
def select_asset(_clicks: list, searched: str | None, _nearest: list, _close: int) -> tuple:
    """A click on an asset opens its panel; a search result or a nearby asset also flies the
    map to it; the close button closes the panel."""
    trigger = ctx.triggered_id
    if trigger == "assets-close":
        return "", no_update
    if trigger == "assets-search":
        if not searched:
            raise PreventUpdate
        return searched, _fly_to(searched)
    if isinstance(trigger, dict) and trigger.get("type") == NEAREST_BUTTON:
        if not ctx.triggered[0]["value"]:
            raise PreventUpdate  # the panel was redrawn: its buttons start again at no clicks
        return trigger["key"], _fly_to(trigger["key"])
    key = _clicked_key(ctx.triggered[0]["value"] if ctx.triggered else None)
    if not key:
        raise PreventUpdate
    return key, no_update


def _fly_to(key: str) -> Any:
    detail = asset_detail(runtime.current().engine, key)
    point = _anchor(detail) if detail else None
    if point is None:
        return no_update
    return {"center": [point[1], point[0]], "zoom": SEARCH_ZOOM, "transition": "flyTo"}


def _anchor(detail: Mapping[str, Any]) -> tuple[float, float] | None:
    """Where an asset is, as (lon, lat): its point, or a point on its line or polygon."""
    if detail.get("lon") is not None and detail.get("lat") is not None:
        return float(detail["lon"]), float(detail["lat"])
    geometry = detail.get("geometry")
    if not geometry:
        return None
    point = shapely.geometry.shape(geometry).representative_point()
    return point.x, point.y


@lru_cache(maxsize=2)
def _located(engine: Engine, stamp: str) -> tuple[PointIndex, dict[str, tuple[str, str]]]:
    """Every asset with a place, indexed, and its (name, status) by key, for one stamp."""
    points = point_frame(engine, AssetFilter())
    keys, lons, lats, kinds = (
        points["key"].tolist(),
        points["lon"].tolist(),
        points["lat"].tolist(),
        points["kind"].tolist(),
    )
    names = dict(zip(keys, zip(points["name"], points["status"], strict=True), strict=True))
    for feature in shape_features(engine, AssetFilter()):
        props = feature["properties"]
        point = shapely.geometry.shape(feature["geometry"]).representative_point()
        keys.append(props["key"])
        lons.append(point.x)
        lats.append(point.y)
        kinds.append(props["kind"])
        names[props["key"]] = (props.get("name") or "", props["status"])
    return PointIndex.from_arrays(keys, lons, lats, kinds), names


def panel_content(engine: Engine, key: str, language: str, zone: str) -> list | None:
    """The panel of asset `key`; None when there is no such asset."""
    detail = asset_detail(engine, key)
    if detail is None:
        return None
    detail = {**detail, "key": key}
    anchor = _anchor(detail)
    index, names = _located(engine, assets_stamp(engine))
    nearest = (
        index.nearest(anchor[0], anchor[1], NEAREST, kinds=[detail["kind"]], exclude=[key])
        if anchor
        else []
    )
    incidents = incidents_near(engine, anchor[0], anchor[1], NEAR_RADIUS_M) if anchor else []
    kind = KINDS.get(detail["kind"])
    kind_name = (kind.name_zh if language == "zh" else kind.name_en) if kind else detail["kind"]
    district = district_name(detail["district"], language) if detail.get("district") else "—"
    return asset_panel(
        detail,
        kind_name=kind_name,
        district=district,
        history=asset_history(engine, key),
        nearest=nearest,
        nearest_names=names,
        incidents=incidents,
        radius_m=NEAR_RADIUS_M,
        language=language,
        zone=zone,
    )


def selection_marker(detail: Mapping[str, Any] | None) -> list:
    """A ring around the selected asset."""
    point = _anchor(detail) if detail else None
    if point is None:
        return []
    return [
        dl.CircleMarker(
            center=[point[1], point[0]],
            radius=14,
            color="#ffffff",
            weight=3,
            fill=False,
            interactive=False,
        )
    ]


def panel_state(engine: Engine, key: str | None, language: str, zone: str) -> tuple:
    """The panel's class, body and the ring on the map, for asset `key` (or none)."""
    if not key:
        return f"panel {PANEL}", [], []
    content = panel_content(engine, key, language, zone)
    if content is None:
        message = html.Div(
            _("No asset with id {key}", language).format(key=key), className="asset-empty"
        )
        return f"panel {PANEL} open", [message], []
    return f"panel {PANEL} open", content, selection_marker(asset_detail(engine, key))


@callback(
    Output(PANEL, "className"),
    Output("assets-panel-body", "children"),
    Output("assets-selection", "children"),
    Input("assets-selected", "data"),
    Input("assets-stamp", "data"),
    State("assets-lang", "data"),
    prevent_initial_call=True,
)
def show_asset(key: str | None, _stamp: str, language: str) -> tuple:
    """Open the panel of the selected asset (refreshed with the data), or close it."""
    current = runtime.current()
    return panel_state(current.engine, key, language, current.settings.timezone)
