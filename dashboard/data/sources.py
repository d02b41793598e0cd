"""What the sources page shows: the state of every configured source and the resource catalogue.

Read queries (SQLAlchemy Core, read-only, each small and bounded):

- `status_rows`: `source_status`, one row per polled source.
- `quarantine_reasons`: the latest few quarantine reasons of each source in ONE statement, a
  UNION ALL of per-source `ORDER BY at DESC LIMIT n` selects, each served by the
  `(source_id, at)` index, so its cost does not grow with the size of `quarantine` (a window
  function over the table would read every quarantined row of every source).
- `quarantined_since`: rows quarantined per source since a time (the same index, a range).
- `catalogue_page` / `catalogue_providers`: the data centre's resource directory (~1,000
  entries), filtered, sorted and paged in SQL.
- `read_overview`: all of the above that the configured-sources section needs, at one moment.

Pure functions turn them into what the page shows: `source_views` classifies each configured
source (late, never polled, fresh, disabled; failing when its last poll failed) and orders the
late ones first, most late first; `sort_views` reorders them by a column; `summarise` counts
them; `source_table_rows` and `catalogue_table_rows` render table rows in the viewer's language.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, Engine, case, func, or_, select, union_all

from dashboard.data.catalogue import configured_sources
from dashboard.data.freshness import Freshness, freshness_of
from dashboard.formatting import format_time
from dashboard.i18n import N_, _
from data_adapters.settings import Settings
from data_adapters.sources.config import SourceSpec
from data_adapters.store.schema import catalogue_entries, quarantine, source_status

#: How many quarantine reasons each source shows on demand.
REASONS_PER_SOURCE = 3
#: Characters of a quarantined raw record read back with its reason.
RAW_EXCERPT = 160
#: The window of the summary's quarantine count.
QUARANTINE_WINDOW = timedelta(hours=24)

SourceState = Literal["stale", "never", "fresh", "disabled"]

FORMAT_LABELS: dict[str, str] = {
    "db_table": N_("DB table"),
    "api": N_("API"),
    "file": N_("File"),
}
SHARE_LABELS: dict[str, str] = {
    "unconditional": N_("Unconditional"),
    "conditional": N_("Conditional"),
    "not_shared": N_("Not shared"),
}
#: The catalogue's update cycles; the Chinese must match `data_adapters.cycles.CYCLE_NAMES_ZH`.
CYCLE_LABELS: dict[str, str] = {
    "realtime": N_("Real-time"),
    "1min": N_("Every minute"),
    "5min": N_("Every 5 min"),
    "15min": N_("Every 15 min"),
    "hourly": N_("Hourly"),
    "daily": N_("Daily"),
    "weekly": N_("Weekly"),
    "monthly": N_("Monthly"),
    "quarterly": N_("Quarterly"),
    "yearly": N_("Yearly"),
}
ERROR_KIND_LABELS: dict[str, str] = {
    "config": N_("Configuration error"),
    "transient": N_("Transient error"),
    "source": N_("Source error"),
}
STATE_LABELS: dict[str, str] = {
    "stale": N_("Late"),
    "never": N_("Never polled"),
    "fresh": N_("Fresh"),
    "disabled": N_("Disabled"),
}
_STATE_ORDER: dict[str, int] = {"stale": 0, "never": 1, "fresh": 2, "disabled": 3}
#: Days, hours and minutes, largest first.
DURATION_UNITS: tuple[str, ...] = (N_("{n} d"), N_("{n} h"), N_("{n} min"))


@dataclass(frozen=True)
class SourceStatus:
    """A source's row of `source_status`: its last poll, last success, error and counts."""

    source_id: str
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    error_kind: str | None
    consecutive_failures: int
    rows_in: int
    rows_quarantined: int
    next_due_at: datetime | None


@dataclass(frozen=True)
class QuarantineReason:
    """One quarantined record: when, why, and the start of the raw record."""

    source_id: str
    at: datetime
    reason: str
    raw: str


