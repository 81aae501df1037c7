"""Web-page sources: ``web:URL`` for a plain article page (one item) or a site section page
(its same-site article links become items, each fetched and extracted by ingest, under the
same robots.txt and politeness rules as feeds)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit

from newsdesk.config import Settings
from newsdesk.extract import extract_page, parse_html
from newsdesk.infra.http import Fetcher
from newsdesk.infra.urls import canonicalize
from newsdesk.records import FeedEntry, ParsedFeed


class WebSourceError(Exception):
    pass


def page_url(source_url: str) -> str:
    url = source_url[len("web:") :] if source_url.startswith("web:") else source_url
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise WebSourceError(f"{source_url!r}: write web:https://site/page-or-section")
    return url


def _looks_like_article_link(url: str, base: str) -> bool:
    from courlan import is_navigation_page

    parts, home = urlsplit(url), urlsplit(base)
    if parts.scheme not in ("http", "https") or parts.netloc != home.netloc or is_navigation_page(url):
        return False  # another site, or a tag, category, archive or "page 2" link
    path = [p for p in parts.path.split("/") if p]
    return canonicalize(url) != canonicalize(base) and (len(path) >= 2 or parts.path.endswith((".html", ".htm")))


async def fetch_web(source_url: str, settings: Settings, fetcher: Fetcher) -> ParsedFeed:
    url = page_url(source_url)
    page = await fetcher.get(url, accept="text/html,application/xhtml+xml", check_robots=True)
    tree = parse_html(page.content.decode("utf-8", "replace"))
    title = " ".join((tree.findtext(".//title") or "").split()) if tree is not None else ""
    title = title or url
    extracted = extract_page(page.content, page.url)
    if _is_article(tree) and len(extracted.text.split()) >= settings.extract.min_feed_words // 2:
        entry = FeedEntry(
            guid=canonicalize(extracted.canonical_url or page.url),
            url=page.url,
            title=extracted.title or title,
            content=extracted.text,
            author=extracted.author,
            published_at=extracted.published_at,
        )
        return ParsedFeed(title=urlsplit(url).netloc, entries=[entry], format="web-article")
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    for anchor in tree.iter("a") if tree is not None else ():
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith("#"):
            continue
        try:
            link = urljoin(page.url, href.split("#", 1)[0])
        except ValueError:  # a broken address ("http://[::1") is no link
            continue
        key = canonicalize(link)
        label = " ".join(anchor.text_content().split())
        if key in seen or not label or not _looks_like_article_link(link, page.url):
            continue
        seen.add(key)
        entries.append(FeedEntry(guid=key, url=link, title=label))
        if len(entries) >= settings.community.limit:
            break
    return ParsedFeed(title=title, entries=entries, format="web-section")


def _is_article(tree: Any) -> bool:
    """An article page, by its own markup: og:type "article", or an ``<article>`` element."""
    if tree is None:
        return False
    if any((m.get("content") or "").strip().lower() == "article" for m in tree.iter("meta") if m.get("property") == "og:type"):
        return True
    return next(tree.iter("article"), None) is not None
