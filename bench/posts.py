"""Post processing and spike detection benchmark: texts per second of the clock's processing
step on one core, the share of a core 100 texts/s need, and spike detection on 1,000,000 posts.

Processing: `--texts` (20,000) demo texts from the simulator's own generators, 12345 tickets
and public posts in the demo's proportions (3,000 tickets and 1,000 posts a day), stored as
unprocessed posts in a SQLite store (tickets with their category and district, posts with the
district only when the simulator places them), then worked off by `process_posts` (mask,
sentiment, segmentation, keywords, topic, district from the text; reads and one write
transaction per batch of 2,000) until none waits. This process is pinned to one CPU with BLAS
and OpenMP at one thread before numpy loads; the figure is the best of three runs, each on a
fresh store. Also measured: `process` alone (no store), and how often the sentiment label of
the masked text differs from the original's (why the pipeline scores the original).

Spikes: `--posts` (1,000,000) synthetic processed posts over 30 days in a SQLite store (Poisson
arrivals with an evening peak; 236 topics with Zipf weights, 6 districts, 6 channels; no
event), then `detect` (the counts and the rule, read only) and `detect_spikes` (with the alert
writes), best of three; and, as the false-alarm check, `detect` at each of the 24 hours of
the last day: with no event in the data every spike found is a false alarm.
Usage: `python bench/posts.py [--texts 20000] [--posts 1000000] [--cpu 0] [--write-docs]`.
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
from sqlalchemy import Engine, insert  # noqa: E402

from bench.support import print_table, write_section  # noqa: E402
from data_adapters.derive.posts import process_posts  # noqa: E402
from data_adapters.derive.spikes import RULES, detect, detect_spikes  # noqa: E402
from data_adapters.nlp.masking import mask  # noqa: E402
from data_adapters.nlp.pipeline import process  # noqa: E402
from data_adapters.nlp.sentiment import SentimentModel  # noqa: E402
from data_adapters.store import make_engine  # noqa: E402
from data_adapters.store.migrate import upgrade  # noqa: E402
from data_adapters.store.schema import posts  # noqa: E402
from simulator.config import SimulatorConfig  # noqa: E402
from simulator.hotline import HotlineFeed  # noqa: E402
from simulator.posts import PostFeed  # noqa: E402
from simulator.rng import generator  # noqa: E402
from simulator.world import World  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
HEADING = "Post processing and spike detection (`bench/posts.py`)"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
TICKET_SHARE = 0.75  # 3,000 tickets and 1,000 posts a day
SPIKE_DAYS = 30
TOPICS, DISTRICTS = 236, ("320703", "320706", "320707", "320722", "320723", "320724")
CHANNELS = ("12345", "weibo", "douyin", "forum", "gov_board", "wechat")


# --- demo texts ------------------------------------------------------------------------------
def demo_rows(count: int) -> list[dict[str, Any]]:
    """`count` posts rows from the simulator's hotline and post generators."""
    with tempfile.TemporaryDirectory() as folder:
        config = SimulatorConfig(
            database_url=f"sqlite:///{folder}/dc.db",
            drop_dir=Path(folder) / "drop",
            start=NOW,
            history_days=1,
            assets=0,
            enterprises=0,
        )
        world = World(config, int(NOW.timestamp()))
        wanted = round(count * TICKET_SHARE)
        tickets = _generate(HotlineFeed(world), world, "hotline", "description", wanted)
        public = _generate(PostFeed(world), world, "posts", "text", count - len(tickets))
    rows = [_ticket(frame, i) for frame, i in tickets] + [_post(frame, i) for frame, i in public]
    for n, row in enumerate(rows):
        row |= {"source_key": f"k{n}", "posted_at": NOW - timedelta(seconds=n)}
    return rows


def _generate(feed: Any, world: Any, stream: str, column: str, count: int) -> list[tuple[Any, int]]:
    """(frame, row) of the first `count` rows the feed generates, hour by hour."""
    found: list[tuple[Any, int]] = []
    block = int(NOW.timestamp()) // 3600 - 24 * 30
    while len(found) < count:
        frame = feed.generate(block, generator(world.seed, stream, block))
        if column in frame:
            found += [(frame, i) for i in range(len(frame[column]))]
        block += 1
    return found[:count]


