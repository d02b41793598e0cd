"""The feed server while the simulator writes: readers never fail on a locked database, and the
adapters' next polls pick up exactly the rows written since their watermarks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import httpx
from sqlalchemy import select

from data_adapters.contract import Adapter
from data_adapters.sources.httpclient import from_iso
from simulator.schema import hotline_tickets, public_posts, sensor_observations
from tests.simulator_server.support import START, Site, days_back_to, poll_all

AdapterFor = Callable[..., Adapter]
FAST = {"http": {"max_retries": 0, "timeout_seconds": 10}}
STEPS = 6
STEP = timedelta(minutes=10)


def test_polls_follow_the_simulator_as_it_writes(
    site: Site, adapter_for: AdapterFor, token: str
) -> None:
    begin = site.centre.sim_now
    assert begin is not None and begin + STEPS * STEP <= START + timedelta(hours=2)
    posts = adapter_for("sim-public-posts", **FAST)
    hotline = adapter_for(
        "sim-hotline", backfill_days=days_back_to(begin - timedelta(hours=1)), **FAST
    )
    sensors = adapter_for(
        "sim-traffic-index", backfill_days=days_back_to(begin - timedelta(hours=1)), **FAST
    )
    before = {name: poll_all(a) for name, a in (("posts", posts), ("hotline", hotline))}
    before["sensors"] = poll_all(sensors)

    failures: list[str] = []
    done = threading.Event()

    def write() -> None:
        try:
            for step in range(1, STEPS + 1):
                site.centre.advance_to(begin + step * STEP)
        finally:
            done.set()

    writer = threading.Thread(target=write, name="simulator-writer")
    writer.start()
    with httpx.Client(base_url=site.url, timeout=10) as http:
        while not done.is_set():
            for path in ("/healthz", "/sta/v1.1/Datastreams(1)/Observations?$top=50"):
                answer = http.get(path)
                if answer.status_code != 200:
                    failures.append(f"{path}: {answer.status_code} {answer.text[:200]}")
    writer.join()
    assert failures == []
    assert site.centre.sim_now == begin + STEPS * STEP

    cursor = from_iso(before["posts"].watermark["cursor"])
    new_posts = poll_all(posts, before["posts"].watermark)
    written = {
        row.post_id
        for row in site.rows(
            select(public_posts.c.post_id).where(public_posts.c.updated_at > cursor)
        )
    }
    assert written and written <= set(new_posts.records)
    assert from_iso(new_posts.watermark["cursor"]) > cursor

    cursor = from_iso(before["hotline"].watermark["cursor"])
    new_tickets = poll_all(hotline, before["hotline"].watermark)
    changed = {
        row.service_request_id
        for row in site.rows(
            select(hotline_tickets.c.service_request_id).where(
                hotline_tickets.c.updated_at > cursor
            )
        )
    }
    assert changed and changed <= set(new_tickets.records)
    assert from_iso(new_tickets.watermark["cursor"]) > cursor

    old = before["sensors"].watermark["datastreams"]
    new_readings = poll_all(sensors, before["sensors"].watermark)
    readings = site.rows(
        select(
            sensor_observations.c.datastream_id,
            sensor_observations.c.observation_id,
            sensor_observations.c.phenomenon_time,
        )
        .where(sensor_observations.c.datastream_id.in_([int(k) for k in old]))
        .where(sensor_observations.c.result.is_not(None))
    )
    fresh = {
        f"{row.datastream_id}:{row.observation_id}"
        for row in readings
        if row.phenomenon_time > from_iso(old[str(row.datastream_id)])
    }
    assert fresh and fresh <= set(new_readings.records)
    moved = new_readings.watermark["datastreams"]
    assert all(from_iso(moved[k]) >= from_iso(v) for k, v in old.items())
    assert any(from_iso(moved[k]) > from_iso(v) for k, v in old.items())
