"""The small part of OData that SensorThings clients send: `$filter` and `$orderby`.

`$filter` understands comparisons (`eq ne gt ge lt le`) of a path with a literal, joined by
`and`, `or`, `not` and parentheses. Paths name properties, nested ones with `/`
(`Thing/properties/kind`, `ObservedProperty/name`); `id` means `@iot.id`. Literals are
'text' (a quote doubled inside), numbers, `true`/`false`/`null`, and unquoted ISO 8601 times
(`phenomenonTime ge 2026-11-01T00:00:00Z`).

A parsed filter is a tree that is either evaluated on entities as JSON (`matches`, for the
few hundred Things and Datastreams) or compiled to SQL (`to_sql`, for Observations), so one
grammar serves both. Anything else is a `ParameterError` naming the problem.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, and_, not_, or_
from sqlalchemy.sql.elements import ColumnElement

from .params import ParameterError
from .timefmt import parse_time

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<open>\()|(?P<close>\))
    | '(?P<text>(?:[^']|'')*)'
    | (?P<time>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)
    | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?![\w:-])
    | (?P<word>[A-Za-z@_][\w@./]*)
    )""",
    re.VERBOSE,
)
COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}
_FLIPPED = {"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}
_CONSTANTS = {"true": True, "false": False, "null": None}


@dataclass(frozen=True)
class Path:
    """A property path: `Thing/properties/kind` is ('Thing', 'properties', 'kind')."""

    parts: tuple[str, ...]

    @property
    def text(self) -> str:
        return "/".join(self.parts)


@dataclass(frozen=True)
class Compare:
    """`path op value`."""

    path: Path
    op: str
    value: Any


@dataclass(frozen=True)
class Logical:
    """`and` / `or` of two or more terms."""

    op: str
    terms: tuple[Filter, ...]


@dataclass(frozen=True)
class Not:
    """`not term`."""

    term: Filter


Filter = Compare | Logical | Not


# --- parsing ----------------------------------------------------------------------------------


def parse_filter(text: str) -> Filter:
    """The tree of a `$filter` expression, or `ParameterError`."""
    parser = _Parser(_tokens(text), text)
    tree = parser.expression()
    if parser.peek() is not None:
        parser.fail(f"unexpected {parser.peek()[1]!r}")
    return tree


def _tokens(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise ParameterError(
                f"$filter: cannot read {text[position:].strip()[:30]!r} in {text!r}"
            )
        kind = match.lastgroup
        raw = match.group(kind)
        if kind == "text":
            tokens.append(("literal", raw.replace("''", "'")))
        elif kind == "time":
            tokens.append(("literal", _time_literal(raw)))
        elif kind == "number":
            tokens.append(("literal", float(raw) if any(c in raw for c in ".eE") else int(raw)))
        elif kind == "word" and raw in _CONSTANTS:
            tokens.append(("literal", _CONSTANTS[raw]))
        else:
            tokens.append((kind, raw))
        position = match.end()
    return tokens


def _time_literal(raw: str) -> datetime:
    try:
        return parse_time(raw)
    except ValueError as exc:
        raise ParameterError(f"$filter: {exc}") from None


class _Parser:
    """Recursive descent: or > and > not > comparison or parenthesis."""

    def __init__(self, tokens: list[tuple[str, Any]], text: str) -> None:
        self.tokens = tokens
        self.text = text
        self.position = 0

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, Any]:
        token = self.peek()
        if token is None:
            self.fail("it ends too early")
        self.position += 1
        return token

    def fail(self, why: str) -> None:
        raise ParameterError(f"$filter {self.text!r}: {why}")

    def _keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token[0] == "word" and token[1] == word:
            self.position += 1
            return True
        return False

    def expression(self) -> Filter:
        return self._joined("or", self._conjunction)

    def _conjunction(self) -> Filter:
        return self._joined("and", self._unary)

    def _joined(self, word: str, operand: Callable[[], Filter]) -> Filter:
        terms = [operand()]
        while self._keyword(word):
            terms.append(operand())
        return terms[0] if len(terms) == 1 else Logical(word, tuple(terms))

    def _unary(self) -> Filter:
        if self._keyword("not"):
            return Not(self._unary())
        if self.peek() is not None and self.peek()[0] == "open":
            self.take()
            inner = self.expression()
            if self.take()[0] != "close":
                self.fail("a parenthesis is not closed")
            return inner
        return self._comparison()

    def _comparison(self) -> Filter:
        left = self.take()
        op_token = self.take()
        right = self.take()
        op = op_token[1] if op_token[0] == "word" else None
        if op not in COMPARISONS:
            self.fail(f"expected one of {', '.join(COMPARISONS)} after {left[1]!r}")
        if left[0] == "literal" and right[0] == "word":
            left, right, op = right, left, _FLIPPED[op]
        if left[0] != "word" or right[0] != "literal":
            self.fail(f"compare a property with a value, e.g. id eq 7 (near {left[1]!r})")
        parts = tuple(p for p in left[1].split("/") if p)
        return Compare(Path(parts), op, right[1])


# --- evaluation on JSON entities ---------------------------------------------------------------


def matches(tree: Filter, entity: Mapping[str, Any]) -> bool:
    """Whether a JSON entity satisfies the filter (a missing property is null)."""
    if isinstance(tree, Logical):
        results = (matches(term, entity) for term in tree.terms)
        return all(results) if tree.op == "and" else any(results)
    if isinstance(tree, Not):
        return not matches(tree.term, entity)
    return _compare(resolve(entity, tree.path), tree.op, tree.value)


def resolve(entity: Mapping[str, Any], path: Path) -> Any:
    """The value at `path` in a JSON entity; `id` is `@iot.id`; None when there is none."""
    value: Any = entity
    for part in path.parts:
        if not isinstance(value, Mapping):
            return None
        value = value.get("@iot.id" if part == "id" else part)
    return value


def _compare(value: Any, op: str, literal: Any) -> bool:
    if value is None or literal is None:
        return COMPARISONS[op](value, literal) if op in ("eq", "ne") else False
    left, right = _comparable(value, literal)
    try:
        return COMPARISONS[op](left, right)
    except TypeError:
        return op == "ne"


def _comparable(value: Any, literal: Any) -> tuple[Any, Any]:
    """Both sides as the same kind: numbers, times or text."""
    if isinstance(literal, datetime) and isinstance(value, str):
        try:
            return parse_time(value), literal
        except ValueError:
            return value, literal.isoformat()
    numeric = (int, float)
    if isinstance(literal, numeric) and isinstance(value, str):
        try:
            return float(value), literal
        except ValueError:
            return value, str(literal)
    if isinstance(value, numeric) and isinstance(literal, str):
        try:
            return value, float(literal)
        except ValueError:
            return str(value), literal
    return value, literal


# --- compilation to SQL -----------------------------------------------------------------------


def to_sql(tree: Filter, columns: Mapping[str, ColumnElement[Any]]) -> ColumnElement[bool]:
    """The filter as a SQL condition on `columns` (path text -> column); others refused."""
    if isinstance(tree, Logical):
        terms = [to_sql(term, columns) for term in tree.terms]
        return and_(*terms) if tree.op == "and" else or_(*terms)
    if isinstance(tree, Not):
        return not_(to_sql(tree.term, columns))
    column = columns.get(tree.path.text)
    if column is None:
        raise ParameterError(
            f"$filter cannot use {tree.path.text!r} here; it can use {', '.join(columns)}"
        )
    value = tree.value
    if value is None:
        return column.is_(None) if tree.op == "eq" else column.is_not(None)
    return COMPARISONS[tree.op](column, _sql_value(tree.path.text, column, value))


def _sql_value(name: str, column: ColumnElement[Any], value: Any) -> Any:
    """`value` as the column's kind: a time for time columns (quoted or not), else a number."""
    kind = getattr(column.type, "impl", column.type)
    if isinstance(kind, DateTime):
        if isinstance(value, str):
            value = _time_literal(value)
        if not isinstance(value, datetime):
            raise ParameterError(f"$filter: {name} is a time; compare it with an ISO 8601 time")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParameterError(f"$filter: {name} is a number; compare it with a number")
    return value


# --- $orderby ---------------------------------------------------------------------------------


def parse_orderby(text: str | None, allowed: frozenset[str]) -> list[tuple[str, bool]]:
    """`$orderby` as (property, descending) pairs; properties outside `allowed` refused."""
    order: list[tuple[str, bool]] = []
    for item in (text or "").split(","):
        words = item.split()
        if not words:
            continue
        name = words[0]
        direction = words[1].lower() if len(words) > 1 else "asc"
        if name not in allowed or direction not in ("asc", "desc") or len(words) > 2:
            raise ParameterError(
                f"$orderby {item.strip()!r}: use one of {', '.join(sorted(allowed))}, "
                "then asc or desc"
            )
        order.append((name, direction == "desc"))
    return order
