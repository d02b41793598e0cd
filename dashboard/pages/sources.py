"""The sources page (`/sources`): the state of every configured source and the data centre's
resource catalogue.

The top strip counts the sources, the fresh, the late and the failing ones, and the rows
quarantined in the last 24 hours. The configured-sources table lists the late sources first
(most late first), coloured; clicking a row opens its details (current error, latest quarantine
reasons). The catalogue is filtered (provider, share type, format, update cycle, free text),
sorted and paged in SQL, and says which configured sources read each resource.

The tables are plain HTML tables sorted on the server by clicking a column header (Dash 4
deprecates `dash_table.DataTable`); they scroll inside their panels. Both refresh every 15 s,
and a refresh whose result is what the browser already shows sends nothing.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import UTC, datetime
from typing import Any

import dash
import dash_mantine_components as dmc
from dash import ALL, MATCH, Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate
from sqlalchemy.exc import SQLAlchemyError

from dashboard import runtime
from dashboard.data.catalogue import configured_sources
from dashboard.data.sources import (
    CYCLE_LABELS,
    FORMAT_LABELS,
    SHARE_LABELS,
    CatalogueFilter,
    CatalogueOrder,
    Sort,
    SourcesOverview,
    SourceView,
    catalogue_page,
    catalogue_providers,
    catalogue_table_rows,
    error_text,
    read_overview,
    resource_name,
    sort_views,
    source_table_rows,
    wired_resources,
)
from dashboard.formatting import format_time
from dashboard.i18n import N_, _, request_language

#: How often the page reads the store again, in milliseconds.
REFRESH_MS = 15_000
CATALOGUE_PAGE_SIZE = 25

SORT_BUTTON = "sources-sort"
SORT_STATE = "sources-sort-state"
SOURCE_ROW = "sources-row"
SOURCES_SORT = {"type": SORT_STATE, "table": "sources"}
CATALOGUE_SORT = {"type": SORT_STATE, "table": "catalogue"}
DEFAULT_SORTS = {"sources": Sort("freshness"), "catalogue": Sort("resource_id")}

Columns = tuple[tuple[str, str], ...]
SOURCE_COLUMNS: Columns = (
    ("freshness", N_("Freshness")),
    ("name", N_("Resource")),
    ("provider", N_("Provider")),
    ("format", N_("Format")),
    ("share_type", N_("Share type")),
    ("cycle", N_("Update cycle")),
    ("kind", N_("Adapter")),
    ("table", N_("Target table")),
    ("last_attempt", N_("Last poll")),
    ("last_success", N_("Last success")),
    ("rows_in", N_("Rows in")),
    ("quarantined", N_("Quarantined")),
    ("error", N_("Error")),
    ("next_due", N_("Next poll")),
)
CATALOGUE_COLUMNS: Columns = (
    ("resource_id", N_("Resource ID")),
    ("name", N_("Resource")),
    ("provider", N_("Provider")),
    ("format", N_("Format")),
    ("share_type", N_("Share type")),
    ("cycle", N_("Update cycle")),
    ("base_database", N_("Base database")),
    ("wired", N_("Wired to source")),
)
NUMERIC_COLUMNS = frozenset({"rows_in", "quarantined"})


def layout(lang: str | None = None, **_query: str) -> html.Div:
    """The sources page for the viewer's language, read from the store at this visit."""
    language = request_language(lang)
    sources = sources_section(DEFAULT_SORTS["sources"], language)
    catalogue = catalogue_section(CatalogueFilter(), DEFAULT_SORTS["catalogue"], 1, language)
    return html.Div(
        className="page page-sources",
        children=[
            dcc.Store(id="sources-lang", data=language),
            dcc.Store(id=SOURCES_SORT, data=sort_data(DEFAULT_SORTS["sources"])),
            dcc.Store(id=CATALOGUE_SORT, data=sort_data(DEFAULT_SORTS["catalogue"])),
            dcc.Store(id="sources-signature", data=sources["signature"]),
            dcc.Store(id="sources-details", data=sources["details"]),
            dcc.Store(id="sources-catalogue-signature", data=catalogue["signature"]),
            html.Div(
                id="sources-summary", className="sources-summary", children=sources["summary"]
            ),
            html.Section(
                className="panel panel-sources",
                children=[
                    panel_head(
                        _("Configured sources", language),
                        _("Late sources first. Click a row for its details.", language),
                    ),
                    html.Div(
                        id="sources-table", className="sources-frame", children=sources["table"]
                    ),
                ],
            ),
            html.Section(
                className="panel panel-catalogue",
                children=[
                    panel_head(
                        _("Resource catalogue", language),
                        html.Span(id="sources-catalogue-count", children=catalogue["count"]),
                    ),
                    catalogue_filters(language),
                    html.Div(
                        id="sources-catalogue",
                        className="sources-frame",
                        children=catalogue["table"],
                    ),
                    dmc.Pagination(
                        id="sources-catalogue-pages",
                        total=catalogue["pages"],
                        value=1,
                        size="sm",
                        className="sources-pages",
                    ),
                ],
            ),
            dmc.Modal(
                id="sources-modal",
                opened=False,
                size="xl",
                centered=True,
                classNames={
                    "content": "sources-modal-content",
                    "header": "sources-modal-header",
                    "title": "sources-modal-title",
                },
            ),
            dcc.Interval(id="sources-refresh", interval=REFRESH_MS),
        ],
    )


