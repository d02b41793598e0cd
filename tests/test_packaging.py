"""The wheel: it carries the assets, migrations and message catalogues an installed app needs."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_what_an_installed_app_serves(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("cityops_centre-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "dashboard/assets/css/cityops.css",
        "dashboard/assets/js/cityops-map.js",
        "dashboard/assets/geo/lianyungang-districts.geojson",
        "dashboard/translations/zh/LC_MESSAGES/messages.po",
        "data_adapters/store/migrations/env.py",
        "data_adapters/store/migrations/script.py.mako",
        "data_adapters/store/migrations/versions/0001_initial_schema.py",
        "dashboard/assets/js/cityops-assets.js",
        "dashboard/translations/zh/LC_MESSAGES/assets.po",
        "data_adapters/nlp/models/sentiment.npz",
        "data_adapters/nlp/city_dictionary.txt",
        "data_adapters/nlp/stopwords.txt",
        "data_adapters/nlp/place_districts.tsv",
        "data_adapters/nlp/topic_terms.tsv",
        "simulator/__init__.py",
    }
    assert expected <= names, sorted(expected - names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "cityops = dashboard.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
