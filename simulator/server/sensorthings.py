"""OGC SensorThings API v1.1 (read-only) under `/sta/v1.1`: the city's sensor network.

    /sta/v1.1                                      service root (entity sets, conformance)
    /sta/v1.1/Things, Things(1), Things(1)/Datastreams, Things(1)/Locations
    /sta/v1.1/Locations, Locations(1)
    /sta/v1.1/Datastreams, Datastreams(7), Datastreams(7)/Thing, .../ObservedProperty
    /sta/v1.1/Datastreams(7)/Observations, Observations(123)
    /sta/v1.1/ObservedProperties, ObservedProperties('pm25'), .../Datastreams

Collections take `$filter`, `$orderby`, `$top` (default 100, at most 10,000), `$skip`,
`$count=true` (`@iot.count`), `$select` and `$expand` (Things: Locations, Datastreams;
Datastreams: Thing, ObservedProperty); a page that is not the last carries an absolute
`@iot.nextLink`. Keys are numbers (`Datastreams(7)`) or quoted text
(`ObservedProperties('pm25')`, `Datastreams('7')` also works).

Things, Locations, Datastreams and ObservedProperties are a few hundred rows: they are read
whole (bounded) and filtered as JSON, so any property path works in `$filter`
(`Thing/properties/kind eq 'air_quality'`, `properties/district eq '320706'`, `id eq 7`).
Observations are filtered in SQL on `phenomenonTime`/`resultTime`, `result` and `id`, through
the index on (datastream, phenomenon time); without `$orderby` the newest come first.
A Datastream's `properties` repeat its Thing's `kind` and `district`, so
`properties/kind eq 'water_level'` works on Datastreams as well as on Things.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request
from sqlalchemy import Row, func, select
from sqlalchemy.engine import Connection
from werkzeug.exceptions import NotFound

from simulator.schema import sensor_datastreams, sensor_observations, sensor_things

from .db import FeedDatabase
from .odata import Path as ODataPath
from .odata import matches, parse_filter, parse_orderby, resolve, to_sql
from .paging import Window
from .params import ParameterError, int_param
from .responses import json_response
from .timefmt import iso

PREFIX = "/sta/v1.1"
DEFAULT_TOP = 100
MAX_TOP = 10_000
MAX_SKIP = 1_000_000_000
METADATA_LIMIT = 10_000
ENTITY_SETS = ("Things", "Locations", "Datastreams", "ObservedProperties")
CONFORMANCE = (
    "http://www.opengis.net/spec/iot_sensing/1.1/req/datamodel",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/resource-path/resource-path-to-entities",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/request-data",
)
_SEGMENT = re.compile(r"^(?P<name>[A-Za-z]+)(?:\((?P<key>[^()]*)\))?$")
_OBSERVATION_COLUMNS = {
    "phenomenonTime": sensor_observations.c.phenomenon_time,
    "resultTime": sensor_observations.c.phenomenon_time,
    "result": sensor_observations.c.result,
    "id": sensor_observations.c.observation_id,
    "@iot.id": sensor_observations.c.observation_id,
}
_QUERY_OPTIONS = frozenset({"$filter", "$orderby", "$top", "$skip", "$count", "$select", "$expand"})

Entity = dict[str, Any]
bp = Blueprint("sensorthings", __name__, url_prefix=PREFIX)


def error_response(status: int, message: str) -> Response:
    """A SensorThings error: `{"code": 400, "type": "error", "message": "..."}`."""
    return json_response({"code": status, "type": "error", "message": message}, status)


@bp.get("/", strict_slashes=False)
def root() -> Response:
    base = _base()
    return json_response(
        {
            "value": [{"name": name, "url": f"{base}/{name}"} for name in ENTITY_SETS],
            "serverSettings": {"conformance": list(CONFORMANCE)},
        }
    )


@bp.get("/<path:resource>")
def entity_path(resource: str) -> Response:
    unknown = sorted(k for k in request.args if k.startswith("$") and k not in _QUERY_OPTIONS)
    if unknown:
        raise ParameterError(f"unsupported query option(s): {', '.join(unknown)}")
    segments = [_segment(part) for part in resource.strip("/").split("/")]
    pattern = "/".join(name + ("()" if key is not None else "") for name, key in segments)
    handler = _ROUTES.get(pattern)
    if handler is None:
        raise NotFound(f"no SensorThings resource {resource!r}")
    keys = [key for _, key in segments if key is not None]
    return handler(*keys)


# --- entities ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Catalog:
    """The sensor network's metadata as JSON entities, fully expanded."""

    things: dict[int, Entity]
    locations: dict[int, Entity]
    streams: dict[int, Entity]
    properties: dict[str, Entity]


