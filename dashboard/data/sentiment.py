"""What the public-sentiment page reads: posts (12345 tickets and public posts) counted by
sentiment, topic, keyword, district, department and channel; the spike alerts; the latest
masked texts. And its one write: turning a spike alert into an incident.

Every read aggregates in the database over the chosen window with the `(posted_at, ...)`
indexes; no query returns posts except the latest-texts list, which is `LIMIT 50`. Buckets of
time are integer divisions of seconds since the window's start (Asia/Shanghai has no summer
time, so a local day is a fixed 86,400 s after a fixed offset), the same SQL on SQLite and
PostgreSQL. Medians come from per-hour histograms counted in SQL.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Engine,
    Integer,
    and_,
    case,
    cast,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from dashboard.data.vitals import district_names
from dashboard.i18n import N_
from data_adapters.store.schema import alerts, incident_events, incidents, observations, posts
from data_adapters.store.writer import write_transaction

log = logging.getLogger(__name__)

#: The page's time ranges, in the order the control lists them, and their buckets.
RANGES: dict[str, timedelta] = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}
BUCKETS: dict[str, int] = {"24h": 3600, "7d": 6 * 3600, "30d": 86400}
DEFAULT_RANGE = "24h"
SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")
HOTLINE = "12345"
SPIKE_ORIGIN = "spike"
SPIKE_SOURCE = "sentiment-spikes"
BASELINE_DAYS = 7
LATEST = 50
TOPICS_SHOWN = 10
WORDS_SHOWN = 60
SPIKES_SHOWN = 12
DAY = 86400
UNIX_JULIAN_DAY = 2440587.5  # 1970-01-01T00:00Z as a Julian day


@dataclass(frozen=True)
class PostFilter:
    """The page's filters (None is all) and the list's own (a topic or district clicked)."""

    range: str = DEFAULT_RANGE
    district: str | None = None
    channel: str | None = None
    category: str | None = None
    topic: str | None = None
    place: str | None = None  # the list's district, from a click on the map

    def query(self) -> dict[str, str]:
        """The URL query restoring this filter (defaults left out)."""
        query = {}
        if self.range != DEFAULT_RANGE:
            query["range"] = self.range
        for name in ("district", "channel", "category", "topic", "place"):
            if getattr(self, name):
                query[name] = getattr(self, name)
        return query


def _first(value: object) -> str | None:
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def parse_filter(query: Mapping[str, object]) -> PostFilter:
    """The filter a URL query names; anything unknown falls back to all."""
    chosen = _first(query.get("range"))
    district = _first(query.get("district"))
    place = _first(query.get("place"))
    districts = district_names()
    return PostFilter(
        range=chosen if chosen in RANGES else DEFAULT_RANGE,
        district=district if district in districts else None,
        channel=(_first(query.get("channel")) or "")[:32] or None,
        category=(_first(query.get("category")) or "")[:64] or None,
        topic=(_first(query.get("topic")) or "")[:64] or None,
        place=place if place in districts else None,
    )


def window(chosen: str, now: datetime) -> tuple[datetime, datetime]:
    """The range's start and end (now): whole buckets back from the one now is in, so the
    first bucket begins at most one bucket before the range does."""
    size = BUCKETS[chosen]
    buckets = int(RANGES[chosen].total_seconds()) // size
    start_epoch = (int(now.timestamp()) // size - buckets) * size
    return datetime.fromtimestamp(start_epoch, UTC), now


def _epoch(dialect: str, column: Any) -> ColumnElement:
    if dialect == "sqlite":  # julianday: a third faster than strftime('%s')
        return cast((func.julianday(column) - UNIX_JULIAN_DAY) * DAY + 0.001, Integer)
    return func.extract("epoch", column)


def _bucket(dialect: str, column: Any, origin: datetime, size: int) -> ColumnElement:
    """The bucket (0, 1, ...) of `column`: whole `size`-second steps since `origin`."""
    offset = _epoch(dialect, column) - int(origin.timestamp())
    if dialect == "sqlite":
        return cast(offset / size, Integer).label("bucket")
    return cast(func.floor(offset / size), Integer).label("bucket")


def _where(flt: PostFilter, start: datetime, end: datetime, *, channel: bool = True) -> list:
    p = posts.c
    clauses = [p.posted_at >= start, p.posted_at < end]
    if flt.district:
        clauses.append(p.district == flt.district)
    if flt.channel and channel:
        clauses.append(p.channel == flt.channel)
    if flt.category:
        clauses.append(p.category == flt.category)
    return clauses


# --- volume and the negative share ------------------------------------------------------------


@dataclass(frozen=True)
class Volume:
    """Posts per bucket by sentiment (`starts` are the buckets' local start times)."""

    starts: list[datetime]
    counts: dict[str, list[int]]


def volume(engine: Engine, flt: PostFilter, now: datetime) -> Volume:
    """Posts per bucket of the range, by sentiment (unscored posts are neutral)."""
    start, end = window(flt.range, now)
    size = BUCKETS[flt.range]
    n = int((end - start).total_seconds() // size) + 1
    dialect = engine.dialect.name
    bucket = _bucket(dialect, posts.c.posted_at, start, size)
    query = (
        select(bucket, posts.c.sentiment, func.count())
        .where(*_where(flt, start, end))
        .group_by(bucket, posts.c.sentiment)
    )
    counts = {s: [0] * n for s in SENTIMENTS}
    with engine.connect() as connection:
        for index, sentiment, count in connection.execute(query):
            key = sentiment if sentiment in counts else "neutral"
            if 0 <= int(index) < n:
                counts[key][int(index)] += count
    return Volume([start + timedelta(seconds=size * i) for i in range(n)], counts)


@dataclass(frozen=True)
class NegativeShare:
    """The negative share of the last 24 h and of each of the 7 days before (rolling days
    ending now), their mean and standard deviation (the baseline band)."""

    current: float | None
    days: list[float | None]
    baseline: float | None
    spread: float | None
    posts: int


def _mean_sd(values: Sequence[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    mean = sum(values) / len(values)
    return mean, (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5


def negative_share(engine: Engine, flt: PostFilter, now: datetime) -> NegativeShare:
    """The negative share now against its 7-day baseline (one query, 8 rolling days)."""
    start = now - timedelta(days=BASELINE_DAYS + 1)
    dialect = engine.dialect.name
    bucket = _bucket(dialect, posts.c.posted_at, start, DAY)
    negative = func.sum(case((posts.c.sentiment == "negative", 1), else_=0))
    query = select(bucket, negative, func.count()).where(*_where(flt, start, now)).group_by(bucket)
    totals = [0] * (BASELINE_DAYS + 1)
    negatives = [0] * (BASELINE_DAYS + 1)
    with engine.connect() as connection:
        for index, neg, count in connection.execute(query):
            if 0 <= int(index) <= BASELINE_DAYS:
                totals[int(index)] += count
                negatives[int(index)] += int(neg or 0)
    shares = [negatives[i] / totals[i] if totals[i] else None for i in range(BASELINE_DAYS + 1)]
    baseline, spread = _mean_sd([s for s in shares[:-1] if s is not None])
    return NegativeShare(shares[-1], shares[:-1], baseline, spread, totals[-1])


# --- topics and words -------------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    """A topic's posts in the last 24 h against its daily mean over the 7 days before."""

    topic: str
    count: int
    baseline: float
    growth: float
    days: list[int]


def growth(count: int, baseline: float) -> float:
    """How many times its baseline a count is (a baseline under one post counts as one)."""
    return count / max(baseline, 1.0)


def hot_topics(
    engine: Engine, flt: PostFilter, now: datetime, limit: int = TOPICS_SHOWN
) -> list[Topic]:
    """Topics ranked by growth of the last 24 h over their 7-day daily mean (8 rolling days
    by topic: one query)."""
    start = now - timedelta(days=BASELINE_DAYS + 1)
    bucket = _bucket(engine.dialect.name, posts.c.posted_at, start, DAY)
    query = (
        select(posts.c.topic, bucket, func.count())
        .where(*_where(flt, start, now), posts.c.topic.is_not(None))
        .group_by(posts.c.topic, bucket)
    )
    days: dict[str, list[int]] = {}
    with engine.connect() as connection:
        for topic, index, count in connection.execute(query):
            if 0 <= int(index) <= BASELINE_DAYS:
                days.setdefault(topic, [0] * (BASELINE_DAYS + 1))[int(index)] += count
    found = []
    for topic, series in days.items():
        baseline = sum(series[:-1]) / BASELINE_DAYS
        if series[-1]:
            found.append(Topic(topic, series[-1], baseline, growth(series[-1], baseline), series))
    found.sort(key=lambda t: (-t.growth, -t.count, t.topic))
    return found[:limit]


@dataclass(frozen=True)
class Word:
    word: str
    count: int
    negativity: float | None


def keywords(
    engine: Engine, flt: PostFilter, now: datetime, limit: int = WORDS_SHOWN
) -> list[Word]:
    """The most frequent keywords of the range with their posts' mean negativity (the JSON
    lists unnested in the database)."""
    start, end = window(flt.range, now)
    if engine.dialect.name == "sqlite":
        each = func.json_each(posts.c.keywords).table_valued("value")
    else:
        each = func.jsonb_array_elements_text(posts.c.keywords).table_valued("value")
    word = each.c.value
    count = func.count()
    query = (
        select(word, count, func.avg(posts.c.negativity))
        .select_from(posts)
        .join(each, literal(True))
        .where(*_where(flt, start, end), posts.c.keywords.is_not(None))
        .group_by(word)
        .order_by(count.desc(), word)
        .limit(limit)
    )
    with engine.connect() as connection:
        return [
            Word(str(w), int(c), float(n) if n is not None else None)
            for w, c, n in connection.execute(query)
            if w not in (None, "")
        ]


# --- districts ---------------------------------------------------------------------------------


def residents(engine: Engine) -> dict[str, float]:
    """Residents per district: the `population` indicator's latest observation of each
    district (empty when there are none)."""
    o = observations.c
    latest = (
        select(o.district, func.max(o.observed_at).label("at"))
        .where(o.indicator == "population", o.district.is_not(None))
        .group_by(o.district)
        .subquery()
    )
    query = select(o.district, o.value).join(
        latest, and_(o.district == latest.c.district, o.observed_at == latest.c.at)
    )
    with engine.connect() as connection:
        rows = connection.execute(query.where(o.indicator == "population")).all()
    return {district: float(value) for district, value in rows if value and value > 0}


def city_residents(engine: Engine) -> float | None:
    """The city's residents: the latest city-wide `population` observation."""
    o = observations.c
    query = (
        select(o.value)
        .where(o.indicator == "population", o.district.is_(None))
        .order_by(o.observed_at.desc())
        .limit(1)
    )
    with engine.connect() as connection:
        return connection.execute(query).scalar()


def complaints_by_district(engine: Engine, flt: PostFilter, now: datetime) -> dict[str, int]:
    """Complaints (negative posts) per district over the range."""
    start, end = window(flt.range, now)
    query = (
        select(posts.c.district, func.count())
        .where(*_where(flt, start, end), posts.c.sentiment == "negative")
        .where(posts.c.district.is_not(None))
        .group_by(posts.c.district)
    )
    with engine.connect() as connection:
        return {district: count for district, count in connection.execute(query)}


def per_10k(
    counts: Mapping[str, int], people: Mapping[str, float], city: float | None
) -> dict[str, float | None]:
    """Complaints per 10,000 residents of each district; with no district populations, each
    district's count over the city's residents (so districts still compare)."""
    rates: dict[str, float | None] = {}
    for code in district_names():
        count = counts.get(code, 0)
        population = people.get(code) or (city if not people else None)
        rates[code] = 10_000 * count / population if population else None
    return rates


# --- 12345 response times ----------------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    """A department's closed 12345 tickets: median hours to close against its median limit."""

    department: str
    closed: int
    median_hours: float
    limit_hours: float | None

    @property
    def over(self) -> bool:
        return self.limit_hours is not None and self.median_hours > self.limit_hours


def histogram_median(counts: Mapping[int, int]) -> float | None:
    """The median of values given as {whole hour: count} (the hour's middle)."""
    total = sum(counts.values())
    if not total:
        return None
    seen = 0
    for hour in sorted(counts):
        seen += counts[hour]
        if seen * 2 >= total:
            return hour + 0.5
    return None


def response_times(engine: Engine, flt: PostFilter, now: datetime) -> list[Response]:
    """12345 tickets of the range that are closed, by department, slowest first (two grouped
    queries: hours to close and hours allowed, per whole hour)."""
    start, end = window(flt.range, now)
    dialect = engine.dialect.name
    p = posts.c
    base = [
        *_where(flt, start, end, channel=False),
        p.channel == HOTLINE,
        p.department.is_not(None),
    ]

    def hours(column: Any) -> ColumnElement:
        seconds = _epoch(dialect, column) - _epoch(dialect, p.posted_at)
        if dialect == "sqlite":
            return cast(seconds / 3600, Integer).label("hours")
        return cast(func.floor(seconds / 3600), Integer).label("hours")

    taken: dict[str, dict[int, int]] = {}
    allowed: dict[str, dict[int, int]] = {}
    with engine.connect() as connection:
        close = hours(p.closed_at)
        for department, hour, count in connection.execute(
            select(p.department, close, func.count())
            .where(*base, p.closed_at.is_not(None))
            .group_by(p.department, close)
        ):
            taken.setdefault(department, {})[max(int(hour), 0)] = count
        due = hours(p.due_at)
        for department, hour, count in connection.execute(
            select(p.department, due, func.count())
            .where(*base, p.due_at.is_not(None))
            .group_by(p.department, due)
        ):
            allowed.setdefault(department, {})[max(int(hour), 0)] = count
    found = []
    for department, counts in taken.items():
        median = histogram_median(counts)
        if median is not None:
            limit = histogram_median(allowed.get(department, {}))
            found.append(Response(department, sum(counts.values()), median, limit))
    found.sort(key=lambda r: (-r.median_hours, r.department))
    return found


# --- channels, categories, the list ------------------------------------------------------------


def channel_counts(engine: Engine, flt: PostFilter, now: datetime) -> dict[str, int]:
    """Posts per channel over the range (the channel filter left out, so shares compare)."""
    start, end = window(flt.range, now)
    query = (
        select(posts.c.channel, func.count())
        .where(*_where(flt, start, end, channel=False))
        .group_by(posts.c.channel)
        .order_by(func.count().desc())
    )
    with engine.connect() as connection:
        return {channel: count for channel, count in connection.execute(query)}


def categories(engine: Engine, now: datetime, days: int = 30) -> list[str]:
    """The categories of the last `days` days (the filter's choices)."""
    query = (
        select(posts.c.category)
        .where(posts.c.posted_at >= now - timedelta(days=days), posts.c.category.is_not(None))
        .group_by(posts.c.category)
        .order_by(posts.c.category)
    )
    with engine.connect() as connection:
        return [c for (c,) in connection.execute(query) if c]


@dataclass(frozen=True)
class Post:
    key: str
    posted_at: datetime
    channel: str
    text: str
    sentiment: str | None
    topic: str | None
    district: str | None
    category: str | None


def latest_posts(engine: Engine, flt: PostFilter, now: datetime, limit: int = LATEST) -> list[Post]:
    """The newest processed posts (masked text only) under the filters and the list's topic
    and district."""
    start, end = window(flt.range, now)
    p = posts.c
    clauses = _where(flt, start, end + timedelta(seconds=1))
    if flt.topic:
        clauses.append(p.topic == flt.topic)
    if flt.place:
        clauses.append(p.district == flt.place)
    query = (
        select(
            p.source_key,
            p.posted_at,
            p.channel,
            p.text_masked,
            p.sentiment,
            p.topic,
            p.district,
            p.category,
        )
        .where(*clauses, p.text_masked.is_not(None))
        .order_by(p.posted_at.desc(), p.id.desc())
        .limit(limit)
    )
    with engine.connect() as connection:
        return [Post(*row) for row in connection.execute(query)]


def posts_stamp(engine: Engine, now: datetime) -> str:
    """What changes when the page's data change: the newest processed post, the number of
    posts of the last day, the newest spike alert and its acknowledgement."""
    p = posts.c
    a = alerts.c
    with engine.connect() as connection:
        newest, count = connection.execute(
            select(func.max(p.posted_at), func.count()).where(
                p.posted_at >= now - timedelta(days=1)
            )
        ).one()
        spike, acked, spikes = connection.execute(
            select(func.max(a.sent), func.max(a.acknowledged_at), func.count()).where(
                a.sent >= now - timedelta(days=31), a.origin == SPIKE_ORIGIN
            )
        ).one()
    return f"{newest}|{count}|{spike}|{acked}|{spikes}"


# --- spikes and the incident they become -------------------------------------------------------


@dataclass(frozen=True)
class Spike:
    """A spike alert with the numbers of its rule."""

    id: int
    key: str
    sent: datetime
    state: str
    severity: str | None
    headline: str | None
    district: str | None
    infos: dict[str, Any]
    acknowledged_by: str | None
    incident: str | None = None  # the ref of the incident made from it

    @property
    def days(self) -> list[int]:
        return [int(d) for d in self.infos.get("days") or []]


def spikes(
    engine: Engine, flt: PostFilter, now: datetime, limit: int = SPIKES_SHOWN
) -> list[Spike]:
    """The spike alerts sent in the range (active first, newest first), each with the
    incident made from it, if any (two queries)."""
    start, _end = window(flt.range, now)
    a = alerts.c
    query = (
        select(
            a.id,
            a.source_key,
            a.sent,
            a.state,
            a.severity,
            a.headline,
            a.district,
            a.infos,
            a.acknowledged_by,
        )
        .where(a.sent >= start, a.origin == SPIKE_ORIGIN)
        .order_by(case((a.state == "active", 0), else_=1), a.sent.desc())
        .limit(limit)
    )
    if flt.district:
        query = query.where(or_(a.district == flt.district, a.district.is_(None)))
    with engine.connect() as connection:
        rows = connection.execute(query).all()
        keys = [row.source_key for row in rows]
        made = dict(
            connection.execute(
                select(incidents.c.origin_ref, incidents.c.ref).where(
                    incidents.c.origin == SPIKE_ORIGIN,
                    incidents.c.origin_ref.in_(keys) if keys else false(),
                )
            ).all()
        )
    return [
        Spike(
            row.id,
            row.source_key,
            row.sent,
            row.state,
            row.severity,
            row.headline,
            row.district,
            row.infos if isinstance(row.infos, dict) else {},
            row.acknowledged_by,
            made.get(row.source_key),
        )
        for row in rows
    ]


class IncidentError(Exception):
    """Why a spike could not become an incident (shown to the operator, translated)."""


NO_SUCH_SPIKE = N_("there is no such spike alert")
CONFLICT = N_("another write got there first; nothing was written, try again")
NOT_SAVED = N_("the store refused the write; nothing was written")


@dataclass(frozen=True)
class Made:
    """The outcome of `make_incident`: the incident's ref, and whether it was made now."""

    ref: str
    created: bool
    payload: dict = field(default_factory=dict)


INCIDENT_SEVERITIES: dict[str, str] = {
    "extreme": "Extreme",
    "severe": "Severe",
    "moderate": "Moderate",
    "minor": "Minor",
}


def incident_severity(severity: str | None) -> str:
    """The incident's severity from the spike's (CAP words; unknown is Moderate)."""
    return INCIDENT_SEVERITIES.get((severity or "").lower(), "Moderate")


def incident_ref(day: str, taken: int) -> str:
    """INC-YYYYMMDD-NNN, the day's `taken` + 1st."""
    return f"INC-{day}-{taken + 1:03d}"


DIMENSIONS_ZH: dict[str, str] = {"topic": "话题", "district": "区县", "channel": "渠道"}
WINDOWS_ZH: dict[str, str] = {"1h": "近1小时", "1d": "近1天"}


def incident_title(spike: Mapping[str, Any]) -> str:
    """The incident's title (stored, so in the city's language): the spike's headline, else
    what rose, in which window, by how much against its baseline."""
    headline = spike.get("headline")
    if headline:
        return str(headline)[:255]
    infos = spike.get("infos") or {}
    key = str(infos.get("key", ""))
    if infos.get("dimension") == "district" and key in district_names():
        key = district_names()[key][0]
    title = f"舆情突增：{DIMENSIONS_ZH.get(str(infos.get('dimension')), '')}「{key}」"
    if infos.get("count") is not None and infos.get("baseline") is not None:
        window = WINDOWS_ZH.get(str(infos.get("window")), "")
        title += f"{window} {infos['count']} 条（基线 {float(infos['baseline']):.1f}）"
    return title[:255]


def event_row(incident_id: int, spike: Mapping[str, Any], actor: str, at: datetime) -> dict:
    """The incident's first event: made from the spike, with the spike's numbers."""
    infos = spike.get("infos") or {}
    return {
        "incident_id": incident_id,
        "at": at,
        "actor": actor,
        "kind": "state",
        "source": "sentiment",
        "message": f"由舆情突增预警 {spike['source_key']} 转为事件",
        "payload": {"state": "open", "alert": spike["source_key"], "spike": infos},
    }


def make_incident(
    engine: Engine, alert_id: int, actor: str, now: datetime, zone: str = "Asia/Shanghai"
) -> Made:
    """Turn spike alert `alert_id` into an open incident, in one transaction: the incident,
    its first event, and the alert acknowledged. An alert that already has an incident
    changes nothing (`created` is False). Any failure rolls everything back and raises
    `IncidentError`."""
    a = alerts.c
    i = incidents.c
    day = now.astimezone(ZoneInfo(zone)).strftime("%Y%m%d")
    try:
        with write_transaction(engine) as connection:
            spike = (
                connection.execute(
                    select(
                        a.id, a.source_key, a.severity, a.headline, a.district, a.infos, a.origin
                    )
                    .where(a.id == alert_id)
                    # PostgreSQL: a second operator's click waits here, then finds the incident
                    # (SQLite's writers already take turns)
                    .with_for_update()
                )
                .mappings()
                .one_or_none()
            )
            if spike is None or spike["origin"] != SPIKE_ORIGIN:
                raise IncidentError(NO_SUCH_SPIKE)
            existing = connection.execute(
                select(i.ref).where(i.origin == SPIKE_ORIGIN, i.origin_ref == spike["source_key"])
            ).scalar()
            if existing is not None:
                return Made(existing, False)
            taken = connection.execute(
                select(func.count()).where(i.ref.like(f"INC-{day}-%"))
            ).scalar_one()
            ref = incident_ref(day, taken)
            incident_id = connection.execute(
                insert(incidents)
                .values(
                    ref=ref,
                    type="sentiment",
                    severity=incident_severity(spike["severity"]),
                    title=incident_title(spike),
                    description=str(spike["headline"] or ""),
                    district=spike["district"],
                    state="open",
                    origin=SPIKE_ORIGIN,
                    origin_ref=spike["source_key"],
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
                .returning(i.id)
            ).scalar_one()
            connection.execute(
                insert(incident_events).values(event_row(incident_id, spike, actor, now))
            )
            connection.execute(
                update(alerts)
                .where(a.id == alert_id)
                .values(acknowledged_by=actor, acknowledged_at=now)
            )
            return Made(ref, True)
    except IncidentError:
        raise
    except IntegrityError as error:
        log.warning("spike %s: incident not saved: %s", alert_id, error)
        raise IncidentError(CONFLICT) from error
    except Exception as error:  # anything else: nothing was written; say so
        log.exception("spike %s: incident not saved", alert_id)
        raise IncidentError(NOT_SAVED) from error
