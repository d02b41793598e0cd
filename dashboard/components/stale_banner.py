"""The stale banner: under the header of every page, shown while a source feeding it is late.

A page declares the sources it reads as an extra keyword of `dash.register_page`, which Dash
keeps in the page's registry entry:

- `sources=["air-quality", "water-levels"]`: these configured sources;
- `sources="*"`: every configured source;
- `sources=["table:assets"]`: every configured source that writes to the ops store's `assets`
  table (names and tables can be mixed), so a city's own source ids need no code change;
- no `sources`: the page reads no source and never shows the banner.

Two pages are decided here rather than by their own declaration, as long as they declare none:
the home page (`/`, the city overview) reads everything and counts as `"*"`; the sources page
(`/sources`) declares nothing because it shows every source's state itself.

Sources that are disabled in the sources file, or declared but not configured, are left out:
nothing is expected from them. The banner is filled by a callback on the URL, the shell's
language and a 30 s `dcc.Interval`; it never breaks a page: when the ops store cannot be read
it says that freshness cannot be checked instead of raising.

`register_callbacks` is called by `dashboard.shell`, which `create_app` runs again for every
app, so each app gets exactly one copy of the banner's callback.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import dash
from dash import Input, Output, dcc, html
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from dashboard import runtime
from dashboard.data.catalogue import configured_sources
from dashboard.data.freshness import freshness_of
from dashboard.data.sources import resource_name
from dashboard.i18n import LANGUAGES, _
from data_adapters.sources.config import SourceSpec

log = logging.getLogger(__name__)

BANNER_ID = "stale-banner"
TICK_ID = "stale-banner-tick"
#: How often the banner checks again, in milliseconds (tests make it shorter).
REFRESH_MS = 30_000
#: Names listed in the banner before "and N more".
MAX_NAMES = 4
ALL_SOURCES = "*"
TABLE_PREFIX = "table:"
HOME_PATH = "/"
SOURCES_PAGE_PATH = "/sources"
SOURCES_PAGE_HREF = "/sources"

Declared = str | Sequence[str] | None


@dataclass(frozen=True)
class BannerCheck:
    """The banner's decision: whether freshness could be read, and which sources are late."""

    readable: bool = True
    late: tuple[SourceSpec, ...] = ()

    @property
    def shown(self) -> bool:
        return not self.readable or bool(self.late)


def banner() -> html.Div:
    """The banner's container and its timer, placed by the shell under the header."""
    return html.Div(
        [
            html.Div(id=BANNER_ID, className="stale-banner is-hidden", role="status"),
            dcc.Interval(id=TICK_ID, interval=REFRESH_MS),
        ]
    )


def page_for(pathname: str | None, registry: Mapping[str, Mapping[str, Any]]) -> Mapping | None:
    """The registry entry of the page at `pathname`, if any."""
    path = pathname or HOME_PATH
    return next((page for page in registry.values() if page.get("relative_path") == path), None)


def declared_sources(page: Mapping[str, Any] | None) -> Declared:
    """The sources a page reads: its own `sources=`, else `"*"` for the home page."""
    if page is None:
        return None
    if "sources" in page:
        return page["sources"]
    return ALL_SOURCES if page.get("path") == HOME_PATH else None


def feeding_sources(declared: Declared, specs: Mapping[str, SourceSpec]) -> dict[str, SourceSpec]:
    """The enabled configured sources that `declared` names (`"*"`: all of them)."""
    if declared is None:
        return {}
    if declared == ALL_SOURCES:
        wanted: Sequence[str] = list(specs)
    else:
        named = [declared] if isinstance(declared, str) else list(declared)
        tables = {n.removeprefix(TABLE_PREFIX) for n in named if n.startswith(TABLE_PREFIX)}
        wanted = [n for n in named if not n.startswith(TABLE_PREFIX)]
        wanted += [i for i, spec in specs.items() if spec.table in tables and i not in wanted]
    return {i: specs[i] for i in wanted if i in specs and specs[i].enabled}


def check_sources(
    engine: Engine, specs: Mapping[str, SourceSpec], declared: Declared, now: datetime
) -> BannerCheck:
    """Which of the sources feeding a page are late at `now`; unreadable if the store fails."""
    feeding = feeding_sources(declared, specs)
    if not feeding:
        return BannerCheck()
    try:
        freshness = freshness_of(engine, feeding, now)
    except (SQLAlchemyError, OSError) as exc:
        log.warning("stale banner: cannot read source freshness: %s", exc)
        return BannerCheck(readable=False)
    return BannerCheck(late=tuple(spec for i, spec in feeding.items() if freshness[i].stale))


def banner_content(check: BannerCheck, language: str) -> list:
    """The banner's text and link in `language`; empty when nothing is late."""
    if not check.readable:
        return [
            html.Span("⚠", className="stale-banner-icon"),
            html.Span(
                _("Source freshness cannot be checked: the ops store cannot be read.", language)
            ),
        ]
    if not check.late:
        return []
    return [
        html.Span("⚠", className="stale-banner-icon"),
        html.Span(late_message(check.late, language), className="stale-banner-text"),
        dcc.Link(
            _("View data sources", language),
            href=SOURCES_PAGE_HREF,
            className="stale-banner-link",
        ),
    ]


def late_message(late: Sequence[SourceSpec], language: str) -> str:
    """'N data sources feeding this page are late: A, B — values shown are the last good ones'."""
    names = [resource_name(spec, language) for spec in late[:MAX_NAMES]]
    listed = _(", ", language).join(names)
    if len(late) > MAX_NAMES:
        listed += _(" and {count} more", language).format(count=len(late) - MAX_NAMES)
    if len(late) == 1:
        template = _(
            "1 data source feeding this page is late: {names}"
            " — values shown are the last good ones",
            language,
        )
    else:
        template = _(
            "{count} data sources feeding this page are late: {names}"
            " — values shown are the last good ones",
            language,
        )
    return template.format(count=len(late), names=listed)


def banner_class(check: BannerCheck) -> str:
    """The banner's CSS classes: hidden, late or unknown."""
    if not check.shown:
        return "stale-banner is-hidden"
    return "stale-banner is-late" if check.readable else "stale-banner is-unknown"


def update_banner(pathname: str | None, html_lang: str | None, _tick: int | None) -> tuple:
    """Check the sources of the page at `pathname` and render the banner."""
    language = (html_lang or "").split("-")[0]
    if language not in LANGUAGES:
        language = LANGUAGES[0]
    declared = declared_sources(page_for(pathname, dash.page_registry))
    current = runtime.current()
    specs = configured_sources(current.settings)
    check = check_sources(current.engine, specs, declared, datetime.now(UTC))
    return banner_content(check, language), banner_class(check)


def register_callbacks(location_id: str, language_id: str) -> None:
    """Register the banner's callback on the shell's `dcc.Location` and language element."""
    dash.callback(
        Output(BANNER_ID, "children"),
        Output(BANNER_ID, "className"),
        Input(location_id, "pathname"),
        Input(language_id, "lang"),
        Input(TICK_ID, "n_intervals"),
    )(update_banner)
