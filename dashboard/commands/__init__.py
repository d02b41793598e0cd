"""The `cityops` subcommands, one module each; `COMMANDS` lists them in help order."""

from dashboard.commands import clock, db, demo, inspect, sentiment, simulate, sources, web
from dashboard.commands.base import Command

COMMANDS: tuple[Command, ...] = (
    demo.COMMAND,
    web.COMMAND,
    clock.COMMAND,
    simulate.COMMAND,
    sources.COMMAND,
    inspect.COMMAND,
    sentiment.COMMAND,
    db.COMMAND,
)

__all__ = ["COMMANDS", "Command"]
