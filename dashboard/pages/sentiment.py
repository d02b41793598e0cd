"""Public sentiment (社会舆情): what the city says on the 12345 hotline and in public posts, on
one wall screen.

Panels: volume over time stacked by sentiment; the negative share against its 7-day baseline;
the spike alerts with their numbers (and a button turning one into an incident for the
emergency page); hot topics ranked by growth over their baseline; a word cloud; complaints per
10,000 residents by district; 12345 response times by department against the time limit; the
latest masked texts; the channels and their shares.

The filters (range, district, channel, category) and the list's own (a topic or a district
clicked) live in the URL (`?range=7d&district=320706&channel=weibo&topic=...&place=...`).
Every 20 s the page asks for a stamp of the posts and spikes and re-draws only when it moved.
Texts are shown as text: Dash escapes strings, and nothing here sets inner HTML.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, urlencode
from zoneinfo import ZoneInfo

import dash
import dash_mantine_components as dmc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from sqlalchemy import Engine

from dashboard import runtime
from dashboard.components.word_cloud import word_cloud
from dashboard.data import sentiment as data
from dashboard.data.sentiment import RANGES, PostFilter, Spike, parse_filter
from dashboard.data.vitals import district_name, district_names
from dashboard.figures import OFFLINE_GEO_CONFIG, district_choropleth, sparkline
from dashboard.figures.sentiment import (
    SENTIMENT_LABELS,
    channels_figure,
    response_figure,
    share_figure,
    volume_figure,
)
from dashboard.figures.sparkline import SPARKLINE_CONFIG
from dashboard.i18n import N_, _, request_language

RANGE_LABELS: dict[str, str] = {"24h": N_("24 hours"), "7d": N_("7 days"), "30d": N_("30 days")}
CHANNEL_LABELS: dict[str, str] = {
    "12345": N_("12345 hotline"),
    "weibo": N_("Weibo"),
    "douyin": N_("Douyin"),
    "forum": N_("Forums"),
    "gov_board": N_("Government message board"),
}
DIMENSIONS: dict[str, str] = {
    "topic": N_("Topic"),
    "district": N_("District"),
    "channel": N_("Channel"),
}
SPIKE_WINDOWS: dict[str, str] = {"1h": N_("last hour"), "1d": N_("last day")}
EVERY = "all"
REFRESH_MS = 20_000
#: How often the aggregates of the longer ranges are read again (seconds).
REREAD: dict[str, int] = {"7d": 120, "30d": 600}
GRAPH_CONFIG = {"displayModeBar": False}
SELECT_CLASSES = {"input": "sentiment-input", "dropdown": "sentiment-dropdown"}
TOPIC = "sentiment-topic"
MAKE = "sentiment-make"
ACTOR = "operator"
#: The sources this page shows (for the stale banner): whatever writes posts, and the spikes.
SOURCES: list[str] = ["table:posts", data.SPIKE_SOURCE]


def channel_label(channel: str, language: str) -> str:
    label = CHANNEL_LABELS.get(channel)
    return _(label, language) if label else channel


def _local(at: datetime, zone: str, pattern: str) -> str:
    return at.astimezone(ZoneInfo(zone)).strftime(pattern)


def bucket_labels(starts: list[datetime], chosen: str, zone: str) -> list[str]:
    """The volume's x labels in local time: hours for a day, dates (and hours) beyond."""
    pattern = {"24h": "%H:00", "7d": "%m-%d %H:00", "30d": "%m-%d"}[chosen]
    return [_local(at, zone, pattern) for at in starts]


def page_query(flt: PostFilter, lang: str | None) -> str:
    """The URL's query for a filter (defaults left out), `lang` kept if it was there."""
    query = flt.query()
    if lang:
        query["lang"] = lang
    return f"?{urlencode(query)}" if query else ""


def filter_of(
    chosen: str | None,
    district: str | None,
    channel: str | None,
    category: str | None,
    topic: str | None,
    place: str | None,
) -> PostFilter:
    """The filter the controls describe ("all" is none)."""
    return parse_filter(
        {
            "range": chosen,
            "district": None if district == EVERY else district,
            "channel": None if channel == EVERY else channel,
            "category": None if category == EVERY else category,
            "topic": topic,
            "place": place,
        }
    )


