"""Parse RSS 2.0, RSS 1.0 (RDF) and Atom 1.0 into FeedEntry records, with readable errors."""

from __future__ import annotations

import calendar
import hashlib
import re
from typing import Any

from newsdesk.extract import clean_text, html_to_text
from newsdesk.records import MAX_TITLE, FeedEntry, ParsedFeed, date_from_timestamp


class FeedError(Exception):
    """The document is not a usable feed; the message says why and what to do."""


_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*(<!doctype\s+html|<html)", re.I | re.S)
_FEED_LINK = re.compile(r"""<link[^>]+type=["']application/(?:rss|atom)\+xml["'][^>]*>""", re.I)
_HREF = re.compile(r"""href=["']([^"']+)["']""", re.I)


def looks_like_html(content: bytes, content_type: str = "") -> bool:
    return content_type in ("text/html", "application/xhtml+xml") or bool(_HTML_START.match(content[:2048]))


def parse_feed(content: bytes, url: str, content_type: str = "") -> ParsedFeed:
    import feedparser

    if not content.strip():
        raise FeedError(f"{url} returned an empty document, not a feed")
    if looks_like_html(content, content_type):
        head = content[:200_000].decode("utf-8", "replace")
        links = [m.group(1) for tag in _FEED_LINK.findall(head) for m in [_HREF.search(tag)] if m]
        hint = f"; the page links to a feed at {links[0]} — add that URL instead" if links else ""
        raise FeedError(f"{url} is an HTML page, not an RSS/Atom feed{hint}")
    # Bytes without the HTTP headers: the document's own encoding declaration (or a sniff)
    # is more often right than a server's default charset.
    try:
        parsed = feedparser.parse(
            content, sanitize_html=False, resolve_relative_uris=True, response_headers={"content-location": url}
        )
        entries = [e for e in (_entry(raw, url) for raw in parsed.entries) if e is not None]
    except (UnicodeError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        # feedparser and its XML parsers raise these on some malformed bytes (a lone surrogate
        # character reference, say): the document is broken, not the run.
        raise FeedError(f"{url} could not be parsed as a feed ({type(exc).__name__}: {str(exc)[:120]})") from None
    if parsed.bozo and not entries:
        # A feed with usable entries is kept despite small faults; one with none is broken.
        reason = getattr(parsed, "bozo_exception", None)
        raise FeedError(f"{url} is not a well-formed feed ({reason}); no entry could be read from it")
    if not parsed.version and not entries:
        raise FeedError(f"{url} is XML but not an RSS or Atom feed")
    title = html_to_text(parsed.feed.get("title", "")) or url
    return ParsedFeed(
        title=title, entries=entries, format=parsed.version or "unknown", refresh_seconds=refresh_seconds(parsed.feed)
    )


_PERIODS = {"hourly": 3600.0, "daily": 86400.0, "weekly": 604800.0, "monthly": 2592000.0, "yearly": 31536000.0}


def refresh_seconds(feed: Any) -> float | None:
    """How often the feed asks to be read: RSS ``<ttl>`` (minutes), or the syndication module's
    ``sy:updatePeriod`` / ``sy:updateFrequency`` (times per period). None when it does not say."""
    ttl = str(feed.get("ttl", "")).strip()
    if ttl.isdigit() and int(ttl) > 0:
        return int(ttl) * 60.0
    period = _PERIODS.get(str(feed.get("sy_updateperiod", "")).strip().lower())
    if period is None:
        return None
    frequency = str(feed.get("sy_updatefrequency", "1")).strip()
    return period / max(1, int(frequency)) if frequency.isdigit() else period


def _entry(e: Any, feed_url: str) -> FeedEntry | None:
    link = e.get("link") or ""
    title = html_to_text(e.get("title", ""))[:MAX_TITLE]
    if not link and not title:
        return None
    link = clean_text(link)
    guid = clean_text(e.get("id") or "") or link or "sha1:" + hashlib.sha1(title.encode()).hexdigest()
    summary = html_to_text(e.get("summary", ""))
    content = ""
    for part in e.get("content", []) or []:
        text = html_to_text(part.get("value", ""))
        if len(text) > len(content):
            content = text
    when = e.get("published_parsed") or e.get("updated_parsed") or e.get("created_parsed")
    try:
        published = date_from_timestamp(calendar.timegm(when)) if when else None
    except (ValueError, OverflowError, TypeError):  # a struct_time feedparser could not make sense of
        published = None
    engagement: dict[str, float] = {}
    comments = e.get("slash_comments")
    if comments and str(comments).isdigit():
        engagement["comments"] = float(comments)
    return FeedEntry(
        guid=guid.strip(),
        url=link.strip() or feed_url,
        title=title,
        summary=summary,
        content=content,
        author=clean_text(e.get("author") or "") or None,
        published_at=published,
        engagement=engagement,
    )
