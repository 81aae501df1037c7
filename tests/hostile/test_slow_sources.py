"""A slow host holds nobody: a trickling page is cut at extract.page_timeout and its entry keeps
the feed's text; sources are stored as each finishes, and the earliest-published copy stays the
original whichever source finished first."""

from __future__ import annotations

import time

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from conftest import make_newsroom
from newsdesk.pipeline import run

BODY = (
    "The harbour authority approved a new crane for the eastern quay on Monday, and the works council "
    "said the installation would begin in the spring after a public consultation."
)


def rss(title: str, items: list[tuple[str, str, str, str]]) -> str:
    entries = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{guid}</guid><pubDate>{date}</pubDate>"
        f"<description>{BODY}</description></item>"
        for t, link, guid, date in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{entries}</channel></rss>'


def trickle(request: Request) -> Response:
    def body():  # type: ignore[no-untyped-def]
        yield b"<html><body><p>"
        for _ in range(40):
            time.sleep(0.25)
            yield b"slow words "
        yield b"</p></body></html>"

    return Response(body(), mimetype="text/html")


def test_a_trickling_page_is_cut_and_its_entry_keeps_the_feed_text(tmp_path):
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    server.expect_request("/robots.txt").respond_with_data("", status=404)
    server.expect_request("/slow/page").respond_with_handler(trickle)
    server.expect_request("/feed.xml").respond_with_data(
        rss("Slow Outlet", [("Crane approved", server.url_for("/slow/page"), "s-1", "Mon, 23 Nov 2026 09:00:00 GMT")]),
        content_type="application/rss+xml",
    )
    try:
        room = make_newsroom(tmp_path / "room", "\n[extract]\npage_timeout = 1.0\n")
        room.store.add_source(server.url_for("/feed.xml"))
        started = time.monotonic()
        report = run(room, ("ingest",)).ingest
        took = time.monotonic() - started
        assert report is not None and report.new == 1
        assert took < 4.0, took  # the page alone would take 10 s
        (source,) = report.sources
        assert "extract.page_timeout" in (source.error or "")
        assert room.store.count_items() == 1
        room.close()
    finally:
        server.stop()


def slow_feed(content: str, delay: float):  # type: ignore[no-untyped-def]
    def handler(request: Request) -> Response:
        time.sleep(delay)
        return Response(content, mimetype="application/rss+xml")

    return handler


def test_the_earliest_published_copy_is_the_original_even_when_its_source_finishes_last(tmp_path):
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    early = rss("Early Wire", [("Crane approved", "https://early.example/crane", "e-1", "Mon, 23 Nov 2026 08:00:00 GMT")])
    late = rss("Late Paper", [("Crane approved", "https://late.example/crane", "l-1", "Mon, 23 Nov 2026 11:00:00 GMT")])
    server.expect_request("/early.xml").respond_with_handler(slow_feed(early, 1.0))
    server.expect_request("/late.xml").respond_with_handler(slow_feed(late, 0.0))
    server.start()
    try:
        room = make_newsroom(tmp_path / "room", "\n[extract]\nfetch_pages = false\n")
        room.store.add_source(server.url_for("/early.xml"))
        room.store.add_source(server.url_for("/late.xml"))
        report = run(room, ("ingest",)).ingest
        assert report is not None and report.new + report.duplicates == 2
        items = room.store.items_without_story()
        by_outlet = {i.outlet: i for i in items}
        assert by_outlet["Late Paper"].id < by_outlet["Early Wire"].id  # the late copy was stored first
        assert by_outlet["Early Wire"].duplicate_of is None
        assert by_outlet["Late Paper"].duplicate_of == by_outlet["Early Wire"].id
        room.close()
    finally:
        server.stop()