@dataclass(frozen=True)
class CatalogueFilter:
    """The catalogue's filters; `None` or an empty text filters nothing."""

    provider: str | None = None
    share_type: str | None = None
    format: str | None = None
    update_cycle: str | None = None
    text: str = ""


@dataclass(frozen=True)
class Sort:
    """A table's order: the column id and its direction."""

    column: str
    descending: bool = False


@dataclass(frozen=True)
class CatalogueOrder:
    """How the catalogue is sorted: `wired` (resource ids read by a source) sorts `wired`,
    `language` chooses the name sorted by."""

    sort: Sort = Sort("resource_id")
    language: str = "zh"
    wired: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CataloguePage:
    """A page of catalogue entries and the number of entries passing the filters."""

    rows: list[dict[str, Any]]
    total: int


@dataclass(frozen=True)
class SourceView:
    """A configured source as the page shows it, language-neutral."""

    spec: SourceSpec
    status: SourceStatus | None
    state: SourceState
    late_by: timedelta | None
    reasons: tuple[QuarantineReason, ...] = ()
    quarantined_recently: int = 0

    @property
    def failing(self) -> bool:
        """The source's last poll failed (its error is still current)."""
        return self.status is not None and bool(self.status.last_error)


@dataclass(frozen=True)
class Summary:
    """The strip on top of the page."""

    sources: int
    fresh: int
    late: int
    failing: int
    quarantined_recently: int


@dataclass(frozen=True)
class SourcesOverview:
    """Everything the configured-sources section shows at one moment."""

    views: list[SourceView]
    summary: Summary


# --- read queries -------------------------------------------------------------------------


def status_rows(engine: Engine) -> dict[str, SourceStatus]:
    """Every polled source's status row, by source id."""
    table = source_status
    query = select(
        table.c.source_id,
        table.c.last_attempt_at,
        table.c.last_success_at,
        table.c.last_error,
        table.c.error_kind,
        table.c.consecutive_failures,
        table.c.rows_in,
        table.c.rows_quarantined,
        table.c.next_due_at,
    )
    with engine.connect() as connection:
        return {row.source_id: SourceStatus(**row) for row in connection.execute(query).mappings()}


def quarantine_reasons(
    engine: Engine, source_ids: Collection[str], per_source: int = REASONS_PER_SOURCE
) -> dict[str, list[QuarantineReason]]:
    """The newest `per_source` quarantine reasons of each source, newest first, in one query."""
    if not source_ids:
        return {}
    parts = [
        select(
            quarantine.c.source_id,
            quarantine.c.at,
            quarantine.c.reason,
            func.substr(quarantine.c.raw, 1, RAW_EXCERPT).label("raw"),
        )
        .where(quarantine.c.source_id == source_id)
        .order_by(quarantine.c.at.desc(), quarantine.c.id.desc())
        .limit(per_source)
        .subquery()
        for source_id in sorted(source_ids)
    ]
    query = union_all(*(select(part) for part in parts))
    result: dict[str, list[QuarantineReason]] = {}
    with engine.connect() as connection:
        for row in connection.execute(query).mappings():
            result.setdefault(row["source_id"], []).append(QuarantineReason(**row))
    for reasons in result.values():
        reasons.sort(key=lambda reason: reason.at, reverse=True)
    return result


def quarantined_since(
    engine: Engine, source_ids: Collection[str], since: datetime
) -> dict[str, int]:
    """Rows quarantined per source at or after `since`."""
    if not source_ids:
        return {}
    query = (
        select(quarantine.c.source_id, func.count().label("rows"))
        .where(quarantine.c.source_id.in_(sorted(source_ids)), quarantine.c.at >= since)
        .group_by(quarantine.c.source_id)
    )
    with engine.connect() as connection:
        return {row.source_id: row.rows for row in connection.execute(query)}


#: The catalogue columns the page reads (not the description, which is only searched).
_CATALOGUE_COLUMNS = (
    "resource_id",
    "name_zh",
    "name_en",
    "provider",
    "provider_en",
    "format",
    "share_type",
    "update_cycle",
    "base_database",
)
_SEARCHED_COLUMNS = (
    "resource_id",
    "name_zh",
    "name_en",
    "provider",
    "provider_en",
    "base_database",
    "description",
)


