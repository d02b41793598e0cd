"""Shared benchmark helpers: timing, peak memory by sampling RSS, percentiles, the result
table, the CPU other processes took meanwhile, a server process run for a block, headless
Chromium set up for page-load measurements, and a section of docs/benchmarks.md rewritten."""

from __future__ import annotations

import math
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil


@dataclass
class Measurement:
    """Seconds taken and the peak resident memory added while a block ran."""

    seconds: float = 0.0
    peak_mb: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


@contextmanager
def measure(interval: float = 0.02) -> Iterator[Measurement]:
    """Time a block and sample this process's RSS to find the peak above the starting RSS."""
    process = psutil.Process()
    start_rss = process.memory_info().rss
    peak = [start_rss]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], process.memory_info().rss)
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    result = Measurement()
    started = time.perf_counter()
    try:
        yield result
    finally:
        result.seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        result.peak_mb = (max(peak[0], process.memory_info().rss) - start_rss) / 2**20


def best_of(runs: int, work: Callable[[], Any]) -> float:
    """The fastest of `runs` timings of `work()`, in seconds."""
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return min(timings)


def print_table(title: str, rows: list[tuple[str, ...]], header: tuple[str, ...]) -> None:
    """A plain aligned table on stdout."""
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    print(f"\n{title}")
    for row in (header, *rows):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


def pct(values: list[float], q: float) -> float:
    """The q-th percentile of `values` (linear between ranks); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 just now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OtherLoad:
    """CPU time used by processes outside this run (not this process or its descendants)
    while a block ran, in cores on average: the share of the machine the run did not have."""

    def __init__(self) -> None:
        self.cores = 0.0

    @staticmethod
    def _others() -> dict[tuple[int, float], float]:
        mine = {os.getpid(), *(p.pid for p in psutil.Process().children(recursive=True))}
        found = {}
        for process in psutil.process_iter(["pid", "create_time", "cpu_times"]):
            info = process.info
            if info["pid"] in mine or info["cpu_times"] is None:
                continue
            times = info["cpu_times"]
            found[(info["pid"], info["create_time"])] = times.user + times.system
        return found

    def __enter__(self) -> OtherLoad:
        self._start, self._began = self._others(), time.monotonic()
        return self

    def __exit__(self, *_exc: object) -> None:
        end, elapsed = self._others(), time.monotonic() - self._began
        used = sum(cpu - self._start.get(key, 0.0) for key, cpu in end.items())
        self.cores = max(used, 0.0) / max(elapsed, 1e-9)


@contextmanager
def served_process(
    command: list[str], ready: Path, expected: int, log: Path, env: dict[str, str]
) -> Iterator[subprocess.Popen]:
    """Run `command` (a server) in its own session until the block ends, once `expected`
    files are in the folder `ready` (each worker leaves one when it is ready to serve).
    The server is stopped with SIGTERM (gunicorn's graceful stop), then its group killed."""
    ready.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        process = subprocess.Popen(
            command,
            env={**os.environ, **env},
            cwd=ready.parent,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while len(list(ready.iterdir())) < expected:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{command} did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.05)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the group this run started
                process.wait(timeout=5)


# --- a run's own time limit --------------------------------------------------------------------


@contextmanager
def time_limited(seconds: int) -> Iterator[None]:
    """Run the block at most `seconds`; SIGINT, SIGTERM and the limit raise, so every server
    and browser the block started is stopped by its own `finally`/`with` on the way out."""

    def over(_signum: int, _frame: object) -> None:
        raise TimeoutError(f"the benchmark ran longer than {seconds} s")

    def stopped(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"stopped by signal {signum}")

    signal.signal(signal.SIGALRM, over)
    signal.signal(signal.SIGTERM, stopped)
    signal.signal(signal.SIGINT, stopped)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)


# --- headless Chromium ------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-proxy-server",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",  # nothing else is reached
)
VIEWPORT_1080P = {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False}


def chromium(
    folder: Path,
    viewport: dict[str, Any] = VIEWPORT_1080P,
    scripts: tuple[str, ...] = (),
    script_timeout: float = 30.0,
    extra_flags: tuple[str, ...] = (),
    disable_cache: bool = True,
) -> Any:
    """Headless Chromium (selenium) with its profile under `folder`: the viewport set exactly
    with CDP, the CDP Network log on (`driver.get_log("performance")`), the HTTP cache
    disabled (unless not `disable_cache`), and `scripts` run in every new document first."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, *extra_flags):
        options.add_argument(flag)
    options.add_argument(f"--window-size={viewport['width']},{viewport['height']}")
    options.add_argument(f"--user-data-dir={folder / 'profile'}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    scratch = folder / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    service = Service(CHROMEDRIVER, env={**os.environ, "TMPDIR": str(scratch)})
    driver = webdriver.Chrome(service=service, options=options)
    try:
        driver.set_script_timeout(script_timeout)
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", viewport)
        driver.execute_cdp_cmd("Network.enable", {})
        if disable_cache:  # else the caller clears the cache itself when it wants to
            driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        for source in scripts:
            driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": source})
    except Exception:
        driver.quit()
        raise
    return driver


# --- docs/benchmarks.md -----------------------------------------------------------------------


def write_section(path: Path, heading: str, body: str) -> None:
    """Put `body` under the `## ` `heading` of the Markdown file at `path`: the section (to
    the next `## ` heading) is replaced if there is one, else appended at the end."""
    lines = path.read_text(encoding="utf-8").splitlines()
    title = f"## {heading}"
    section = [title, "", *body.strip("\n").splitlines()]
    if title in lines:
        start = lines.index(title)
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        tail = lines[end:]
        lines = lines[:start] + section + ([""] if tail else []) + tail
    else:
        lines = [*lines, "", *section] if lines else section
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
