"""One byte cap for every read: robots.txt (a gzip bomb stops at 500 KB of text) and local files."""

from __future__ import annotations

import gzip
import resource

from newsdesk.pipeline import run

FEED = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Control</title><link>https://c.example/</link>'
    "<item><title>Ferry timetable approved</title><link>https://c.example/a</link><guid isPermaLink='false'>c-1</guid>"
    "<description>" + " ".join(["The council approved the ferry timetable."] * 40) + "</description></item></channel></rss>"
)


def test_a_robots_txt_gzip_bomb_is_read_only_up_to_its_cap(newsroom, httpserver):
    bomb = gzip.compress(b"Disallow: /x\n" + b"\0" * 200_000_000, compresslevel=9)  # 200 MB of text, ~200 KB sent
    httpserver.expect_request("/robots.txt").respond_with_data(
        bomb, headers={"Content-Encoding": "gzip"}, content_type="text/plain"
    )
    httpserver.expect_request("/feed.xml").respond_with_data(FEED, content_type="application/rss+xml")
    newsroom.store.add_source(httpserver.url_for("/feed.xml"), name="Control")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = run(newsroom, ("ingest",)).ingest
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert report.sources[0].status == "ok" and report.sources[0].new == 1
    assert grown_mb < 100  # not the 200 MB the bomb expands to


def test_a_local_feed_file_over_the_cap_is_that_source_s_error(newsroom, tmp_path):
    huge = tmp_path / "huge.xml"
    huge.write_bytes(b"<rss>" + b" " * 2_000_000 + b"</rss>")  # over the tests' 1 MB http.max_bytes
    newsroom.store.add_source(str(huge), name="Huge")
    newsroom.settings.sources.allow_files = True
    report = run(newsroom, ("ingest",)).ingest
    assert report.sources[0].status == "error" and "larger than http.max_bytes" in (report.sources[0].error or "")
