"""The leader lease on SQLite and PostgreSQL: one leader, renewal, takeover after expiry."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from data_adapters.clock.lease import acquire, current_holder, holds, release

T0 = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
TTL = timedelta(seconds=30)


def test_first_comer_leads_and_the_second_stands_by(store: Engine) -> None:
    assert acquire(store, "a", TTL, T0)
    assert not acquire(store, "b", TTL, T0 + timedelta(seconds=5))
    assert current_holder(store) == ("a", T0 + TTL)


def test_leader_renews_and_keeps_the_lease(store: Engine) -> None:
    assert acquire(store, "a", TTL, T0)
    assert acquire(store, "a", TTL, T0 + timedelta(seconds=20))
    assert not acquire(store, "b", TTL, T0 + timedelta(seconds=45))
    assert current_holder(store) == ("a", T0 + timedelta(seconds=50))


def test_standby_takes_over_an_expired_lease(store: Engine) -> None:
    assert acquire(store, "a", TTL, T0)
    later = T0 + TTL + timedelta(seconds=1)
    assert acquire(store, "b", TTL, later)
    assert not acquire(store, "a", TTL, later + timedelta(seconds=1)), "the old leader is out"
    with store.connect() as connection:
        assert holds(connection, "b", later) and not holds(connection, "a", later)


def test_release_lets_a_standby_in_at_once(store: Engine) -> None:
    assert acquire(store, "a", TTL, T0)
    release(store, "a")
    assert acquire(store, "b", TTL, T0 + timedelta(seconds=1))


def test_racing_candidates_elect_exactly_one(store: Engine) -> None:
    results: dict[str, bool] = {}
    barrier = threading.Barrier(6)

    def candidate(name: str) -> None:
        barrier.wait()
        results[name] = acquire(store, name, TTL, T0)

    threads = [threading.Thread(target=candidate, args=(f"c{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results.values()) == 1
    [leader] = [name for name, won in results.items() if won]
    assert current_holder(store)[0] == leader
