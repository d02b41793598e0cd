"""What a subcommand is: a name, a help line, its options and a handler returning an exit code."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field

from data_adapters.settings import Settings


class UserError(Exception):
    """A problem the user can fix (a store not migrated, a port in use); one line, exit 2."""


Handler = Callable[[argparse.Namespace, Settings], int]


@dataclass(frozen=True)
class Command:
    """One `cityops` subcommand, possibly with subcommands of its own (`db upgrade`)."""

    name: str
    help: str
    handler: Handler | None = None
    options: Callable[[argparse.ArgumentParser], None] = lambda _parser: None
    children: tuple[Command, ...] = field(default_factory=tuple)

    def add_to(self, subparsers: argparse._SubParsersAction) -> None:
        parser = subparsers.add_parser(self.name, help=self.help, description=self.help)
        self.options(parser)
        if self.children:
            nested = parser.add_subparsers(
                dest=f"{self.name}_command", required=True, parser_class=type(parser)
            )
            for child in self.children:
                child.add_to(nested)
        else:
            parser.set_defaults(handler=self.handler)
