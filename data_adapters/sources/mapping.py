"""Field mapping: from a source's row (columns, JSON paths, CSV headers) to a domain record.

`FieldMap` is declared in a source's options. It names the source fields that form the
source's key, the source path of each domain field (dotted for nested JSON: `properties.name`),
constants, fields that arrive as JSON text, values to replace (`replace = {district =
{"320700" = ""}}`: the city's own code means the whole city; "" is no value; `{status =
{"正常" = "normal"}}`), and how to read times and coordinates: a naive time
is in the source's time zone, and coordinates in GCJ-02 (Amap) or BD-09 (Baidu) are converted
to WGS-84 here, on ingest.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from data_adapters.contract import Record, Rejected
from data_adapters.geo.coords import to_wgs84

_MISSING = object()
TIME_FIELDS = frozenset(
    {
        "observed_at",
        "updated_at",
        "posted_at",
        "closed_at",
        "changed_at",
        "sent",
        "onset",
        "expires",
    }
)


class MappingError(ValueError):
    """A row that does not fit the mapping; the message is the quarantine reason."""


class FieldMap(BaseModel):
    """How one source's rows become domain records."""

    model_config = ConfigDict(extra="forbid")

    key: list[str] = Field(min_length=1)
    fields: dict[str, str] = Field(default_factory=dict)
    constants: dict[str, Any] = Field(default_factory=dict)
    json_fields: list[str] = Field(default_factory=list)
    replace: dict[str, dict[str, Any]] = Field(default_factory=dict)
    timezone: str = "Asia/Shanghai"
    crs: Literal["wgs84", "gcj02", "bd09"] = "wgs84"

    def record(self, row: Mapping[str, Any]) -> Record:
        """The domain record for `row`, or `MappingError` saying what is wrong."""
        key_parts = [lookup(row, path) for path in self.key]
        if any(part is _MISSING or part is None or part == "" for part in key_parts):
            raise MappingError(f"missing key field(s) {', '.join(self.key)}")
        fields: dict[str, Any] = dict(self.constants)
        for name, path in self.fields.items():
            value = lookup(row, path)
            if value is not _MISSING:
                fields[name] = self._convert(name, value)
        self._to_wgs84(fields)
        return Record(key="|".join(str(part) for part in key_parts), fields=fields)

    def apply(self, row: Mapping[str, Any]) -> Record | Rejected:
        """`record(row)`, or a `Rejected` carrying the raw row and the reason."""
        try:
            return self.record(row)
        except MappingError as exc:
            return Rejected(raw=json.dumps(row, ensure_ascii=False, default=str), reason=str(exc))

    def _convert(self, name: str, value: Any) -> Any:
        table = self.replace.get(name)
        if table is not None and str(value) in table:
            value = table[str(value)]
            if value == "":
                return None
        if name in self.json_fields and isinstance(value, str):
            try:
                return json.loads(value) if value.strip() else None
            except json.JSONDecodeError as exc:
                raise MappingError(f"{name}: not valid JSON ({exc.msg})") from None
        if name in TIME_FIELDS and value is not None:
            return parse_time(value, self.timezone, name)
        return value

    def _to_wgs84(self, fields: dict[str, Any]) -> None:
        lon, lat = fields.get("lon"), fields.get("lat")
        if self.crs == "wgs84" or lon is None or lat is None:
            return
        try:
            lon_f, lat_f = float(lon), float(lat)
        except (TypeError, ValueError):
            return  # validation reports the bad number
        if math.isfinite(lon_f) and math.isfinite(lat_f):
            fields["lon"], fields["lat"] = to_wgs84(lon_f, lat_f, self.crs)


def lookup(row: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted `path` in nested mappings, or `_MISSING`."""
    if path in row:
        return row[path]
    value: Any = row
    for part in path.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return value


def parse_time(value: Any, zone: str, name: str = "time") -> datetime:
    """An aware UTC time from a datetime, an ISO 8601 string or epoch seconds.

    A time without an offset is taken to be in `zone` (the source's time zone).
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    elif isinstance(value, str):
        text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise MappingError(f"{name}: {value!r} is not an ISO 8601 time") from None
    else:
        raise MappingError(f"{name}: {value!r} is not a time")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(zone))
    return parsed.astimezone(UTC)
