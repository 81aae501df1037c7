"""`newsdesk watch`: each source read as often as it asks, failing sources backed off, only the
stories that changed re-written, and a clean stop on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from pytest_httpserver import HTTPServer
from sqlalchemy import update

from conftest import make_newsroom
from newsdesk.config import WatchSettings
from newsdesk.sources.feeds import parse_feed
from newsdesk.sources.schedule import cache_seconds, next_fetch
from newsdesk.store.schema import sources
from newsdesk.watch import tick

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
BODY = "The harbour council approved the winter ferry timetable on Monday after a public consultation, officials said."


def rss(extra: str, items: list[tuple[str, str]]) -> str:
    entries = "".join(
        f"<item><title>{t}</title><link>https://h.example/{g}</link><guid>{g}</guid>"
        f"<pubDate>Mon, 30 Nov 2026 09:00:00 GMT</pubDate><description>{t}. {BODY}</description></item>"
        for g, t in items
    )
    return f'<?xml version="1.0"?><rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel><title>Harbour</title>{extra}{entries}</channel></rss>'


def test_the_schedule_follows_what_the_feed_and_the_server_ask_within_bounds():
    settings = WatchSettings()
    assert (
        parse_feed(rss("<ttl>90</ttl>", [("s-1", "Ferry timetable approved")]).encode(), "https://x.example/f").refresh_seconds
        == 5400
    )
    weekly = rss("<sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>4</sy:updateFrequency>", [("s-1", "Ferry")])
    assert parse_feed(weekly.encode(), "https://x.example/f").refresh_seconds == 21600
    assert cache_seconds({"cache-control": "public, max-age=600"}, NOW) == 600
    assert cache_seconds({"expires": "Mon, 30 Nov 2026 12:20:00 GMT"}, NOW) == 1200
    assert cache_seconds({"cache-control": "no-cache"}, NOW) == 0
    when, interval = next_fetch(NOW, feed_seconds=5400, server_seconds=600, failures=0, settings=settings)
    assert interval == 5400 and when == NOW + timedelta(seconds=5400)  # the longer of the two
    assert next_fetch(NOW, feed_seconds=10, server_seconds=None, failures=0, settings=settings)[1] == 300  # min 5 min
    assert next_fetch(NOW, feed_seconds=None, server_seconds=None, failures=0, settings=settings)[1] == 1800
    backoff = [next_fetch(NOW, feed_seconds=None, server_seconds=None, failures=n, settings=settings)[1] for n in (1, 2, 3, 9)]
    assert backoff == [3600, 7200, 14400, 86400]  # doubling, capped at max_backoff_hours


def test_watch_reads_each_source_when_due_backs_off_failures_and_rewrites_only_changed_stories(tmp_path):
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    feed = {"body": rss("<ttl>60</ttl>", [("h-1", "Ferry timetable approved for winter")])}
    calls = {"good": 0, "bad": 0}

    def good(request):  # type: ignore[no-untyped-def]
        from werkzeug import Response

        calls["good"] += 1
        return Response(feed["body"], mimetype="application/rss+xml")

    def bad(request):  # type: ignore[no-untyped-def]
        from werkzeug import Response

        calls["bad"] += 1
        if feed.get("bad_recovered"):
            return Response(
                rss("<ttl>20</ttl>", [("b-1", "Ferry timetable approved for winter")]), mimetype="application/rss+xml"
            )
        return Response("down", status=404)

    server.expect_request("/good.xml").respond_with_handler(good)
    server.expect_request("/bad.xml").respond_with_handler(bad)
    try:
        room = make_newsroom(
            tmp_path / "room", '\n[extract]\nfetch_pages = false\n[write]\nmin_tier = "brief"\n[verify]\nmin_sentences = 1\n'
        )
        room.store.add_source(server.url_for("/good.xml"), name="Harbour Gazette")
        room.store.add_source(server.url_for("/bad.xml"), name="Broken Wire")
        first = tick(room)
        assert first.sources == 2 and first.new_items == 1 and first.stories == 1 and first.published
        assert calls == {"good": 1, "bad": 1}
        again = tick(room)
        assert again.sources == 0 and calls == {"good": 1, "bad": 1}  # nothing due: no request at all
        listed = {s.name: s for s in room.store.list_sources()}
        assert listed["Harbour Gazette"].interval_seconds == 3600  # the feed's ttl
        assert listed["Broken Wire"].failures == 1 and listed["Broken Wire"].interval_seconds == 3600  # 30 min × 2
        articles_before = {a.story_id: a.version for a in room.store.latest_articles()}
        # An hour later (both due), the good feed has a second, unrelated story; the bad one still fails.
        feed["body"] = rss(
            "<ttl>60</ttl>",
            [
                ("h-1", "Ferry timetable approved for winter"),
                ("h-2", "Museum reopens after roof repairs"),
            ],
        ).replace(
            f"Museum reopens after roof repairs. {BODY}",
            "Museum reopens after roof repairs. The city museum reopened on Saturday after a two-year roof repair that cost 12 million dollars, the curator said.",
        )
        with room.store.begin() as conn:
            conn.execute(update(sources).values(next_fetch_at=datetime(2000, 1, 1, tzinfo=UTC)))
        later = tick(room)
        assert later.sources == 2 and later.new_items == 1 and later.stories == 1
        assert calls == {"good": 2, "bad": 2}
        assert {s.name: s.failures for s in room.store.list_sources()}["Broken Wire"] == 2
        after = {a.story_id: a.version for a in room.store.latest_articles()}
        assert all(after[k] == v for k, v in articles_before.items())  # the unchanged story was not rewritten
        assert len(after) == len(articles_before) + 1
        # The failing source comes back: read when due, its back-off forgotten, its own interval kept.
        feed["bad_recovered"] = "yes"
        with room.store.begin() as conn:
            conn.execute(update(sources).values(next_fetch_at=datetime(2000, 1, 1, tzinfo=UTC)))
        tick(room)
        recovered = {s.name: s for s in room.store.list_sources()}["Broken Wire"]
        assert calls["bad"] == 3 and recovered.failures == 0 and recovered.interval_seconds == 1200, recovered.last_error
        room.close()
    finally:
        server.stop()


def test_watch_stops_cleanly_on_sigterm(tmp_path):
    room = make_newsroom(tmp_path / "room")
    room.store.add_source("https://unreachable.invalid/feed.xml", name="Nowhere")
    room.close()
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsdesk.cli", "watch", "--dir", str(room.path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    line = ""
    while "Watching" not in line and time.monotonic() < deadline:
        line = proc.stdout.readline() if proc.stdout else ""
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Stopped cleanly" in out and "Traceback" not in err


def test_no_host_is_read_more_often_than_its_cap_across_rounds(tmp_path):
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    hits: list[str] = []

    def answer(request):  # type: ignore[no-untyped-def]
        from werkzeug import Response

        hits.append(request.path)
        return Response(rss("<ttl>60</ttl>", []), mimetype="application/rss+xml")

    for n in range(5):
        server.expect_request(f"/f{n}.xml").respond_with_handler(answer)
    try:
        room = make_newsroom(tmp_path / "room", "\n[extract]\nfetch_pages = false\n")
        room.settings.watch.per_host_per_minute = 2
        for n in range(5):
            room.store.add_source(server.url_for(f"/f{n}.xml"), name=f"Feed {n}")
        first = tick(room)
        assert (first.sources, first.waiting, len(hits)) == (2, 3, 2)
        again = tick(room)  # the same minute: the host's cap is spent, whoever is due
        assert (again.sources, again.waiting, len(hits)) == (0, 3, 2) and "wait" in again.line()
        with room.store.begin() as conn:  # a minute later
            conn.execute(update(sources).values(last_fetched_at=datetime.now(UTC) - timedelta(seconds=61)))
        third = tick(room)
        assert (third.sources, third.waiting, len(hits)) == (2, 1, 4)
        assert len(set(hits)) == 4  # those that waited went first
        room.close()
    finally:
        server.stop()


def test_watch_and_status_count_the_same_sources(tmp_path):
    """Facts sources (filled by enrichment) are never read: neither count them; both count the
    sources listed in newsdesk.toml."""
    room = make_newsroom(tmp_path / "room", '[sources]\nurls = ["https://listed.invalid/feed.xml"]\n')
    room.store.add_source("https://one.invalid/feed.xml", name="One")
    room.store.add_source("https://two.invalid/feed.xml", name="Two")
    room.store.add_source("https://huggingface.co/", kind="facts", name="Hugging Face Hub")
    room.store.add_source("https://github.com/", kind="facts", name="GitHub")
    room.close()
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsdesk.cli", "watch", "--dir", str(room.path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
    assert line.startswith("Watching 3 sources"), line
    status = subprocess.run(
        [sys.executable, "-m", "newsdesk.cli", "status", "--dir", str(room.path)],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "COLUMNS": "200"},
    )
    assert status.returncode == 0, status.stderr
    assert status.stdout.startswith("3 sources:"), status.stdout
