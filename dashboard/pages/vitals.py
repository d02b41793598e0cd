"""The city's vital signs (城市体征): the 28 key indicators as tiles grouped by domain, each
with its value, change, sparkline, status and freshness, and a detail panel for one of them
(its series over a range with thresholds, alerts and incidents, the districts on a map and
ranked, the series as a table and a CSV file).

The view lives in the URL (`?indicator=aqi&range=30d&district=320706`), so a link shows the
same view. Tiles refresh from the newest snapshots every 15 s, and only when a snapshot or a
source's freshness changed. Nothing here queries the data centre: only the ops store.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, urlencode
from zoneinfo import ZoneInfo

import dash
import dash_mantine_components as dmc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import Engine

from dashboard import runtime
from dashboard.components.indicator_tile import (
    STATUS_LABELS,
    indicator_tile,
    period_label,
    tile_state,
    tile_title,
)
from dashboard.data.catalogue import configured_sources
from dashboard.data.freshness import Freshness, freshness_of
from dashboard.data.vitals import (
    DERIVED_SOURCE,
    RANGES,
    Snapshot,
    View,
    alert_marks,
    default_range,
    detail_series,
    district_name,
    district_names,
    incident_marks,
    indicator_freshness,
    newest_computed_at,
    newest_snapshots,
    parse_view,
    window,
)
from dashboard.figures import (
    OFFLINE_GEO_CONFIG,
    MarkPoint,
    district_choropleth,
    ranked_bars,
    timeseries,
)
from dashboard.figures.values import display, scaled, unit
from dashboard.i18n import N_, _, request_language
from data_adapters.indicators import Indicator, default_indicators
from data_adapters.sources.config import SourceSpec

INDICATORS: tuple[Indicator, ...] = default_indicators()
BY_ID: dict[str, Indicator] = {i.id: i for i in INDICATORS}
DOMAINS: dict[str, str] = {
    "population": N_("Population"),
    "economy": N_("Economy"),
    "port": N_("Port"),
    "environment": N_("Environment"),
    "traffic": N_("Traffic"),
    "services": N_("Public services"),
    "safety": N_("Safety"),
    "credit": N_("Credit and certificates"),
}
RANGE_LABELS: dict[str, str] = {
    "24h": N_("24 hours"),
    "7d": N_("7 days"),
    "30d": N_("30 days"),
    "12m": N_("12 months"),
}
#: The sources whose freshness this page shows (for the stale-source banner).
SOURCES: list[str] = sorted({i.source for i in INDICATORS} - {DERIVED_SOURCE})
ALL_DISTRICTS = "all"
REFRESH_MS = 15_000
TABLE_ROWS = 200  # the table shows the newest periods; the CSV has them all
TILE = "vitals-tile"
PANEL = "vitals-detail"
GRAPH_CONFIG = {"displayModeBar": False}
EMPTY_FIGURE: dict = {"data": [], "layout": {}}


@dataclass(frozen=True)
class Board:
    """What the tiles show apart from the snapshots' contents: when the newest snapshot was
    computed, each indicator's freshness, the sources' catalogue entries (hover texts), the
    zone and the day (times of other days show their date). `stamp` names the whole."""

    computed_at: datetime | None
    freshness: tuple[tuple[str, Freshness], ...]
    catalogue: tuple[tuple[str, ...], ...]
    zone: str
    today: datetime
    stamp: str


class _Passenger:
    """An argument that rides along a cached call without being part of its key (what it
    holds must be described by the other arguments)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __hash__(self) -> int:
        return 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Passenger)


def read_board(engine: Engine, specs: Mapping[str, SourceSpec], zone: str, now: datetime) -> Board:
    """The board's state now, read at most once a second per process and engine: screens
    polling together share it (two small queries: newest computed_at, source status)."""
    return _board_of_second(engine, _Passenger(specs), zone, int(now.timestamp()))


@lru_cache(maxsize=8)
def _board_of_second(engine: Engine, specs: _Passenger, zone: str, second: int) -> Board:
    now = datetime.fromtimestamp(second, UTC)
    configured = specs.value
    computed_at = newest_computed_at(engine, BY_ID)
    sources = freshness_of(engine, {s: configured[s] for s in SOURCES if s in configured}, now)
    freshness = tuple((i.id, indicator_freshness(i, sources, computed_at, now)) for i in INDICATORS)
    catalogue = tuple(
        (s, c.name_zh, c.name_en, c.provider, c.provider_en, c.update_cycle)
        for s in SOURCES
        if s in configured and (c := configured[s].catalogue)
    )
    today = now.astimezone(ZoneInfo(zone)).replace(hour=0, minute=0, second=0, microsecond=0)
    signature = repr(
        (
            computed_at,
            [(f.last_success, f.stale, f.error) for _, f in freshness],
            catalogue,
            zone,
            today,
        )
    )
    stamp = hashlib.sha1(signature.encode(), usedforsecurity=False).hexdigest()[:16]
    return Board(computed_at, freshness, catalogue, zone, today, stamp)


