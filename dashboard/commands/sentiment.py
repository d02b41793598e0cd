"""`cityops sentiment score`: the sentiment of each line of stdin, as one JSON line each.

Input is UTF-8 (undecodable bytes are replaced), one text per line, split on newline only; each
line in gives exactly one line out, in order, empty lines included:
`{"label": "negative|neutral|positive", "negative": <probability 0..1>}`. Lines are scored in
batches (`--batch-size`), and stdout is flushed after each batch. The model is the offline one
of `data_adapters.nlp.sentiment` (docs/sentiment.md). Exit 0 once stdin ends.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from dashboard.commands.base import Command, UserError
from data_adapters.nlp.sentiment import Score, SentimentModel
from data_adapters.settings import Settings

DEFAULT_BATCH = 1000


def batches(stream: BinaryIO, size: int) -> Iterator[list[str]]:
    """The stream's lines, decoded and without their line ending, `size` at a time."""
    batch: list[str] = []
    for raw in stream:
        batch.append(raw.rstrip(b"\n").rstrip(b"\r").decode("utf-8", errors="replace"))
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def json_lines(scores: Iterable[Score]) -> bytes:
    """One JSON object per score, each on its own line."""
    lines = (
        json.dumps({"label": s.label, "negative": s.negative}, ensure_ascii=False) for s in scores
    )
    return "".join(f"{line}\n" for line in lines).encode("utf-8")


def load_model(path: str | None) -> SentimentModel:
    if path is None:
        return SentimentModel.load()
    if not Path(path).is_file():
        raise UserError(f"{path}: no such model file")
    try:
        return SentimentModel.load(path)
    except (OSError, ValueError, KeyError):
        raise UserError(f"{path}: not a model written by scripts/train_sentiment.py") from None


def score_lines(args: argparse.Namespace, _settings: Settings) -> int:
    """Score stdin to stdout; see the module docstring."""
    if args.batch_size < 1:
        raise UserError("--batch-size must be at least 1")
    model = load_model(args.model)
    out = sys.stdout.buffer
    for batch in batches(sys.stdin.buffer, args.batch_size):
        out.write(json_lines(model.score(batch)))
        out.flush()
    return 0


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--batch-size",
        type=int,
        default=DEFAULT_BATCH,
        metavar="N",
        help=f"lines scored together and flushed together (default {DEFAULT_BATCH})",
    )
    parser.add_argument(
        "--model", metavar="FILE", help="a model .npz written by scripts/train_sentiment.py"
    )


COMMAND = Command(
    name="sentiment",
    help="Offline Chinese sentiment of texts.",
    children=(
        Command(
            name="score",
            help="Read one text per line on stdin; write one JSON line per text "
            '({"label": negative|neutral|positive, "negative": 0..1}).',
            handler=score_lines,
            options=_options,
        ),
    ),
)
