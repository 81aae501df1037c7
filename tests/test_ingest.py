"""Ingest end to end: the demo outlets over loopback HTTP into a real SQLite store."""

import pytest
from sqlalchemy import func, select

from newsdesk.pipeline import run
from newsdesk.store.schema import items as items_table

N_ITEMS = 64  # entries across the demo's working feeds (corpus.toml)


def add_demo_sources(room, server):
    for name, url in server.feed_urls():
        room.store.add_source(url, name=name)


def all_items(room):
    with room.store.begin() as conn:
        return list(conn.execute(select(items_table).order_by(items_table.c.id)).mappings())


def test_demo_ingest_stores_every_item_once(newsroom, demo_server):
    add_demo_sources(newsroom, demo_server)
    report = run(newsroom, ("ingest",)).ingest
    rows = all_items(newsroom)
    assert len(rows) == N_ITEMS
    assert report.new + report.duplicates == N_ITEMS
    broken = [s for s in report.sources if s.status == "error"]
    assert [s.name for s in broken] == ["Static Gazette"]
    assert "not a well-formed feed" in broken[0].error
    # Tracking parameters from the feeds never reach the canonical URL.
    assert all("utm_" not in r["canonical_url"] for r in rows)
    assert all("utm_" in r["url"] for r in rows)


def test_rerun_adds_nothing_and_costs_only_304s(newsroom, demo_server):
    add_demo_sources(newsroom, demo_server)
    run(newsroom, ("ingest",))
    before = all_items(newsroom)
    second = run(newsroom, ("ingest",)).ingest
    assert all_items(newsroom) == before
    statuses = {s.name: s.status for s in second.sources}
    assert statuses.pop("Static Gazette") == "error"
    assert set(statuses.values()) == {"unchanged"}
    # One request per feed: no article page was fetched again.
    assert second.requests == len(demo_server.feed_urls())


def test_summary_only_items_get_their_page_text(newsroom, demo_server):
    add_demo_sources(newsroom, demo_server)
    run(newsroom, ("ingest",))
    rows = {r["guid"]: r for r in all_items(newsroom)}
    northwire = rows["northwire:nw-velora"]  # RSS 2.0 with summaries only
    assert northwire["text_origin"] == "page"
    assert northwire["text"].startswith("Velora Systems said on Tuesday it will cut 1,800 jobs")
    for boilerplate in ("Advertisement", "All rights reserved", "Subscribe", "More from"):
        assert boilerplate not in northwire["text"]
    assert northwire["author"] == "Ines Arkwright"
    full = rows["tag:harbor-ledger.example,2026:hl-velora"]  # Atom with full content
    assert full["text_origin"] == "feed"


def test_syndicated_copies_link_to_their_originals(newsroom, demo_server):
    add_demo_sources(newsroom, demo_server)
    run(newsroom, ("ingest",))
    rows = {r["guid"]: r for r in all_items(newsroom)}
    by_id = {r["id"]: r for r in rows.values()}
    expected = {
        "open-circuit:oc-velora": "northwire:nw-velora",  # near-copy with its own URL
        "open-circuit:oc-kestrel": "northwire:nw-kestrel",  # copy whose rel=canonical names the original
        "open-circuit:oc-tern": "tag:patchwork.example,2026:pw-tern",
        "open-circuit:oc-calder": "tag:harbor-ledger.example,2026:hl-calder",
        "lakeside:ls-partner-heat": "meridian:md-heat",  # same article linked from another feed
    }
    for copy, original in expected.items():
        assert by_id[rows[copy]["duplicate_of"]]["guid"] == original, copy
    originals = [r for r in rows.values() if r["duplicate_of"] is None]
    assert len(originals) == N_ITEMS - len(expected)


def test_a_failing_source_loses_nothing(newsroom, demo_server):
    add_demo_sources(newsroom, demo_server)
    run(newsroom, ("ingest",))
    before = all_items(newsroom)
    demo_server.__exit__(None, None, None)  # every outlet goes down
    report = run(newsroom, ("ingest",)).ingest
    assert all(s.status == "error" for s in report.sources)
    assert all("cannot connect" in s.error for s in report.sources)
    assert all_items(newsroom) == before
    listed = newsroom.store.list_sources()
    assert all(s.last_status == "error" and s.last_error for s in listed)
    # The validators survive an error, so the next good run still costs only 304s.
    assert all(s.etag for s in listed if s.name != "Static Gazette")