def catalogue_page(
    engine: Engine,
    filters: CatalogueFilter = CatalogueFilter(),
    order: CatalogueOrder = CatalogueOrder(),
    page: int = 1,
    page_size: int | None = None,
) -> CataloguePage:
    """One page (from 1) of the catalogue's entries passing `filters`, sorted in SQL, and how
    many pass in all; `page_size=None` reads them all."""
    table = catalogue_entries
    conditions = _catalogue_conditions(filters)
    query = (
        select(*(table.c[name] for name in _CATALOGUE_COLUMNS))
        .where(*conditions)
        .order_by(*_catalogue_order(order))
    )
    if page_size is not None:
        query = query.limit(page_size).offset((max(page, 1) - 1) * page_size)
    with engine.connect() as connection:
        rows = [dict(row) for row in connection.execute(query).mappings()]
        total = connection.scalar(select(func.count()).select_from(table).where(*conditions))
    return CataloguePage(rows=rows, total=total or 0)


def _catalogue_conditions(filters: CatalogueFilter) -> list[ColumnElement[bool]]:
    table = catalogue_entries
    conditions: list[ColumnElement[bool]] = [
        table.c[name] == value
        for name in ("provider", "share_type", "format", "update_cycle")
        if (value := getattr(filters, name))
    ]
    text = filters.text.strip()
    if text:
        conditions.append(
            or_(*(table.c[name].icontains(text, autoescape=True) for name in _SEARCHED_COLUMNS))
        )
    return conditions


def _rank(column: ColumnElement[Any], codes: Sequence[str]) -> ColumnElement[int]:
    """A code's position in its vocabulary (cycles from the most frequent), unknown last."""
    return case({code: rank for rank, code in enumerate(codes)}, value=column, else_=len(codes))


def _catalogue_order(order: CatalogueOrder) -> list[ColumnElement[Any]]:
    table = catalogue_entries
    english = order.language == "en"
    columns: dict[str, ColumnElement[Any]] = {
        "resource_id": table.c.resource_id,
        "name": func.coalesce(func.nullif(table.c.name_en, ""), table.c.name_zh)
        if english
        else table.c.name_zh,
        "provider": func.coalesce(table.c.provider_en, table.c.provider)
        if english
        else table.c.provider,
        "format": _rank(table.c.format, list(FORMAT_LABELS)),
        "share_type": _rank(table.c.share_type, list(SHARE_LABELS)),
        "cycle": _rank(table.c.update_cycle, list(CYCLE_LABELS)),
        "base_database": table.c.base_database,
        "wired": case((table.c.resource_id.in_(sorted(order.wired)), 0), else_=1),
    }
    column = columns.get(order.sort.column, table.c.resource_id)
    first = column.desc() if order.sort.descending else column.asc()
    return [first.nulls_last(), table.c.resource_id, table.c.id]


def catalogue_providers(engine: Engine) -> list[tuple[str, str]]:
    """The catalogue's provider departments: (Chinese name, English name or '')."""
    table = catalogue_entries
    query = (
        select(table.c.provider, func.max(table.c.provider_en).label("provider_en"))
        .group_by(table.c.provider)
        .order_by(table.c.provider)
    )
    with engine.connect() as connection:
        return [(row.provider, row.provider_en or "") for row in connection.execute(query)]


def read_overview(engine: Engine, settings: Settings, now: datetime) -> SourcesOverview:
    """Read the store and classify every configured source at `now`."""
    specs = configured_sources(settings)
    recent = quarantined_since(engine, specs, now - QUARANTINE_WINDOW)
    views = source_views(
        specs,
        status_rows(engine),
        freshness_of(engine, specs, now),
        quarantine_reasons(engine, specs),
        now,
        recent,
    )
    return SourcesOverview(views=views, summary=summarise(views))


# --- pure logic ---------------------------------------------------------------------------


