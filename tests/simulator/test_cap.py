"""CAP 1.2 messages: valid XML in the CAP namespace, bilingual, references that exist."""

from __future__ import annotations

from datetime import UTC, datetime

import defusedxml.ElementTree as DET
import numpy as np

from simulator import DataCentre
from simulator.cap import CAP_NS, CapFeed
from simulator.times import local_day
from simulator.world import World

from .conftest import START, small_config

NS = {"cap": CAP_NS}


def _messages(feed: CapFeed, days):
    for d in days:
        for episode in feed.episodes(d):
            for message in feed.messages(episode):
                yield episode, message


def test_a_year_of_warnings_is_valid_cap(tmp_path):
    world = World(small_config(tmp_path), int(START.timestamp()))
    feed = CapFeed(world)
    d0 = int(local_day(int(START.timestamp()))) - 365
    sent: dict[str, int] = {}
    kinds = set()
    per_week = []
    for episode, message in sorted(
        _messages(feed, range(d0, d0 + 365)), key=lambda em: em[1]["sent"]
    ):
        root = DET.fromstring(feed.xml(episode, message))
        assert root.tag == f"{{{CAP_NS}}}alert"
        ident = root.findtext("cap:identifier", namespaces=NS)
        assert ident == message["identifier"] and ident not in sent
        assert root.findtext("cap:msgType", namespaces=NS) in ("Alert", "Update", "Cancel")
        infos = root.findall("cap:info", NS)
        assert [i.findtext("cap:language", namespaces=NS) for i in infos] == ["zh-CN", "en-US"]
        for info in infos:
            assert info.findtext("cap:severity", namespaces=NS) in (
                "Minor",
                "Moderate",
                "Severe",
                "Extreme",
            )
            for area in info.findall("cap:area", NS):
                assert area.findtext("cap:geocode/cap:value", namespaces=NS).startswith("3207")
                for polygon in area.findall("cap:polygon", NS):
                    pairs = [tuple(map(float, p.split(","))) for p in polygon.text.split()]
                    assert len(pairs) >= 4 and pairs[0] == pairs[-1]
                    assert all(33.5 < lat < 35.5 and 118 < lon < 120.5 for lat, lon in pairs)
        refs = root.findtext("cap:references", namespaces=NS)
        if message["msg_type"] == "Alert":
            assert refs is None
        else:
            for ref in refs.split():
                _, rid, _ = ref.split(",")
                assert rid in sent and sent[rid] < message["sent"]
        sent[ident] = message["sent"]
        kinds.add(episode.hazard.key)
        per_week.append(message["sent"] // (7 * 86400))
    assert len(kinds) >= 6
    weekly = np.bincount(np.array(per_week) - min(per_week))
    assert 1.5 <= weekly.mean() <= 10


def test_cap_files_and_rows_are_written(tmp_path):
    feed = CapFeed(World(small_config(tmp_path), int(START.timestamp())))
    # the latest message sent before START; build one day of history ending just after it
    today = int(local_day(int(START.timestamp())))
    sent = max(m["sent"] for _, m in _messages(feed, range(today - 60, today)))
    start = datetime.fromtimestamp(sent - sent % 60 + 3600, UTC)
    config = small_config(tmp_path, start=start, assets=300, enterprises=300)
    with DataCentre(config) as centre:
        report = centre.build()
    assert report.counts["cap_messages"] >= 1
    files = sorted((config.drop_dir / "cap").glob("*.xml"))
    assert len(files) == report.counts["cap_messages"]
    assert not list((config.drop_dir / "cap").glob(".tmp-*"))
    for path in files:
        root = DET.parse(path).getroot()
        assert root.tag == f"{{{CAP_NS}}}alert"
        assert path.stem == root.findtext("cap:identifier", namespaces=NS)