def _catalog(conn: Connection, base: str) -> Catalog:
    thing_rows = conn.execute(
        select(sensor_things).order_by(sensor_things.c.thing_id).limit(METADATA_LIMIT)
    ).all()
    stream_rows = conn.execute(
        select(sensor_datastreams)
        .order_by(sensor_datastreams.c.datastream_id)
        .limit(METADATA_LIMIT)
    ).all()
    things = {row.thing_id: _thing(row, base) for row in thing_rows}
    locations = {row.thing_id: _location(row, base) for row in thing_rows}
    properties: dict[str, Entity] = {}
    streams: dict[int, Entity] = {}
    for row in stream_rows:
        observed = properties.setdefault(row.observed_property, _observed_property(row, base))
        thing = things.get(row.thing_id)
        if thing is not None:
            streams[row.datastream_id] = _stream(row, thing, observed, base)
    for thing in things.values():
        thing["Locations"] = [locations[thing["@iot.id"]]]
        thing["Datastreams"] = [s for s in streams.values() if s["Thing"] is thing]
    return Catalog(things, locations, streams, properties)


def _thing(row: Row[Any], base: str) -> Entity:
    stored = json.loads(row.properties or "{}")
    district_name = stored.pop("district", None)
    properties = {"code": row.code, "kind": row.kind, "district": row.district_code}
    if district_name:
        properties["district_name"] = district_name
    link = f"{base}/{_key_path('Things', row.thing_id)}"
    return {
        "@iot.id": row.thing_id,
        "@iot.selfLink": link,
        "name": row.name,
        "description": row.description,
        "properties": {**properties, **stored},
        "Locations@iot.navigationLink": f"{link}/Locations",
        "Datastreams@iot.navigationLink": f"{link}/Datastreams",
    }


def _location(row: Row[Any], base: str) -> Entity:
    link = f"{base}/{_key_path('Locations', row.thing_id)}"
    return {
        "@iot.id": row.thing_id,
        "@iot.selfLink": link,
        "name": row.name,
        "description": f"{row.name}站点位置",
        "encodingType": "application/geo+json",
        "location": {"type": "Point", "coordinates": [row.lon, row.lat]},
        "Things@iot.navigationLink": f"{link}/Things",
    }


def _observed_property(row: Row[Any], base: str) -> Entity:
    link = f"{base}/{_key_path('ObservedProperties', row.observed_property)}"
    return {
        "@iot.id": row.observed_property,
        "@iot.selfLink": link,
        "name": row.property_name_zh,
        "definition": row.property_definition,
        "description": f"{row.property_name_zh}（{row.observed_property}）",
        "Datastreams@iot.navigationLink": f"{link}/Datastreams",
    }


