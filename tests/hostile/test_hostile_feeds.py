"""Hostile sources beside a good control feed: the control's items are stored, the hostile
source's problem is recorded as its error, nothing raises."""

from __future__ import annotations

from datetime import UTC, datetime

from newsdesk.pipeline import run

BODY = " ".join(["The harbour council approved the new ferry timetable after a long public consultation."] * 20)


def rss(title: str, pub: str = "Mon, 02 Mar 2026 10:00:00 GMT") -> str:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Control</title><link>https://c.example/</link>'
        f"<item><title>{title}</title><link>https://c.example/a</link><guid isPermaLink='false'>c-1</guid><pubDate>{pub}</pubDate>"
        f"<description>{BODY}</description></item></channel></rss>"
    )


def atom(entries: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Hostile</title>'
        f"<id>urn:h</id><updated>2026-03-02T10:00:00Z</updated>{entries}</feed>"
    )


def entry(n: int, updated: str, title: str = "Ferry timetable approved") -> str:
    return (
        f"<entry><id>urn:h:{n}</id><title>{title}</title><link href='https://h.example/{n}'/><updated>{updated}</updated>"
        f"<content type='text'>Entry {n}. {BODY}</content></entry>"
    )


def test_impossible_dates_are_missing_dates_and_never_abort_the_ingest(newsroom, httpserver):
    httpserver.expect_request("/control.xml").respond_with_data(
        rss("Ferry timetable approved"), content_type="application/rss+xml"
    )
    hostile = atom(
        entry(1, "0000-00-00T00:00:00Z")
        + entry(2, "9999-12-31T23:59:59-14:00")
        + entry(3, "1870-01-01T00:00:00Z")
        + entry(4, "2026-03-01T09:00:00Z", "X" * 5000)
    )
    httpserver.expect_request("/hostile.xml").respond_with_data(hostile, content_type="application/atom+xml")
    newsroom.store.add_source(httpserver.url_for("/control.xml"), name="Control")
    newsroom.store.add_source(httpserver.url_for("/hostile.xml"), name="Hostile")
    report = run(newsroom, ("ingest", "stories")).ingest
    assert report is not None and all(s.status == "ok" for s in report.sources), [s.error for s in report.sources]
    stored = {i.guid: i for i in newsroom.store.items_by_id(range(1, 100)).values()}
    assert "c-1" in stored, sorted(stored)
    assert stored["c-1"].published_at == datetime(2026, 3, 2, 10, tzinfo=UTC)
    assert stored["urn:h:1"].published_at is None and stored["urn:h:2"].published_at is None
    assert stored["urn:h:3"].published_at is None  # before 1990: junk, not news
    assert len(stored["urn:h:4"].title) == 500


def test_one_source_failing_unexpectedly_is_that_source_s_error(newsroom, httpserver, monkeypatch):
    from newsdesk.sources import ingest as ingest_module

    httpserver.expect_request("/control.xml").respond_with_data(
        rss("Ferry timetable approved"), content_type="application/rss+xml"
    )
    httpserver.expect_request("/odd.xml").respond_with_data(rss("Odd"), content_type="application/rss+xml")
    real = ingest_module.parse_feed

    def parse(content, url, content_type=""):
        if url.endswith("/odd.xml"):
            raise RecursionError("maximum recursion depth exceeded while parsing")
        return real(content, url, content_type)

    monkeypatch.setattr(ingest_module, "parse_feed", parse)
    newsroom.store.add_source(httpserver.url_for("/control.xml"), name="Control")
    newsroom.store.add_source(httpserver.url_for("/odd.xml"), name="Odd")
    report = run(newsroom, ("ingest",)).ingest
    by_name = {s.name: s for s in report.sources}
    assert by_name["Control"].status == "ok" and by_name["Control"].new == 1
    assert by_name["Odd"].status == "error" and "RecursionError" in (by_name["Odd"].error or "")
    assert {s.name: s.last_status for s in newsroom.store.list_sources()} == {"Control": "ok", "Odd": "error"}


def test_what_the_fuzzer_found_is_handled():
    """Cases bench/fuzz.py found: each was an uncaught exception before."""
    import pytest

    from newsdesk.extract import canonical_link, extract_page, html_to_text
    from newsdesk.sources.feeds import FeedError, parse_feed

    with pytest.raises(FeedError):  # a lone surrogate character reference made feedparser raise UnicodeEncodeError
        parse_feed(b"&#xD800;<rss version='2.0'><channel><title>x</title></channel></rss>", "https://x.example/feed")
    assert canonical_link('<link rel="canonical" href="http://[::1/broken">', "https://x.example/") is None
    assert "\x00" not in html_to_text("<p>a\x00b</p>")
    assert "\x00" not in extract_page(b"<html><body><p>\x00\xff\xfe</p></body></html>", "https://x.example/a").text


def test_canonical_links_are_read_as_html_not_by_pattern():
    """lxml reads the tag as a browser would: attributes in any order, unquoted, several rel
    values, upper case; a link in a comment or a script is no link."""
    from newsdesk.extract import canonical_link

    base = "https://x.example/a/b.html"
    assert canonical_link("<link href=/c/d.html rel=canonical>", base) == "https://x.example/c/d.html"
    assert canonical_link('<LINK REL="Canonical alternate" HREF="https://y.example/z">', base) == "https://y.example/z"
    assert canonical_link('<!-- <link rel="canonical" href="/wrong"> --><p>x</p>', base) is None
    assert canonical_link('<script>var s = \'<link rel="canonical" href="/wrong">\';</script>', base) is None
    assert canonical_link("", base) is None
