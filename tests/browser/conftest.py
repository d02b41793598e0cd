"""Browser fixtures: Chromium must exist (a failure in CI), and a running demo to point it at."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.services import free_port, unavailable

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DEMO_READY_SECONDS = 60.0


@pytest.fixture(autouse=True)
def _chromium_present() -> None:
    for tool in ("chromium", "chromedriver"):
        if shutil.which(tool) is None:
            unavailable(f"{tool} is not installed; run `make setup-test`")


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots are kept after the run."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@dataclass
class Demo:
    """A `cityops demo` running in a child process group."""

    process: subprocess.Popen
    url: str
    ready_seconds: float
    log: Path

    def stop(self, timeout: float = 30.0) -> int:
        """Ctrl-C the demo as a terminal would, and wait for it to exit."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=timeout)


def start_demo(tmp_path: Path, **env: str) -> Demo:
    """Start `cityops demo` with its files under `tmp_path`; wait until the page answers."""
    port = free_port()
    environment = {
        **os.environ,
        "CITYOPS_VAR_DIR": str(tmp_path / "var"),
        "CITYOPS_WEB_PORT": str(port),
        "CITYOPS_SIM_PORT": str(free_port()),
        **env,
    }
    log = tmp_path / "demo.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "dashboard.cli", "demo"],
            env=environment,
            cwd=tmp_path,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/"
    started = time.monotonic()
    while time.monotonic() - started < DEMO_READY_SECONDS:
        if process.poll() is not None:
            raise AssertionError(f"demo exited early:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return Demo(process, url, time.monotonic() - started, log)
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    process.kill()
    raise AssertionError(f"demo did not answer within {DEMO_READY_SECONDS}s:\n{log.read_text()}")


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    """A small demo (few assets, one day of history) so the suite stays quick."""
    running = start_demo(tmp_path, CITYOPS_SIM_ASSETS="3000", CITYOPS_SIM_HISTORY_DAYS="1")
    yield running
    if running.process.poll() is None:
        running.stop()
    with contextlib.suppress(ProcessLookupError):  # anything the demo left: its whole group
        os.killpg(running.process.pid, signal.SIGKILL)
