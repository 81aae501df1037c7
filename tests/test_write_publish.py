"""Articles and the site, from the demo corpus through every stage, checked as a reader would."""

import html
import json
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import lxml.html
import pytest

from conftest import make_newsroom
from newsdesk.pipeline import run
from newsdesk.records import Item, NewItem
from newsdesk.text.sentences import sentence_spans
from newsdesk.write.extractive import clean_title


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    from newsdesk.demo.server import DemoServer

    room = make_newsroom(tmp_path_factory.mktemp("site") / "room")
    with DemoServer(port=0) as server:
        for name, url in server.feed_urls():
            room.store.add_source(url, name=name)
        report = run(room)
    yield room, report
    room.close()


def article_pages(room):
    return sorted((room.site_dir / "articles").glob("*.html"))


def test_articles_written_for_ranked_stories(published):
    room, report = published
    assert report.write.written == report.write.considered >= 8
    assert report.publish.articles == report.write.written
    for article in room.store.latest_articles():
        assert article.tier in ("major", "standard")
        assert 2 <= len(article.sections) <= 6
        assert article.headline and article.dek.text and article.tags
        assert article.word_count <= room.settings.write.budget_words


def test_every_citation_resolves_and_every_reference_is_used(published):
    room, _ = published
    pages = article_pages(room)
    assert pages
    for page in pages:
        doc = lxml.html.parse(str(page)).getroot()
        refs = {li.get("id") for li in doc.cssselect(".references li")}
        cited = [a.get("href") for a in doc.cssselect("sup.cite a")]
        assert cited, page
        assert all(href.startswith("#ref-") and href[1:] in refs for href in cited), page
        assert refs == {href[1:] for href in cited}, page
        # Numbered in order of first use.
        first_use = list(dict.fromkeys(int(h[5:]) for h in cited))
        assert first_use == list(range(1, len(first_use) + 1)), page
        # No uncited sentence: every sentence in the body is followed by its citation marker.
        assert len(doc.cssselect("span.sentence")) == len(doc.cssselect("sup.cite"))


def test_cited_text_is_at_its_recorded_span(published):
    room, _ = published
    articles = room.store.latest_articles()
    items = room.store.items_by_id(c.item_id for a in articles for s in a.sentences() for c in s.citations)
    checked = 0
    for article in articles:
        for sentence in article.sentences():
            assert sentence.citations, sentence.text
            own = sentence.citations[0]
            if sentence.frame:  # writer-made: each attributed figure stands in its outlet's cited span
                spans = {c.ref: items[c.item_id].text[c.start : c.end] for c in sentence.citations}
                assert all(a.figure in spans[a.ref] for a in sentence.attributions)
            else:
                assert items[own.item_id].text[own.start : own.end] == sentence.text
            for c in sentence.citations:
                assert 0 <= c.start < c.end <= len(items[c.item_id].text)
                # Syndicated copies are never cited as if they were independent sources.
                assert items[c.item_id].duplicate_of is None
            outlets = [items[c.item_id].outlet for c in sentence.citations]
            assert len(outlets) == len(set(outlets)), "corroboration counts each outlet once"
            checked += 1
    assert checked > 50


def test_corroboration_is_shown(published):
    room, _ = published
    multi = [s for a in room.store.latest_articles() for s in a.sentences() if len(s.citations) > 1]
    assert multi
    page = (room.site_dir / "articles").glob("*.html")
    assert any(re.search(r"\[<a href=\"#ref-\d+\">\d+</a>, <a", p.read_text()) for p in page)


