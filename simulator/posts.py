"""Public posts about the city as scraped from Weibo, Douyin, a local forum and the government
message board (政务留言板): traffic, weather (the day's real simulated weather), the port,
tourism (花果山, 连岛, 海上云台山...), food, complaints and praise.

About 1,000 posts a day with an evening peak, collected 1-30 minutes after posting. Texts mix
emoji, hashtags and slang; a few carry HTML pasted in from the web (``<script>``,
``<img onerror=...>``) because scraped text does; some are geotagged.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .chinese_text import COMMON_RULES, Grammar, Uniforms
from .feeds import BlockFeed, Step
from .frame import Frame, strings
from .names import nicknames
from .places import addresses, district_weights
from .rhythms import expected_in_hour
from .rng import pick
from .schema import public_posts
from .times import HOUR, MINUTE, local_day, local_text

DAILY_POSTS = 1000
PLATFORMS = (("weibo", 0.4), ("douyin", 0.25), ("forum", 0.2), ("gov_board", 0.15))
URLS = {
    "weibo": "https://weibo.com/{uid}/{pid}",
    "douyin": "https://www.douyin.com/video/{pid}",
    "forum": "https://bbs.lyg.example/thread-{pid}-1-1.html",
    "gov_board": "https://liuyan.lyg.example/message/{pid}",
}
INJECTIONS = (
    "<script>alert('xss')</script>",
    '<img src=x onerror="alert(document.cookie)">',
    '<a href="javascript:void(0)" onclick="steal()">点击领取补贴</a>',
    '<iframe src="http://malicious.example/"></iframe>',
    "<b>转发</b>&nbsp;&amp;&lt;分享&gt;",
    '<div style="display:none">SEO关键词 连云港 代开发票</div>',
)
TOPICS = ("traffic", "weather", "port", "tourism", "food", "complaint", "praise", "life", "news")
TOPIC_WEIGHTS = (12, 10, 6, 14, 10, 16, 10, 14, 8)

RULES: dict[str, list] = {
    **COMMON_RULES,
    "emoji": [
        "😂",
        "👍",
        "🔥",
        "🌊",
        "☀️",
        "🙏",
        "❤️",
        "🎉",
        "😅",
        "💪",
        "🚗",
        "⛴️",
        "🦐",
        "🍜",
        "🐒",
        "😍",
        "👏",
        "🤔",
    ],
    "emoji.bad": ["😭", "😡", "😤", "🤔", "😓", "🙄", "💢", "😩"],
    "emo": [("", 3), ("{emoji}", 3), ("{emoji}{emoji}", 2), ("{emoji}{emoji}{emoji}", 1)],
    "bad": [("", 3), ("{emoji.bad}", 3), ("{emoji.bad}{emoji.bad}", 2)],
    "tag": [
        "#连云港#",
        "#港城生活#",
        "#连云港身边事#",
        "#山海连云#",
        "#连云港天气#",
        "#花果山#",
        "#连岛#",
        "#连云港美食#",
        "#江苏连云港#",
    ],
    "tags": [("", 3), ("{tag}", 3), ("{tag}{tag}", 1)],
    "traffic": [
        "{road}又堵死了，{traffic.how}{bad}",
        "早高峰{road}堵成停车场，{traffic.how}",
        "{dn}{road}那边出车祸了，大家绕行{bad}",
        "通灌路高架什么时候能修好啊，天天堵{bad}",
        "{road}的红绿灯也太长了吧，等了三轮还没过去{bad}",
        "今天开车去{landmark}，一路畅通{emo}",
        "连徐高铁坐着真方便，{dn}到徐州一个多小时{emo}",
        "公交{bus}路今天准点了，给个赞👍",
    ],
    "traffic.how": [
        "半小时挪了一公里",
        "上班又要迟到了",
        "谁来管管",
        "绝了",
        "心态崩了",
        "建议错峰出行",
    ],
    "weather": [
        "{today}，{today_feel}{emo}",
        "今天{today}，{weather.advice}{emo}{tags}",
        "{dn}{today}，{today_feel}",
    ],
    "weather.advice": ["注意保暖", "开车慢点", "尽量别出门了", "记得关好门窗"],
    "port": [
        "连云港港今天又来了一艘大船，{port.ship}{emo}",
        "在{landmark}看港口的龙门吊，超震撼{emo}",
        "港口集装箱吞吐量又创新高了，港城加油💪",
        "中欧班列从连云港出发，厉害了{emo}",
        "{port.ship}，码头夜景太美了{emo}{tags}",
    ],
    "port.ship": ["几十万吨的矿石船", "满载集装箱的货轮", "邮轮停靠", "滚装船装了好多汽车"],
    "tourism": [
        "周末去{scenic}，{tour.feel}{emo}{tags}",
        "{scenic}yyds！{tour.feel}{emo}",
        "带娃去了{scenic}，{tour.how}{emo}",
        "外地朋友来连云港，推荐去{scenic}和{scenic}",
        "{scenic}人山人海，{tour.how}{emo}",
    ],
    "scenic": [
        "花果山",
        "连岛",
        "海上云台山",
        "渔湾",
        "孔望山",
        "海州古城",
        "东海水晶城",
        "大沙湾",
        "苏马湾",
        "秦山岛",
        "大伊山",
        "东海温泉",
    ],
    "tour.feel": [
        "风景太美了",
        "真的值得一去",
        "海水特别蓝",
        "猴子太调皮了",
        "拍照超出片",
        "门票有点贵",
        "性价比很高",
    ],
    "tour.how": [
        "停车位太难找了",
        "排队排了一个小时",
        "体验感很好",
        "孩子玩得很开心",
        "建议早点去",
    ],
    "food": [
        "{dn}这家{food.item}绝了{emo}{tags}",
        "今天吃了{food.item}，{food.feel}{emo}",
        "连云港的{food.item}真的是一绝，外地吃不到{emo}",
        "求推荐{dn}好吃的{food.item}{emo}",
    ],
    "food.item": [
        "海鲜",
        "豆丹",
        "板浦凉粉",
        "赣榆煎饼",
        "灌云豆丹",
        "东海老淮猪",
        "海州湾大虾",
        "梭子蟹",
        "海头海鲜大排档",
        "烧烤",
        "羊肉汤",
    ],
    "food.feel": ["鲜掉眉毛", "价格实惠", "有点小贵", "老板很热情", "排队都值得"],
    "complaint": [
        "{addr}{complain.what}，{feel}{bad}",
        "有没有人管管{addr}{complain.what}？{bad}",
        "{complain.what}，打了12345还没解决，{feel}{bad}",
        "吐槽一下：{addr}{complain.what}{bad}{tags}",
    ],
    "complain.what": [
        "晚上工地施工太吵了",
        "垃圾好几天没人清理",
        "路灯坏了一直没人修",
        "小区停车位太少了",
        "物业什么都不管",
        "外卖电动车乱闯红灯",
        "房价又跌了",
        "下水道堵了臭气熏天",
        "公交车太少了",
        "广场舞噪音太大",
    ],
    "praise": [
        "给{praise.who}点赞{emo}，{praise.why}{tags}",
        "{praise.why}，{praise.who}太暖心了{emo}",
        "打了12345，第二天就有人来处理了，效率真高👍",
        "连云港越来越漂亮了{emo}{tags}",
    ],
    "praise.who": ["环卫工人", "交警同志", "社区网格员", "消防员", "公交司机", "医院的护士"],
    "praise.why": [
        "大雨天还在路口指挥交通",
        "帮老人过马路",
        "半夜还在抢修",
        "耐心解答问题",
        "路面修得又快又好",
    ],
    "life": [
        "{dn}新开了一家商场，{life.feel}{emo}",
        "今天在{landmark}散步，{life.feel}{emo}",
        "在连云港生活真的很舒服{emo}{tags}",
        "有没有{dn}的朋友一起{life.do}？",
        "{landmark}晚上好热闹{emo}",
    ],
    "life.feel": ["人好多", "环境很好", "很适合遛娃", "海风吹着太舒服了", "灯光秀很好看"],
    "life.do": ["跑步", "钓鱼", "骑行", "爬山", "打球"],
    "news": [
        "【连云港发布】{news.item}{tags}",
        "转发：{news.item}",
        "据连云港日报消息，{news.item}",
        "刚看到新闻，{news.item}{emo}",
    ],
    "news.item": [
        "连云港港集装箱航线再添新线",
        "我市新增一批口袋公园",
        "连云港至上海高铁加密班次",
        "市区部分路段实施交通管制",
        "我市开展城市环境综合整治",
        "连云港入选全国文明城市",
        "{dn}新建学校将于秋季开学",
        "我市发布防汛防台工作提示",
    ],
    "gov_board": [
        "尊敬的领导：您好！我是{dn}的居民，{gov.issue}，{gov.ask}",
        "领导您好，反映一个问题：{addr}{gov.issue}，{gov.ask}",
        "关于{addr}{gov.issue}的问题，{repeat}{gov.ask}",
    ],
    "gov.issue": [
        "小区附近道路坑洼不平，下雨天积水严重",
        "学校周边交通秩序混乱",
        "周边夜市油烟噪音扰民",
        "公交线路调整后出行不便",
        "老旧小区改造进度缓慢",
        "小区外墙保温层脱落",
        "农村道路破损严重",
        "孩子上学距离太远",
    ],
    "gov.ask": [
        "恳请领导重视，尽快解决。",
        "希望有关部门能够给予答复，谢谢！",
        "盼望早日解决，谢谢领导！",
        "请求相关部门尽快协调处理。",
    ],
}
VARIABLES = ("road", "dn", "landmark", "addr", "bus", "today", "today_feel")


@lru_cache(maxsize=1)
def _grammar() -> Grammar:
    g = Grammar(RULES)
    g.check(VARIABLES)
    return g


WEATHER_REMARKS = {
    "storm": ("大家注意安全", "尽量别出门了", "上班路上小心", "雨太大了"),
    "rain": ("出门记得带伞", "路上小心积水", "鞋都湿透了", "上班路上小心"),
    "fog": ("开车一定慢点", "高速又封了", "什么都看不清"),
    "wind": ("出门注意安全", "伞都吹翻了", "海边别去了"),
    "hot": ("热到融化", "空调续命", "注意防暑"),
    "cold": ("冻得直哆嗦", "注意保暖", "被窝真舒服"),
    "fine": ("空气还不错", "适合出去走走", "心情都变好了", "阳光正好"),
}


def weather_phrase(day: dict[str, np.ndarray]) -> tuple[str, tuple[str, ...]]:
    """How people would describe the day's weather, and remarks that fit it."""
    rain = float(day["rain_mm"][0])
    if bool(day["typhoon"][0]):
        return "台风来了，风雨交加", WEATHER_REMARKS["storm"]
    if rain >= 50:
        return "暴雨下个不停", WEATHER_REMARKS["storm"]
    if rain >= 10:
        return "下了一天的雨", WEATHER_REMARKS["rain"]
    if rain > 0:
        return "小雨淅淅沥沥", WEATHER_REMARKS["rain"]
    if float(day["visibility_km"][0]) < 1:
        return "大雾弥漫，能见度很低", WEATHER_REMARKS["fog"]
    if int(day["wind"][0]) >= 6:
        return "海边风好大", WEATHER_REMARKS["wind"]
    if float(day["tmax"][0]) >= 35:
        return f"最高气温{day['tmax'][0]:.0f}度，热爆了", WEATHER_REMARKS["hot"]
    if float(day["tmin"][0]) <= -3:
        return f"早上零下{-day['tmin'][0]:.0f}度", WEATHER_REMARKS["cold"]
    if float(day["tmax"][0]) >= 30:
        return "天气晴热", WEATHER_REMARKS["hot"]
    if float(day["tmax"][0]) <= 8:
        return "天气晴冷", WEATHER_REMARKS["cold"]
    return "天气晴好", WEATHER_REMARKS["fine"]


