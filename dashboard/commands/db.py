"""`cityops db upgrade|current`: migrate the ops store and show its revision."""

from __future__ import annotations

import argparse

from dashboard.commands.base import Command
from data_adapters.settings import Settings
from data_adapters.store import make_engine
from data_adapters.store.migrate import current_revision, head_revision, upgrade


def _upgrade(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.store_url)
    before = current_revision(engine)
    after = upgrade(engine, args.revision)
    print(f"ops store {engine.url.render_as_string(hide_password=True)}: {before} -> {after}")
    return 0


def _current(_args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.store_url)
    print(f"current {current_revision(engine)}, newest {head_revision()}")
    return 0


COMMAND = Command(
    name="db",
    help="Manage the ops store's schema.",
    children=(
        Command(
            name="upgrade",
            help="Migrate the ops store to the newest schema (or to --revision).",
            handler=_upgrade,
            options=lambda p: p.add_argument("--revision", default="head"),
        ),
        Command(name="current", help="Show the store's schema revision.", handler=_current),
    ),
)
