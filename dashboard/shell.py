"""The app shell: a header with navigation built from the page registry, a language switch
and the Beijing-time clock, the stale banner under it, around Dash's page container."""

from __future__ import annotations

from urllib.parse import parse_qs

import dash
import dash_mantine_components as dmc
from dash import Input, Output, callback, clientside_callback, dcc, html

from dashboard.components import stale_banner
from dashboard.i18n import LANGUAGE_COOKIE, LANGUAGES, _, request_language

LANGUAGE_LABELS = {"zh": "中文", "en": "EN"}
COOKIE_MAX_AGE = 365 * 24 * 3600


def layout() -> dmc.MantineProvider:
    """The page frame; its dynamic parts are filled by `render_header` for the viewer."""
    return dmc.MantineProvider(
        forceColorScheme="dark",
        children=html.Div(
            id="shell-root",
            className="shell",
            lang="zh-CN",
            children=[
                dcc.Location(id="shell-url"),
                html.Header(
                    className="shell-header",
                    children=[
                        html.Div(id="shell-brand", className="shell-brand"),
                        html.Nav(id="shell-nav", className="shell-nav"),
                        html.Div(id="shell-lang", className="shell-lang"),
                        html.Div(id="shell-clock", className="shell-clock"),
                    ],
                ),
                stale_banner.banner(),
                html.Main(dash.page_container, className="shell-main"),
                dcc.Interval(id="shell-clock-tick", interval=1000),
            ],
        ),
    )


def nav_links(pathname: str, language: str) -> list[dcc.Link]:
    """One link per registered page, in registry order, the current one marked active."""
    links = []
    for page in sorted(dash.page_registry.values(), key=lambda p: p.get("order") or 0):
        active = page["relative_path"] == (pathname or "/")
        links.append(
            dcc.Link(
                _(page["name"], language),
                href=page["relative_path"],
                className="shell-nav-link active" if active else "shell-nav-link",
            )
        )
    return links


def language_links(pathname: str, language: str) -> list[dcc.Link]:
    """Links that switch the language of this page (and, by cookie, of the next ones)."""
    return [
        dcc.Link(
            LANGUAGE_LABELS[code],
            href=f"{pathname or '/'}?lang={code}",
            className="shell-lang-link active" if code == language else "shell-lang-link",
        )
        for code in LANGUAGES
    ]


HTML_LANG = {"zh": "zh-CN", "en": "en"}


@callback(
    Output("shell-root", "lang"),
    Output("shell-brand", "children"),
    Output("shell-nav", "children"),
    Output("shell-lang", "children"),
    Input("shell-url", "pathname"),
    Input("shell-url", "search"),
)
def render_header(pathname: str | None, search: str | None) -> tuple:
    """Render the header in the viewer's language; a `?lang=` choice is kept in a cookie."""
    requested = parse_qs((search or "").lstrip("?")).get("lang", [None])[0]
    language = request_language(requested)
    if requested == language:
        dash.callback_context.response.set_cookie(
            LANGUAGE_COOKIE, language, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True
        )
    brand = [
        html.Span(_("Lianyungang", language), className="shell-brand-city"),
        html.Span(_("City Operations Centre", language), className="shell-brand-title"),
    ]
    path = pathname or "/"
    return HTML_LANG[language], brand, nav_links(path, language), language_links(path, language)


stale_banner.register_callbacks(location_id="shell-url", language_id="shell-root")

clientside_callback(
    """
    function(_tick) {
        const now = new Date();
        const fmt = (opts) => new Intl.DateTimeFormat('zh-CN',
            Object.assign({timeZone: 'Asia/Shanghai', hour12: false}, opts)).format(now);
        return [fmt({year: 'numeric', month: '2-digit', day: '2-digit'}),
                " ", fmt({hour: '2-digit', minute: '2-digit', second: '2-digit'})].join('');
    }
    """,
    Output("shell-clock", "children"),
    Input("shell-clock-tick", "n_intervals"),
)
