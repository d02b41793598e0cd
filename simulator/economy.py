"""Macro-economy base database: monthly and quarterly series for the city and its districts.

Each series is level x growth^(years since 2023) x seasonal factor x small noise, scaled so
that calendar 2023 adds up to an anchor of the order of Lianyungang's published figures:
GDP ~4,360 亿元 (quarterly), general public budget revenue ~265 亿元, retail sales of
consumer goods ~1,350 亿元, foreign trade ~1,000 亿元, electricity ~460 亿 kWh, tourists
~4,000 万 visits; port cargo and containers are sums of ``port.daily_throughput``.
Monthly figures are released on the 18th of the next month, quarterly GDP on the 25th of
the month after the quarter, both at 10:00 local; 48 months of history before ``t0``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .feeds import Feed, Step
from .frame import Frame, strings
from .geography import CITY_CODE
from .periodic import monthly_release, released_between
from .port import daily_throughput
from .rng import normal
from .schema import macro_indicators, macro_values
from .times import (
    calendar_month,
    calendar_year,
    days_in_month,
    local_day,
    month_first_day,
    month_of_day,
)

ANCHOR_MONTH = (2023 - 1970) * 12  # 2023-01
HISTORY_MONTHS = 48


@dataclass(frozen=True)
class Series:
    code: str
    name_zh: str
    name_en: str
    unit_zh: str
    unit_en: str
    frequency: str  # monthly | quarterly
    kind: str  # flow (summable) | rate (a percentage / index)
    anchor_2023: float  # flow: 2023 total in the unit; rate: mean level
    growth: float  # flow: yearly growth; rate: spread of the noise
    season: tuple[float, ...] = (1.0,) * 12
    district_shares: tuple[float, ...] | None = None
    provider: str = "市统计局"


FLAT = (1.0,) * 12
SERIES = (
    Series(
        "gdp",
        "地区生产总值",
        "Gross domestic product",
        "亿元",
        "100 million CNY",
        "quarterly",
        "flow",
        4363.6,
        0.055,
        (0.22, 0.245, 0.245, 0.29),
        (0.26, 0.20, 0.21, 0.15, 0.10, 0.08),
    ),
    Series(
        "budget_revenue",
        "一般公共预算收入",
        "General public budget revenue",
        "亿元",
        "100 million CNY",
        "monthly",
        "flow",
        265.0,
        0.025,
        (1.35, 0.9, 1.05, 1.15, 1.0, 1.05, 1.0, 0.8, 0.95, 1.0, 0.9, 0.85),
        (0.22, 0.24, 0.20, 0.14, 0.10, 0.10),
        "市财政局",
    ),
    Series(
        "retail_sales",
        "社会消费品零售总额",
        "Retail sales of consumer goods",
        "亿元",
        "100 million CNY",
        "monthly",
        "flow",
        1350.0,
        0.05,
        (1.05, 0.92, 0.93, 0.93, 0.98, 1.0, 0.95, 0.96, 1.0, 1.06, 1.05, 1.17),
        (0.38, 0.10, 0.18, 0.15, 0.10, 0.09),
    ),
    Series(
        "foreign_trade",
        "外贸进出口总额",
        "Foreign trade (imports and exports)",
        "亿元",
        "100 million CNY",
        "monthly",
        "flow",
        1000.0,
        0.04,
        (1.0, 0.8, 1.0, 1.0, 1.0, 1.02, 1.0, 1.0, 1.02, 0.98, 1.05, 1.13),
        None,
        "连云港海关",
    ),
    Series(
        "electricity",
        "全社会用电量",
        "Electricity consumption",
        "亿千瓦时",
        "100 million kWh",
        "monthly",
        "flow",
        460.0,
        0.04,
        (1.08, 0.88, 0.95, 0.92, 0.95, 1.02, 1.15, 1.17, 0.98, 0.93, 0.94, 1.03),
        None,
        "国网连云港供电公司",
    ),
    Series(
        "tourists",
        "接待国内外游客",
        "Tourist visits",
        "万人次",
        "10,000 visits",
        "monthly",
        "flow",
        4000.0,
        0.08,
        (0.7, 1.0, 0.8, 1.05, 1.25, 0.95, 1.2, 1.3, 0.9, 1.35, 0.8, 0.7),
        None,
        "市文化广电和旅游局",
    ),
    Series(
        "port_cargo",
        "港口货物吞吐量",
        "Port cargo throughput",
        "万吨",
        "10,000 tonnes",
        "monthly",
        "port",
        0,
        0,
        provider="连云港港口集团",
    ),
    Series(
        "port_teu",
        "港口集装箱吞吐量",
        "Port container throughput",
        "万标箱",
        "10,000 TEU",
        "monthly",
        "port",
        0,
        0,
        provider="连云港港口集团",
    ),
    Series(
        "industrial_growth",
        "规模以上工业增加值增速",
        "Industrial value added growth",
        "%",
        "%",
        "monthly",
        "rate",
        8.5,
        2.5,
    ),
    Series(
        "cpi",
        "居民消费价格指数（上年同月=100）",
        "Consumer price index (same month last year = 100)",
        "%",
        "index",
        "monthly",
        "rate",
        100.6,
        0.6,
    ),
)


class EconomyFeed(Feed):
    name = "economy"

    def _flow(self, series: Series, months: np.ndarray) -> np.ndarray:
        """Monthly values of a flow series (quarterly series: value per month of the quarter)."""
        if series.kind == "port":
            return self._port(series, months)
        cal = calendar_month(months) - 1
        season = np.asarray(series.season)
        season = np.repeat(season, 3) if len(season) == 4 else season
        season = season / season.sum()
        years = (months - ANCHOR_MONTH) / 12
        noise = 1 + 0.025 * normal(self.seed, f"macro.{series.code}", months)
        raw = (1 + series.growth) ** years * season[cal] * noise
        base_months = np.arange(ANCHOR_MONTH, ANCHOR_MONTH + 12)
        base_cal = calendar_month(base_months) - 1
        base_noise = 1 + 0.025 * normal(self.seed, f"macro.{series.code}", base_months)
        base = (
            (1 + series.growth) ** ((base_months - ANCHOR_MONTH) / 12)
            * season[base_cal]
            * base_noise
        ).sum()
        return raw / base * series.anchor_2023

    def _port(self, series: Series, months: np.ndarray) -> np.ndarray:
        first = month_first_day(months)
        out = np.empty(len(months))
        for i, (d0, n) in enumerate(
            zip(first.tolist(), days_in_month(months).tolist(), strict=True)
        ):
            daily = daily_throughput(self.seed, self.world.weather, np.arange(d0, d0 + n))
            if series.code == "port_cargo":
                out[i] = daily["cargo_tonnes"].sum() / 1e4
            else:
                out[i] = daily["containers_teu"].sum() / 1e4
        return out

    def _rows(self, series: Series, a: int | None, b: int) -> Frame:
        first = int(month_of_day(local_day(self.world.t0))) - HISTORY_MONTHS
        last = int(month_of_day(local_day(b)))
        if series.frequency == "quarterly":
            ends = np.arange(first, last + 1)
            ends = ends[calendar_month(ends) % 3 == 0]
            release = monthly_release(ends, 25, 10)
            ends = ends[released_between(release, a, b)]
            if not len(ends):
                return Frame()
            starts = ends - 2
            prev_year = ends - 12
            all_months = np.unique(np.concatenate([starts - 12, ends]))
            all_months = np.arange(all_months.min(), all_months.max() + 1)
            monthly = dict(
                zip(all_months.tolist(), self._flow(series, all_months).tolist(), strict=True)
            )
            q = lambda e: sum(monthly[m] for m in range(e - 2, e + 1))  # noqa: E731
            ytd = lambda e: sum(monthly[m] for m in range(e - calendar_month(e) + 1, e + 1))  # noqa: E731
            values = np.array([q(e) for e in ends.tolist()])
            ytds = np.array([ytd(e) for e in ends.tolist()])
            prev = np.array([q(e) for e in prev_year.tolist()])
            labels = [f"{calendar_year(e)}Q{calendar_month(e) // 3}" for e in ends.tolist()]
            period_start, period_end = month_first_day(starts), month_first_day(ends + 1) - 1
            release = monthly_release(ends, 25, 10)
        else:
            months = np.arange(first, last + 1)
            release = monthly_release(months, 18, 10)
            months = months[released_between(release, a, b)]
            if not len(months):
                return Frame()
            release = monthly_release(months, 18, 10)
            labels = [f"{calendar_year(m)}-{calendar_month(m):02d}" for m in months.tolist()]
            period_start, period_end = month_first_day(months), month_first_day(months + 1) - 1
            if series.kind == "rate":
                values = series.anchor_2023 + series.growth * normal(
                    self.seed, f"macro.{series.code}", months
                )
                frame = self._frame(
                    series,
                    labels,
                    period_start,
                    period_end,
                    np.round(values, 1),
                    None,
                    None,
                    release,
                )
                return frame
            span = np.arange(months.min() - 12 - 11, months.max() + 1)
            flow = dict(zip(span.tolist(), self._flow(series, span).tolist(), strict=True))
            values = np.array([flow[m] for m in months.tolist()])
            ytds = np.array(
                [
                    sum(flow[k] for k in range(m - calendar_month(m) + 1, m + 1))
                    for m in months.tolist()
                ]
            )
            prev = np.array([flow[m - 12] for m in months.tolist()])
        yoy = (values / prev - 1) * 100
        return self._frame(series, labels, period_start, period_end, values, ytds, yoy, release)

    def _frame(self, series, labels, start, end, values, ytds, yoy, release) -> Frame:
        n = len(labels)
        city = Frame(
            {
                "indicator_code": strings([series.code] * n),
                "district_code": strings([CITY_CODE] * n),
                "period": strings(labels),
                "period_start": start,
                "period_end": end,
                "value": np.round(values, 2),
                "ytd_value": np.full(n, np.nan) if ytds is None else np.round(ytds, 2),
                "yoy_pct": np.full(n, np.nan) if yoy is None else np.round(yoy, 1),
                "released_at": release,
                "updated_at": release,
            }
        )
        if series.district_shares is None:
            return city
        parts = [city]
        for j, (code, share) in enumerate(
            zip(self.world.geo.codes, series.district_shares, strict=True)
        ):
            wobble = 1 + 0.03 * normal(self.seed, f"macro.{series.code}.d", j, start)
            part = city.copy()
            part["district_code"] = strings([code] * n)
            part["value"] = np.round(city["value"] * share * wobble, 2)
            part["ytd_value"] = np.round(city["ytd_value"] * share * wobble, 2)
            parts.append(part)
        return Frame.concat(parts)

    def _write(self, step: Step, a: int | None) -> None:
        for series in SERIES:
            step.insert(macro_values, self._rows(series, a, step.b))

    def build(self, step: Step) -> None:
        n = len(SERIES)
        step.insert(
            macro_indicators,
            Frame(
                {
                    "indicator_code": strings([s.code for s in SERIES]),
                    "name_zh": strings([s.name_zh for s in SERIES]),
                    "name_en": strings([s.name_en for s in SERIES]),
                    "unit_zh": strings([s.unit_zh for s in SERIES]),
                    "unit_en": strings([s.unit_en for s in SERIES]),
                    "frequency": strings([s.frequency for s in SERIES]),
                    "levels": strings(
                        ["city,district" if s.district_shares else "city" for s in SERIES]
                    ),
                    "provider": strings([s.provider for s in SERIES]),
                    "updated_at": np.full(n, self.world.t0 - 400 * 86400, dtype=np.int64),
                }
            ),
        )
        self._write(step, None)

    def emit(self, step: Step) -> None:
        self._write(step, step.a)
