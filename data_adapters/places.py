"""Districts for rows that come with a position but without a district.

Some sources give an asset, a post or a resource a WGS-84 longitude/latitude but no district
(a GeoJSON file of shelters, a city's own feed). At ingest, such a row gets the adcode of the
district whose outline holds its point, from a `DistrictIndex` over the city's outlines (the
border rule is the index's: on a shared border, the lowest adcode). A row whose point lies
outside every district keeps no district, a row that names its district keeps it, and a row
without a position is left alone. One vectorised lookup serves a whole batch, and the index
is built once per outlines file (and again only when the file changes).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from data_adapters.contract import ConfigError
from data_adapters.domain import Adcode, describe
from data_adapters.geo.spatial import DistrictIndex
from data_adapters.settings import shipped_districts_file

Row = dict[str, Any]
_ADCODES = TypeAdapter(list[Adcode])


def fill_districts(rows: Sequence[Row], districts_file: Path | None = None) -> int:
    """Give each row with `lon`/`lat` and no `district` the district holding it, in place;
    return how many rows got one. `districts_file` defaults to the shipped outlines."""
    unplaced = [row for row in rows if _needs_district(row)]
    if not unplaced:
        return 0
    index = district_index(districts_file or shipped_districts_file())
    found = index.districts_of([row["lon"] for row in unplaced], [row["lat"] for row in unplaced])
    placed = 0
    for row, adcode in zip(unplaced, found, strict=True):
        if adcode is not None:
            row["district"] = adcode
            placed += 1
    return placed


def _needs_district(row: Row) -> bool:
    return row.get("district") is None and None not in (row.get("lon"), row.get("lat"))


def district_index(path: Path) -> DistrictIndex:
    """The district index of an outlines file, built once per file version; a file that is
    missing, unreadable or not district outlines with six-digit adcodes is a `ConfigError`."""
    path = Path(path).resolve()
    try:
        return _index(path, path.stat().st_mtime_ns)
    except ValidationError as exc:
        raise _unusable(path, f"adcodes must have six digits ({describe(exc)})") from None
    except (OSError, ValueError, TypeError, AttributeError) as exc:  # bad JSON, bad outlines
        raise _unusable(path, str(exc)) from None


def _unusable(path: Path, reason: str) -> ConfigError:
    return ConfigError(f"cannot use the district outlines {path}: {reason}")


@lru_cache(maxsize=4)
def _index(path: Path, mtime_ns: int) -> DistrictIndex:
    """Keyed by the file's modification time too, so a replaced file is read again."""
    index = DistrictIndex.from_file(path)
    if not index.adcodes:
        raise ValueError("it holds no district")
    _ADCODES.validate_python(list(index.adcodes))
    return index