dash.register_page(
    __name__,
    path="/sources",
    name=N_("Data sources"),
    title="CityOps Centre",
    order=90,
    layout=layout,
)


def panel_head(title: str, note: Any) -> html.Div:
    """A panel's title with a note beside it."""
    return html.Div(
        className="sources-panel-head",
        children=[
            html.H2(title, className="panel-title"),
            html.Span(note, className="sources-note"),
        ],
    )


# --- sortable tables -----------------------------------------------------------------------


def sort_data(sort: Sort) -> dict[str, Any]:
    """A sort as kept in a `dcc.Store`."""
    return {"column": sort.column, "descending": sort.descending}


def sort_of(data: dict[str, Any] | None, table: str) -> Sort:
    """The sort kept in a `dcc.Store`, or the table's default."""
    if not data:
        return DEFAULT_SORTS[table]
    return Sort(str(data.get("column")), bool(data.get("descending")))


def next_sort(current: Sort, column: str) -> Sort:
    """Clicking a header sorts by it; clicking it again reverses the order."""
    if current.column == column:
        return Sort(column, not current.descending)
    return Sort(column)


def sortable_table(
    table: str, columns: Columns, rows: list[dict], sort: Sort, language: str
) -> html.Table:
    """A table whose headers sort it; rows with an `id` open their details when clicked."""
    return html.Table(
        className=f"sources-table sources-table-{table}",
        children=[
            html.Thead(
                html.Tr(
                    [_header(table, column, title, sort, language) for column, title in columns]
                )
            ),
            html.Tbody([_row(row, columns) for row in rows]),
        ],
    )


def _header(table: str, column: str, title: str, sort: Sort, language: str) -> html.Th:
    arrow = ("▼" if sort.descending else "▲") if sort.column == column else ""
    label = _(title, language)
    return html.Th(
        html.Button(
            [label, html.Span(arrow, className="sources-sort-arrow")],
            title=label,
            id={"type": SORT_BUTTON, "table": table, "column": column},
            n_clicks=0,
            className="sources-sort",
        ),
        className=f"col-{column}",
    )


def _row(row: dict, columns: Columns) -> html.Tr:
    cells = [
        html.Td(
            f"{row[column]:,}" if column in NUMERIC_COLUMNS else row[column],
            className=f"col-{column}",
            title=None if column in NUMERIC_COLUMNS else row[column],
        )
        for column, _title in columns
    ]
    if "id" not in row:
        return html.Tr(cells)
    failing = " is-failing" if row["failing"] == "yes" else ""
    return html.Tr(
        cells,
        id={"type": SOURCE_ROW, "id": row["id"]},
        n_clicks=0,
        className=f"state-{row['state']}{failing}",
    )


@callback(
    Output({"type": SORT_STATE, "table": MATCH}, "data"),
    Input({"type": SORT_BUTTON, "table": MATCH, "column": ALL}, "n_clicks"),
    State({"type": SORT_STATE, "table": MATCH}, "data"),
    prevent_initial_call=True,
)
def sort_by_header(_clicks: list[int], current: dict[str, Any] | None) -> dict[str, Any]:
    """Sort a table by the clicked header (a header drawn anew has no clicks: nothing to do)."""
    trigger = ctx.triggered_id
    if not trigger or not ctx.triggered[0]["value"]:
        raise PreventUpdate
    return sort_data(next_sort(sort_of(current, trigger["table"]), trigger["column"]))


# --- configured sources --------------------------------------------------------------------


def sources_section(sort: Sort, language: str) -> dict[str, Any]:
    """The summary strip, the table and the details of the configured sources, and their hash."""
    current = runtime.current()
    try:
        overview = read_overview(current.engine, current.settings, datetime.now(UTC))
    except SQLAlchemyError:
        note = html.P(_("The ops store cannot be read.", language), className="empty-note")
        return {"summary": [note], "table": [], "details": {}, "signature": None}
    zone = current.settings.timezone
    views = sort_views(overview.views, sort, language)
    rows = source_table_rows(views, language, zone)
    details = {view.spec.id: source_details(view, language, zone) for view in views}
    return {
        "summary": summary_strip(overview, language),
        "table": sortable_table("sources", SOURCE_COLUMNS, rows, sort, language),
        "details": details,
        "signature": signature([overview.summary, rows, details, sort]),
    }


