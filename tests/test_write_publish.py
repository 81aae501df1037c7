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
            elif sentence.composed:  # composed from facts: each of its figures stands in a cited span
                from newsdesk.text.numbers import figures

                spans = " ".join(items[c.item_id].text[c.start : c.end] for c in sentence.citations)
                assert all(f.text in spans for f in figures(sentence.text)) and len(sentence.citations) >= 2
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


def test_index_orders_each_tier_by_score(published):
    """Issue 26 item 14: within a tier the higher-scored story comes first (then the more recent)."""
    room, _ = published
    scores = {s.id: s.score for s in room.store.stories(with_items=False)}
    doc = lxml.html.parse(str(room.site_dir / "index.html")).getroot()
    listed = [
        (li.get("class").split("tier-")[1], int(re.search(r"story-(\d+)", li.cssselect("h2 a")[0].get("href")).group(1)))
        for li in doc.cssselect("li.story")
    ]
    assert len(listed) >= 5
    tiers = [t for t, _ in listed]
    assert tiers == sorted(tiers, key=["major", "standard", "brief"].index)
    for tier in set(tiers):
        in_tier = [scores[sid] for t, sid in listed if t == tier]
        assert in_tier == sorted(in_tier, reverse=True), (tier, in_tier)


NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def _item(iid: int, outlet: str, title: str, text: str, guid: str | None = None, **extra) -> Item:  # type: ignore[no-untyped-def]
    url = f"https://{iid}.example/a"
    return Item(iid, iid, guid or f"g-{iid}", url, url, outlet, title, text, NOW, NOW, **extra)


def _write(*items: Item, tier: str = "standard"):  # type: ignore[no-untyped-def]
    from newsdesk.config import WriteSettings
    from newsdesk.records import Story
    from newsdesk.write.extractive import ExtractiveWriter

    article = ExtractiveWriter(WriteSettings()).write(Story(1, "open", "t", NOW, NOW, 3.0, tier, None, list(items)))
    assert article is not None
    return article


def _verified(article, *items: Item):  # type: ignore[no-untyped-def]
    from newsdesk.config import Settings, VerifySettings
    from newsdesk.verify import verify_article
    from newsdesk.verify.checks import ClaimChecker

    v = verify_article(article, {i.id: i for i in items}, ClaimChecker.from_settings(VerifySettings()), Settings())
    assert v.published is not None, v.held_reason
    return v.published


HOLLOWPINE = (
    "The Hollowpine-3B card says 40% of its 2.1 trillion tokens come from a corpus called Fernline-Web. "
    "Hollowpine has not published Fernline-Web or said where its text comes from. "
    "The company has not answered questions about the corpus on the card's discussion page."
)


def test_headlines_are_statements_without_forum_labels():
    """Issue 26 item 15: never "Ask HN: …?" where a statement exists."""
    hn = _item(1, "Hacker News", "Ask HN: Has anyone seen Hollowpine's Fernline-Web corpus?", HOLLOWPINE, "hn:41000102")
    article = _write(hn)
    published = _verified(article, hn)
    for headline in (article.headline, published.headline):
        assert "HN" not in headline and not headline.endswith("?"), headline
    from newsdesk.text.headlines import from_sentence, strip_forum_prefix

    assert strip_forum_prefix("Ask HN: Has anyone seen it?") == "Has anyone seen it?"
    assert strip_forum_prefix("[D] Lumen-7B is good at review") == "Lumen-7B is good at review"
    assert strip_forum_prefix("Show HN \u2013 a notes app") == "A notes app"
    assert from_sentence('"We built for a market that did not arrive," Quell wrote.') is None  # a quote is no headline


def test_a_headline_is_never_a_long_dek():
    """Issue 26 item 15: a brief whose only title is its 27-word first sentence gets a short headline."""
    max_words = 14  # text.headlines.MAX_WORDS
    first = (
        "The notes app Quillpad added offline sync in an update released on Thursday, so edits made without a "
        "connection merge automatically when a device comes back online."
    )
    text = first + (
        " The developer, a two-person company called Birchlight, said the feature had been requested for years."
        " Quillpad is free for existing users and costs $4 a month for new ones."
        " Quillpad said offline sync works on phones, tablets and in the browser version of the app."
    )
    item = _item(1, "Patchwork Tech", first, text)
    article = _write(item, tier="brief")
    published = _verified(article, item)
    for headline in (article.headline, published.headline):
        assert headline != published.dek.text and len(headline.split()) <= max_words, headline
        assert "Quillpad" in headline


