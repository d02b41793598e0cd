"""Display values: an indicator's stored value scaled (people -> 10k people) and rounded to its
decimals, with thousands separators, as tiles, tables and hover texts show it."""

from __future__ import annotations

from data_adapters.indicators import Indicator


def scaled(indicator: Indicator, value: float | None) -> float | None:
    """The stored value in display units, rounded to the indicator's decimals."""
    return None if value is None else round(value * indicator.scale, indicator.decimals)


def format_number(value: float | None, decimals: int, *, signed: bool = False) -> str:
    """`1234.5` -> "1,234.5"; '—' when absent; a sign when `signed`."""
    if value is None:
        return "—"
    value = round(value, decimals) + 0.0  # no "-0"
    return f"{value:{'+' if signed else ''},.{decimals}f}"


def display(indicator: Indicator, value: float | None) -> str:
    """The stored value as the page shows it, without unit."""
    return format_number(scaled(indicator, value), indicator.decimals)


def unit(indicator: Indicator, language: str) -> str:
    """The indicator's unit in `language`."""
    return indicator.unit_zh if language == "zh" else indicator.unit_en
