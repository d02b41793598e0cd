"""A throwaway PostgreSQL server for the tests, started from Debian's binaries on loopback.

`CITYOPS_TEST_POSTGRES_URL` points the tests at an existing server instead (its database is
used to create one database per test). As root, the server runs as the `postgres` user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.services import free_port


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries on this machine, or the server would not start."""


def find_bindir() -> Path:
    """The folder holding initdb and pg_ctl, newest PostgreSQL first."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if not candidates:
        raise PostgresUnavailable("PostgreSQL is not installed (no initdb); run `make setup-test`")
    return Path(candidates[0]).parent


def _runner() -> list[str]:
    """The prefix that runs a server command as a non-root user."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresUnavailable("running as root but there is no `postgres` user") from None
    return ["runuser", "-u", "postgres", "--"]


@contextmanager
def temporary_server() -> Iterator[str]:
    """Start a fresh cluster on a free loopback port; yield its admin URL; stop and delete it."""
    bindir = find_bindir()
    runner = _runner()
    root = Path(tempfile.mkdtemp(prefix="cityops-pg-"))
    data = root / "data"
    if runner:
        shutil.chown(root, "postgres", "postgres")
    port = free_port()

    def run(*args: str) -> None:
        result = subprocess.run(
            [*runner, *args], capture_output=True, text=True, timeout=120, cwd=root
        )
        if result.returncode != 0:
            raise PostgresUnavailable(f"{args[0]} failed: {result.stderr.strip()[-500:]}")

    try:
        run(
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "cityops",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
        )
        options = (
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        run(
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(root / "log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        try:
            yield f"postgresql+psycopg://cityops@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(
                [*runner, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                capture_output=True,
                timeout=60,
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)