def tile_grid(engine: Engine, specs: Mapping[str, SourceSpec], board: Board, language: str) -> list:
    """The tiles by domain for `board` as plain JSON, built once per board and language (the
    board names the snapshot, the freshness and the catalogue entries `specs` gives): a
    cached dict is sent as it is, where components would be serialised again each time."""
    return _tile_grid(engine, board, language, _Passenger(specs))


@lru_cache(maxsize=16)
def _tile_grid(engine: Engine, board: Board, language: str, specs: _Passenger) -> list:
    return json.loads(
        json.dumps(tile_components(engine, board, language, specs.value), cls=PlotlyJSONEncoder)
    )


def tile_components(
    engine: Engine, board: Board, language: str, catalogue: Mapping[str, SourceSpec]
) -> list:
    """The tiles by domain for `board` (one query: the newest snapshots)."""
    snapshots = newest_snapshots(engine, BY_ID)
    freshness = dict(board.freshness)
    groups = []
    for domain, label in DOMAINS.items():
        members = [i for i in INDICATORS if i.domain == domain]
        tiles = [
            indicator_tile(
                indicator,
                snapshots[indicator.id].payload if indicator.id in snapshots else None,
                freshness[indicator.id],
                language,
                id={"type": TILE, "indicator": indicator.id},
                source=(
                    catalogue[indicator.source].catalogue if indicator.source in catalogue else None
                ),
                zone=board.zone,
                now=board.today,
            )
            for indicator in members
        ]
        groups.append(
            html.Section(
                className=f"vitals-group group-{domain}",
                style={"--tiles": len(members)},
                children=[
                    html.H2(_(label, language), className="vitals-group-title"),
                    html.Div(tiles, className="vitals-group-tiles"),
                ],
            )
        )
    return groups


@dataclass(frozen=True)
class Detail:
    """The detail panel's contents for one view."""

    title: Any
    series: dict
    choropleth: dict
    bars: dict
    table: Any


def _local(at: datetime, zone: str) -> str:
    return at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def detail_title(
    indicator: Indicator, payload: dict | None, view: View, language: str, source: str
) -> list:
    """The indicator's name, scope (city or district), latest value, period and `source`
    (where the data comes from and how fresh it is)."""
    if view.district is None:
        value, status, scope = (payload or {}).get("value"), (payload or {}).get("status"), None
    else:
        entry = (payload or {}).get("districts", {}).get(view.district, {})
        value, status, scope = entry.get("value"), entry.get("status"), view.district
    period = period_label((payload or {}).get("period_start"), indicator.period, language)
    return [
        html.Span(
            indicator.name_zh if language == "zh" else indicator.name_en, className="detail-name"
        ),
        html.Span(
            district_name(scope, language) if scope else _("Whole city", language),
            className="detail-scope",
        ),
        html.Span(
            [display(indicator, value), html.Small(unit(indicator, language))],
            className=f"detail-value tile-{tile_state({'value': value, 'status': status}, None)}",
        ),
        html.Span(_(STATUS_LABELS[status], language), className=f"detail-badge badge-{status}")
        if status in STATUS_LABELS and value is not None
        else None,
        html.Span(period, className="detail-period"),
        html.Span(source, className="detail-source"),
    ]


def series_header(indicator: Indicator, language: str) -> list[str]:
    """The series' column names: time, and value with its unit."""
    value = _("Value", language)
    return [_("Time", language), f"{value} ({unit(indicator, language)})"]


def series_table(indicator: Indicator, points: list[tuple[datetime, float]], language: str) -> list:
    """The series newest first as a table (the newest `TABLE_ROWS` periods)."""
    if not points:
        return [html.P(_("No data in this range", language), className="empty-note")]
    shown = list(reversed(points))[:TABLE_ROWS]
    header = series_header(indicator, language)
    table = html.Table(
        className="data-table detail-table",
        children=[
            html.Thead(html.Tr([html.Th(h) for h in header])),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(period_label(at.isoformat(), indicator.period, language)),
                            html.Td(display(indicator, value)),
                        ]
                    )
                    for at, value in shown
                ]
            ),
        ],
    )
    if len(points) <= TABLE_ROWS:
        return [table]
    note = _("The newest {shown} of {total} periods; the CSV file has them all.", language)
    return [html.P(note.format(shown=TABLE_ROWS, total=len(points)), className="table-note"), table]


