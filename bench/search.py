"""`/search` under load: 10,000 published articles, 50 concurrent clients, p99 latency.

    python bench/search.py                       # SQLite FTS5, 10,000 articles, 50 clients
    python bench/search.py --postgres            # PostgreSQL full-text search on a throwaway server
    python bench/search.py --articles 2000 --clients 10,50 --seconds 5

The articles are made here, not written by the pipeline (10,000 would take hours): headlines
from the UCI News Aggregator sample (6,298, each used again with a number once they run out),
bodies of sentences from the Multi-News sample, all read at bench time from ../shared/datasets
and stored as published verifications. The index is built by ``Store.sync_search``, as publish
does (timed). The app runs in its own process (uvicorn, as `newsdesk serve` runs it, without a
site); the load generator is a bare HTTP/1.1 client on asyncio in this one, sharing the machine's
2 cores. Each request is a different query: a whole headline (the exact-match case), two or three
of its words, or a word prefix. Goal: p99 ≤ 50 ms at 50 clients.

Each concurrency level asks the next queries of the list, none an earlier level asked (the app
remembers results per site build: a level repeating the last one's queries would measure only
that cache); "repeats" is the share of requests whose query (as the store reads it) was asked
before. ``--distinct``: no repeat at all (every request reads the index); ``--zipf 1.0``: requests
drawn by popularity, a few queries asked often and most once, as search logs go.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import dataset, free_port, temporary_postgres
from newsdesk.store.search import headline_key

# As `newsdesk serve [--workers N]` runs the app (without publishing a site first).
SERVER = (
    "import os, sys, uvicorn; from pathlib import Path; from newsdesk.pipeline import open_newsroom; "
    "from newsdesk.service.app import SERVE_DIRECTORY, create_app; n = int(sys.argv[3]); "
    "os.environ[SERVE_DIRECTORY], os.environ['NEWSDESK_SERVICE__WORKERS'] = sys.argv[1], sys.argv[3]; "
    "uvicorn.run('newsdesk.service.app:app_from_environment' if n > 1 else create_app(open_newsroom(Path(sys.argv[1]))), "
    "factory=n > 1, workers=n if n > 1 else None, host='127.0.0.1', port=int(sys.argv[2]), "
    "log_level='warning', proxy_headers=False)"
)


def texts() -> tuple[list[str], list[str]]:
    """(headlines, sentences) from the shared datasets."""
    headlines = []
    with dataset("uci_news_aggregator", "stories_window_2014-03-10_to_12.jsonl").open(encoding="utf-8") as rows:
        for row in rows:
            headlines.append(" ".join(json.loads(row)["TITLE"].split()))
    sentences: list[str] = []
    with dataset("multi_news", "test_sample_500.jsonl").open(encoding="utf-8") as rows:
        for row in rows:
            for document in json.loads(row)["documents"]:
                sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+", document) if 40 <= len(s.strip()) <= 300]
    return headlines, sentences


def fill(store, count: int, seed: int = 7) -> list[str]:  # type: ignore[no-untyped-def]
    """``count`` published articles in ``store``; their headlines."""
    from newsdesk.records import Article, ArticleSentence, Section, VerificationRecord

    headlines, sentences = texts()
    rng = random.Random(seed)
    now = datetime.now(UTC)
    made = []
    with store.begin() as conn:
        conn.exec_driver_sql("DELETE FROM stories")
        for n in range(1, count + 1):
            headline = headlines[(n - 1) % len(headlines)]
            if n > len(headlines):
                headline = f"{headline} ({n // len(headlines) + 1})"
            when = now - timedelta(minutes=n)
            conn.exec_driver_sql(
                "INSERT INTO stories (id, title, created_at, updated_at, first_seen, last_seen) VALUES (%s, %s, %s, %s, %s, %s)"
                if store.engine.dialect.name == "postgresql"
                else "INSERT INTO stories (id, title, created_at, updated_at, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)",
                (n, headline, when, when, when, when),
            )
            body = [ArticleSentence(text=s, citations=[]) for s in rng.sample(sentences, 12)]
            article = Article(
                story_id=n,
                headline=headline,
                dek=body[0],
                sections=[Section(heading="", paragraphs=[body[1:6], body[6:]])],
                references=[],
                tags=rng.sample(["markets", "science", "health", "technology", "politics", "sport"], 2),
                tier="standard",
                byline="bench",
                writer="bench",
                first_published=when,
                updated=when,
            )
            store.save_verification(VerificationRecord(n, 1, "publish", {}, [], article, when), conn=conn)
            made.append(headline)
    return made


def queries(headlines: list[str], count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        headline = rng.choice(headlines)
        words = re.findall(r"[A-Za-z]{3,}", headline) or ["market"]
        kind = rng.random()
        if kind < 0.3:
            out.append(headline)
        elif kind < 0.85:
            out.append(" ".join(rng.sample(words, min(len(words), rng.choice((2, 3))))))
        else:
            out.append(rng.choice(words)[:4])
    return out


async def load(port: int, paths: list[bytes], clients: int, seconds: float, start: int = 0) -> tuple[list[float], int]:
    """Latencies (ms) of ``clients`` keep-alive connections looping for ``seconds``, each request
    the next query in the list from ``start``; and where the next run should start (so no run
    asks what an earlier one asked, beyond the list's own repeats)."""
    latencies: list[float] = []
    stop = time.monotonic() + seconds
    turn = start

    async def worker() -> None:
        nonlocal turn
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.monotonic() < stop:
                path = paths[turn % len(paths)]
                turn += 1
                started = time.perf_counter()
                writer.write(b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                head = await reader.readuntil(b"\r\n\r\n")
                length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
                await reader.readexactly(int(length.group(1)) if length else 0)
                assert head[9:12] == b"200", head[:64]
                latencies.append((time.perf_counter() - started) * 1000)
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies, turn


def _repeats(keys: list[str], seen: set[str]) -> int:
    """Requests whose query (as the store reads it) was asked before: the result cache's hits."""
    known, count = set(seen), 0
    for k in keys:
        count += k in known
        known.add(k)
    return count


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--clients", default="10,50", help="comma-separated concurrency levels")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--postgres", action="store_true", help="the store on a throwaway PostgreSQL server")
    ap.add_argument("--workers", type=int, default=1, help="app processes, as `newsdesk serve --workers N`")
    ap.add_argument(
        "--zipf",
        type=float,
        default=0.0,
        metavar="S",
        help="draw the requests from the query list by popularity, P(k-th query) ~ 1/k^S, as search logs go (e.g. 1.0)",
    )
    ap.add_argument(
        "--distinct", action="store_true", help="no query asked twice (as the store reads it): the app's result cache never helps"
    )
    args = ap.parse_args()
    from newsdesk.pipeline import init_newsroom
    from newsdesk.store import Store

    with ExitStack() as stack:
        room = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "room"
        init_newsroom(room)
        url = stack.enter_context(temporary_postgres()) if args.postgres else f"sqlite:///{room / 'newsdesk.db'}"
        if args.postgres:
            config = room / "newsdesk.toml"
            config.write_text(config.read_text().replace('url = "sqlite:///newsdesk.db"', f'url = "{url}"'))
        store = Store(url)
        started = time.perf_counter()
        headlines = fill(store, args.articles)
        filled = time.perf_counter() - started
        started = time.perf_counter()
        indexed, _ = store.sync_search()
        index_seconds = time.perf_counter() - started
        # Ranking check on the bench's own data: each sampled headline finds an article with that
        # very headline first (about 2% of the UCI headlines are shared by several articles).
        sample = random.Random(3).sample(range(len(headlines)), 200)
        first = sum(headline_key(store.search(headlines[i], 1)[0].headline) == headline_key(headlines[i]) for i in sample)
        store.close()
        backend = "PostgreSQL" if args.postgres else "SQLite FTS5"
        print(f"{backend}: {args.articles} articles stored in {filled:.1f} s; indexed {indexed} in {index_seconds:.2f} s")
        print(f"exact headline ranked first: {first}/{len(sample)} sampled headlines")
        port = free_port()
        server = subprocess.Popen([sys.executable, "-c", SERVER, str(room), str(port), str(args.workers)], stderr=subprocess.PIPE)
        stack.callback(server.wait, 30)
        stack.callback(server.terminate)
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the app did not start: {server.stderr.read().decode() if server.stderr else ''}") from None
                time.sleep(0.2)
        asked = queries(headlines, 40_000)
        if args.distinct:
            asked = list({headline_key(q): q for q in asked}.values())
        elif args.zipf:
            pool = list({headline_key(q): q for q in asked}.values())
            weights = [1 / (k + 1) ** args.zipf for k in range(len(pool))]
            asked = random.Random(13).choices(pool, weights, k=len(asked))
        paths = [f"/search?q={quote(q)}".encode() for q in asked]
        # Warm-up (connections, page cache) on queries of their own, past the end of the list.
        warm = [f"/search?q={quote(q)}".encode() for q in queries(headlines, 200, seed=99)]
        asyncio.run(load(port, warm, 5, 2.0))
        print(f"{len(paths):,} queries in the list, {len({headline_key(q) for q in asked}):,} distinct as the store reads them")
        print(f"{'clients':>8} {'requests':>9} {'repeats':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
        start, seen = 0, set()
        for clients in [int(c) for c in args.clients.split(",")]:
            latencies, end = asyncio.run(load(port, paths, clients, args.seconds, start))
            keys = [headline_key(asked[n % len(asked)]) for n in range(start, end)]
            repeats = _repeats(keys, seen)
            seen.update(keys)
            start = end
            print(
                f"{clients:>8} {len(latencies):>9} {repeats / max(1, len(keys)):>8.0%} {len(latencies) / args.seconds:>8.0f} "
                f"{statistics.median(latencies):>8.1f} {percentile(latencies, 99):>8.1f} {max(latencies):>8.1f}"
            )


if __name__ == "__main__":
    main()
