"""Vital-signs page benchmark: how fast `/vitals` is ready in a browser, and how many refreshes
of its tiles per second the web tier serves, each against a bare Dash app measured in the run.

It builds a SQLite ops store in a temporary folder (every one of the 28 indicators with 30 days
of observations, hourly for the hourly ones and back to the sparkline's span for monthly and
quarterly ones; the 12345 tickets, warnings and incidents the clock derives three of them from;
a status row for every source of `data_adapters/demo_sources.toml`; then `run_derive`), and
serves it with gunicorn as `cityops web` does (2 workers, gthread, 4 threads) on a free
loopback port, beside a bare Dash app with one echo callback (`bench/dash_echo.py`) served the
same way. It measures:

1. Page ready: in headless Chromium at 1920×1080 (set with CDP), the time from navigation start
   (`performance.now()`) until every indicator's tile shows its value and no component is in
   Dash's loading state, over 10 loads in one tab with the HTTP cache cleared before each;
   median and p90. Aim: median under 1.5 s. The bare Dash page (its one callback answered) is
   the baseline; also shown: when the values alone are on screen, and the sparklines drawn.
2. Refresh callback throughput: requests/s and latency of the page's refresh callback (the
   request the browser sent, captured from the CDP Network log) from 8 keep-alive clients,
   15 s per case in 3 rounds of 5 s interleaved with the echo callback's; with the State's
   snapshot stamp current (nothing changed: 204, no update) and stale (the tiles are sent
   again, from the per-snapshot cache), and the latency right after a new snapshot (the tiles
   rebuilt). Aim: at least half the echo callback's rate.

Usage: `python bench/vitals.py [--duration 15] [--loads 10]`. Everything stays on 127.0.0.1;
the run stops by itself (a time limit) and removes its processes and files. The table's last
column is the CPU (in cores, of 2) that processes outside the run used meanwhile.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import numpy as np
from gunicorn.app.base import BaseApplication
from selenium import webdriver
from sqlalchemy import Engine, func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import data_adapters
from bench import dash_echo, support
from bench.support import (
    Measurement,
    OtherLoad,
    free_port,
    measure,
    pct,
    print_table,
    time_limited,
)
from dashboard.data.catalogue import configured_sources
from dashboard.data.vitals import district_names
from data_adapters.cycles import poll_interval
from data_adapters.derive.derived import SOURCE_ID as DERIVED_ID
from data_adapters.derive.periods import SERIES_LENGTH, period_start, shift
from data_adapters.derive.run import run_derive
from data_adapters.indicators import Indicator, default_indicators
from data_adapters.settings import Settings
from data_adapters.store import make_engine
from data_adapters.store.migrate import upgrade
from data_adapters.store.schema import alerts, incidents, observations, posts, source_status

DEMO_SOURCES = Path(data_adapters.__file__).resolve().parent / "demo_sources.toml"
INDICATORS: tuple[Indicator, ...] = default_indicators()
DISTRICTS: tuple[str, ...] = tuple(district_names())  # the six adcodes
DAYS = 30
#: Observations the clock derives from posts, alerts and incidents (seeded as those).
DERIVED_BY_THE_CLOCK = {
    "hotline_tickets",
    "hotline_closed_in_time",
    "active_warnings",
    "open_incidents",
}
#: A plausible level of each indicator read from a source, in stored units.
LEVELS = {
    "population": 700_000, "migration_in": 900, "gdp": 230, "budget_revenue": 4.5,
    "retail_sales": 25, "foreign_trade": 15, "industrial_growth": 7, "cpi": 101,
    "enterprises": 60_000, "new_enterprises": 700, "port_cargo": 3000, "port_teu": 60,
    "port_cargo_daily": 1_000_000, "ships_at_berth": 40, "aqi": 60, "pm25": 35,
    "water_level_over_warning": -1.2, "do": 7, "nh3n": 0.4, "congestion_index": 1.4,
    "bus_on_time": 94, "hotline_satisfaction": 92, "credit_penalties": 30,
    "certificates_issued": 400,
}  # fmt: skip
STATIONS = 2  # readings per district and hour of an hourly indicator rolled up by mean/min/max
TICKETS_PER_DAY = 150

WORKERS, THREADS = 2, 4
CLIENTS, CLIENT_PROCESSES = 8, 2  # 8 keep-alive clients: 4 threads in each of 2 processes
WARMUP = 1.0  # seconds of load before each measured window
ROUNDS = 3  # each case's duration is split in rounds, the cases interleaved
COLD_SAMPLES = 5
VIEWPORT = support.VIEWPORT_1080P
UPDATE = "/_dash-update-component"
READY_TIMEOUT = 30.0
ECHO_OUTPUT = f"{dash_echo.OUTPUT_ID}.children"
Call = tuple[str, dict]  # a callback request: the URL (with Dash's query) and the body
TIME_LIMIT = 330  # seconds; a run takes about 2 minutes


# --- the store --------------------------------------------------------------------------------


def _reading(source: str, indicator: str, district: str | None, at: datetime, value: float):
    return {
        "source_id": source,
        "source_key": f"{indicator}|{district or ''}|{at.isoformat()}",
        "ingested_at": at,
        "indicator": indicator,
        "district": district,
        "observed_at": at,
        "value": float(value),
    }


def source_readings(indicator: Indicator, now: datetime, rng: np.random.Generator) -> list[dict]:
    """An indicator's readings over 30 days (or its sparkline's span if longer), per district
    and, for city-row indicators, for the city; hourly ones from several stations."""
    level = LEVELS[indicator.observation]
    days = {"hour": DAYS * 24, "day": DAYS}.get(indicator.period, 0)
    periods = max(SERIES_LENGTH[indicator.period], days)
    stations = STATIONS if indicator.period == "hour" and indicator.rollup != "last" else 1
    places: list[str | None] = list(DISTRICTS) + ([None] if indicator.city == "city_row" else [])
    start = period_start(now, indicator.period)
    rows = []
    for back in range(periods):
        begins = shift(start, indicator.period, -back).astimezone(UTC)
        daily = 1 + 0.08 * math.sin(2 * math.pi * begins.hour / 24) + 0.03 * math.sin(back / 5)
        for position, district in enumerate(places):
            share = 1.0 if district is None else 1 - 0.03 * position
            for station in range(stations):
                at = begins + timedelta(minutes=5 + 30 * station)
                if at > now:
                    continue
                value = level * daily * share * rng.normal(1, 0.02)
                row = _reading(indicator.source, indicator.observation, district, at, value)
                row["source_key"] += f"|{station}"
                rows.append(row)
    return rows


def clock_inputs(now: datetime, rng: np.random.Generator) -> tuple[list, list, list, list]:
    """12345 tickets over 30 days, warnings and incidents (some in force, some over), and the
    hourly history of the two indicators the clock derives for the current hour only."""
    tickets = []
    first = now - timedelta(days=DAYS)
    for n in range(DAYS * TICKETS_PER_DAY):
        posted = first + timedelta(seconds=float(rng.uniform(0, DAYS * 86_400)))
        due = posted + timedelta(days=2)
        closed = posted + timedelta(hours=float(rng.gamma(3, 14)))
        tickets.append(
            {
                "source_id": "hotline-12345",
                "source_key": f"ticket-{n}",
                "ingested_at": posted,
                "channel": "12345",
                "text": f"市民诉求 {n}",
                "posted_at": posted,
                "district": None if n % 10 == 0 else DISTRICTS[n % len(DISTRICTS)],
                "category": "城市管理",
                "status": "closed" if closed <= now else "open",
                "due_at": due,
                "closed_at": closed if closed <= now else None,
            }
        )
    warnings = [
        {
            "source_id": "cap-warnings",
            "source_key": f"cap-{n}",
            "ingested_at": now - timedelta(hours=hours),
            "origin": "cap",
            "sent": now - timedelta(hours=hours),
            "msg_type": "Alert",
            "cap_status": "Actual",
            "event": "大风",
            "severity": "Moderate",
            "headline": "大风蓝色预警",
            "onset": now - timedelta(hours=hours),
            "expires": now + timedelta(hours=12 - hours),
            "state": "active",
        }
        for n, hours in enumerate((2, 6, 30))  # the last one has expired
    ]
    states = ["open", "dispatched", "resolved", "closed", "closed"]
    cases = [
        {
            "ref": f"INC-{n:04d}",
            "type": "traffic",
            "severity": "minor",
            "title": f"事件 {n}",
            "district": DISTRICTS[n % len(DISTRICTS)],
            "state": states[n % 5],
            "origin": "manual",
            "created_at": now - timedelta(hours=n),
            "updated_at": now - timedelta(hours=n),
        }
        for n in range(40)
    ]
    history = []
    hour = period_start(now, "hour")
    for back in range(1, DAYS * 24):
        at = shift(hour, "hour", -back)
        history.append(_observation("active_warnings", None, at, rng.integers(0, 3)))
        history += [_observation("open_incidents", d, at, rng.integers(0, 4)) for d in DISTRICTS]
    return tickets, warnings, cases, history


def _observation(indicator: str, district: str | None, at: datetime, value: float) -> dict:
    """A row as the clock's derive step writes it (its key included), for an hour gone by."""
    return {
        "source_id": DERIVED_ID,
        "source_key": f"{indicator}|{district or ''}|{at.isoformat()}",
        "ingested_at": at,
        "indicator": indicator,
        "district": district,
        "observed_at": at,
        "value": float(value),
    }


