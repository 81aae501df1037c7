"""Following topics without an account: a keyword's feed (``/follow/keyword/{slug}.xml``, RSS 2.0
of the newest articles with every word of it, from the search index) and a subscriber's page of
what they follow (``/newsletter/follows?token=…``, the token of their unsubscribe link), where a
follow is added or removed at once: the token proves the address, as unsubscribing does.

Following something new from the site's forms goes through the sign-up (``/newsletter/subscribe``
with ``tag`` or ``keyword``): a confirmation link first, as for a new subscriber.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any
from urllib.parse import urljoin

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from newsdesk.newsletter import feed_links, keyword_slug
from newsdesk.pipeline import Newsroom
from newsdesk.service.search import PerBuild
from newsdesk.site import base as site_base
from newsdesk.store.newsletter import FOLLOW_KINDS, MAX_FOLLOWS, MAX_TOPIC_CHARS, topic_key

FEED_ENTRIES = 50


def keyword_of_slug(slug: str) -> str:
    """The keyword a feed address names ("velora-motors" -> "velora motors")."""
    return topic_key("keyword", slug.replace("-", " "))


def topics_of(form: dict[str, str]) -> tuple[list[tuple[str, str]], str]:
    """The (kind, label) follows a form asks for (fields ``tag``, ``keyword``), and a problem to
    tell the reader, or ""."""
    chosen = []
    for kind in FOLLOW_KINDS:
        label = " ".join(form.get(kind, "").split())
        if not label:
            continue
        if len(label) > MAX_TOPIC_CHARS:
            return [], f"A {kind} to follow is {MAX_TOPIC_CHARS} characters at most."
        if not topic_key(kind, label):
            return [], f"The {kind} {label!r} has no letters or digits to follow: write a word or two."
        chosen.append((kind, label))
    return chosen, ""


def keyword_feed(newsroom: Newsroom, keyword: str) -> bytes:
    """RSS 2.0: the newest published articles with every word of ``keyword``."""
    from feedgen.feed import FeedGenerator

    settings = newsroom.settings
    base = site_base(settings.publish.base_url)
    slug = keyword_slug(keyword)
    hits = newsroom.store.newest_matching(keyword, FEED_ENTRIES)
    feed = FeedGenerator()
    title = settings.publish.site_title
    # RSS readers render titles as HTML: no character of a title may open a tag.
    feed.title(f"{title}: {keyword}".replace("<", "\u2039").replace(">", "\u203a"))
    feed.link(href=urljoin(base, f"search?q={keyword.replace(' ', '+')}"), rel="alternate")
    feed.link(href=urljoin(base, f"follow/keyword/{slug}.xml"), rel="self")
    feed.description(f"Verified articles on {title} with the words: {keyword}")
    feed.language("en")
    dated = [h.published_at for h in hits if h.published_at]
    if dated:
        feed.lastBuildDate(max(dated))
    for hit in reversed(hits):  # feedgen lists the last added first
        entry = feed.add_entry()
        url = urljoin(base, hit.path)
        entry.id(url)
        entry.guid(url, permalink=True)
        entry.link(href=url)
        entry.title(hit.headline.replace("<", "\u2039").replace(">", "\u203a"))
        entry.description(html.escape(hit.dek, quote=False))
        if hit.published_at:
            entry.pubDate(hit.published_at)
    return bytes(feed.rss_str(pretty=True))


def routes(
    newsroom: Newsroom,
    page: Callable[..., HTMLResponse],
    wrap: Callable[[Any], Any],
    writer: Executor,
    form_of: Callable[[Request], Any],
) -> list[Route]:
    """``page(template, status, **context)`` renders a reader template; ``writer``: the app's
    store-writing thread; ``form_of``: the app's bounded, checked form reader."""
    store = newsroom.store
    feeds = PerBuild(newsroom.site_dir)

    async def feed(request: Request) -> Response:
        keyword = keyword_of_slug(request.path_params["slug"])
        if not keyword:
            return Response("No keyword in this address: /follow/keyword/some-words.xml", 404, media_type="text/plain")
        body = feeds.get(keyword)
        if body is None:
            build = feeds.build()
            body = await asyncio.get_running_loop().run_in_executor(None, keyword_feed, newsroom, keyword)
            feeds.put(keyword, body, build)
        return Response(body, media_type="application/rss+xml; charset=utf-8")

    async def follows(request: Request) -> Response:
        token = request.query_params.get("token", "")
        loop = asyncio.get_running_loop()
        subscriber = await loop.run_in_executor(writer, store.subscriber_by_token, token) if token else None
        if subscriber is None or subscriber["status"] not in ("confirmed", "pending"):
            return page("subscribe.html", status=404, problem="This link is not valid: subscribe again from the site.")
        problem, status = "", 200
        if request.method == "POST":
            form = await form_of(request) or {}
            remove = form.get("remove", "")
            if remove:
                kind, _, key = remove.partition(":")
                await loop.run_in_executor(writer, store.remove_follow, subscriber["id"], kind, key)
            else:
                chosen, problem = topics_of(form)
                have = await loop.run_in_executor(writer, store.follows_of, subscriber["id"])
                if not problem and len(have) + len(chosen) > MAX_FOLLOWS:
                    problem = f"You follow {len(have)} topics: {MAX_FOLLOWS} at most. Remove one first."
                if problem:
                    status = 400
                elif chosen:
                    await loop.run_in_executor(writer, store.add_follows, subscriber["id"], chosen)
            if not problem:  # after a change, a page to reload safely
                return RedirectResponse(str(request.url), 303)
        current = await loop.run_in_executor(writer, store.follows_of, subscriber["id"])
        links = feed_links(newsroom.settings, {f"{f['kind']}:{f['key']}": f["label"] for f in current})
        for f, link in zip(current, links, strict=True):
            f["feed"] = link["feed"]
        return page("follows.html", status=status, token=token, follows=current, problem=problem, max_chars=MAX_TOPIC_CHARS)

    return [
        Route("/follow/keyword/{slug}.xml", wrap(feed), methods=["GET"]),
        Route("/newsletter/follows", wrap(follows), methods=["GET", "POST"]),
    ]
