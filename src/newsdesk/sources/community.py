"""Community sources: Reddit listings and Hacker News lists, as FeedEntry records.

Source URLs: ``reddit:r/NAME`` (hot), ``reddit:r/NAME/top?t=day`` (hot, new or top, with
the time filter), ``hn:top`` / ``hn:new`` / ``hn:best``. Base URLs are configurable so the
same code talks to the real services or to a loopback server in tests. Linked articles are
fetched and extracted by ingest like any other item; score and comments become engagement.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Set
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from newsdesk.config import Settings
from newsdesk.extract import html_to_text
from newsdesk.infra.http import Fetcher, FetchError
from newsdesk.records import FeedEntry, ParsedFeed, date_from_timestamp

KINDS = ("reddit", "hn")
HN_LISTS = {"top": "topstories", "new": "newstories", "best": "beststories"}
REDDIT_LISTINGS = ("hot", "new", "top")


class CommunityError(Exception):
    """A community source that cannot be read; the message names it and says why."""


def kind_of(url: str) -> str:
    scheme = url.split(":", 1)[0]
    return scheme if scheme in KINDS and not url.startswith(("http:", "https:")) else "feed"


def parse_source(url: str) -> tuple[str, dict[str, Any]]:
    """Validate a community source URL; raise CommunityError with what to write instead."""
    kind, _, rest = url.partition(":")
    if kind == "hn":
        if rest not in HN_LISTS:
            raise CommunityError(f"{url!r}: Hacker News lists are hn:top, hn:new and hn:best")
        return kind, {"list": rest}
    if kind == "reddit":
        parts = urlsplit(rest)
        path = [p for p in parts.path.split("/") if p]
        if len(path) < 2 or path[0] != "r" or (len(path) > 2 and path[2] not in REDDIT_LISTINGS) or len(path) > 3:
            raise CommunityError(f"{url!r}: write reddit:r/NAME or reddit:r/NAME/hot|new|top (top?t=day|week|month)")
        when = parse_qs(parts.query).get("t", ["day"])[0]
        return kind, {"subreddit": path[1], "listing": path[2] if len(path) > 2 else "hot", "t": when}
    raise CommunityError(f"{url!r} is not a community source (reddit:… or hn:…)")


def default_name(url: str) -> str:
    kind, spec = parse_source(url)
    return "Hacker News" if kind == "hn" else f"Reddit r/{spec['subreddit']}"


def _json(content: bytes, what: str) -> Any:
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CommunityError(f"{what} returned malformed JSON ({exc})") from None


async def fetch_reddit(spec: dict[str, Any], settings: Settings, fetcher: Fetcher, known: Set[str] = frozenset()) -> ParsedFeed:
    base = settings.community.reddit_base_url.rstrip("/")
    entries: list[FeedEntry] = []
    after = None
    for _ in range(settings.community.max_pages):
        query = {"limit": settings.community.limit, "raw_json": 1}
        if spec["listing"] == "top":
            query["t"] = spec["t"]
        if after:
            query["after"] = after
        url = f"{base}/r/{spec['subreddit']}/{spec['listing']}.json?{urlencode(query)}"
        # The fetcher honours Reddit's x-ratelimit-* headers before the next request.
        result = await fetcher.get(url, accept="application/json", cached=True)
        listing = _json(result.content, url)
        if not isinstance(listing, dict) or "data" not in listing:
            raise CommunityError(f"{url} is not a Reddit listing")
        for child in listing["data"].get("children", []):
            post = child.get("data", {})
            if post.get("removed_by_category") or post.get("author") in (None, "[deleted]") or not post.get("title"):
                continue  # deleted or removed posts carry nothing to report
            permalink = base + post.get("permalink", "")
            linked = post.get("url_overridden_by_dest") or post.get("url") or permalink
            if post.get("is_self"):
                linked = permalink
            selftext = post.get("selftext", "") or ""
            meta = {"permalink": permalink, "subreddit": post.get("subreddit") or spec["subreddit"]}
            if post.get("link_flair_text"):
                meta["flair"] = str(post["link_flair_text"])
            entries.append(
                FeedEntry(
                    guid=f"reddit:{post.get('id')}",
                    url=linked,
                    title=post["title"],
                    # A self post's text is its content: there is no article page to fetch.
                    summary=selftext,
                    content=selftext if post.get("is_self") else "",
                    author=post.get("author"),
                    fetch_page=not post.get("is_self"),
                    published_at=date_from_timestamp(post.get("created_utc")),
                    engagement={"score": float(post.get("score", 0)), "comments": float(post.get("num_comments", 0))},
                    meta=meta,
                )
            )
        after = listing["data"].get("after")
        if not after or len(entries) >= settings.community.limit:
            break
    entries = entries[: settings.community.limit]
    if settings.community.reddit_comments:
        # Top comments of the best new posts: one request per post, so only a few posts.
        new_posts = sorted((e for e in entries if e.guid not in known), key=lambda e: -e.engagement.get("score", 0))
        replies = await asyncio.gather(
            *(_top_comments(base, post, settings, fetcher) for post in new_posts[: settings.community.reddit_comment_posts])
        )
        entries += [reply for found in replies for reply in found]
    return ParsedFeed(title=f"Reddit r/{spec['subreddit']}", entries=entries, format="reddit")


async def _top_comments(base: str, post: FeedEntry, settings: Settings, fetcher: Fetcher) -> list[FeedEntry]:
    """A post's top-level comments, best first (``/comments/ID.json?sort=top``). A post whose
    comments cannot be read keeps its place; its comments are simply not stored."""
    post_id = post.guid.split(":", 1)[1]
    query = urlencode({"sort": "top", "limit": settings.community.reddit_comments, "depth": 1, "raw_json": 1})
    url = f"{base}/comments/{post_id}.json?{query}"
    try:
        result = await fetcher.get(url, accept="application/json", cached=True)
        thread = _json(result.content, url)
    except (FetchError, CommunityError):
        return []
    if not isinstance(thread, list) or len(thread) < 2 or not isinstance(thread[1], dict):
        return []
    found = []
    for child in thread[1].get("data", {}).get("children", []):
        if child.get("kind") != "t1":
            continue  # "more" stubs
        c = child.get("data", {})
        body = c.get("body") or ""
        if c.get("author") in (None, "[deleted]") or body in ("", "[deleted]", "[removed]") or c.get("stickied"):
            continue
        found.append(
            FeedEntry(
                guid=f"reddit:comment:{c.get('id')}",
                url=base + c.get("permalink", ""),
                title=f"Comment by u/{c['author']} on “{post.title}”",
                content=body,
                author=c["author"],
                fetch_page=False,
                parent_guid=post.guid,
                published_at=date_from_timestamp(c.get("created_utc")),
                engagement={"score": float(c.get("score", 0))},
            )
        )
        if len(found) >= settings.community.reddit_comments:
            break
    return found


async def fetch_hn(spec: dict[str, Any], settings: Settings, fetcher: Fetcher, known: Set[str] = frozenset()) -> ParsedFeed:
    base = settings.community.hn_base_url.rstrip("/")
    url = f"{base}/{HN_LISTS[spec['list']]}.json"
    ids = _json((await fetcher.get(url, accept="application/json", cached=True)).content, url)
    if not isinstance(ids, list):
        raise CommunityError(f"{url} is not a list of story ids")

    async def item(story_id: int) -> FeedEntry | None:
        item_url = f"{base}/item/{int(story_id)}.json"
        try:
            data = _json((await fetcher.get(item_url, accept="application/json", cached=True)).content, item_url)
        except (FetchError, CommunityError):
            return None
        if not isinstance(data, dict) or data.get("deleted") or data.get("dead") or data.get("type") != "story":
            return None
        discussion = f"https://news.ycombinator.com/item?id={data['id']}"
        text = html_to_text(data.get("text", "") or "")
        return FeedEntry(
            guid=f"hn:{data['id']}",
            url=data.get("url") or discussion,
            title=data.get("title", ""),
            # A text post (Ask HN, Show HN without a link) is its own content.
            summary=text,
            content=text if not data.get("url") else "",
            author=data.get("by"),
            fetch_page=bool(data.get("url")),
            published_at=date_from_timestamp(data.get("time")),
            engagement={"points": float(data.get("score", 0)), "comments": float(data.get("descendants", 0))},
            meta={"discussion": discussion},
        )

    found = await asyncio.gather(*(item(i) for i in ids[: settings.community.limit]))
    return ParsedFeed(title="Hacker News", entries=[e for e in found if e is not None and e.title], format="hn")


async def fetch_community(url: str, settings: Settings, fetcher: Fetcher, known: Set[str] = frozenset()) -> ParsedFeed:
    """Entries of a community source; ``known`` are guids already stored (their comments are not re-read)."""
    kind, spec = parse_source(url)
    return await (fetch_reddit if kind == "reddit" else fetch_hn)(spec, settings, fetcher, known)