def build_store(engine: Engine, settings: Settings, now: datetime) -> Measurement:
    """Seed the store and run the clock's derive step once."""
    rng = np.random.default_rng(20261128)
    with measure() as result:
        upgrade(engine)
        rows = [
            row
            for indicator in INDICATORS
            if indicator.observation not in DERIVED_BY_THE_CLOCK
            for row in source_readings(indicator, now, rng)
        ]
        tickets, warnings, cases, history = clock_inputs(now, rng)
        specs = configured_sources(settings)
        statuses = [
            {
                "source_id": source_id,
                "kind": spec.kind,
                "last_attempt_at": now,
                "last_success_at": now,
                "rows_in": 1000,
                "next_due_at": now + poll_interval(spec.catalogue.update_cycle),
                "updated_at": now,
            }
            for source_id, spec in specs.items()
        ]
        with engine.begin() as connection:
            connection.execute(insert(observations), rows + history)
            connection.execute(insert(posts), tickets)
            connection.execute(insert(alerts), warnings)
            connection.execute(insert(incidents), cases)
            connection.execute(insert(source_status), statuses)
        run_derive(engine, INDICATORS, now=now)
        with engine.connect() as connection:
            stored = connection.scalar(select(func.count()).select_from(observations))
            seen = connection.scalars(select(observations.c.indicator).distinct()).all()
    missing = {i.observation for i in INDICATORS} - set(seen)
    if missing or not specs:
        raise RuntimeError(f"no observations of {missing}, or no sources in {DEMO_SOURCES}")
    result.extra.update(rows=stored, sources=len(statuses))
    return result


