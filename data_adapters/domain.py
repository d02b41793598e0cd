"""The shapes of rows for each domain table, validated and normalised before they are stored.

Adapters hand over `Record(key, fields)`; `validate_row(table, fields)` returns the row to
upsert or raises `InvalidRow` with a reason an operator understands. Coordinates must be
WGS-84 and in range, times aware (they are stored as UTC), numbers finite, geometries valid
GeoJSON, and text is kept as text (never interpreted) within a size limit.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from shapely.geometry import shape
from shapely.validation import explain_validity

from data_adapters.cycles import UpdateCycle

MAX_TEXT = 20_000


class InvalidRow(ValueError):
    """A row that cannot be stored; the message is the reason kept in quarantine."""


def _aware_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("time has no UTC offset")
    return value.astimezone(UTC)


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


def _clean_text(value: str) -> str:
    value = value.replace("\x00", "").replace("\r\n", "\n").strip()
    if len(value) > MAX_TEXT:
        raise ValueError(f"text is {len(value):,} characters, over the {MAX_TEXT:,} limit")
    return value


AwareTime = Annotated[datetime, AfterValidator(_aware_utc)]
Finite = Annotated[float, AfterValidator(_finite)]
Text = Annotated[str, AfterValidator(_clean_text)]
Adcode = Annotated[str, Field(pattern=r"^\d{6}$")]
Lon = Annotated[float, Field(ge=-180, le=180)]
Lat = Annotated[float, Field(ge=-90, le=90)]
AssetStatus = Literal["normal", "fault", "maintenance", "offline"]


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Located(_Row):
    lon: Lon | None = None
    lat: Lat | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> _Located:
        if (self.lon is None) != (self.lat is None):
            raise ValueError("lon and lat must be given together")
        return self


class ObservationRow(_Row):
    """A value of an indicator, for the whole city (district None) or one district."""

    indicator: Annotated[str, Field(min_length=1, max_length=64)]
    district: Adcode | None = None
    observed_at: AwareTime
    value: Finite


class AssetRow(_Located):
    """A city asset: a point (lon/lat) or a line or polygon (GeoJSON geometry)."""

    kind: Annotated[str, Field(min_length=1, max_length=32)]
    name: Annotated[str, Field(max_length=255)] = ""
    status: AssetStatus
    district: Adcode | None = None
    geometry: dict[str, Any] | None = None
    install_date: date | None = None
    owner: Annotated[str, Field(max_length=128)] | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    updated_at: AwareTime

    @field_validator("geometry")
    @classmethod
    def _valid_geometry(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        try:
            geometry = shape(value)
        except Exception as exc:  # shapely raises several types for bad GeoJSON
            raise ValueError(f"geometry is not GeoJSON: {exc}") from None
        if geometry.is_empty or not geometry.is_valid:
            raise ValueError(f"geometry is invalid: {explain_validity(geometry)}")
        minx, miny, maxx, maxy = geometry.bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise ValueError("geometry has coordinates out of range for WGS-84")
        return value


class AssetChangeRow(_Row):
    """One change of an asset's status (a fault, maintenance, an outage, or its repair)."""

    asset_key: Annotated[str, Field(min_length=1, max_length=64)]  # the asset's source_key
    kind: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    from_status: AssetStatus | None = None
    to_status: AssetStatus
    reason: Text = ""
    changed_at: AwareTime

    @field_validator("reason", mode="before")
    @classmethod
    def _no_reason_is_empty(cls, value: Any) -> Any:
        return "" if value is None else value


class PostRow(_Located):
    """A 12345 hotline ticket or a public post: text as text, never markup."""

    channel: Annotated[str, Field(min_length=1, max_length=32)]
    text: Text
    posted_at: AwareTime
    place: Annotated[str, Field(max_length=255)] | None = None
    district: Adcode | None = None
    category: Annotated[str, Field(max_length=64)] | None = None
    department: Annotated[str, Field(max_length=64)] | None = None
    status: Literal["open", "closed"] | None = None
    due_at: AwareTime | None = None
    closed_at: AwareTime | None = None


class AlertRow(_Row):
    """An early warning (CAP) or a rule's alert, with every translation kept in `infos`."""

    origin: Literal["cap", "rule", "spike"]
    sender: str | None = None
    sent: AwareTime
    msg_type: str
    cap_status: str | None = None
    references: list[dict[str, Any]] = Field(default_factory=list)
    language: str | None = None
    event: str | None = None
    severity: str | None = None
    urgency: str | None = None
    certainty: str | None = None
    headline: Text | None = None
    description: Text | None = None
    areas: list[dict[str, Any]] = Field(default_factory=list)
    district: Adcode | None = None
    onset: AwareTime | None = None
    expires: AwareTime | None = None
    state: Literal["active", "updated", "cancelled", "expired"] = "active"
    infos: list[dict[str, Any]] = Field(default_factory=list)


class ResourceRow(_Located):
    """An emergency resource: a unit, a facility or a depot, with its status."""

    kind: Annotated[str, Field(min_length=1, max_length=32)]
    name: Annotated[str, Field(min_length=1, max_length=255)]
    agency: str | None = None
    status: Literal["available", "standby", "dispatched", "on_scene", "returning", "out_of_service"]
    district: Adcode | None = None
    capabilities: list[str] = Field(default_factory=list)
    capacity: Annotated[int, Field(ge=0)] | None = None
    available: Annotated[int, Field(ge=0)] | None = None
    updated_at: AwareTime


class CatalogueRow(_Row):
    """A resource of the data centre's directory: who provides it, how, and how often."""

    resource_id: Annotated[str, Field(min_length=1, max_length=32)]
    name_zh: Annotated[str, Field(min_length=1)]
    name_en: str = ""
    provider: Annotated[str, Field(min_length=1, max_length=64)]
    provider_en: Annotated[str, Field(max_length=128)] | None = None
    format: Literal["db_table", "api", "file"]
    share_type: Literal["unconditional", "conditional", "not_shared"]
    update_cycle: UpdateCycle
    base_database: Annotated[str, Field(max_length=32)] | None = None
    description: Text | None = None
    updated_at: AwareTime


ROW_MODELS: dict[str, type[_Row]] = {
    "observations": ObservationRow,
    "assets": AssetRow,
    "asset_changes": AssetChangeRow,
    "posts": PostRow,
    "alerts": AlertRow,
    "resources": ResourceRow,
    "catalogue_entries": CatalogueRow,
}

#: Fields stored as JSON text columns rather than JSON documents.
_GEOJSON_TEXT_FIELDS = {"assets": ("geometry",)}


def validate_row(table: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The row for `table` built from an adapter's fields, or `InvalidRow` saying why not."""
    try:
        model = ROW_MODELS[table]
    except KeyError:
        raise InvalidRow(f"no domain table called {table!r}") from None
    try:
        row = model.model_validate(fields).model_dump()
    except ValidationError as exc:
        raise InvalidRow(describe(exc)) from None
    for name in _GEOJSON_TEXT_FIELDS.get(table, ()):
        if row.get(name) is not None:
            row[name] = json.dumps(row[name], separators=(",", ":"), ensure_ascii=False)
    return row


def describe(exc: ValidationError) -> str:
    """A validation error in one line: each field and what is wrong with it."""
    parts = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(p) for p in error["loc"]) or "row"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)
