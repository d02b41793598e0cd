"""A word cloud as plain HTML: one span per word, its size by frequency and its colour by the
mean negativity of the posts it came from, laid out by the browser (flex-wrap) in the app's
CJK font stack. Nothing is drawn on a server or fetched: the words are text, so escaped."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any, Protocol

from dash import html

MIN_REM = 0.85
MAX_REM = 2.6
#: Negativity 0 .. 1 from calm to angry (the wall's ok, muted and critical tones).
STOPS: tuple[tuple[float, tuple[int, int, int]], ...] = (
    (0.0, (46, 204, 113)),
    (0.5, (138, 164, 194)),
    (1.0, (255, 77, 79)),
)


class WordLike(Protocol):
    word: str
    count: int
    negativity: float | None


def tone(negativity: float | None) -> str:
    """The colour of a mean negativity (grey when unknown)."""
    if negativity is None:
        return "rgb(140,140,156)"
    value = min(max(negativity, 0.0), 1.0)
    for (x0, c0), (x1, c1) in itertools.pairwise(STOPS):
        if value <= x1:
            t = (value - x0) / (x1 - x0)
            r, g, b = (round(a + (b - a) * t) for a, b in zip(c0, c1, strict=True))
            return f"rgb({r},{g},{b})"
    return "rgb(255,77,79)"


def size_rem(count: int, smallest: int, largest: int) -> float:
    """A word's font size: by the logarithm of its count between the cloud's extremes."""
    if largest <= smallest:
        return round((MIN_REM + MAX_REM) / 2, 2)
    t = (math.log(count) - math.log(smallest)) / (math.log(largest) - math.log(smallest))
    return round(MIN_REM + (MAX_REM - MIN_REM) * t, 2)


def word_cloud(words: Sequence[WordLike], empty: str, **props: Any) -> html.Div:
    """The words (most frequent first in the data) in an alphabetical-free, stable order:
    biggest in the middle, alternating out to the sides."""
    if not words:
        return html.Div(html.P(empty, className="empty-note"), className="word-cloud", **props)
    counts = [w.count for w in words]
    smallest, largest = min(counts), max(counts)
    middle_out: list[WordLike] = []
    for index, word in enumerate(words):
        if index % 2:
            middle_out.append(word)
        else:
            middle_out.insert(0, word)
    spans = [
        html.Span(
            w.word,
            className="word",
            title=f"{w.word}: {w.count:,}"
            + ("" if w.negativity is None else f" · {w.negativity:.2f}"),
            style={
                "fontSize": f"{size_rem(w.count, smallest, largest)}rem",
                "color": tone(w.negativity),
            },
        )
        for w in middle_out
    ]
    return html.Div(spans, className="word-cloud", **props)
