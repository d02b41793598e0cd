"""The whole processing of a batch of posts: mask, sentiment, keywords, topic, district.

`process(texts, districts_known, categories)` returns one `Processed` per text, in order:

1. **Mask** personal data (`masking.mask`). Every step that stores words or places reads the
   masked text only, so nothing stored or shown can carry a phone number, an ID or a name.
2. **Sentiment** of the original text (`SentimentModel.score`, one vectorised call for the
   whole batch). Not of the masked text: masking writes runs of `*`, which the model learned
   from the censored swear words of its review sentences, so on demo texts 24 of the 245
   whose masking changed anything (about 10 %) got another label, nearly always one more
   negative (a complaint ending "电话157****5222" read as negative, an enquiry too). The model
   is local numpy arithmetic that keeps nothing, so reading the original text exposes no
   personal data; only its label and negativity are stored (`bench/posts.py` counts the
   changed labels).
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
    scores = (model or SentimentModel.load()).score([text or "" for text in texts])
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