def test_tags_are_whole_names():
    """Issue 26 item 15: no tag cut from a title, a model name or a title before a name."""
    from newsdesk.write.extractive import tags_for

    text = (
        "Moira Selden's debut novel, The Keeper's Ledger, won the Ashcombe Prize on Thursday. "
        "Aster Labs released Lumen-7B, a model for code review. Director Helga Sund said the prize mattered."
    )
    items = [_item(n, "Harbor Ledger", "Debut novel wins prize", text) for n in range(2)]
    tags = tags_for(items, limit=10)
    assert "The Keeper's Ledger" in tags and "Lumen-7B" in tags and "Helga Sund" in tags, tags
    assert not {"The Keeper", "Lumen", "Director Helga Sund"} & set(tags)


def test_no_first_person_or_speakerless_quote_is_published():
    """Issue 26 item 16: another outlet's "we" and a quote without a speaker stay out."""
    from newsdesk.text.quality import defects

    assert "first_person" in defects("We pointed Lumen-7B at 120 merged pull requests from last month.")
    assert "first_person" in defects("Our reviewers flagged 41 of the changes as risky.")
    assert "first_person" not in defects("The US said it would review the model next month.")
    assert "unattributed_quote" in defects('"These are the hardest decisions I have had to make."')
    assert defects('"We built for a market that did not arrive," Quell wrote.') == []
    review = (
        "Aster Labs released Lumen-7B on Wednesday, an open-weight model for reviewing code. "
        "We pointed Lumen-7B at 120 merged pull requests from last month, a mix of Go and TypeScript code. "
        "Our own reviewers had also questioned 41 of the changes it flagged. "
        '"These are the hardest bugs we have ever had to find." '
        "Aster Labs says Lumen-7B finds 31% more injected bugs than its previous model."
    )
    article = _write(_item(1, "Open Circuit", "Hands-on with Lumen-7B", review))
    published = " ".join(s.text for s in article.sentences())
    assert "Lumen-7B" in published
    assert "We pointed" not in published and "Our own" not in published and "hardest bugs" not in published


def test_nobody_is_introduced_twice_in_a_row():
    """Issue 26 item 16: the sentence after one naming a person does not introduce them again."""
    from newsdesk.write.extractive import SECTION_TITLES, Candidate, Doc, _introduced, _mentioned, _people_apart

    doc = Doc(
        1,
        "Granite Post",
        "Brennmoor approved an $8 charge. "
        "Council leader Oren Vasquez said it would cut traffic by a fifth. "
        "Council leader Oren Vasquez said it would raise $30 million a year. "
        "The penalty for not paying will be $60. "
        "Agnes Mbatha, who directs the labour office, said places would double. "
        "Labour office director Agnes Mbatha said losses had slowed.",
    )
    from newsdesk.text.sentences import sentence_spans

    cands = [Candidate(doc, s.start, s.end, k, score=1.0 - k / 10) for k, s in enumerate(sentence_spans(doc.text))]
    dek, vasquez1, vasquez2, penalty, mbatha1, mbatha2 = cands
    groups = {k: [] for k in SECTION_TITLES}
    groups["lead"], groups["figures"], groups["context"] = [vasquez1], [vasquez2, penalty], [mbatha1, mbatha2]
    apart = _people_apart(dek, groups)
    order = [dek, *(c for k in SECTION_TITLES for c in apart[k])]
    for before, after in zip(order, order[1:]):
        assert not _introduced(after.text) & _mentioned(before.text), (before.text, after.text)
    assert vasquez2 in apart["figures"]  # moved after the penalty, not dropped
    assert (mbatha1 in apart["context"]) != (mbatha2 in apart["context"])  # no room to move: the weaker goes


def test_by_the_numbers_holds_only_sentences_with_numbers():
    """Issue 26 item 16: a fact without a number, or a sentence moved up to introduce a name, is not
    published under "By the numbers"."""
    from newsdesk.write.extractive import numbers_in

    velora = (
        "Velora Systems said on Tuesday it will cut 1,800 jobs after orders for its chips fell again. "
        "Oskar said the 1,800 cuts would fall hardest on 400 assembly workers in Tallin. "
        "Shares in Velora Systems fell 6% in early trading on the Tallin exchange. "
        "Pavel Oskar, who represents assembly staff, said the council would demand talks this week."
    )
    fact = _item(
        9,
        "Hugging Face Hub",
        "velora/chip-model \u2014 licence",
        "The model velora/chip-model is published under the Apache licence, according to the Hugging Face Hub.",
        origin="fact",
        meta={"subject": "velora/chip-model"},
    )
    article = _write(_item(1, "The Northwire", "Velora to cut jobs", velora), fact)
    seen = article.dek.text
    for section in article.sections:
        for sentence in (s for p in section.paragraphs for s in p):
            if section.heading == "By the numbers":
                assert numbers_in(sentence.text), sentence.text
            if "Oskar said" in sentence.text:
                assert "Pavel Oskar" in seen  # met by full name first
            seen += " " + sentence.text
    assert "Apache licence" in seen


