"""The `cityops` command line: run the demo, the web tier, the simulator, and migrate the store.

A user's mistake (a bad option, an unreadable config file, a bad database URL, a store that
cannot be reached) ends with one line on stderr naming the problem and exit status 2; no
traceback. Everything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from dashboard.commands.base import UserError
from data_adapters.settings import ConfigFileError, Settings
from data_adapters.store.engine import StoreURLError

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of every `cityops` command and its options."""
    from dashboard import commands

    parser = _Parser(prog="cityops", description=__doc__.splitlines()[0])
    parser.add_argument("--config", metavar="FILE", help="TOML settings file (also CITYOPS_CONFIG)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for command in commands.COMMANDS:
        command.add_to(sub)
    return parser


def load_settings(args: argparse.Namespace) -> Settings:
    """Settings from the environment, `.env` and the `--config` file, validated once."""
    overrides = {"config": args.config} if args.config else {}
    return Settings(**overrides)


def describe_validation_error(exc: ValidationError) -> str:
    """One line naming each bad setting by its environment variable."""
    parts = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error["loc"]) or "settings"
        parts.append(f"CITYOPS_{field.upper()}: {error['msg']}")
    return "invalid setting " + "; ".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `cityops` console script."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace, Settings], int] = args.handler
    try:
        settings = load_settings(args)
        logging.basicConfig(
            level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        for noisy in ("alembic", "apscheduler.executors", "httpx"):
            logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.root.level))
        return handler(args, settings)
    except ValidationError as exc:
        return _fail(describe_validation_error(exc))
    except (ConfigFileError, StoreURLError, UserError) as exc:
        return _fail(str(exc))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        return _fail(f"cannot reach the database: {reason}")
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `cityops inspect ... | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _fail(message: str) -> int:
    print(f"cityops: error: {message}", file=sys.stderr)
    return EXIT_USAGE


if __name__ == "__main__":
    raise SystemExit(main())
