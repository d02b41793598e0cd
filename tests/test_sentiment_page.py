"""The public-sentiment page without a browser: its queries on SQLite and PostgreSQL over
hand-made posts (volume by sentiment, the negative share against its baseline, hot topics,
keywords, complaints per 10,000 residents, response times, channels, the latest texts), the
spike that becomes an incident exactly once and never half, and the pure parts (filters and
URL, medians, the word cloud)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from dash import html
from dash.exceptions import PreventUpdate
from sqlalchemy import Engine, func, insert, select

from dashboard.app import create_app
from dashboard.components.word_cloud import size_rem, tone, word_cloud
from dashboard.data import sentiment as data
from dashboard.data.sentiment import PostFilter, parse_filter
from data_adapters.settings import Settings
from data_adapters.store import make_engine, schema
from data_adapters.store.migrate import upgrade

NOW = datetime(2026, 11, 28, 6, 30, tzinfo=UTC)
HAIZHOU = "320706"
GANYU = "320707"
XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def _post(key: str, at: datetime, **values) -> dict:
    row = {
        "source_id": values.pop("source_id", "hotline-12345"),
        "source_key": key,
        "channel": "12345",
        "text": "原文 13800000000",
        "text_masked": "原文 138****0000",
        "posted_at": at,
        "district": HAIZHOU,
        "category": "噪声扰民",
        "department": "市生态环境局",
        "status": "open",
        "due_at": None,
        "closed_at": None,
        "sentiment": "neutral",
        "negativity": 0.3,
        "keywords": ["噪音", "广场舞"],
        "topic": "噪声扰民·广场舞",
        "processed_at": at,
        "ingested_at": at,
    }
    row.update(values)
    return row


def seed_posts(engine: Engine, now: datetime) -> None:
    """Posts over 8 days: a steady baseline, then a burst of negative road posts in Ganyu in
    the last 24 h; closed tickets with limits; populations; one spike alert; one hostile text."""
    rows = []
    for day in range(1, 8):  # the 7 days before: 4 posts a day, 1 negative
        for i in range(4):
            at = now - timedelta(days=day, hours=i + 1)
            rows.append(
                _post(
                    f"b{day}-{i}",
                    at,
                    sentiment="negative" if i == 0 else "neutral",
                    topic="噪声扰民·广场舞" if i < 2 else "道路破损·井盖",
                )
            )
    for i in range(10):  # the last 24 h: 10 road posts in Ganyu, 6 negative, on weibo
        at = now - timedelta(hours=i + 1)
        rows.append(
            _post(
                f"r{i}",
                at,
                source_id="public-posts",
                channel="weibo",
                district=GANYU,
                category=None,
                department=None,
                sentiment="negative" if i < 6 else "positive",
                negativity=0.9 if i < 6 else 0.1,
                keywords=["井盖", "道路"],
                topic="道路破损·井盖",
                text_masked=f"路面井盖坏了 {i}",
            )
        )
    for i in range(3):  # closed 12345 tickets: 10 h, 30 h, 50 h against a 24 h limit
        at = now - timedelta(hours=60 + i)
        rows.append(
            _post(
                f"c{i}",
                at,
                department="市住建局",
                category="住房",
                status="closed",
                due_at=at + timedelta(hours=24),
                closed_at=at + timedelta(hours=10 + 20 * i),
                topic="住房",
            )
        )
    rows.append(_post("x", now - timedelta(minutes=5), text_masked=XSS, sentiment="negative"))
    rows.append(_post("unprocessed", now - timedelta(minutes=1), text_masked=None, topic=None))
    with engine.begin() as connection:
        connection.execute(insert(schema.posts), rows)
        connection.execute(
            insert(schema.observations),
            [
                {
                    "source_id": "population",
                    "source_key": f"pop-{code}-{month}",
                    "indicator": "population",
                    "district": code,
                    "observed_at": datetime(2026, month, 1, tzinfo=UTC),
                    "value": value * (1 if month == 10 else 0.5),
                    "ingested_at": NOW,
                }
                for code, value in ((HAIZHOU, 1_000_000), (GANYU, 200_000))
                for month in (9, 10)
            ],
        )
        connection.execute(insert(schema.alerts), [spike_alert(now)])


def spike_alert(now: datetime, key: str = "spike:1d:topic:道路破损·井盖") -> dict:
    return {
        "source_id": data.SPIKE_SOURCE,
        "source_key": key,
        "origin": "spike",
        "ingested_at": now,
        "sent": now - timedelta(minutes=30),
        "msg_type": "Alert",
        "severity": "Severe",
        "headline": None,
        "district": GANYU,
        "state": "active",
        "infos": {
            "window": "1d",
            "dimension": "topic",
            "key": "道路破损·井盖",
            "count": 11,
            "baseline": 2.0,
            "days": [2, 2, 2, 2, 2, 2, 2],
            "ratio": 5.5,
            "p": 0.0001,
            "rule": {"window": "1d", "min_count": 20, "ratio": 3.0, "alpha": 0.001},
        },
    }


@pytest.fixture
def seeded(store: Engine) -> Engine:
    upgrade(store)
    seed_posts(store, NOW)
    return store


def test_the_filter_and_the_url() -> None:
    assert parse_filter({}) == PostFilter()
    flt = parse_filter(
        {"range": "7d", "district": HAIZHOU, "channel": "weibo", "topic": "x", "place": "nope"}
    )
    assert flt == PostFilter("7d", HAIZHOU, "weibo", None, "x", None)
    assert flt.query() == {"range": "7d", "district": HAIZHOU, "channel": "weibo", "topic": "x"}
    assert parse_filter({"range": "1y", "district": "999"}) == PostFilter()
    assert parse_filter(flt.query()) == flt


def test_medians_growth_and_rates() -> None:
    assert data.histogram_median({10: 1, 30: 1, 50: 1}) == 30.5
    assert data.histogram_median({}) is None
    assert data.growth(10, 2.0) == 5.0 and data.growth(3, 0.0) == 3.0
    rates = data.per_10k({HAIZHOU: 100}, {HAIZHOU: 1_000_000}, None)
    assert rates[HAIZHOU] == 1.0 and rates[GANYU] is None
    city = data.per_10k({HAIZHOU: 100}, {}, 2_000_000.0)
    assert city[HAIZHOU] == 0.5 and city[GANYU] == 0.0
    assert data.incident_ref("20261128", 0) == "INC-20261128-001"
    assert data.incident_severity("severe") == "Severe"
    assert data.incident_severity(None) == "Moderate"
    spike = spike_alert(NOW)
    assert data.incident_title({**spike, "headline": None}) == (
        "舆情突增：话题「道路破损·井盖」近1天 11 条（基线 2.0）"
    )
    district = {"dimension": "district", "key": GANYU, "window": "1h"}
    assert data.incident_title({"infos": district}) == "舆情突增：区县「赣榆区」"


def test_the_word_cloud_is_text_sized_and_coloured() -> None:
    words = [data.Word("井盖", 40, 0.9), data.Word(XSS, 4, 0.1), data.Word("道路", 10, None)]
    cloud = word_cloud(words, "none")
    spans = cloud.children
    assert {s.children for s in spans} == {"井盖", XSS, "道路"}  # text, escaped by React
    assert size_rem(40, 4, 40) > size_rem(10, 4, 40) > size_rem(4, 4, 40)
    assert tone(1.0) == "rgb(255,77,79)" and tone(0.0) == "rgb(46,204,113)"
    assert isinstance(word_cloud([], "none").children, html.P)


def test_volume_share_and_topics(seeded: Engine) -> None:
    week = data.volume(seeded, PostFilter("7d"), NOW)
    assert sum(sum(v) for v in week.counts.values()) == 4 * 6 + 10 + 3 + 2  # not the 7th day
    day = data.volume(seeded, PostFilter("24h"), NOW)
    assert sum(day.counts["negative"]) == 7  # 6 road posts and the hostile one
    assert len(day.starts) == 25
    share = data.negative_share(seeded, PostFilter(), NOW)
    assert share.posts == 12 and share.current == pytest.approx(7 / 12)
    assert share.baseline == pytest.approx(0.25, abs=0.05)
    topics = data.hot_topics(seeded, PostFilter(), NOW)
    assert topics[0].topic == "道路破损·井盖" and topics[0].count == 10
    assert topics[0].baseline == pytest.approx(2.0) and topics[0].growth == pytest.approx(5.0)
    assert topics[0].days[-1] == 10 and len(topics[0].days) == 8
    ganyu = data.hot_topics(seeded, PostFilter(district=HAIZHOU), NOW)
    assert all(t.topic != "道路破损·井盖" or t.count == 0 for t in ganyu)


def test_words_districts_responses_channels(seeded: Engine) -> None:
    words = {w.word: w for w in data.keywords(seeded, PostFilter(), NOW)}
    assert words["井盖"].count == 10 and words["井盖"].negativity == pytest.approx(0.58)
    counts = data.complaints_by_district(seeded, PostFilter(), NOW)
    assert counts == {GANYU: 6, HAIZHOU: 1}
    people = data.residents(seeded)
    assert people == {HAIZHOU: 1_000_000.0, GANYU: 200_000.0}  # the latest month
    assert data.per_10k(counts, people, None)[GANYU] == pytest.approx(0.3)
    responses = data.response_times(seeded, PostFilter("7d"), NOW)
    assert [(r.department, r.closed) for r in responses] == [("市住建局", 3)]
    assert responses[0].median_hours == 30.5 and responses[0].limit_hours == 24.5
    assert responses[0].over
    channels = data.channel_counts(seeded, PostFilter(channel="weibo"), NOW)
    assert channels == {"weibo": 10, "12345": 2}


def test_the_latest_posts(seeded: Engine) -> None:
    latest = data.latest_posts(seeded, PostFilter(), NOW)
    assert latest[0].text == XSS  # masked text as stored; the unprocessed post is not shown
    assert all(p.text != "原文 13800000000" for p in latest)
    assert len(latest) == 11  # the last 24 h and the hour begun before
    road = data.latest_posts(seeded, PostFilter(topic="道路破损·井盖"), NOW)
    assert len(road) == 10 and {p.channel for p in road} == {"weibo"}
    assert data.latest_posts(seeded, PostFilter(place=HAIZHOU), NOW)[0].text == XSS
    assert len(data.latest_posts(seeded, PostFilter(channel="douyin"), NOW)) == 0


def test_a_spike_becomes_one_incident(seeded: Engine) -> None:
    spikes = data.spikes(seeded, PostFilter(), NOW)
    assert [s.days for s in spikes] == [[2] * 7] and spikes[0].incident is None
    made = data.make_incident(seeded, spikes[0].id, "operator", NOW)
    assert made.created and made.ref == "INC-20261128-001"
    again = data.make_incident(seeded, spikes[0].id, "operator", NOW)
    assert again == data.Made(made.ref, False)
    with seeded.connect() as connection:
        incident = connection.execute(select(schema.incidents)).mappings().one()
        events = connection.execute(select(schema.incident_events)).mappings().all()
        alert = connection.execute(select(schema.alerts)).mappings().one()
    assert incident["type"] == "sentiment" and incident["state"] == "open"
    assert incident["origin"] == "spike" and incident["origin_ref"] == spikes[0].key
    assert incident["severity"] == "Severe" and incident["district"] == GANYU
    assert incident["title"].startswith("舆情突增：话题「道路破损·井盖」")
    assert incident["version"] == 1
    assert [e["incident_id"] for e in events] == [incident["id"]]
    assert alert["acknowledged_by"] == "operator" and alert["acknowledged_at"] == NOW
    assert data.spikes(seeded, PostFilter(), NOW)[0].incident == made.ref


def test_a_failed_incident_writes_nothing(seeded: Engine, monkeypatch) -> None:
    spike = data.spikes(seeded, PostFilter(), NOW)[0]

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(data, "event_row", broken)
    with pytest.raises(data.IncidentError, match="nothing was written"):
        data.make_incident(seeded, spike.id, "operator", NOW)
    with seeded.connect() as connection:
        assert connection.execute(select(func.count()).select_from(schema.incidents)).scalar() == 0
        assert connection.execute(select(schema.alerts.c.acknowledged_by)).scalar() is None
    with pytest.raises(data.IncidentError, match="no such"):
        data.make_incident(seeded, 999, "operator", NOW)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """The page module as an app loads it (it registers itself with Dash)."""
    tmp = tmp_path_factory.mktemp("sentiment-page")
    settings = Settings(var_dir=tmp / "var")
    engine = make_engine(settings.store_url)
    upgrade(engine)
    create_app(settings, engine)
    from dashboard.pages import sentiment

    yield sentiment
    engine.dispose()


def test_the_rules_are_shown_once(page) -> None:
    text, explained = page.rule_text([], "zh")
    assert "近1小时：至少 5 条" in text and "近1天：至少 20 条" in text
    assert "Poisson" in explained


def test_the_page_renders_texts_as_text(page) -> None:
    post = data.Post("x", NOW, "weibo", XSS, "negative", "道路破损·井盖", GANYU, None)
    item = page.post_item(post, "zh", "Asia/Shanghai")
    text = item.children[1]
    assert isinstance(text, html.P) and text.children == XSS
    chips = [c.children for c in item.children[0].children]
    assert chips == ["11-28 14:30", "微博", "负面", "道路破损·井盖", "赣榆区"]
    flt = page.filter_of("7d", "all", "weibo", "all", "", "")
    assert page.page_query(flt, "en") == "?range=7d&channel=weibo&lang=en"
    assert page.filter_of(None, None, None, None, None, None) == PostFilter()


def test_the_stamp_moves_with_posts_and_acknowledgements(seeded: Engine) -> None:
    before = data.posts_stamp(seeded, NOW)
    assert data.posts_stamp(seeded, NOW) == before
    spike = data.spikes(seeded, PostFilter(), NOW)[0]
    data.make_incident(seeded, spike.id, "operator", NOW)
    assert data.posts_stamp(seeded, NOW) != before


def test_aggregates_are_shared_and_read_again(page, seeded: Engine) -> None:
    month = PostFilter("30d")
    first = page.read_panels(seeded, month, NOW, "a")
    assert page.read_panels(seeded, PostFilter("30d", topic="x"), NOW, "b") is first
    assert page.read_panels(seeded, month, NOW + timedelta(minutes=11), "b") is not first
    day = page.read_panels(seeded, PostFilter(), NOW, "a")
    assert page.read_panels(seeded, PostFilter(place=HAIZHOU), NOW, "a") is day
    assert page.read_panels(seeded, PostFilter(), NOW, "b") is not day
    assert sum(day.channels.values()) == 12


def test_a_district_click_and_the_operator_messages(page) -> None:
    assert page.pick_place({"points": [{"location": HAIZHOU}]}) == HAIZHOU
    assert page.pick_place({"points": [{"customdata": GANYU}]}) == GANYU
    with pytest.raises(PreventUpdate):
        page.pick_place({"points": [{"location": "nowhere"}]})
    made = page.incident_message(data.Made("INC-20261128-001", True), None, "zh")
    assert made.children == "已生成事件 INC-20261128-001，见应急指挥页面。"
    again = page.incident_message(data.Made("INC-20261128-001", False), None, "en")
    assert "already incident INC-20261128-001" in again.children
    failed = page.incident_message(None, "disk", "zh")
    assert failed.className == "message-error" and "disk" in failed.children


def test_two_operators_at_once_make_one_incident(seeded: Engine) -> None:
    spike = data.spikes(seeded, PostFilter(), NOW)[0]
    start = threading.Barrier(4)

    def click() -> data.Made:
        start.wait()
        return data.make_incident(seeded, spike.id, "operator", NOW)

    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(lambda _: click(), range(4)))
    assert sorted(o.created for o in outcomes) == [False, False, False, True]
    assert len({o.ref for o in outcomes}) == 1
    with seeded.connect() as connection:
        assert connection.execute(select(func.count()).select_from(schema.incidents)).scalar() == 1