def _stream(row: Row[Any], thing: Entity, observed: Entity, base: str) -> Entity:
    link = f"{base}/{_key_path('Datastreams', row.datastream_id)}"
    return {
        "@iot.id": row.datastream_id,
        "@iot.selfLink": link,
        "name": row.name,
        "description": row.description,
        "unitOfMeasurement": {
            "name": row.unit_name,
            "symbol": row.unit_symbol,
            "definition": row.unit_definition,
        },
        "observationType": row.observation_type,
        "properties": {
            "kind": thing["properties"]["kind"],
            "district": thing["properties"]["district"],
            "thing_code": thing["properties"]["code"],
            "observed_property": row.observed_property,
            "interval_seconds": row.interval_seconds,
        },
        "Thing@iot.navigationLink": f"{link}/Thing",
        "ObservedProperty@iot.navigationLink": f"{link}/ObservedProperty",
        "Observations@iot.navigationLink": f"{link}/Observations",
        "Thing": thing,
        "ObservedProperty": observed,
    }


def _observation(row: Row[Any], base: str, with_stream: bool = False) -> Entity:
    entity: Entity = {
        "@iot.id": row.observation_id,
        "@iot.selfLink": f"{base}/Observations({row.observation_id})",
        "phenomenonTime": iso(row.phenomenon_time, utc=True),
        "resultTime": iso(row.phenomenon_time, utc=True),
        "result": row.result,
    }
    if with_stream:
        entity["Datastream@iot.navigationLink"] = f"{base}/Datastreams({row.datastream_id})"
    return entity


# --- shaping ----------------------------------------------------------------------------------

_EXPANDABLE = {
    "Things": frozenset({"Locations", "Datastreams"}),
    "Locations": frozenset(),
    "Datastreams": frozenset({"Thing", "ObservedProperty"}),
    "ObservedProperties": frozenset(),
}
_NAVIGATION = frozenset({"Thing", "ObservedProperty", "Locations", "Datastreams"})


def _expansions(entity_set: str) -> frozenset[str]:
    requested = {p.strip() for p in (request.args.get("$expand") or "").split(",") if p.strip()}
    wrong = requested - _EXPANDABLE[entity_set]
    if wrong:
        allowed = ", ".join(sorted(_EXPANDABLE[entity_set])) or "nothing"
        raise ParameterError(
            f"$expand {', '.join(sorted(wrong))} is not supported on {entity_set} "
            f"(it can expand {allowed})"
        )
    return frozenset(requested)


def _selection() -> set[str] | None:
    text = request.args.get("$select")
    if not text:
        return None
    return {"@iot.id" if p.strip() == "id" else p.strip() for p in text.split(",") if p.strip()}


def _shape(entity: Entity, expand: frozenset[str], chosen: set[str] | None) -> Entity:
    """The entity as sent: unrequested expansions dropped, `$select` (`chosen`) applied."""
    shaped: Entity = {}
    for key, value in entity.items():
        if key in _NAVIGATION:
            if key in expand:
                shaped[key] = _without_navigation(value)
            continue
        if chosen is None or key in chosen:
            shaped[key] = value
    return shaped


def _without_navigation(value: Entity | list[Entity]) -> Entity | list[Entity]:
    """An expanded entity (or list of them) without its own expansions (no cycles)."""
    if isinstance(value, list):
        return [{k: v for k, v in e.items() if k not in _NAVIGATION} for e in value]
    return {k: v for k, v in value.items() if k not in _NAVIGATION}


# --- handlers ---------------------------------------------------------------------------------


def _database() -> FeedDatabase:
    return current_app.extensions["cityops_feed"].database


def _base() -> str:
    return request.url_root.rstrip("/") + PREFIX


def _load() -> Catalog:
    base = _base()
    return _database().read(lambda conn: _catalog(conn, base))


def _entity(entity_set: str, found: Entity | None, what: str) -> Response:
    if found is None:
        raise NotFound(f"{what} does not exist")
    return json_response(_shape(found, _expansions(entity_set), _selection()))


