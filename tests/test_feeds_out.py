"""What readers and their tools get from the published site (issue 25 item 3): the whole article
in RSS and Atom, a feed for every tag page, complete NewsArticle JSON-LD pointing to the
methodology page, og:image, robots.txt, a sitemap without empty dates, the source's image only
by consent, and in Chromium over loopback HTTP: the skip link, dark mode, and axe-core's check."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import lxml.html
import pytest
from sqlalchemy import select, update

from conftest import published_demo
from newsdesk.pipeline import open_newsroom, run
from newsdesk.records import ArticleSentence
from newsdesk.store.schema import items as items_table
from test_service import _chromium, serving

HOSTILE = "Quokka & Sons said <script>alert(1)</script> profits rose."
TAG = "Quokka Trust"
PICTURE = "https://images.example/quokka.jpg"
AXE = Path(__file__).resolve().parent / "a11y" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    """The demo newsroom with two published articles given a shared tag (so it gets a page and
    feeds), one of them a sentence with markup in it, and a cited page's image in the store."""
    path = published_demo(tmp_path_factory.mktemp("feeds-out") / "room")
    newsroom = open_newsroom(path)
    store = newsroom.store
    records = [r for r in store.publishable() if r.published is not None]
    assert len(records) >= 3
    for record in records[:2]:
        assert record.published is not None
        record.published.tags = [*record.published.tags, TAG]
    first = records[0].published
    assert first is not None
    cited = first.sections[0].paragraphs[0][0].citations
    first.sections[0].paragraphs[0].append(ArticleSentence(text=HOSTILE, citations=cited))
    for record in records[:2]:
        store.forget_verification(record.story_id)
        store.save_verification(record)
    # A page image as extraction keeps it, on the item the third article cites first.
    third = records[2].published
    assert third is not None
    item_id = third.references[0].item_id
    with store.engine.begin() as conn:
        meta = conn.execute(select(items_table.c.meta).where(items_table.c.id == item_id)).scalar() or {}
        conn.execute(update(items_table).where(items_table.c.id == item_id).values(meta={**meta, "image": PICTURE}))
    run(newsroom, ("publish",))
    newsroom.close()
    return path, [r.story_id for r in records[:3]]