def source_state(spec: SourceSpec, freshness: Freshness) -> SourceState:
    """Whether a source is disabled, never polled, late or fresh."""
    if not spec.enabled:
        return "disabled"
    if freshness.last_success is None:
        return "never"
    return "stale" if freshness.stale else "fresh"


def source_views(
    specs: Mapping[str, SourceSpec],
    statuses: Mapping[str, SourceStatus],
    freshness: Mapping[str, Freshness],
    reasons: Mapping[str, Sequence[QuarantineReason]],
    now: datetime,
    quarantined_recently: Mapping[str, int] | None = None,
) -> list[SourceView]:
    """Every configured source, the late ones first (most late first), then never polled,
    then fresh (failing ones first), then disabled."""
    recent = quarantined_recently or {}
    views = []
    for source_id, spec in specs.items():
        fresh = freshness[source_id]
        state = source_state(spec, fresh)
        age = fresh.age(now)
        views.append(
            SourceView(
                spec=spec,
                status=statuses.get(source_id),
                state=state,
                late_by=age - fresh.limit if state == "stale" and age is not None else None,
                reasons=tuple(reasons.get(source_id, ())),
                quarantined_recently=recent.get(source_id, 0),
            )
        )
    return sorted(views, key=_display_order)


def _display_order(view: SourceView) -> tuple[int, int, float, str]:
    late_seconds = view.late_by.total_seconds() if view.late_by is not None else 0.0
    return (_STATE_ORDER[view.state], 0 if view.failing else 1, -late_seconds, view.spec.id)


def _rank_of(code: str, labels: Mapping[str, str]) -> int:
    return list(labels).index(code) if code in labels else len(labels)


def _status_value(name: str) -> Callable[[SourceView, str], Any]:
    return lambda view, _language: getattr(view.status, name) if view.status else None


#: How each column of the configured-sources table sorts; `None` sorts last.
SOURCE_SORT_KEYS: dict[str, Callable[[SourceView, str], Any]] = {
    "name": lambda view, language: resource_name(view.spec, language),
    "provider": lambda view, language: _localised(
        view.spec.catalogue.provider, view.spec.catalogue.provider_en, language
    ),
    "format": lambda view, _language: _rank_of(view.spec.catalogue.format, FORMAT_LABELS),
    "share_type": lambda view, _language: _rank_of(view.spec.catalogue.share_type, SHARE_LABELS),
    "cycle": lambda view, _language: _rank_of(view.spec.catalogue.update_cycle, CYCLE_LABELS),
    "kind": lambda view, _language: view.spec.kind,
    "table": lambda view, _language: view.spec.table,
    "last_attempt": _status_value("last_attempt_at"),
    "last_success": _status_value("last_success_at"),
    "rows_in": _status_value("rows_in"),
    "quarantined": _status_value("rows_quarantined"),
    "error": lambda view, language: error_text(view.status, language) or None,
    "next_due": _status_value("next_due_at"),
}


def sort_views(views: Iterable[SourceView], sort: Sort, language: str) -> list[SourceView]:
    """The views in `sort` order. `freshness` (and any unknown column) is the urgency order
    of `source_views`; ties keep it, and missing values sort last in either direction."""
    urgent = sorted(views, key=_display_order)
    key = SOURCE_SORT_KEYS.get(sort.column)
    if key is None:
        return urgent[::-1] if sort.descending else urgent
    present = [view for view in urgent if key(view, language) is not None]
    missing = [view for view in urgent if key(view, language) is None]
    ordered = sorted(present, key=lambda view: key(view, language), reverse=sort.descending)
    return ordered + missing


def summarise(views: Iterable[SourceView]) -> Summary:
    """How many sources there are, fresh, late (or never polled), failing; rows quarantined."""
    views = list(views)
    enabled = [view for view in views if view.state != "disabled"]
    return Summary(
        sources=len(views),
        fresh=sum(view.state == "fresh" for view in enabled),
        late=sum(view.state in ("stale", "never") for view in enabled),
        failing=sum(view.failing for view in enabled),
        quarantined_recently=sum(view.quarantined_recently for view in views),
    )


