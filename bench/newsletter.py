"""The newsletter: building an issue, and sending it to 10,000 subscribers through an SMTP server on
loopback (aiosmtpd, in its own process), with the send log written before and after each message.

    python bench/newsletter.py                    # ~100 articles from a generated corpus, 10,000 subscribers
    python bench/newsletter.py --demo             # the demo's 11 articles
    python bench/newsletter.py --subscribers 2000
    python bench/newsletter.py --subscribers 1000 --topics 50   # each follows 1-3 of 50 tags and keywords

The corpus (2,400 generated items from 20 outlets, every tier written) goes through the whole
pipeline first; then an issue is built from every verified article and sent. Reports seconds,
messages per second and memory, and checks every subscriber received exactly one message (counted
at the server). Reference, in the same run: the same server fed one prebuilt message per
recipient by a bare smtplib loop (the same bytes, charts included; no per-subscriber message, no
send log) — the cost of what newsdesk adds.

With ``--topics N``: N topics from the corpus's own articles (its most shared tags, then words of
its headlines as keywords), each subscriber following one to three of them (seeded): the edition
has the daily issue and one issue per distinct selection; the bench checks each subscriber got
exactly one message, of their own selection's issue, holding only articles their topics match.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import re
import resource
import socket
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import demo_newsroom


def _smtp_server(port: int, counts, ready) -> None:  # type: ignore[no-untyped-def]
    from aiosmtpd.controller import Controller

    class Count:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            for rcpt in envelope.rcpt_tos:
                counts.append(rcpt)
            return "250 OK"

    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--subscribers", type=int, default=10_000)
    ap.add_argument("--demo", action="store_true", help="the demo's articles instead of a generated corpus")
    ap.add_argument("--items", type=int, default=2400, help="items in the generated corpus")
    ap.add_argument("--topics", type=int, default=0, help="subscribers follow 1-3 of this many tags and keywords")
    args = ap.parse_args()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    manager = multiprocessing.Manager()
    counts = manager.list()
    ready = manager.Event()
    server = multiprocessing.Process(target=_smtp_server, args=(port, counts, ready), daemon=True)
    server.start()
    ready.wait(30)
    from newsdesk.newsletter import build_issue, send_issue

    try:
        corpus = None
        if not args.demo:
            from pipeline import generate

            corpus = generate(args.items, outlets_count=20)
        started = time.perf_counter()
        with demo_newsroom(corpus, adjust=lambda s: setattr(s.write, "min_tier", "brief")) as (room, _):
            print(
                f"Pipeline on {'the demo' if args.demo else f'{args.items:,} generated items'}: {time.perf_counter() - started:.0f} s"
            )
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            room.settings.newsletter.smtp_port = port
            room.settings.newsletter.smtp_security = "none"
            room.settings.newsletter.messages_per_second = 100_000
            # The subscribers first: the issues for their selections are built with the daily one.
            chosen = _topics(room.store, args.topics) if args.topics else []
            rng = random.Random(5)
            with room.store.begin() as conn:
                for n in range(args.subscribers):
                    subscriber, _ = room.store.add_subscriber(f"reader{n}@example.org", "confirmed", conn=conn)
                    if chosen:
                        follows = rng.sample(chosen, rng.choices((1, 2, 3), (70, 20, 10))[0])
                        room.store.add_follows(subscriber["id"], follows, conn=conn)
            started = time.perf_counter()
            issue_id = build_issue(room.store, room.settings)
            build_seconds = time.perf_counter() - started
            assert issue_id is not None
            issue = room.store.newsletter_issue(issue_id)
            assert issue is not None
            edition = room.store.edition(issue_id)
            started = time.perf_counter()
            report = send_issue(room.store, room.settings, issue_id)
            send_seconds = time.perf_counter() - started
            log: dict[str, int] = {}
            for one in edition:
                for status, n in room.store.send_log(one["id"]).items():
                    log[status] = log.get(status, 0) + n
            matched, expected = _check_selections(room.store, edition) if args.topics else (0, args.subscribers)
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            from email.policy import SMTP

            from newsdesk.newsletter import image_parts, issue_images, message_for

            first = room.store.subscribers()[0]
            raw = message_for(issue, first, room.settings, image_parts(issue_images(room.store, issue))).as_bytes(policy=SMTP)
            reference_seconds = _bare_smtplib(port, raw, args.subscribers)
    finally:
        time.sleep(0.5)
        received = list(counts)
        server.terminate()
    ours = [r for r in received if not r.startswith("bare")]
    once = len(set(ours)) == expected and len(ours) == expected
    bare = sum(r.startswith("bare") for r in received)
    if args.topics:
        sizes = sorted(len(i["stories"]) for i in edition[1:])
        print(
            f"{args.subscribers:,} subscribers following 1-3 of {len(chosen)} topics ({sum(k == 'tag' for k, _ in chosen)} tags): "
            f"edition of {len(edition)} issues (the daily one of {len(issue['stories'])} articles, {len(edition) - 1} selections, "
            f"median {statistics.median(sizes) if sizes else 0:.0f} articles) built in {build_seconds:.2f} s"
        )
        print(
            f"Subscribers sent their selection's issue, only matching articles in it: {matched} of the {expected} whose "
            f"topics had news ({args.subscribers - expected} had none: no message)"
        )
    else:
        print(f"Issue of {len(issue['stories'])} articles built in {build_seconds:.2f} s ({len(issue['html']):,} bytes of HTML)")
    print(
        f"Sent to {args.subscribers:,} subscribers in {send_seconds:.1f} s: {report.sent / send_seconds:.0f} messages/s; "
        f"send log {dict(sorted(log.items()))}"
    )
    print(
        f"Reference, bare smtplib loop sending one prebuilt message of the same size ({len(raw):,} bytes), no log: "
        f"{args.subscribers / reference_seconds:.0f} messages/s ({bare:,} received)"
    )
    print(f"Peak memory of this process: {rss_before:.0f} MB after the pipeline, {rss_after:.0f} MB after building and sending")
    print(
        f"Received at the server: {len(ours):,} newsletter messages, each subscriber with news exactly once: "
        f"{'yes' if once else 'NO'}"
    )


def _topics(store, count: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """``count`` topics of the corpus's articles: the tags most of them share (at most four in
    five of the topics), then the commonest longer words of their headlines as keywords."""
    articles = [v.published for v in store.publishable() if v.published is not None]
    tags = Counter(t for a in articles for t in a.tags)
    chosen = [("tag", t) for t, n in tags.most_common(count * 4 // 5) if n >= 2]
    words = Counter(w.lower() for a in articles for w in set(re.findall(r"[A-Za-z]{6,}", a.headline)))
    chosen += [("keyword", w) for w, _ in words.most_common(count - len(chosen))]
    return chosen


def _check_selections(store, edition: list[dict]) -> tuple[int, int]:  # type: ignore[no-untyped-def,type-arg]
    """Subscribers with one "sent" record in the edition, for their own selection's issue, every
    article in it matching one of their topics (tags case-folded; keywords by the search index)."""
    from sqlalchemy import select

    from newsdesk.store.newsletter import parse_selection, topic_key
    from newsdesk.store.schema import sends

    by_selection = {i["selection"]: i for i in edition}
    articles = {v.story_id: v.published for v in store.publishable() if v.published is not None}
    with store.begin() as conn:
        ids = [i["id"] for i in edition]
        sent: dict[int, list[int]] = {}
        for issue, subscriber in conn.execute(
            select(sends.c.issue_id, sends.c.subscriber_id).where(sends.c.issue_id.in_(ids), sends.c.status == "sent")
        ):
            sent.setdefault(subscriber, []).append(issue)
    good = expected = 0
    for subscriber in store.subscribers("confirmed"):
        issue = by_selection.get(subscriber["selection"])
        expected += issue is not None
        if issue is None or sent.get(subscriber["id"]) != [issue["id"]]:
            continue
        follows = parse_selection(subscriber["selection"])

        def matches(story: int, follows: list[tuple[str, str]] = follows) -> bool:
            a = articles[story]
            return any(
                key in {topic_key("tag", t) for t in a.tags}
                if kind == "tag"
                else bool(store.newest_matching(key, 1, among=[story]))
                for kind, key in follows
            )

        good += all(matches(story) for story, _ in issue["stories"])
    return good, expected


def _bare_smtplib(port: int, raw: bytes, count: int) -> float:
    """The same message bytes (charts included) sent ``count`` times by a bare smtplib loop."""
    import smtplib

    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as client:
        for n in range(count):
            client.sendmail("bench@example.org", [f"bare{n}@example.org"], raw)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