def _html_of(fragment: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(f"<div>{fragment}</div>")


def test_rss_and_atom_carry_the_whole_article_escaped(room):
    path, (planted, _, _) = room
    newsroom = open_newsroom(path)
    published = {r.story_id: r.published for r in newsroom.store.publishable() if r.published}
    site = newsroom.site_dir
    rss = feedparser.parse((site / "feed.xml").read_bytes())
    atom = feedparser.parse((site / "atom.xml").read_bytes())
    assert not rss.bozo and not atom.bozo and len(rss.entries) == len(published)
    for feed in (rss, atom):
        for entry in feed.entries:
            story = int(re.search(r"story-(\d+)\.html", entry.link)[1])
            article = published[story]
            (content,) = [c for c in entry.content if c.type == "text/html"]
            doc = _html_of(content.value)
            text = doc.text_content()
            # Every sentence, with its citation marks linked to the page's references, and the references.
            for sentence in article.sentences():
                assert sentence.text in text, (story, sentence.text)
            marks = doc.xpath("//sup/a/@href")
            assert len(marks) >= len(article.sentences()) and all(m.startswith(entry.link + "#ref-") for m in marks)
            assert len(doc.xpath("//ol/li")) == len(article.references)
            for r in article.references:
                assert r.outlet in text and r.title in text
            # The summary is the dek alone, as plain text.
            assert entry.summary.startswith(article.dek.text) and len(entry.summary) < len(text)
            # Source text is text: the planted markup is shown, never run.
            assert not doc.xpath("//script")
            if story == planted:
                assert HOSTILE in text
    # In the XML itself: RSS's content:encoded and Atom's content type="html".
    assert (site / "feed.xml").read_text().count("<content:encoded>") == len(published)
    assert (site / "atom.xml").read_text().count('<content type="html">') == len(published)
    newsroom.close()


def test_each_tag_page_has_its_own_rss_and_atom_feed_over_http(room):
    path, (first, second, _) = room
    with serving(path) as (client, _, _room):
        page = client.get("/tags/quokka-trust.html")
        assert page.status_code == 200
        doc = lxml.html.fromstring(page.text)
        links = {
            link.get("type"): link.get("href")
            for link in doc.xpath("//head/link[@rel='alternate']")
            if "Quokka Trust" in (link.get("title") or "")
        }
        assert set(links) == {"application/rss+xml", "application/atom+xml"}
        for kind, href in links.items():
            address = urljoin(str(page.url), href)
            answer = client.get(urlsplit(address).path)
            assert answer.status_code == 200, address
            feed = feedparser.parse(answer.content)
            assert not feed.bozo and feed.version == ("rss20" if "rss" in kind else "atom10")
            ids = sorted(int(re.search(r"story-(\d+)", e.link)[1]) for e in feed.entries)
            assert ids == sorted([first, second]), (kind, ids)
            assert "Quokka Trust" in feed.feed.title
            assert feed.feed.link.endswith("/tags/quokka-trust.html")  # the page it follows
        # A page without a tag names only the site's feeds.
        index = lxml.html.fromstring(client.get("/index.html").text)
        assert not [h for h in index.xpath("//head/link[@rel='alternate']/@href") if "tags/" in h]


def _json_ld(page: Path) -> dict:
    (ld,) = lxml.html.fromstring(page.read_text()).xpath("//script[@type='application/ld+json']/text()")
    return json.loads(ld)


def test_json_ld_is_a_complete_news_article_with_its_image_and_principles(room):
    path, (_, _, pictured) = room
    newsroom = open_newsroom(path)
    site, base = newsroom.site_dir, newsroom.settings.publish.base_url
    charted = 0
    for page in (site / "articles").glob("story-*.html"):
        if page.name.endswith("-chart.png"):
            continue
        data = _json_ld(page)
        doc = lxml.html.fromstring(page.read_text())
        og = {m.get("property"): m.get("content") for m in doc.xpath("//meta[@property]")}
        assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": data["url"]} == {"@type": "WebPage", "@id": og["og:url"]}
        assert data["isAccessibleForFree"] is True
        publisher = data["publisher"]
        assert publisher["name"] == newsroom.settings.publish.site_title
        assert publisher["@type"] in ("Organization", "NewsMediaOrganization")
        logo = publisher["logo"]["url"]
        assert logo == urljoin(base, "favicon.svg") and (site / "favicon.svg").exists()
        principles = data["publishingPrinciples"]
        assert principles == urljoin(base, "methodology.html") and publisher["correctionsPolicy"].startswith(principles)
        assert og["og:type"] == "article" and og["og:title"] == data["headline"] and og["og:description"]
        png = page.with_name(page.stem + "-chart.png")
        if png.exists():
            charted += 1
            # The chart is the article's image: its own PNG file, the size it says.
            raw = png.read_bytes()
            width, height = int.from_bytes(raw[16:20], "big"), int.from_bytes(raw[20:24], "big")
            assert data["image"]["url"] == og["og:image"] == urljoin(data["url"], png.name)
            assert (data["image"]["width"], data["image"]["height"]) == (width, height)
        else:
            # No chart, and source images off by default: no image at all, never the source's.
            assert "image" not in data and "og:image" not in og
        assert PICTURE not in page.read_text()
    assert charted >= 1
    methodology = (site / "methodology.html").read_text()
    for anchor in ("corrections", "verification", "feedback", "citations"):
        assert f'id="{anchor}"' in methodology
    assert "Diverse voices" in methodology and "Not claimed" in methodology
    assert 'href="methodology.html"' in (site / "index.html").read_text()  # the footer links it
    assert 'href="../methodology.html"' in next((site / "articles").glob("story-*.html")).read_text()
    newsroom.close()

    # With the operator's consent, an article without a chart shows its cited page's own image.
    (path / "newsdesk.toml").write_text((path / "newsdesk.toml").read_text() + "\n[publish]\nshow_source_images = true\n")
    newsroom = open_newsroom(path)
    run(newsroom, ("publish",))
    page = newsroom.site_dir / "articles" / f"story-{pictured}.html"
    data = _json_ld(page)
    og = {m.get("property"): m.get("content") for m in lxml.html.fromstring(page.read_text()).xpath("//meta[@property]")}
    if not page.with_name(page.stem + "-chart.png").exists():
        assert data["image"]["url"] == og["og:image"] == PICTURE
    newsroom.close()


def test_robots_and_a_sitemap_without_empty_dates(room, tmp_path):
    path, _ = room
    newsroom = open_newsroom(path)
    site, base = newsroom.site_dir, newsroom.settings.publish.base_url
    robots = (site / "robots.txt").read_text().splitlines()
    assert "User-agent: *" in robots and "Allow: /" in robots and f"Sitemap: {urljoin(base, 'sitemap.xml')}" in robots
    sitemap = (site / "sitemap.xml").read_text()
    assert urljoin(base, "methodology.html") in sitemap
    newsroom.close()
    # An article without a date gets no <lastmod> element at all (an empty one is invalid).
    from datetime import UTC, datetime

    from newsdesk.publish import _Output, _View, _write_sitemap
    from newsdesk.records import Article

    def article(story: int, updated: datetime | None) -> Article:
        return Article(story, "H", ArticleSentence("D.", []), [], [], [], "brief", "b", "extractive", updated=updated)

    out = _Output(tmp_path / "build", None)
    views = [_View(article(1, None), base, []), _View(article(2, datetime(2026, 3, 4, tzinfo=UTC)), base, [])]
    _write_sitemap(out, views, ["index.html"], base)
    written = (tmp_path / "build" / "sitemap.xml").read_text()
    assert "<lastmod></lastmod>" not in written and written.count("<lastmod>2026-03-04</lastmod>") == 1
    from xml.etree import ElementTree

    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    for url in ElementTree.fromstring(written):
        lastmod = url.find(f"{ns}lastmod")
        assert lastmod is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", lastmod.text or "")


def _luminance(css_colour: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+", css_colour)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_skip_link_dark_mode_and_axe_in_chromium(room):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium)")
    path, (first, _, _) = room
    with serving(path) as (client, _, _room), sync_api.sync_playwright() as p:
        origin = str(client.base_url).rstrip("/")
        pages = {
            "index": "/index.html",
            "article": f"/articles/story-{first}.html",
            "tag": "/tags/quokka-trust.html",
            "search": "/search?q=quokka",
            "methodology": "/methodology.html",
        }
        browser = _chromium(p)
        try:
            for scheme in ("light", "dark"):
                context = browser.new_context(color_scheme=scheme)
                page = context.new_page()
                page.goto(origin + pages["article"])
                # Dark mode follows the reader's setting.
                background = page.evaluate("getComputedStyle(document.body).backgroundColor")
                assert (_luminance(background) < 0.2) == (scheme == "dark"), (scheme, background)
                # The first Tab reaches "Skip to content", which lands on <main id="content">.
                opacity = "getComputedStyle(document.querySelector('.skip-link')).opacity"
                assert page.evaluate(opacity) == "0"  # unseen until a keyboard reaches it
                page.keyboard.press("Tab")
                assert page.evaluate("document.activeElement.textContent") == "Skip to content"
                assert page.evaluate(opacity) == "1"
                assert page.evaluate("document.activeElement.getBoundingClientRect().top") >= 0  # shown when focused
                page.keyboard.press("Enter")
                assert page.evaluate("location.hash") == "#content"
                assert page.evaluate("document.querySelector('main').id") == "content"
                if not AXE.exists():
                    context.close()
                    continue
                for name, address in pages.items():
                    page.goto(origin + address)
                    page.add_script_tag(path=str(AXE))
                    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
                    serious = [
                        f"{v['id']} ({v['impact']}): {v['nodes'][0]['html'][:120]}"
                        for v in result["violations"]
                        if v["impact"] in ("serious", "critical")
                    ]
                    assert serious == [], (scheme, name, serious)
                context.close()
        finally:
            browser.close()
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed ({AXE} missing): run `npm ci --prefix tests/a11y` to check accessibility")


def test_extraction_keeps_the_pages_image_address_bounded():
    from newsdesk.extract import MAX_IMAGE_URL, extract_page

    body = "<p>" + "Velora Systems opened a plant in Tallin and hired four hundred people there. " * 12 + "</p>"

    def page(image: str) -> str:
        return f'<html><head><title>T</title><meta property="og:image" content="{image}"></head><body><article>{body}</article></body></html>'

    assert extract_page(page("/img/plant.jpg"), "https://news.example/a/b.html").image == "https://news.example/img/plant.jpg"
    for refused in ("javascript:alert(1)", "data:image/png;base64,AAAA", "https://x.example/" + "a" * MAX_IMAGE_URL):
        assert extract_page(page(refused), "https://news.example/a/b.html").image is None, refused[:40]
