"""The adapter contract, one suite for every kind (after the Meltano SDK's tap test class).

Each kind is set up against a real source (a SQLite table, a folder, an HTTP server on
127.0.0.1) in a working and a broken form, and must: report health as a value and never raise
from `check()`; poll records with string keys whose fields fit its domain table; hand back a
JSON watermark that, polled again with nothing new, brings nothing new beyond the boundary;
fail a broken source with a typed, operator-readable error; and survive `close()` twice.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, DateTime, Float, Integer, MetaData, String, Table, insert

from data_adapters.contract import Adapter, AdapterError, Batch, Health, Record
from data_adapters.domain import InvalidRow, validate_row
from data_adapters.sources import REGISTRY
from data_adapters.store import make_engine
from tests.sources.httpserver import LoopbackServer, Reply
from tests.support.samples import sample_bytes, sample_path
from tests.support.services import free_port

NOW = datetime.now(UTC).replace(microsecond=0)
NO_RETRY = {"max_retries": 0, "timeout_seconds": 3}


@dataclass
class Case:
    """One adapter kind: its domain table and how to build it working or broken."""

    kind: str
    table: str
    working: Callable[[Path, ExitStack], dict[str, Any]]
    broken: Callable[[Path, ExitStack], dict[str, Any]]


def _sql(tmp: Path, _stack: ExitStack) -> dict[str, Any]:
    engine = make_engine(f"sqlite:///{tmp / 'source.db'}")
    metadata = MetaData()
    table = Table(
        "readings",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("district", String(6)),
        Column("at", DateTime),
        Column("value", Float),
    )
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            insert(table),
            [
                {
                    "id": i,
                    "district": "320706",
                    "at": (NOW - timedelta(minutes=i)).replace(tzinfo=None),
                    "value": float(i),
                }
                for i in range(1, 6)
            ],
        )
    engine.dispose()
    return {
        "url": f"sqlite:///{tmp / 'source.db'}",
        "table": "readings",
        "cursor": "at",
        "map": {
            "key": ["id"],
            "constants": {"indicator": "aqi"},
            "timezone": "UTC",
            "fields": {"district": "district", "observed_at": "at", "value": "value"},
        },
    }


def _sql_broken(tmp: Path, stack: ExitStack) -> dict[str, Any]:
    return {**_sql(tmp, stack), "table": "missing_table"}


def _files(tmp: Path, _stack: ExitStack) -> dict[str, Any]:
    folder = tmp / "drop"
    folder.mkdir()
    (folder / "lamps.csv").write_text(
        "id,kind,status,district,lon,lat,updated\n"
        "SL1,street_light,normal,320706,119.17,34.57,2026-11-28T08:00:00+08:00\n"
        "SL2,street_light,fault,320706,119.18,34.58,2026-11-28T08:05:00+08:00\n",
        encoding="utf-8",
    )
    return {
        "folder": str(folder),
        "settle_seconds": 0,
        "map": {
            "key": ["id"],
            "fields": {
                "kind": "kind",
                "status": "status",
                "district": "district",
                "lon": "lon",
                "lat": "lat",
                "updated_at": "updated",
            },
        },
    }


def _files_broken(tmp: Path, stack: ExitStack) -> dict[str, Any]:
    return {**_files(tmp, stack), "folder": str(tmp / "no-such-folder")}


def _cap(tmp: Path, _stack: ExitStack) -> dict[str, Any]:
    folder = tmp / "cap"
    folder.mkdir()
    shutil.copy(sample_path("cap/oasiscap_v1dot2_appendix_adot4.xml"), folder / "a4.xml")
    return {"folder": str(folder), "settle_seconds": 0}


def _cap_broken(tmp: Path, _stack: ExitStack) -> dict[str, Any]:
    return {"folder": str(tmp / "no-such-folder")}


def _posts(count: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"p{i}",
            "platform": "weibo",
            "text": f"连云港今天的海很美 #{i}",
            "time": (NOW - timedelta(minutes=i)).isoformat(),
        }
        for i in range(count)
    ]


def _http(_tmp: Path, stack: ExitStack) -> dict[str, Any]:
    server = stack.enter_context(LoopbackServer({"/posts": Reply({"data": _posts(4)})}))
    return {
        "url": f"{server.url}/posts",
        "records_path": "data",
        "cursor_field": "time",
        "since_param": "since",
        "http": NO_RETRY,
        "map": {
            "key": ["id"],
            "fields": {"channel": "platform", "text": "text", "posted_at": "time"},
        },
    }


def _closed_port(options: dict[str, Any], field: str = "url") -> dict[str, Any]:
    return {**options, field: f"http://127.0.0.1:{free_port()}/x"}


def _open311(_tmp: Path, stack: ExitStack) -> dict[str, Any]:
    requests = sample_bytes("open311/open311status_bloomington_requests.json")
    services = sample_bytes("open311/open311status_bloomington_services.json")
    server = stack.enter_context(
        LoopbackServer(
            {
                "/v2/requests.json": Reply(requests, headers={"content-type": "application/json"}),
                "/v2/services.json": Reply(services, headers={"content-type": "application/json"}),
            }
        )
    )
    return {
        "url": f"{server.url}/v2",
        "http": NO_RETRY,
        "backfill_days": 365 * 20,
        "window_days": 90,
        "timezone": "America/Indiana/Indianapolis",
    }


def _sensorthings(_tmp: Path, stack: ExitStack) -> dict[str, Any]:
    thing = {"@iot.id": 1, "name": "市监测站", "properties": {"district": "320706"}}
    stream = {
        "@iot.id": 7,
        "name": "AQI",
        "Thing": thing,
        "ObservedProperty": {"@iot.id": 1, "name": "AQI", "definition": "aqi"},
    }
    observations = [
        {
            "@iot.id": i,
            "phenomenonTime": (NOW - timedelta(minutes=10 * i)).isoformat(),
            "result": 40 + i,
        }
        for i in range(3)
    ]
    server = stack.enter_context(
        LoopbackServer(
            {
                "/v1.1/Datastreams": Reply({"value": [stream]}),
                "/v1.1/Datastreams(7)/Observations": Reply({"value": observations}),
                "/v1.1": Reply({"value": []}),
            }
        )
    )
    return {
        "url": f"{server.url}/v1.1",
        "http": NO_RETRY,
        "district_from_thing_property": "district",
        "indicator_map": {"AQI": "aqi"},
    }


CASES = [
    Case("sql", "observations", _sql, _sql_broken),
    Case("files", "assets", _files, _files_broken),
    Case("cap", "alerts", _cap, _cap_broken),
    Case("http", "posts", _http, lambda t, s: _closed_port(_http(t, s))),
    Case("open311", "posts", _open311, lambda t, s: _closed_port(_open311(t, s))),
    Case(
        "sensorthings",
        "observations",
        _sensorthings,
        lambda t, s: _closed_port(_sensorthings(t, s)),
    ),
]


def test_every_registered_kind_is_covered() -> None:
    assert {case.kind for case in CASES} == set(REGISTRY)


@contextmanager
def _adapter(case: Case, tmp: Path, *, broken: bool = False) -> Iterator[Adapter]:
    with ExitStack() as stack:
        options = (case.broken if broken else case.working)(tmp, stack)
        adapter = REGISTRY[case.kind](options)
        try:
            yield adapter
        finally:
            adapter.close()


@pytest.fixture(params=CASES, ids=lambda case: case.kind)
def case(request: pytest.FixtureRequest) -> Case:
    return request.param


def test_it_is_an_adapter(case: Case, tmp_path: Path) -> None:
    with _adapter(case, tmp_path) as adapter:
        assert isinstance(adapter, Adapter)


def test_check_reports_a_healthy_source(case: Case, tmp_path: Path) -> None:
    with _adapter(case, tmp_path) as adapter:
        health = adapter.check()
    assert isinstance(health, Health) and health.ok, health.message


def test_check_never_raises_for_a_broken_source(case: Case, tmp_path: Path) -> None:
    with _adapter(case, tmp_path, broken=True) as adapter:
        health = adapter.check()
    assert isinstance(health, Health) and not health.ok
    assert health.message.strip()


def test_poll_gives_records_that_fit_the_domain_table(case: Case, tmp_path: Path) -> None:
    with _adapter(case, tmp_path) as adapter:
        batch = adapter.poll(None)
    assert isinstance(batch, Batch) and batch.records, batch.rejected
    for record in batch.records:
        assert isinstance(record, Record) and isinstance(record.key, str) and record.key
        try:
            validate_row(case.table, dict(record.fields))
        except InvalidRow as exc:
            pytest.fail(f"{case.kind} record {record.key} does not fit {case.table}: {exc}")


def test_watermark_is_json_and_a_repoll_brings_nothing_new(case: Case, tmp_path: Path) -> None:
    with _adapter(case, tmp_path) as adapter:
        first = adapter.poll(None)
        watermark = json.loads(json.dumps(first.watermark))
        again = adapter.poll(watermark)
    assert {r.key for r in again.records} <= {r.key for r in first.records}
    assert not again.more


def test_a_broken_source_fails_with_a_typed_error(case: Case, tmp_path: Path) -> None:
    with _adapter(case, tmp_path, broken=True) as adapter, pytest.raises(AdapterError) as error:
        adapter.poll(None)
    assert error.value.operator_message.strip() and error.value.kind in (
        "config",
        "transient",
        "source",
    )


def test_close_twice_and_use_again(case: Case, tmp_path: Path) -> None:
    with _adapter(case, tmp_path) as adapter:
        adapter.close()
        adapter.close()
        assert adapter.poll(None).records