def source_line(
    engine: Engine,
    indicator: Indicator,
    specs: Mapping[str, SourceSpec],
    snapshot: Snapshot | None,
    language: str,
    zone: str,
    now: datetime,
) -> str:
    """The tile's hover text on one line: source, provider, cycle, period, freshness."""
    spec = specs.get(indicator.source)
    sources = freshness_of(engine, {spec.id: spec}, now) if spec else {}
    computed_at = snapshot.computed_at if snapshot else None
    freshness = indicator_freshness(indicator, sources, computed_at, now)
    catalogue = spec.catalogue if spec else None
    payload = snapshot.payload if snapshot else None
    lines = tile_title(indicator, payload, freshness, language, catalogue, zone)
    return "  ·  ".join(lines.splitlines())


def detail_content(
    engine: Engine,
    specs: Mapping[str, SourceSpec],
    view: View,
    language: str,
    zone: str,
    now: datetime,
) -> Detail:
    """Everything the detail panel shows for `view` (whose indicator is set)."""
    indicator = BY_ID[view.indicator or ""]
    snapshot = newest_snapshots(engine, [indicator.id]).get(indicator.id)
    payload = snapshot.payload if snapshot else None
    points = detail_series(engine, indicator, view, now)
    start, end = window(view.range, indicator.period, now)

    def marks(found: list) -> list[MarkPoint]:
        return [MarkPoint(_local(m.at, zone), m.severity, m.title) for m in found]

    series = timeseries(
        [(_local(at, zone), scaled(indicator, value) or 0.0) for at, value in points],
        language=language,
        unit=unit(indicator, language),
        decimals=indicator.decimals,
        warning=scaled(indicator, indicator.warning),
        critical=scaled(indicator, indicator.critical),
        band=(
            (indicator.band[0] * indicator.scale, indicator.band[1] * indicator.scale)
            if indicator.band
            else None
        ),
        alerts=marks(alert_marks(engine, start, end, view.district)),
        incidents=marks(incident_marks(engine, start, end, view.district)),
        x_range=(_local(start, zone), _local(end, zone)),
    )
    districts = (payload or {}).get("districts", {})
    values = {code: scaled(indicator, entry.get("value")) for code, entry in districts.items()}
    statuses = {code: entry.get("status", "none") for code, entry in districts.items()}
    common = {
        "language": language,
        "unit": unit(indicator, language),
        "decimals": indicator.decimals,
        "selected": view.district,
    }
    return Detail(
        title=detail_title(
            indicator,
            payload,
            view,
            language,
            source_line(engine, indicator, specs, snapshot, language, zone, now),
        ),
        series=series,
        choropleth=district_choropleth(values, **common),
        bars=ranked_bars(values, statuses=statuses, **common),
        table=series_table(indicator, points, language),
    )


def cached_detail(
    engine: Engine,
    specs: Mapping[str, SourceSpec],
    view: View,
    language: str,
    board: Board,
    now: datetime,
) -> Detail:
    """`detail_content`, computed once per view, language and board: screens showing the same
    detail share one read of the observations until the next snapshot."""
    return _cached_detail(engine, view, language, board.zone, board.stamp, _Passenger((specs, now)))


@lru_cache(maxsize=32)
def _cached_detail(
    engine: Engine, view: View, language: str, zone: str, _stamp: str, rest: _Passenger
) -> Detail:
    specs, now = rest.value
    return detail_content(engine, specs, view, language, zone, now)


def _card(title: str, graph_or_table: Any, class_name: str = "") -> html.Section:
    return html.Section(
        className=f"detail-card {class_name}".strip(),
        children=[html.H3(title, className="detail-card-title"), graph_or_table],
    )


def _graph_card(
    title: str, graph_id: str, figure: dict, size: str, config: dict = GRAPH_CONFIG
) -> html.Section:
    """A card with a graph in a box of the card's size (`series`, `map`, `bars`); the box
    scales the graph up with the wall's resolution (vitals.css), as plotly sizes text in px."""
    graph = dcc.Graph(id=graph_id, figure=figure, config=config, className="detail-graph")
    return _card(title, html.Div(graph, className=f"graph-box graph-{size}"), f"card-{size}")


