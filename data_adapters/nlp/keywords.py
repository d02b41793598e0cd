"""Keywords (TF-IDF over segmented text) and a small, stable topic label for each text.

Keywords: a text's candidate words are scored by term frequency (within the text) times
inverse document frequency from jieba's own IDF table (`jieba/analyse/idf.txt`, shipped with
jieba under the MIT licence; a corpus-wide IDF of our own texts does not exist at run time).
A word the table does not know gets the table's median IDF, as jieba does. Ties keep the
word seen first, so the same text always gives the same keywords. Candidates are content
words: no stop word, no number or word with a digit (except city dictionary words such as
12345热线), no single character (except a few that say a lot: 堵, 吵, 臭...), no closed-class
word of jieba's dictionary (numerals, pronouns, adverbs, adjectives...), and no place name or
department of the city dictionary (the district and the department have their own columns;
landmarks such as 花果山 stay keywords).

Topic terms (`topic_terms.tsv`, written by `scripts/build_city_dictionary.py`: about 300 words
such as 广场舞, 井盖, 拖欠工资, 花果山, each listed under one or more areas) count double in the
score, so the words that say what a text is about come first.

Topics (`topic_of`): the area, refined by one of the area's own topic terms.

- The area is the text's category (a 12345 ticket's service category, e.g. 噪声扰民); a text
  without one (a public post) takes the area of its first keyword that is a topic term (the
  first area the term is listed under: 堵车 -> 交通出行, 花果山 -> 文化旅游), else `其他`.
- The topic is `area·term` with the first keyword (in keyword order) that is one of the
  area's topic terms, else the area alone: 噪声扰民·广场舞, 道路破损·井盖, 交通出行, 其他.
  A category the vocabulary has no area for is its own topic.

So a topic comes from a fixed vocabulary: there are at most as many as areas plus topic terms
listed under them (about 330), plus the categories of other sources. It does not depend on
place names, numbers or wording (a ticket about a 井盖 near 孔望山 is 道路破损·井盖, never
道路破损·孔望山), and it groups texts about the same thing for spike detection.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import NamedTuple

from data_adapters.nlp.segment import Lexicon, data_lines, jieba_file, lexicon, segment

TOPIC_TERMS = "topic_terms.tsv"
OTHER = "其他"
SEPARATOR = "·"
#: Single characters that are keywords on their own.
MEANINGFUL_SINGLES = frozenset("堵吵臭脏乱坑雾雪")
#: How much more a topic term's TF-IDF counts than another word's.
TOPIC_WEIGHT = 2.0
_NOT_KEYWORD_TAGS = frozenset({"ns", "nt"})


def keywords(texts_tokens: Iterable[Sequence[str]], top: int = 5) -> list[list[str]]:
    """The `top` keywords of each text, given as its tokens (from `segment`), best first."""
    lex = lexicon()
    idf, median = _idf()
    return [_top_words(tokens, top, lex, idf, median) for tokens in texts_tokens]


def extract_keywords(text: str, top: int = 5) -> list[str]:
    """The `top` keywords of one text, best first (mask the text first if it may hold
    personal data: keywords are shown)."""
    return keywords([segment(text)], top)[0]


def area_of(words: Iterable[str]) -> str | None:
    """The area of the first topic term among `words`, or None."""
    first_area = _vocabulary().first_area
    return next((first_area[w] for w in words if w in first_area), None)


def topic_of(words: Sequence[str], category: str | None) -> str:
    """The topic of a text from its keywords and category (see the module docstring)."""
    area = (category or "").strip() or area_of(words) or OTHER
    terms = _vocabulary().by_area.get(area, frozenset())
    term = next((w for w in words if w in terms), None)
    return f"{area}{SEPARATOR}{term}" if term else area


def is_candidate(word: str, lex: Lexicon | None = None) -> bool:
    """Whether a token may be a keyword (see the module docstring)."""
    lex = lex or lexicon()
    tag = lex.city_tags.get(word)
    if tag is not None:
        return tag not in _NOT_KEYWORD_TAGS
    if len(word) < 2:
        return word in MEANINGFUL_SINGLES
    if word.lower() in lex.stopwords or word in lex.closed_class:
        return False
    if any(ch.isdigit() for ch in word):
        return False
    return any(ch.isalpha() for ch in word)


def _top_words(
    tokens: Sequence[str], top: int, lex: Lexicon, idf: dict[str, float], median: float
) -> list[str]:
    counts: dict[str, int] = {}
    for token in tokens:
        if token in counts:
            counts[token] += 1
        elif is_candidate(token, lex):
            counts[token] = 1
    if not counts:
        return []
    total = sum(counts.values())
    weight = _vocabulary().first_area
    scored = [
        (-n / total * idf.get(w, median) * (TOPIC_WEIGHT if w in weight else 1.0), i, w)
        for i, (w, n) in enumerate(counts.items())
    ]
    scored.sort()
    return [w for _, _, w in scored[:top]]


@cache
def _idf() -> tuple[dict[str, float], float]:
    """jieba's IDF table (word -> IDF) and its median, read once."""
    idf: dict[str, float] = {}
    with jieba_file("analyse", "idf.txt").open(encoding="utf-8") as lines:
        for line in lines:
            word, _, value = line.partition(" ")
            if value:
                idf[word] = float(value)
    values = sorted(idf.values())
    return idf, values[len(values) // 2]


class _Vocabulary(NamedTuple):
    first_area: dict[str, str]  # term -> the first area it is listed under
    by_area: dict[str, frozenset[str]]  # area -> its terms


@cache
def _vocabulary() -> _Vocabulary:
    """The topic terms, read once from `topic_terms.tsv` (`term<TAB>area` lines)."""
    first_area: dict[str, str] = {}
    by_area: dict[str, set[str]] = {}
    for line in data_lines(TOPIC_TERMS):
        term, area = line.split("\t")
        first_area.setdefault(term, area)
        by_area.setdefault(area, set()).add(term)
    return _Vocabulary(first_area, {a: frozenset(t) for a, t in by_area.items()})