def _ticket(frame: Any, i: int) -> dict[str, Any]:
    return {
        "channel": "12345",
        "text": str(frame["description"][i]),
        "category": str(frame["service_name"][i]),
        "district": str(frame["district_code"][i]),
    }


def _post(frame: Any, i: int) -> dict[str, Any]:
    district = frame["district_code"][i]
    return {
        "channel": str(frame["platform"][i]),
        "text": str(frame["text"][i]),
        "category": None,
        "district": district if isinstance(district, str) else None,
    }


def _store(folder: str, name: str) -> Engine:
    engine = make_engine(f"sqlite:///{folder}/{name}.db")
    upgrade(engine)
    return engine


def bench_processing(rows: list[dict[str, Any]], runs: int = 3) -> dict[str, float]:
    """Best texts/s (wall and CPU) of `process_posts` over fresh stores holding `rows`."""
    best_wall, best_cpu = float("inf"), float("inf")
    stamped = [{**row, "source_id": "bench", "ingested_at": NOW} for row in rows]
    for run in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            engine = _store(folder, f"posts{run}")
            with engine.begin() as connection:
                connection.execute(insert(posts), stamped)
            wall, cpu = time.perf_counter(), time.process_time()
            done = process_posts(engine, NOW, max_batches=len(rows))
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            engine.dispose()
        assert done == len(rows), done
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
    return {"wall": len(rows) / best_wall, "cpu": len(rows) / best_cpu}


def bench_pipeline(texts: list[str], runs: int = 3) -> dict[str, float]:
    """Best texts/s (wall and CPU) of `process` alone, in batches of 2,000."""
    best_wall, best_cpu = float("inf"), float("inf")
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        for start in range(0, len(texts), 2000):
            chunk = texts[start : start + 2000]
            process(chunk, [False] * len(chunk))
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return {"wall": len(texts) / best_wall, "cpu": len(texts) / best_cpu}


def masking_agreement(texts: list[str]) -> tuple[int, int]:
    """How many texts masking changes, and of those how many change sentiment label."""
    model = SentimentModel.load()
    changed = [(t, m) for t in texts if (m := mask(t)) != t]
    original = model.score([t for t, _ in changed])
    masked = model.score([m for _, m in changed])
    return len(changed), sum(a.label != b.label for a, b in zip(original, masked, strict=True))


# --- spikes on a million posts ---------------------------------------------------------------
def synthetic_posts(engine: Engine, count: int, seed: int = 7) -> None:
    """`count` processed posts over the 30 days before NOW, inserted in one transaction."""
    rng = np.random.default_rng(seed)
    profile = np.array([1, 1, 1, 1, 1, 2, 4, 6, 7, 7, 6, 6, 6, 6, 6, 6, 7, 8, 9, 10, 10, 8, 5, 2])
    day = rng.integers(0, SPIKE_DAYS, count)
    hour = rng.choice(24, count, p=profile / profile.sum())
    second = rng.integers(0, 3600, count)
    start = (NOW - timedelta(days=SPIKE_DAYS)).replace(hour=0)
    offsets = day * 86400 + hour * 3600 + second
    zipf = 1.0 / np.arange(1, TOPICS + 1)
    topic = rng.choice(TOPICS, count, p=zipf / zipf.sum())
    district = rng.choice(len(DISTRICTS), count, p=[0.3, 0.25, 0.15, 0.1, 0.1, 0.1])
    channel = rng.choice(len(CHANNELS), count, p=[0.75, 0.1, 0.06, 0.04, 0.03, 0.02])
    keep = offsets < (NOW - start).total_seconds()
    rows = [
        (
            "bench",
            f"s{i}",
            channel_name := CHANNELS[channel[i]],
            "文本",
            _sqlite_time(start + timedelta(seconds=int(offsets[i]))),
            DISTRICTS[district[i]],
            f"话题{topic[i]}" if channel_name else None,
        )
        for i in np.flatnonzero(keep)
    ]
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO posts (source_id, source_key, ingested_at, channel, text, posted_at,"
            " district, topic, processed_at) VALUES (?, ?, '2026-11-28 00:00:00.000000', ?, ?,"
            " ?, ?, ?, '2026-11-28 00:00:00.000000')",
            rows,
        )