def format_duration(delta: timedelta, language: str) -> str:
    """A duration in its two largest units: '2 d 3 h', '2 h 15 min', '7 min', '< 1 min'."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    amounts = (minutes // (24 * 60), minutes // 60 % 24, minutes % 60)
    first = next((i for i, amount in enumerate(amounts) if amount), None)
    if first is None:
        return _("< 1 min", language)
    shown = zip(DURATION_UNITS[first : first + 2], amounts[first : first + 2], strict=True)
    return " ".join(_(label, language).format(n=amount) for label, amount in shown if amount)


def freshness_text(view: SourceView, language: str) -> str:
    """'Fresh', 'Late by 2 h 15 min', 'Never polled' or 'Disabled' in `language`."""
    if view.state == "stale" and view.late_by is not None:
        return _("Late by {duration}", language).format(
            duration=format_duration(view.late_by, language)
        )
    return _(STATE_LABELS[view.state], language)


def error_text(status: SourceStatus | None, language: str) -> str:
    """The current error with its kind ('Transient error: timed out'); '' when none."""
    if status is None or not status.last_error:
        return ""
    kind = ERROR_KIND_LABELS.get(status.error_kind or "")
    if kind is None:
        return status.last_error
    return _("{kind}: {message}", language).format(
        kind=_(kind, language), message=status.last_error
    )


def resource_name(spec: SourceSpec, language: str) -> str:
    """The source's catalogue name in `language` (Chinese when it has no English name)."""
    entry = spec.catalogue
    return entry.name_en or entry.name_zh if language == "en" else entry.name_zh


def _localised(zh: str, en: str | None, language: str) -> str:
    return (en or zh) if language == "en" else zh


def _label(labels: Mapping[str, str], code: str | None, language: str) -> str:
    return _(labels[code], language) if code in labels else code or ""


def source_table_rows(views: Iterable[SourceView], language: str, zone: str) -> list[dict]:
    """The configured-sources table's rows; `id` is the source id, `state` drives the colours."""
    rows = []
    for view in views:
        entry, status = view.spec.catalogue, view.status
        rows.append(
            {
                "id": view.spec.id,
                "state": view.state,
                "failing": "yes" if view.failing else "no",
                "name": resource_name(view.spec, language),
                "provider": _localised(entry.provider, entry.provider_en, language),
                "format": _label(FORMAT_LABELS, entry.format, language),
                "share_type": _label(SHARE_LABELS, entry.share_type, language),
                "cycle": _label(CYCLE_LABELS, entry.update_cycle, language),
                "kind": view.spec.kind,
                "table": view.spec.table,
                "last_attempt": format_time(status and status.last_attempt_at, zone),
                "last_success": format_time(status and status.last_success_at, zone),
                "rows_in": status.rows_in if status else 0,
                "quarantined": status.rows_quarantined if status else 0,
                "error": error_text(status, language),
                "next_due": format_time(status and status.next_due_at, zone),
                "freshness": freshness_text(view, language),
            }
        )
    return rows


def wired_resources(specs: Iterable[SourceSpec]) -> dict[str, list[str]]:
    """Resource id → the ids of the configured sources that read it."""
    wired: dict[str, list[str]] = {}
    for spec in specs:
        wired.setdefault(spec.catalogue.resource_id, []).append(spec.id)
    return wired


def catalogue_table_rows(
    resources: Iterable[Mapping[str, Any]], wired: Mapping[str, Sequence[str]], language: str
) -> list[dict]:
    """The catalogue table's rows in `language`; `wired` names the sources reading each."""
    return [
        {
            "resource_id": resource["resource_id"],
            "name": _localised(resource["name_zh"], resource["name_en"], language),
            "provider": _localised(resource["provider"], resource["provider_en"], language),
            "format": _label(FORMAT_LABELS, resource["format"], language),
            "share_type": _label(SHARE_LABELS, resource["share_type"], language),
            "cycle": _label(CYCLE_LABELS, resource["update_cycle"], language),
            "base_database": resource["base_database"] or "",
            "wired": ", ".join(wired.get(resource["resource_id"], ())),
        }
        for resource in resources
    ]