def _collection(entity_set: str, entities: Sequence[Entity]) -> Response:
    """A filtered, ordered page of `entities` with count and next link as asked."""
    expand = _expansions(entity_set)
    window = _window()
    matching = list(entities)
    text = request.args.get("$filter")
    if text:
        tree = parse_filter(text)
        matching = [e for e in matching if matches(tree, e)]
    for name, descending in reversed(_orderby(frozenset({"id", "@iot.id", "name"}))):
        path = ODataPath(tuple(name.split("/")))
        matching.sort(key=lambda e, p=path: _sort_key(resolve(e, p)), reverse=descending)
    page, more = window.slice(matching)
    selection = _selection()
    shaped = [_shape(e, expand, selection) for e in page]
    return _page_response(shaped, window, more, len(matching))


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    return (1, value) if isinstance(value, int | float) else (2, str(value))


def _window() -> Window:
    top = int_param(request.args, "$top", DEFAULT_TOP, 0, MAX_TOP)
    return Window(int_param(request.args, "$skip", 0, 0, MAX_SKIP), top)


def _orderby(allowed: frozenset[str]) -> list[tuple[str, bool]]:
    return parse_orderby(request.args.get("$orderby"), allowed)


def _counted() -> bool:
    text = (request.args.get("$count") or "false").strip().lower()
    if text not in ("true", "false"):
        raise ParameterError(f"$count must be true or false, got {text!r}")
    return text == "true"


def _page_response(values: list[Entity], window: Window, more: bool, total: int | None) -> Response:
    body: Entity = {}
    if _counted() and total is not None:
        body["@iot.count"] = total
    if more and window.limit > 0:
        args = {k: v for k, v in request.args.items() if k != "$skip"}
        args["$skip"] = str(window.following)
        body["@iot.nextLink"] = f"{request.base_url}?{urlencode(args)}"
    body["value"] = values
    return json_response(body)


def _things() -> Response:
    return _collection("Things", list(_load().things.values()))


def _thing_by_id(key: int | str) -> Response:
    return _entity("Things", _load().things.get(_number(key)), f"Things({key})")


def _thing_streams(key: int | str) -> Response:
    catalog = _load()
    thing = catalog.things.get(_number(key))
    if thing is None:
        raise NotFound(f"Things({key}) does not exist")
    return _collection("Datastreams", thing["Datastreams"])


def _thing_locations(key: int | str) -> Response:
    thing = _load().things.get(_number(key))
    if thing is None:
        raise NotFound(f"Things({key}) does not exist")
    return _collection("Locations", thing["Locations"])


def _locations() -> Response:
    return _collection("Locations", list(_load().locations.values()))


def _location_by_id(key: int | str) -> Response:
    return _entity("Locations", _load().locations.get(_number(key)), f"Locations({key})")


def _location_things(key: int | str) -> Response:
    catalog = _load()
    thing = catalog.things.get(_number(key))
    if thing is None:
        raise NotFound(f"Locations({key}) does not exist")
    return _collection("Things", [thing])


def _streams() -> Response:
    return _collection("Datastreams", list(_load().streams.values()))


def _stream_by_id(key: int | str) -> Response:
    return _entity("Datastreams", _load().streams.get(_number(key)), f"Datastreams({key})")


def _stream_related(name: str) -> Callable[[int | str], Response]:
    entity_set = "Things" if name == "Thing" else "ObservedProperties"

    def handler(key: int | str) -> Response:
        stream = _load().streams.get(_number(key))
        if stream is None:
            raise NotFound(f"Datastreams({key}) does not exist")
        return _entity(entity_set, stream[name], f"Datastreams({key})/{name}")

    return handler


def _properties() -> Response:
    return _collection("ObservedProperties", list(_load().properties.values()))


def _property_by_id(key: int | str) -> Response:
    found = _load().properties.get(str(key))
    return _entity("ObservedProperties", found, f"ObservedProperties({key})")


def _property_streams(key: int | str) -> Response:
    catalog = _load()
    if str(key) not in catalog.properties:
        raise NotFound(f"ObservedProperties({key}) does not exist")
    streams = [s for s in catalog.streams.values() if s["ObservedProperty"]["@iot.id"] == key]
    return _collection("Datastreams", streams)


