"""What the data centre holds: places, magnitudes, codes, text, lifecycles."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import numpy as np
import shapely
from shapely.geometry import shape
from sqlalchemy import create_engine, text

from simulator.assets import AssetFeed, kind_counts
from simulator.enterprises import is_valid_uscc
from simulator.geography import Geography
from simulator.hotline import HotlineFeed
from simulator.rng import generator
from simulator.world import World

from .conftest import FIXTURE_GEOJSON, START, small_config


def rows(config, sql: str):
    engine = create_engine(config.database_url)
    with engine.connect() as conn:
        out = conn.execute(text(sql)).all()
    engine.dispose()
    return out


def test_located_things_are_inside_their_district(built):
    geo = Geography.load(FIXTURE_GEOJSON)
    queries = (
        "SELECT district_code, lon, lat FROM geo_assets",
        "SELECT district_code, lon, lat FROM geo_resources",
        "SELECT district_code, base_lon, base_lat FROM geo_resources",
        "SELECT district_code, lon, lat FROM sensor_things",
        "SELECT district_code, lon, lat FROM emergency_incidents",
        "SELECT district_code, lon, lat FROM hotline_tickets WHERE lat IS NOT NULL AND lat != 0",
        "SELECT district_code, lon, lat FROM public_posts WHERE lat IS NOT NULL",
    )
    for sql in queries:
        found = rows(built, sql)
        assert found, sql
        codes = np.array([r[0] for r in found], dtype=object)
        located = geo.locate([r[1] for r in found], [r[2] for r in found])
        assert (located == codes).all(), sql


def test_lines_and_polygons_lie_inside_their_district(built):
    geo = Geography.load(FIXTURE_GEOJSON)
    found = rows(
        built, "SELECT district_code, kind, geometry FROM geo_assets WHERE geometry IS NOT NULL"
    )
    kinds = {r[1] for r in found}
    assert kinds == {"park", "water_pipe", "drainage_pipe"}
    for code, _, geometry in found:
        assert geo.by_code(code).geometry.covers(shape(json.loads(geometry)))


def test_ten_or_more_asset_kinds_and_statuses(built):
    kinds = {r[0] for r in rows(built, "SELECT DISTINCT kind FROM geo_assets")}
    assert len(kinds) >= 10
    statuses = {r[0] for r in rows(built, "SELECT DISTINCT status FROM geo_assets")}
    assert "normal" in statuses and statuses <= {"normal", "fault", "maintenance", "offline"}
    for (attrs,) in rows(built, "SELECT attributes FROM geo_assets LIMIT 50"):
        assert isinstance(json.loads(attrs), dict)


def test_default_config_has_over_100k_point_assets(tmp_path):
    counts = kind_counts(120_000)
    assert counts.sum() >= 120_000
    config = small_config(tmp_path, assets=120_000)
    world = World(config, int(START.timestamp()))
    feed = AssetFeed(world)
    point_kinds = [
        k for k in __import__("simulator.assets", fromlist=["KINDS"]).KINDS if k.geometry == "point"
    ]
    street = feed._kind_rows(0, point_kinds[0], int(counts[0]))
    assert street.n > 70_000
    inside = np.zeros(street.n, dtype=bool)
    for code in world.geo.codes:
        m = street["district_code"] == code
        inside[m] = world.geo.contains(code, street["lon"][m], street["lat"][m])
    assert inside.all()
    assert sum(int(counts[i]) for i, k in enumerate(point_kinds)) >= 100_000


def test_population_is_about_4_6_million(built):
    (total,) = rows(
        built,
        "SELECT sum(persons) FROM pop_population WHERE as_of = "
        "(SELECT max(as_of) FROM pop_population)",
    )[0]
    assert 4.3e6 < total < 4.9e6
    months = rows(built, "SELECT count(DISTINCT as_of) FROM pop_population")[0][0]
    assert months >= 36


def test_macro_series_have_history_and_magnitudes(built):
    months = rows(
        built,
        "SELECT count(*) FROM macro_values WHERE indicator_code='retail_sales' "
        "AND district_code='320700'",
    )[0][0]
    assert months >= 36
    year = rows(
        built,
        "SELECT sum(value) FROM macro_values WHERE indicator_code='gdp' AND "
        "district_code='320700' AND period LIKE '2023Q%'",
    )[0][0]
    assert 4000 < year < 4700
    cargo = rows(
        built,
        "SELECT sum(value) FROM macro_values WHERE indicator_code='port_cargo' AND "
        "district_code='320700' AND period LIKE '2024-%'",
    )[0][0]
    assert 28_000 < cargo < 38_000  # 万吨: ~3.2-3.4 亿 t
    teu = rows(
        built,
        "SELECT sum(value) FROM macro_values WHERE indicator_code='port_teu' AND "
        "district_code='320700' AND period LIKE '2024-%'",
    )[0][0]
    assert 520 < teu < 760  # 万 TEU


def test_tickets_per_day_in_range(tmp_path):
    config = small_config(tmp_path, history_days=3)
    world = World(config, int(START.timestamp()))
    feed = HotlineFeed(world)
    day0 = int((START - timedelta(days=3)).timestamp()) // 86400 * 86400 - 8 * 3600
    for d in range(2):
        a = day0 + d * 86400
        n = feed.arrivals(a, a + 86400).n
        assert 2500 <= n <= 4000, n


def test_ticket_text_is_varied_and_sometimes_personal(tmp_path):
    world = World(small_config(tmp_path), int(START.timestamp()))
    feed = HotlineFeed(world)
    texts, block = [], int(START.timestamp()) // 3600
    while len(texts) < 2000:
        texts.extend(feed.generate(block, generator(world.seed, "hotline", block))["description"])
        block += 1
    texts = texts[:2000]
    assert len(set(texts)) >= 500
    assert sum(bool(re.search(r"1[3-9]\d{9}", t)) for t in texts) > 20
    assert all(re.search(r"[\u4e00-\u9fff]", t) for t in texts)


def test_ticket_lifecycle_is_consistent(built):
    found = rows(
        built,
        "SELECT status, requested_at, accepted_at, closed_at, expected_at, "
        "updated_at, satisfaction FROM hotline_tickets",
    )
    statuses = {r[0] for r in found}
    assert statuses <= {"open", "accepted", "closed"} and "closed" in statuses
    for status, req, acc, closed, expected, updated, _ in found:
        assert expected > req
        if status == "open":
            assert acc is None and closed is None and updated == req
        elif status == "accepted":
            assert req <= acc == updated and closed is None
        else:
            assert req <= acc <= closed == updated
    channels = {r[0] for r in rows(built, "SELECT DISTINCT channel FROM hotline_tickets")}
    assert channels == {"phone", "app", "wechat", "web"}
    nulls = rows(built, "SELECT count(*) FROM hotline_tickets WHERE lat IS NULL OR lat = 0")[0][0]
    assert nulls > 0


def test_uscc_codes_are_valid_and_unique(built):
    codes = [r[0] for r in rows(built, "SELECT uscc FROM ent_enterprises")]
    assert len(codes) == len(set(codes)) > 2000
    assert all(is_valid_uscc(c) for c in codes)
    names = [r[0] for r in rows(built, "SELECT name FROM ent_enterprises LIMIT 500")]
    assert any(n.endswith("有限公司") for n in names)


def test_catalogue_has_about_a_thousand_entries_and_thirty_served(built):
    total, served = rows(built, "SELECT count(*), count(served_kind) FROM catalogue_resources")[0]
    assert 950 <= total <= 1050 and 25 <= served <= 40
    ids = [r[0] for r in rows(built, "SELECT resource_id FROM catalogue_resources")]
    assert all(re.fullmatch(r"3207\d\d-\d{3}", i) for i in ids)
    shares = {r[0] for r in rows(built, "SELECT DISTINCT share_type FROM catalogue_resources")}
    assert shares == {"unconditional", "conditional", "not_shared"}
    for (target,) in rows(
        built,
        "SELECT served_target FROM catalogue_resources "
        "WHERE served_kind IN ('sql', 'sensorthings', 'open311')",
    ):
        assert rows(built, f"SELECT count(*) FROM {target}")[0][0] > 0, target


def test_sensor_tables_are_sensorthings_shaped(built):
    assert rows(built, "SELECT count(*) FROM sensor_things")[0][0] >= 80
    orphan = rows(
        built,
        "SELECT count(*) FROM sensor_observations o LEFT JOIN sensor_datastreams d "
        "ON o.datastream_id = d.datastream_id WHERE d.datastream_id IS NULL",
    )[0][0]
    assert orphan == 0
    per_hour = rows(built, "SELECT count(*) FROM sensor_observations WHERE datastream_id = 1")[0][0]
    assert 100 < per_hour <= 6 * 24 + 1  # every 10 minutes, some gaps
    levels = rows(built, "SELECT properties FROM sensor_things WHERE kind = 'water_level'")
    assert all("warning_level_m" in json.loads(p) for (p,) in levels)


def test_posts_include_scraped_html_and_emoji(tmp_path):
    from simulator.posts import PostFeed

    world = World(small_config(tmp_path), int(START.timestamp()))
    feed = PostFeed(world)
    frame = feed.arrivals(int(START.timestamp()) - 3 * 86400, int(START.timestamp()))
    texts = list(frame["text"])
    assert 2500 < len(texts) < 3600
    assert any("<script>" in t or "onerror" in t for t in texts)
    assert any(re.search("[\U0001f300-\U0001faff]", t) for t in texts)
    assert len(set(texts)) > len(texts) // 3


def test_resources_move_and_change(fresh_copy):
    from simulator import DataCentre

    config = fresh_copy()
    centre = DataCentre(config)
    centre.build()
    report = centre.advance_to(START + timedelta(hours=3))
    centre.close()
    assert report.updated.get("geo_resources", 0) > 0
    kinds = {r[0] for r in rows(config, "SELECT DISTINCT kind FROM geo_resources")}
    assert {"fire_engine", "ambulance", "hospital", "police_unit", "shelter"} <= kinds


def test_shapely_prepared_outlines(built):
    geo = Geography.load(FIXTURE_GEOJSON)
    assert all(shapely.is_prepared(d.geometry) for d in geo.districts)


def test_asset_status_matches_its_change_log(fresh_copy):
    from simulator import DataCentre

    config = fresh_copy()
    with DataCentre(config) as centre:
        centre.build()
        centre.advance_to(START + timedelta(days=2))
    changes = rows(
        config,
        "SELECT asset_id, from_status, to_status, changed_at FROM "
        "geo_asset_status_changes ORDER BY asset_id, changed_at",
    )
    assert changes
    last: dict[str, str] = {}
    for asset, before, after, _ in changes:
        if asset in last:
            assert before == last[asset]  # transitions chain: normal -> fault -> normal ...
        assert (before == "normal") != (after == "normal")
        last[asset] = after
    status = dict(rows(config, "SELECT asset_id, status FROM geo_assets"))
    assert all(status[a] == s for a, s in last.items())
    updated = dict(rows(config, "SELECT asset_id, updated_at FROM geo_assets"))
    latest = {a: t for a, _, _, t in changes}
    assert all(updated[a] == t for a, t in latest.items())