# --- the servers ------------------------------------------------------------------------------


def gunicorn_options(port: int) -> dict[str, Any]:
    """`cityops web`'s options (dashboard/commands/web.py), on loopback, quieter."""
    return {
        "bind": f"127.0.0.1:{port}",
        "workers": WORKERS,
        "threads": THREADS,
        "worker_class": "gthread",
        "timeout": 60,
        "graceful_timeout": 5,
        "accesslog": None,
        "loglevel": "warning",
        "proc_name": "cityops-bench-web",
    }


class _Gunicorn(BaseApplication):
    """gunicorn serving the vital-signs app (settings from CITYOPS_*) or the echo app; each
    worker leaves a file in `ready_dir` once its app is built and warmed up."""

    def __init__(self, kind: str, port: int, ready_dir: Path) -> None:
        self._kind, self._port, self._ready_dir = kind, port, ready_dir
        super().__init__()

    def load_config(self) -> None:
        for key, value in gunicorn_options(self._port).items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        if self._kind == "vitals":
            from dashboard.app import create_app

            app = create_app(Settings())
        else:
            app = dash_echo.create_echo_app()
        (self._ready_dir / f"{self._kind}-{os.getpid()}").touch()
        return app.server


@contextmanager
def served(kind: str, folder: Path, env: dict[str, str]) -> Iterator[str]:
    """Run gunicorn for `kind` in its own process group until the block ends; its base URL."""
    port = free_port()
    ready = folder / f"ready-{kind}"
    ready.mkdir()
    log = folder / f"gunicorn-{kind}.log"
    command = [sys.executable, __file__, "--serve", kind, "--port", str(port)]
    command += ["--ready", str(ready)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            env={**os.environ, **env},
            cwd=folder,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 90
        while len(list(ready.iterdir())) < WORKERS:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn ({kind}) did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            process.terminate()  # gunicorn's graceful stop, its workers included
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the group this run started
                process.wait(timeout=5)


# --- the browser ------------------------------------------------------------------------------

#: Installed in every new document before its scripts. On the animation frame that first shows
#: it, it notes when every tile shows a value (`shown`), when that holds and no component is in
#: Dash's loading state (`ready`: the aim's measure) and when every sparkline is drawn, and the
#: main thread's long tasks before `ready` and what was loading last before it. (Dash's store
#: flag `isLoading` is not used: the shell's 1 s clock callback sets it every second.)
WATCHER = """
(() => {
  const expected = __TILES__;
  const busy = () => Array.from(
      document.querySelectorAll('._dash-loading, [data-dash-is-loading="true"]'),
      e => e.id || e.className).sort().join(' ');
  const shows = {
    vitals: () => {
      const tiles = document.querySelectorAll('.vitals-tile');
      return tiles.length === expected && Array.from(tiles).every(t => {
        const value = t.querySelector('.tile-number');
        return value && value.textContent.trim() !== '';
      });
    },
    echo: () => (document.getElementById('echo-out') || {}).textContent === 'ping',
  };
  const sparks = () => Array.from(document.querySelectorAll('.vitals-tile'))
      .every(t => t.querySelector('.tile-spark .main-svg'));
  const state = window.__bench = {shown: null, ready: null, spark: null, long: 0, held: ''};
  const long = [];
  new PerformanceObserver(list => long.push(...list.getEntries()))
      .observe({type: 'longtask', buffered: true});
  const tick = () => {
    const now = performance.now();
    const kind = location.pathname.startsWith('/vitals') ? 'vitals' : 'echo';
    if (state.shown === null && shows[kind]()) state.shown = now;
    if (state.shown !== null && state.ready === null) {
      const loading = busy();
      if (loading) state.held = loading;
      else {
        state.ready = now;
        state.long = long.filter(t => t.startTime < now).reduce((s, t) => s + t.duration, 0);
      }
    }
    if (state.shown !== null && state.spark === null && (kind !== 'vitals' || sparks()))
      state.spark = now;
    if ((state.ready === null || state.spark === null) && now < __LIMIT__)
      requestAnimationFrame(tick);
  };
  if (location.protocol.startsWith('http')) requestAnimationFrame(tick);
})();
"""


def chromium(folder: Path) -> webdriver.Chrome:
    """Headless Chromium at exactly 1920×1080 with the page watcher in every document."""
    source = WATCHER.replace("__TILES__", str(len(INDICATORS)))
    source = source.replace("__LIMIT__", str(READY_TIMEOUT * 1000))
    return support.chromium(
        folder, VIEWPORT, scripts=(source,), script_timeout=READY_TIMEOUT, disable_cache=False
    )


def posted_bodies(driver: webdriver.Chrome) -> list[tuple[str, dict]]:
    """The callback requests the page sent since the last call, from the CDP Network log:
    (path with query, body). Dash 4 adds a signed `endId` to the path for each page load."""
    bodies = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") != "Network.requestWillBeSent":
            continue
        request = message["params"]["request"]
        address = urlsplit(request["url"])
        if address.path != UPDATE or request.get("method") != "POST":
            continue
        data = request.get("postData")
        if data is None:
            found = driver.execute_cdp_cmd(
                "Network.getRequestPostData", {"requestId": message["params"]["requestId"]}
            )
            data = found["postData"]
        bodies.append((f"{address.path}?{address.query}", json.loads(data)))
    return bodies


def load_page(driver: webdriver.Chrome, url: str) -> dict[str, float]:
    """One load with the HTTP cache cleared; milliseconds from navigation start."""
    driver.get("about:blank")
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    driver.get(url)
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        state = driver.execute_script("return window.__bench")
        if state and state["ready"] is not None and state["spark"] is not None:
            navigation = driver.execute_script(
                "return performance.getEntriesByType('navigation')[0].toJSON()"
            )
            return {**navigation, **state}
        time.sleep(0.05)
    missing = driver.execute_script(
        "return [Array.from(document.querySelectorAll('.vitals-tile'))"
        ".filter(t => !t.querySelector('.tile-number')).map(t => t.dataset.indicator),"
        "Array.from(document.querySelectorAll('[data-dash-is-loading=\"true\"]')).map(e => e.id)]"
    )
    raise RuntimeError(
        f"{url} was not ready in {READY_TIMEOUT:.0f} s (no value: {missing[0]}, "
        f"loading: {missing[1]})"
    )


def refresh_output(vitals_url: str) -> str:
    """The `output` key of the page's refresh callback: fired by a `vitals…` Interval alone."""
    dependencies = httpx.get(f"{vitals_url}/_dash-dependencies", trust_env=False).json()
    for dependency in dependencies:
        inputs = dependency["inputs"]
        if (
            len(inputs) == 1
            and inputs[0]["property"] == "n_intervals"
            and str(inputs[0]["id"]).startswith("vitals")
        ):
            return dependency["output"]
    raise RuntimeError("no callback of the vitals page is fired by an Interval")


# --- load from 8 clients ----------------------------------------------------------------------


def _clients(target: str, body: bytes, threads: int, start_at: float, duration: float) -> dict:
    """`threads` keep-alive clients posting `body` from `start_at`; what the measured window
    (after WARMUP) saw. Runs in a pool process."""
    begin = start_at + WARMUP
    end = begin + duration
    lock = threading.Lock()
    total: dict[str, Any] = {"latency": [], "status": Counter(), "bytes": 0, "errors": 0}

    def client() -> None:
        latency, status, size, errors = [], Counter(), 0, 0
        headers = {"Content-Type": "application/json"}
        with httpx.Client(headers=headers, timeout=30, trust_env=False) as http:
            while time.time() < start_at:
                time.sleep(0.002)
            while time.time() < end:
                started = time.perf_counter()
                try:
                    response = http.post(target, content=body)
                except httpx.HTTPError:
                    errors += 1
                    time.sleep(0.01)
                    continue
                took = time.perf_counter() - started
                if begin <= time.time() < end:
                    latency.append(took)
                    status[response.status_code] += 1
                    size += len(response.content)
        with lock:
            total["latency"] += latency
            total["status"] += status
            total["bytes"] += size
            total["errors"] += errors

    cpu = time.process_time()
    workers = [threading.Thread(target=client) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    total["cpu"] = time.process_time() - cpu
    return total


def _spawned(_: int) -> int:
    time.sleep(0.3)
    return os.getpid()


def hammer(pool: Any, target: str, body: dict, duration: float) -> dict[str, Any]:
    """8 clients posting `body` to `target` for `duration` s (after WARMUP): their requests,
    and the CPU (in cores) the clients and the processes outside this run used meanwhile."""
    data = json.dumps(body).encode()
    start_at = time.time() + 0.5
    per = CLIENTS // CLIENT_PROCESSES
    with OtherLoad() as others:
        parts = [
            pool.apply_async(_clients, (target, data, per, start_at, duration))
            for _ in range(CLIENT_PROCESSES)
        ]
        results = [part.get(timeout=WARMUP + duration + 60) for part in parts]
    merged = combine(results)
    merged["seconds"] = duration
    merged["rate"] = len(merged["latency"]) / duration
    merged["client_cores"] = merged["cpu"] / (WARMUP + duration + 0.5)
    merged["others"] = others.cores
    return merged


def combine(parts: list[dict]) -> dict[str, Any]:
    """Client results (or rounds) added up; the rate over their measured seconds."""
    merged: dict[str, Any] = {"latency": [], "status": Counter(), "bytes": 0, "errors": 0}
    for part in parts:
        for key in merged:
            merged[key] += part[key]
    merged["cpu"] = sum(part.get("cpu", 0.0) for part in parts)
    if all("seconds" in part for part in parts):
        merged["seconds"] = sum(part["seconds"] for part in parts)
        merged["rate"] = len(merged["latency"]) / merged["seconds"]
        merged["client_cores"] = float(np.mean([part["client_cores"] for part in parts]))
        merged["others"] = float(np.mean([part["others"] for part in parts]))
    return merged


def post(target: str, body: dict) -> httpx.Response:
    return httpx.post(target, json=body, timeout=30, trust_env=False)


def with_stamp(body: dict, stamp: str) -> dict:
    """`body` with the State that is also an Output (the snapshot stamp) set to `stamp`."""
    outputs = body["outputs"] if isinstance(body["outputs"], list) else [body["outputs"]]
    written = {(o["id"], o["property"]) for o in outputs}
    state = [
        {**s, "value": stamp} if (s["id"], s["property"]) in written else s for s in body["state"]
    ]
    if not any((s["id"], s["property"]) in written for s in state):
        raise RuntimeError("the refresh callback has no State that it also writes (a stamp)")
    return {**body, "state": state}


def current_stamp(target: str, body: dict) -> str:
    """The stamp the server has now: a stale one gets the tiles and the new stamp back."""
    response = post(target, with_stamp(body, "bench-stale"))
    response.raise_for_status()
    written = {(s["id"], s["property"]) for s in body["state"]}
    for component, props in response.json()["response"].items():
        for prop, value in props.items():
            if (component, prop) in written:
                return value
    raise RuntimeError("the refresh callback sent no stamp back")


# --- the run ----------------------------------------------------------------------------------


def row(
    name: str,
    n: int,
    ms: list[float],
    *,
    rate: str = "",
    tails: bool = False,
    size: str = "",
    ratio: str = "",
    others: float | None = None,
) -> tuple[str, ...]:
    """One line of the table; times in ms."""
    return (
        name,
        f"{n:,}",
        rate,
        f"{pct(ms, 50):.1f}",
        f"{pct(ms, 90):.1f}" if len(ms) > 1 else "",
        f"{pct(ms, 95):.1f}" if tails else "",
        f"{pct(ms, 99):.1f}" if tails else "",
        size,
        ratio,
        "" if others is None else f"{others:.2f}",
    )


def load_row(name: str, result: dict, base: dict | None = None) -> tuple:
    ms = [1000 * t for t in result["latency"]]
    return row(
        name,
        len(ms),
        ms,
        rate=f"{result['rate']:,.0f}",
        tails=True,
        size=f"{result['bytes'] / max(len(ms), 1) / 1024:.1f}",
        ratio=f"{result['rate'] / base['rate']:.2f}×" if base else "",
        others=result["others"],
    )


def check(result: dict, status: int, name: str) -> None:
    wrong = {code: n for code, n in result["status"].items() if code != status}
    if wrong or result["errors"]:
        raise RuntimeError(
            f"{name}: expected only {status}, got {wrong}, {result['errors']} errors"
        )


def page_ready(
    driver: webdriver.Chrome, echo: str, vitals: str, loads: int, refresh_key: str
) -> tuple[list, list[str], list[float], Call, Call]:
    """The page-ready rows, notes and times, and the echo and refresh callback requests the
    browser sent (the refresh fires 15 s after the last load)."""
    with OtherLoad() as echo_others:
        echo_loads = [load_page(driver, f"{echo}/") for _ in range(loads)]
    path, echo_body = next(c for c in posted_bodies(driver) if c[1]["output"] == ECHO_OUTPUT)
    echo_call = (f"{echo}{path}", echo_body)
    first = load_page(driver, f"{vitals}/vitals")
    screen = driver.execute_script("return [innerWidth, innerHeight, devicePixelRatio]")
    if screen != [VIEWPORT["width"], VIEWPORT["height"], 1]:
        raise RuntimeError(f"the viewport is {screen}, not {VIEWPORT}")
    with OtherLoad() as vitals_others:
        vitals_loads = [load_page(driver, f"{vitals}/vitals") for _ in range(loads)]
    posted_bodies(driver)
    deadline = time.monotonic() + 25
    found: list[tuple[str, dict]] = []
    while not found and time.monotonic() < deadline:
        time.sleep(0.5)
        found = [c for c in posted_bodies(driver) if c[1]["output"] == refresh_key]
    if not found:
        raise RuntimeError("the page sent no refresh request within 25 s")
    path, refresh_body = found[0]
    refresh_call = (f"{vitals}{path}", refresh_body)
    base = [m["ready"] for m in echo_loads]
    ready = [m["ready"] for m in vitals_loads]
    ratio = f"{np.median(ready) / np.median(base):.2f}×"
    rows = [
        row("page ready: bare Dash page (baseline)", loads, base, others=echo_others.cores),
        row("page ready: /vitals, first load", 1, [first["ready"]]),
        row("page ready: /vitals", loads, ready, ratio=ratio, others=vitals_others.cores),
        row("  …every tile's value shown", loads, [m["shown"] for m in vitals_loads]),
        row("  …every sparkline drawn", loads, [m["spark"] for m in vitals_loads]),
    ]
    timing = {
        key: np.median([m[key] for m in vitals_loads])
        for key in ("responseEnd", "domContentLoadedEventEnd", "loadEventEnd", "long")
    }
    waits = Counter(m["held"] for m in vitals_loads if m["held"])
    notes = [
        "/vitals loads, median ms from navigation start: HTML received "
        f"{timing['responseEnd']:.0f}, DOMContentLoaded {timing['domContentLoadedEventEnd']:.0f}, "
        f"load event {timing['loadEventEnd']:.0f}; main-thread long tasks before ready "
        f"{timing['long']:.0f} ms (bare page: {np.median([m['long'] for m in echo_loads]):.0f})",
        "/vitals loads, components still loading after the values were shown: "
        + ("; ".join(f"{held} ({n} of {loads})" for held, n in waits.most_common()) or "none"),
        f"refresh request as the browser sent it: POST {path} "
        + json.dumps(refresh_body, ensure_ascii=False),
    ]
    return rows, notes, ready, echo_call, refresh_call


def callback_load(
    pool: Any,
    echo_call: Call,
    refresh_call: Call,
    duration: float,
    engine: Engine,
) -> tuple[list, list[str], dict]:
    """The throughput rows and notes: echo, refresh unchanged and changed, then the changed
    case right after a new snapshot (the tiles rebuilt), a request at a time."""
    target, body = refresh_call
    unchanged = with_stamp(body, current_stamp(target, body))
    changed = with_stamp(body, "bench-stale")
    if post(target, unchanged).status_code != 204 or post(target, changed).status_code != 200:
        raise RuntimeError("the refresh callback did not answer 204 unchanged, 200 changed")
    cases = (
        ("echo", echo_call, 200),
        ("unchanged", (target, unchanged), 204),
        ("changed", (target, changed), 200),
    )
    rounds: dict[str, list[dict]] = {name: [] for name, _, _ in cases}
    for _ in range(ROUNDS):  # interleaved, so that a change of the machine's load hits all
        for name, (url, payload), status in cases:
            rounds[name].append(hammer(pool, url, payload, duration / ROUNDS))
            check(rounds[name][-1], status, name)
    results = {name: combine(parts) for name, parts in rounds.items()}
    base = results["echo"]
    rows = [
        load_row("callback: echo (baseline)", base),
        load_row("callback: refresh, unchanged (204)", results["unchanged"], base),
        load_row("callback: refresh, changed (tiles)", results["changed"], base),
    ]
    spread = {
        name: [r["rate"] / e["rate"] for r, e in zip(rounds[name], rounds["echo"], strict=True)]
        for name in ("unchanged", "changed")
    }
    cold, derives, size = [], [], 0
    with OtherLoad() as cold_others:
        for _ in range(COLD_SAMPLES):
            derives.append(run_derive(engine, INDICATORS, now=datetime.now(UTC)).seconds)
            time.sleep(1.1)  # the board is read once a second per worker
            started = time.perf_counter()
            response = post(target, changed)
            cold.append(1000 * (time.perf_counter() - started))
            if response.status_code != 200:
                raise RuntimeError(f"refresh after a new snapshot: {response.status_code}")
            size = len(response.content)
    rows.append(
        row(
            "callback: refresh, new snapshot, 1 client",
            len(cold),
            cold,
            size=f"{size / 1024:.1f}",
            others=cold_others.cores,
        )
    )
    notes = [
        "load generator CPU, cores: "
        + ", ".join(f"{k} {v['client_cores']:.2f}" for k, v in results.items()),
        "ratio to echo by round: "
        + "; ".join(f"{k} " + ", ".join(f"{x:.2f}" for x in v) for k, v in spread.items()),
        f"run_derive before each new-snapshot sample: median {np.median(derives):.2f} s",
    ]
    return rows, notes, {k: v["rate"] for k, v in results.items()}


def run(folder: Path, loads: int, duration: float) -> None:
    var = folder / "var"
    var.mkdir()
    env = {
        "CITYOPS_VAR_DIR": str(var),
        "CITYOPS_SOURCES_FILE": str(DEMO_SOURCES),
        "CITYOPS_SECRET_KEY": os.urandom(16).hex(),
        "CITYOPS_LOG_LEVEL": "WARNING",
        "CITYOPS_DATABASE_URL": "",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    settings = Settings(var_dir=var, sources_file=DEMO_SOURCES, database_url="")
    engine = make_engine(settings.store_url)
    built = build_store(engine, settings, datetime.now(UTC))
    print(
        f"store: {built.extra['rows']:,} observations of {len(INDICATORS)} indicators, "
        f"{built.extra['sources']} source status rows, built and derived in {built.seconds:.1f} s",
        flush=True,
    )
    with ExitStack() as stack:
        pool = stack.enter_context(multiprocessing.get_context("spawn").Pool(CLIENT_PROCESSES))
        stack.callback(pool.terminate)
        spawning = pool.map_async(_spawned, range(CLIENT_PROCESSES))
        vitals = stack.enter_context(served("vitals", folder, env))
        echo = stack.enter_context(served("echo", folder, env))
        spawning.get(timeout=60)
        driver = chromium(folder)
        try:
            page_rows, page_notes, ready, echo_call, refresh_call = page_ready(
                driver, echo, vitals, loads, refresh_output(vitals)
            )
        finally:
            driver.quit()
        print("page loads done; loading the callbacks", flush=True)
        load_rows, load_notes, rates = callback_load(
            pool, echo_call, refresh_call, duration, engine
        )
    engine.dispose()

    print_table(
        f"vital-signs page benchmark: {len(INDICATORS)} indicators; gunicorn {WORKERS} workers × "
        f"{THREADS} threads (gthread); {loads} page loads at {VIEWPORT['width']}×"
        f"{VIEWPORT['height']} in one tab, HTTP cache cleared before each; {CLIENTS} clients × "
        f"{duration:.0f} s",
        page_rows + load_rows,
        (
            "step",
            "n",
            "req/s",
            "p50 ms",
            "p90 ms",
            "p95 ms",
            "p99 ms",
            "KB",
            "vs baseline",
            "others' CPU",
        ),
    )
    for note in page_notes + load_notes:
        print(f"  {note}")
    median = float(np.median(ready))
    verdict = "met" if median < 1500 else "NOT met"
    print(
        f"\npage ready: median {median / 1000:.2f} s, p90 {pct(ready, 90) / 1000:.2f} s; "
        f"aim median < 1.5 s: {verdict}"
    )
    for name in ("unchanged", "changed"):
        share = rates[name] / rates["echo"]
        verdict = "met" if share >= 0.5 else "NOT met"
        print(
            f"refresh callback, {name}: {rates[name]:,.0f} req/s = {share:.2f}× echo "
            f"({rates['echo']:,.0f} req/s); aim ≥ 0.5×: {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of load per case")
    parser.add_argument("--loads", type=int, default=10, help="page loads to time")
    parser.add_argument("--serve", choices=("vitals", "echo"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--ready", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _Gunicorn(args.serve, args.port, args.ready).run()
        return
    with (
        time_limited(TIME_LIMIT),
        tempfile.TemporaryDirectory(prefix="cityops-bench-vitals-") as folder,
    ):
        run(Path(folder), args.loads, args.duration)


if __name__ == "__main__":
    main()
