"""Offline Chinese sentiment: negative, neutral or positive, with a negativity score in [0, 1].

A linear model over character n-grams (1 to 3 characters, plus n-grams marked as following a
negation word), with one weight row per n-gram of the vocabulary and one column per class.
Scoring a batch is vectorised: the batch's normalised texts become one array of code points,
every n-gram of every text is hashed at once (64-bit, exact keys, no buckets), looked up in the
sorted vocabulary with one `searchsorted`, and the weights are summed per text with `bincount`.
numpy is all it needs at run time; the model ships as `models/sentiment.npz`, written by
`scripts/train_sentiment.py` (see docs/sentiment.md for data, figures and limits).

Rules, also in docs/sentiment.md:

- Text is normalised (NFKC, lower case, HTML tags dropped and entities decoded, digits as 0,
  control characters and whitespace runs as one space); only its first `MAX_CHARS`
  characters are read.
- `negative` is the model's probability of the negative class; the label is neutral when the
  neutral class's probability is at least the model's `neutral_threshold`, else the likelier
  of negative and positive.
- A text with nothing in it after normalisation (empty, whitespace, markup only), or none of
  whose n-grams the model knows, is neutral with `negative` 0.0: it says nothing negative.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

MODEL_FILE = Path(__file__).resolve().parent / "models" / "sentiment.npz"
LABELS = ("negative", "neutral", "positive")
NEGATIVE, NEUTRAL, POSITIVE = range(3)
#: Characters of a (normalised) text that are read; the rest is ignored.
MAX_CHARS = 512
#: How many characters after a negation word are marked as negated.
NEGATION_SCOPE = 3
#: Negation characters; each marks the next `NEGATION_SCOPE` characters (up to punctuation).
NEGATORS = "不没无無未别勿莫甭"

_START, _END = "\x02", "\x03"
_TAGS = re.compile(r"<[^<>]{0,400}>")
_SPACES = re.compile(r"\s+")
#: Digits read as 0; control characters (the n-gram markers among them) as spaces.
_TRANSLATION = str.maketrans(
    {**{str(d): "0" for d in range(10)}, **{chr(c): " " for c in (*range(32), 127)}}
)
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_NEGATED_SALT = 1 << 40
_CLAUSE_BREAKS = "，。！？；、,.!?;:：~…\n " + _START + _END


class Score(NamedTuple):
    """The sentiment of one text: its label and the probability that it is negative."""

    label: str
    negative: float


#: The score of a text with nothing the model knows in it.
UNKNOWN = Score("neutral", 0.0)


def normalise(text: str) -> str:
    """The text as the model reads it (see the module docstring)."""
    if "<" in text or "&" in text:
        text = html.unescape(_TAGS.sub(" ", text))
    text = unicodedata.normalize("NFKC", text[: MAX_CHARS * 4]).lower().translate(_TRANSLATION)
    return _SPACES.sub(" ", text).strip()[:MAX_CHARS]


@dataclass(frozen=True)
class Features:
    """The n-gram keys of a batch: `keys[i]` occurs in text `rows[i]`; `lengths` counts each
    text's n-grams (the scale of its feature vector)."""

    keys: np.ndarray
    rows: np.ndarray
    lengths: np.ndarray


def _codes(texts: Sequence[str]) -> np.ndarray:
    joined = "".join(f"{_START}{text}{_END}" for text in texts)
    encoded = joined.encode("utf-32-le", "surrogatepass")
    return np.frombuffer(encoded, dtype=np.uint32).astype(np.uint64)


def _windows(codes: np.ndarray, n: int, salt: int) -> tuple[np.ndarray, np.ndarray]:
    """Hash of every n-gram starting at each position, and whether it lies inside one text
    (a start marker may only open it and an end marker only close it; a marker alone is none)."""
    size = len(codes) - n + 1
    keys = np.full(size, np.uint64(salt + n), dtype=np.uint64)
    inside = np.ones(size, dtype=bool)
    for k in range(n):
        window = codes[k : k + size]
        keys = (keys ^ window) * _MULTIPLIER
        if k > 0 or n == 1:
            inside &= window != ord(_START)
        if k < n - 1 or n == 1:
            inside &= window != ord(_END)
    return keys, inside