# --- the rule of spikes -----------------------------------------------------------------------


def spike_rules() -> list[dict[str, Any]]:
    """The clock's spike rules' parameters (`data_adapters.derive.spikes.RULES`) with their
    plain-English explanation; empty where the module is not there."""
    try:
        module = importlib.import_module("data_adapters.derive.spikes")
        return [{**rule.fields(), "explain": rule.explain()} for rule in module.RULES]
    except (ImportError, AttributeError, TypeError):
        return []


def rule_text(spikes: list[Spike], language: str) -> tuple[str, str]:
    """The spike rules' parameters, once (one line per window), and their explanation (the
    hover text): from the clock's rules, else from the `rule` the spikes carry."""
    rules = spike_rules() or [
        {**s.infos["rule"], "explain": s.infos.get("explain", "")}
        for s in spikes
        if isinstance(s.infos.get("rule"), dict)
    ]
    lines, explained, seen = [], [], set()
    template = _(
        "{window}: at least {min_count} posts, {ratio:g}× the baseline, p < {alpha:g}", language
    )
    for rule in rules:
        window = rule.get("window")
        if window in seen or window not in SPIKE_WINDOWS:
            continue
        seen.add(window)
        try:
            lines.append(
                template.format(
                    window=_(SPIKE_WINDOWS[window], language),
                    min_count=int(rule["min_count"]),
                    ratio=float(rule["ratio"]),
                    alpha=float(rule["alpha"]),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
        if rule.get("explain"):
            explained.append(str(rule["explain"]))
    return "；".join(lines) if language == "zh" else "; ".join(lines), "\n".join(explained)


# --- panels -----------------------------------------------------------------------------------


def _panel(title: str, body: Any, area: str, extra: Any = None) -> html.Section:
    head = [html.H2(title, className="sentiment-panel-title")]
    if extra is not None:
        head.append(extra)
    return html.Section(
        [html.Div(head, className="sentiment-panel-head"), body],
        className=f"sentiment-panel area-{area}",
    )


def _graph(graph_id: str, figure: dict, config: dict = GRAPH_CONFIG) -> dcc.Graph:
    return dcc.Graph(
        id=graph_id,
        figure=figure,
        config=config,
        className="sentiment-graph",
        responsive=True,
        style={"height": "100%"},
    )


def share_summary(share: data.NegativeShare, language: str) -> list:
    """The negative share now as a number, with its baseline (mean ± sd) and the difference."""
    if share.current is None:
        return [html.Span("—", className="share-number"), html.Span(_("No posts", language))]
    above = share.baseline is not None and share.current > share.baseline + (share.spread or 0)
    parts = [
        html.Span(
            f"{100 * share.current:.1f}%",
            className="share-number" + (" share-high" if above else ""),
        )
    ]
    if share.baseline is not None:
        parts.append(
            html.Span(
                _("7-day baseline {mean:.1f}% ± {sd:.1f}", language).format(
                    mean=100 * share.baseline, sd=100 * (share.spread or 0)
                ),
                className="share-baseline",
            )
        )
    parts.append(
        html.Span(
            _("{count:,} posts in 24 h", language).format(count=share.posts),
            className="share-count",
        )
    )
    return parts


def day_bars(days: list[int]) -> html.Span:
    """Seven daily counts as tiny bars (HTML), each with its number on hover."""
    top = max(days) if days and max(days) > 0 else 1
    return html.Span(
        [
            html.Span(
                className="day-bar",
                title=str(d),
                style={"height": f"{max(8, round(100 * d / top))}%"},
            )
            for d in days
        ],
        className="day-bars",
    )


def spike_item(spike: Spike, language: str) -> html.Li:
    """One spike: what rose, its count against the baseline mean, the 7 daily counts, and the
    button (or the incident it became)."""
    infos = spike.infos
    dimension = DIMENSIONS.get(str(infos.get("dimension")), "")
    key = str(infos.get("key", ""))
    if infos.get("dimension") == "district" and key in district_names():
        key = district_name(key, language)
    elif infos.get("dimension") == "channel":
        key = channel_label(key, language)
    window_label = SPIKE_WINDOWS.get(str(infos.get("window")), "")
    count = infos.get("count")
    baseline = infos.get("baseline")
    ratio = infos.get("ratio")
    p = infos.get("p")
    numbers = []
    if count is not None and baseline is not None:
        numbers.append(
            _("{count} against a mean of {mean:.1f}", language).format(
                count=count, mean=float(baseline)
            )
        )
    if ratio is not None:
        numbers.append(f"×{float(ratio):.1f}")
    if p is not None:
        numbers.append(f"p={float(p):.3g}")
    if spike.incident:
        action: Any = html.Span(
            _("Incident {ref}", language).format(ref=spike.incident), className="spike-made"
        )
    else:
        action = html.Button(
            _("Make an incident", language),
            id={"type": MAKE, "alert": spike.id},
            className="spike-button",
            n_clicks=0,
        )
    return html.Li(
        [
            html.Div(
                [
                    html.Span(
                        (_(dimension, language) + " · " if dimension else "") + key,
                        className="spike-key",
                    ),
                    html.Span(
                        _(window_label, language) if window_label else "", className="spike-window"
                    ),
                    html.Span(
                        _("active", language)
                        if spike.state == "active"
                        else _("expired", language),
                        className=f"spike-state state-{spike.state}",
                    ),
                ],
                className="spike-head",
            ),
            html.Div(
                [
                    html.Span(" · ".join(numbers), className="spike-numbers"),
                    day_bars(spike.days),
                    action,
                ],
                className="spike-body",
            ),
        ],
        className=f"spike spike-{spike.state}",
        **{"data-alert": str(spike.id)},
    )


def spikes_list(spikes: list[Spike], language: str) -> list:
    if not spikes:
        return [html.P(_("No spikes in this range", language), className="empty-note")]
    rule, explained = rule_text(spikes, language)
    items = [spike_item(s, language) for s in spikes]
    head = (
        [
            html.P(
                _("Rule: {rule}", language).format(rule=rule),
                className="spike-rule",
                title=explained,
            )
        ]
        if rule
        else []
    )
    return [*head, html.Ul(items, className="spike-list")]


def topics_table(topics: list[data.Topic], selected: str | None, language: str) -> Any:
    """Hot topics ranked by growth, each clickable (filters the list), with a sparkline of its
    8 days."""
    if not topics:
        return html.P(_("No topics in the last 24 hours", language), className="empty-note")
    rows = [
        html.Tr(
            [
                html.Td(str(rank), className="topic-rank"),
                html.Td(t.topic, className="topic-name"),
                html.Td(f"{t.count:,}", className="topic-count"),
                html.Td(
                    f"×{t.growth:.1f}" if t.baseline > 0 else _("new", language),
                    className="topic-growth" + (" hot" if t.growth >= 2 else ""),
                ),
                html.Td(
                    dcc.Graph(
                        figure=sparkline([[i, v] for i, v in enumerate(t.days)]),
                        config=SPARKLINE_CONFIG,
                        className="topic-spark",
                    ),
                    className="topic-spark-cell",
                ),
            ],
            id={"type": TOPIC, "topic": t.topic},
            n_clicks=0,
            className="topic-row" + (" selected" if t.topic == selected else ""),
            title=_("Show this topic's posts", language),
        )
        for rank, t in enumerate(topics, 1)
    ]
    header = html.Thead(
        html.Tr(
            [
                html.Th("#"),
                html.Th(_("Topic", language)),
                html.Th(_("24 h", language)),
                html.Th(_("Growth", language)),
                html.Th(_("8 days", language)),
            ]
        )
    )
    return html.Table([header, html.Tbody(rows)], className="data-table topics-table")


def post_item(post: data.Post, language: str, zone: str) -> html.Li:
    """One post: time, channel, sentiment and topic chips, district, and its masked text (a
    string child: escaped by React, never parsed as HTML)."""
    sentiment = post.sentiment if post.sentiment in SENTIMENT_LABELS else "neutral"
    chips = [
        html.Span(_local(post.posted_at, zone, "%m-%d %H:%M"), className="post-time"),
        html.Span(channel_label(post.channel, language), className="chip chip-channel"),
        html.Span(
            _(SENTIMENT_LABELS[sentiment], language),
            className=f"chip chip-{sentiment}",
        ),
    ]
    if post.topic:
        chips.append(html.Span(post.topic, className="chip chip-topic"))
    if post.district in district_names():
        chips.append(html.Span(district_name(post.district, language), className="post-district"))
    return html.Li(
        [html.Div(chips, className="post-meta"), html.P(post.text, className="post-text")],
        className=f"post post-{sentiment}",
    )


def posts_list(posts: list[data.Post], language: str, zone: str) -> list:
    if not posts:
        return [html.P(_("No posts match", language), className="empty-note")]
    return [html.Ul([post_item(p, language, zone) for p in posts], className="post-list")]


def list_filters(flt: PostFilter, language: str) -> list:
    """The list's own filters as chips, with a button clearing them."""
    chips = []
    if flt.topic:
        chips.append(
            html.Span(_("Topic", language) + ": " + flt.topic, className="chip chip-filter")
        )
    if flt.place:
        chips.append(
            html.Span(
                _("District", language) + ": " + district_name(flt.place, language),
                className="chip chip-filter",
            )
        )
    return chips


def channel_rows(counts: Mapping[str, int], language: str) -> html.Ul:
    total = sum(counts.values()) or 1
    return html.Ul(
        [
            html.Li(
                [
                    html.Span(channel_label(c, language), className="channel-name"),
                    html.Span(f"{n:,}", className="channel-count"),
                    html.Span(f"{100 * n / total:.1f}%", className="channel-share"),
                ],
                className="channel-row",
            )
            for c, n in counts.items()
        ],
        className="channel-list",
    )


@dataclass(frozen=True)
class Readings:
    """What the aggregate panels read for a filter (the list's own filters left out)."""

    volume: data.Volume
    share: data.NegativeShare
    residents: dict[str, float]
    city: float | None
    complaints: dict[str, int]
    responses: list[data.Response]
    channels: dict[str, int]
    topics: list[data.Topic]
    words: list[data.Word]


#: The panels' queries run side by side (each holds its own connection; the drivers release
#: the GIL while the database works), so a view costs its slowest query, not their sum.
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="sentiment")


def read_panels(engine: Engine, flt: PostFilter, now: datetime, stamp: str) -> Readings:
    """The aggregate panels' data for `flt` (its list filters ignored), shared by screens and
    list clicks: read again for 24 hours when the store's stamp moves (at most once a
    minute), for the longer ranges every `REREAD` seconds (a month of posts takes seconds to
    count; a post more does not change the picture)."""
    base = replace(flt, topic=None, place=None)
    second = int(now.timestamp())
    if flt.range in REREAD:
        key = f"{flt.range}@{second // REREAD[flt.range]}"
    else:
        key = f"{stamp}@{second // 60}"
    return _read_panels(engine, base, key, _Passenger(now))


class _Passenger:
    """An argument riding along a cached call without being part of its key."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __hash__(self) -> int:
        return 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Passenger)


@lru_cache(maxsize=32)
def _read_panels(engine: Engine, flt: PostFilter, _key: str, now: _Passenger) -> Readings:
    at = now.value
    jobs = {
        "volume": _POOL.submit(data.volume, engine, flt, at),
        "share": _POOL.submit(data.negative_share, engine, flt, at),
        "residents": _POOL.submit(data.residents, engine),
        "city": _POOL.submit(data.city_residents, engine),
        "complaints": _POOL.submit(data.complaints_by_district, engine, flt, at),
        "responses": _POOL.submit(data.response_times, engine, flt, at),
        "channels": _POOL.submit(data.channel_counts, engine, flt, at),
        "topics": _POOL.submit(data.hot_topics, engine, flt, at),
        "words": _POOL.submit(data.keywords, engine, flt, at),
    }
    return Readings(**{name: job.result() for name, job in jobs.items()})


def panels(
    engine: Engine, flt: PostFilter, language: str, zone: str, now: datetime, stamp: str = ""
) -> dict:
    """Everything the panels show for a filter: the aggregates (ten grouped queries, run
    side by side and shared, `read_panels`) and the latest posts (one `LIMIT 50` query)."""
    read = read_panels(engine, flt, now, stamp or data.posts_stamp(engine, now))
    volume = read.volume
    share = read.share
    share_days = [
        _local(now - timedelta(days=data.BASELINE_DAYS - i), zone, "%m-%d")
        for i in range(data.BASELINE_DAYS)
    ]
    rates = data.per_10k(read.complaints, read.residents, None if read.residents else read.city)
    responses = read.responses
    channels = read.channels
    found_spikes = data.spikes(engine, flt, now)  # small and live (an incident just made)
    return {
        "volume": volume_figure(
            bucket_labels(volume.starts, flt.range, zone), volume.counts, language
        ),
        "share": share_summary(share, language),
        "share_figure": share_figure(
            share.days,
            share.current,
            share.baseline,
            share.spread,
            [*share_days, _("24 h", language)],
        ),
        "spikes": spikes_list(found_spikes, language),
        "topics": topics_table(read.topics, flt.topic, language),
        "words": word_cloud(read.words, _("No keywords", language)).children,
        "map": district_choropleth(
            rates, language=language, unit=_("per 10,000 residents", language), selected=flt.place
        ),
        "responses": response_figure(
            [r.department for r in responses][:12],
            [r.median_hours for r in responses][:12],
            [r.limit_hours for r in responses][:12],
            language,
        ),
        "posts": posts_list(data.latest_posts(engine, flt, now), language, zone),
        "list_filters": list_filters(flt, language),
        "channels_figure": channels_figure(
            [channel_label(c, language) for c in channels], list(channels.values()), language
        ),
        "channels": channel_rows(channels, language),
    }


@lru_cache(maxsize=4)
def _categories(engine: Engine, hour: int) -> tuple[str, ...]:
    return tuple(data.categories(engine, datetime.fromtimestamp(hour * 3600, UTC)))


def filter_bar(engine: Engine, flt: PostFilter, language: str, now: datetime) -> html.Div:
    districts = [{"value": EVERY, "label": _("Whole city", language)}] + [
        {"value": code, "label": district_name(code, language)} for code in district_names()
    ]
    channel_keys = list(CHANNEL_LABELS) + (
        [flt.channel] if flt.channel and flt.channel not in CHANNEL_LABELS else []
    )
    channels = [{"value": EVERY, "label": _("All channels", language)}] + [
        {"value": c, "label": channel_label(c, language)} for c in channel_keys
    ]
    known = list(_categories(engine, int(now.timestamp()) // 3600))
    if flt.category and flt.category not in known:
        known.append(flt.category)
    categories = [{"value": EVERY, "label": _("All categories", language)}] + [
        {"value": c, "label": c} for c in known
    ]

    def select(name: str, options: list, value: str | None) -> dmc.Select:
        return dmc.Select(
            id=f"sentiment-{name}",
            data=options,
            value=value or EVERY,
            allowDeselect=False,
            searchable=name == "category",
            classNames=SELECT_CLASSES,
            className=f"sentiment-select select-{name}",
            comboboxProps={"zIndex": 1000},
        )

    return html.Div(
        [
            dmc.SegmentedControl(
                id="sentiment-range",
                value=flt.range,
                data=[{"value": k, "label": _(RANGE_LABELS[k], language)} for k in RANGES],
                className="sentiment-range",
            ),
            select("district", districts, flt.district),
            select("channel", channels, flt.channel),
            select("category", categories, flt.category),
            html.Div(id="sentiment-message", className="sentiment-message", role="status"),
        ],
        className="sentiment-filters",
    )


def layout(lang: str | None = None, **query: str) -> html.Div:
    """The page for the viewer's language, in the view the URL names."""
    language = request_language(lang)
    current = runtime.current()
    engine = current.engine
    zone = current.settings.timezone
    now = datetime.now(UTC)
    flt = parse_filter(query)
    stamp = data.posts_stamp(engine, now)
    content = panels(engine, flt, language, zone, now, stamp)
    return html.Div(
        className="page page-sentiment",
        children=[
            dcc.Location(id="sentiment-url", refresh=False),
            dcc.Store(id="sentiment-lang", data=language),
            dcc.Store(id="sentiment-stamp", data=stamp),
            dcc.Store(id="sentiment-topic", data=flt.topic or ""),
            dcc.Store(id="sentiment-place", data=flt.place or ""),
            filter_bar(engine, flt, language, now),
            html.Div(
                className="sentiment-grid",
                children=[
                    _panel(
                        _("Volume by sentiment", language),
                        html.Div(
                            _graph("sentiment-volume", content["volume"]), className="graph-box"
                        ),
                        "volume",
                    ),
                    _panel(
                        _("Negative share", language),
                        html.Div(
                            [
                                html.Div(
                                    content["share"],
                                    id="sentiment-share",
                                    className="share-summary",
                                ),
                                html.Div(
                                    _graph("sentiment-share-figure", content["share_figure"]),
                                    className="graph-box",
                                ),
                            ],
                            className="share-body",
                        ),
                        "share",
                    ),
                    _panel(
                        _("Latest posts", language),
                        html.Div(content["posts"], id="sentiment-posts", className="panel-scroll"),
                        "list",
                        html.Div(
                            [
                                html.Span(content["list_filters"], id="sentiment-list-filters"),
                                html.Button(
                                    _("Clear", language),
                                    id="sentiment-clear",
                                    className="sentiment-clear",
                                    n_clicks=0,
                                ),
                            ],
                            className="list-filter-bar",
                        ),
                    ),
                    _panel(
                        _("Hot topics (growth over the 7-day mean)", language),
                        html.Div(
                            content["topics"], id="sentiment-topics", className="panel-scroll"
                        ),
                        "topics",
                    ),
                    _panel(
                        _("Keywords", language),
                        html.Div(content["words"], id="sentiment-words", className="word-cloud"),
                        "words",
                    ),
                    _panel(
                        _("Channels", language),
                        html.Div(
                            [
                                html.Div(
                                    _graph("sentiment-channels-figure", content["channels_figure"]),
                                    className="graph-box channels-ring",
                                ),
                                html.Div(content["channels"], id="sentiment-channels"),
                            ],
                            className="channels-body",
                        ),
                        "channels",
                    ),
                    _panel(
                        _("Spikes", language),
                        html.Div(
                            content["spikes"], id="sentiment-spikes", className="panel-scroll"
                        ),
                        "spikes",
                    ),
                    _panel(
                        _("Complaints per 10,000 residents", language),
                        html.Div(
                            _graph("sentiment-map", content["map"], OFFLINE_GEO_CONFIG),
                            className="graph-box",
                        ),
                        "map",
                    ),
                    _panel(
                        _("12345 median hours to close, by department", language),
                        html.Div(
                            _graph("sentiment-responses", content["responses"]),
                            className="graph-box",
                        ),
                        "responses",
                    ),
                ],
            ),
            dcc.Interval(id="sentiment-refresh", interval=REFRESH_MS),
        ],
    )


dash.register_page(
    __name__,
    path="/sentiment",
    name=N_("Public sentiment"),
    title="CityOps Centre",
    order=3,
    layout=layout,
    sources=SOURCES,
)


@callback(
    Output("sentiment-stamp", "data"),
    Input("sentiment-refresh", "n_intervals"),
    State("sentiment-stamp", "data"),
    prevent_initial_call=True,
)
def refresh(_n: int, stamp: str | None) -> str:
    """A new stamp when posts or spikes changed; else nothing is sent."""
    fresh = data.posts_stamp(runtime.current().engine, datetime.now(UTC))
    if fresh == stamp:
        raise PreventUpdate
    return fresh


def _clicked() -> dict | None:
    """The id of the pattern-matched button really clicked (not one just drawn with zero
    clicks), else None."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict):
        return None
    for entry in ctx.inputs_list[0]:
        if entry.get("id") == trigger and entry.get("value"):
            return trigger
    return None


@callback(
    Output("sentiment-topic", "data"),
    Input({"type": TOPIC, "topic": ALL}, "n_clicks"),
    State("sentiment-topic", "data"),
    prevent_initial_call=True,
)
def pick_topic(_clicks: list, current: str) -> str:
    """A click on a topic filters the list to it (a second click clears it)."""
    trigger = _clicked()
    if trigger is None:
        raise PreventUpdate  # rows re-drawn start again at zero clicks
    return "" if trigger["topic"] == current else trigger["topic"]


@callback(
    Output("sentiment-place", "data"),
    Input("sentiment-map", "clickData"),
    prevent_initial_call=True,
)
def pick_place(click: dict | None) -> str:
    """A click on a district of the map filters the list to it."""
    points = (click or {}).get("points") or [{}]
    code = points[0].get("location") or points[0].get("customdata")
    if code not in district_names():
        raise PreventUpdate
    return code


@callback(
    Output("sentiment-topic", "data", allow_duplicate=True),
    Output("sentiment-place", "data", allow_duplicate=True),
    Input("sentiment-clear", "n_clicks"),
    prevent_initial_call=True,
)
def clear_list_filters(clicks: int) -> tuple[str, str]:
    if not clicks:
        raise PreventUpdate
    return "", ""


@callback(
    Output("sentiment-volume", "figure"),
    Output("sentiment-share", "children"),
    Output("sentiment-share-figure", "figure"),
    Output("sentiment-spikes", "children"),
    Output("sentiment-topics", "children"),
    Output("sentiment-words", "children"),
    Output("sentiment-map", "figure"),
    Output("sentiment-responses", "figure"),
    Output("sentiment-posts", "children"),
    Output("sentiment-list-filters", "children"),
    Output("sentiment-channels-figure", "figure"),
    Output("sentiment-channels", "children"),
    Output("sentiment-url", "search"),
    Input("sentiment-range", "value"),
    Input("sentiment-district", "value"),
    Input("sentiment-channel", "value"),
    Input("sentiment-category", "value"),
    Input("sentiment-topic", "data"),
    Input("sentiment-place", "data"),
    Input("sentiment-stamp", "data"),
    State("sentiment-lang", "data"),
    State("sentiment-url", "search"),
    prevent_initial_call=True,
)
def update(
    chosen: str,
    district: str,
    channel: str,
    category: str,
    topic: str,
    place: str,
    stamp: str,
    language: str,
    search: str | None,
) -> tuple:
    """Re-draw the panels for the filters (and a new stamp); the URL keeps the view."""
    current = runtime.current()
    flt = filter_of(chosen, district, channel, category, topic, place)
    now = datetime.now(UTC)
    content = panels(current.engine, flt, language, current.settings.timezone, now, stamp or "")
    lang = parse_qs((search or "").lstrip("?")).get("lang")
    query = page_query(flt, lang[0] if lang else None)
    return (
        content["volume"],
        content["share"],
        content["share_figure"],
        content["spikes"],
        content["topics"],
        content["words"],
        content["map"],
        content["responses"],
        content["posts"],
        content["list_filters"],
        content["channels_figure"],
        content["channels"],
        query if query != (search or "") else no_update,
    )


def incident_message(outcome: data.Made | None, error: str | None, language: str) -> html.Span:
    """What the operator is told after pressing "Make an incident"."""
    if error is not None:
        text = _("The incident was not made: {error}", language).format(error=error)
        return html.Span(text, className="message-error")
    assert outcome is not None
    if outcome.created:
        text = _("Incident {ref} made; it is on the emergency page.", language)
    else:
        text = _("This spike is already incident {ref}; nothing changed.", language)
    return html.Span(text.format(ref=outcome.ref), className="message-ok")


@callback(
    Output("sentiment-message", "children"),
    Output("sentiment-stamp", "data", allow_duplicate=True),
    Input({"type": MAKE, "alert": ALL}, "n_clicks"),
    State("sentiment-lang", "data"),
    prevent_initial_call=True,
)
def make_incident(_clicks: list, language: str) -> tuple:
    """Turn the clicked spike into an incident (one transaction); say what happened."""
    trigger = _clicked()
    if trigger is None:
        raise PreventUpdate
    engine = runtime.current().engine
    now = datetime.now(UTC)
    try:
        outcome = data.make_incident(engine, int(trigger["alert"]), ACTOR, now)
    except data.IncidentError as error:
        return incident_message(None, _(str(error), language), language), no_update
    return incident_message(outcome, None, language), data.posts_stamp(engine, now)
