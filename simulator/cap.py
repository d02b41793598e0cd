"""Early warnings as CAP 1.2 messages (OASIS Common Alerting Protocol), written as XML files
into drop_dir/cap/ and stored in ``cap_messages``.

Warnings follow the simulated weather: rainstorm, typhoon, gale, fog, cold wave, frost, heat,
thunder, road icing (连云港市气象台), heavy pollution (市生态环境局), geological hazards
(市自然资源和规划局), floods (市水利局) and storm surges (海洋预报). Colours map to CAP
severity: blue Minor, yellow Moderate, orange Severe, red Extreme. An episode is an Alert,
sometimes an Update (upgrade) and usually a Cancel, each referencing the earlier messages;
every message has a Chinese ``<info>`` (zh-CN) and an English one (en-US) and its area as
simplified district outlines ("lat,lon" pairs) plus administrative codes, or codes only.
A few episodes a week, more in summer and winter.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .feeds import Feed, Step
from .frame import Frame, strings
from .rng import generator
from .schema import cap_messages
from .times import DAY, HOUR, LOCAL_TZ, MINUTE, day_start, iso_local, local_day, to_datetime

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
COLOURS = ("blue", "yellow", "orange", "red")
COLOUR_ZH = {"blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}
SEVERITY = {"blue": "Minor", "yellow": "Moderate", "orange": "Severe", "red": "Extreme"}
LOOKBACK_DAYS = 6
ALL = ("320706", "320703", "320707", "320722", "320723", "320724")
COASTAL = ("320703", "320707", "320723")


@dataclass(frozen=True)
class Sender:
    code: str
    zh: str
    en: str


MET = Sender("32070041600000", "连云港市气象台", "Lianyungang Meteorological Observatory")
ENV = Sender("32070041300000", "连云港市生态环境局", "Lianyungang Ecology and Environment Bureau")
GEO = Sender(
    "32070041200000",
    "连云港市自然资源和规划局",
    "Lianyungang Natural Resources and Planning Bureau",
)
WATER = Sender("32070041100000", "连云港市水利局", "Lianyungang Water Resources Bureau")
SEA = Sender(
    "32070041400000", "连云港海洋环境监测预报中心", "Lianyungang Marine Forecasting Centre"
)


@dataclass(frozen=True)
class Hazard:
    key: str
    zh: str
    en: str
    sender: Sender
    category: str
    signal: bool  # "预警信号" (weather signal) rather than "预警"/"警报"
    text_zh: str
    text_en: str
    guide_zh: str
    guide_en: str


HAZARDS = {
    h.key: h
    for h in (
        Hazard(
            "rainstorm",
            "暴雨",
            "rainstorm",
            MET,
            "Met",
            True,
            "预计未来{hours}小时内，{areas}将出现{amount}毫米以上降水，局部伴有雷电、短时强降"
            "水等强对流天气，请注意防范。",
            "More than {amount} mm of rain is expected in {areas_en} within {hours} hours, loc"
            "ally with thunderstorms.",
            "1.政府及相关部门按照职责做好防暴雨工作；2.切断低洼地带有危险的室外电源，暂停在空"
            "旷地方的户外作业；3.驾驶人员应当注意道路积水和交通阻塞，确保安全；4.检查城市、农"
            "田、鱼塘排水系统，做好排涝准备。",
            "Stay away from low-lying areas, avoid outdoor work in the open, drive carefully t"
            "hrough ponding water and make sure drains are clear.",
        ),
        Hazard(
            "typhoon",
            "台风",
            "typhoon",
            MET,
            "Met",
            True,
            "受台风影响，预计未来24小时内{areas}平均风力可达{wind}级以上，阵风{gust}级，并伴有"
            "强降雨，请注意防范。",
            "A typhoon is expected to bring mean winds of force {wind} or more, gusts of force"
            " {gust} and heavy rain to {areas_en} within 24 hours.",
            "1.停止露天集体活动和高空等户外危险作业；2.相关水域水上作业和过往船舶采取积极的应"
            "对措施，回港避风；3.加固门窗、围板、棚架、广告牌等易被风吹动的搭建物，切断危险的"
            "室外电源。",
            "Stop outdoor events and work at height, bring vessels back to port, secure window"
            "s, hoardings and signs and cut dangerous outdoor power.",
        ),
        Hazard(
            "gale",
            "大风",
            "gale",
            MET,
            "Met",
            True,
            "预计未来24小时内，{areas}及沿海海面将出现{wind}级以上大风，阵风{gust}级，请注意防范。",
            "Winds of force {wind} or more with gusts of force {gust} are expected in {areas_e"
            "n} and coastal waters within 24 hours.",
            "1.做好防风准备；2.关好门窗，加固围板、棚架、广告牌等易被风吹动的搭建物；3.海上作"
            "业船只回港避风。",
            "Prepare for strong wind, close and secure windows and loose structures; vessels s"
            "hould return to port.",
        ),
        Hazard(
            "fog",
            "大雾",
            "dense fog",
            MET,
            "Met",
            True,
            "预计未来12小时内，{areas}将出现能见度小于{visibility}米的雾，请注意防范。",
            "Fog with visibility below {visibility} m is expected in {areas_en} within 12 hours.",
            "1.驾驶人员注意雾的变化，小心驾驶；2.机场、高速公路、轮渡码头等单位加强调度指挥；3"
            ".减少户外活动。",
            "Drive with care and watch for changing fog; airports, expressways and ferries str"
            "engthen traffic control; limit outdoor activity.",
        ),
        Hazard(
            "cold_wave",
            "寒潮",
            "cold wave",
            MET,
            "Met",
            True,
            "预计未来48小时内，{areas}最低气温将下降{drop}℃以上，最低气温可达{tmin}℃，并伴有5"
            "～6级偏北风，请注意防寒保暖。",
            "Within 48 hours the minimum temperature in {areas_en} will fall by more than {dro"
            "p} °C to {tmin} °C, with northerly winds of force 5-6.",
            "1.注意添衣保暖；2.对农作物、畜禽等采取防寒措施；3.做好供水管道防冻工作。",
            "Keep warm, protect crops and livestock from the cold and insulate water pipes.",
        ),
        Hazard(
            "frost",
            "霜冻",
            "frost",
            MET,
            "Met",
            True,
            "预计今天夜里到明天早晨，{areas}最低气温将下降到{tmin}℃以下，将出现霜冻，请注意防范。",
            "Tonight to tomorrow morning the minimum temperature in {areas_en} will fall below"
            " {tmin} °C with frost.",
            "对农作物、蔬菜、花卉、瓜果、林业育种要采取一定的防护措施。",
            "Protect crops, vegetables, flowers and seedlings against frost.",
        ),
        Hazard(
            "heat",
            "高温",
            "high temperature",
            MET,
            "Met",
            True,
            "预计今天{areas}最高气温将达{tmax}℃以上，请注意防暑降温。",
            "Maximum temperatures in {areas_en} are expected to reach {tmax} °C or more today.",
            "1.午后尽量减少户外活动；2.对老、弱、病、幼人群提供防暑降温指导；3.高温条件下作业"
            "的人员应当缩短连续工作时间。",
            "Avoid outdoor activity in the afternoon, look after the elderly, sick and young, "
            "and shorten working spells in the heat.",
        ),
        Hazard(
            "thunder",
            "雷电",
            "thunderstorm",
            MET,
            "Met",
            True,
            "预计未来6小时内，{areas}将发生雷电活动，可能会造成雷电灾害事故，请注意防范。",
            "Thunderstorms are expected in {areas_en} within 6 hours and may cause lightning d"
            "amage.",
            "1.做好防雷工作；2.密切关注天气，尽量避免户外活动。",
            "Take lightning precautions and avoid outdoor activity.",
        ),
        Hazard(
            "icing",
            "道路结冰",
            "road icing",
            MET,
            "Met",
            True,
            "预计未来12小时内，{areas}将出现对交通有影响的道路结冰，请注意防范。",
            "Icy roads affecting traffic are expected in {areas_en} within 12 hours.",
            "1.交通、公安等部门做好道路结冰应对准备；2.驾驶人员注意路况，安全行驶；3.行人注意"
            "防滑。",
            "Road and police authorities prepare for ice; drivers and pedestrians take care on"
            " slippery surfaces.",
        ),
        Hazard(
            "pollution",
            "重污染天气",
            "heavy air pollution",
            ENV,
            "Env",
            False,
            "预计{areas}将出现持续{days}天的中度至重度污染天气，PM2.5浓度可能超过{pm}微克/立方"
            "米，启动重污染天气应急响应。",
            "Moderate to heavy air pollution lasting {days} days is expected in {areas_en}, wi"
            "th PM2.5 possibly above {pm} µg/m³.",
            "1.儿童、老年人和患有心脏病、肺病等慢性疾病的人群减少户外活动；2.工业企业落实减排"
            "措施；3.加强道路清扫保洁。",
            "Children, the elderly and people with heart or lung disease should limit outdoor "
            "activity; industry applies emission cuts.",
        ),
        Hazard(
            "geohazard",
            "地质灾害气象风险",
            "geological hazard risk",
            GEO,
            "Geo",
            False,
            "受强降雨影响，{areas}山区及丘陵地带发生崩塌、滑坡等地质灾害的风险较高，请注意防范。",
            "Heavy rain raises the risk of rock falls and landslides in the hills of {areas_en}.",
            "1.加强地质灾害隐患点巡查监测；2.危险区域人员及时转移避让。",
            "Patrol known hazard sites and evacuate people from danger zones in time.",
        ),
        Hazard(
            "flood",
            "洪水",
            "flood",
            WATER,
            "Met",
            False,
            "受强降雨影响，{river}水位将超过警戒水位，请沿河相关单位和人员注意防范。",
            "After heavy rain the {river_en} is expected to rise above its warning level.",
            "1.沿河单位和群众做好防汛准备；2.加强堤防巡查；3.危险区域人员及时转移。",
            "Riverside organisations and residents prepare for flooding; embankment patrols ar"
            "e stepped up.",
        ),
        Hazard(
            "storm_surge",
            "风暴潮",
            "storm surge",
            SEA,
            "Met",
            False,
            "受台风影响，预计连云港沿海将出现{surge}厘米的风暴增水，请注意防范。",
            "The typhoon is expected to raise sea levels along the Lianyungang coast by {surge"
            "} cm.",
            "1.沿海船只回港避风；2.海水养殖人员撤离；3.滨海浴场关闭。",
            "Vessels return to port, aquaculture workers leave the sea and beaches close.",
        ),
    )
}
RIVERS = (
    ("蔷薇河", "Qiangwei River"),
    ("新沭河", "Xinshu River"),
    ("善后河", "Shanhou River"),
    ("新沂河", "Xinyi River"),
    ("青口河", "Qingkou River"),
)


@dataclass(frozen=True)
class Episode:
    hazard: Hazard
    day: int
    number: int
    districts: tuple[str, ...]
    levels: tuple[tuple[int, str], ...]  # (time, colour): Alert, then Updates
    end: int  # Cancel time or expiry
    cancelled: bool
    geocode_only: bool
    facts: dict


class CapFeed(Feed):
    name = "cap"

    @cached_property
    def polygons(self) -> dict[str, str]:
        return {code: self.world.geo.cap_polygon(code) for code in self.world.geo.codes}

    # --- episodes from the weather -------------------------------------------------------
    def episodes(self, d: int) -> list[Episode]:
        """Warning episodes whose first message is sent on local day ``d`` (memoised)."""
        cache = self.__dict__.setdefault("_episodes", {})
        if d not in cache:
            if len(cache) > 64:
                cache.pop(next(iter(cache)))
            cache[d] = self._episodes_of(d)
        return cache[d]

    def _episodes_of(self, d: int) -> list[Episode]:
        w = self.world.weather.daily(np.arange(d - 2, d + 6))
        i = 2  # index of day d
        rng = generator(self.seed, "cap", d)
        start = day_start(d)
        out: list[Episode] = []
        month = int(w["month"][i])

        def add(key, districts, levels, end, facts, cancel_p=0.85):
            out.append(
                Episode(
                    HAZARDS[key],
                    d,
                    len(out),
                    tuple(districts),
                    tuple(levels),
                    int(end),
                    bool(rng.random() < cancel_p),
                    bool(rng.random() < 0.35),
                    facts,
                )
            )

        def some(pool, low=2):
            k = int(rng.integers(low, len(pool) + 1))
            return sorted(rng.choice(pool, k, replace=False).tolist(), key=ALL.index)

        rain, rs, rh = float(w["rain_mm"][i]), float(w["rain_start"][i]), float(w["rain_hours"][i])
        typhoon_start = bool(w["typhoon"][i]) and not bool(w["typhoon"][i - 1])
        rain_on = start + int(rs * HOUR)
        rain_off = rain_on + int(rh * HOUR)
        if typhoon_start:
            wind = int(w["wind"][i])
            add(
                "typhoon",
                ALL,
                [
                    (start + 6 * HOUR, "blue"),
                    (start + DAY + 6 * HOUR, "yellow" if wind < 10 else "orange"),
                ],
                start + DAY + 22 * HOUR,
                {"wind": wind, "gust": wind + 2},
            )
            add(
                "storm_surge",
                COASTAL,
                [(start + 9 * HOUR, "blue")],
                start + DAY + 20 * HOUR,
                {"surge": int(rng.integers(50, 150))},
            )
        elif rain >= 50:
            colour = (
                "red"
                if rain >= 180
                else "orange"
                if rain >= 120
                else "yellow"
                if rain >= 80
                else "blue"
            )
            level = COLOURS.index(colour)
            issue = max(start, rain_on - 2 * HOUR)
            levels = [(issue, colour)]
            if level >= 1 and rng.random() < 0.5:
                levels = [(issue, COLOURS[level - 1]), (rain_on + int(rh * HOUR / 3), colour)]
            add(
                "rainstorm",
                some(ALL),
                levels,
                rain_off + HOUR,
                {"hours": 6 if level < 2 else 3, "amount": 50 if level < 3 else 100},
            )
        elif 10 <= rain < 50 and 5 <= month <= 9 and rng.random() < 0.6:
            add("thunder", some(ALL), [(max(start, rain_on - HOUR), "yellow")], rain_off + HOUR, {})
        if rain >= 80:
            add(
                "geohazard",
                ("320703", "320706"),
                [(rain_on, "yellow" if rain < 150 else "orange")],
                rain_off + 6 * HOUR,
                {},
            )
        if rain >= 100:
            river = RIVERS[int(rng.integers(0, len(RIVERS)))]
            add(
                "flood",
                ALL,
                [(rain_off + 2 * HOUR, "blue" if rain < 150 else "yellow")],
                start + 2 * DAY + 10 * HOUR,
                {"river": river[0], "river_en": river[1]},
            )
        wind = int(w["wind"][i])
        if wind >= 6 and not bool(w["typhoon"][i]) and not bool(w["wind"][i - 1] >= 6):
            colour = "blue" if wind < 8 else "yellow" if wind < 10 else "orange"
            add(
                "gale",
                some((*COASTAL, "320706")),
                [(start + int(rng.integers(6, 10)) * HOUR, colour)],
                start + int(rng.integers(16, 21)) * HOUR,
                {"wind": wind, "gust": wind + 1},
                0.6,
            )
        vis = float(w["visibility_km"][i])
        if vis < 0.5:
            colour = "red" if vis < 0.05 else "orange" if vis < 0.2 else "yellow"
            issue = start + 4 * HOUR + int(rng.integers(30, 120)) * MINUTE
            add(
                "fog",
                some(ALL),
                [(issue, colour)],
                start + int(rng.integers(9, 12)) * HOUR,
                {"visibility": {"yellow": 500, "orange": 200, "red": 50}[colour]},
            )
        drop = float(w["tmin"][i + 1] - w["tmin"][i - 1])
        if month in (10, 11, 12, 1, 2, 3) and drop <= -6:
            colour = "orange" if drop <= -12 else "yellow" if drop <= -9 else "blue"
            add(
                "cold_wave",
                ALL,
                [(start + 16 * HOUR, colour)],
                start + 2 * DAY + 10 * HOUR,
                {"drop": int(-drop), "tmin": int(np.floor(w["tmin"][i + 1]))},
            )
        elif month in (10, 11, 3, 4) and w["tmin"][i + 1] <= 0 < w["tmin"][i]:
            add(
                "frost",
                some(ALL, 3),
                [(start + 16 * HOUR, "blue")],
                start + DAY + 9 * HOUR,
                {"tmin": int(np.floor(w["tmin"][i + 1]))},
            )
        tmax = float(w["tmax"][i])
        if tmax >= 35:
            colour = "red" if tmax >= 40 else "orange" if tmax >= 37 else "yellow"
            add(
                "heat",
                some(ALL, 3),
                [(start + 10 * HOUR, colour)],
                start + 19 * HOUR,
                {"tmax": int(np.floor(tmax))},
                0.5,
            )
        if month in (12, 1, 2) and w["tmin"][i] <= -2 and rain > 0:
            add("icing", ALL, [(start + 17 * HOUR, "yellow")], start + DAY + 11 * HOUR, {})
        pm = w["pm25_day"]
        if pm[i] >= 75 and pm[i + 1] >= 75 and pm[i - 1] < 75:
            days = 2
            while days < 4 and pm[i + days] >= 75:
                days += 1
            add(
                "pollution",
                ALL,
                [(start + 10 * HOUR, "orange" if pm[i + 1] >= 100 else "yellow")],
                start + days * DAY + 12 * HOUR,
                {"days": days, "pm": 75 if pm[i + 1] < 100 else 115},
            )
        return out

    # --- messages ------------------------------------------------------------------------
    def messages(self, episode: Episode) -> list[dict]:
        """The Alert, Updates and Cancel of an episode, each with its references."""
        sent_before: list[tuple[str, str]] = []
        out = []
        stamps = [
            (t, "Alert" if k == 0 else "Update", colour)
            for k, (t, colour) in enumerate(episode.levels)
        ]
        if episode.cancelled:
            stamps.append((episode.end, "Cancel", episode.levels[-1][1]))
        for number, (t, msg_type, colour) in enumerate(stamps):
            ident = (
                f"{episode.hazard.sender.code}_{to_datetime(t).astimezone(LOCAL_TZ):%Y%m%d%H%M%S}"
                f"_{episode.hazard.key}_{episode.day}{episode.number:02d}{number}"
            )
            refs = " ".join(f"{episode.hazard.sender.code},{i},{s}" for i, s in sent_before)
            out.append(
                {
                    "identifier": ident,
                    "sent": int(t),
                    "msg_type": msg_type,
                    "colour": colour,
                    "references": refs or None,
                }
            )
            sent_before.append((ident, iso_local(t)))
        return out

    def xml(self, episode: Episode, message: dict) -> bytes:
        geo = self.world.geo
        hazard, sender = episode.hazard, episode.hazard.sender
        colour = message["colour"]
        t = message["sent"]
        cancel = message["msg_type"] == "Cancel"
        root = ET.Element("alert", {"xmlns": CAP_NS})
        for tag, text in (
            ("identifier", message["identifier"]),
            ("sender", sender.code),
            ("sent", iso_local(t)),
            ("status", "Actual"),
            ("msgType", message["msg_type"]),
            ("scope", "Public"),
        ):
            ET.SubElement(root, tag).text = text
        if message["references"]:
            ET.SubElement(root, "references").text = message["references"]
        names_zh = "、".join(geo.by_code(c).name_zh for c in episode.districts)
        names_en = ", ".join(geo.by_code(c).name_en for c in episode.districts)
        facts = {**episode.facts, "areas": names_zh, "areas_en": names_en}
        kind_zh = (
            "预警信号" if hazard.signal else ("警报" if hazard.key == "storm_surge" else "预警")
        )
        when_zh = to_datetime(t).astimezone(LOCAL_TZ).strftime("%Y年%m月%d日%H时%M分")
        level_zh = f"{hazard.zh}{COLOUR_ZH[colour]}{kind_zh}"
        level_en = f"{colour} {hazard.en} warning"
        expires = episode.end if not cancel else t + HOUR
        for lang in ("zh-CN", "en-US"):
            info = ET.SubElement(root, "info")
            ET.SubElement(info, "language").text = lang
            ET.SubElement(info, "category").text = hazard.category
            ET.SubElement(info, "event").text = hazard.zh if lang == "zh-CN" else hazard.en
            ET.SubElement(info, "responseType").text = "AllClear" if cancel else "Prepare"
            ET.SubElement(info, "urgency").text = (
                "Past" if cancel else ("Immediate" if colour in ("orange", "red") else "Expected")
            )
            ET.SubElement(info, "severity").text = SEVERITY[colour]
            ET.SubElement(info, "certainty").text = "Observed" if cancel else "Likely"
            code = ET.SubElement(info, "eventCode")
            ET.SubElement(code, "valueName").text = "hazard"
            ET.SubElement(code, "value").text = hazard.key
            ET.SubElement(info, "effective").text = iso_local(t)
            ET.SubElement(info, "onset").text = iso_local(t)
            ET.SubElement(info, "expires").text = iso_local(expires)
            ET.SubElement(info, "senderName").text = sender.zh if lang == "zh-CN" else sender.en
            if lang == "zh-CN":
                verb = "解除" if cancel else ("更新" if message["msg_type"] == "Update" else "发布")
                headline = f"{sender.zh}{verb}{level_zh}"
                description = (
                    f"{sender.zh}{when_zh}{verb}{level_zh}。"
                    if cancel
                    else f"{sender.zh}{when_zh}{verb}{level_zh}：" + hazard.text_zh.format(**facts)
                )
                instruction = "" if cancel else f"防御指南：{hazard.guide_zh}"
            else:
                verb = {"Alert": "issues", "Update": "updates", "Cancel": "lifts"}[
                    message["msg_type"]
                ]
                headline = f"{sender.en} {verb} {level_en}"
                description = (
                    headline + "." if cancel else f"{headline}: " + hazard.text_en.format(**facts)
                )
                instruction = "" if cancel else hazard.guide_en
            ET.SubElement(info, "headline").text = headline
            ET.SubElement(info, "description").text = description
            if instruction:
                ET.SubElement(info, "instruction").text = instruction
            for name, value in (
                ("warning_colour", colour),
                ("warning_level", COLOURS.index(colour) + 1),
            ):
                param = ET.SubElement(info, "parameter")
                ET.SubElement(param, "valueName").text = name
                ET.SubElement(param, "value").text = str(value)
            for code in episode.districts:
                area = ET.SubElement(info, "area")
                d = geo.by_code(code)
                ET.SubElement(area, "areaDesc").text = d.name_zh if lang == "zh-CN" else d.name_en
                if not episode.geocode_only:
                    ET.SubElement(area, "polygon").text = self.polygons[code]
                gc = ET.SubElement(area, "geocode")
                ET.SubElement(gc, "valueName").text = "GB/T 2260"
                ET.SubElement(gc, "value").text = code
        ET.indent(root)
        return ET.tostring(root, encoding="utf-8", xml_declaration=True)

    # --- feed ----------------------------------------------------------------------------
    def emit(self, step: Step) -> None:
        rows = {
            k: []
            for k in (
                "identifier",
                "sender",
                "sender_name",
                "sent",
                "msg_type",
                "event",
                "severity",
                "area_desc",
                "reference_ids",
                "expires",
                "file_name",
                "xml",
            )
        }
        geo = self.world.geo
        for d in range(int(local_day(step.a)) - LOOKBACK_DAYS, int(local_day(step.b)) + 1):
            for episode in self.episodes(d):
                for message in self.messages(episode):
                    if not step.a < message["sent"] <= step.b:
                        continue
                    data = self.xml(episode, message)
                    name = f"{message['identifier']}.xml"
                    step.write_file(f"cap/{name}", data)
                    cancel = message["msg_type"] == "Cancel"
                    rows["identifier"].append(message["identifier"])
                    rows["sender"].append(episode.hazard.sender.code)
                    rows["sender_name"].append(episode.hazard.sender.zh)
                    rows["sent"].append(message["sent"])
                    rows["msg_type"].append(message["msg_type"])
                    rows["event"].append(episode.hazard.zh)
                    rows["severity"].append(SEVERITY[message["colour"]])
                    rows["area_desc"].append(
                        "、".join(geo.by_code(c).name_zh for c in episode.districts)
                    )
                    rows["reference_ids"].append(message["references"])
                    rows["expires"].append(message["sent"] + HOUR if cancel else episode.end)
                    rows["file_name"].append(name)
                    rows["xml"].append(data.decode("utf-8"))
        if not rows["identifier"]:
            return
        sent = np.array(rows["sent"], dtype=np.int64)
        frame = Frame(
            {
                k: (np.array(v, dtype=np.int64) if k in ("sent", "expires") else strings(v))
                for k, v in rows.items()
            }
        )
        frame["updated_at"] = sent
        step.insert(cap_messages, frame)
