"""A source that is down does not stop the others; `cityops sources check` shows its error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Column, DateTime, Float, Integer, MetaData, Table, insert

from dashboard.cli import main
from data_adapters.clock.polling import poll_source
from data_adapters.sources import REGISTRY, build_adapter
from data_adapters.sources.config import load_sources
from data_adapters.store import make_engine
from data_adapters.store.migrate import upgrade
from tests.support.services import free_port

CATALOGUE = """[source.catalogue]
resource_id = "320700-T-{n}"
name_zh = "测试{n}"
name_en = "Test {n}"
provider = "市数据局"
format = "{fmt}"
share_type = "conditional"
update_cycle = "5min"
"""


def _write_sources(tmp_path: Path, port: int) -> Path:
    text = (
        '[[source]]\nid = "good"\nkind = "sql"\ntable = "observations"\n'
        + CATALOGUE.format(n=1, fmt="db_table")
        + f'[source.options]\nurl = "sqlite:///{tmp_path / "src.db"}"\ntable = "r"\n'
        'cursor = "at"\nmap = { key = ["id"], constants = { indicator = "aqi" }, '
        'fields = { observed_at = "at", value = "v" }, timezone = "UTC" }\n\n'
        '[[source]]\nid = "down"\nkind = "http"\ntable = "posts"\n'
        + CATALOGUE.format(n=2, fmt="api")
        + f'[source.options]\nurl = "http://127.0.0.1:{port}/posts"\n'
        "http = { max_retries = 0, timeout_seconds = 2 }\n"
        'map = { key = ["id"], fields = { channel = "c", text = "t", posted_at = "at" } }\n'
    )
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_down_source_shows_its_error_and_the_others_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = make_engine(f"sqlite:///{tmp_path / 'src.db'}")
    metadata = MetaData()
    table = Table(
        "r",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("at", DateTime),
        Column("v", Float),
    )
    metadata.create_all(source)
    with source.begin() as connection:
        connection.execute(
            insert(table),
            [
                {
                    "id": i,
                    "at": datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=i),
                    "v": 1.0,
                }
                for i in range(3)
            ],
        )
    source.dispose()
    sources_file = _write_sources(tmp_path, free_port())
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    store = make_engine(store_url)
    upgrade(store)
    for spec in load_sources(sources_file, REGISTRY):
        adapter = build_adapter(spec)
        report = poll_source(store, spec, adapter)
        adapter.close()
        assert report.ok == (spec.id == "good")
    store.dispose()

    monkeypatch.setenv("CITYOPS_DATABASE_URL", store_url)
    monkeypatch.setenv("CITYOPS_SOURCES_FILE", str(sources_file))
    assert main(["sources", "check"]) == 1
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert " ok " in lines["good"] and " 3 " in lines["good"]
    assert "DOWN" in lines["down"] and "refused" in lines["down"]