def detail_panel(view: View, language: str, content: Detail | None) -> html.Aside:
    """The panel sliding in from the right; open when the view names an indicator."""
    district_options = [{"value": ALL_DISTRICTS, "label": _("All districts", language)}] + [
        {"value": code, "label": district_name(code, language)} for code in district_names()
    ]
    return html.Aside(
        id=PANEL,
        className=f"{PANEL} open" if content else PANEL,
        children=[
            html.Div(
                className="detail-head",
                children=[
                    html.Div(
                        content.title if content else "",
                        id="vitals-detail-title",
                        className="detail-title",
                    ),
                    html.Button(
                        "×",
                        id="vitals-close",
                        className="detail-close",
                        title=_("Close", language),
                        n_clicks=0,
                    ),
                ],
            ),
            html.Div(
                className="detail-controls",
                children=[
                    dmc.SegmentedControl(
                        id="vitals-range",
                        value=view.range,
                        data=[
                            {"value": key, "label": _(RANGE_LABELS[key], language)}
                            for key in RANGES
                        ],
                        className="detail-range",
                    ),
                    dmc.Select(
                        id="vitals-district",
                        value=view.district or ALL_DISTRICTS,
                        data=district_options,
                        allowDeselect=False,
                        className="detail-district",
                        comboboxProps={"zIndex": 400},
                    ),
                    html.Button(
                        _("Download CSV", language),
                        id="vitals-csv",
                        className="detail-button",
                        n_clicks=0,
                    ),
                    dcc.Download(id="vitals-download"),
                ],
            ),
            html.Div(
                className="detail-body",
                children=[
                    _graph_card(
                        _("Over time, with thresholds, alerts and incidents", language),
                        "vitals-timeseries",
                        content.series if content else EMPTY_FIGURE,
                        "series",
                    ),
                    html.Div(
                        className="detail-row",
                        children=[
                            _graph_card(
                                _("Districts in the latest period", language),
                                "vitals-choropleth",
                                content.choropleth if content else EMPTY_FIGURE,
                                "map",
                                OFFLINE_GEO_CONFIG,
                            ),
                            _graph_card(
                                _("District ranking", language),
                                "vitals-bars",
                                content.bars if content else EMPTY_FIGURE,
                                "bars",
                            ),
                        ],
                    ),
                    _card(
                        _("Values by period", language),
                        html.Div(content.table if content else [], id="vitals-table"),
                        "card-table",
                    ),
                ],
            ),
        ],
    )


def layout(lang: str | None = None, **query: str) -> html.Div:
    """The vital signs for the viewer's language, in the view the URL names."""
    language = request_language(lang)
    current = runtime.current()
    now = datetime.now(UTC)
    zone = current.settings.timezone
    view = parse_view(query, BY_ID)
    specs = configured_sources(current.settings)
    board = read_board(current.engine, specs, zone, now)
    content = (
        cached_detail(current.engine, specs, view, language, board, now) if view.indicator else None
    )
    return html.Div(
        className="page page-vitals",
        children=[
            dcc.Location(id="vitals-url", refresh=False),
            dcc.Store(id="vitals-lang", data=language),
            dcc.Store(id="vitals-stamp", data=board.stamp),
            # "" rather than None: a memory store mounted with None reports a change at once
            dcc.Store(id="vitals-selected", data=view.indicator or ""),
            html.Div(
                tile_grid(current.engine, specs, board, language),
                id="vitals-grid",
                className="vitals-grid",
            ),
            detail_panel(view, language, content),
            dcc.Interval(id="vitals-refresh", interval=REFRESH_MS),
        ],
    )


dash.register_page(
    __name__,
    path="/vitals",
    name=N_("Vital signs"),
    title="CityOps Centre",
    order=1,
    layout=layout,
    sources=SOURCES,
)


def _view(indicator: str | None, chosen_range: str | None, district: str | None) -> View:
    return parse_view({"indicator": indicator, "range": chosen_range, "district": district}, BY_ID)


@callback(
    Output("vitals-grid", "children"),
    Output("vitals-stamp", "data"),
    Input("vitals-refresh", "n_intervals"),
    State("vitals-stamp", "data"),
    State("vitals-lang", "data"),
    prevent_initial_call=True,
)
def refresh_tiles(_n: int, stamp: str | None, language: str) -> tuple[list, str]:
    """Re-draw the tiles when a snapshot or a source's freshness changed; else nothing."""
    current = runtime.current()
    now = datetime.now(UTC)
    specs = configured_sources(current.settings)
    board = read_board(current.engine, specs, current.settings.timezone, now)
    if board.stamp == stamp:
        raise PreventUpdate
    grid = tile_grid(current.engine, specs, board, language)
    return grid, board.stamp


