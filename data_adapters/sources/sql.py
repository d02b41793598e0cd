"""The SQL adapter: any database SQLAlchemy reaches, read incrementally by a cursor column.

Queries are SQLAlchemy Core expressions built from a reflected table, never SQL text:

    SELECT cols FROM t WHERE cursor >= :since ORDER BY cursor, key LIMIT n

A full page continues by keyset (`(cursor, key) > (:c, :k)`), so any number of rows sharing
one cursor value stream through in pages, never a whole table in memory. The last page moves
the watermark to the newest cursor seen, capped at the time the poll began (the signpost).

With `aggregate`, the GROUP BY runs in the source's engine: only the groups touched by rows at
or after the watermark are recomputed (for a time bucket on the cursor column, the buckets from
the watermark's bucket on), so a refresh costs what the new rows cost, not the whole table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import (
    Column,
    Engine,
    MetaData,
    Select,
    Table,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.exc import (
    ArgumentError,
    DataError,
    NoSuchModuleError,
    NoSuchTableError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.sql.elements import ColumnElement

from data_adapters.contract import (
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
from data_adapters.sources.mapping import FieldMap, MappingError
from data_adapters.store.engine import StoreURLError, make_engine

BucketUnit = Literal["hour", "day", "month"]
_SQLITE_BUCKET = {"hour": "%Y-%m-%d %H:00:00", "day": "%Y-%m-%d 00:00:00", "month": "%Y-%m-01"}
_AGGREGATES = {"sum": func.sum, "avg": func.avg, "min": func.min, "max": func.max}


class Bucket(BaseModel):
    """Group by a time column truncated to an hour, a day or a month (UTC)."""

    model_config = ConfigDict(extra="forbid")
    column: str
    unit: BucketUnit


class Aggregate(BaseModel):
    """A GROUP BY pushed down to the source: output name -> "fn:column" (sum, avg, min, max,
    count; "count:*"), or "share:column=value": the percentage of the rows where the column
    has a value that have that value (satisfaction = 满意 among rated tickets)."""

    model_config = ConfigDict(extra="forbid")
    group_by: list[str] = Field(default_factory=list)
    bucket: Bucket | None = None
    measures: dict[str, str] = Field(min_length=1)

    @model_validator(mode="after")
    def _measures_are_known(self) -> Aggregate:
        for name, spec in self.measures.items():
            function, _, column = spec.partition(":")
            if function == "share" and "=" not in column:
                raise ValueError(f"measure {name}: {spec!r} is not share:column=value")
            if function not in (*_AGGREGATES, "count", "share") or not column:
                raise ValueError(f"measure {name}: {spec!r} is not fn:column (sum, avg, ...)")
        return self


class SqlOptions(BaseModel):
    """Options of a `kind = "sql"` source."""

    model_config = ConfigDict(extra="forbid")
    url: str
    table: str
    db_schema: str | None = Field(default=None, alias="schema")
    cursor: str
    limit: int = Field(default=20_000, ge=1)
    lookback_seconds: float = Field(default=0, ge=0)
    filters: dict[str, Any] = Field(default_factory=dict)  # column = value | [values] |
    #                                                       { not_null = true }
    aggregate: Aggregate | None = None
    map: FieldMap


class SqlAdapter:
    """Reads one table (or a GROUP BY over it) incrementally by its cursor column."""

    def __init__(self, options: SqlOptions, engine: Engine | None = None) -> None:
        self.options = options
        self._engine = engine
        self._table: Table | None = None

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> SqlAdapter:
        try:
            return cls(SqlOptions.model_validate(options))
        except ValidationError as exc:
            raise ConfigError(f"sql source options: {describe(exc)}") from None

    # -- the contract -----------------------------------------------------------------------
    def check(self) -> Health:
        try:
            table = self._reflect()
            with self.engine.connect() as connection:
                connection.execute(select(literal(1)).select_from(table).limit(1)).all()
        except (ConfigError, TransientError, SourceError) as exc:
            return Health(ok=False, message=exc.operator_message, details={"kind": exc.kind})
        return Health(
            ok=True,
            message=f"table {table.name} is readable",
            details={"dialect": self.engine.dialect.name, "columns": len(table.columns)},
        )

    def poll(self, since: Watermark | None) -> Batch:
        signpost = datetime.now(UTC)
        table = self._reflect()
        if self.options.aggregate:
            query, cursor_label = self._aggregate_query(table, since)
            rows = self._fetch(query)
            return self._batch(rows, cursor_label, since, signpost, more=False)
        query = self._rows_query(table, since)
        rows = self._fetch(query)
        more = len(rows) >= self.options.limit
        return self._batch(rows, self.options.cursor, since, signpost, more=more)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    # -- queries ----------------------------------------------------------------------------
    def _rows_query(self, table: Table, since: Watermark | None) -> Select:
        cursor = self._column(table, self.options.cursor)
        keys = [self._column(table, name) for name in self.options.map.key]
        query = select(table).where(*self._filters(table))
        if since and "cursor" in since:
            start = self._decode(cursor, since["cursor"])
            after = since.get("after_key")
            if after is not None:
                query = query.where(
                    or_(cursor > start, and_(cursor == start, tuple_(*keys) > tuple_(*after)))
                )
            else:
                query = query.where(cursor >= self._look_back(start))
        return query.order_by(cursor, *keys).limit(self.options.limit)

    def _aggregate_query(self, table: Table, since: Watermark | None) -> tuple[Select, str]:
        spec = self.options.aggregate
        assert spec is not None
        cursor = self._column(table, self.options.cursor)
        groups: list[ColumnElement] = [self._column(table, n) for n in spec.group_by]
        if spec.bucket:
            bucket_column = self._column(table, spec.bucket.column)
            groups.append(self._bucket(bucket_column, spec.bucket.unit).label("bucket"))
        measures = [self._measure(table, name, text) for name, text in spec.measures.items()]
        query = (
            select(*groups, *measures, func.max(cursor).label("_cursor"))
            .where(*self._filters(table))
            .group_by(*groups)
        )
        if since and "cursor" in since:
            start = self._look_back(self._decode(cursor, since["cursor"]))
            if spec.bucket and spec.bucket.column == self.options.cursor:
                query = query.where(cursor >= self._bucket_floor(start, spec.bucket.unit))
            else:
                touched = select(*groups).where(*self._filters(table), cursor >= start).distinct()
                query = query.where(tuple_(*groups).in_(touched))
        return query, "_cursor"

    def _bucket(self, column: Column, unit: BucketUnit) -> ColumnElement:
        dialect = self.engine.dialect.name
        if dialect == "sqlite":
            return func.strftime(_SQLITE_BUCKET[unit], column)
        if dialect == "postgresql":
            return func.date_trunc(unit, column, "UTC")
        raise ConfigError(f"time buckets are not supported on {dialect} yet")

    @staticmethod
    def _bucket_floor(value: Any, unit: BucketUnit) -> Any:
        if not isinstance(value, datetime):
            return value
        value = value.replace(minute=0, second=0, microsecond=0)
        if unit in ("day", "month"):
            value = value.replace(hour=0)
        if unit == "month":
            value = value.replace(day=1)
        return value

    def _measure(self, table: Table, name: str, text: str) -> ColumnElement:
        function, _, column = text.partition(":")
        if function == "share":
            name_, _, value = column.partition("=")
            source = self._column(table, name_)
            hit = case(
                (source.is_(None), None), (source == _typed(source, value), 100.0), else_=0.0
            )
            return func.avg(hit).label(name)
        if function == "count":
            expression = func.count() if column == "*" else func.count(self._column(table, column))
        else:
            expression = _AGGREGATES[function](self._column(table, column))
        return expression.label(name)

    def _filters(self, table: Table) -> list[ColumnElement]:
        conditions = []
        for name, value in self.options.filters.items():
            column = self._column(table, name)
            if value == {"not_null": True}:
                conditions.append(column.is_not(None))
            elif isinstance(value, list):
                conditions.append(column.in_(value))
            else:
                conditions.append(column == value)
        return conditions

    def _look_back(self, start: Any) -> Any:
        if isinstance(start, datetime) and self.options.lookback_seconds:
            return start - timedelta(seconds=self.options.lookback_seconds)
        return start

    # -- rows to a batch ---------------------------------------------------------------------
    def _batch(
        self,
        rows: Sequence[Mapping[str, Any]],
        cursor_name: str,
        since: Watermark | None,
        signpost: datetime,
        *,
        more: bool,
    ) -> Batch:
        records: list[Record] = []
        rejected: list[Rejected] = []
        prepare = self._prepare if self.options.aggregate else dict
        for row in rows:
            prepared = prepare(row)
            try:
                records.append(self.options.map.record(prepared))
            except MappingError as exc:
                rejected.append(Rejected(raw=repr(dict(prepared)), reason=str(exc)))
        return Batch(
            records=records,
            rejected=rejected,
            watermark=self._next_watermark(rows, cursor_name, since, signpost, more),
            more=more,
        )

    def _prepare(self, row: Mapping[str, Any]) -> dict[str, Any]:
        prepared = dict(row)
        bucket = prepared.get("bucket")
        if isinstance(bucket, str):  # SQLite's strftime gives text
            prepared["bucket"] = datetime.fromisoformat(bucket).replace(tzinfo=UTC)
        elif isinstance(bucket, datetime) and bucket.tzinfo is None:
            prepared["bucket"] = bucket.replace(tzinfo=UTC)
        return prepared

    def _next_watermark(
        self,
        rows: Sequence[Mapping[str, Any]],
        cursor_name: str,
        since: Watermark | None,
        signpost: datetime,
        more: bool,
    ) -> Watermark | None:
        if not rows:
            return {"cursor": since["cursor"]} if since and "cursor" in since else since
        values = [row[cursor_name] for row in rows if row[cursor_name] is not None]
        if not values:
            return since
        if more:
            last = rows[-1]
            return {
                "cursor": _encode(last[cursor_name]),
                "after_key": [last[name] for name in self.options.map.key],
            }
        newest = max(values)
        if isinstance(newest, datetime):
            newest = min(_aware(newest), signpost)
        if since and "cursor" in since:
            previous = self._decode_plain(since["cursor"], newest)
            newest = max(newest, previous)
        return {"cursor": _encode(newest)}

    # -- plumbing ----------------------------------------------------------------------------
    @property
    def engine(self) -> Engine:
        if self._engine is None:
            try:
                self._engine = make_engine(self.options.url)
            except StoreURLError as exc:
                raise ConfigError(str(exc)) from None
        return self._engine

    def _reflect(self) -> Table:
        if self._table is None:
            try:
                self._table = Table(
                    self.options.table,
                    MetaData(),
                    autoload_with=self.engine,
                    schema=self.options.db_schema,
                )
            except NoSuchTableError:
                raise ConfigError(f"the source has no table {self.options.table!r}") from None
            except (NoSuchModuleError, ArgumentError) as exc:
                raise ConfigError(f"cannot use the source database: {exc}") from None
            except OperationalError as exc:
                raise TransientError(_first_line(exc), detail=str(exc)) from None
        return self._table

    def _column(self, table: Table, name: str) -> Column:
        try:
            return table.columns[name]
        except KeyError:
            raise ConfigError(f"table {table.name} has no column {name!r}") from None

    def _fetch(self, query: Select) -> list[Mapping[str, Any]]:
        try:
            with self.engine.connect() as connection:
                return list(connection.execute(query).mappings())
        except OperationalError as exc:
            raise TransientError(
                f"the source database did not answer: {_first_line(exc)}", detail=str(exc)
            ) from None
        except ProgrammingError as exc:
            raise ConfigError(f"the query was refused: {_first_line(exc)}", str(exc)) from None
        except DataError as exc:
            raise SourceError(f"the source sent unreadable data: {_first_line(exc)}") from None

    def _decode(self, column: Column, value: Any) -> Any:
        python_type = _python_type(column)
        if python_type is datetime and isinstance(value, str):
            parsed = datetime.fromisoformat(value)
            timezone_aware = getattr(column.type, "timezone", False)
            if self.engine.dialect.name == "sqlite" or not timezone_aware:
                return parsed.astimezone(UTC).replace(tzinfo=None)
            return parsed
        return value

    @staticmethod
    def _decode_plain(value: Any, like: Any) -> Any:
        if isinstance(like, datetime) and isinstance(value, str):
            return _aware(datetime.fromisoformat(value))
        return value


def _typed(column: Column, text: str) -> Any:
    """`text` from the configuration as a value of `column`'s type (numbers stay numbers)."""
    python_type = _python_type(column)
    if python_type in (int, float):
        try:
            return python_type(text)
        except ValueError:
            raise ConfigError(f"{text!r} is not a value of column {column.name}") from None
    return text


def _python_type(column: Column) -> type | None:
    try:
        return column.type.python_type
    except NotImplementedError:
        return None


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return _aware(value).isoformat()
    if isinstance(value, int | float | str) or value is None:
        return value
    return str(value)


def _first_line(exc: Exception) -> str:
    original = getattr(exc, "orig", None) or exc
    return str(original).strip().splitlines()[0] if str(original).strip() else type(exc).__name__
