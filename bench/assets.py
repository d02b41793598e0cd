"""Asset map benchmark: how fast `/assets` is ready in a browser with 100,000 and 300,000
assets, against bare dash-leaflet clustering measured in the same run, how usable it stays
(a zoom-in re-clustered, the JS heap), and how big the filter callback's answer is.

For each size N (`--sizes`, default 100,000 and 300,000) it builds a SQLite ops store
(migrated with `data_adapters.store.migrate.upgrade`) of N point assets inside the six district
outlines of `assets/geo/lianyungang-districts.geojson`, clustered around the urban centres as
the simulator places them (`simulator.geography`), kinds in the simulator's proportions
(street lights 62 %, manhole covers 15 %, CCTV 8.5 %, hydrants 7.5 %, bus stops 3.5 %, signals
1.2 %, schools, hospitals), 0.5 % of them in fault, maintenance or offline; plus the
simulator's share of pipes (GeoJSON LineStrings, 3.6 per 100 points) and parks (polygons, 0.2
per 100 points), and a status change for every asset that is not normal. Rows go in with
SQLAlchemy Core executemany in chunks; one store serves every run of its size (`--stores DIR`
keeps them between runs).

Two apps are served by gunicorn as `cityops web` serves (2 workers, gthread, 4 threads) on
free loopback ports, and headless Chromium at exactly 1920×1080 (CDP) loads them with the HTTP
cache disabled (CDP `Network.setCacheDisabled`), each load a fresh navigation:

- bare (the baseline): a Dash page with only `dl.Map` and one `dl.GeoJSON(url=...,
  format="geobuf", cluster=True, zoomToBoundsOnClick=True)`, no tiles, whose URL is a Flask
  route answering the geobuf body of all N points that our route builds (`points_body` of the
  whole-city filter: the same properties), encoded once at start and sent uncompressed; and
  the same page with `format="geojson"` reading those points as GeoJSON, for reference (at
  the first size only);
- ours: `dashboard.app.create_app` with the demo sources, page `/assets`.

"Ready" is the first animation frame, in ms from navigation start (`performance.now()`), at
which cluster markers are in the DOM (`.leaflet-marker-icon`); for ours also the layer of assets
that are not normal drawn (SVG paths, or a canvas, in `.leaflet-assets-alerts-pane`) and
`#assets-summary` filled. Median and p90 of `--loads` loads per app, the apps interleaved. Ours
warm: the server's body caches filled first (a page load, then the point and shape URLs fetched
repeatedly over fresh connections so both workers hold them); ours cold: the first load after
the server started (its bodies encoded meanwhile), one server start per sample (`--cold`).
Aim: ours warm within 1.5× bare geobuf at 100,000 assets.

Beside them, ours with only the point kinds ticked (`/assets?kinds=...`): the same page
without the layer of pipes and parks, which shows what drawing that layer costs.

After each load of ours and of bare geobuf the zoom-in button is clicked and timed until the
map has re-clustered (from the click to the last change of the map's layers, once the zoom
animation is over and nothing has changed for 0.5 s), then the JS heap is read after a garbage
collection (CDP `HeapProfiler.collectGarbage`, `Performance.getMetrics`). On a warm page of
ours the street-light layer is switched off and the `_dash-update-component` answers are
measured from the CDP Network log (body bytes, and bytes on the wire) against the geobuf body
of all points (aim: no larger), with the time until the map was redrawn. Where the time goes:
a waterfall of the clustered layer's body from resource timing (requested, the server's wait
until its first byte, received, ready), and one more load of each app under the CDP sampling
profiler, its main thread's time in each of those phases by script, and the hottest
functions.

Usage: `python bench/assets.py [--sizes 100000,300000] [--loads 7] [--cold 3] [--quick]
[--stores DIR] [--write]`; `--write` puts the figures in docs/benchmarks.md. Everything stays
on 127.0.0.1; the run stops by itself (a time limit) and removes its processes and files.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import tempfile
import textwrap
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import flask
import geobuf
import httpx
import numpy as np
from gunicorn.app.base import BaseApplication
from sqlalchemy import Engine, func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import data_adapters
from bench.support import (
    OtherLoad,
    chromium,
    free_port,
    measure,
    pct,
    print_table,
    served_process,
    time_limited,
    write_section,
)
from dashboard.api import assets as api
from dashboard.components.district_map import CITY_CENTRE, CITY_ZOOM
from dashboard.data.assets import KINDS, POINT_KINDS, AssetFilter
from data_adapters.settings import Settings
from data_adapters.store import make_engine, schema
from data_adapters.store.migrate import upgrade
from simulator.assets import DISTRICT_BOOST, kind_counts
from simulator.assets import KINDS as SIMULATED_KINDS
from simulator.geography import Geography
from simulator.places import district_weights

ROOT = Path(__file__).resolve().parents[1]
DISTRICTS = ROOT / "assets" / "geo" / "lianyungang-districts.geojson"
DEMO_SOURCES = Path(data_adapters.__file__).resolve().parent / "demo_sources.toml"
DOCS = ROOT / "docs" / "benchmarks.md"
HEADING = "Asset map (`bench/assets.py`)"

SIZES = (100_000, 300_000)
LOADS, COLD = 7, 3
QUICK_LOADS, QUICK_COLD = 3, 1
NOT_NORMAL = 0.005  # share of assets in fault, maintenance or offline
CHUNK = 20_000  # rows per executemany
SEED = 20261128
WORKERS, THREADS = 2, 4
AIM = 1.5  # ours warm / bare geobuf
READY_TIMEOUT = 60.0  # seconds for one load
SETTLE_TIMEOUT = 30.0  # seconds for a zoom or a filter to settle
SETTLE = 0.5  # seconds after ready before a click (late callbacks, the shapes layer)
QUIET = 0.5  # seconds without a change to the map's layers: it has settled
TIME_LIMIT = 20 * 60  # seconds; a full run takes about 10 minutes
GZIP_LEVEL = getattr(api, "GZIP_LEVEL", 6)
BARE_PBF, BARE_JSON = "points.pbf", "points.json"
BARE_APPS = {"geobuf": "/geobuf/", "geojson": "/geojson/"}
OURS = "/assets"
UPDATE = "/_dash-update-component"
#: The layer of assets not normal drawn: its SVG paths (or its canvas, should the map draw
#: vector layers on canvas).
ALERT_MARKERS = ".leaflet-assets-alerts-pane path, .leaflet-assets-alerts-pane canvas"
FILTER_INPUT = "#assets-kinds input[value='street_light']"
PROFILE_INTERVAL_US = 200


# --- the store --------------------------------------------------------------------------------


def _line(rng: np.random.Generator, lon: float, lat: float) -> str:
    """A pipe: a random walk of 3-6 vertices, 60-350 m a step, from (lon, lat)."""
    steps = int(rng.integers(2, 6))
    length = rng.uniform(60, 350, steps)
    heading = rng.uniform(0, 2 * np.pi) + np.cumsum(rng.normal(0, 0.35, steps))
    xs = lon + np.concatenate([[0], np.cumsum(length * np.cos(heading))]) / (
        111_320 * np.cos(np.radians(lat))
    )
    ys = lat + np.concatenate([[0], np.cumsum(length * np.sin(heading))]) / 110_574
    coords = ",".join(f"[{x:.6f},{y:.6f}]" for x, y in zip(xs, ys, strict=True))
    return f'{{"type":"LineString","coordinates":[{coords}]}}'


def _polygon(rng: np.random.Generator, lon: float, lat: float) -> str:
    """A park: a jittered ring of 7-10 vertices, 60-450 m across, around (lon, lat)."""
    vertices = int(rng.integers(7, 11))
    radius = rng.uniform(60, 450) * rng.uniform(0.75, 1.25, vertices)
    angle = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    xs = lon + radius * np.cos(angle) / (111_320 * np.cos(np.radians(lat)))
    ys = lat + radius * np.sin(angle) / 110_574
    ring = [*zip(xs, ys, strict=True), (xs[0], ys[0])]
    coords = ",".join(f"[{x:.6f},{y:.6f}]" for x, y in ring)
    return f'{{"type":"Polygon","coordinates":[[{coords}]]}}'


def asset_rows(n: int, now: datetime) -> tuple[list[dict], list[dict]]:
    """The assets of a city with `n` point assets, and a status change for each one that is
    not normal."""
    rng = np.random.default_rng(SEED + n)
    geo = Geography.load(DISTRICTS)
    weights = district_weights(geo) * np.array([DISTRICT_BOOST[code] for code in geo.codes])
    weights = weights / weights.sum()
    rows: list[dict] = []
    changes: list[dict] = []
    for kind, count in zip(SIMULATED_KINDS, kind_counts(n).tolist(), strict=True):
        source = "assets-" + kind.key.replace("_", "-")
        statuses = [outcome[0] for outcome in kind.outcomes]
        chances = np.array([outcome[1] for outcome in kind.outcomes])
        number = 0
        for code, m in zip(geo.codes, rng.multinomial(count, weights).tolist(), strict=True):
            if not m:
                continue
            lons, lats = geo.sample(rng, code, m, kind.urban)
            bad = rng.random(m) < NOT_NORMAL
            picked = rng.choice(len(statuses), m, p=chances / chances.sum())
            age = rng.integers(1, 365, m).tolist()
            installed = rng.integers(60, 25 * 365, m).tolist()
            for i, (lon, lat) in enumerate(zip(lons.tolist(), lats.tolist(), strict=True)):
                key = f"{kind.prefix}{number:06d}"
                number += 1
                status = statuses[picked[i]] if bad[i] else "normal"
                geometry = None
                if kind.geometry == "line":
                    geometry = _line(rng, lon, lat)
                elif kind.geometry == "polygon":
                    geometry = _polygon(rng, lon, lat)
                updated = now - timedelta(days=age[i])
                rows.append(
                    {
                        "source_id": source,
                        "source_key": key,
                        "ingested_at": now,
                        "kind": kind.key,
                        "name": f"{KINDS[kind.key].name_zh}{key[2:]}号",
                        "status": status,
                        "district": code,
                        "lon": round(lon, 6),
                        "lat": round(lat, 6),
                        "geometry": geometry,
                        "install_date": date.today() - timedelta(days=installed[i]),
                        "owner": kind.owner,
                        "attributes": None,
                        "updated_at": updated,
                    }
                )
                if status != "normal":
                    changes.append(
                        {
                            "source_id": "asset-status-changes",
                            "source_key": f"{key}-{int(updated.timestamp())}",
                            "ingested_at": now,
                            "asset_key": key,
                            "kind": kind.key,
                            "from_status": "normal",
                            "to_status": status,
                            "reason": kind.outcomes[picked[i]][2][0],
                            "changed_at": updated,
                        }
                    )
    return rows, changes


def store_counts(engine: Engine) -> dict[str, int]:
    """Assets by geometry (point, line, polygon) and those not normal."""
    a = schema.assets.c
    geometry = {kind.key: kind.geometry for kind in SIMULATED_KINDS}
    counts: Counter[str] = Counter()
    with engine.connect() as connection:
        query = select(a.kind, a.status, func.count()).group_by(a.kind, a.status)
        for kind, status, count in connection.execute(query):
            counts[geometry.get(kind, "point")] += count
            if status != "normal":
                counts["not normal"] += count
    return dict(counts)


def build_store(path: Path, n: int) -> tuple[Engine, dict[str, Any]]:
    """The store of `n` point assets at `path`: reused when it holds them already."""
    engine = make_engine(f"sqlite:///{path}")
    if path.exists():
        upgrade(engine)  # a store kept from an older run gets the newer migrations
        counts = store_counts(engine)
        if counts.get("point") == n:
            return engine, {"seconds": 0.0, "reused": True, **counts}
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        engine = make_engine(f"sqlite:///{path}")
    with measure() as built:
        upgrade(engine)
        rows, changes = asset_rows(n, datetime.now(UTC).replace(microsecond=0))
        with engine.begin() as connection:
            for start in range(0, len(rows), CHUNK):
                connection.execute(insert(schema.assets), rows[start : start + CHUNK])
            connection.execute(insert(schema.asset_changes), changes)
    return engine, {"seconds": built.seconds, "reused": False, **store_counts(engine)}


# --- the bodies of the bare app ---------------------------------------------------------------


def bare_bodies(engine: Engine, folder: Path, geojson: bool) -> dict[str, Any]:
    """Write the geobuf body of every point (what our route builds) and, with `geojson`, the
    same points as GeoJSON into `folder`; their sizes, the gzip size, and how long encoding
    took."""
    started = time.perf_counter()
    body = api.points_body(engine, AssetFilter())
    encode = time.perf_counter() - started
    started = time.perf_counter()
    zipped = len(gzip.compress(body, GZIP_LEVEL, mtime=0))
    compress = time.perf_counter() - started
    text = b""
    if geojson:
        collection = geobuf.decode(body)
        text = json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / BARE_PBF).write_bytes(body)
    (folder / BARE_JSON).write_bytes(text)
    return {
        "pbf": len(body),
        "pbf_gzip": zipped,
        "json": len(text),
        "encode": encode,
        "gzip": compress,
    }


def create_bare_app(bodies: Path) -> flask.Flask:
    """A Flask server with the two bare pages: `/geobuf/` and `/geojson/`, each a Dash app with
    one clustered `dl.GeoJSON` reading the points from a route of this server."""
    import dash_leaflet as dl
    from dash import Dash, html

    server = flask.Flask(__name__)
    payload = {
        BARE_PBF: ((bodies / BARE_PBF).read_bytes(), "application/x-protobuf"),
        BARE_JSON: ((bodies / BARE_JSON).read_bytes(), "application/geo+json"),
    }

    @server.get("/bare/<name>")
    def points(name: str) -> flask.Response:
        body, mimetype = payload[name]
        response = flask.Response(body, mimetype=mimetype)
        response.headers["Cache-Control"] = "no-cache"
        return response

    for kind, prefix in BARE_APPS.items():
        app = Dash(
            f"bare_{kind}",
            server=server,
            url_base_pathname=prefix,
            serve_locally=True,
            include_assets_files=False,  # not the repository's assets/ (Dash's default)
            title=f"bare {kind}",
            update_title=None,
        )
        name = BARE_PBF if kind == "geobuf" else BARE_JSON
        app.layout = html.Div(
            dl.Map(
                center=CITY_CENTRE,
                zoom=CITY_ZOOM,
                zoomSnap=0.25,
                style={"width": "100%", "height": "100vh"},
                children=[
                    dl.GeoJSON(
                        url=f"/bare/{name}", format=kind, cluster=True, zoomToBoundsOnClick=True
                    )
                ],
            ),
            style={"margin": 0},
        )
    with server.test_client() as client:  # as `create_app` does, before serving
        for prefix in BARE_APPS.values():
            for path in ("", "_dash-layout", "_dash-dependencies"):
                response = client.get(prefix + path)
                response.close()
                if response.status_code != 200:
                    raise RuntimeError(f"the bare app failed its warm-up request {prefix}{path}")
    return server


# --- the servers ------------------------------------------------------------------------------


class _Gunicorn(BaseApplication):
    """gunicorn serving ours (settings from CITYOPS_*) or the bare app (bodies from the folder
    in BENCH_ASSETS_BODIES); each worker leaves a file in `ready` once its app is built."""

    def __init__(self, kind: str, port: int, ready: Path) -> None:
        self._kind, self._port, self._ready = kind, port, ready
        super().__init__()

    def load_config(self) -> None:
        options = {
            "bind": f"127.0.0.1:{self._port}",
            "workers": WORKERS,
            "threads": THREADS,
            "worker_class": "gthread",
            "timeout": 120,
            "graceful_timeout": 5,
            "accesslog": None,
            "loglevel": "warning",
            "proc_name": f"cityops-bench-assets-{self._kind}",
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        if self._kind == "ours":
            from dashboard.app import create_app

            server = create_app(Settings()).server
        else:
            server = create_bare_app(Path(os.environ["BENCH_ASSETS_BODIES"]))
        (self._ready / f"{self._kind}-{os.getpid()}").touch()
        return server


@contextmanager
def served(kind: str, folder: Path, env: dict[str, str]) -> Iterator[str]:
    """gunicorn serving `kind` until the block ends; its base URL."""
    port = free_port()
    ready = folder / f"ready-{kind}-{port}"
    command = [sys.executable, __file__, "--serve", kind, "--port", str(port)]
    command += ["--ready", str(ready)]
    with served_process(command, ready, WORKERS, folder / f"gunicorn-{kind}.log", env):
        yield f"http://127.0.0.1:{port}"


def fill_caches(urls: list[str], rounds: int = 4, clients: int = 2) -> None:
    """Fetch each URL `rounds` times from `clients` threads at once, a fresh connection each
    time, so that every worker builds and keeps the bodies (asking as the browser does: gzip
    accepted). (Few clients: concurrent first requests for a body each build it.)"""
    errors: list[str] = []

    def client() -> None:
        for _ in range(rounds):
            for url in urls:
                try:
                    response = httpx.get(
                        url, headers={"Accept-Encoding": "gzip"}, timeout=120, trust_env=False
                    )
                except httpx.HTTPError as exc:
                    errors.append(f"{url}: {exc!r}")
                    continue
                if response.status_code != 200:
                    errors.append(f"{url}: {response.status_code}")

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"filling the caches failed: {errors[:3]}")


# --- the browser ------------------------------------------------------------------------------

#: Installed in every new document before its scripts. On each animation frame it notes the
#: first moment cluster markers are in the DOM, and on our page the first moments the alerts
#: layer is drawn and the summary filled; `ready` is when all of them hold (with the main
#: thread's long tasks before it). It also counts the asset routes' fetches in flight and
#: notes when the map's layers last changed (nodes added or removed), for the zoom and filter
#: timings.
WATCHER = """
(() => {
  if (!location.protocol.startsWith('http')) return;
  const ours = location.pathname.startsWith('__OURS__');
  const state = window.__bench = {map: null, clusters: null, alerts: null, summary: null,
                                  ready: null,
                                  long: 0, markers: 0, inflight: 0, fetched: null,
                                  changed: null, changes: 0};
  const long = [];
  try {
    new PerformanceObserver(list => long.push(...list.getEntries()))
        .observe({type: 'longtask', buffered: true});
  } catch (e) {}
  const fetch = window.fetch;
  window.fetch = function (...args) {
    const url = String((args[0] && args[0].url) || args[0]);
    if (!url.includes('/api/assets/')) return fetch.apply(this, args);
    state.inflight++;
    return fetch.apply(this, args).finally(() => {
      state.inflight--;
      state.fetched = performance.now();
    });
  };
  const changed = () => { state.changed = performance.now(); state.changes++; };
  let watched = null;
  const tick = () => {
    const now = performance.now();
    const pane = document.querySelector('.leaflet-map-pane');
    if (pane && pane !== watched) {
      new MutationObserver(changed).observe(pane, {childList: true, subtree: true});
      watched = pane;
    }
    if (state.ready === null) {
      if (state.map === null && document.querySelector('.leaflet-container')) state.map = now;
      if (state.clusters === null && document.querySelector('.leaflet-marker-icon'))
        state.clusters = now;
      if (ours) {
        if (state.alerts === null && document.querySelector('__ALERTS__')) state.alerts = now;
        const summary = document.getElementById('assets-summary');
        if (state.summary === null && summary && summary.textContent.trim())
          state.summary = now;
      }
      if (state.clusters !== null &&
          (!ours || (state.alerts !== null && state.summary !== null))) {
        state.ready = now;
        state.markers = document.querySelectorAll('.leaflet-marker-icon').length;
        state.long = long.filter(t => t.startTime < now).reduce((s, t) => s + t.duration, 0);
      }
    }
    if (state.ready === null ? now < __LIMIT__ : !watched) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"""

#: Added for the profiled loads only, after the watcher: 5 ms in a function the profile names,
#: so that its samples can be placed on the page's clock (`performance.now()`).
ANCHOR = """
(() => {
  if (!location.protocol.startsWith('http')) return;
  function __benchAnchor() {
    const start = performance.now();
    while (performance.now() - start < 5) {}
    return start;
  }
  window.__bench.anchor = __benchAnchor();
})();
"""

#: The resources of a load worth timing, as resource-timing entries (ms from navigation start).
RESOURCES = """
return performance.getEntriesByType('resource')
  .filter(e => /points\\.(pbf|json)|shapes\\.json|_dash-layout|_dash-update-component|async-/
               .test(e.name))
  .map(e => ({name: e.name, start: e.startTime, requestStart: e.requestStart,
              responseStart: e.responseStart, end: e.responseEnd, transfer: e.transferSize,
              encoded: e.encodedBodySize, decoded: e.decodedBodySize}));
"""

#: Click `selector` and wait until the map has settled: no asset route's fetch in flight, its
#: layers changed after the last one came back (and after the zoom animation), then nothing
#: changed for `quiet` ms; with `summary`, also until the summary's text changed. The time
#: from the click to the last change.
SETTLED = """
const done = arguments[arguments.length - 1];
const [selector, limit, quiet, summary] = [arguments[0], arguments[1], arguments[2],
                                           arguments[3]];
const state = window.__bench;
const text = () => (document.getElementById('assets-summary') || {}).textContent;
const was = text();
const before = document.querySelectorAll('.leaflet-marker-icon').length;
const start = performance.now();
state.changed = null;
state.changes = 0;
document.querySelector(selector).click();
const tick = () => {
  const now = performance.now();
  const moving = document.querySelector('.leaflet-zoom-anim');
  const last = state.changed;
  const settled = last !== null && !moving && state.inflight === 0 &&
      (state.fetched === null || state.fetched < start || last > state.fetched) &&
      now - last > quiet && (!summary || text() !== was);
  const markers = document.querySelectorAll('.leaflet-marker-icon').length;
  if (settled) done({ms: last - start, before: before, after: markers, changes: state.changes});
  else if (now - start > limit) done({ms: null, before: before, after: markers,
                                      changes: state.changes});
  else requestAnimationFrame(tick);
};
requestAnimationFrame(tick);
"""


def browser(folder: Path) -> Any:
    source = WATCHER.replace("__OURS__", OURS).replace("__ALERTS__", ALERT_MARKERS)
    source = source.replace("__LIMIT__", str(READY_TIMEOUT * 1000))
    driver = chromium(folder, scripts=(source,), script_timeout=SETTLE_TIMEOUT + 10)
    driver.execute_cdp_cmd("Performance.enable", {})
    return driver


def load(driver: Any, url: str) -> dict[str, Any]:
    """One fresh navigation to `url` (the HTTP cache cleared and disabled); when it was ready
    and its timings, in ms from navigation start."""
    driver.get("about:blank")
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    driver.get(url)
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        state = driver.execute_script("return window.__bench")
        if state and state["ready"] is not None:
            navigation = driver.execute_script(
                "return performance.getEntriesByType('navigation')[0].toJSON()"
            )
            return {
                **state,
                "html": navigation["responseEnd"],
                "loaded": navigation["loadEventEnd"],
                "resources": driver.execute_script(RESOURCES),
            }
        time.sleep(0.02)
    state = driver.execute_script("return window.__bench")
    raise RuntimeError(f"{url} was not ready in {READY_TIMEOUT:.0f} s: {state}")


def phases(result: dict[str, Any]) -> dict[str, float]:
    """A load's waterfall for its largest points body (the clustered layer), in ms from
    navigation start: when the map was on the page, when the body was requested, the server's
    wait for it (request sent to first byte), when it was received, and ready; its bytes."""
    entries = [r for r in result["resources"] if "points." in r["name"]]
    if not entries:
        return {}
    body = max(entries, key=lambda r: r["decoded"])
    return {
        "map": result["map"],
        "requested": body["start"],
        "wait": body["responseStart"] - body["requestStart"],
        "received": body["end"],
        "ready": result["ready"],
        "transfer": body["transfer"],
        "decoded": body["decoded"],
    }


def settle_after(driver: Any, selector: str, summary: bool = False) -> dict[str, Any]:
    """Click `selector` on a ready page and time it until the map has settled (`SETTLED`)."""
    time.sleep(SETTLE)
    return driver.execute_async_script(
        SETTLED, selector, SETTLE_TIMEOUT * 1000, QUIET * 1000, summary
    )


def zoom_in(driver: Any) -> dict[str, Any]:
    """Time a zoom-in until re-clustered; then the JS heap after a garbage collection."""
    zoom = settle_after(driver, ".leaflet-control-zoom-in")
    driver.execute_cdp_cmd("HeapProfiler.collectGarbage", {})
    metrics = driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]
    heap = {m["name"]: m["value"] for m in metrics}
    return {**zoom, "heap": heap.get("JSHeapUsedSize", float("nan")) / 2**20}


def network_log(driver: Any) -> dict[str, dict[str, Any]]:
    """The requests in the CDP Network log since it was last read, by request id."""
    requests: dict[str, dict[str, Any]] = defaultdict(dict)
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        found = requests[params.get("requestId", "")]
        if message["method"] == "Network.requestWillBeSent":
            found.update(url=params["request"]["url"], post=params["request"].get("postData"))
        elif message["method"] == "Network.responseReceived":
            found.update(status=params["response"]["status"])
        elif message["method"] == "Network.loadingFinished":
            found.update(wire=params["encodedDataLength"])
    return {key: value for key, value in requests.items() if key and "url" in value}


def filter_payload(driver: Any, url: str) -> dict[str, Any]:
    """Switch the street lights off on a ready page of ours: the callback answers' bytes (the
    body, and on the wire with headers), the points bodies fetched for the new filter, and the
    time until the map was redrawn."""
    load(driver, url)
    time.sleep(SETTLE)
    network_log(driver)  # what the load sent is not wanted
    redrawn = settle_after(driver, FILTER_INPUT, summary=True)
    callbacks, points = [], []
    for request_id, request in network_log(driver).items():
        path = urlsplit(request["url"]).path
        if path == UPDATE and request.get("status") == 200:
            body = driver.execute_cdp_cmd("Network.getResponseBody", {"requestId": request_id})
            output = json.loads(request["post"] or "{}").get("output", "?")
            size = len(body["body"].encode("utf-8"))
            parts = {
                f"{component}.{prop}": len(json.dumps(value, ensure_ascii=False).encode("utf-8"))
                for component, props in json.loads(body["body"]).get("response", {}).items()
                for prop, value in props.items()
            }
            callbacks.append(
                {"output": output, "bytes": size, "wire": request.get("wire", 0), "parts": parts}
            )
        elif path.endswith("points.pbf"):
            points.append(request.get("wire", 0))
    if not callbacks:
        raise RuntimeError("switching a layer off sent no callback")
    return {
        **redrawn,
        "callbacks": callbacks,
        "largest": max(callbacks, key=lambda c: c["bytes"]),
        "total": sum(c["bytes"] for c in callbacks),
        "total_wire": sum(c["wire"] for c in callbacks),
        "points_wire": points,
    }


PHASES = ("until the points are requested", "points in flight", "after the body, until ready")


def profile(driver: Any, url: str) -> dict[str, Any]:
    """A load under the CDP sampling profiler: the main thread's time in each phase of the
    waterfall by what it ran (a script, or Chromium's own work: `(program)` is native work
    such as style, layout and parsing, `(idle)` waiting), and the hottest functions."""
    anchor = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": ANCHOR})
    driver.execute_cdp_cmd("Profiler.enable", {})
    driver.execute_cdp_cmd("Profiler.setSamplingInterval", {"interval": PROFILE_INTERVAL_US})
    driver.get("about:blank")
    driver.execute_cdp_cmd("Profiler.start", {})
    try:
        result = load(driver, url)
    finally:
        found = driver.execute_cdp_cmd("Profiler.stop", {})["profile"]
        driver.execute_cdp_cmd("Profiler.disable", {})
        driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", anchor)
    nodes = {node["id"]: node["callFrame"] for node in found["nodes"]}
    samples, at = [], found["startTime"]
    for node, delta in zip(found["samples"], found["timeDeltas"], strict=True):
        at += delta
        samples.append((at, node))
    anchored = next((t for t, n in samples if nodes[n]["functionName"] == "__benchAnchor"), None)
    if anchored is None or result.get("anchor") is None:
        raise RuntimeError("the profile does not show the anchor function")
    fall = phases(result)
    bounds = [fall["requested"], fall["received"], fall["ready"]]
    spent: dict[str, Counter[str]] = {phase: Counter() for phase in PHASES}
    hottest: Counter[tuple[str, str, int, int]] = Counter()
    previous = None
    for when, node in samples:
        page_ms = (when - anchored) / 1000 + result["anchor"]
        took = 0.0 if previous is None else (when - previous) / 1000
        previous = when
        if page_ms < 0 or page_ms > fall["ready"]:
            continue
        phase = PHASES[min(sum(page_ms > b for b in bounds), len(PHASES) - 1)]
        frame = nodes[node]
        script = frame["url"].rsplit("/", 1)[-1].split("?")[0] or frame["functionName"]
        spent[phase][script or "?"] += took
        if frame["url"]:
            hottest[
                (frame["url"], frame["functionName"], frame["lineNumber"], frame["columnNumber"])
            ] += took
    return {"ready": result["ready"], "bounds": bounds, "phases": spent, "hottest": hot(hottest)}


def hot(functions: Counter[tuple[str, str, int, int]], top: int = 8) -> list[tuple]:
    """The functions with the most self time: script, name, ms and the code they start with."""
    sources: dict[str, list[str]] = {}
    found = []
    for (address, name, line, column), spent in functions.most_common(top):
        if address not in sources:
            try:
                sources[address] = httpx.get(address, trust_env=False).text.splitlines()
            except httpx.HTTPError:
                sources[address] = []
        text = sources[address]
        excerpt = text[line][column : column + 60] if 0 <= line < len(text) else ""
        script = address.rsplit("/", 1)[-1].split("?")[0]
        found.append((script, name or "(anonymous)", spent, excerpt))
    return found


# --- one size ---------------------------------------------------------------------------------


@dataclass
class SizeResult:
    """Every figure measured for one size."""

    n: int
    store: dict[str, Any] = field(default_factory=dict)
    bodies: dict[str, Any] = field(default_factory=dict)
    loads: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    zooms: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    cold: list[dict[str, Any]] = field(default_factory=list)
    filter: dict[str, Any] = field(default_factory=dict)
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    others: float = 0.0

    def ready(self, name: str) -> list[float]:
        return [m["ready"] for m in (self.cold if name == "ours cold" else self.loads[name])]

    def zoom(self, name: str) -> list[float]:
        return [z["ms"] for z in self.zooms[name] if z["ms"] is not None]


def run_size(
    n: int, folder: Path, stores: Path, loads: int, cold: int, geojson: bool, profiled: bool
) -> SizeResult:
    result = SizeResult(n)
    store_path = stores / f"assets-{n}.db"
    engine, result.store = build_store(store_path, n)
    what = "reused" if result.store["reused"] else f"built in {result.store['seconds']:.1f} s"
    print(
        f"\n[{n:,}] store {what}: {result.store.get('point', 0):,} points, "
        f"{result.store.get('line', 0):,} lines, {result.store.get('polygon', 0):,} polygons, "
        f"{result.store.get('not normal', 0):,} not normal",
        flush=True,
    )
    bodies = folder / f"bodies-{n}"
    result.bodies = bare_bodies(engine, bodies, geojson)
    engine.dispose()
    print(
        f"[{n:,}] points.pbf of all points: {result.bodies['pbf']:,} bytes "
        f"(gzip {result.bodies['pbf_gzip']:,}), encoded in {result.bodies['encode']:.2f} s"
        + (f"; GeoJSON {result.bodies['json']:,} bytes" if geojson else ""),
        flush=True,
    )
    var = folder / f"var-{n}"
    var.mkdir()
    env = {
        "CITYOPS_VAR_DIR": str(var),
        "CITYOPS_DATABASE_URL": f"sqlite:///{store_path}",
        "CITYOPS_SOURCES_FILE": str(DEMO_SOURCES),
        "CITYOPS_SECRET_KEY": os.urandom(16).hex(),
        "CITYOPS_LOG_LEVEL": "WARNING",
        "BENCH_ASSETS_BODIES": str(bodies),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    bare_names = ["geobuf", *(["geojson"] if geojson else [])]
    with ExitStack() as stack:
        bare = stack.enter_context(served("bare", folder, env))
        driver = browser(folder / f"chromium-{n}")
        stack.callback(driver.quit)
        ours = ""
        for sample in range(cold):  # a server start for each; the last one stays for the rest
            server = ExitStack()
            try:
                ours = server.enter_context(served("ours", folder, env))
                result.cold.append(load(driver, f"{ours}{OURS}"))
            except BaseException:
                server.close()
                raise
            if sample < cold - 1:
                server.close()
            else:
                stack.push(server)
            print(f"[{n:,}] cold load {sample + 1}: {result.cold[-1]['ready']:.0f} ms", flush=True)
        if not ours:
            ours = stack.enter_context(served("ours", folder, env))
        targets = {f"bare {name}": f"{bare}{BARE_APPS[name]}" for name in bare_names}
        targets["ours"] = f"{ours}{OURS}"
        targets["ours no shapes"] = f"{ours}{OURS}?kinds={','.join(POINT_KINDS)}"
        for url in targets.values():  # warm-up; then every worker's caches
            first = load(driver, url)
            fill_caches([r["name"] for r in first["resources"] if "/api/assets/" in r["name"]])
        with OtherLoad() as others:
            for round_ in range(loads):  # the apps interleaved: a change of load hits all
                for name, url in targets.items():
                    result.loads[name].append(load(driver, url))
                    if name in ("bare geobuf", "ours"):
                        result.zooms[name].append(zoom_in(driver))
                print(
                    f"[{n:,}] round {round_ + 1}/{loads}: "
                    + ", ".join(
                        f"{name} {result.loads[name][-1]['ready']:.0f} ms"
                        + (
                            f" (zoom {z[-1]['ms']:.0f} ms)"
                            if (z := result.zooms.get(name)) and z[-1]["ms"]
                            else ""
                        )
                        for name in targets
                    ),
                    flush=True,
                )
        result.others = others.cores
        result.filter = filter_payload(driver, targets["ours"])
        if profiled:
            for name in ("bare geobuf", "ours"):
                result.profiles[name] = profile(driver, targets[name])
    return result


# --- the report -------------------------------------------------------------------------------


def ms(values: list[float]) -> str:
    """Median / p90 in ms (one value alone)."""
    if not values:
        return "–"
    if len(values) == 1:
        return f"{values[0]:,.0f}"
    return f"{pct(values, 50):,.0f} / {pct(values, 90):,.0f}"


def secs(values: list[float]) -> str:
    """Median / p90 in s (one value alone)."""
    if not values:
        return "–"
    if len(values) == 1:
        return f"{values[0] / 1000:.2f} s"
    return f"{pct(values, 50) / 1000:.2f} s / {pct(values, 90) / 1000:.2f} s"


def ratio(values: list[float], base: list[float]) -> str:
    if not values or not base:
        return ""
    return f"{statistics.median(values) / statistics.median(base):.2f}×"


def waterfall(loads: list[dict[str, Any]]) -> str:
    """Median map on the page / points requested / server wait / received / ready, in ms."""
    found = [phases(m) for m in loads]
    found = [f for f in found if f]
    if not found:
        return "–"
    median = {k: statistics.median(f[k] for f in found) for k in found[0]}
    return "{map:,.0f} / {requested:,.0f} / {wait:,.0f} / {received:,.0f} / {ready:,.0f}".format(
        **median
    )


def table_rows(result: SizeResult) -> list[tuple[str, ...]]:
    n = f"{result.n:,}"
    base = result.ready("bare geobuf")
    names = [*result.loads, *(["ours cold"] if result.cold else [])]
    label = {
        "bare geobuf": "bare geobuf (baseline)",
        "ours": "ours, warm",
        "ours cold": "ours, cold",
        "ours no shapes": "ours, point kinds only (no shapes layer), warm",
    }
    rows = []
    for name in names:
        ready = result.ready(name)
        rows.append(
            (
                f"ready: {label.get(name, name)}",
                n,
                str(len(ready)),
                ms(ready),
                "" if name == "bare geobuf" else ratio(ready, base),
                f"≤ {AIM}×" if name == "ours" else "",
            )
        )
    for name in names:
        if name == "bare geojson":
            continue
        loads = result.cold if name == "ours cold" else result.loads[name]
        rows.append(
            (
                f"  {label[name]}: map / points requested / server wait / received / ready",
                n,
                str(len(loads)),
                waterfall(loads),
                "",
                "",
            )
        )
    zoom_base = result.zoom("bare geobuf")
    for name, zooms in result.zooms.items():
        times = result.zoom(name)
        failed = len(zooms) - len(times)
        rows.append(
            (
                f"zoom-in until re-clustered: {label[name]}"
                + (f" ({failed} timed out)" if failed else ""),
                n,
                str(len(times)),
                ms(times),
                "" if name == "bare geobuf" else ratio(times, zoom_base),
                "usable" if name == "ours" else "",
            )
        )
    for name, zooms in result.zooms.items():
        heap = [z["heap"] for z in zooms]
        rows.append((f"JS heap after GC, MB: {label[name]}", n, str(len(heap)), ms(heap), "", ""))
    if result.filter:
        flt, body = result.filter, result.bodies["pbf"]
        rows += [
            (
                "filter: largest callback answer, bytes (on the wire)",
                n,
                "1",
                f"{flt['largest']['bytes']:,} ({flt['largest']['wire']:,})",
                f"{flt['largest']['bytes'] / body:.4f}× geobuf",
                "≤ 1× geobuf",
            ),
            (
                f"filter: all {len(flt['callbacks'])} callback answers, bytes (on the wire)",
                n,
                "1",
                f"{flt['total']:,} ({flt['total_wire']:,})",
                f"{flt['total'] / body:.4f}× geobuf",
                "",
            ),
            (
                "filter: map redrawn after the click, ms",
                n,
                "1",
                "–" if flt["ms"] is None else f"{flt['ms']:,.0f}",
                "",
                "",
            ),
        ]
    return rows


def verdicts(results: list[SizeResult]) -> list[str]:
    lines = []
    for result in results:
        base, ours = result.ready("bare geobuf"), result.ready("ours")
        if base and ours:
            share = statistics.median(ours) / statistics.median(base)
            lines.append(
                f"{result.n:,} assets: ours warm {statistics.median(ours) / 1000:.2f} s = "
                f"{share:.2f}× bare geobuf ({statistics.median(base) / 1000:.2f} s); "
                f"aim ≤ {AIM}×: {'met' if share <= AIM else 'NOT met'}"
            )
        if result.filter:
            size, body = result.filter["largest"]["bytes"], result.bodies["pbf"]
            lines.append(
                f"{result.n:,} assets: filter callback answer {size:,} bytes vs geobuf body "
                f"{body:,} bytes; aim ≤: {'met' if size <= body else 'NOT met'}"
            )
    return lines


def print_profiles(result: SizeResult) -> None:
    for name, found in result.profiles.items():
        bounds = " / ".join(f"{b:,.0f}" for b in found["bounds"])
        print(
            f"\n[{result.n:,}] {name}, one load under the profiler (points requested / "
            f"received / ready at {bounds} ms): the main thread by phase, ms"
        )
        for phase, spent in found["phases"].items():
            top = ", ".join(f"{script} {took:,.0f}" for script, took in spent.most_common(6))
            print(f"    {phase} ({sum(spent.values()):,.0f}): {top}")
        print("  hottest functions (self time, ms):")
        for script, function, spent, excerpt in found["hottest"]:
            print(f"    {spent:6,.0f}  {script} {function}  {excerpt!r}")


def versus(result: SizeResult, name: str, bold: bool = False) -> str:
    """Median / p90 ready in s, and the median's ratio to bare geobuf's."""
    ready = result.ready(name)
    if not ready:
        return "–"
    share = ratio(ready, result.ready("bare geobuf"))
    return f"{secs(ready)} = **{share}**" if bold else f"{secs(ready)} ({share})"


def markdown(results: list[SizeResult], loads: int, cold: int) -> str:
    """The docs section."""
    starts = f"{cold} server start" + ("s" if cold != 1 else "")
    prose = " ".join(
        [
            "`python bench/assets.py --write` builds a SQLite store per size (point assets",
            "inside the district outlines, clustered around the urban centres, kinds in the",
            "demo's proportions, 0.5 % not normal; plus 3.6 pipes and 0.2 parks per 100 points),",
            "serves it with gunicorn (2 workers, gthread, 4 threads) beside a bare Dash app (one",
            "`dl.Map` and one clustered `dl.GeoJSON` reading the same points from a Flask route:",
            "geobuf as our route encodes them, uncompressed; or GeoJSON), and loads both in",
            "headless Chromium at exactly 1920×1080 with the HTTP cache disabled",
            f"({loads} loads each, interleaved; cold: {starts}). Ready: cluster markers in the",
            "DOM; for `/assets` also the layer of assets not normal drawn and the summary",
            "filled. Median / p90, from navigation start. `/assets?kinds=<the point kinds>` is",
            "the same page without the layer of pipes and parks, to show what drawing it costs.",
            "The waterfall follows the clustered layer's body (resource timing); the zoom-in is",
            "timed from the click until the markers stop changing; the heap is read after a",
            "garbage collection; the main thread's time comes from one more load under the CDP",
            "sampling profiler (`(program)` is the browser's own work: parsing, style, layout).",
        ]
    )
    lines = [
        *textwrap.wrap(prose, 96),
        "",
        "| measure | " + " | ".join(f"{r.n:,} assets" for r in results) + " | aim |",
        "|---|" + "---|" * len(results) + "---|",
    ]

    def line(name: str, cells: list[str], aim: str = "") -> None:
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {aim} |")

    line(
        "points.pbf of all points, plain (gzip)",
        [f"{r.bodies['pbf'] / 1e6:.1f} MB ({r.bodies['pbf_gzip'] / 1e6:.1f} MB)" for r in results],
    )
    line("bare geobuf ready (baseline)", [secs(r.ready("bare geobuf")) for r in results])
    line("bare GeoJSON ready", [versus(r, "bare geojson") for r in results])
    line(
        "`/assets` ready, warm",
        [versus(r, "ours", bold=True) for r in results],
        f"≤ {AIM}× bare geobuf (100,000)",
    )
    line(
        "`/assets?kinds=<the point kinds>` ready, warm: no shapes layer (pipes, parks)",
        [versus(r, "ours no shapes") for r in results],
    )
    line(
        "`/assets` ready, cold (first load after the server starts)",
        [versus(r, "ours cold") for r in results],
    )
    line(
        "waterfall, ms: map on the page / clustered points requested / server wait / "
        "received / ready: bare geobuf",
        [waterfall(r.loads["bare geobuf"]) for r in results],
    )
    line("… `/assets` warm", [waterfall(r.loads["ours"]) for r in results])
    line("… `/assets`, point kinds only", [waterfall(r.loads["ours no shapes"]) for r in results])
    line("… `/assets` cold", [waterfall(r.cold) for r in results])
    line("zoom-in until re-clustered: bare geobuf", [secs(r.zoom("bare geobuf")) for r in results])
    line(
        "zoom-in until re-clustered: `/assets`",
        [secs(r.zoom("ours")) for r in results],
        "usable (300,000)",
    )
    line(
        "JS heap after GC: bare geobuf / `/assets`",
        [
            f"{statistics.median(z['heap'] for z in r.zooms['bare geobuf']):.0f} MB / "
            f"{statistics.median(z['heap'] for z in r.zooms['ours']):.0f} MB"
            for r in results
        ],
    )
    line(
        "street lights switched off: largest callback answer (all answers)",
        [
            f"{r.filter['largest']['bytes'] / 1000:.1f} KB ({r.filter['total'] / 1000:.1f} KB) "
            f"= {r.filter['largest']['bytes'] / r.bodies['pbf']:.3f}× geobuf"
            if r.filter
            else "–"
            for r in results
        ],
        "≤ the geobuf body",
    )
    line(
        "street lights switched off: map redrawn",
        [f"{r.filter['ms'] / 1000:.2f} s" if r.filter.get("ms") else "–" for r in results],
    )
    for name, label in (("bare geobuf", "bare geobuf"), ("ours", "`/assets`")):
        line(
            f"main thread of one profiled load of {label}, ms: until the points are requested / "
            "points in flight / after the body until ready (the largest parts)",
            [main_thread(r.profiles.get(name)) for r in results],
        )
    others = ", ".join(f"{r.others:.2f}" for r in results)
    lines += ["", f"CPU used by other processes during the measured loads, cores of 2: {others}."]
    return "\n".join(lines)


def main_thread(found: dict[str, Any] | None) -> str:
    """A profiled load's main-thread time by phase, with its two largest parts each."""
    if not found:
        return "–"
    parts = []
    for spent in found["phases"].values():
        top = ", ".join(
            f"{script.split('.v')[0].split('@')[0].removesuffix('.min.js')} {took:,.0f}"
            for script, took in spent.most_common(2)
        )
        parts.append(f"{sum(spent.values()):,.0f} ({top})")
    return " / ".join(parts)


def run(args: argparse.Namespace, folder: Path) -> None:
    stores = args.stores or folder / "stores"
    stores.mkdir(parents=True, exist_ok=True)
    results = [
        run_size(
            n,
            folder,
            stores,
            args.loads,
            args.cold,
            geojson=index == 0,
            profiled=not args.no_profile,
        )
        for index, n in enumerate(args.sizes)
    ]
    print_table(
        f"asset map benchmark: gunicorn {WORKERS} workers × {THREADS} threads (gthread); "
        f"headless Chromium 1920×1080, HTTP cache disabled; {args.loads} loads per app",
        [row for result in results for row in table_rows(result)],
        ("measure", "assets", "n", "median / p90 ms", "vs bare geobuf", "aim"),
    )
    for result in results:
        b = result.bodies
        print(
            f"  {result.n:,}: points.pbf {b['pbf']:,} bytes, gzip {b['pbf_gzip']:,} bytes "
            f"(level {GZIP_LEVEL}, {b['gzip']:.2f} s), encoded in {b['encode']:.2f} s "
            f"in-process"
            + (f"; GeoJSON {b['json']:,} bytes" if b["json"] else "")
            + f"; other processes' CPU during the loads {result.others:.2f} cores"
        )
        for answer in result.filter.get("callbacks", []):
            parts = ", ".join(f"{k} {v:,}" for k, v in sorted(answer["parts"].items()))
            print(f"    filter callback answer: {answer['bytes']:,} bytes ({parts})")
    for result in results:
        print_profiles(result)
    print()
    for line in verdicts(results):
        print(line)
    if args.write:
        write_section(DOCS, HEADING, markdown(results, args.loads, args.cold))
        print(f"\nwrote the section '{HEADING}' of {DOCS}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(part) for part in text.split(",")],
        default=list(SIZES),
        help="point assets per store, comma-separated",
    )
    parser.add_argument("--loads", type=int, help=f"loads per app and size ({LOADS})")
    parser.add_argument("--cold", type=int, help=f"cold loads (server starts) per size ({COLD})")
    parser.add_argument("--quick", action="store_true", help="fewer loads, one cold load")
    parser.add_argument("--stores", type=Path, help="keep the stores here and reuse them")
    parser.add_argument("--no-profile", action="store_true", help="skip the profiled loads")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--serve", choices=("ours", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--ready", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _Gunicorn(args.serve, args.port, args.ready).run()
        return
    if args.loads is None:
        args.loads = QUICK_LOADS if args.quick else LOADS
    if args.cold is None:
        args.cold = QUICK_COLD if args.quick else COLD
    with (
        time_limited(TIME_LIMIT),
        tempfile.TemporaryDirectory(prefix="cityops-bench-assets-") as folder,
    ):
        run(args, Path(folder))


if __name__ == "__main__":
    main()