def _stream_observations(key: int | str) -> Response:
    stream_id = _number(key)
    window = _window()
    text = request.args.get("$filter")
    condition = [sensor_observations.c.datastream_id == stream_id]
    if text:
        condition.append(to_sql(parse_filter(text), _OBSERVATION_COLUMNS))
    order = _orderby(frozenset(_OBSERVATION_COLUMNS)) or [("phenomenonTime", True)]
    columns = [
        _OBSERVATION_COLUMNS[name].desc() if d else _OBSERVATION_COLUMNS[name] for name, d in order
    ]
    last_descending = order[-1][1]
    ident = sensor_observations.c.observation_id
    columns.append(ident.desc() if last_descending else ident)
    counted = _counted()
    base = _base()

    def work(conn: Connection) -> tuple[list[Row[Any]], bool, int | None]:
        exists = conn.execute(
            select(sensor_datastreams.c.datastream_id).where(
                sensor_datastreams.c.datastream_id == stream_id
            )
        ).first()
        if exists is None:
            raise NotFound(f"Datastreams({key}) does not exist")
        stmt = (
            select(ident, sensor_observations.c.phenomenon_time, sensor_observations.c.result)
            .where(*condition)
            .order_by(*columns)
        )
        rows, more = window.select(conn, stmt)
        total = None
        if counted:
            total = conn.execute(
                select(func.count()).select_from(sensor_observations).where(*condition)
            ).scalar_one()
        return rows, more, total

    rows, more, total = _database().read(work)
    return _page_response([_observation(r, base) for r in rows], window, more, total)


def _observation_by_id(key: int | str) -> Response:
    ident = _number(key)
    base = _base()
    row = _database().read(
        lambda conn: conn.execute(
            select(sensor_observations).where(sensor_observations.c.observation_id == ident)
        ).first()
    )
    if row is None:
        raise NotFound(f"Observations({key}) does not exist")
    return json_response(_observation(row, base, with_stream=True))


_ROUTES: Mapping[str, Callable[..., Response]] = {
    "Things": _things,
    "Things()": _thing_by_id,
    "Things()/Datastreams": _thing_streams,
    "Things()/Locations": _thing_locations,
    "Locations": _locations,
    "Locations()": _location_by_id,
    "Locations()/Things": _location_things,
    "Datastreams": _streams,
    "Datastreams()": _stream_by_id,
    "Datastreams()/Thing": _stream_related("Thing"),
    "Datastreams()/ObservedProperty": _stream_related("ObservedProperty"),
    "Datastreams()/Observations": _stream_observations,
    "ObservedProperties": _properties,
    "ObservedProperties()": _property_by_id,
    "ObservedProperties()/Datastreams": _property_streams,
    "Observations()": _observation_by_id,
}


# --- keys -------------------------------------------------------------------------------------


def _segment(part: str) -> tuple[str, int | str | None]:
    match = _SEGMENT.match(part)
    if match is None:
        raise NotFound(f"no SensorThings resource {part!r}")
    key = match.group("key")
    if key is None:
        return match.group("name"), None
    key = key.strip()
    if len(key) >= 2 and key[0] == key[-1] == "'":
        return match.group("name"), key[1:-1].replace("''", "'")
    if re.fullmatch(r"-?\d+", key):
        return match.group("name"), int(key)
    raise NotFound(f"{part!r}: an entity key is a number or 'quoted text'")


def _number(key: int | str) -> int:
    """A numeric key, also when sent quoted; a key that is not a number matches nothing."""
    if isinstance(key, int):
        return key
    return int(key) if re.fullmatch(r"-?\d+", key) else -1


def _key_path(entity_set: str, key: int | str) -> str:
    if isinstance(key, int):
        return f"{entity_set}({key})"
    return f"{entity_set}('{key.replace(chr(39), chr(39) * 2)}')"
