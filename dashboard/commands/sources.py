"""`cityops sources check`: each source's health, last success, rows, quarantined, next due."""

from __future__ import annotations

import argparse
from zoneinfo import ZoneInfo

from dashboard.commands.base import Command
from dashboard.commands.sources_setup import build_adapters, configured_sources
from data_adapters.settings import Settings
from data_adapters.store import make_engine
from data_adapters.store.queries import source_statuses

COLUMNS = ("source", "kind", "health", "last success", "rows", "quarantined", "next due", "error")


def check_sources(_args: argparse.Namespace, settings: Settings) -> int:
    """Print one line per source; exit 1 when any enabled source is unhealthy."""
    specs = configured_sources(settings)
    adapters = build_adapters(specs)
    statuses = {s["source_id"]: s for s in source_statuses(make_engine(settings.store_url))}
    zone = ZoneInfo(settings.timezone)

    def when(value: object) -> str:
        return value.astimezone(zone).strftime("%m-%d %H:%M:%S") if value else "—"

    rows = []
    healthy = True
    for spec in specs:
        status = statuses.get(spec.id, {})
        if spec.enabled:
            adapter = adapters[spec.id]
            health = adapter.check()
            adapter.close()
            healthy &= health.ok
            verdict = "ok" if health.ok else f"DOWN: {health.message}"
        else:
            verdict = "disabled"
        rows.append(
            (
                spec.id,
                spec.kind,
                verdict,
                when(status.get("last_success_at")),
                f"{status.get('rows_in', 0):,}",
                f"{status.get('rows_quarantined', 0):,}",
                when(status.get("next_due_at")),
                status.get("last_error") or "",
            )
        )
    widths = [max(len(str(r[i])) for r in (COLUMNS, *rows)) for i in range(len(COLUMNS))]
    for row in (COLUMNS, *rows):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    return 0 if healthy else 1


COMMAND = Command(
    name="sources",
    help="Inspect the configured sources.",
    children=(
        Command(
            name="check",
            help="Each source's health, last success, rows in, quarantined and next poll.",
            handler=check_sources,
        ),
    ),
)
