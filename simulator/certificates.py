"""E-certificate base database: certificates issued per day by type and district, released at
01:00 the next day, and exported as a CSV file per day (drop_dir/files/ecert-daily-*.csv).

Magnitudes are of the order of a city of 4.6 M: ~600 ID cards, ~500 property certificates,
~450 vehicle licences a day, most of them on working days.
"""

from __future__ import annotations

import csv
import io

import numpy as np

from .feeds import Feed, Step
from .frame import Frame, strings
from .periodic import released_between
from .rng import normal
from .schema import cert_daily_issuance
from .times import HOUR, day_date, day_start, local_day

# (code, name, city total per working day, weekend factor)
CERT_TYPES = (
    ("id_card", "居民身份证", 600, 0.35),
    ("household_register", "户口簿", 150, 0.2),
    ("residence_permit", "居住证", 80, 0.2),
    ("business_licence", "营业执照", 200, 0.05),
    ("property_certificate", "不动产权证书", 500, 0.1),
    ("marriage_certificate", "结婚证", 60, 0.3),
    ("birth_certificate", "出生医学证明", 80, 0.9),
    ("social_security_card", "社会保障卡", 400, 0.2),
    ("driving_licence", "机动车驾驶证", 250, 0.3),
    ("vehicle_licence", "机动车行驶证", 450, 0.3),
    ("food_business_licence", "食品经营许可证", 40, 0.05),
    ("disability_certificate", "残疾人证", 20, 0.05),
)
HISTORY_DAYS = 60


def release(days) -> np.ndarray:
    return day_start(np.asarray(days) + 1) + 1 * HOUR


class CertificateFeed(Feed):
    name = "certificates"

    def _write(self, step: Step, a: int | None) -> None:
        first = int(local_day(self.world.t0)) - HISTORY_DAYS
        days = np.arange(first, int(local_day(step.b)) + 1)
        days = days[released_between(release(days), a, step.b)]
        geo = self.world.geo
        shares = geo.population_shares()
        for d in days.tolist():
            weekend = (d + 3) % 7 >= 5
            rows = {
                "issue_date": [],
                "district_code": [],
                "cert_type": [],
                "cert_name_zh": [],
                "issued": [],
            }
            for k, (code, name, per_day, weekend_factor) in enumerate(CERT_TYPES):
                level = per_day * (weekend_factor if weekend else 1.0)
                noise = 1 + 0.15 * normal(self.seed, "cert", d, k, np.arange(len(geo.codes)))
                counts = np.maximum(np.round(level * shares * noise), 0).astype(int)
                rows["issue_date"].extend([d] * len(geo.codes))
                rows["district_code"].extend(geo.codes)
                rows["cert_type"].extend([code] * len(geo.codes))
                rows["cert_name_zh"].extend([name] * len(geo.codes))
                rows["issued"].extend(counts.tolist())
            n = len(rows["issued"])
            frame = Frame(
                {
                    "issue_date": np.array(rows["issue_date"], dtype=np.int64),
                    "district_code": strings(rows["district_code"]),
                    "cert_type": strings(rows["cert_type"]),
                    "cert_name_zh": strings(rows["cert_name_zh"]),
                    "issued": np.array(rows["issued"], dtype=np.int64),
                    "updated_at": np.full(n, release(d), dtype=np.int64),
                }
            )
            step.insert(cert_daily_issuance, frame)
            step.write_file(f"files/ecert-daily-{day_date(d):%Y%m%d}.csv", _csv(d, rows))

    def build(self, step: Step) -> None:
        self._write(step, None)

    def emit(self, step: Step) -> None:
        self._write(step, step.a)


def _csv(d: int, rows: dict[str, list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["issue_date", "district_code", "cert_type", "cert_name_zh", "issued"])
    date_text = day_date(d).isoformat()
    for row in zip(
        rows["district_code"], rows["cert_type"], rows["cert_name_zh"], rows["issued"], strict=True
    ):
        writer.writerow([date_text, *row])
    return out.getvalue().encode("utf-8")
