"""`cityops inspect --kind KIND FILE`: parse one file with the real adapter code.

Each normalised record goes to stdout as one JSON line; each quarantined record goes to stderr
with its reason. Exit 0 when the file was read (quarantined rows included); exit 1 with one
line when it cannot be read at all (not XML, not JSON, truncated, nothing in it readable).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dashboard.commands.base import Command, UserError
from data_adapters.contract import AdapterError, Rejected
from data_adapters.parsers.cap import parse_cap_documents
from data_adapters.parsers.open311 import parse_requests
from data_adapters.settings import Settings
from data_adapters.sources.files import BadRow, FilesOptions, read_csv_rows, read_geo_rows
from data_adapters.sources.mapping import FieldMap
from data_adapters.sources.sensorthings import read_observations

Parsed = tuple[list[dict[str, Any]], list[Rejected]]
EXIT_UNREADABLE = 1


def _cap(path: Path, settings: Settings) -> Parsed:
    alerts, rejected = parse_cap_documents(
        path.read_bytes(), source_name=path.name, default_timezone=settings.timezone
    )
    return [alert.to_record() for alert in alerts], rejected


def _open311(path: Path, settings: Settings) -> Parsed:
    requests, rejected = parse_requests(path.read_bytes(), default_timezone=settings.timezone)
    return [request.to_record() for request in requests], rejected


def _table_rows(reader: Callable[[Path, FilesOptions], Any]) -> Callable[[Path, Settings], Parsed]:
    """A reader of the files adapter: its rows as they are read, before any field mapping."""

    def read(path: Path, settings: Settings) -> Parsed:
        options = FilesOptions(folder=path.parent, map=FieldMap(key=["_row"]))
        rows: list[dict[str, Any]] = []
        rejected: list[Rejected] = []
        for number, item in enumerate(reader(path, options), start=1):
            if isinstance(item, BadRow):
                raw = json.dumps(list(item.values), ensure_ascii=False, default=str)
                rejected.append(Rejected(raw=raw, reason=f"row {number}: {item.reason}"))
            else:
                rows.append(item)
        return rows, rejected

    return read


def _sensorthings(path: Path, _settings: Settings) -> Parsed:
    return read_observations(path.read_bytes())


#: What `--kind` accepts, and the adapter code that reads it.
READERS: dict[str, Callable[[Path, Settings], Parsed]] = {
    "cap": _cap,
    "open311": _open311,
    "csv": _table_rows(read_csv_rows),
    "geojson": _table_rows(read_geo_rows),
    "sensorthings": _sensorthings,
}


def inspect_file(args: argparse.Namespace, settings: Settings) -> int:
    """Print the file's records and rejections; see the module docstring for exit codes."""
    path = Path(args.file)
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    try:
        records, rejected = READERS[args.kind](path, settings)
    except AdapterError as exc:
        print(f"cityops: {path}: {exc.operator_message}", file=sys.stderr)
        return EXIT_UNREADABLE
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    except Exception as exc:  # the file readers of pyogrio and csv raise many kinds
        print(f"cityops: {path}: cannot be read as {args.kind}: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    if not records and rejected:
        print(f"cityops: {path}: nothing readable: {rejected[0].reason}", file=sys.stderr)
        return EXIT_UNREADABLE
    for record in records:
        print(json.dumps(record, ensure_ascii=False, default=str))
    for item in rejected:
        print(
            json.dumps({"reason": item.reason, "raw": item.raw}, ensure_ascii=False),
            file=sys.stderr,
        )
    return 0


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kind", required=True, choices=sorted(READERS))
    parser.add_argument("file", help="the file to parse")


COMMAND = Command(
    name="inspect",
    help="Parse one file with the real adapter code; print records as JSON lines.",
    handler=inspect_file,
    options=_options,
)
