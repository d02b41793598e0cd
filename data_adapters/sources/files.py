"""The watched folder adapter: CSV, XLSX, GeoJSON, Shapefile and GeoPackage files in a folder.

Departments that cannot offer a database or an API export files into a shared folder; each poll
reads the files that have arrived since, oldest first, at most `max_files` of them (`more` says
that others are waiting).

Options
    folder, pattern ("*"), format ("auto" | "csv" | "xlsx" | "geojson" | "shapefile" | "gpkg"
    | "cap": CAP messages, read only when named, in the info `languages` preferred),
    csv.delimiter and csv.encoding ("auto"), sheet (name or 0-based number, default 0), layer
    (GeoPackage layer, or which shapefile of a zip; name or number, default the first),
    assume_crs (for files that declare none), settle_seconds (5), max_files (20 per poll),
    max_rows (1,000,000 per file), after ("keep" | "move") and map (a `FieldMap`).

Which files
    Names in `folder` (not its subfolders) matching `pattern`, case-insensitively. Names starting
    with "." or "~$" (Office lock files) and ending with ".part", ".tmp" or ".crdownload" are
    never read. With `format = "auto"` the extension decides: .csv/.tsv/.txt, .xlsx,
    .geojson/.json, .shp (with its .shx, .dbf, .prj and .cpg beside it) or a .zip holding a
    shapefile, .gpkg; other files are counted as ignored by `check()`.

Never half a file
    A file (or any part of a shapefile) whose mtime or ctime is less than `settle_seconds` old,
    or whose size or times changed between two stats 0.2 s apart, is still being written: it is
    left for a later poll. It is stat'ed again after reading; if it changed meanwhile, what was
    read is thrown away and the file is read again by a later poll. (ctime counts because a copy
    that keeps the original mtime still moves ctime on every write, on POSIX systems.)

Once per content
    Files are known by the SHA-256 of their content (for a shapefile, of all its parts). The
    watermark remembers what was read:

        {"files": {"<sha256>": {"name": "lamps.csv", "rows": 120, "at": "<ISO time, UTC>"}}}

    An entry may also carry "rejected" (rows refused by the map), "error" (why the file could
    not be read at all: it is not read again until its content changes) and "truncated". At most
    the newest 5,000 entries are kept, dropping first those whose file has left the folder:
    with `after = "keep"`, a folder holding more than 5,000 files would see its oldest ones read
    again (use `after = "move"` for folders that fill up).

    A renamed copy of content already read is not read again. A file whose content changes has a
    new hash and is read again; its rows are upserted by key, so **row keys must be stable across
    versions of a file**: a natural id column is best. With `key = ["_file", "_row"]` (the file
    name and the 1-based data row number, added to every row) a new version replaces rows by
    position, and rows removed from a file are not removed from the store. Every row also has
    `_modified`, the file's modification time (for a `updated_at` the file itself lacks).
    Content going back to an earlier version (same name, an older hash) is read again too.

After reading
    `after = "move"` moves a file to `done/` (or, when it could not be read, to `failed/` with
    `<name>.reason.txt` beside it) on the first poll after its rows were committed: a file is
    moved once the watermark passed to `poll(since)` (saved in the same transaction as the rows)
    names its hash, so a failed commit never loses a file's rows.

Reading
    Every format is read by one function yielding row dicts, one row at a time:

    - CSV is streamed with the csv module, every value as text ("" becomes None), so ids keep
      their leading zeros. The encoding is UTF-16 when a UTF-16 byte-order mark says so,
      otherwise UTF-8 (with or without BOM) when the whole file decodes strictly as UTF-8, else
      GB18030 (a superset of GBK and GB2312), else the file is refused; `csv.encoding` overrides
      the guess. The delimiter is sniffed among `,` `;` tab and `|` unless given. A row whose
      number of values differs from the header's is refused (often an unquoted line break).
    - XLSX is streamed with openpyxl in read-only mode (cached formula values; numbers, dates and
      times keep their cell types; naive times are in the map's time zone).
    - GeoJSON, Shapefile and GeoPackage are read with pyogrio: Shapefile and GeoPackage in
      chunks of 10,000 features, GeoJSON whole (GDAL parses a GeoJSON file whole anyway). The
      file's CRS is reprojected to WGS-84 (EPSG:4326) with pyproj; GeoJSON without a `crs`
      member is WGS-84 (RFC 7946), a legacy `crs` member (QGIS exports in CGCS2000 have one) is
      honoured. A file without a CRS is refused unless `assume_crs` names one. Each row has
      every attribute column plus `geometry` (a GeoJSON dict in lon/lat) and `lon`/`lat` (the
      point itself, or a point on the surface of other shapes). Invalid geometries and
      out-of-range coordinates are passed on as they are: the domain validation quarantines
      them with the reason.

    A row that does not fit the map is rejected with the raw row (JSON) and the reason; the rest
    of the file goes on. A file that cannot be read (a corrupt workbook, a truncated zip, a
    shapefile missing its .shx or .dbf, text in an unknown encoding) becomes one rejected entry
    naming the file and the reason, and the poll goes on with the other files. A file with more
    than `max_rows` rows is read up to `max_rows` rows and a rejected entry says the rest was not
    read (split the file or raise the limit): it bounds what one file can put in one batch.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import logging
import math
import os
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from itertools import islice
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import shapely
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pyproj import CRS
from pyproj.exceptions import CRSError

from data_adapters.contract import (
    AdapterError,
    Batch,
    ConfigError,
    Health,
    Record,
    Rejected,
    SourceError,
    TransientError,
    Watermark,
)
from data_adapters.domain import describe
from data_adapters.parsers.cap import parse_cap_documents
from data_adapters.sources.cap_fields import DEFAULT_LANGUAGES, alert_fields
from data_adapters.sources.mapping import FieldMap, MappingError

log = logging.getLogger("cityops.sources.files")

Format = Literal["csv", "xlsx", "geojson", "shapefile", "gpkg", "cap"]
Row = dict[str, Any]

EXTENSIONS: dict[str, Format] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".geojson": "geojson",
    ".json": "geojson",
    ".shp": "shapefile",
    ".zip": "shapefile",
    ".gpkg": "gpkg",
}
#: Files that travel with a .shp, hashed and moved with it (.shx and .dbf are required).
SHAPEFILE_PARTS = (".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".shp.xml")
REQUIRED_SHAPEFILE_PARTS = (".shx", ".dbf")
IGNORED_PREFIXES = (".", "~$")
IGNORED_SUFFIXES = (".part", ".tmp", ".crdownload")
DELIMITERS = (",", ";", "\t", "|")
MAX_REMEMBERED = 5_000
SETTLE_PROBE_SECONDS = 0.2
HASH_BLOCK = 1 << 20
DECODE_BLOCK = 1 << 18
SNIFF_CHARS = 64 * 1024
SNIFF_ROWS = 50
GEO_CHUNK = 10_000
SEEKABLE_DRIVERS = frozenset({"ESRI Shapefile", "GPKG"})


# -- options -----------------------------------------------------------------------------------
class CsvOptions(BaseModel):
    """How CSV files are decoded and split: "auto" guesses."""

    model_config = ConfigDict(extra="forbid")
    delimiter: str = "auto"
    encoding: str = "auto"

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str) -> str:
        if value != "auto" and len(value) != 1:
            raise ValueError('must be "auto" or one character')
        return value

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        if value != "auto":
            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(f"unknown encoding {value!r}") from None
        return value


class FilesOptions(BaseModel):
    """Options of a `kind = "files"` source."""

    model_config = ConfigDict(extra="forbid")
    folder: Path
    pattern: str = Field(default="*", min_length=1)
    format: Literal["auto", "csv", "xlsx", "geojson", "shapefile", "gpkg", "cap"] = "auto"
    languages: list[str] = Field(default_factory=lambda: list(DEFAULT_LANGUAGES))
    csv: CsvOptions = Field(default_factory=CsvOptions)
    sheet: str | int = 0
    layer: str | int | None = None
    assume_crs: str | None = None
    settle_seconds: float = Field(default=5, ge=0)
    max_files: int = Field(default=20, ge=1)
    max_rows: int = Field(default=1_000_000, ge=1)
    after: Literal["keep", "move"] = "keep"
    map: FieldMap

    @field_validator("pattern")
    @classmethod
    def _names_only(cls, value: str) -> str:
        if "/" in value or "\\" in value:
            raise ValueError("matches file names in the folder, not paths")
        return value

    @field_validator("sheet", "layer")
    @classmethod
    def _not_negative(cls, value: str | int | None) -> str | int | None:
        if isinstance(value, int) and value < 0:
            raise ValueError("a sheet or layer number counts from 0")
        return value

    @field_validator("assume_crs")
    @classmethod
    def _known_crs(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                CRS.from_user_input(value)
            except CRSError:
                raise ValueError(f"unknown coordinate system {value!r}") from None
        return value


# -- the files in the folder -------------------------------------------------------------------
Signature = tuple[tuple[int, int, int], ...]


@dataclass(frozen=True)
class DropFile:
    """One file to read: a shapefile is its .shp with the parts beside it."""

    name: str
    format: Format
    parts: tuple[Path, ...]
    signature: Signature  # (size, mtime_ns, ctime_ns) of each part
    changed_at: float  # the latest mtime or ctime of any part, epoch seconds
    mtime_ns: int

    @property
    def path(self) -> Path:
        return self.parts[0]


@dataclass(frozen=True)
class BadRow:
    """A row a reader could split but not make sense of (its values and why)."""

    values: Sequence[Any]
    reason: str


@dataclass(frozen=True)
class FileOutcome:
    """What reading one file gave: records, rejected rows and its watermark entry."""

    records: list[Record]
    rejected: list[Rejected]
    entry: dict[str, Any]


RowReader = Callable[[Path, FilesOptions], Iterator[Row | BadRow]]


class FilesAdapter:
    """Reads the files dropped in a folder, each content once.

    `clock` (epoch seconds, compared with file times) and `sleep` can be replaced in tests.
    """

    def __init__(
        self,
        options: FilesOptions,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.options = options
        self._clock = clock
        self._sleep = sleep
        self._hashes: dict[tuple[str, Signature], str] = {}
        self._known: set[str] = set()

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> FilesAdapter:
        try:
            return cls(FilesOptions.model_validate(options))
        except ValidationError as exc:
            raise ConfigError(f"files source options: {describe(exc)}") from None

    # -- the contract -------------------------------------------------------------------------
    def check(self) -> Health:
        """Ok when the folder can be listed; "waiting" counts the files this adapter has not
        seen read (before its first poll, every file that would be read)."""
        folder = str(self.options.folder)
        try:
            drops, ignored = self._scan()
        except AdapterError as exc:
            return Health(ok=False, message=exc.operator_message, details={"kind": exc.kind})
        except OSError as exc:
            return Health(ok=False, message=f"the drop folder {folder} cannot be read: {exc}")
        waiting = sum(1 for drop in drops if self._hashes.get(_cache_key(drop)) not in self._known)
        return Health(
            ok=True,
            message=f"folder {folder} is readable; {waiting} file(s) waiting",
            details={"folder": folder, "waiting": waiting, "files": len(drops), "ignored": ignored},
        )

    def poll(self, since: Watermark | None) -> Batch:
        at = datetime.fromtimestamp(self._clock(), UTC).isoformat(timespec="microseconds")
        files = _remembered(since)
        latest = _latest_versions(files)
        drops, _ = self._scan()
        current = {_cache_key(drop) for drop in drops}
        self._hashes = {key: sha for key, sha in self._hashes.items() if key in current}
        records: list[Record] = []
        rejected: list[Rejected] = []
        taken, more = 0, False
        for drop in self._settled(drops):
            sha = self._hash(drop)
            if sha is None:
                continue
            if sha in files and latest.get(drop.name, sha) == sha:
                if self.options.after == "move":
                    self._move(drop, files[sha], sha)
                continue
            if taken >= self.options.max_files:
                more = True
                break
            outcome = self._read(drop, sha, at)
            if outcome is None:
                continue
            taken += 1
            records += outcome.records
            rejected += outcome.rejected
            files[sha] = outcome.entry
            latest[drop.name] = sha
        files = _pruned(files, {drop.name for drop in drops})
        self._known = set(files)
        return Batch(records=records, rejected=rejected, watermark={"files": files}, more=more)

    def close(self) -> None:
        self._hashes.clear()

    # -- finding files ------------------------------------------------------------------------
    def _scan(self) -> tuple[list[DropFile], int]:
        """The readable files in the folder, oldest first, and how many were ignored."""
        folder = self.options.folder
        if not folder.is_dir():
            what = "is not a folder" if folder.exists() else "does not exist"
            raise ConfigError(f"the drop folder {folder} {what}")
        try:
            with os.scandir(folder) as entries:
                names = sorted(entry.name for entry in entries if entry.is_file())
        except PermissionError:
            raise ConfigError(
                f"the drop folder {folder} cannot be read (permission denied)"
            ) from None
        except OSError as exc:
            raise TransientError(f"the drop folder {folder} cannot be listed: {exc}") from None
        by_lower = {name.lower(): name for name in names}
        pattern = self.options.pattern.lower()
        drops: list[DropFile] = []
        ignored = 0
        for name in names:
            if _never_read(name) or not fnmatchcase(name.lower(), pattern):
                continue
            kind = self._format_of(name)
            if kind is None:
                ignored += not _is_shapefile_part(name)
                continue
            try:
                drops.append(_drop_file(folder, name, kind, by_lower))
            except FileNotFoundError:
                continue  # gone since the listing
            except OSError as exc:
                log.warning("%s cannot be read now (%s); trying again next poll", name, exc)
        drops.sort(key=lambda drop: (drop.mtime_ns, drop.name))
        return drops, ignored

    def _format_of(self, name: str) -> Format | None:
        suffix = Path(name).suffix.lower()
        if self.options.format == "auto":
            return EXTENSIONS.get(suffix)
        if self.options.format == "shapefile" and suffix not in (".shp", ".zip"):
            return None
        return self.options.format

    def _settled(self, drops: list[DropFile]) -> list[DropFile]:
        """The files not being written: quiet for `settle_seconds` and not growing now."""
        settle = self.options.settle_seconds
        if settle <= 0 or not drops:
            return drops
        now = self._clock()
        quiet: list[DropFile] = []
        for drop in drops:
            if now - drop.changed_at >= settle:
                quiet.append(drop)
            else:
                log.info("%s changed %.1f s ago; left for later", drop.name, now - drop.changed_at)
        if not quiet:
            return []
        self._sleep(SETTLE_PROBE_SECONDS)
        steady: list[DropFile] = []
        for drop in quiet:
            if _unchanged(drop):
                steady.append(drop)
            else:
                log.info("%s is growing; left for later", drop.name)
        return steady

    def _hash(self, drop: DropFile) -> str | None:
        key = _cache_key(drop)
        if key not in self._hashes:
            try:
                self._hashes[key] = _sha256(drop.parts)
            except OSError as exc:
                log.warning("%s cannot be read now (%s); trying again next poll", drop.name, exc)
                return None
        return self._hashes[key]

    # -- reading one file ---------------------------------------------------------------------
    def _read(self, drop: DropFile, sha: str, at: str) -> FileOutcome | None:
        """The rows of `drop`, or None when it changed while being read (or is locked)."""
        try:
            records, rejected, rows, truncated = self._rows_of(drop)
        except Exception as exc:  # parsers of untrusted files raise many types; the poll goes on
            if not _unchanged(drop) or isinstance(exc, PermissionError):
                log.warning("%s changed or is locked while being read; next poll", drop.name)
                return None
            reason = f"cannot be read as {drop.format}: {_reason(exc)}"
            log.warning("%s %s", drop.name, reason, exc_info=not isinstance(exc, SourceError))
            raw = _json({"file": drop.name, "sha256": sha})
            entry = {"name": drop.name, "rows": 0, "at": at, "error": reason}
            return FileOutcome([], [Rejected(raw=raw, reason=f"{drop.name}: {reason}")], entry)
        if not _unchanged(drop):
            log.info("%s changed while being read; what was read is dropped", drop.name)
            return None
        entry: dict[str, Any] = {"name": drop.name, "rows": rows, "at": at}
        if rejected:
            entry["rejected"] = len(rejected)
        if truncated:
            entry["truncated"] = True
            rejected.append(
                Rejected(
                    raw=_json({"file": drop.name, "sha256": sha, "rows_read": rows}),
                    reason=f"{drop.name}: more than {rows:,} rows (max_rows); the rest was not "
                    "read: split the file or raise max_rows",
                )
            )
            log.warning("%s has more than %d rows; the rest was not read", drop.name, rows)
        return FileOutcome(records, rejected, entry)

    def _rows_of(self, drop: DropFile) -> tuple[list[Record], list[Rejected], int, bool]:
        records: list[Record] = []
        rejected: list[Rejected] = []
        rows = 0
        with closing(READERS[drop.format](drop.path, self.options)) as items:
            for item in items:
                if rows >= self.options.max_rows:
                    return records, rejected, rows, True
                rows += 1
                result = self._map_row(item, drop, rows)
                (records if isinstance(result, Record) else rejected).append(result)
        return records, rejected, rows, False

    def _map_row(self, item: Row | BadRow, drop: DropFile, number: int) -> Record | Rejected:
        name = drop.name
        where = f"{name} row {number}"
        if isinstance(item, BadRow):
            raw = _json({"_file": name, "_row": number, "values": list(item.values)})
            return Rejected(raw=raw, reason=f"{where}: {item.reason}")
        modified = datetime.fromtimestamp(drop.mtime_ns / 1e9, UTC)
        row = {**item, "_file": name, "_row": number, "_modified": modified}
        try:
            return self.options.map.record(row)
        except MappingError as exc:
            return Rejected(raw=_json(row), reason=f"{where}: {exc}")

    # -- after reading ------------------------------------------------------------------------
    def _move(self, drop: DropFile, entry: Mapping[str, Any], sha: str) -> None:
        """Move a file whose rows are committed to done/ (or failed/, with the reason)."""
        error = entry.get("error")
        target = self.options.folder / ("failed" if error else "done")
        stem = _stem(drop)
        try:
            target.mkdir(exist_ok=True)
            new_stem = stem
            if any((target / (stem + part.name[len(stem) :])).exists() for part in drop.parts):
                new_stem = f"{stem}-{sha[:12]}"
            for part in drop.parts:
                os.replace(part, target / (new_stem + part.name[len(stem) :]))
            if error:
                moved = new_stem + drop.name[len(stem) :]
                text = f"{drop.name}: {error}\nread at {entry.get('at')}\nsha256 {sha}\n"
                (target / f"{moved}.reason.txt").write_text(text, encoding="utf-8")
        except OSError as exc:
            log.warning(
                "%s could not be moved to %s (%s); trying again next poll", drop.name, target, exc
            )


# -- readers: one per format, each yielding row dicts ------------------------------------------
def read_csv_rows(path: Path, options: FilesOptions) -> Iterator[Row | BadRow]:
    """The rows of a CSV file, streamed; every value is text or None."""
    encoding = options.csv.encoding
    if encoding == "auto":
        encoding = detect_encoding(path)
    delimiter = options.csv.delimiter
    if delimiter == "auto":
        with path.open(encoding=encoding, newline="") as text:
            delimiter = sniff_delimiter(text.read(SNIFF_CHARS))
    with path.open(encoding=encoding, newline="") as text:
        reader = csv.reader(text, delimiter=delimiter)
        try:
            header = next(reader, None)
            if header is not None:
                yield from _table_rows(header, reader, strict=True)
        except csv.Error as exc:
            raise SourceError(f"malformed CSV near line {reader.line_num}: {exc}") from None
        except UnicodeDecodeError as exc:
            raise SourceError(
                f"not {encoding} text near line {reader.line_num + 1}: {exc.reason}"
            ) from None


def read_xlsx_rows(path: Path, options: FilesOptions) -> Iterator[Row | BadRow]:
    """The rows of one sheet of a workbook, streamed; the first row is the header."""
    with path.open("rb") as handle:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        try:
            sheet = _worksheet(workbook, options.sheet)
            sheet.reset_dimensions()  # some writers record a wrong sheet size
            rows = sheet.iter_rows(values_only=True)
            header = next(rows, None)
            if header is not None:
                yield from _table_rows(header, rows, strict=False)
        finally:
            workbook.close()


def read_geo_rows(path: Path, options: FilesOptions) -> Iterator[Row | BadRow]:
    """The features of a GeoJSON, Shapefile (or zipped one) or GeoPackage layer, in lon/lat."""
    source, layer = _geo_source(path, options.layer)
    info = pyogrio.read_info(source, layer=layer)
    crs = info.get("crs") or options.assume_crs
    if info.get("geometry_type") is not None and crs is None:
        raise SourceError(
            "the file does not say its coordinate system (a shapefile without its .prj?); "
            "set assume_crs in the source's options"
        )
    for frame in _geo_frames(source, layer, info):
        yield from _geo_frame_rows(frame, crs)


def read_cap_rows(path: Path, options: FilesOptions) -> Iterator[Row | BadRow]:
    """The alerts of a CAP file (one alert, or a feed of them) as `alerts` row fields."""
    alerts, rejected = parse_cap_documents(
        path.read_bytes(), source_name=path.name, default_timezone=options.map.timezone
    )
    for alert in alerts:
        yield alert_fields(alert, options.languages)
    for item in rejected:
        yield BadRow(values=[item.raw[:2000]], reason=item.reason)


READERS: dict[Format, RowReader] = {
    "csv": read_csv_rows,
    "xlsx": read_xlsx_rows,
    "geojson": read_geo_rows,
    "shapefile": read_geo_rows,
    "gpkg": read_geo_rows,
    "cap": read_cap_rows,
}


# -- text and tables ---------------------------------------------------------------------------
def detect_encoding(path: Path) -> str:
    """UTF-16 (by its BOM), UTF-8 (BOM or not), else GB18030; SourceError if neither decodes."""
    with path.open("rb") as handle:
        head = handle.read(2)
    if head in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    for encoding in ("utf-8-sig", "gb18030"):
        if _decodes(path, encoding):
            return encoding
    raise SourceError("the text is neither UTF-8 nor GB18030 (GBK); set csv.encoding")


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with path.open("rb") as handle:
        try:
            while block := handle.read(DECODE_BLOCK):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def sniff_delimiter(sample: str) -> str:
    """The delimiter among `DELIMITERS` that splits the header, best one that splits every row
    of the sample into as many values; "," when none splits the header (one column)."""
    best, best_score = ",", (False, 1)
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(sample), delimiter=delimiter)
        widths = [len(row) for row in islice(reader, SNIFF_ROWS + 1) if row]
        if len(widths) > 1 and len(sample) >= SNIFF_CHARS:
            widths.pop()  # the last row of a cut sample may be cut too
        if not widths or widths[0] < 2:
            continue  # this delimiter does not split the header
        score = (min(widths) == max(widths), widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def column_names(header: Iterable[Any]) -> list[str]:
    """Header cells as column names: trimmed, blanks named `columnN`, repeats numbered."""
    names: list[str] = []
    for number, cell in enumerate(header, start=1):
        name = "" if cell is None else str(cell).replace("\ufeff", "").strip()
        name = name or f"column{number}"
        candidate, repeat = name, 1
        while candidate in names:
            repeat += 1
            candidate = f"{name}_{repeat}"
        names.append(candidate)
    return names


def _table_rows(
    header: Sequence[Any], rows: Iterable[Sequence[Any]], *, strict: bool
) -> Iterator[Row | BadRow]:
    """Rows as dicts by the header; blank rows skipped, "" as None.

    `strict` (CSV): a row of another width is a `BadRow`. Otherwise (XLSX) short rows are padded
    and only values beyond the header make a `BadRow`.
    """
    names = column_names(header)
    width = len(names)
    for raw in rows:
        values = [None if value == "" else value for value in raw]
        if values.count(None) == len(values):
            continue
        if len(values) != width:
            if strict or any(value is not None for value in values[width:]):
                yield BadRow(values, f"{len(values)} values, the header has {width} columns")
                continue
            values = (values + [None] * width)[:width]
        yield dict(zip(names, values, strict=True))


def _worksheet(workbook: Any, sheet: str | int) -> Any:
    if isinstance(sheet, int):
        if sheet >= len(workbook.worksheets):
            raise SourceError(
                f"the workbook has {len(workbook.worksheets)} sheet(s), no sheet {sheet}"
            )
        return workbook.worksheets[sheet]
    if sheet not in workbook.sheetnames:
        raise SourceError(f"the workbook has no sheet {sheet!r} ({', '.join(workbook.sheetnames)})")
    return workbook[sheet]


# -- geometry files ----------------------------------------------------------------------------
def _geo_source(path: Path, layer: str | int | None) -> tuple[str, str | int]:
    """The GDAL path and layer to open; a shapefile must have its .shx and .dbf."""
    suffix = path.suffix.lower()
    if suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if not m.startswith("__MACOSX/")]
        member = _zipped_shapefile(members, layer)
        _require_parts(member[:-4], {m.lower() for m in members})
        return f"/vsizip/{path}/{member}", 0
    if suffix == ".shp":
        with os.scandir(path.parent) as entries:
            _require_parts(path.name[:-4], {entry.name.lower() for entry in entries})
        return str(path), 0
    return str(path), 0 if layer is None else layer


def _zipped_shapefile(members: list[str], layer: str | int | None) -> str:
    shapefiles = sorted(m for m in members if m.lower().endswith(".shp"))
    if not shapefiles:
        raise SourceError("the zip holds no shapefile (.shp)")
    if layer is None:
        return shapefiles[0]
    if isinstance(layer, int):
        if layer >= len(shapefiles):
            raise SourceError(f"the zip holds {len(shapefiles)} shapefile(s), no layer {layer}")
        return shapefiles[layer]
    for member in shapefiles:
        if Path(member).stem.lower() == layer.lower():
            return member
    raise SourceError(f"the zip holds no shapefile called {layer!r}")


def _require_parts(stem: str, names_lower: set[str]) -> None:
    missing = [e for e in REQUIRED_SHAPEFILE_PARTS if f"{stem}{e}".lower() not in names_lower]
    if missing:
        raise SourceError(f"the shapefile is missing its {' and '.join(missing)}")


def _geo_frames(source: str, layer: str | int, info: Mapping[str, Any]) -> Iterator[pd.DataFrame]:
    """The layer in chunks where GDAL seeks to a feature on disk, else whole (GeoJSON, which
    GDAL parses whole on every open)."""
    count = info.get("features", -1)
    if info.get("driver") not in SEEKABLE_DRIVERS or count < 0:
        yield pyogrio.read_dataframe(source, layer=layer)
        return
    for skip in range(0, count, GEO_CHUNK):
        yield pyogrio.read_dataframe(
            source, layer=layer, skip_features=skip, max_features=GEO_CHUNK
        )


def _geo_frame_rows(frame: pd.DataFrame, crs: str | None) -> Iterator[Row]:
    if isinstance(frame, gpd.GeoDataFrame):
        frame = frame.set_crs(crs, allow_override=True) if frame.crs is None else frame
        frame = frame.to_crs(epsg=4326)
        geometries = np.asarray(frame.geometry.array, dtype=object)
        attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    else:  # a table without geometry
        geometries = np.full(len(frame), None, dtype=object)
        attributes = frame
    shapes = [None if text is None else json.loads(text) for text in shapely.to_geojson(geometries)]
    lons, lats = _anchor_coordinates(geometries)
    for values, shape, lon, lat in zip(
        attributes.to_dict("records"), shapes, lons, lats, strict=True
    ):
        row = {str(name): _plain(value) for name, value in values.items()}
        yield {**row, "geometry": shape, "lon": lon, "lat": lat}


def _anchor_coordinates(geometries: np.ndarray) -> tuple[list[float | None], list[float | None]]:
    """lon/lat of each point, or of a point on the surface of any other shape."""
    anchors = geometries.copy()
    others = (shapely.get_type_id(geometries) > 0) & ~shapely.is_empty(geometries)
    if others.any():
        try:
            anchors[others] = shapely.point_on_surface(geometries[others])
        except shapely.errors.GEOSException:  # some invalid shapes; fall back one by one
            anchors[others] = [_anchor(geometry) for geometry in geometries[others]]
    return _numbers(shapely.get_x(anchors)), _numbers(shapely.get_y(anchors))


def _anchor(geometry: Any) -> Any:
    try:
        return shapely.point_on_surface(geometry)
    except shapely.errors.GEOSException:
        return shapely.centroid(geometry)


def _numbers(values: np.ndarray) -> list[float | None]:
    return [None if math.isnan(value) else float(value) for value in values]


def _plain(value: Any) -> Any:
    """A pandas or numpy value as plain Python (missing values as None)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return _plain(value.item())
    return value