def test_page_layout_and_label(published):
    room, _ = published
    html = article_pages(room)[0].read_text()
    for needle in (
        "← Back to newsroom",
        'class="dek"',
        'class="byline"',
        "min read",
        "words",
        "References",
        "Machine-written by newsdesk from the cited sources",
        "application/ld+json",
        'property="og:title"',
        "Related articles",
        "mailto:",
        'rel="icon"',
    ):
        assert needle in html, needle
    doc = lxml.html.fromstring(html)
    (ld,) = doc.xpath("//script[@type='application/ld+json']/text()")
    data = json.loads(ld)
    assert data["@type"] == "NewsArticle" and data["headline"] and data["citation"]
    # Dates that mean something: when the sources first reported the event, each source's own date.
    cited_dates = sorted(c["datePublished"] for c in data["citation"] if c["datePublished"])
    assert data["contentReferenceTime"] == cited_dates[0] and "First reported" in html
    assert data["contentReferenceTime"] < data["datePublished"]  # the event predates the run
    index = (room.site_dir / "index.html").read_text()
    tiers = re.findall(r'class="story tier-(\w+)"', index)
    assert tiers == sorted(tiers, key=["major", "standard", "brief"].index)
    # A tag page connects articles: every one lists two or more, and every tag link resolves.
    for tag_page in (room.site_dir / "tags").glob("*.html"):
        text = tag_page.read_text()
        assert "Tag:" in text and text.count('<li class="story') >= 2, tag_page
    for page in article_pages(room):
        for href in re.findall(r'class="tag" href="\.\./(tags/[^"]+)"', page.read_text()):
            assert (room.site_dir / href).exists(), href
    assert (room.site_dir / "favicon.svg").read_text().startswith("<svg")


def test_feeds_and_sitemap_parse_back(published):
    room, report = published
    rss = feedparser.parse((room.site_dir / "feed.xml").read_bytes())
    atom = feedparser.parse((room.site_dir / "atom.xml").read_bytes())
    assert rss.version == "rss20" and not rss.bozo and len(rss.entries) == report.publish.articles
    assert atom.version == "atom10" and not atom.bozo and len(atom.entries) == report.publish.articles
    feed = json.loads((room.site_dir / "feed.json").read_text())
    assert feed["version"] == "https://jsonfeed.org/version/1.1" and len(feed["items"]) == report.publish.articles
    from xml.etree import ElementTree

    urls = ElementTree.parse(room.site_dir / "sitemap.xml").getroot()
    assert len(urls) >= report.publish.articles + 1


def test_rerun_writes_nothing_new(published):
    room, _ = published
    again = run(room, ("write", "verify", "publish"))
    assert again.write.written == again.write.updated == 0
    assert again.write.unchanged == again.write.considered


def test_story_that_gains_an_item_gets_a_new_version(tmp_path):
    from newsdesk.demo.server import DemoServer

    room = make_newsroom(tmp_path / "room")
    with DemoServer(port=0) as server:
        for name, url in server.feed_urls():
            room.store.add_source(url, name=name)
        run(room)
    velora = next(a for a in room.store.latest_articles() if "Velora" in a.headline)
    source, _ = room.store.add_source("https://late.example/feed", name="Late Wire")
    now = datetime.now(UTC)
    room.store.insert_item(
        NewItem(
            source_id=source.id,
            guid="late-1",
            url="https://late.example/velora",
            canonical_url="https://late.example/velora",
            outlet="Late Wire",
            title="Velora Systems job cuts: severance talks begin",
            summary="",
            text=(
                "Severance talks over the 1,800 job cuts at Velora Systems began on Thursday, the workers' council said. "
                "Velora Systems will close two assembly lines in Tallin by the end of March. "
                "Council representative Pavel Oskar said the first meeting with management lasted four hours."
            ),
            text_origin="feed",
            author=None,
            published_at=now - timedelta(minutes=5),
            fetched_at=now,
        ),
        minhash=None,
        duplicate_of=None,
    )
    report = run(room, ("stories", "write", "verify", "publish"))
    assert report.stories.updated >= 1 and report.write.updated >= 1
    latest = next(a for a in room.store.latest_articles() if a.story_id == velora.story_id)
    assert latest.version == 2 and latest.first_published == velora.first_published
    page = (room.site_dir / f"articles/story-{velora.story_id}.html").read_text()
    assert "Updated" in page
    room.close()


