"""The product's real adapters, configured exactly as docs/simulator-server.md says, poll the
feed server: every row arrives once, records validate for their domain table, watermarks
land on the newest row, a second poll brings nothing new, and failures raise the right error.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from data_adapters.contract import Adapter, ConfigError, TransientError
from data_adapters.domain import validate_row
from data_adapters.sources.config import SourceSpec
from data_adapters.sources.httpclient import from_iso, iso_utc
from simulator.schema import (
    cap_messages,
    catalogue_resources,
    hotline_tickets,
    public_posts,
    sensor_datastreams,
    sensor_observations,
    sensor_things,
)
from tests.simulator_server.support import START, Site, days_back_to, poll_all

AdapterFor = Callable[..., Adapter]
FAST = {"http": {"max_retries": 0, "timeout_seconds": 5}}


def _air_streams(site: Site) -> list[int]:
    return [
        row.datastream_id
        for row in site.rows(
            select(sensor_datastreams.c.datastream_id)
            .join(sensor_things, sensor_things.c.thing_id == sensor_datastreams.c.thing_id)
            .where(sensor_things.c.kind == "air_quality")
        )
    ]


def test_sensorthings_reads_every_observation_once(site: Site, adapter_for: AdapterFor) -> None:
    streams = _air_streams(site)
    obs = sensor_observations.c
    rows = site.rows(
        select(obs.datastream_id, obs.observation_id, obs.result).where(
            obs.datastream_id.in_(streams)
        )
    )
    # small pages, so that @iot.nextLink paging is exercised on every Datastream
    adapter = adapter_for("sim-air-quality", page_size=100, backfill_days=None, **FAST)

    polled = poll_all(adapter)

    expected = {f"{r.datastream_id}:{r.observation_id}" for r in rows if r.result is not None}
    assert set(polled.records) == expected
    # a poll that ran out of pages goes on with `ge` its cursor: only that reading is read twice
    repeats = Counter(polled.keys) - Counter(set(polled.keys))
    assert max(repeats.values(), default=0) <= polled.polls - 1
    assert len(repeats) <= len(streams) * (polled.polls - 1)
    assert len(polled.rejected) == sum(r.result is None for r in rows)
    assert all("not a number" in r.reason for r in polled.rejected)
    indicators = Counter()
    for record in polled.records.values():
        row = validate_row("observations", dict(record.fields))
        indicators[row["indicator"]] += 1
        assert row["district"] is not None
    assert set(indicators) == {"aqi", "pm25", "pm10", "o3", "no2"}

    newest = dict(
        site.rows(
            select(obs.datastream_id, func.max(obs.phenomenon_time))
            .where(obs.datastream_id.in_(streams))
            .group_by(obs.datastream_id)
        )
    )
    cursors = polled.watermark["datastreams"]
    assert {int(k): from_iso(v) for k, v in cursors.items()} == newest

    again = adapter.poll(polled.watermark)  # `ge` reads each boundary reading again, no more
    assert not again.more
    assert {r.key for r in again.records} <= set(polled.records)
    assert len(again.records) <= len(streams)
    assert again.watermark == polled.watermark


def test_open311_window_splitting_gets_every_ticket(site: Site, adapter_for: AdapterFor) -> None:
    ids = {
        row.service_request_id for row in site.rows(select(hotline_tickets.c.service_request_id))
    }
    # day-long windows hold ~3,200 tickets: the adapter must halve them under the 1,000 cap
    adapter = adapter_for(
        "sim-hotline", window_days=1, backfill_days=days_back_to(START - timedelta(days=3)), **FAST
    )

    polled = poll_all(adapter)

    assert set(polled.records) == ids
    assert not polled.rejected
    rows = [validate_row("posts", dict(r.fields)) for r in polled.records.values()]
    closed = site.count(hotline_tickets, hotline_tickets.c.status == "closed")
    assert sum(row["status"] == "closed" for row in rows) == closed
    assert all(row["channel"] == "12345" for row in rows)
    assert all(row["district"] for row in rows)
    assert all(row["closed_at"] is not None for row in rows if row["status"] == "closed")

    newest = site.scalar(select(func.max(hotline_tickets.c.updated_at)))
    assert polled.watermark == {"cursor": iso_utc(newest)}

    again = adapter.poll(polled.watermark)  # re-reads the 10-minute overlap only
    assert not again.more
    assert {r.key for r in again.records} <= ids
    updated = {
        row.service_request_id
        for row in site.rows(
            select(hotline_tickets.c.service_request_id).where(
                hotline_tickets.c.updated_at >= newest - timedelta(minutes=10)
            )
        )
    }
    assert {r.key for r in again.records} == updated
    assert again.watermark == polled.watermark


def test_open311_xml_gives_the_same_requests(site: Site, adapter_for: AdapterFor) -> None:
    recent = {"backfill_days": days_back_to(START - timedelta(hours=6)), "window_days": 90}
    as_json = poll_all(adapter_for("sim-hotline", **recent, **FAST))
    as_xml = poll_all(adapter_for("sim-hotline", **recent, format="xml", **FAST))

    assert as_xml.records.keys() == as_json.records.keys()
    assert len(as_json.records) > 100
    for key, record in as_json.records.items():
        assert as_xml.records[key].fields == record.fields


def test_exchange_posts_with_page_numbers(site: Site, adapter_for: AdapterFor, token: str) -> None:
    ids = {row.post_id for row in site.rows(select(public_posts.c.post_id))}
    adapter = adapter_for("sim-public-posts", pagination={"size": 500}, **FAST)

    polled = poll_all(adapter)

    assert len(polled.keys) == len(set(polled.keys)) == len(ids)
    assert set(polled.records) == ids
    assert not polled.rejected
    for record in polled.records.values():
        row = validate_row("posts", dict(record.fields))
        assert row["channel"] in {"weibo", "douyin", "forum", "gov_board"}
    newest = site.scalar(select(func.max(public_posts.c.updated_at)))
    assert polled.watermark == {"cursor": iso_utc(newest)}

    again = adapter.poll(polled.watermark)  # only the rows at the cursor itself
    assert {r.key for r in again.records} <= ids
    assert len(again.records) == site.count(public_posts, public_posts.c.updated_at >= newest)
    assert again.watermark == polled.watermark


def test_exchange_posts_with_the_keyset_cursor(
    site: Site, adapter_for: AdapterFor, token: str
) -> None:
    cursor_style = {
        "style": "cursor",
        "cursor_param": "cursor",
        "next_cursor_path": "data.next_cursor",
        "size_param": "page_size",
        "size": 300,
    }
    adapter = adapter_for("sim-public-posts", replace={"pagination": cursor_style}, **FAST)

    polled = poll_all(adapter)

    assert len(polled.keys) == len(set(polled.keys)) == site.count(public_posts)


def test_exchange_refuses_a_wrong_token(
    adapter_for: AdapterFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITYOPS_SIM_EXCHANGE_TOKEN", "not-the-token")
    adapter = adapter_for("sim-public-posts", **FAST)

    with pytest.raises(ConfigError, match="credentials"):
        adapter.poll(None)
    assert not adapter.check().ok


def test_cap_feed_links_every_message_once(site: Site, adapter_for: AdapterFor) -> None:
    messages = site.count(cap_messages)
    assert messages > 0, "the fixed START should have warnings in its history"
    adapter = adapter_for("sim-early-warnings", **FAST)

    batch = adapter.poll(None)

    assert not batch.more and not batch.rejected
    assert len(batch.records) == messages
    for record in batch.records:
        row = validate_row("alerts", dict(record.fields))
        assert row["origin"] == "cap"
        assert row["district"] is None or len(row["district"]) == 6
    assert len(batch.watermark["seen"]) == messages
    assert adapter.poll(batch.watermark).records == []


def test_injected_503_is_transient_and_clearing_recovers(
    site: Site, adapter_for: AdapterFor
) -> None:
    recent = days_back_to(START - timedelta(hours=1))
    adapter = adapter_for("sim-hotline", backfill_days=recent, window_days=90, **FAST)
    faults = f"{site.url}/admin/faults"
    answer = httpx.post(faults, json={"path_prefix": "/open311", "status": 503})
    assert answer.status_code == 201
    try:
        with pytest.raises(TransientError, match="503"):
            adapter.poll(None)
        assert not adapter.check().ok
    finally:
        httpx.post(faults, json={"clear": True}).raise_for_status()

    assert adapter.poll(None).records
    assert adapter.check().ok


def test_injected_stall_times_the_adapter_out(site: Site, adapter_for: AdapterFor) -> None:
    recent = days_back_to(START - timedelta(hours=1))
    adapter = adapter_for(
        "sim-water-level", http={"max_retries": 0, "timeout_seconds": 0.3}, backfill_days=recent
    )
    faults = f"{site.url}/admin/faults"
    fault = {"path_prefix": "/sta", "status": None, "delay_seconds": 1, "for_seconds": 10}
    httpx.post(faults, json=fault).raise_for_status()
    try:
        with pytest.raises(TransientError, match="did not answer"):
            adapter.poll(None)
    finally:
        httpx.post(faults, json={"clear": True}).raise_for_status()
    assert adapter.poll(None).records


def test_documented_sources_match_the_data_centre_catalogue(
    site: Site, doc_sources: dict[str, SourceSpec]
) -> None:
    c = catalogue_resources.c
    for spec in doc_sources.values():
        entry = spec.catalogue
        row = site.rows(select(catalogue_resources).where(c.resource_id == entry.resource_id))
        assert row, f"{spec.id}: no catalogue entry {entry.resource_id}"
        listed = row[0]
        assert (entry.name_zh, entry.name_en, entry.provider, entry.provider_en) == (
            listed.name_zh,
            listed.name_en,
            listed.provider,
            listed.provider_en,
        ), spec.id
        assert (entry.share_type, entry.update_cycle) == (
            listed.share_type,
            listed.update_cycle,
        ), spec.id
