"""The demo outlets as RSS 2.0, RSS 1.0 (RDF) and Atom feeds and HTML article pages, for one
base URL and one time anchor (the start of the current hour: fresh, yet byte-identical within
the hour, so ETags and 304s work)."""

from __future__ import annotations

import hashlib
import html
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Any

from newsdesk.demo.apis import DemoApis
from newsdesk.demo.corpus import Corpus


class DemoSite(DemoApis):
    """Renders the corpus for one base URL and one time anchor."""

    def __init__(self, corpus: Corpus, base_url: str, anchor: datetime):
        self.corpus, self.base, self.anchor = corpus, base_url.rstrip("/"), anchor

    def article_url(self, article: dict[str, Any]) -> str:
        return f"{self.base}/{article['outlet']}/articles/{article['id']}.html"

    def feed_url(self, slug: str) -> str:
        return f"{self.base}/{slug}/feed.xml"

    def published(self, article: dict[str, Any]) -> datetime:
        return self.anchor - timedelta(hours=article["hours_ago"])

    def body(self, article: dict[str, Any]) -> str:
        if "copy_of" in article:
            original = self.corpus.by_id[article["copy_of"]]
            source = self.corpus.outlets[original["outlet"]]["name"]
            return (
                str(original["body"]).strip() + f"\n\nThis article first appeared in {source} and is republished with permission."
            )
        if "link_to" in article:
            return self.body(self.corpus.by_id[article["link_to"]])
        return str(article["body"]).strip()

    def paragraphs(self, article: dict[str, Any]) -> list[str]:
        return [p.strip() for p in self.body(article).split("\n\n") if p.strip()]

    def entry_link(self, article: dict[str, Any]) -> str:
        target = self.corpus.by_id[article["link_to"]] if "link_to" in article else article
        # Feeds add tracking parameters, as real ones do; canonicalisation must strip them.
        return self.article_url(target) + f"?utm_source=rss&utm_medium=feed&utm_campaign={article['outlet']}"

    def outlet_articles(self, slug: str) -> list[dict[str, Any]]:
        return self.corpus.by_outlet.get(slug, [])

    def feed(self, slug: str) -> tuple[bytes, str]:
        outlet = self.corpus.outlets[slug]
        kind = outlet["format"]
        if kind == "broken":
            # Cut off mid-element, as a server that dies mid-response would leave it.
            return (
                f'<?xml version="1.0"?><rss version="2.0"><channel><title>{outlet["name"]}</title><item><title>Unfinished'.encode(),
                "application/rss+xml",
            )
        render = {"rss2": self._rss2, "rss1": self._rss1, "atom": self._atom}[kind]
        return render(outlet, self.outlet_articles(slug)).encode("utf-8"), {
            "rss2": "application/rss+xml",
            "rss1": "application/rdf+xml",
            "atom": "application/atom+xml",
        }[kind]

    def _content_html(self, article: dict[str, Any]) -> str:
        return "".join(f"<p>{html.escape(p)}</p>" for p in self.paragraphs(article))

    def _rss2(self, outlet: dict[str, Any], articles: list[dict[str, Any]]) -> str:
        e = html.escape
        items = []
        for a in articles:
            content = f"<content:encoded><![CDATA[{self._content_html(a)}]]></content:encoded>" if outlet["full_content"] else ""
            comments = int(hashlib.sha1(a["id"].encode()).hexdigest(), 16) % 90 + 3
            items.append(
                f"<item><title>{e(a['title'])}</title><link>{e(self.entry_link(a))}</link>"
                f'<guid isPermaLink="false">{e(outlet["slug"])}:{e(a["id"])}</guid>'
                f"<pubDate>{format_datetime(self.published(a))}</pubDate><dc:creator>{e(a['author'])}</dc:creator>"
                f"<description>{e(a['summary'])}</description>{content}<slash:comments>{comments}</slash:comments></item>"
            )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:slash="http://purl.org/rss/1.0/modules/slash/">'
            f"<channel><title>{e(outlet['name'])}</title><link>{self.base}/{outlet['slug']}/</link>"
            f"<description>News from {e(outlet['name'])}</description>{''.join(items)}</channel></rss>\n"
        )

    def _rss1(self, outlet: dict[str, Any], articles: list[dict[str, Any]]) -> str:
        e = html.escape
        seq = "".join(f'<rdf:li rdf:resource="{e(self.entry_link(a))}"/>' for a in articles)
        items = "".join(
            f'<item rdf:about="{e(self.entry_link(a))}"><title>{e(a["title"])}</title><link>{e(self.entry_link(a))}</link>'
            f"<description>{e(a['summary'])}</description><dc:creator>{e(a['author'])}</dc:creator>"
            f"<dc:date>{self.published(a).isoformat()}</dc:date></item>"
            for a in articles
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<channel rdf:about="{self.feed_url(outlet["slug"])}"><title>{e(outlet["name"])}</title>'
            f"<link>{self.base}/{outlet['slug']}/</link><description>News from {e(outlet['name'])}</description>"
            f"<items><rdf:Seq>{seq}</rdf:Seq></items></channel>{items}</rdf:RDF>\n"
        )

    def _atom(self, outlet: dict[str, Any], articles: list[dict[str, Any]]) -> str:
        e = html.escape
        updated = max((self.published(a) for a in articles), default=self.anchor).isoformat()
        entries = []
        for a in articles:
            content = f'<content type="html">{e(self._content_html(a))}</content>' if outlet["full_content"] else ""
            entries.append(
                f'<entry><title>{e(a["title"])}</title><link rel="alternate" href="{e(self.entry_link(a))}"/>'
                f"<id>tag:{outlet['slug']}.example,2026:{a['id']}</id><published>{self.published(a).isoformat()}</published>"
                f"<updated>{self.published(a).isoformat()}</updated><author><name>{e(a['author'])}</name></author>"
                f"<summary>{e(a['summary'])}</summary>{content}</entry>"
            )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{e(outlet['name'])}</title><id>tag:{outlet['slug']}.example,2026:feed</id>"
            f'<link rel="self" href="{self.feed_url(outlet["slug"])}"/><updated>{updated}</updated>{"".join(entries)}</feed>\n'
        )

    def page(self, slug: str, article_id: str) -> bytes | None:
        article = self.corpus.by_id.get(article_id)
        if article is None or article["outlet"] != slug or "link_to" in article:
            return None
        outlet = self.corpus.outlets[slug]
        e = html.escape
        canonical = self.article_url(article)
        if article.get("canonical_to_original"):
            canonical = self.article_url(self.corpus.by_id[article["copy_of"]])
        paragraphs = "\n".join(f"<p>{e(p)}</p>" for p in self.paragraphs(article))
        others = [a for a in self.outlet_articles(slug) if a["id"] != article_id and "link_to" not in a][:3]
        related = "".join(f'<li><a href="{e(self.article_url(a))}">{e(a["title"])}</a></li>' for a in others)
        when = self.published(article).isoformat()
        return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{e(article["title"])} | {e(outlet["name"])}</title>
<link rel="canonical" href="{e(canonical)}">
<meta name="author" content="{e(article["author"])}">
<meta property="article:published_time" content="{when}">
<meta property="og:title" content="{e(article["title"])}">
</head><body>
<header><nav><a href="/">{e(outlet["name"])}</a> | <a href="/news">News</a> | <a href="/sport">Sport</a> | <a href="/subscribe">Subscribe</a></nav></header>
<div class="ad">Advertisement</div>
<main><article>
<h1>{e(article["title"])}</h1>
<p class="byline">By <span class="author">{e(article["author"])}</span> · <time datetime="{when}">{self.published(article):%d %B %Y}</time></p>
{paragraphs}
</article>
<aside><h2>More from {e(outlet["name"])}</h2><ul>{related}</ul></aside></main>
<footer><p>© 2026 {e(outlet["name"])}. All rights reserved.</p><p><a href="/privacy">Privacy</a> · <a href="/terms">Terms</a></p></footer>
</body></html>""".encode()
