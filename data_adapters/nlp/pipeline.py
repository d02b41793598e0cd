"""The whole processing of a batch of posts: mask, sentiment, keywords, topic, district.

`process(texts, districts_known, categories)` returns one `Processed` per text, in order:

1. **Mask** personal data (`masking.mask`). Everything after this step reads the masked text
   only, so nothing that is stored or shown can carry a phone number, an ID or a name.
2. **Sentiment** of the masked text (`SentimentModel.score`, one vectorised call for the whole
   batch). Scoring the masked text rather than the original is a choice: the score is then
   the score of exactly what an operator reads, and no personal data reaches the model. It
   costs nothing in accuracy: the model reads digits as 0 and masking changes only digits,
   plate serials and a name's last characters, which carry no sentiment (on 20,000 demo texts
   the labels of the original and the masked text agree for every one; `bench/posts.py`).
3. **Keywords** (`segment` then `keywords`: TF-IDF, top 5) and the **topic**
   (`topic_of(keywords, category)`).
4. **District** from the place names of the text (`district_of_text`), only for a post whose
   district is not already known (from the source, or from its coordinates at ingest).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from data_adapters.nlp.keywords import keywords, topic_of
from data_adapters.nlp.masking import mask
from data_adapters.nlp.segment import district_of_text, segment
from data_adapters.nlp.sentiment import SentimentModel

#: Keywords kept per post.
TOP_KEYWORDS = 5


@dataclass(frozen=True)
class Processed:
    """What processing found in one post."""

    text_masked: str
    sentiment: str  # negative | neutral | positive
    negativity: float  # the probability that the text is negative, 0..1
    keywords: list[str]
    topic: str
    district: str | None  # from the text; None when already known or when none is named


def process(
    texts: Sequence[str],
    districts_known: Sequence[bool],
    categories: Sequence[str | None] | None = None,
    model: SentimentModel | None = None,
) -> list[Processed]:
    """Process a batch of texts (see the module docstring); `districts_known[i]` says whether
    text i already has a district, `categories[i]` is its category (a ticket's), if any."""
    masked = [mask(text or "") for text in texts]
    scores = (model or SentimentModel.load()).score(masked)
    words = keywords((segment(text) for text in masked), TOP_KEYWORDS)
    cats = categories if categories is not None else [None] * len(texts)
    return [
        Processed(
            text_masked=text,
            sentiment=score.label,
            negativity=score.negative,
            keywords=found,
            topic=topic_of(found, category),
            district=None if known else district_of_text(text),
        )
        for text, score, found, category, known in zip(
            masked, scores, words, cats, districts_known, strict=True
        )
    ]
