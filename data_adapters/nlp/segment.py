"""Chinese word segmentation with the city dictionary, and the district a text names.

`segment(text)` cuts a text into its content words with jieba (HMM on, for words no
dictionary knows) and drops whitespace, punctuation, emoji and stop words (`stopwords.txt`);
`tokens(text)` keeps every word, stop words included, for callers that need them (negations).
The tokenizer is a private `jieba.Tokenizer`, never jieba's global one, built once per process
on first use (thread-safe, about a second) from jieba's own dictionary plus
`city_dictionary.txt` (districts, towns, roads, landmarks, departments and local terms, written
by `scripts/build_city_dictionary.py`), so 连云港经济技术开发区, 新浦街道, 市城市管理局 and
12345热线 stay whole.

jieba's prefix-dictionary cache is not used: jieba would read and write it in the shared
temporary folder (a file any local user could plant, racing between processes, failing on a
read-only system) and log "Building prefix dict" to stderr. The dictionary is read here
instead, with no cache, no file written and nothing logged.

`district_of_text(text)` is the adcode of the first place named in the text (`place_districts.tsv`):
at each position the longest known name wins, so 连云港港 is not read as 连云 and 海州湾 (of no
single district) is not read as 海州; a name of no single district is skipped, and so is a
company registered under the city's name (连云港港宏建筑工程有限公司); None when the text names
no district's place.
"""

from __future__ import annotations

import re
import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

_DATA = resources.files(__package__ or "data_adapters.nlp")
CITY_DICTIONARY = "city_dictionary.txt"
STOPWORDS = "stopwords.txt"
PLACE_DISTRICTS = "place_districts.tsv"

# Closed word classes of jieba's dictionary (numerals, measure words, pronouns, prepositions,
# conjunctions, particles, adverbs, locatives, time words, interjections, onomatopoeia,
# adjectives): their words are never keywords. jieba's tags of open classes (person and
# place names) are too noisy to use (it tags 井盖 and 红绿灯 as person names).
CLOSED_TAGS = frozenset(
    {
        *("m", "mq", "mg", "q"),  # numerals, measure words
        *("r", "rr", "rz", "rg"),  # pronouns
        *("p", "c"),  # prepositions, conjunctions
        *("u", "uj", "ul", "uz", "ud", "ug", "uv"),  # particles
        *("d", "dg", "df", "ad"),  # adverbs
        *("f", "t", "tg"),  # locatives, time words
        *("y", "e", "o", "x", "h", "k"),  # interjections, onomatopoeia, affixes, non-words
        *("a", "ag"),  # adjectives
    }
)


@dataclass(frozen=True)
class Lexicon:
    """The loaded tokenizer and the word lists keywords are chosen with."""

    tokenizer: Any  # jieba.Tokenizer
    stopwords: frozenset[str]
    city_tags: Mapping[str, str]  # city dictionary word -> tag (ns, nz, nt, n)
    closed_class: frozenset[str]  # jieba dictionary words of a closed class


_lock = threading.Lock()
_lexicon: Lexicon | None = None


def lexicon() -> Lexicon:
    """The process's lexicon, built on first use (once, even when threads race for it)."""
    global _lexicon
    if _lexicon is None:
        with _lock:
            if _lexicon is None:
                _lexicon = _build_lexicon()
    return _lexicon


def tokens(text: str) -> list[str]:
    """Every word of the text in order, punctuation included; whitespace dropped."""
    return [t for t in lexicon().tokenizer.cut(text, HMM=True) if not t.isspace()]


def segment(text: str) -> list[str]:
    """The text's content words in order: no whitespace, punctuation, emoji or stop words."""
    stop = lexicon().stopwords
    return [t for t in tokens(text) if _is_word(t) and t.lower() not in stop]


def _is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


def district_of_text(text: str) -> str | None:
    """The adcode of the first place named in `text` that lies in one district, else None."""
    if "公司" in text:  # a company's registered name tells where it was registered, at most
        text = _COMPANY.sub(_blank, text)
    names, lengths = _places()
    i, end = 0, len(text)
    while i < end:
        step = 1
        for length in lengths.get(text[i], ()):
            code = names.get(text[i : i + length])
            if code is None:
                continue
            if code:
                return code
            step = length  # a name of no single district: its inner names do not count
            break
        i += step
    return None


# A company registered under the city's name: 连云港港宏建筑工程有限公司 is no 连云港港.
_COMPANY = re.compile(
    r"(?:江苏省?)?连云港市?[\u4e00-\u9fff]{2,14}?(?:股份有限公司|有限责任公司|有限公司|公司)"
)


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


@cache
def _places() -> tuple[dict[str, str], dict[str, tuple[int, ...]]]:
    """Place names -> adcode ("" for none), and the name lengths by first character, longest
    first."""
    names: dict[str, str] = {}
    for line in data_lines(PLACE_DISTRICTS):
        name, _, code = line.partition("\t")
        names[name] = code.strip()
    by_first: dict[str, set[int]] = {}
    for name in names:
        by_first.setdefault(name[0], set()).add(len(name))
    lengths = {ch: tuple(sorted(ls, reverse=True)) for ch, ls in by_first.items()}
    return names, lengths


def data_lines(name: str) -> list[str]:
    """The non-empty, non-comment lines of a data file shipped with this package."""
    text = _DATA.joinpath(name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _build_lexicon() -> Lexicon:
    jieba = _import_jieba()
    tokenizer = jieba.Tokenizer()
    freq, total, closed = _read_jieba_dictionary()
    tokenizer.FREQ, tokenizer.total = freq, total
    tokenizer.initialized = True  # skips jieba's initialize(): no cache file, no log
    city_tags: dict[str, str] = {}
    for line in data_lines(CITY_DICTIONARY):
        word, count, *tag = line.split(" ")
        tokenizer.add_word(word, int(count), tag[0] if tag else None)
        if int(count):  # a count of 0 removes one of jieba's words
            city_tags[word] = tag[0] if tag else "n"
    stopwords = frozenset(w.strip().lower() for w in data_lines(STOPWORDS))
    return Lexicon(tokenizer, stopwords, city_tags, frozenset(closed - city_tags.keys()))


def _import_jieba() -> Any:
    with warnings.catch_warnings():
        # jieba 0.42 imports pkg_resources, which newer setuptools deprecate with a warning
        warnings.simplefilter("ignore")
        import jieba
    return jieba


def jieba_file(*parts: str) -> Traversable:
    """A data file shipped inside the jieba package (e.g. `analyse`, `idf.txt`)."""
    path = resources.files(_import_jieba())
    for part in parts:
        path = path.joinpath(part)
    return path


def _read_jieba_dictionary() -> tuple[dict[str, int], int, set[str]]:
    """jieba's prefix dictionary (as its `gen_pfdict` builds it), the total count, and the
    words of a closed class, read from jieba's own `dict.txt` (`word count tag` lines)."""
    freq: dict[str, int] = {}
    total = 0
    closed: set[str] = set()
    with jieba_file("dict.txt").open(encoding="utf-8") as lines:
        for line in lines:
            word, count, tag = line.split()
            n = int(count)
            freq[word] = n
            total += n
            for end in range(1, len(word)):
                freq.setdefault(word[:end], 0)
            if tag in CLOSED_TAGS:
                closed.add(word)
    return freq, total, closed
