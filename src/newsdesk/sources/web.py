"""Web-page sources: ``web:URL`` for a plain article page (one item) or a site section page
(its same-site article links become items, each fetched and extracted by ingest, under the
same robots.txt and politeness rules as feeds)."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from newsdesk.config import Settings
from newsdesk.extract import extract_page, html_to_text
from newsdesk.infra.http import Fetcher
from newsdesk.infra.urls import canonicalize
from newsdesk.records import FeedEntry, ParsedFeed

_LINK = re.compile(r"""<a\b[^>]*\bhref=["']([^"'#]+)["'][^>]*>(.*?)</a>""", re.I | re.S)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_ARTICLE_MARK = re.compile(r"""<meta[^>]+property=["']og:type["'][^>]+content=["']article["']|<article\b""", re.I)


class WebSourceError(Exception):
    pass


def page_url(source_url: str) -> str:
    url = source_url[len("web:") :] if source_url.startswith("web:") else source_url
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise WebSourceError(f"{source_url!r}: write web:https://site/page-or-section")
    return url


def _looks_like_article_link(url: str, base: str) -> bool:
    parts, home = urlsplit(url), urlsplit(base)
    if parts.scheme not in ("http", "https") or parts.netloc != home.netloc:
        return False
    path = [p for p in parts.path.split("/") if p]
    return canonicalize(url) != canonicalize(base) and (len(path) >= 2 or parts.path.endswith((".html", ".htm")))


async def fetch_web(source_url: str, settings: Settings, fetcher: Fetcher) -> ParsedFeed:
    url = page_url(source_url)
    page = await fetcher.get(url, accept="text/html,application/xhtml+xml", check_robots=True)
    html = page.content.decode("utf-8", "replace")
    title = html_to_text(m.group(1)) if (m := _TITLE.search(html)) else url
    extracted = extract_page(page.content, page.url)
    if _ARTICLE_MARK.search(html[:200_000]) and len(extracted.text.split()) >= settings.extract.min_feed_words // 2:
        entry = FeedEntry(
            guid=canonicalize(extracted.canonical_url or page.url),
            url=page.url,
            title=extracted.title or title,
            content=extracted.text,
            author=extracted.author,
            published_at=extracted.published_at,
        )
        return ParsedFeed(title=urlsplit(url).netloc, entries=[entry], format="web-article")
    entries, seen = [], set()
    for href, text in _LINK.findall(html):
        link = urljoin(page.url, href.strip())
        key = canonicalize(link)
        label = html_to_text(text)
        if key in seen or not label or not _looks_like_article_link(link, page.url):
            continue
        seen.add(key)
        entries.append(FeedEntry(guid=key, url=link, title=label))
        if len(entries) >= settings.community.limit:
            break
    return ParsedFeed(title=title, entries=entries, format="web-section")
