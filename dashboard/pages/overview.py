"""The city overview (home page): the six districts on the offline map and the state of the
ops store, refreshed live from what the clock has prepared."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html

from dashboard import runtime
from dashboard.components.district_map import district_map
from dashboard.formatting import format_time
from dashboard.i18n import N_, _, request_language
from data_adapters.store.queries import source_statuses, table_counts

TABLE_LABELS = {
    "observations": N_("Indicator observations"),
    "assets": N_("City assets"),
    "posts": N_("Hotline tickets and posts"),
    "alerts": N_("Early warnings"),
    "incidents": N_("Incidents"),
}
SOURCE_COLUMNS = (N_("Source"), N_("Last success"), N_("Rows in"), N_("Error"))


def layout(lang: str | None = None, **_query: str) -> html.Div:
    """The overview for the viewer's language."""
    language = request_language(lang)
    return html.Div(
        className="page page-overview",
        children=[
            dcc.Store(id="overview-lang", data=language),
            html.Section(
                className="panel panel-map",
                children=[
                    html.H2(_("Districts and counties", language), className="panel-title"),
                    district_map("overview-map", language),
                ],
            ),
            html.Section(
                className="panel panel-store",
                children=[
                    html.H2(_("Ops store", language), className="panel-title"),
                    html.Div(id="overview-store", children=store_panel(language)),
                ],
            ),
            dcc.Interval(id="overview-refresh", interval=10_000),
        ],
    )


dash.register_page(
    __name__, path="/", name=N_("Overview"), title="CityOps Centre", order=0, layout=layout
)


def store_panel(language: str) -> list:
    """Row counts of the domain tables and the state of every polled source."""
    engine = runtime.current().engine
    counts = table_counts(engine)
    tiles = [
        html.Div(
            className="count-tile",
            children=[
                html.Div(f"{counts[name]:,}", className="count-value"),
                html.Div(_(label, language), className="count-label"),
            ],
        )
        for name, label in TABLE_LABELS.items()
    ]
    statuses = source_statuses(engine)
    if not statuses:
        sources = html.P(
            _("No source has been polled yet: the clock fills the store.", language),
            className="empty-note",
        )
    else:
        zone = runtime.current().settings.timezone
        sources = html.Table(
            className="data-table",
            children=[
                html.Thead(html.Tr([html.Th(_(h, language)) for h in SOURCE_COLUMNS])),
                html.Tbody(
                    [
                        html.Tr(
                            [
                                html.Td(row["source_id"]),
                                html.Td(format_time(row["last_success_at"], zone)),
                                html.Td(f"{row['rows_in']:,}"),
                                html.Td(row["last_error"] or "", className="error-cell"),
                            ]
                        )
                        for row in statuses
                    ]
                ),
            ],
        )
    return [html.Div(tiles, className="count-grid"), sources]


@callback(
    Output("overview-store", "children"),
    Input("overview-refresh", "n_intervals"),
    State("overview-lang", "data"),
    prevent_initial_call=True,
)
def refresh_store(_n: int, language: str) -> list:
    """Re-read the store panel on each tick."""
    return store_panel(language)
