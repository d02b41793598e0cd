"""The CAP adapter: a folder of CAP files and a feed index over HTTP, into the alerts table."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, select

from data_adapters.contract import ConfigError
from data_adapters.ingest import ingest
from data_adapters.sources import cap
from data_adapters.store.schema import alerts
from tests.support.samples import sample_path

FIXTURES = Path(__file__).resolve().parents[1] / "parsers" / "fixtures" / "cap"
INDEX = "https://alerts.example.cn/cap/index.atom"


def test_folder_of_every_shared_sample_into_the_store(tmp_path: Path, store: Engine) -> None:
    for name in (
        "oasiscap_v1dot2_appendix_adot3.xml",
        "oasiscap_v1dot2_appendix_adot4.xml",
        "oasiscap_ipaws-5e7e0fc5023f1930efcf3deb.xml",
    ):
        shutil.copy(sample_path(f"cap/{name}"), tmp_path / name)
    shutil.copy(FIXTURES / "lyg_rainstorm_orange_zh_en.xml", tmp_path / "lyg.xml")
    adapter = cap.from_options({"folder": str(tmp_path), "settle_seconds": 0})
    batch = adapter.poll(None)
    assert len(batch.records) == 4 and batch.rejected == []
    report = ingest(
        store,
        source_id="cap",
        kind="cap",
        table="alerts",
        batch=batch,
        now=batch.records[0].fields["sent"],
    )
    assert report.stored == 4 and report.quarantined == 0
    with store.connect() as connection:
        rows = {r.source_key: r for r in connection.execute(select(alerts)).all()}
    lyg = next(r for r in rows.values() if r.language == "zh-CN")
    assert lyg.event and lyg.areas and {i["language"] for i in lyg.infos} == {"zh-CN", "en-US"}
    assert adapter.poll(batch.watermark).records == [], "each file is read once"


def test_a_broken_file_is_rejected_and_the_others_read(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "truncated.xml", tmp_path / "a.xml")
    shutil.copy(FIXTURES / "cancel_no_info.xml", tmp_path / "b.xml")
    batch = cap.from_options({"folder": str(tmp_path), "settle_seconds": 0}).poll(None)
    assert len(batch.records) == 1 and batch.records[0].fields["state"] == "cancelled"
    assert len(batch.rejected) == 1 and "not well-formed" in batch.rejected[0].reason


def _feed_transport(calls: list[str]) -> httpx.MockTransport:
    document = (FIXTURES / "lyg_rainstorm_orange_zh_en.xml").read_bytes()

    def handler(request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        calls.append(url)
        if url == INDEX:
            return httpx.Response(200, content=(FIXTURES / "atom_index.xml").read_bytes())
        if url.endswith("capget.php?x=42"):
            return httpx.Response(200, content=b"<alert")  # truncated
        return httpx.Response(200, content=document)

    return httpx.MockTransport(handler)


def test_feed_index_fetches_each_link_once(tmp_path: Path) -> None:
    calls: list[str] = []
    adapter = cap.from_options({"url": INDEX}, transport=_feed_transport(calls))
    batch = adapter.poll(None)
    assert len(batch.records) == 2 and len(batch.rejected) == 1
    assert "capget.php" in batch.rejected[0].raw
    calls.clear()
    again = adapter.poll(batch.watermark)
    assert again.records == [] and calls == [INDEX]
    adapter.close()


def test_feed_index_pages_with_max_links() -> None:
    adapter = cap.from_options({"url": INDEX, "max_links": 1}, transport=_feed_transport([]))
    first = adapter.poll(None)
    assert first.more and len(first.watermark["seen"]) == 1
    second = adapter.poll(first.watermark)
    assert len(second.watermark["seen"]) == 2
    adapter.close()


def test_feed_health_and_bad_options() -> None:
    adapter = cap.from_options({"url": INDEX}, transport=_feed_transport([]))
    health = adapter.check()
    assert health.ok and "3 CAP messages" in health.message
    adapter.close()
    with pytest.raises(ConfigError, match="exactly one of url and folder"):
        cap.from_options({})