def test_crash_while_storing_then_rerun_stores_each_item_once(newsroom, demo_server, monkeypatch):
    add_demo_sources(newsroom, demo_server)
    real_insert = newsroom.store.insert_item
    calls = {"n": 0}

    def crashing_insert(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 25:
            raise KeyboardInterrupt("power cut")
        return real_insert(*args, **kwargs)

    from newsdesk.sources import ingest as ingest_stage

    monkeypatch.setattr(ingest_stage, "STORE_BATCH", 10)
    monkeypatch.setattr(newsroom.store, "insert_item", crashing_insert)
    with pytest.raises(KeyboardInterrupt):
        run(newsroom, ("ingest",))
    stored = all_items(newsroom)
    # Whole batches committed (sources are stored as each finishes); the batch in flight rolled back.
    assert 0 < len(stored) < calls["n"] - 1
    statuses = [s.last_status for s in newsroom.store.list_sources()]
    assert None in statuses  # the source being stored saved no validators, so it is fetched again
    monkeypatch.setattr(newsroom.store, "insert_item", real_insert)
    run(newsroom, ("ingest",))
    rows = all_items(newsroom)
    assert len(rows) == N_ITEMS
    assert len({(r["source_id"], r["guid"]) for r in rows}) == N_ITEMS


def test_local_feed_file_source(newsroom, tmp_path):
    feed = tmp_path / "local.xml"
    feed.write_text(
        """<?xml version="1.0"?><rss version="2.0"><channel><title>Local File News</title>
        <item><title>Harbour crane installed</title><link>file:///nowhere/crane</link><guid>l-1</guid>
        <description>A new crane was installed at the harbour on Monday after months of delays.</description></item>
        </channel></rss>""",
        encoding="utf-8",
    )
    newsroom.store.add_source(str(feed))
    refused = run(newsroom, ("ingest",)).ingest
    assert refused.sources[0].status == "error" and "allow_files" in (refused.sources[0].error or "")
    newsroom.settings.sources.allow_files = True
    report = run(newsroom, ("ingest",)).ingest
    assert report.new == 1 and report.sources[0].name == "Local File News"
    (row,) = all_items(newsroom)
    assert row["outlet"] == "Local File News" and row["text_origin"] == "summary"


def test_html_where_feed_expected_is_recorded(newsroom, httpserver):
    httpserver.expect_request("/news").respond_with_data(
        '<!doctype html><html><head><link rel="alternate" type="application/atom+xml" href="/atom.xml"></head><body>x</body></html>',
        content_type="text/html",
    )
    newsroom.store.add_source(httpserver.url_for("/news"))
    report = run(newsroom, ("ingest",)).ingest
    (source,) = report.sources
    assert source.status == "error" and "HTML page" in source.error and "/atom.xml" in source.error
    (listed,) = newsroom.store.list_sources()
    assert listed.last_status == "error" and "HTML page" in listed.last_error


def test_page_fetch_blocked_by_robots_keeps_the_summary(newsroom, httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /articles/\n")
    httpserver.expect_request("/feed").respond_with_data(
        f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Polite</title>
        <item><title>Ferry timetable changes</title><link>{httpserver.url_for("/articles/1")}</link><guid>p-1</guid>
        <description>Winter timetable starts next week.</description></item></channel></rss>""",
        content_type="application/rss+xml",
    )
    newsroom.store.add_source(httpserver.url_for("/feed"))
    report = run(newsroom, ("ingest",)).ingest
    (row,) = all_items(newsroom)
    assert row["text"] == "Winter timetable starts next week." and row["text_origin"] == "summary"
    assert "robots.txt" in report.sources[0].error
    assert not any(r.path == "/articles/1" for r, _ in httpserver.log)


def test_wrong_charset_header_does_not_garble_text(newsroom, httpserver):
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Encodage</title><item><title>Caf\u00e9 na\u00efve r\u00e9ouvre</title><link>https://enc.example/1</link><guid>e-1</guid><description>'
        + "mot " * 200
        + "</description></item></channel></rss>"
    )
    httpserver.expect_request("/feed").respond_with_data(
        body.encode("utf-8"), content_type="application/rss+xml; charset=iso-8859-1"
    )
    newsroom.store.add_source(httpserver.url_for("/feed"))
    run(newsroom, ("ingest",))
    (row,) = all_items(newsroom)
    assert row["title"] == "Caf\u00e9 na\u00efve r\u00e9ouvre"


def test_huge_feed_is_an_error_and_the_run_goes_on(newsroom, httpserver, demo_server):
    httpserver.expect_request("/huge.xml").respond_with_data(b"<rss>" + b" " * 10_000_000 + b"</rss>")
    newsroom.store.add_source(httpserver.url_for("/huge.xml"), name="Huge")
    add_demo_sources(newsroom, demo_server)
    report = run(newsroom, ("ingest",)).ingest
    huge = next(s for s in report.sources if s.name == "Huge")
    assert huge.status == "error" and "too large" in huge.error
    with newsroom.store.begin() as conn:
        assert conn.execute(select(func.count()).select_from(items_table)).scalar_one() == N_ITEMS
