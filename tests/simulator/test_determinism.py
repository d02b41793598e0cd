"""Same seed and start give byte-identical contents, however the clock is advanced."""

from __future__ import annotations

from datetime import timedelta

from simulator import DataCentre

from .conftest import START, dump, files, small_config


def test_two_builds_are_identical(tmp_path, built):
    config = small_config(tmp_path)
    centre = DataCentre(config)
    report = centre.build()
    centre.close()
    assert not report.resumed
    assert dump(config.database_url) == dump(built.database_url)
    assert files(config.drop_dir) == files(built.drop_dir)


def test_split_advance_equals_one_advance(fresh_copy):
    one, many = fresh_copy("one"), fresh_copy("many")
    target = START + timedelta(hours=7, minutes=13, seconds=5)
    a = DataCentre(one)
    a.build()
    a.advance_to(target)
    a.close()
    b = DataCentre(many)
    b.build()
    t = START
    steps = [timedelta(seconds=s) for s in (1, 9, 50, 600, 3599, 3601, 7, 86, 1234)]
    i = 0
    while t < target:
        t = min(t + steps[i % len(steps)], target)
        b.advance_to(t)
        i += 1
    b.close()
    assert i > 10
    assert dump(one.database_url) == dump(many.database_url)
    assert files(one.drop_dir) == files(many.drop_dir)


def test_different_seed_differs(tmp_path, built):
    config = small_config(tmp_path, seed=7)
    centre = DataCentre(config)
    centre.build()
    centre.close()
    mine, theirs = dump(config.database_url), dump(built.database_url)
    assert mine["hotline_tickets"] != theirs["hotline_tickets"]
    assert mine["geo_assets"] != theirs["geo_assets"]
