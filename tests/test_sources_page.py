"""The sources page and the stale banner without a browser: row building, ordering and summary,
lateness text in both languages, the read queries on SQLite and PostgreSQL, the page's
callbacks, and the banner's decision (which sources of a page are late; "*"; none; unreadable).

`seed_store` and its helpers also prepare the store of `tests/browser/test_sources_page.py`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dash
import pytest
from dash import Dash
from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import Engine, create_engine, insert, update

from dashboard.app import create_app
from dashboard.components import stale_banner
from dashboard.data.catalogue import configured_sources
from dashboard.data.freshness import Freshness
from dashboard.data.sources import (
    CYCLE_LABELS,
    CatalogueFilter,
    CatalogueOrder,
    QuarantineReason,
    Sort,
    SourceStatus,
    catalogue_page,
    catalogue_providers,
    catalogue_table_rows,
    format_duration,
    quarantine_reasons,
    quarantined_since,
    read_overview,
    sort_views,
    source_table_rows,
    source_views,
    status_rows,
    summarise,
    wired_resources,
)
from dashboard.i18n import _
from data_adapters.cycles import CYCLE_NAMES_ZH, freshness_limit
from data_adapters.settings import Settings
from data_adapters.sources.config import SourceSpec
from data_adapters.store import make_engine
from data_adapters.store.migrate import upgrade
from data_adapters.store.schema import catalogue_entries, quarantine, source_status

DEMO = Path(__file__).resolve().parent.parent / "data_adapters" / "demo_sources.toml"
NOW = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
LATE_BY = timedelta(hours=2, minutes=15)
PROVIDERS = (
    ("市统计局", "Statistics Bureau"),
    ("市公安局", "Municipal Public Security Bureau"),
    ("市生态环境局", "Ecology and Environment Bureau"),
    ("市交通运输局", "Transport Bureau"),
    ("市水利局", "Water Resources Bureau"),
    ("市卫生健康委员会", "Health Commission"),
)
FORMATS = ("db_table", "api", "file")
SHARES = ("unconditional", "conditional", "not_shared")
CYCLES = ("realtime", "5min", "hourly", "daily", "weekly", "monthly", "quarterly", "yearly")


# --- preparing a store ---------------------------------------------------------------------


def demo_specs() -> dict[str, SourceSpec]:
    """The demo's 33 configured sources (a copy: the loaded file is cached)."""
    return dict(configured_sources(Settings(sources_file=DEMO)))


def status_row(
    spec: SourceSpec,
    now: datetime,
    *,
    late: bool = False,
    error: tuple[str, str] | None = None,
    quarantined: int = 0,
) -> dict:
    """A `source_status` row: fresh (half its limit old) or late by `LATE_BY`; maybe failing."""
    limit = freshness_limit(spec.catalogue.update_cycle)
    age = limit + LATE_BY if late else limit / 2
    kind, message = error or (None, None)
    return {
        "source_id": spec.id,
        "kind": spec.kind,
        "last_attempt_at": now - timedelta(seconds=20),
        "last_success_at": now - age,
        "last_error": message,
        "error_kind": kind,
        "consecutive_failures": 3 if error else 0,
        "rows_in": 12_345,
        "rows_quarantined": quarantined,
        "next_due_at": now + timedelta(minutes=5),
        "updated_at": now,
    }


def catalogue_row(
    resource_id: str,
    name_zh: str,
    name_en: str,
    provider: tuple[str, str],
    *,
    format_: str = "api",
    share: str = "conditional",
    cycle: str = "daily",
    base: str | None = None,
) -> dict:
    """A `catalogue_entries` row as the clock stores it."""
    return {
        "source_id": "resource-catalogue",
        "source_key": resource_id,
        "ingested_at": NOW,
        "resource_id": resource_id,
        "name_zh": name_zh,
        "name_en": name_en,
        "provider": provider[0],
        "provider_en": provider[1],
        "format": format_,
        "share_type": share,
        "update_cycle": cycle,
        "base_database": base,
        "description": f"{provider[0]}提供的{name_zh}",
        "updated_at": NOW,
    }