def summary_strip(overview: SourcesOverview, language: str) -> list:
    """Tiles: sources, fresh, late, failing, rows quarantined in the last 24 h."""
    summary = overview.summary
    if summary.sources == 0:
        return [
            html.P(
                _("No sources are configured: set CITYOPS_SOURCES_FILE.", language),
                className="empty-note",
            )
        ]
    tiles = (
        (summary.sources, N_("Sources"), "is-total"),
        (summary.fresh, N_("Fresh"), "is-ok"),
        (summary.late, N_("Late or never polled"), "is-alert" if summary.late else "is-ok"),
        (summary.failing, N_("Failing"), "is-alert" if summary.failing else "is-ok"),
        (summary.quarantined_recently, N_("Rows quarantined in 24 h"), "is-quarantine"),
    )
    return [
        html.Div(
            className=f"count-tile {modifier}",
            children=[
                html.Div(f"{value:,}", className="count-value"),
                html.Div(_(label, language), className="count-label"),
            ],
        )
        for value, label, modifier in tiles
    ]


def source_details(view: SourceView, language: str, zone: str) -> dict[str, Any]:
    """What the details dialog of one source shows, as plain text for a `dcc.Store`."""
    status = view.status
    return {
        "name": resource_name(view.spec, language),
        "source_id": view.spec.id,
        "error": error_text(status, language),
        "failures": status.consecutive_failures if status else 0,
        "recent": view.quarantined_recently,
        "reasons": [
            {"at": format_time(r.at, zone, "%Y-%m-%d %H:%M:%S"), "reason": r.reason, "raw": r.raw}
            for r in view.reasons
        ],
    }


def details_body(details: dict[str, Any], language: str) -> list:
    """The details dialog: the current error and the latest quarantine reasons."""
    facts = (
        (_("Source ID", language), details["source_id"]),
        (_("Error", language), details["error"] or _("None", language)),
        (_("Failures in a row", language), f"{details['failures']:,}"),
        (_("Rows quarantined in 24 h", language), f"{details['recent']:,}"),
    )
    reasons = details["reasons"]
    listed = (
        html.Ol(
            [
                html.Li(
                    [
                        html.Span(reason["at"], className="sources-reason-time"),
                        html.Span(reason["reason"], className="sources-reason-text"),
                        html.Code(reason["raw"], className="sources-reason-raw"),
                    ]
                )
                for reason in reasons
            ],
            className="sources-reasons",
        )
        if reasons
        else html.P(_("No rows quarantined.", language), className="empty-note")
    )
    return [
        html.Dl(
            [part for term, value in facts for part in (html.Dt(term), html.Dd(value))],
            className="sources-facts",
        ),
        html.H3(_("Latest quarantine reasons", language), className="sources-reasons-title"),
        listed,
    ]


@callback(
    Output("sources-summary", "children"),
    Output("sources-table", "children"),
    Output("sources-details", "data"),
    Output("sources-signature", "data"),
    Input("sources-refresh", "n_intervals"),
    Input(SOURCES_SORT, "data"),
    State("sources-lang", "data"),
    State("sources-signature", "data"),
    prevent_initial_call=True,
)
def refresh_sources(
    _n: int | None, sort: dict[str, Any] | None, language: str, shown: str | None
) -> tuple:
    """Re-read the configured sources; send nothing when the result is what is shown."""
    section = sources_section(sort_of(sort, "sources"), language)
    if section["signature"] is not None and section["signature"] == shown:
        raise PreventUpdate
    return section["summary"], section["table"], section["details"], section["signature"]


@callback(
    Output("sources-modal", "opened"),
    Output("sources-modal", "title"),
    Output("sources-modal", "children"),
    Input({"type": SOURCE_ROW, "id": ALL}, "n_clicks"),
    State("sources-details", "data"),
    State("sources-lang", "data"),
    prevent_initial_call=True,
)
def show_details(_clicks: list[int], details: dict[str, Any], language: str) -> tuple:
    """Open the details of the clicked source (a row drawn anew has no clicks: nothing to do)."""
    trigger = ctx.triggered_id
    if not trigger or not ctx.triggered[0]["value"] or trigger["id"] not in details:
        raise PreventUpdate
    source = details[trigger["id"]]
    return True, source["name"], details_body(source, language)


# --- resource catalogue --------------------------------------------------------------------