@callback(
    Output("vitals-selected", "data"),
    Output("vitals-range", "value"),
    Input({"type": TILE, "indicator": ALL}, "n_clicks"),
    Input("vitals-close", "n_clicks"),
    prevent_initial_call=True,
)
def select_indicator(_tiles: list, _close: int) -> tuple[str, Any]:
    """A click on a tile opens its detail over its usual range; the close button closes it."""
    trigger = ctx.triggered_id
    if trigger == "vitals-close":
        return "", no_update
    if isinstance(trigger, dict) and ctx.triggered and ctx.triggered[0]["value"]:
        chosen = BY_ID[trigger["indicator"]]
        return chosen.id, default_range(chosen)
    raise PreventUpdate  # tiles re-drawn by a refresh start again at zero clicks


@callback(
    Output("vitals-district", "value"),
    Input("vitals-choropleth", "clickData"),
    Input("vitals-bars", "clickData"),
    prevent_initial_call=True,
)
def pick_district(map_click: dict | None, bar_click: dict | None) -> str:
    """A click on a district (on the map or its bar) filters the detail to it."""
    clicked = map_click if ctx.triggered_id == "vitals-choropleth" else bar_click
    points = (clicked or {}).get("points") or [{}]
    code = points[0].get("location") or points[0].get("customdata")
    if code not in district_names():
        raise PreventUpdate
    return code


@callback(
    Output(PANEL, "className"),
    Output("vitals-detail-title", "children"),
    Output("vitals-timeseries", "figure"),
    Output("vitals-choropleth", "figure"),
    Output("vitals-bars", "figure"),
    Output("vitals-table", "children"),
    Input("vitals-selected", "data"),
    Input("vitals-range", "value"),
    Input("vitals-district", "value"),
    Input("vitals-stamp", "data"),
    State("vitals-lang", "data"),
    prevent_initial_call=True,
)
def update_detail(
    indicator: str | None, chosen_range: str, district: str, _stamp: str, language: str
) -> tuple:
    """Open, fill or close the detail for the chosen indicator, range and district."""
    view = _view(indicator, chosen_range, district)
    if view.indicator is None:
        return (PANEL, *[no_update] * 5)
    current = runtime.current()
    now = datetime.now(UTC)
    specs = configured_sources(current.settings)
    board = read_board(current.engine, specs, current.settings.timezone, now)
    content = cached_detail(current.engine, specs, view, language, board, now)
    return (
        f"{PANEL} open",
        content.title,
        content.series,
        content.choropleth,
        content.bars,
        content.table,
    )


@callback(
    Output("vitals-url", "search"),
    Input("vitals-selected", "data"),
    Input("vitals-range", "value"),
    Input("vitals-district", "value"),
    State("vitals-url", "search"),
    prevent_initial_call=True,
)
def keep_view_in_url(
    indicator: str | None, chosen_range: str, district: str, search: str | None
) -> str:
    """The URL names the view (and keeps a `lang` it had), so a link shows the same."""
    query = _view(indicator, chosen_range, district).query()
    lang = parse_qs((search or "").lstrip("?")).get("lang")
    if lang:
        query["lang"] = lang[0]
    return f"?{urlencode(query)}" if query else ""


def series_csv(
    indicator: Indicator, points: list[tuple[datetime, float]], language: str, zone: str
) -> str:
    """The series as CSV (with a BOM so spreadsheet programs read the Chinese right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(series_header(indicator, language))
    for at, value in points:
        writer.writerow([_local(at, zone), f"{value * indicator.scale:.{indicator.decimals}f}"])
    return "\ufeff" + buffer.getvalue()


@callback(
    Output("vitals-download", "data"),
    Input("vitals-csv", "n_clicks"),
    State("vitals-selected", "data"),
    State("vitals-range", "value"),
    State("vitals-district", "value"),
    State("vitals-lang", "data"),
    prevent_initial_call=True,
)
def download_series(
    clicks: int, indicator: str | None, chosen_range: str, district: str, language: str
) -> dict:
    """The detail's series as a CSV file."""
    view = _view(indicator, chosen_range, district)
    if not clicks or view.indicator is None:
        raise PreventUpdate
    current = runtime.current()
    chosen = BY_ID[view.indicator]
    points = detail_series(current.engine, chosen, view, datetime.now(UTC))
    scope = view.district or "city"
    return {
        "content": series_csv(chosen, points, language, current.settings.timezone),
        "filename": f"{chosen.id}-{scope}-{view.range}.csv",
        "type": "text/csv",
        "base64": False,
    }