def catalogue(specs: Mapping[str, SourceSpec], size: int = 1000) -> list[dict]:
    """The configured sources' resources, then made-up ones up to `size` entries."""
    rows: dict[str, dict] = {}
    for spec in specs.values():
        entry = spec.catalogue
        rows[entry.resource_id] = catalogue_row(
            entry.resource_id,
            entry.name_zh,
            entry.name_en,
            (entry.provider, entry.provider_en),
            format_=entry.format,
            share=entry.share_type,
            cycle=entry.update_cycle,
            base="population" if entry.provider == "市统计局" else None,
        )
    number = 0
    while len(rows) < size:
        provider = PROVIDERS[number % len(PROVIDERS)]
        resource_id = f"32079{number % len(PROVIDERS)}-{number:03d}"
        rows[resource_id] = catalogue_row(
            resource_id,
            f"资源{number:04d}号",
            f"Resource {number:04d}",
            provider,
            format_=FORMATS[number % 3],
            share=SHARES[number // 3 % 3],
            cycle=CYCLES[number % len(CYCLES)],
            base=("spatial", "legal_entity", None)[number % 3],
        )
        number += 1
    return list(rows.values())


def seed_store(
    engine: Engine,
    now: datetime,
    specs: Mapping[str, SourceSpec],
    *,
    late: Iterable[str] = (),
    never: Iterable[str] = (),
    failing: Mapping[str, tuple[str, str]] | None = None,
    reasons: Mapping[str, int] | None = None,
    catalogue_size: int = 1000,
) -> None:
    """Every source polled (fresh unless `late`; `never` left out), quarantine reasons a minute
    apart (newest `now - 1 min`), and the resource catalogue."""
    late, never, failing, reasons = set(late), set(never), failing or {}, reasons or {}
    statuses = [
        status_row(
            spec,
            now,
            late=source_id in late,
            error=failing.get(source_id),
            quarantined=reasons.get(source_id, 0),
        )
        for source_id, spec in specs.items()
        if source_id not in never
    ]
    quarantined = [
        {
            "source_id": source_id,
            "at": now - timedelta(minutes=minute),
            "raw": json.dumps({"row": minute, "value": "x" * 300}),
            "reason": f"reason {minute}: value is not a number",
        }
        for source_id, count in reasons.items()
        for minute in range(1, count + 1)
    ]
    with engine.begin() as connection:
        if statuses:
            connection.execute(insert(source_status), statuses)
        if quarantined:
            connection.execute(insert(quarantine), quarantined)
        if catalogue_size:
            connection.execute(insert(catalogue_entries), catalogue(specs, catalogue_size))


def make_fresh(engine: Engine, source_id: str, now: datetime) -> None:
    """The source's last poll succeeded just now."""
    with engine.begin() as connection:
        connection.execute(
            update(source_status)
            .where(source_status.c.source_id == source_id)
            .values(last_success_at=now, last_error=None, error_kind=None, updated_at=now)
        )


# --- pure logic ----------------------------------------------------------------------------


def _freshness(spec: SourceSpec, status: SourceStatus | None, now: datetime) -> Freshness:
    limit = freshness_limit(spec.catalogue.update_cycle)
    last = status.last_success_at if status else None
    return Freshness(spec.id, last, limit, last is None or now - last > limit, None)


def _status(row: dict) -> SourceStatus:
    return SourceStatus(**{k: v for k, v in row.items() if k not in ("kind", "updated_at")})


@pytest.fixture
def specs() -> dict[str, SourceSpec]:
    chosen = ("air-quality", "population", "traffic-flow", "port-daily", "water-levels")
    demo = demo_specs()
    picked = {source_id: demo[source_id] for source_id in chosen}
    picked["water-levels"] = picked["water-levels"].model_copy(update={"enabled": False})
    return picked


def _views(specs: dict[str, SourceSpec], now: datetime = NOW):
    rows = {
        "air-quality": status_row(specs["air-quality"], now),
        "population": status_row(specs["population"], now, late=True),
        "port-daily": status_row(
            specs["port-daily"], now, error=("transient", "timed out after 20 s")
        ),
    }
    rows["air-quality"]["last_success_at"] = now - freshness_limit("realtime") - timedelta(hours=5)
    statuses = {source_id: _status(row) for source_id, row in rows.items()}
    freshness = {i: _freshness(spec, statuses.get(i), now) for i, spec in specs.items()}
    reasons = {
        "port-daily": [
            QuarantineReason("port-daily", now - timedelta(minutes=m), f"bad {m}", "{}")
            for m in (1, 2, 3)
        ]
    }
    return source_views(specs, statuses, freshness, reasons, now, {"port-daily": 7})


def test_late_sources_come_first_most_late_first(specs) -> None:
    views = _views(specs)
    assert [(v.spec.id, v.state) for v in views] == [
        ("air-quality", "stale"),  # late by 5 h
        ("population", "stale"),  # late by 2 h 15 min
        ("traffic-flow", "never"),
        ("port-daily", "fresh"),  # fresh, but its last poll failed
        ("water-levels", "disabled"),
    ]
    assert views[0].late_by == timedelta(hours=5)
    assert views[1].late_by == LATE_BY
    assert [v.failing for v in views] == [False, False, False, True, False]


def test_summary_counts_fresh_late_failing_and_recent_quarantine(specs) -> None:
    summary = summarise(_views(specs))
    assert (summary.sources, summary.fresh, summary.late, summary.failing) == (5, 1, 3, 1)
    assert summary.quarantined_recently == 7


def test_table_rows_in_chinese(specs) -> None:
    rows = source_table_rows(_views(specs), "zh", "Asia/Shanghai")
    population, never, failing, disabled = rows[1], rows[2], rows[3], rows[4]
    assert population["freshness"] == "超时 2 小时 15 分钟"
    assert population["name"] == "分区县分年龄性别常住人口"
    assert population["provider"] == "市统计局"
    assert (population["format"], population["share_type"], population["cycle"]) == (
        "数据库表",
        "有条件共享",
        "每月",
    )
    assert (population["kind"], population["table"]) == ("sql", "observations")
    assert population["last_attempt"] == "2026-11-28 11:59"  # Asia/Shanghai
    assert never["freshness"] == "从未采集" and never["last_success"] == "—"
    assert never["rows_in"] == 0 and never["error"] == ""
    assert failing["freshness"] == "正常"
    assert failing["error"] == "暂时性错误：timed out after 20 s"
    assert failing["failing"] == "yes" and failing["id"] == "port-daily"
    assert disabled["freshness"] == "已停用" and disabled["state"] == "disabled"


def test_table_rows_in_english(specs) -> None:
    rows = source_table_rows(_views(specs), "en", "Asia/Shanghai")
    assert rows[0]["freshness"] == "Late by 5 h"
    assert rows[1]["freshness"] == "Late by 2 h 15 min"
    assert rows[1]["name"] == "Residents by district, age band and sex"
    assert rows[1]["provider"] == "Statistics Bureau"
    assert (rows[1]["format"], rows[1]["share_type"], rows[1]["cycle"]) == (
        "DB table",
        "Conditional",
        "Monthly",
    )
    assert rows[2]["freshness"] == "Never polled"
    assert rows[3]["error"] == "Transient error: timed out after 20 s"


@pytest.mark.parametrize(
    ("delta", "english", "chinese"),
    [
        (timedelta(seconds=40), "< 1 min", "不足 1 分钟"),
        (timedelta(minutes=7), "7 min", "7 分钟"),
        (timedelta(hours=2, minutes=15, seconds=59), "2 h 15 min", "2 小时 15 分钟"),
        (timedelta(hours=3), "3 h", "3 小时"),
        (timedelta(days=2, hours=3, minutes=5), "2 d 3 h", "2 天 3 小时"),
        (timedelta(days=1, minutes=5), "1 d", "1 天"),
        (timedelta(seconds=-5), "< 1 min", "不足 1 分钟"),
    ],
)
def test_durations_in_both_languages(delta: timedelta, english: str, chinese: str) -> None:
    assert format_duration(delta, "en") == english
    assert format_duration(delta, "zh") == chinese


def test_error_kinds_are_named(specs) -> None:
    now = NOW
    for kind, zh, en in (
        ("config", "配置错误", "Configuration error"),
        ("transient", "暂时性错误", "Transient error"),
        ("source", "数据源错误", "Source error"),
    ):
        row = status_row(specs["population"], now, error=(kind, "HTTP 401"))
        view = source_views(
            {"population": specs["population"]},
            {"population": _status(row)},
            {"population": _freshness(specs["population"], _status(row), now)},
            {},
            now,
        )
        assert source_table_rows(view, "zh", "UTC")[0]["error"] == f"{zh}：HTTP 401"
        assert source_table_rows(view, "en", "UTC")[0]["error"] == f"{en}: HTTP 401"


def test_quarantine_reasons_travel_with_the_view(specs) -> None:
    failing = next(v for v in _views(specs) if v.spec.id == "port-daily")
    assert [r.reason for r in failing.reasons] == ["bad 1", "bad 2", "bad 3"]
    assert failing.quarantined_recently == 7


def test_cycle_names_match_the_catalogue() -> None:
    assert {code: _(label, "zh") for code, label in CYCLE_LABELS.items()} == CYCLE_NAMES_ZH


def test_catalogue_rows_say_which_sources_read_them() -> None:
    specs = demo_specs()
    rows = catalogue_table_rows(catalogue(specs, 40), wired_resources(specs.values()), "en")
    by_id = {row["resource_id"]: row for row in rows}
    assert by_id["320707-001"]["wired"] == "enterprises-registered, enterprises-new"
    assert by_id["320703-001"]["wired"] == "air-quality"
    assert by_id["320703-001"]["format"] == "API"
    assert by_id["320790-000"]["wired"] == "" and by_id["320790-000"]["name"] == "Resource 0000"
    zh = catalogue_table_rows(catalogue(specs, 40), {}, "zh")
    assert {row["share_type"] for row in zh} <= {"无条件共享", "有条件共享", "不予共享"}


# --- read queries on SQLite and PostgreSQL -------------------------------------------------


def test_status_rows_and_overview_read_the_store(store: Engine) -> None:
    specs = demo_specs()
    seed_store(
        store,
        NOW,
        specs,
        late=["population"],
        never=["traffic-flow"],
        failing={"port-daily": ("source", "HTTP 200 with an HTML body")},
        reasons={"port-daily": 5, "air-quality": 1},
        catalogue_size=0,
    )
    statuses = status_rows(store)
    assert len(statuses) == len(specs) - 1 and "traffic-flow" not in statuses
    assert statuses["port-daily"].error_kind == "source"
    assert statuses["port-daily"].last_success_at.tzinfo is not None
    overview = read_overview(store, Settings(sources_file=DEMO), NOW)
    assert [v.spec.id for v in overview.views[:2]] == ["population", "traffic-flow"]
    assert overview.summary.late == 2 and overview.summary.failing == 1
    assert overview.summary.quarantined_recently == 6


def test_latest_three_quarantine_reasons_per_source(store: Engine) -> None:
    seed_store(store, NOW, {}, reasons={"a": 5, "b": 1, "c": 0}, catalogue_size=0)
    reasons = quarantine_reasons(store, ["a", "b", "c", "missing"])
    assert [r.reason for r in reasons["a"]] == [
        f"reason {m}: value is not a number" for m in (1, 2, 3)
    ]
    assert [r.at for r in reasons["a"]] == [NOW - timedelta(minutes=m) for m in (1, 2, 3)]
    assert len(reasons["b"]) == 1 and set(reasons) == {"a", "b"}
    assert len(reasons["a"][0].raw) == 160, "raw records are cut to an excerpt"
    assert quarantine_reasons(store, ["b"])["b"][0].source_id == "b"
    assert quarantine_reasons(store, []) == {}


def test_quarantined_since(store: Engine) -> None:
    seed_store(store, NOW, {}, reasons={"a": 5, "b": 1}, catalogue_size=0)
    assert quarantined_since(store, ["a", "b"], NOW - timedelta(minutes=3)) == {"a": 3, "b": 1}
    assert quarantined_since(store, ["a"], NOW) == {}


def _ids(found) -> list[str]:
    return [row["resource_id"] for row in found.rows]


def test_catalogue_filters_in_sql(store: Engine) -> None:
    specs = demo_specs()
    seed_store(store, NOW, specs, never=specs)
    everything = catalogue_page(store)
    assert everything.total == len(everything.rows) == 1000
    by_provider = catalogue_page(store, CatalogueFilter(provider="市水利局")).rows
    assert by_provider and {row["provider"] for row in by_provider} == {"市水利局"}
    narrow = CatalogueFilter(provider="市统计局", share_type="conditional", format="db_table")
    assert {
        (r["provider"], r["share_type"], r["format"]) for r in catalogue_page(store, narrow).rows
    } == {("市统计局", "conditional", "db_table")}
    monthly = catalogue_page(store, CatalogueFilter(update_cycle="monthly")).rows
    assert {row["update_cycle"] for row in monthly} == {"monthly"}
    assert _ids(catalogue_page(store, CatalogueFilter(text="空气质量"))) == ["320703-001"]
    assert catalogue_page(store, CatalogueFilter(text="resource 000")).total == 10, "any case"
    assert catalogue_page(store, CatalogueFilter(text="100%")).total == 0, "% is no wildcard"
    providers = dict(catalogue_providers(store))
    assert providers["市统计局"] == "Statistics Bureau" and len(providers) >= len(PROVIDERS)


def test_catalogue_pages_and_orders_in_sql(store: Engine) -> None:
    specs = demo_specs()
    seed_store(store, NOW, specs, never=specs)
    first = catalogue_page(store, page=1, page_size=25)
    third = catalogue_page(store, page=3, page_size=25)
    assert first.total == third.total == 1000 and len(first.rows) == 25
    assert _ids(first) == sorted(_ids(first)) and _ids(first)[-1] < _ids(third)[0]
    wired = frozenset(wired_resources(specs.values()))
    by_wired = catalogue_page(store, order=CatalogueOrder(Sort("wired"), wired=wired))
    assert set(_ids(by_wired)[: len(wired)]) == wired
    by_cycle = catalogue_page(store, order=CatalogueOrder(Sort("cycle", descending=True)))
    assert by_cycle.rows[0]["update_cycle"] == "yearly"
    assert by_cycle.rows[-1]["update_cycle"] == "realtime"
    english = catalogue_page(store, order=CatalogueOrder(Sort("name"), language="en"), page_size=3)
    assert [row["name_en"] for row in english.rows] == sorted(
        row["name_en"] for row in catalogue_page(store).rows
    )[:3]
    by_base = catalogue_page(store, order=CatalogueOrder(Sort("base_database", descending=True)))
    assert by_base.rows[-1]["base_database"] is None, "no base database sorts last"


def test_quarantine_reasons_use_the_source_index(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'plan.db'}")
    upgrade(engine)
    seed_store(engine, NOW, {}, reasons={"a": 50, "b": 50}, catalogue_size=0)
    captured: list[str] = []

    def explain(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and "quarantine" in statement:
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            captured.extend(str(row[-1]) for row in plan)

    from sqlalchemy import event

    event.listen(engine, "before_cursor_execute", explain)
    try:
        quarantine_reasons(engine, ["a", "b"])
    finally:
        event.remove(engine, "before_cursor_execute", explain)
    assert captured and all(line.strip() != "SCAN quarantine" for line in captured), captured
    assert any("ix_quarantine_source_id_at" in line for line in captured), captured
    engine.dispose()


# --- the page in the app -------------------------------------------------------------------


@pytest.fixture
def seeded_app(tmp_path: Path) -> tuple[Dash, Engine]:
    settings = Settings(var_dir=tmp_path / "var", sources_file=DEMO)
    engine = make_engine(settings.store_url)
    upgrade(engine)
    now = datetime.now(UTC)
    seed_store(
        engine,
        now,
        demo_specs(),
        late=["population"],
        failing={"air-quality": ("config", "HTTP 401 from the sensor service")},
        reasons={"air-quality": 4},
        catalogue_size=200,
    )
    return create_app(settings, engine), engine


def _render(component: object) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


def _find(component, component_id: str):
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found = _find(child, component_id)
            if found is not None:
                return found
    return None


def test_page_is_registered_last_in_navigation(seeded_app) -> None:
    page = dash.page_registry["dashboard.pages.sources"]
    assert (page["path"], page["name"], page["order"]) == ("/sources", "Data sources", 90)
    assert "sources" not in page, "the sources page shows the sources; it has no banner"


def _body_rows(component) -> list:
    """The `<tr>`s of the body of the table inside `component`."""
    table = component.children if not isinstance(component.children, list) else None
    return table.children[1].children if table is not None else []


def _cells(row) -> dict[str, object]:
    return {cell.className.removeprefix("col-"): cell.children for cell in row.children}


def test_page_renders_late_sources_first_in_both_languages(seeded_app) -> None:
    app, _engine = seeded_app
    layout = dash.page_registry["dashboard.pages.sources"]["layout"]
    with app.server.test_request_context("/sources"):
        page = layout()
    rows = _body_rows(_find(page, "sources-table"))
    assert len(rows) == 33
    assert rows[0].id == {"type": "sources-row", "id": "population"}
    assert rows[0].className == "state-stale"
    assert _cells(rows[0])["freshness"].startswith("超时 2 小时 1")
    assert rows[1].className == "state-fresh is-failing", "failing sources lead the fresh ones"
    rendered = _render(_find(page, "sources-summary").children)
    assert "数据源总数" in rendered and "24小时隔离行数" in rendered
    catalogue = _body_rows(_find(page, "sources-catalogue"))
    assert len(catalogue) == 25 and _cells(catalogue[0])["resource_id"] == "320701-001"
    assert _find(page, "sources-catalogue-pages").total == 8
    assert _find(page, "sources-catalogue-count").children == "共 200 项资源"
    with app.server.test_request_context("/sources?lang=en"):
        page = layout(lang="en")
    first = _cells(_body_rows(_find(page, "sources-table"))[0])
    assert first["freshness"].startswith("Late by 2 h 1")
    assert "Resource catalogue" in _render(page)


def test_sorting_the_sources(specs) -> None:
    from dashboard.pages.sources import next_sort, sort_of

    views = _views(specs)
    by_name = [v.spec.id for v in sort_views(views, Sort("name"), "en")]
    assert by_name == ["port-daily", "air-quality", "population", "water-levels", "traffic-flow"]
    by_rows = [v.spec.id for v in sort_views(views, Sort("quarantined", descending=True), "en")]
    assert by_rows[-2:] == ["traffic-flow", "water-levels"], "never polled sorts last"
    reverse = sort_views(views, Sort("freshness", descending=True), "en")
    assert [v.spec.id for v in reverse] == [v.spec.id for v in views][::-1]
    assert next_sort(Sort("name"), "name") == Sort("name", descending=True)
    assert next_sort(Sort("name", descending=True), "kind") == Sort("kind")
    assert sort_of(None, "sources") == Sort("freshness")
    assert sort_of({"column": "rows_in", "descending": True}, "sources") == Sort("rows_in", True)


def _update(client, outputs, inputs, changed, state=()):
    """Call a callback as the browser does; the JSON answer, or None for 'nothing to send'."""

    def spec(item):
        if isinstance(item, list):
            return [spec(i) for i in item]
        component_id, prop, *value = item
        return {"id": component_id, "property": prop, **({"value": value[0]} if value else {})}

    def key(component_id) -> str:
        if isinstance(component_id, dict):
            return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
        return component_id

    body = {
        "output": "...".join(f"{key(i)}.{p}" for i, p in outputs).join(("..", "..")),
        "outputs": [spec(o) for o in outputs],
        "inputs": [spec(i) for i in inputs],
        "state": [spec(i) for i in state],
        "changedPropIds": [f"{key(i)}.{p}" for i, p in changed],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code in (200, 204), response.get_data(as_text=True)[-2000:]
    return response.get_json() if response.status_code == 200 else None


SOURCES_OUTPUTS = [
    ("sources-summary", "children"),
    ("sources-table", "children"),
    ("sources-details", "data"),
    ("sources-signature", "data"),
]
SOURCES_SORT = {"type": "sources-sort-state", "table": "sources"}


def test_refresh_sends_nothing_when_nothing_changed(seeded_app) -> None:
    app, engine = seeded_app
    from dashboard.pages import sources as page_module

    with app.server.test_request_context("/sources"):
        shown = page_module.sources_section(Sort("freshness"), "zh")
    client = app.server.test_client()

    def refresh(signature: str) -> dict | None:
        return _update(
            client,
            SOURCES_OUTPUTS,
            [
                ("sources-refresh", "n_intervals", 1),
                (SOURCES_SORT, "data", {"column": "freshness", "descending": False}),
            ],
            [("sources-refresh", "n_intervals")],
            [("sources-lang", "data", "zh"), ("sources-signature", "data", signature)],
        )

    assert refresh(shown["signature"]) is None
    make_fresh(engine, "population", datetime.now(UTC))
    answer = refresh(shown["signature"])
    assert answer["response"]["sources-signature"]["data"] != shown["signature"]
    assert '"id": "population"' not in _render(answer["response"]["sources-table"])[:400]


def test_details_show_the_error_and_latest_reasons(seeded_app) -> None:
    app, _engine = seeded_app
    from dashboard.pages import sources as page_module

    with app.server.test_request_context("/sources?lang=en"):
        details = page_module.sources_section(Sort("freshness"), "en")["details"]
    row = {"type": "sources-row", "id": "air-quality"}
    outputs = [
        ("sources-modal", "opened"),
        ("sources-modal", "title"),
        ("sources-modal", "children"),
    ]
    state = [("sources-details", "data", details), ("sources-lang", "data", "en")]
    client = app.server.test_client()
    answer = _update(client, outputs, [[(row, "n_clicks", 1)]], [(row, "n_clicks")], state)
    modal = answer["response"]["sources-modal"]
    text = _render(modal["children"])
    assert modal["opened"] is True and modal["title"] == "Real-time air quality"
    assert "Configuration error: HTTP 401 from the sensor service" in text
    assert text.count("value is not a number") == 3 and "reason 1:" in text
    assert "reason 4:" not in text
    redrawn = _update(client, outputs, [[(row, "n_clicks", 0)]], [(row, "n_clicks")], state)
    assert redrawn is None, "a row drawn anew opens nothing"


def test_catalogue_callback_filters_and_pages(seeded_app) -> None:
    app, _engine = seeded_app
    client = app.server.test_client()
    sort = {"type": "sources-sort-state", "table": "catalogue"}

    def catalogue(provider: str | None, page: int, changed: str) -> dict:
        filters = [
            ("sources-filter-provider", "value", provider),
            ("sources-filter-share", "value", None),
            ("sources-filter-format", "value", None),
            ("sources-filter-cycle", "value", None),
            ("sources-filter-text", "value", None),
        ]
        answer = _update(
            client,
            [
                ("sources-catalogue", "children"),
                ("sources-catalogue-count", "children"),
                ("sources-catalogue-pages", "total"),
                ("sources-catalogue-pages", "value"),
                ("sources-catalogue-signature", "data"),
            ],
            [
                *filters,
                (sort, "data", {"column": "resource_id", "descending": False}),
                ("sources-catalogue-pages", "value", page),
                ("sources-refresh", "n_intervals", None),
            ],
            [(changed, "value")],
            [("sources-lang", "data", "zh"), ("sources-catalogue-signature", "data", None)],
        )
        return answer["response"]

    paged = catalogue(None, 3, "sources-catalogue-pages")
    assert paged["sources-catalogue-pages"] == {"total": 8, "value": 3}
    filtered = catalogue("市水利局", 3, "sources-filter-provider")
    assert filtered["sources-catalogue-pages"]["value"] == 1, "a new filter starts at page 1"
    text = _render(filtered["sources-catalogue"])
    assert "市水利局" in text and "市统计局" not in text
    assert filtered["sources-catalogue-count"]["children"].startswith("共 ")


# --- the stale banner ----------------------------------------------------------------------


REGISTRY = {
    "overview": {"path": "/", "relative_path": "/"},
    "vitals": {"path": "/vitals", "relative_path": "/vitals", "sources": ["population", "x"]},
    "sources": {"path": "/sources", "relative_path": "/sources"},
    "all": {"path": "/all", "relative_path": "/all", "sources": "*"},
}


@pytest.mark.parametrize(
    ("pathname", "declared"),
    [
        ("/", "*"),
        (None, "*"),
        ("/vitals", ["population", "x"]),
        ("/sources", None),
        ("/all", "*"),
        ("/nowhere", None),
    ],
)
def test_which_sources_a_page_declares(pathname, declared) -> None:
    page = stale_banner.page_for(pathname, REGISTRY)
    assert stale_banner.declared_sources(page) == declared


def test_feeding_sources_skip_unknown_and_disabled() -> None:
    specs = demo_specs()
    specs["population"] = specs["population"].model_copy(update={"enabled": False})
    assert stale_banner.feeding_sources(None, specs) == {}
    assert list(stale_banner.feeding_sources(["population", "x", "migration"], specs)) == [
        "migration"
    ]
    assert list(stale_banner.feeding_sources("migration", specs)) == ["migration"]
    assert len(stale_banner.feeding_sources("*", specs)) == len(specs) - 1


def test_feeding_sources_by_table() -> None:
    specs = demo_specs()
    assets = sorted(i for i, spec in specs.items() if spec.table == "assets")
    assert len(assets) >= 11
    assert sorted(stale_banner.feeding_sources(["table:assets"], specs)) == assets
    mixed = stale_banner.feeding_sources(["migration", "table:assets", "assets-park"], specs)
    assert list(mixed)[:2] == ["migration", "assets-park"] and len(mixed) == len(assets) + 1
    assert stale_banner.feeding_sources(["table:nowhere"], specs) == {}


def test_banner_decision_on_the_store(store: Engine) -> None:
    specs = demo_specs()
    seed_store(store, NOW, specs, late=["population", "air-quality"], catalogue_size=0)
    check = stale_banner.check_sources(store, specs, ["population", "migration"], NOW)
    assert check.readable and [s.id for s in check.late] == ["population"]
    everything = stale_banner.check_sources(store, specs, "*", NOW)
    assert {s.id for s in everything.late} == {"population", "air-quality"}
    assert stale_banner.check_sources(store, specs, ["migration"], NOW).shown is False
    assert stale_banner.check_sources(store, specs, None, NOW).shown is False


def test_banner_says_when_the_store_cannot_be_read(tmp_path: Path) -> None:
    unreadable = create_engine(f"sqlite:///{tmp_path / 'no-such-folder' / 'store.db'}")
    check = stale_banner.check_sources(unreadable, demo_specs(), "*", NOW)
    assert check == stale_banner.BannerCheck(readable=False)
    assert stale_banner.banner_class(check) == "stale-banner is-unknown"
    assert "无法检查数据时效" in _render(stale_banner.banner_content(check, "zh"))
    empty = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")  # no tables: not migrated
    assert stale_banner.check_sources(empty, demo_specs(), "*", NOW).readable is False


def test_banner_text_in_both_languages() -> None:
    specs = demo_specs()
    one = stale_banner.BannerCheck(late=(specs["population"],))
    assert stale_banner.late_message(one.late, "zh") == (
        "本页有 1 个数据源已超时：分区县分年龄性别常住人口——显示的是最近一次成功采集的数据"
    )
    assert stale_banner.late_message(one.late, "en") == (
        "1 data source feeding this page is late: Residents by district, age band and sex"
        " — values shown are the last good ones"
    )
    many = [
        specs[i]
        for i in (
            "population",
            "migration",
            "air-quality",
            "port-daily",
            "ships-at-berth",
            "traffic-flow",
        )
    ]
    text = stale_banner.late_message(many, "zh")
    assert (
        text.startswith("本页有 6 个数据源已超时：分区县分年龄性别常住人口、")
        and "等另外 2 个" in text
    )
    assert "6 data sources feeding this page are late:" in stale_banner.late_message(many, "en")
    assert "and 2 more" in stale_banner.late_message(many, "en")
    rendered = _render(stale_banner.banner_content(one, "en"))
    assert '"href": "/sources"' in rendered and "View data sources" in rendered
    assert stale_banner.banner_content(stale_banner.BannerCheck(), "en") == []
    assert stale_banner.banner_class(stale_banner.BannerCheck()) == "stale-banner is-hidden"
    assert stale_banner.banner_class(one) == "stale-banner is-late"


def _banner_request(pathname: str, lang: str = "zh-CN") -> dict:
    return {
        "output": "..stale-banner.children...stale-banner.className..",
        "outputs": [
            {"id": "stale-banner", "property": "children"},
            {"id": "stale-banner", "property": "className"},
        ],
        "inputs": [
            {"id": "shell-url", "property": "pathname", "value": pathname},
            {"id": "shell-root", "property": "lang", "value": lang},
            {"id": "stale-banner-tick", "property": "n_intervals", "value": None},
        ],
        "changedPropIds": ["shell-url.pathname"],
    }


def test_banner_callback_in_the_app(seeded_app) -> None:
    app, engine = seeded_app
    client = app.server.test_client()
    home = client.post("/_dash-update-component", json=_banner_request("/")).get_json()
    banner = home["response"]["stale-banner"]
    assert banner["className"] == "stale-banner is-late"
    assert "本页有 1 个数据源已超时：分区县分年龄性别常住人口" in _render(banner["children"])
    english = client.post("/_dash-update-component", json=_banner_request("/", "en")).get_json()
    assert "1 data source feeding this page is late" in _render(english["response"])
    own = client.post("/_dash-update-component", json=_banner_request("/sources")).get_json()
    assert own["response"]["stale-banner"]["className"] == "stale-banner is-hidden"
    make_fresh(engine, "population", datetime.now(UTC))
    after = client.post("/_dash-update-component", json=_banner_request("/")).get_json()
    assert after["response"]["stale-banner"]["className"] == "stale-banner is-hidden"


def test_every_app_gets_one_banner_callback(seeded_app, tmp_path: Path) -> None:
    app, engine = seeded_app
    second = create_app(Settings(var_dir=tmp_path / "var", sources_file=DEMO), engine)
    for built in (app, second):
        outputs = [
            d["output"] for d in built.server.test_client().get("/_dash-dependencies").get_json()
        ]
        assert sum("stale-banner.children" in o for o in outputs) == 1
