"""``/search``: the site's full-text search (``store/search.py``), a plain GET form that works
without JavaScript. The query is bounded (params.RULES: ``q``, ``page``) and the store is read
in a thread, off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from newsdesk.pipeline import Newsroom
from newsdesk.service import params
from newsdesk.store.search import MAX_QUERY_CHARS

PER_PAGE = 20
MAX_PAGE = 50  # 1,000 results deep at most: past that, a better query


def routes(newsroom: Newsroom, page: Callable[..., HTMLResponse], wrap: Callable[[Any], Any]) -> list[Route]:
    """``page(template, status, **context)`` renders one of the service's reader templates."""
    store = newsroom.store

    async def search(request: Request) -> Response:
        query = request.query_params.get("q", "").strip()
        number = params.whole(request.query_params.get("page", "") or "1", MAX_PAGE) or 1
        if not query:
            return page("search.html", query="", hits=[], number=1, more=False, max_chars=MAX_QUERY_CHARS)
        loop = asyncio.get_running_loop()
        hits = await loop.run_in_executor(None, lambda: store.search(query, PER_PAGE + 1, (number - 1) * PER_PAGE))
        return page(
            "search.html",
            query=query,
            hits=hits[:PER_PAGE],
            number=number,
            more=len(hits) > PER_PAGE and number < MAX_PAGE,
            max_chars=MAX_QUERY_CHARS,
        )

    return [Route("/search", wrap(search), methods=["GET"])]
