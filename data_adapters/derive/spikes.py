"""Spikes in the posts: a topic, district or channel suddenly far above its usual count.

For each dimension (`topic`, `district`, `channel`) and each rule's window (1 hour, 1 day),
the posts of each key are counted in the window ending now, and in the same window at the
same clock time on each of the previous 7 days. The **baseline** is the mean of those 7
counts; a day without posts of the key counts 0. There is no detection until the store's
posts go back to the start of the oldest of these windows (a store younger than 8 days would
otherwise see every key of its first days as new). A key is **spiking** when all three
hold:

- `count >= min_count`: fewer posts than that are not something to act on, whatever the
  ratio (5 in an hour, 20 in a day);
- `count >= ratio * baseline` (3): the size of the jump. Large series need it: a channel with
  120 posts an hour would pass the Poisson test below at 165 (+38 %), an ordinary busy hour
  (weather, a Monday); a slow rise (+10 % a day makes today about 1.44 times the mean of the
  last 7 days) never triples its own weekly mean;
- `P(X >= count) < alpha` for X Poisson with mean `max(baseline, floor)` (alpha 0.0001,
  floor 1 post per window): the jump is not chance. Small series need it: from a baseline of
  1 an hour, 6 posts is a ratio of 6 but happens by chance once in 1,700 hours
  (p = 0.0006); 7 posts (p = 0.00008) is a spike. The floor makes a key never seen before
  count as 1 post a window, so a new topic needs 7 posts in its first hour.

Why alpha = 0.0001 and not 0.001: each run tests about 250 keys per window (230 topics, 6
districts, a few channels), the hourly window moves on by an hour every hour, and the
baseline is itself an estimate (the mean of 7 counts), so a chance count above it is likelier
than the Poisson tail says. On 1,000,000 synthetic posts over 30 days (33,000 a day, 236
topics, no event; `bench/posts.py`), detection at each of 48 hours raised 9 false alarms
(hourly, small topics) with alpha 0.001, 1 with 0.0003 and none with 0.0001. The cost is
sensitivity for small keys only: from a baseline of 5 an hour a spike needs 16 posts instead
of 15; from 6 on, the ratio decides.

**Severity**: `Severe` when `count >= severe_ratio * baseline` (6) and
`count >= severe_factor * min_count` (15 in an hour, 60 in a day), else `Moderate`.

Counting is in SQL: per dimension and window, one statement of 8 grouped counts (the window
now and on each of the 7 days before), each a range scan of an index leading with
`posted_at` (`(posted_at, topic)`, `(posted_at, district)`, `(posted_at, channel)`) that
also holds the key, so no table row is read.

**Alerts**: a spike is an `alerts` row (origin `spike`, source `sentiment-spikes`, key
`spike:{window}:{dimension}:{key}`): inserted when first detected (`sent`), refreshed while
it lasts (`infos`: the counts, the baseline, the 7 days, the ratio, p and the rule), and
`expired` (with `expires` set) in the first run where the key no longer spikes. A later spike
of the same key makes the same row active again with a new `sent`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, literal, select, union_all, update

from data_adapters.store.schema import alerts, posts
from data_adapters.store.writer import write_transaction

SOURCE_ID = "sentiment-spikes"
EVENT = "舆情突增"
DIMENSIONS = ("topic", "district", "channel")
BASELINE_DAYS = 7
Guard = Callable[[Connection], None]


@dataclass(frozen=True)
class SpikeRule:
    """When the posts of one key in one window make a spike (see the module docstring)."""

    window: str  # "1h" | "1d"
    seconds: int  # the window's length
    min_count: int
    ratio: float
    alpha: float
    floor: float  # the least baseline mean assumed, in posts per window
    days: int = BASELINE_DAYS
    severe_ratio: float = 6.0
    severe_factor: int = 3  # Severe also needs count >= severe_factor * min_count

    @property
    def span(self) -> timedelta:
        return timedelta(seconds=self.seconds)

    def p_value(self, count: int, baseline: float) -> float:
        """P(X >= count) for X Poisson with mean max(baseline, floor)."""
        return poisson_tail(count, max(baseline, self.floor))

    def ratio_of(self, count: int, baseline: float) -> float:
        """How many times the baseline (at least the floor) the count is."""
        return count / max(baseline, self.floor)

    def is_spike(self, count: int, baseline: float) -> bool:
        """Whether `count` posts in the window against `baseline` make a spike."""
        return (
            count >= self.min_count
            and count >= self.ratio * baseline
            and self.p_value(count, baseline) < self.alpha
        )

    def severity(self, count: int, baseline: float) -> str:
        """`Severe` or `Moderate` (for a spike)."""
        severe = (
            self.ratio_of(count, baseline) >= self.severe_ratio
            and count >= self.severe_factor * self.min_count
        )
        return "Severe" if severe else "Moderate"

    def explain(self) -> str:
        """The rule in plain English, for the page (which translates it)."""
        return (
            f"Posts in the last {_length(self.seconds)} are compared with the same "
            f"{_length(self.seconds)} on each of the previous {self.days} days (the baseline "
            f"is their mean; a day without posts counts 0). A spike needs at least "
            f"{self.min_count} posts, at least {self.ratio:g} times the baseline, and a "
            f"Poisson probability below {self.alpha:g} of that many posts by chance (the "
            f"baseline taken as at least {self.floor:g}). Severe: at least "
            f"{self.severe_ratio:g} times the baseline and "
            f"{self.severe_factor * self.min_count} posts."
        )

    def fields(self) -> dict[str, Any]:
        """The rule's parameters, as stored with each alert."""
        return asdict(self)