class PostFeed(BlockFeed):
    name = "posts"
    max_delay = 30 * MINUTE

    def generate(self, block: int, rng) -> Frame:
        world = self.world
        start = block * HOUR
        n = int(rng.poisson(expected_in_hour(DAILY_POSTS, "posts", "posts", start)))
        if not n:
            return Frame()
        posted = np.sort(start + rng.integers(0, HOUR, n)).astype(np.int64)
        collected = posted + rng.integers(MINUTE, 30 * MINUTE, n)
        platforms = pick(rng.random(n), [p[1] for p in PLATFORMS])
        geo = world.geo
        codes = np.array(geo.codes, dtype=object)[pick(rng.random(n), district_weights(geo))]
        place = addresses(rng, geo, world.gazetteer, codes, jitter_deg=0.004)
        topics = pick(rng.random(n), TOPIC_WEIGHTS)
        weather, remarks = weather_phrase(
            world.weather.daily(np.array([local_day(start + HOUR // 2)]))
        )
        authors = nicknames(rng, n)
        geotag = rng.random(n) < 0.15
        named = rng.random(n) < 0.6
        injected = rng.random(n)
        u = Uniforms(rng)
        g = _grammar()
        texts = []
        for i in range(n):
            platform = PLATFORMS[platforms[i]][0]
            env = {
                "road": place["road"][i],
                "dn": place["dn"][i],
                "landmark": place["landmark"][i],
                "addr": place["address"][i],
                "bus": str(1 + u.index(60)),
                "today": weather,
                "today_feel": remarks[u.index(len(remarks))],
            }
            symbol = "gov_board" if platform == "gov_board" else TOPICS[topics[i]]
            text = g.expand(symbol, env, u)
            if platform == "forum" and u.next() < 0.5:
                text = f"【{('求助', '吐槽', '分享', '讨论')[u.index(4)]}】{text}"
            if injected[i] < 0.006:
                text = text + INJECTIONS[u.index(len(INJECTIONS))]
            elif injected[i] < 0.009:
                text = INJECTIONS[u.index(len(INJECTIONS))] + text
            texts.append(text)
        likes = np.floor(np.exp(rng.normal(1.5, 1.6, n))).astype(np.int64)
        reposts = np.floor(likes * rng.uniform(0, 0.3, n)).astype(np.int64)
        comments = np.floor(likes * rng.uniform(0, 0.4, n)).astype(np.int64)
        hour = local_text(start, "%Y%m%d%H")
        ids = [f"P{hour}{i:04d}" for i in range(n)]
        uids = rng.integers(10**9, 9 * 10**9, n)
        urls = [
            URLS[PLATFORMS[p][0]].format(uid=uid, pid=f"{hour}{i:04d}")
            for i, (p, uid) in enumerate(zip(platforms.tolist(), uids.tolist(), strict=True))
        ]
        located = geotag | named
        order = np.argsort(collected, kind="stable")
        frame = Frame(
            {
                "post_id": strings(ids),
                "platform": strings([PLATFORMS[p][0] for p in platforms.tolist()]),
                "author": strings(authors),
                "text": strings(texts),
                "posted_at": posted,
                "district_code": np.where(located, codes, None),
                "lat": np.where(geotag, np.round(place["lat"], 6), np.nan),
                "lon": np.where(geotag, np.round(place["lon"], 6), np.nan),
                "likes": likes,
                "reposts": reposts,
                "comments": comments,
                "url": strings(urls),
                "updated_at": collected,
                "_t": collected,
            }
        )
        return frame.take(order)

    def emit(self, step: Step) -> None:
        step.insert(public_posts, self.arrivals(step.a, step.b))