def catalogue_filters(language: str) -> html.Div:
    """The catalogue's filters: provider, share type, format, update cycle and free text."""
    try:
        providers = catalogue_providers(runtime.current().engine)
    except SQLAlchemyError:
        providers = []
    provider_options = [
        {"value": zh, "label": (en or zh) if language == "en" else zh} for zh, en in providers
    ]
    return html.Div(
        className="sources-filters",
        children=[
            _select("sources-filter-provider", N_("All providers"), provider_options, language),
            _select(
                "sources-filter-share",
                N_("All share types"),
                _options(SHARE_LABELS, language),
                language,
            ),
            _select(
                "sources-filter-format",
                N_("All formats"),
                _options(FORMAT_LABELS, language),
                language,
            ),
            _select(
                "sources-filter-cycle",
                N_("All update cycles"),
                _options(CYCLE_LABELS, language),
                language,
            ),
            dmc.TextInput(
                id="sources-filter-text",
                placeholder=_("Search id, name, provider, base database…", language),
                debounce=300,
                className="sources-filter-text",
                classNames={"input": "sources-input"},
            ),
        ],
    )


def _options(labels: dict[str, str], language: str) -> list[dict[str, str]]:
    return [{"value": code, "label": _(label, language)} for code, label in labels.items()]


def _select(select_id: str, placeholder: str, options: list[dict], language: str) -> dmc.Select:
    return dmc.Select(
        id=select_id,
        data=options,
        placeholder=_(placeholder, language),
        clearable=True,
        searchable=True,
        className="sources-filter",
        classNames={"input": "sources-input", "dropdown": "sources-dropdown"},
    )


def catalogue_section(
    filters: CatalogueFilter, sort: Sort, page: int, language: str
) -> dict[str, Any]:
    """One page of the catalogue passing `filters`, the count shown, the pages, and a hash."""
    current = runtime.current()
    wired = wired_resources(configured_sources(current.settings).values())
    order = CatalogueOrder(sort=sort, language=language, wired=frozenset(wired))
    try:
        found = catalogue_page(current.engine, filters, order, page, CATALOGUE_PAGE_SIZE)
    except SQLAlchemyError:
        note = _("The ops store cannot be read.", language)
        return {"table": [], "count": note, "pages": 1, "page": 1, "signature": None}
    pages = max(math.ceil(found.total / CATALOGUE_PAGE_SIZE), 1)
    if page > pages:  # the catalogue shrank under the viewer: show its last page
        return catalogue_section(filters, sort, pages, language)
    rows = catalogue_table_rows(found.rows, wired, language)
    if found.total == 0 and filters == CatalogueFilter():
        count = _("The catalogue has not been read yet.", language)
    else:
        count = _("{count} resources", language).format(count=f"{found.total:,}")
    return {
        "table": sortable_table("catalogue", CATALOGUE_COLUMNS, rows, sort, language),
        "count": count,
        "pages": pages,
        "page": page,
        "signature": signature([rows, found.total, sort, page]),
    }


@callback(
    Output("sources-catalogue", "children"),
    Output("sources-catalogue-count", "children"),
    Output("sources-catalogue-pages", "total"),
    Output("sources-catalogue-pages", "value"),
    Output("sources-catalogue-signature", "data"),
    Input("sources-filter-provider", "value"),
    Input("sources-filter-share", "value"),
    Input("sources-filter-format", "value"),
    Input("sources-filter-cycle", "value"),
    Input("sources-filter-text", "value"),
    Input(CATALOGUE_SORT, "data"),
    Input("sources-catalogue-pages", "value"),
    Input("sources-refresh", "n_intervals"),
    State("sources-lang", "data"),
    State("sources-catalogue-signature", "data"),
    prevent_initial_call=True,
)
def refresh_catalogue(
    provider: str | None,
    share_type: str | None,
    format_: str | None,
    cycle: str | None,
    text: str | None,
    sort: dict[str, Any] | None,
    page: int | None,
    _n: int | None,
    language: str,
    shown: str | None,
) -> tuple:
    """Filter, sort and page the catalogue; a new filter or order starts at page 1, and a
    timer tick that changes nothing sends nothing."""
    filters = CatalogueFilter(provider, share_type, format_, cycle, text or "")
    kept_page = ctx.triggered_id in ("sources-catalogue-pages", "sources-refresh")
    section = catalogue_section(
        filters, sort_of(sort, "catalogue"), (page or 1) if kept_page else 1, language
    )
    if section["signature"] is not None and section["signature"] == shown:
        raise PreventUpdate
    return (
        section["table"],
        section["count"],
        section["pages"],
        section["page"],
        section["signature"],
    )


def signature(payload: Any) -> str:
    """A short hash of what a callback would send, to skip sending it twice."""
    text = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