HOURLY = SpikeRule("1h", 3600, min_count=5, ratio=3.0, alpha=0.0001, floor=1.0)
DAILY = SpikeRule("1d", 86400, min_count=20, ratio=3.0, alpha=0.0001, floor=1.0)
RULES = (HOURLY, DAILY)


@dataclass(frozen=True)
class Spike:
    """A key spiking in one window."""

    rule: SpikeRule
    dimension: str
    key: str
    count: int
    days: list[int]  # the counts on each previous day, yesterday first

    @property
    def baseline(self) -> float:
        return baseline_of(self.days)

    @property
    def source_key(self) -> str:
        return f"spike:{self.rule.window}:{self.dimension}:{self.key}"

    def facts(self, now: datetime) -> dict[str, Any]:
        """What the alert's `infos` hold."""
        return {
            "window": self.rule.window,
            "dimension": self.dimension,
            "key": self.key,
            "count": self.count,
            "baseline": round(self.baseline, 3),
            "days": self.days,
            "ratio": round(self.rule.ratio_of(self.count, self.baseline), 3),
            "p": self.rule.p_value(self.count, self.baseline),
            "rule": self.rule.fields(),
            "explain": self.rule.explain(),
            "updated_at": now.isoformat(),
        }


def poisson_tail(count: int, mean: float) -> float:
    """P(X >= count) for X Poisson with `mean` > 0, accurate for tiny tails."""
    if count <= 0:
        return 1.0
    if count <= mean:  # not a tail: 1 minus the (not small) lower sum
        term, lower = math.exp(-mean), 0.0
        for i in range(count):
            lower += term
            term *= mean / (i + 1)
        return max(0.0, 1.0 - lower)
    term = math.exp(-mean + count * math.log(mean) - math.lgamma(count + 1))
    total, i = 0.0, count
    while term > total * 1e-17:
        total += term
        i += 1
        term *= mean / i
    return min(1.0, total)


def baseline_of(days: Sequence[int]) -> float:
    """The mean of the previous days' counts (a day without posts counts 0)."""
    return sum(days) / len(days) if days else 0.0


def window_bounds(now: datetime, rule: SpikeRule) -> list[tuple[datetime, datetime]]:
    """(start, end] of the window now (index 0) and on each of the previous days."""
    return [
        (now - timedelta(days=k) - rule.span, now - timedelta(days=k)) for k in range(rule.days + 1)
    ]


