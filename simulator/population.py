"""Population base database: residents by district x 5-year age band x sex, monthly, and
monthly births, deaths and migration by district.

Magnitudes: the 2020 census resident population of each district (from the districts
GeoJSON, 4.6 M for the city) drifting by district-specific rates (urban districts grow,
counties shrink slightly), an age structure with ~19 % aged 0-14 and ~21 % aged 60+ that
ages month by month, births ~6 per mille and deaths ~8 per mille a year.
Each month's figures (as of the 1st) are released on the 10th at 10:00 local time.
"""

from __future__ import annotations

import numpy as np

from .feeds import Feed, Step
from .frame import Frame, strings
from .periodic import released_between
from .rng import normal
from .schema import pop_migration, pop_population
from .times import HOUR, day_start, local_day, month_first_day, month_of_day

AGE_BANDS = (
    "0-4",
    "5-9",
    "10-14",
    "15-19",
    "20-24",
    "25-29",
    "30-34",
    "35-39",
    "40-44",
    "45-49",
    "50-54",
    "55-59",
    "60-64",
    "65-69",
    "70-74",
    "75-79",
    "80-84",
    "85+",
)
_SHARE = np.array(
    [5.6, 7.0, 7.0, 4.8, 4.6, 5.6, 7.8, 6.5, 6.0, 8.0, 8.4, 6.8, 5.6, 6.0, 4.2, 2.6, 1.7, 1.1]
)
_MALE = np.array([0.535] * 3 + [0.51] * 9 + [0.49] * 4 + [0.43] * 2)
# monthly relative drift of each band's share: the population ages
_DRIFT = np.concatenate([np.full(3, -0.0012), np.full(9, -0.0003), np.full(6, 0.0016)])
# yearly growth of each district's residents (320706, 320703, 320707, 320722, 320723, 320724)
_GROWTH = {
    "320706": 0.006,
    "320703": 0.010,
    "320707": -0.003,
    "320722": -0.005,
    "320723": -0.006,
    "320724": -0.005,
}
CENSUS_DAY = 18567  # 2020-11-01
HISTORY_MONTHS = 48


def release_time(m) -> np.ndarray:
    """Figures as of the 1st of month m are released on the 10th at 10:00 local."""
    return day_start(month_first_day(m) + 9) + 10 * HOUR


class PopulationFeed(Feed):
    name = "population"

    def _months(self, a: int | None, b: int) -> np.ndarray:
        first = int(month_of_day(local_day(self.world.t0))) - HISTORY_MONTHS
        last = int(month_of_day(local_day(b)))
        months = np.arange(first, last + 1)
        return months[released_between(release_time(months), a, b)]

    def totals(self, months: np.ndarray) -> np.ndarray:
        """Residents per (month, district), shape (len(months), 6)."""
        geo = self.world.geo
        years = (month_first_day(months) - CENSUS_DAY) / 365.25
        out = np.empty((len(months), len(geo.codes)))
        for j, d in enumerate(geo.districts):
            wobble = 1 + 0.0008 * normal(self.seed, "pop.total", j, months)
            out[:, j] = d.population * (1 + _GROWTH[d.code]) ** years * wobble
        return out

    def _rows(self, months: np.ndarray) -> tuple[Frame, Frame]:
        geo = self.world.geo
        totals = self.totals(months)
        since = (months - month_of_day(CENSUS_DAY))[:, None]
        shares = _SHARE[None, :] * (1 + _DRIFT[None, :]) ** since
        shares = shares / shares.sum(axis=1, keepdims=True)
        pop = {
            "as_of": [],
            "district_code": [],
            "age_band": [],
            "sex": [],
            "persons": [],
            "updated_at": [],
        }
        released = release_time(months)
        for i, m in enumerate(months.tolist()):
            for j, code in enumerate(geo.codes):
                cells = totals[i, j] * shares[i]
                male = np.round(cells * _MALE).astype(np.int64)
                female = np.round(cells * (1 - _MALE)).astype(np.int64)
                for sex, values in (("M", male), ("F", female)):
                    pop["persons"].extend(values.tolist())
                    pop["age_band"].extend(AGE_BANDS)
                    pop["sex"].extend([sex] * len(AGE_BANDS))
                    pop["district_code"].extend([code] * len(AGE_BANDS))
                    pop["as_of"].extend([int(month_first_day(m))] * len(AGE_BANDS))
                    pop["updated_at"].extend([int(released[i])] * len(AGE_BANDS))
        population = Frame(
            {
                "as_of": np.array(pop["as_of"], dtype=np.int64),
                "district_code": strings(pop["district_code"]),
                "age_band": strings(pop["age_band"]),
                "sex": strings(pop["sex"]),
                "persons": np.array(pop["persons"], dtype=np.int64),
                "updated_at": np.array(pop["updated_at"], dtype=np.int64),
            }
        )
        mi, dj = np.meshgrid(np.arange(len(months)), np.arange(len(geo.codes)), indexing="ij")
        mi, dj = mi.ravel(), dj.ravel()
        base = totals[mi, dj] / 12.0
        cal = months[mi] % 12
        spring = np.where(cal == 1, 1.8, np.where(cal == 8, 1.3, 1.0))  # Feb, Sep peaks
        winter = np.where(np.isin(cal, (11, 0, 1)), 1.2, 1.0)
        noise = lambda k: 1 + 0.06 * normal(self.seed, f"pop.vital.{k}", months[mi], dj)  # noqa: E731
        migration = Frame(
            {
                "as_of": month_first_day(months[mi]),
                "district_code": strings([geo.codes[j] for j in dj.tolist()]),
                "births": np.round(base * 0.0062 * noise("b")).astype(np.int64),
                "deaths": np.round(base * 0.0078 * winter * noise("d")).astype(np.int64),
                "migration_in": np.round(base * 0.014 * spring * noise("i")).astype(np.int64),
                "migration_out": np.round(base * 0.0155 * spring * noise("o")).astype(np.int64),
                "updated_at": release_time(months[mi]),
            }
        )
        return population, migration

    def _write(self, step: Step, a: int | None) -> None:
        months = self._months(a, step.b)
        if len(months):
            population, migration = self._rows(months)
            step.insert(pop_population, population)
            step.insert(pop_migration, migration)

    def build(self, step: Step) -> None:
        self._write(step, None)

    def emit(self, step: Step) -> None:
        self._write(step, step.a)