def _scope(codes: np.ndarray) -> np.ndarray:
    """Positions negated by a negation word before them in the same clause."""
    is_negator = np.isin(codes, [ord(char) for char in NEGATORS])
    breaks = np.isin(codes, [ord(char) for char in _CLAUSE_BREAKS])
    marked = np.zeros(len(codes), dtype=bool)
    reach = is_negator.copy()
    for _ in range(NEGATION_SCOPE):
        reach = np.concatenate(([False], reach[:-1])) & ~breaks
        marked |= reach & ~is_negator
    return marked


def featurise(texts: Sequence[str], orders: Sequence[int] = (1, 2, 3)) -> Features:
    """The n-gram keys of already normalised `texts`, all texts at once."""
    codes = _codes(texts)
    row_of = np.cumsum(codes == ord(_START)) - 1
    negated = _scope(codes)
    all_keys, all_rows = [], []
    for n in orders:
        keys, inside = _windows(codes, n, salt=0)
        all_keys.append(keys[inside])
        all_rows.append(row_of[: len(inside)][inside])
    for n in (1, 2):
        keys, inside = _windows(codes, n, salt=_NEGATED_SALT)
        inside &= negated[: len(inside)]
        all_keys.append(keys[inside])
        all_rows.append(row_of[: len(inside)][inside])
    keys, rows = np.concatenate(all_keys), np.concatenate(all_rows)
    lengths = np.bincount(rows, minlength=len(texts)).astype(np.float64)
    return Features(keys=keys, rows=rows, lengths=lengths)


def lookup(vocabulary: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index in the sorted `vocabulary` of each key, and whether it is there at all."""
    index = np.searchsorted(vocabulary, keys)
    index[index == len(vocabulary)] = 0
    return index, vocabulary[index] == keys


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


class SentimentModel:
    """The trained model: a sorted vocabulary of n-gram keys, their weights per class, the
    class biases and the neutral threshold."""

    def __init__(
        self,
        vocabulary: np.ndarray,
        weights: np.ndarray,
        bias: np.ndarray,
        neutral_threshold: float,
    ) -> None:
        self.vocabulary = vocabulary
        self.weights = weights.astype(np.float32)
        self.bias = bias.astype(np.float64)
        self.neutral_threshold = float(neutral_threshold)

    @classmethod
    def load(cls, path: Path | str | None = None) -> SentimentModel:
        """The model in `path`, or the shipped one (read once per process)."""
        return _load_default() if path is None else _read(Path(path))

    def save(self, path: Path) -> None:
        """Write the model as a compressed `.npz`."""
        np.savez_compressed(
            path,
            vocabulary=self.vocabulary,
            weights=self.weights.astype(np.float16),
            bias=self.bias,
            neutral_threshold=np.float64(self.neutral_threshold),
        )

    def probabilities(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Class probabilities (negative, neutral, positive) of normalised `texts`, and how
        many of each text's n-grams the vocabulary knows."""
        features = featurise(texts)
        index, found = lookup(self.vocabulary, features.keys)
        rows, index = features.rows[found], index[found]
        scale = 1.0 / np.sqrt(np.maximum(features.lengths, 1.0))
        logits = np.empty((len(texts), len(LABELS)))
        for label in range(len(LABELS)):
            sums = np.bincount(rows, self.weights[index, label], minlength=len(texts))
            logits[:, label] = sums * scale + self.bias[label]
        return softmax(logits), np.bincount(rows, minlength=len(texts))

    def score(self, texts: Sequence[str]) -> list[Score]:
        """The sentiment of each text, in order."""
        cleaned = [normalise(text) for text in texts]
        present = [i for i, text in enumerate(cleaned) if text]
        scores = [UNKNOWN] * len(texts)
        if present:
            probs, known = self.probabilities([cleaned[i] for i in present])
            for i, row, count in zip(present, probs, known, strict=True):
                if count:
                    scores[i] = Score(self.label_of(row), round(float(row[NEGATIVE]), 4))
        return scores

    def label_of(self, probs: np.ndarray) -> str:
        """The label of one row of class probabilities (see the module docstring)."""
        if probs[NEUTRAL] >= self.neutral_threshold:
            return "neutral"
        return "negative" if probs[NEGATIVE] >= probs[POSITIVE] else "positive"


def _read(path: Path) -> SentimentModel:
    with np.load(path, allow_pickle=False) as data:
        return SentimentModel(
            vocabulary=data["vocabulary"],
            weights=data["weights"],
            bias=data["bias"],
            neutral_threshold=float(data["neutral_threshold"]),
        )


@cache
def _load_default() -> SentimentModel:
    return _read(MODEL_FILE)
