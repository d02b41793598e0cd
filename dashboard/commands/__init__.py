"""The `cityops` subcommands, one module each; `COMMANDS` lists them in help order."""

from dashboard.commands import db, demo, simulate, web
from dashboard.commands.base import Command

COMMANDS: tuple[Command, ...] = (demo.COMMAND, web.COMMAND, simulate.COMMAND, db.COMMAND)

__all__ = ["COMMANDS", "Command"]