def _sqlite_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def bench_spikes(engine: Engine, runs: int = 3) -> dict[str, float]:
    """Best seconds of `detect` and of `detect_spikes`, and the false alarms over a day."""
    detect_s = detect_and_write_s = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        with engine.connect() as connection:
            detect(connection, NOW)
        detect_s = min(detect_s, time.perf_counter() - started)
        started = time.perf_counter()
        detect_spikes(engine, NOW)
        detect_and_write_s = min(detect_and_write_s, time.perf_counter() - started)
    alarms = {rule.window: 0 for rule in RULES}
    with engine.connect() as connection:
        for hour in range(24):
            for spike in detect(connection, NOW - timedelta(hours=hour)):
                alarms[spike.rule.window] += 1
    return {"detect": detect_s, "detect_spikes": detect_and_write_s, **alarms}


# --- report ----------------------------------------------------------------------------------
def report(args: argparse.Namespace) -> tuple[list[tuple[str, ...]], dict[str, Any]]:
    rows = demo_rows(args.texts)
    texts = [row["text"] for row in rows]
    stored = bench_processing(rows)
    alone = bench_pipeline(texts)
    changed, flipped = masking_agreement(texts)
    with tempfile.TemporaryDirectory() as folder:
        engine = _store(folder, "million")
        started = time.perf_counter()
        synthetic_posts(engine, args.posts)
        loaded = time.perf_counter() - started
        spikes = bench_spikes(engine)
        engine.dispose()
    table = [
        ("`process_posts` (store, batches of 2,000)", *_rates(stored)),
        ("`process` alone (no store)", *_rates(alone)),
    ]
    facts = {
        "share": 100 / stored["cpu"],
        "load": os.getloadavg()[0],
        "texts": len(texts),
        "chars": sum(map(len, texts)) / len(texts),
        "changed": changed,
        "flipped": flipped,
        "posts": args.posts,
        "loaded": loaded,
        **spikes,
    }
    return table, facts


def _rates(rates: dict[str, float]) -> tuple[str, str]:
    return f"{rates['cpu']:,.0f}", f"{rates['wall']:,.0f}"


def markdown(table: list[tuple[str, ...]], facts: dict[str, Any]) -> str:
    lines = [
        f"`python bench/posts.py`, one core (`sched_setaffinity`, BLAS and OpenMP at one "
        f"thread), Python 3.11, SQLite, {datetime.now(UTC):%Y-%m-%d}. {facts['texts']:,} demo "
        f"texts from the simulator's generators (tickets and posts 3:1, "
        f"{facts['chars']:.0f} characters on average), best of three. Texts/s by the "
        f"process's CPU time, and by the wall clock (the machine's other work took part of "
        f"the core: load average {facts['load']:.1f} on 2 cores):",
        "",
        "| step | texts/s (CPU) | texts/s (wall) |",
        "|---|---|---|",
        *(f"| {name} | {cpu} | {wall} |" for name, cpu, wall in table),
        "",
        f"100 texts/s need {facts['share']:.1%} of a core (the issue's budget: 25 %).",
        "",
        f"Masking changed {facts['changed']:,} of the texts; the sentiment label of the masked "
        f"text differed from the original's for {facts['flipped']:,} of them, which is why "
        f"sentiment reads the original text (`data_adapters/nlp/pipeline.py`).",
        "",
        f"Spike detection on {facts['posts']:,} synthetic processed posts over 30 days "
        f"(loaded in {facts['loaded']:.0f} s), both rules, three dimensions (6 statements of "
        f"8 grouped index range counts), best of three:",
        "",
        "| step | seconds |",
        "|---|---|",
        f"| `detect` (counts and rule, read only) | {facts['detect']:.3f} |",
        f"| `detect_spikes` (with the alert writes) | {facts['detect_spikes']:.3f} |",
        "",
        f"False alarms with no event in the data, `detect` at each of the 24 hours of the last "
        f"day: {facts['1h']} (hourly rule), {facts['1d']} (daily rule).",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=20_000)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--cpu", type=int, default=0)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    os.sched_setaffinity(0, {args.cpu})
    table, facts = report(args)
    print_table("post processing", table, ("step", "texts/s (CPU)", "texts/s (wall)"))
    text = markdown(table, facts)
    print(text)
    if args.write_docs:
        write_section(DOCS, HEADING, text)


if __name__ == "__main__":
    main()