# -- files on disk -----------------------------------------------------------------------------
def _never_read(name: str) -> bool:
    lower = name.lower()
    return name.startswith(IGNORED_PREFIXES) or lower.endswith(IGNORED_SUFFIXES)


def _is_shapefile_part(name: str) -> bool:
    return name.lower().endswith(SHAPEFILE_PARTS)


def _drop_file(folder: Path, name: str, kind: Format, by_lower: Mapping[str, str]) -> DropFile:
    names = [name]
    if name.lower().endswith(".shp"):
        stem = name[:-4].lower()
        names += [by_lower[stem + ext] for ext in SHAPEFILE_PARTS if stem + ext in by_lower]
    parts = tuple(folder / part for part in names)
    stats = [part.stat() for part in parts]
    return DropFile(
        name=name,
        format=kind,
        parts=parts,
        signature=_signature(stats),
        changed_at=max(max(s.st_mtime, s.st_ctime) for s in stats),
        mtime_ns=stats[0].st_mtime_ns,
    )


def _unchanged(drop: DropFile) -> bool:
    try:
        stats = [part.stat() for part in drop.parts]
    except OSError:
        return False
    return _signature(stats) == drop.signature


def _signature(stats: Iterable[os.stat_result]) -> Signature:
    return tuple((s.st_size, s.st_mtime_ns, s.st_ctime_ns) for s in stats)