XSS_FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Evil &lt;script&gt;alert(1)&lt;/script&gt; News</title>
<item><title>Harbour &lt;img src=x onerror="window.__pwned=1"&gt; reopens &lt;/script&gt;&lt;script&gt;window.__pwned=2&lt;/script&gt;</title>
<link>javascript:window.__pwned=3</link><guid>x-1</guid>
<description>&lt;p&gt;The harbour reopened on Monday after repairs that cost 4 million dollars, the port office said. &lt;script&gt;window.__pwned=4&lt;/script&gt;
Officials said ships could dock again &lt;img src=x onerror=window.__pwned=5&gt; from Tuesday morning onwards. "It is a relief," said harbour master Ilka &lt;b onmouseover=window.__pwned=6&gt;Berg&lt;/b&gt;.&lt;/p&gt;</description>
</item>
<item><title>&lt;/script&gt;&lt;script&gt;window.__pwned=7&lt;/script&gt; Ferry returns</title><link>https://evil.example/ferry</link><guid>x-2</guid>
<description>The ferry &amp;lt;script&amp;gt;window['__pwned']=8&amp;lt;/script&amp;gt; returned to service on Monday after the harbour repairs were finished, officials said. Ships can dock from Tuesday morning onwards, said harbour master Ilka Berg. The ferry company expects about 2,000 passengers a day during the first week of the new timetable.</description>
</item></channel></rss>"""


def test_payloads_from_sources_never_run(tmp_path):
    feed = tmp_path / "evil.xml"
    feed.write_text(XSS_FEED, encoding="utf-8")
    room = make_newsroom(tmp_path / "room", '\n[write]\nmin_tier = "brief"\n[sources]\nallow_files = true\n')
    room.store.add_source(str(feed))
    report = run(room)
    assert report.publish.articles >= 1
    # The payloads are there, as visible text, not as markup.
    assert any("&lt;script&gt;" in p.read_text() or "&lt;/script&gt;" in p.read_text() for p in article_pages(room))
    pages = [room.site_dir / "index.html", *article_pages(room), *(room.site_dir / "tags").glob("*.html")]
    for page in pages:
        html = page.read_text()
        doc = lxml.html.fromstring(html)
        assert not doc.xpath("//script[not(@type='application/ld+json')]"), page
        assert not doc.xpath("//@*[starts-with(name(), 'on')]"), page
        assert not doc.xpath("//a[starts-with(normalize-space(@href), 'javascript:')]"), page
        for ld in doc.xpath("//script[@type='application/ld+json']/text()"):
            json.loads(ld)  # still valid JSON, and "</script>" inside it is escaped
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    playwright = pytest.importorskip("playwright.sync_api")
    if not chromium:
        pytest.skip("Debian's chromium is not installed")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            dialogs = []
            page = browser.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            # Each feed entry the way a feed reader shows it: its text fields put into a page as HTML.
            readers = tmp_path / "reader"
            readers.mkdir()
            entries = feed_entries_as_a_reader_sees_them(room.site_dir)
            assert len(entries) == 3 * report.publish.articles  # RSS, Atom and JSON Feed
            for n, fragment in enumerate(entries):
                shown = readers / f"entry-{n}.html"
                shown.write_text(f"<!doctype html><html><head><title>entry</title></head><body>{fragment}</body></html>")
                pages.append(shown)
            for path in pages:
                page.goto(path.as_uri())
                page.mouse.move(200, 300)
                for link in page.query_selector_all("a"):
                    link.hover()
                assert page.evaluate("typeof window.__pwned") == "undefined", path
                assert page.title()
            assert dialogs == []
        finally:
            browser.close()
    room.close()


def test_tags_are_names_that_say_what_a_story_is_about():
    from newsdesk.write.extractive import tags_for

    text = (
        "Velora Systems will cut jobs in Tallin, chief executive Marta Quell said on the Web. "
        "Temperatures reached 41 Celsius. The code is under the Apache licence."
    )
    now = datetime(2026, 11, 24, tzinfo=UTC)
    items = [
        Item(n, n, f"g{n}", f"https://x.example/{n}", f"https://x.example/{n}", "Harbor Ledger", "Velora cuts", text, now, now)
        for n in range(2)
    ]
    tags = tags_for(items)
    assert "Velora Systems" in tags and "Marta Quell" in tags
    assert not {"Web", "Celsius", "Apache", "Harbor Ledger"} & set(tags)


def test_sentence_spans_are_exact():
    text = (
        "TALLIN (Wire) \u2014 Velora Systems said on Tuesday it will cut 1,800 jobs. Dr. Quell said so.\n\n"
        "Advertisement\n\nShares fell 6% in early trading. Read more about this.\n\n"
        "This article first appeared in The Northwire and is republished with permission."
    )
    spans = sentence_spans(text)
    pieces = [text[s.start : s.end] for s in spans]
    assert pieces == [
        "Velora Systems said on Tuesday it will cut 1,800 jobs.",
        "Dr. Quell said so.",
        "Shares fell 6% in early trading.",
    ]


@pytest.mark.parametrize(
    "title, expected",
    [
        ("Velora to cut 1,800 jobs | The Northwire", "Velora to cut 1,800 jobs"),
        ("Port strike ends - Harbor Ledger", "Port strike ends"),
        ("Chip orders slump \u2014 Meridian Daily", "Chip orders slump"),
        ("Half-year results beat forecasts", "Half-year results beat forecasts"),
    ],
)
def test_clean_title(title, expected):
    assert clean_title(title, {"The Northwire", "Harbor Ledger", "Meridian Daily"}) == expected


def feed_entries_as_a_reader_sees_them(site: Path) -> list[str]:
    """The raw text of every entry field a reader renders as HTML, in RSS, Atom and JSON Feed."""
    from xml.etree import ElementTree

    atom = "{http://www.w3.org/2005/Atom}"
    shown = []
    for item in ElementTree.parse(site / "feed.xml").getroot().iter("item"):
        shown.append("<h1>" + (item.findtext("title") or "") + "</h1>" + (item.findtext("description") or ""))
    for entry in ElementTree.parse(site / "atom.xml").getroot().iter(f"{atom}entry"):
        # Atom says how to show each: type="text" (the default) as text, "html" as markup.
        fields = []
        for name in ("title", "summary", "content"):
            element = entry.find(f"{atom}{name}")
            raw = "" if element is None else (element.text or "")
            is_html = element is not None and element.get("type") in ("html", "xhtml")
            fields.append(raw if is_html else html.escape(raw))
        shown.append("<h1>" + fields[0] + "</h1>" + fields[1] + fields[2])
    for item in json.loads((site / "feed.json").read_text())["items"]:
        # JSON Feed: title, summary and content_text are plain text; content_html is markup.
        plain = [html.escape(item.get(k, "")) for k in ("title", "summary", "content_text")]
        shown.append("<h1>" + plain[0] + "</h1>" + plain[1] + plain[2] + item.get("content_html", ""))
    return shown


SHARED_ENTITY_FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Tallin Tribune</title>
<item><title>Velora Systems opens a second plant in Tallin</title><link>https://tt.example/plant</link><guid>t-1</guid>
<pubDate>Mon, 02 Nov 2026 09:00:00 GMT</pubDate>
<description>Velora Systems opened a second chip plant in Tallin on Monday, adding 400 jobs. The plant will build memory controllers for data centres. Chief executive Marta Quell said the site had taken two years to build. The city council approved the plant last spring.</description></item>
<item><title>Harbour ferry timetable approved for winter</title><link>https://tt.example/ferry</link><guid>t-2</guid>
<pubDate>Mon, 23 Nov 2026 09:00:00 GMT</pubDate>
<description>The harbour council approved the winter ferry timetable on Monday after a public consultation. Ferries will leave every forty minutes from December. Velora Systems staff asked for an early morning crossing, the council said. The timetable starts on the first of December.</description></item>
</channel></rss>"""


def test_a_tag_page_lists_the_articles_that_share_it(tmp_path):
    feed = tmp_path / "tribune.xml"
    feed.write_text(SHARED_ENTITY_FEED, encoding="utf-8")
    room = make_newsroom(tmp_path / "room", '\n[write]\nmin_tier = "brief"\n[sources]\nallow_files = true\n')
    room.store.add_source(str(feed))
    report = run(room)
    assert report.publish is not None and report.publish.articles == 2
    page = room.site_dir / "tags" / "velora-systems.html"
    assert page.exists() and page.read_text().count('<li class="story') == 2
    assert report.publish.tags == len(list((room.site_dir / "tags").glob("*.html")))
    room.close()
