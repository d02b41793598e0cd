"""Write transactions: one at a time per SQLite engine, all committed; free on PostgreSQL."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from sqlalchemy import Engine, func, insert, select

from data_adapters.store.schema import quarantine
from data_adapters.store.writer import write_transaction


def test_parallel_writers_all_commit_and_take_turns_on_sqlite(store: Engine) -> None:
    inside = 0
    most_inside = 0
    counting = threading.Lock()

    def writer(name: int) -> None:
        nonlocal inside, most_inside
        for i in range(5):
            with write_transaction(store) as connection:
                with counting:
                    inside += 1
                    most_inside = max(most_inside, inside)
                connection.execute(
                    insert(quarantine).values(
                        source_id=f"w{name}", at=datetime.now(UTC), raw=str(i), reason="test"
                    )
                )
                time.sleep(0.02)
                with counting:
                    inside -= 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with store.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(quarantine)) == 20
    if store.dialect.name == "sqlite":
        assert most_inside == 1
