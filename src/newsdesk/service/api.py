"""``/api/v1``: a read-only JSON API over what the site publishes, in the shapes of the exports
(``newsdesk.exports``, ``docs/schemas/*.json``):

- ``GET /api/v1/stories``: the stories that have a published article (``stories.schema.json``);
  each item's source text only with ``[integrations] api_item_text = true``;
- ``GET /api/v1/articles``: every published article with its claims and their evidence
  (``articles.schema.json``); ``/api/v1/articles/{story_id}``: one of them;
- ``GET /api/v1/corrections``: every published correction (``corrections.schema.json``).

Like the site, the API shows only what is published: an article an editor holds is not in it,
nor a claim verification removed. Every answer has a strong ETag (a hash of its body) and
answers ``If-None-Match`` with 304. Answers are computed in a thread, off the event loop, and
kept for CACHE_SECONDS, so a burst of clients costs one set of queries.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from newsdesk.exports import articles_export, story_json
from newsdesk.pipeline import Newsroom
from newsdesk.site import article_url
from newsdesk.site import base as site_base
from newsdesk.store import Store

PREFIX = "/api/v1"
PATHS = ("/api/",)
CACHE_SECONDS = 5.0
MAX_CACHED = 1000  # answers kept at most (one per article, plus the lists)
HEADERS = {
    "Cache-Control": "no-cache",  # caches may keep an answer but must revalidate (cheap: 304)
    "Access-Control-Allow-Origin": "*",  # public, read-only data: any site's scripts may read it
    "Access-Control-Expose-Headers": "ETag",
    "X-Content-Type-Options": "nosniff",
}


def published_articles(store: Store) -> list[Any]:
    """The articles the site shows: each story's newest publishable version, none an editor holds."""
    held = store.held_story_ids()
    rows = [v.published for v in store.publishable() if v.published is not None and v.story_id not in held]
    return sorted(rows, key=lambda a: a.story_id)


def _public(exported: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A removed claim is not published: its text stays out of the API too (its count stays)."""
    for row in exported:
        checked = row.get("verification")
        if checked:
            checked["claims"] = [c for c in checked["claims"] if c["verdict"] != "FAIL"]
    return exported


def articles_view(store: Store) -> list[dict[str, Any]]:
    return _public(articles_export(store, published_articles(store)))


def article_view(store: Store, story_id: int) -> dict[str, Any] | None:
    if story_id in store.held_story_ids():
        return None
    article = store.published_of(story_id)
    return _public(articles_export(store, [article]))[0] if article is not None else None


def stories_view(store: Store, item_text: bool) -> list[dict[str, Any]]:
    published = {a.story_id for a in published_articles(store)}
    rows = [story_json(s) for s in store.stories() if s.id in published]
    if not item_text:  # the sources' own words: the articles quote the passages they cite
        for row in rows:
            for item in row["items"]:
                item["text"] = ""
    return rows


def corrections_view(store: Store, base_url: str, show_editor: bool) -> list[dict[str, Any]]:
    articles = {a.story_id: a for a in published_articles(store)}
    base = site_base(base_url)
    out = []
    for story_id, rows in sorted(store.corrections().items()):
        article = articles.get(story_id)
        if article is None:
            continue
        for c in rows:
            out.append(
                {
                    "id": c["id"],
                    "story_id": story_id,
                    "headline": article.headline,
                    "article_url": article_url(article, base),
                    "text": c["text"],
                    "editor": c["editor"] if show_editor else None,
                    "published_at": c["published_at"].isoformat(),
                }
            )
    return sorted(out, key=lambda c: c["id"])


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110: If-None-Match compares weakly; "*" matches any current answer."""
    tags = [t.strip() for t in if_none_match.split(",")]
    return "*" in tags or etag in {t.removeprefix("W/") for t in tags}


def routes(newsroom: Newsroom, wrap: Callable[[Any], Any] = lambda handler: handler) -> list[Route]:
    """The API's routes, each handler passed through ``wrap`` (the app's parameter checks)."""
    store = newsroom.store
    settings = newsroom.settings
    cache: dict[str, tuple[float, bytes, str, int]] = {}
    locks: dict[str, asyncio.Lock] = {}

    async def answer(request: Request, key: str, compute: Callable[[], Any]) -> Response:
        async with locks.setdefault(key, asyncio.Lock()):  # one computation per key at a time
            hit = cache.get(key)
            if hit is None or time.monotonic() - hit[0] >= CACHE_SECONDS:
                data = await asyncio.get_running_loop().run_in_executor(None, compute)
                status = 200 if data is not None else 404
                if data is None:
                    data = {"error": "not_found", "message": f"Nothing published at {request.url.path}."}
                body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
                if len(cache) >= MAX_CACHED:
                    cache.clear()
                    locks.clear()
                hit = cache[key] = (time.monotonic(), body, etag_of(body), status)
        _, body, etag, status = hit
        headers = {**HEADERS, "ETag": etag}
        if status == 200 and matches(request.headers.get("if-none-match", ""), etag):
            return Response(status_code=304, headers=headers)
        return Response(body, status_code=status, media_type="application/json", headers=headers)

    async def stories(request: Request) -> Response:
        return await answer(request, "stories", lambda: stories_view(store, settings.integrations.api_item_text))

    async def articles(request: Request) -> Response:
        return await answer(request, "articles", lambda: articles_view(store))

    async def article(request: Request) -> Response:
        story_id = request.path_params["story_id"]  # a checked int (params.RULES)
        return await answer(request, f"article:{story_id}", lambda: article_view(store, story_id))

    async def corrections(request: Request) -> Response:
        show = settings.service.show_editor_names
        return await answer(request, "corrections", lambda: corrections_view(store, settings.publish.base_url, show))

    async def unknown(request: Request) -> Response:
        paths = ", ".join(f"{PREFIX}/{p}" for p in ("stories", "articles", "articles/{story_id}", "corrections"))
        return JSONResponse(
            {"error": "not_found", "message": f"No API route {request.url.path}; the routes are {paths}."},
            status_code=404,
            headers=HEADERS,
        )

    if not settings.integrations.api:
        return []
    return [
        Route(f"{PREFIX}/stories", wrap(stories), methods=["GET"]),
        Route(f"{PREFIX}/articles", wrap(articles), methods=["GET"]),
        Route(f"{PREFIX}/articles/{{story_id}}", wrap(article), methods=["GET"]),
        Route(f"{PREFIX}/corrections", wrap(corrections), methods=["GET"]),
        Route("/api/{rest:path}", unknown, methods=["GET"]),
    ]
