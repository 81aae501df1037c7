"""Time the whole `newsdesk run` (ingest → stories → write → publish) on a generated corpus
served from loopback: 2,000 items from 20 outlets by default, half of them summary-only feeds
whose article pages are fetched and extracted.

    python bench/pipeline.py              # 2,000 items
    python bench/pipeline.py --items 500

The text is generated here from templates (invented companies, places and figures).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from newsdesk.demo.server import Corpus, DemoServer

SYLLABLES = ["ka", "lo", "ver", "mi", "tan", "dre", "so", "vel", "ra", "qui", "nor", "bel", "tor", "ash", "em", "ul"]
ACTIONS = [
    ("cuts {n:,} jobs", "will cut {n:,} jobs", "is laying off {n:,} workers", "plans to eliminate {n:,} positions"),
    (
        "opens plant in {place}",
        "will open a new plant in {place}",
        "is building a factory in {place}",
        "chose {place} for its next plant",
    ),
    ("recalls {n:,} vehicles", "is recalling {n:,} vehicles", "ordered a recall of {n:,} vehicles", "will recall {n:,} cars"),
    (
        "wins ${n} million contract",
        "won a contract worth ${n} million",
        "secured a ${n} million deal",
        "was awarded ${n} million",
    ),
    ("reports {n}% rise in sales", "said sales rose {n}%", "reported a {n}% increase in sales", "posted sales growth of {n}%"),
]
DETAILS = [
    "{company} first set up in {place} {years} years ago and has grown through several acquisitions.",
    "Analysts at {firm} said the move would cost about ${cost} million over two years.",
    "The {union} union said members would meet on {day} to discuss the plan.",
    "Mayor {mayor} of {place} called the news {adjective}.",
    "{company} shares closed {move}% {direction} on the day.",
    "Regulators in {place} said they would review the plan before the end of {month}.",
]
FILLER = [
    "The announcement came after weeks of speculation among analysts.",
    "Shares moved sharply in early trading after the news.",
    "Local officials said they had been briefed in advance.",
    "The company did not say how the plan would be financed.",
    "Industry groups said they were studying the details.",
    "Critics said the decision raised questions about long-term strategy.",
]


def name(rng, parts=2):
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def generate(items: int, seed: int = 7, outlets_count: int = 20) -> Corpus:
    rng = random.Random(seed)
    outlets = {
        f"outlet{k}": {
            "slug": f"outlet{k}",
            "name": f"{name(rng, 3)} {rng.choice(['Times', 'Post', 'Wire', 'Courier'])}",
            "format": rng.choice(["rss2", "atom", "rss1"]),
            "full_content": k % 2 == 0,
        }
        for k in range(outlets_count)
    }
    slugs = list(outlets)
    articles = []
    story = 0
    while len(articles) < items:
        company, place, person = (
            f"{name(rng)} {rng.choice(['Systems', 'Group', 'Motors', 'Labs'])}",
            name(rng, 3),
            f"{name(rng)} {name(rng, 3)}",
        )
        product, project = name(rng, 3), name(rng, 4)
        action = rng.choice(ACTIONS)
        n = rng.choice([120, 450, 1800, 2400, 35, 12, 9]) if "%" not in action[0] else rng.randint(3, 40)
        hours = rng.uniform(1, 70)
        for slug in rng.sample(slugs, min(rng.choice([1, 1, 2, 3, 5, 8, 10]), items - len(articles))):
            verb = rng.choice(action[1:])
            facts = dict(
                company=company,
                place=place,
                years=rng.randint(5, 60),
                firm=f"{name(rng)} Research",
                cost=rng.randint(5, 400),
                union=name(rng, 3),
                day=rng.choice(["Monday", "Thursday"]),
                mayor=f"{name(rng)} {name(rng, 3)}",
                adjective=rng.choice(["a blow", "welcome", "a surprise"]),
                move=rng.randint(1, 12),
                direction=rng.choice(["higher", "lower"]),
                month=rng.choice(["March", "June", "October"]),
            )
            body = [
                f"{company} {verb.format(n=n, place=place)}, the company said on {rng.choice(['Monday', 'Tuesday', 'Friday'])}.",
                f"Chief executive {person} said the decision followed a review of the {product} business in {place}.",
                f'"We did not take this lightly," {person.split()[1]} said in a statement.',
                f"The {product} range and the {project} programme are {rng.choice(['affected', 'part of the plan', 'at the centre of it'])}.",
                rng.choice(DETAILS).format(**facts),
                f"{company} employs about {rng.randint(2, 90) * 100:,} people, most of them in {place}.",
            ]
            articles.append(
                {
                    "id": f"{slug}-{story}",
                    "outlet": slug,
                    "story": f"s{story}",
                    "hours_ago": hours + rng.uniform(0, 3),
                    "title": f"{company} {action[0].format(n=n, place=place)}",
                    "author": f"{name(rng)} {name(rng, 3)}",
                    "summary": body[0],
                    "body": "\n\n".join(body),
                }
            )
        story += 1
    return Corpus(outlets=outlets, articles=articles)


def _serve(items: int, ready) -> None:
    """The outlets' server, in its own process as a real one would be."""
    import threading

    with DemoServer(port=0, corpus=generate(items)) as server:
        ready.put(server.feed_urls())
        threading.Event().wait()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=2000)
    args = ap.parse_args()
    import multiprocessing

    from newsdesk.pipeline import init_newsroom, open_newsroom, run

    corpus = generate(args.items)
    stories = len({a["story"] for a in corpus.articles})
    ready = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(args.items, ready), daemon=True)
    server.start()
    try:
        feeds = ready.get(timeout=60)
        with tempfile.TemporaryDirectory() as tmp:
            room_dir = Path(tmp) / "room"
            init_newsroom(room_dir)
            # All generated outlets share one loopback host; real outlets are separate hosts, each
            # allowed 2 concurrent requests. Allow this one host 8.
            config = room_dir / "newsdesk.toml"
            config.write_text(
                config.read_text()
                .replace("per_host_concurrency = 2", "per_host_concurrency = 8")
                .replace("allow_private = []", 'allow_private = ["127.0.0.0/8"]')  # the generated outlets are on loopback
            )
            room = open_newsroom(room_dir)
            for outlet_name, url in feeds:
                room.store.add_source(url, name=outlet_name)
            started = time.perf_counter()
            report = run(room)
            total = time.perf_counter() - started
            again = time.perf_counter()
            second = run(room)
            rerun = time.perf_counter() - again
            room.close()
    finally:
        server.terminate()
    print(
        f"Generated corpus: {len(corpus.articles):,} items, {stories:,} events, {len(corpus.outlets)} outlets "
        f"(half summary-only: their pages are fetched and extracted); server in its own process on one loopback "
        f"host, 8 concurrent requests\n"
    )
    print("newsdesk run, per stage:")
    for stage, seconds in report.seconds.items():
        print(f"  {stage:8} {seconds:7.2f} s")
    print(f"  {'total':8} {total:7.2f} s   (target ≤ 60 s on 2 cores)")
    print(
        f"\nStored {report.ingest.new + report.ingest.duplicates:,} items, {report.ingest.requests:,} HTTP requests; "
        f"{report.stories.created:,} stories; {report.write.written:,} articles; {report.publish.articles:,} pages."
    )
    print(
        f"Second run on unchanged feeds: {rerun:.2f} s, {second.ingest.requests} requests, "
        f"{second.ingest.new} new items, {second.write.updated} articles updated."
    )


if __name__ == "__main__":
    sys.exit(main())