def _cache_key(drop: DropFile) -> tuple[str, Signature]:
    return drop.name, drop.signature


def _sha256(parts: Sequence[Path]) -> str:
    """The SHA-256 of a file (as `sha256sum` prints it), or of a shapefile's parts in order."""
    digest = hashlib.sha256()
    for part in parts:
        if len(parts) > 1:
            digest.update(f"\0{part.suffix.lower()}\0".encode())
        with part.open("rb") as handle:
            while block := handle.read(HASH_BLOCK):
                digest.update(block)
    return digest.hexdigest()


def _stem(drop: DropFile) -> str:
    lower = drop.name.lower()
    return drop.name[:-4] if lower.endswith(".shp") else Path(drop.name).stem


# -- the watermark -----------------------------------------------------------------------------
def _remembered(since: Watermark | None) -> dict[str, dict[str, Any]]:
    files = since.get("files") if isinstance(since, Mapping) else None
    if not isinstance(files, Mapping):
        return {}
    return {str(sha): dict(entry) for sha, entry in files.items() if isinstance(entry, Mapping)}


def _latest_versions(files: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """The hash last read under each file name."""
    latest: dict[str, str] = {}
    for sha, entry in sorted(files.items(), key=lambda item: str(item[1].get("at", ""))):
        latest[str(entry.get("name"))] = sha
    return latest


def _pruned(
    files: dict[str, dict[str, Any]], present: set[str], limit: int = MAX_REMEMBERED
) -> dict[str, dict[str, Any]]:
    """At most `limit` entries: those of files gone from the folder go first, oldest first."""
    if len(files) <= limit:
        return files
    order = sorted(
        files, key=lambda sha: (files[sha].get("name") in present, files[sha].get("at", ""))
    )
    dropped = set(order[: len(files) - limit])
    return {sha: entry for sha, entry in files.items() if sha not in dropped}


# -- small helpers -----------------------------------------------------------------------------
def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, AdapterError):
        return exc.operator_message
    if isinstance(exc, zipfile.BadZipFile):
        return f"the file is corrupt or truncated ({exc})"
    text = str(exc).strip()
    first = text.splitlines()[0].split("; It might help")[0] if text else ""  # GDAL's hint
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__