def test_index_and_tag_pages_are_paginated(tmp_path):
    """Issue 27 item 7: at 1,000 articles the index and a tag page are pages of 50, linked
    rel=prev/next, each listed in the sitemap; no page grows with the archive."""
    from dataclasses import replace

    from newsdesk.records import VerificationRecord

    feed = tmp_path / "tribune.xml"
    feed.write_text(SHARED_ENTITY_FEED, encoding="utf-8")
    room = make_newsroom(tmp_path / "room", '\n[write]\nmin_tier = "brief"\n[sources]\nallow_files = true\n')
    room.store.add_source(str(feed))
    run(room)
    model = next(v for v in room.store.publishable() if "Velora Systems" in (v.published.tags if v.published else []))
    assert model.published is not None
    now = datetime.now(UTC)
    with room.store.begin() as conn:  # the same verified article, as 1,000 stories
        for n in range(1000):
            sid = room.store.create_story(now, now, f"Velora story {n}", conn=conn)
            article = replace(model.published, story_id=sid, headline=f"Velora Systems story number {n}")
            room.store.save_article(article, now, conn=conn)
            record = VerificationRecord(sid, article.version, "publish", model.summary, model.claims, article, now)
            room.store.save_verification(record, conn=conn)
    report = run(room, ("publish",))
    assert report.publish is not None and report.publish.articles == 1002
    site = room.site_dir
    index = site / "index.html"
    assert index.stat().st_size < 60_000, index.stat().st_size
    pages = [index, *(site / "page" / f"{n}.html" for n in range(2, 22))]
    assert all(p.exists() for p in pages) and not (site / "page" / "22.html").exists()
    listed = []
    for n, page in enumerate(pages, start=1):
        doc = lxml.html.parse(str(page)).getroot()
        items = doc.cssselect("li.story h2 a")
        assert len(items) == (50 if n < 21 else 2)
        for a in items:  # every link resolves from the page's own folder
            assert (page.parent / a.get("href")).resolve().exists(), (page, a.get("href"))
        listed += [a.get("href").rsplit("/", 1)[-1] for a in items]
        prev, nxt = doc.cssselect('head link[rel="prev"]'), doc.cssselect('head link[rel="next"]')
        assert bool(prev) == (n > 1) and bool(nxt) == (n < 21)
        if nxt:
            assert (page.parent / nxt[0].get("href")).resolve() == pages[n].resolve()
            assert doc.cssselect('nav.pager a[rel="next"]')
        if prev:
            assert (page.parent / prev[0].get("href")).resolve() == pages[n - 2].resolve()
    assert len(listed) == len(set(listed)) == 1002  # each article on exactly one page
    tag_first = site / "tags" / "velora-systems.html"
    tag_pages = [tag_first, *(site / "tags" / "velora-systems" / "page" / f"{n}.html" for n in range(2, 22))]
    assert all(p.exists() for p in tag_pages) and tag_first.read_text().count('<li class="story') == 50
    last = lxml.html.parse(str(tag_pages[-1])).getroot()
    assert (tag_pages[-1].parent / last.cssselect('link[rel="prev"]')[0].get("href")).resolve() == tag_pages[-2].resolve()
    assert (tag_pages[-1].parent / last.cssselect("p.back a")[0].get("href")).resolve() == index.resolve()
    sitemap = (site / "sitemap.xml").read_text()
    base = room.settings.publish.base_url
    assert f"<loc>{base}page/21.html</loc>" in sitemap and f"<loc>{base}tags/velora-systems/page/21.html</loc>" in sitemap
    room.close()


WATER = (
    "Lakemont council signed a water supply deal with the Kessing reservoir board on Monday. "
    "The deal guarantees the town 12 million litres a day for 25 years, council leader Oren Vasquez said. "
    "Vasquez said the agreement ends a decade of summer hosepipe bans in the town."
)


