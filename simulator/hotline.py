"""12345 government service hotline: tickets (work orders) shaped for an Open311 GeoReport v2
server (service_request_id, service_code, status, requested/updated time, lat/long, address,
description) with the hotline's own lifecycle open -> accepted -> closed.

About 3,000-3,500 tickets a day (2,500-4,000 depending on weekday, season and weather) with a
daytime rhythm; descriptions come from the template grammar in ``hotline_grammar``; a few
carry a caller's name and mobile number; coordinates are missing or zero for some, as in
real feeds. Acceptance follows office hours; most tickets close within the deadline.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import hotline_grammar as hg
from .chinese_text import CN_NUMBERS, Uniforms
from .feeds import BlockFeed, Step
from .frame import Frame, strings
from .lifecycle import AT, Lifecycle, Stage
from .names import full_names, mobiles, surnames, trade_names
from .places import addresses, district_weights
from .rhythms import expected_in_hour
from .rng import pick
from .times import (
    DAY,
    HOUR,
    MINUTE,
    NULL_TIME,
    calendar_month,
    day_start,
    local_day,
    local_hour,
    local_text,
    month_of_day,
)
from .weather import Weather

DAILY_TICKETS = 3000
SHOP_WORDS = (
    "超市",
    "饭店",
    "烧烤店",
    "便利店",
    "水果店",
    "海鲜排档",
    "理发店",
    "健身房",
    "药店",
    "奶茶店",
    "服装店",
    "面馆",
)
COMPANY_WORDS = ("建筑工程", "物流", "贸易", "装饰工程", "食品", "机械制造", "电子科技", "劳务")
SATISFACTION = ("满意", "基本满意", "不满意")
LIFECYCLE = Lifecycle(
    "hotline_tickets",
    (
        Stage("accepted", "_accept", {"status": "accepted", "accepted_at": AT}),
        Stage(
            "closed",
            "_close",
            {"status": "closed", "closed_at": AT, "satisfaction": "_sat", "status_notes": "_reply"},
        ),
    ),
)


@lru_cache(maxsize=1)
def _grammar():
    return hg.grammar()


def topic_weights(weather: Weather, t: int) -> np.ndarray:
    """Relative weight of each topic at time ``t`` (season, night, rain)."""
    month = int(calendar_month(month_of_day(local_day(t))))
    hour = float(local_hour(np.array([t]))[0])
    rain = float(weather.rain_rate(np.array([t]))[0])
    rain_recent = float(weather.rain_index(np.array([t]), tau_days=0.5, back=1)[0])
    weights = []
    for topic in hg.TOPICS:
        w = topic.share
        if month in (6, 7, 8):
            w *= topic.summer
        if month in (12, 1, 2):
            w *= topic.winter
        if hour >= 21 or hour < 6:
            w *= topic.night
        w *= 1 + topic.rain * (rain + 0.3 * rain_recent)
        weights.append(w)
    return np.array(weights)


class HotlineFeed(BlockFeed):
    name = "hotline"

    def generate(self, block: int, rng) -> Frame:
        world = self.world
        start = block * HOUR
        mid = start + HOUR // 2
        weights = topic_weights(world.weather, mid)
        shares = np.array([t.share for t in hg.TOPICS])
        expected = expected_in_hour(DAILY_TICKETS, "hotline", "hotline", start)
        n = int(rng.poisson(expected * weights.sum() / shares.sum()))
        if n == 0:
            return Frame()
        t = np.sort(start + rng.integers(0, HOUR, n)).astype(np.int64)
        topics = pick(rng.random(n), weights)
        geo = world.geo
        codes = np.array(geo.codes, dtype=object)[pick(rng.random(n), district_weights(geo))]
        place = addresses(rng, geo, world.gazetteer, codes)
        channels = pick(rng.random(n), [c[1] for c in hg.CHANNELS])
        names, phones, sur = full_names(rng, n), mobiles(rng, n), surnames(rng.random(n))
        shops = trade_names(rng.random(n), rng.random(n))
        shop_word = rng.integers(0, len(SHOP_WORDS), n)
        company = trade_names(rng.random(n), rng.random(n))
        company_word = rng.integers(0, len(COMPANY_WORDS), n)
        agency_pick = rng.random(n)
        hospital = rng.integers(0, len(hg.HOSPITALS), n).tolist()
        small = rng.integers(0, 1 << 30, (n, 6)).tolist()
        opening_u = rng.random(n).tolist()
        u = Uniforms(rng)
        g = _grammar()
        descriptions, agencies, replies, sats = [], [], [], []
        for i in range(n):
            topic = hg.TOPICS[topics[i]]
            dn = place["dn"][i]
            agency = topic.agencies[int(agency_pick[i] * len(topic.agencies))]
            agency = agency.replace("{dn}", dn).replace("{street}", place["street"][i])
            bus, building, money, months, people, _ = small[i]
            env = {
                "addr": place["address"][i],
                "dn": dn,
                "street": place["street"][i],
                "community": place["community"][i],
                "landmark": place["landmark"][i],
                "shop": shops[i] + SHOP_WORDS[shop_word[i]],
                "company": f"连云港{company[i]}{COMPANY_WORDS[company_word[i]]}有限公司",
                "hospital": hg.HOSPITALS[hospital[i]],
                "bus": str(1 + bus % 60),
                "building": str(1 + building % 32),
                "money": str((1 + money % 40) * 500),
                "months": CN_NUMBERS[months % 6],
                "people": str(8 + people % 50),
                "name": names[i],
                "surname": sur[i],
                "mobile": phones[i],
                "agency": agency,
            }
            openings = hg.OPENINGS[hg.CHANNELS[channels[i]][0]]
            text = openings[int(opening_u[i] * len(openings))] + g.expand(topic.key, env, u)
            if u.next() < hg.CONTACT_SHARE:
                text += g.expand("contact", env, u)
            descriptions.append(text)
            agencies.append(agency)
            replies.append(g.expand(f"reply.{topic.key}", env, u))
            sats.append(self._satisfaction(topic.mood, u.next()))
        accept, close = self._lifecycle(rng, t, topics)
        lat = np.array(place["lat"])
        lon = np.array(place["lon"])
        missing = rng.random(n)
        lat = np.where(missing < 0.08, np.nan, np.where(missing < 0.095, 0.0, np.round(lat, 6)))
        lon = np.where(missing < 0.08, np.nan, np.where(missing < 0.095, 0.0, np.round(lon, 6)))
        deadline = np.array([hg.TOPICS[k].deadline_days for k in topics.tolist()])
        hour = local_text(start, "%Y%m%d%H")
        return Frame(
            {
                "service_request_id": strings([f"LYG{hour}{i:04d}" for i in range(n)]),
                "channel": strings([hg.CHANNELS[c][0] for c in channels.tolist()]),
                "service_code": strings([hg.TOPICS[k].code for k in topics.tolist()]),
                "service_name": strings([hg.TOPICS[k].name for k in topics.tolist()]),
                "agency_responsible": strings(agencies),
                "district_code": codes,
                "address": strings(place["address"]),
                "lat": lat,
                "lon": lon,
                "description": strings(descriptions),
                "status": strings(["open"] * n),
                "requested_at": t,
                "accepted_at": np.full(n, NULL_TIME),
                "closed_at": np.full(n, NULL_TIME),
                "expected_at": t + (deadline * DAY).astype(np.int64),
                "satisfaction": strings([None] * n),
                "status_notes": strings([None] * n),
                "updated_at": t,
                "_t": t,
                "_accept": accept,
                "_close": close,
                "_sat": strings(sats),
                "_reply": strings(replies),
            }
        )

    @staticmethod
    def _satisfaction(mood: str, u: float) -> str | None:
        if mood != "complaint":
            return SATISFACTION[0] if u < 0.92 else None
        if u < 0.68:
            return SATISFACTION[0]
        if u < 0.86:
            return SATISFACTION[1]
        if u < 0.95:
            return SATISFACTION[2]
        return None

    @staticmethod
    def _lifecycle(rng, t: np.ndarray, topics: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = len(t)
        hour = local_hour(t)
        office = (hour >= 8) & (hour < 20)
        next_morning = day_start(local_day(t) + (hour >= 20)) + 8 * HOUR
        accept = np.where(
            office,
            t + rng.integers(5 * MINUTE, 90 * MINUTE, n),
            next_morning + rng.integers(0, 90 * MINUTE, n),
        )
        quick = np.isin(
            [hg.TOPICS[k].key for k in topics.tolist()],
            ("consultation", "flooding", "water_supply", "power", "illegal_parking"),
        )
        slow = np.exp(rng.normal(np.log(1.6 * DAY), 0.85, n))
        fast = np.exp(rng.normal(np.log(3 * HOUR), 0.9, n))
        duration = np.minimum(np.where(quick, fast, slow), 14 * DAY).astype(np.int64)
        return accept.astype(np.int64), accept + np.maximum(duration, 10 * MINUTE)

    def emit(self, step: Step) -> None:
        LIFECYCLE.write(step, self.arrivals(step.a, step.b))
