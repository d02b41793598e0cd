"""`python -m simulator`: build once and exit, then resume."""

from __future__ import annotations

import logging

from sqlalchemy import create_engine, text

from simulator.__main__ import main, parse_args

from .conftest import FIXTURE_GEOJSON


def test_once_builds_then_resumes(tmp_path, caplog):
    argv = [
        "--database-url", f"sqlite:///{tmp_path / 'dc.db'}",
        "--drop-dir", str(tmp_path / "drop"),
        "--districts", str(FIXTURE_GEOJSON),
        "--seed", "5",
        "--start", "2026-03-01T08:00:00",
        "--history-days", "0",
        "--assets", "300",
        "--enterprises", "300",
        "--once",
    ]  # fmt: skip
    caplog.set_level(logging.INFO, logger="simulator")
    assert main(argv) == 0
    assert "data centre built" in caplog.text
    assert main(argv) == 0
    assert "data centre resumed" in caplog.text
    engine = create_engine(f"sqlite:///{tmp_path / 'dc.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM geo_assets")).scalar() > 300
        now = conn.execute(text("SELECT value FROM sim_state WHERE key = 'sim_now'")).scalar()
    engine.dispose()
    assert int(now) == 1772352000  # 2026-03-01T08:00:00Z


def test_start_without_offset_is_utc():
    args = parse_args(["--start", "2026-11-28T01:00:00"])
    assert args.start.isoformat() == "2026-11-28T01:00:00+00:00"
    assert parse_args(["--start", "2026-11-28T09:00:00+08:00"]).start == args.start
