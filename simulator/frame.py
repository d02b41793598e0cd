"""A minimal column frame (dict of equal-length numpy arrays) for vectorised row generation."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import numpy as np


class Frame:
    """Named equal-length columns; cheaper than a DataFrame for generate -> filter -> insert."""

    __slots__ = ("columns",)

    def __init__(self, columns: Mapping[str, object] | None = None):
        self.columns: dict[str, np.ndarray] = {}
        for name, values in (columns or {}).items():
            self[name] = values

    def __setitem__(self, name: str, values) -> None:
        arr = values if isinstance(values, np.ndarray) else _array(values)
        if self.columns and len(arr) != self.n:
            raise ValueError(f"column {name!r} has {len(arr)} rows, frame has {self.n}")
        self.columns[name] = arr

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def __contains__(self, name: object) -> bool:
        return name in self.columns

    def __iter__(self) -> Iterator[str]:
        return iter(self.columns)

    @property
    def n(self) -> int:
        """Number of rows."""
        for arr in self.columns.values():
            return len(arr)
        return 0

    def take(self, index) -> Frame:
        """Rows at ``index`` (integer array or boolean mask)."""
        return Frame({k: v[index] for k, v in self.columns.items()})

    def select(self, names: Iterable[str]) -> Frame:
        """Only the named columns."""
        return Frame({k: self.columns[k] for k in names})

    def public(self) -> Frame:
        """Columns without the leading-underscore planning columns."""
        return Frame({k: v for k, v in self.columns.items() if not k.startswith("_")})

    def copy(self) -> Frame:
        return Frame({k: v.copy() for k, v in self.columns.items()})

    @staticmethod
    def concat(frames: Iterable[Frame]) -> Frame:
        """Row-wise concatenation (columns of the first non-empty frame)."""
        frames = [f for f in frames if f.n]
        if not frames:
            return Frame()
        names = list(frames[0].columns)
        return Frame({k: np.concatenate([f.columns[k] for f in frames]) for k in names})


def _array(values) -> np.ndarray:
    if isinstance(values, list | tuple) and values and isinstance(values[0], str | type(None)):
        arr = np.empty(len(values), dtype=object)
        arr[:] = values
        return arr
    arr = np.asarray(values)
    if arr.dtype.kind == "U":
        return arr.astype(object)
    return arr


def strings(values) -> np.ndarray:
    """An object array of Python strings (numpy 'U' arrays are slow to concatenate)."""
    arr = np.empty(len(values), dtype=object)
    arr[:] = list(values)
    return arr
