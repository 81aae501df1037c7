"""Mutated feeds and pages through parsing, extraction and the store, in-process.

    python bench/fuzz.py                 # 100,000 mutated feeds, every 20th page extracted too
    python bench/fuzz.py --count 5000    # quicker

Seeds: the demo's RSS 2.0, RSS 1.0 (RDF) and Atom feeds and its article pages (written for the
project), plus hand-written hostile seeds (entity expansion, bad dates, huge titles, broken
encodings). Each case is a seed with byte-level mutations (flips, inserts of markup fragments,
deletions, duplicated and truncated runs). A case passes when ``parse_feed`` returns entries or
raises the documented ``FeedError``; pages go through ``extract_page``; every 50th parsed feed's
entries are stored through the real ingest path into a throwaway SQLite store. Anything else
raised is an uncaught exception and is reported with the case that caused it. The target is 0.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

FRAGMENTS = [
    b"<",
    b">",
    b"&",
    b"&amp;",
    b"&#0;",
    b"&#xD800;",
    b"]]>",
    b"<![CDATA[",
    b"<!--",
    b"-->",
    b"\x00",
    b"\xff\xfe",
    b"\xc3\x28",
    b"<item>",
    b"</item>",
    b"<entry>",
    b"</entry>",
    b"<title>",
    b"</title>",
    b"<pubDate>0000-00-00</pubDate>",
    b"<updated>9999-12-31T23:59:59-14:00</updated>",
    b"<link>javascript:x</link>",
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>',
    b"&a;",
    b"<?xml version='1.0' encoding='utf-16'?>",
    b"\r\n",
    b"\t" * 50,
]
HOSTILE = [
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    b"<rss version='2.0'><channel><title>&lol2;</title><item><title>&lol2;</title><link>https://x.example/1</link></item></channel></rss>",
    b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>t</title><entry><id>1</id><title>"
    + b"T" * 100_000
    + b"</title><updated>0000-00-00T00:00:00Z</updated></entry></feed>",
    b"<rss version='2.0'><channel><item><title>\xff\xfe broken</title><pubDate>Mon, 99 Foo 2026</pubDate></item></channel></rss>",
]


def mutate(seed: bytes, rng: random.Random) -> bytes:
    data = bytearray(seed)
    for _ in range(rng.randint(1, 8)):
        if not data:
            data += rng.choice(FRAGMENTS)
            continue
        at = rng.randrange(len(data))
        op = rng.random()
        if op < 0.25:
            data[at] = rng.randrange(256)
        elif op < 0.55:
            data[at:at] = rng.choice(FRAGMENTS)
        elif op < 0.75:
            del data[at : at + rng.randint(1, 200)]
        elif op < 0.9:
            end = min(len(data), at + rng.randint(1, 400))
            data[at:at] = data[at:end] * rng.randint(1, 3)
        else:
            del data[at:]
    return bytes(data)


def seeds() -> tuple[list[tuple[bytes, str]], list[bytes]]:
    from newsdesk.demo.corpus import load_corpus
    from newsdesk.demo.site import DemoSite

    corpus = load_corpus()
    site = DemoSite(corpus, "https://demo.example", datetime(2026, 3, 2, 10, tzinfo=UTC))
    feeds = [site.feed(slug) for slug in corpus.outlets]
    pages = [p for a in corpus.articles[:20] if (p := site.page(a["outlet"], a["id"])) is not None]
    return [(f, t) for f, t in feeds] + [(h, "application/xml") for h in HOSTILE], pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    from newsdesk.extract import extract_page
    from newsdesk.records import NewItem
    from newsdesk.sources.feeds import FeedError, parse_feed
    from newsdesk.store import Store, utcnow

    rng = random.Random(args.seed)
    feeds, pages = seeds()
    failures: list[str] = []
    parsed = errors = stored = extracted = 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'fuzz.db'}")
        source, _ = store.add_source("https://demo.example/feed.xml")
        for n in range(args.count):
            seed, ctype = rng.choice(feeds)
            case = mutate(seed, rng)
            try:
                feed = parse_feed(case, "https://demo.example/feed.xml", ctype)
                parsed += 1
                if n % 50 == 0:
                    for k, e in enumerate(feed.entries[:5]):
                        item = NewItem(
                            source.id,
                            f"{n}-{k}-{e.guid}"[:500],
                            e.url,
                            e.url,
                            feed.title or "",
                            e.title,
                            e.summary,
                            e.content or e.summary,
                            "feed",
                            e.author,
                            e.published_at,
                            utcnow(),
                        )
                        stored += store.insert_item(item, minhash=None, duplicate_of=None) is not None
                if n % 20 == 0:
                    extract_page(mutate(rng.choice(pages), rng), "https://demo.example/a.html")
                    extracted += 1
            except FeedError:
                errors += 1
            except Exception:
                if len(failures) < 10:
                    failures.append(f"case {n}: {traceback.format_exc(limit=3)}")
                else:
                    failures.append(f"case {n}")
            if (n + 1) % 10_000 == 0:
                print(f"  {n + 1:,} cases, {len(failures)} uncaught, {time.perf_counter() - started:.0f} s", file=sys.stderr)
        store.close()
    seconds = time.perf_counter() - started
    print(
        f"Fuzz: {args.count:,} mutated feeds ({parsed:,} parsed, {errors:,} refused with FeedError), "
        f"{extracted:,} mutated pages extracted, {stored:,} items stored; {seconds:.0f} s "
        f"({args.count / seconds:,.0f} cases/s). Uncaught exceptions: {len(failures)} (target 0)"
    )
    for f in failures[:10]:
        print(f)


if __name__ == "__main__":
    main()