def count_windows(
    connection: Connection, dimension: str, bounds: list[tuple[datetime, datetime]]
) -> dict[str, list[int]]:
    """Posts per key of `dimension` in each window of `bounds`, in one statement."""
    column = posts.c[dimension]
    parts = [
        select(literal(k).label("k"), column.label("key"), func.count().label("n"))
        .where(posts.c.posted_at > start, posts.c.posted_at <= end, column.is_not(None))
        .group_by(column)
        for k, (start, end) in enumerate(bounds)
    ]
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(bounds))
    for k, key, n in connection.execute(union_all(*parts)):
        counts[key][k] = n
    return dict(counts)


def detect(
    connection: Connection,
    now: datetime,
    rules: Iterable[SpikeRule] = RULES,
    dimensions: Iterable[str] = DIMENSIONS,
) -> list[Spike]:
    """Every key spiking now, by rule and dimension."""
    first = connection.scalar(select(func.min(posts.c.posted_at)))
    if first is None:
        return []
    found = []
    for rule in rules:
        bounds = window_bounds(now, rule)
        if first > bounds[-1][0]:  # the history does not cover the baseline yet
            continue
        for dimension in dimensions:
            for key, counts in count_windows(connection, dimension, bounds).items():
                if rule.is_spike(counts[0], baseline_of(counts[1:])):
                    found.append(Spike(rule, dimension, str(key), counts[0], counts[1:]))
    return found


def detect_spikes(
    engine: Engine,
    now: datetime,
    guard: Guard | None = None,
    rules: Iterable[SpikeRule] = RULES,
) -> tuple[int, int]:
    """Detect spikes and bring their alerts up to date in one write transaction; return how
    many keys spike and how many alerts expired."""
    with engine.connect() as connection:
        spikes = detect(connection, now, rules)
    with write_transaction(engine) as connection:
        if guard is not None:
            guard(connection)
        for spike in spikes:
            save_alert(connection, spike, now)
        expired = expire_spikes(connection, {s.source_key for s in spikes}, now)
    return len(spikes), expired


def save_alert(connection: Connection, spike: Spike, now: datetime) -> None:
    """Insert the spike's alert, refresh it while active, or make it active again."""
    state = connection.scalar(
        select(alerts.c.state).where(
            alerts.c.source_id == SOURCE_ID, alerts.c.source_key == spike.source_key
        )
    )
    values = {
        "infos": spike.facts(now),
        "severity": spike.rule.severity(spike.count, spike.baseline),
        "ingested_at": now,
    }
    if state is None:
        connection.execute(insert(alerts).values(**_new_alert(spike, now), **values))
        return
    if state != "active":  # a new spike of a key whose earlier one had ended
        values |= {"state": "active", "sent": now, "onset": now, "expires": None}
    connection.execute(
        update(alerts)
        .where(alerts.c.source_id == SOURCE_ID, alerts.c.source_key == spike.source_key)
        .values(**values)
    )


def _new_alert(spike: Spike, now: datetime) -> dict[str, Any]:
    return {
        "source_id": SOURCE_ID,
        "source_key": spike.source_key,
        "origin": "spike",
        "sender": SOURCE_ID,
        "sent": now,
        "onset": now,
        "msg_type": "Alert",
        "cap_status": "Actual",
        "event": EVENT,
        "district": spike.key if spike.dimension == "district" else None,
        "state": "active",
    }


def expire_spikes(connection: Connection, active_keys: set[str], now: datetime) -> int:
    """Mark `expired` the active spike alerts whose key no longer spikes."""
    statement = update(alerts).where(
        alerts.c.source_id == SOURCE_ID,
        alerts.c.origin == "spike",
        alerts.c.state == "active",
    )
    if active_keys:
        statement = statement.where(alerts.c.source_key.not_in(sorted(active_keys)))
    return connection.execute(statement.values(state="expired", expires=now)).rowcount or 0


def _length(seconds: int) -> str:
    if seconds % 86400 == 0:
        days = seconds // 86400
        return "day" if days == 1 else f"{days} days"
    hours = seconds / 3600
    return "hour" if hours == 1 else f"{hours:g} hours"