def test_a_headline_keeps_no_outlets_evaluative_words():
    """Issue 23: a title copied from a source loses its "historic", "staggering", … or gives way."""
    from newsdesk.config import VerifySettings
    from newsdesk.text.headlines import neutral
    from newsdesk.verify.checks import ClaimChecker

    a = _item(1, "Granite Post", "Lakemont signs historic water deal with Kessing reservoir board", WATER)
    other = (
        "Lakemont has secured 12 million litres of water a day for the next 25 years under a deal signed on Monday. "
        "The Kessing reservoir board will raise its charges by 3% a year, the board's chair Ilse Haverford said. "
        "Haverford said the board would build a second pipeline to the town by 2028."
    )
    b = _item(2, "Harbor Ledger", "Stunning: Lakemont secures water for 25 years", other)
    article = _write(a, b)
    published = _verified(article, a, b)
    for headline in (article.headline, published.headline):
        low = headline.lower()
        assert not any(w in low for w in ("historic", "stunning")), headline
        assert "Lakemont" in headline
    assert ClaimChecker.from_settings(VerifySettings()).check_label(article.headline, [a, b]).verdict == "PASS"
    assert neutral("Nvidia suffers an unprecedented, staggering loss") == "Nvidia suffers a loss"
    assert neutral("A massive earthquake strikes Peru") == "An earthquake strikes Peru"
    assert neutral("Turnout in the vote was historic") is None  # nothing left that reads: another option
    assert neutral("Council approves budget") == "Council approves budget"


def test_a_breadcrumb_is_never_published_as_a_sentence():
    """Issue 23: "Home Technology What caused …" is a page's trail, not a sentence."""
    from newsdesk.text.quality import defects

    assert "boilerplate" in defects("Home Technology What caused the outage is still unclear, engineers said.")
    assert "boilerplate" in defects("News World Europe Germany votes in a snap election on Sunday, officials said.")
    for sentence in (
        "World Health Organization officials said the outbreak was contained.",
        "Home Secretary Priti Patel said the law would change.",
        "Home prices rose 4% in March, the agency said.",
    ):
        assert defects(sentence) == [], sentence
    crumb = "Home Technology What caused the cloud outage is still unclear, engineers at Corvane said on Tuesday. "
    text = crumb + (
        "The outage at Corvane took down websites across Europe for four hours on Tuesday. "
        "Corvane said a faulty configuration change had been rolled back by the afternoon."
    )
    item = _item(1, "Patchwork Tech", "Corvane outage takes down websites across Europe", text)
    article = _write(item)
    sentences = [article.dek, *(s for sec in article.sections for p in sec.paragraphs for s in p)]
    assert sentences and all(not s.text.startswith("Home") for s in sentences)


def test_a_dangling_opening_quote_is_cut_from_a_quoted_span():
    """Issue 23: a splitter can leave the next quote's opening mark on a sentence
    ('… Ricks says. "'): as a sentence that is a fragment; the extractive writer cuts the mark."""
    from newsdesk.text.quality import defects, trim_suffix
    from newsdesk.write.extractive import Doc, candidates

    dangling = '"I happened to be on the shift," Ricks says. "'
    assert trim_suffix(dangling) == 2 and "fragment" in defects(dangling)
    closed = 'Ricks said the crew "did everything right."'
    assert trim_suffix(closed) == 0 and defects(closed) == []
    assert trim_suffix("The port reopened on Friday, officials said. \u201c") == 2
    # Mixed styles: a straight mark closes the curly quote, so the last one opens the next quote.
    mixed = '\u201cWe are disappointed," Ricks said. "'
    assert trim_suffix(mixed) == 2 and "fragment" in defects(mixed)
    assert trim_suffix('"The shift was over. "') == 0  # closes the quote it opened
    assert "boilerplate" in defects("You can switch location on or off before each Tweet, at any time.")
    assert "boilerplate" in defects("[Is there a ninth planet hidden far beyond the orbit of Neptune?]")

    text = (
        "The night crew at Harlow Station restored power within the hour, the utility said. "
        '"I happened to be on the shift," said Dana Ricks, a technician at the station. "\n\n'
        'Everyone knew what to do when the alarms went off, Ricks said."'
    )
    spans = [c.text for c in candidates([Doc(1, "Harlow Courier", text)])]
    assert any(s.endswith("a technician at the station.") for s in spans), spans
    assert all(not s.rstrip().endswith('. "') for s in spans), spans
