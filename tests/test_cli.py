"""The `cityops` command line: help for every command, one-line errors for a user's mistakes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.cli import main
from data_adapters.store.migrate import head_revision
from tests.support.services import free_port

COMMANDS = [[], ["demo"], ["web"], ["simulate"], ["db"], ["db", "upgrade"], ["db", "current"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "cityops")
def test_every_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: cityops" in capsys.readouterr().out


def _one_line_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_unknown_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert "--bogus" in _one_line_error(["web", "--bogus"], capsys)


def test_unknown_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert "invalid choice" in _one_line_error(["frobnicate"], capsys)


def test_bad_database_url_names_the_setting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CITYOPS_DATABASE_URL", "not-a-url")
    assert "CITYOPS_DATABASE_URL" in _one_line_error(["db", "upgrade"], capsys)


def test_unknown_database_dialect(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CITYOPS_DATABASE_URL", "nosuchdb://host/db")
    assert "cannot use database URL" in _one_line_error(["db", "upgrade"], capsys)


def test_unreachable_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CITYOPS_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    line = _one_line_error(["db", "upgrade"], capsys)
    assert "cannot reach the database" in line
    assert "password" not in line


def test_unreadable_config_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = _one_line_error(["--config", str(tmp_path / "missing.toml"), "db", "current"], capsys)
    assert "missing.toml" in line


def test_config_file_with_a_bad_value(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.toml"
    config.write_text("web_port = 99999\n", encoding="utf-8")
    assert "CITYOPS_WEB_PORT" in _one_line_error(["--config", str(config), "web"], capsys)


def test_web_refuses_a_store_that_is_not_migrated(capsys: pytest.CaptureFixture[str]) -> None:
    assert "cityops db upgrade" in _one_line_error(["web"], capsys)


def test_db_upgrade_then_current(capsys: pytest.CaptureFixture[str]) -> None:
    head = head_revision()
    assert main(["db", "upgrade"]) == 0
    assert f"None -> {head}" in capsys.readouterr().out
    assert main(["db", "current"]) == 0
    assert f"current {head}, newest {head}" in capsys.readouterr().out


def test_console_script_runs_as_a_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "demo" in result.stdout


def test_simulate_once_builds_the_data_centre(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CITYOPS_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("CITYOPS_SIM_ASSETS", "200")
    monkeypatch.setenv("CITYOPS_SIM_HISTORY_DAYS", "0")
    assert main(["simulate", "--once", "--start", "2026-11-28T08:00:00+08:00"]) == 0
    assert (tmp_path / "var" / "datacentre.db").stat().st_size > 0
    assert (tmp_path / "var" / "datacentre" / "files" / "shelters.geojson").is_file()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--start", "yesterday"], "not an ISO-8601 time"),
        (["--start", "2026-11-28T08:00:00"], "needs a UTC offset"),
    ],
)
def test_simulate_refuses_a_bad_start(argv, message, capsys) -> None:
    assert message in _one_line_error(["simulate", "--once", *argv], capsys)


def test_demo_refuses_a_port_in_use(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        monkeypatch.setenv("CITYOPS_SIM_PORT", str(busy.getsockname()[1]))
        monkeypatch.setenv("CITYOPS_WEB_PORT", str(free_port()))  # whatever runs on 8050
        line = _one_line_error(["demo"], capsys)
    assert "already in use" in line and "CITYOPS_SIM_PORT" in line
