"""``/search``: the site's full-text search (``store/search.py``), a plain GET form that works
without JavaScript. The query is bounded (params.RULES: ``q``, ``page``) and the store is read
in a thread, off the event loop."""

from __future__ import annotations

import asyncio
import os
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from newsdesk.pipeline import Newsroom
from newsdesk.service import params
from newsdesk.store.search import MAX_QUERY_CHARS, headline_key

PER_PAGE = 20
MAX_PAGE = 50  # 1,000 results deep at most: past that, a better query


class PerBuild:
    """Answers remembered for one site build, dropped whole when publish swaps a new build in
    (``publish`` brings the search index in step before the swap, so nothing remembered under a
    build predates its index). At most ``max_entries``, the oldest forgotten first."""

    def __init__(self, site_dir: Path, max_entries: int = 4096):
        self.site_dir, self.max_entries = site_dir, max_entries
        self.current: str | None = None
        self.answers: OrderedDict[Any, Any] = OrderedDict()

    def build(self) -> str:
        """The site build now served: the symbolic link's target (publish swaps it in whole)."""
        try:
            if self.site_dir.is_symlink():
                return os.readlink(self.site_dir)
            return f"{self.site_dir.stat().st_mtime_ns}"
        except OSError:
            return ""

    def get(self, key: Any) -> Any:
        build = self.build()
        if build != self.current:
            self.current, self.answers = build, OrderedDict()
            return None
        return self.answers.get(key)

    def put(self, key: Any, value: Any, build: str) -> None:
        """``build``: the one read before the answer was made (an answer made across a swap is
        kept under the old build, so it is dropped)."""
        if build != self.current:
            return
        self.answers[key] = value
        if len(self.answers) > self.max_entries:
            self.answers.popitem(last=False)


def routes(newsroom: Newsroom, page: Callable[..., HTMLResponse], wrap: Callable[[Any], Any]) -> list[Route]:
    """``page(template, status, **context)`` renders one of the service's reader templates."""
    store = newsroom.store
    # Results per site build, by the query as the store reads it (its words, lower case): a
    # repeated query costs no thread hop nor index read until the next publish.
    results = PerBuild(newsroom.site_dir)

    async def search(request: Request) -> Response:
        query = request.query_params.get("q", "").strip()
        number = params.whole(request.query_params.get("page", "") or "1", MAX_PAGE) or 1
        if not query:
            return page("search.html", query="", hits=[], number=1, more=False, max_chars=MAX_QUERY_CHARS)
        key = (headline_key(query), number)
        hits = results.get(key)
        if hits is None:
            build = results.build()
            loop = asyncio.get_running_loop()
            hits = await loop.run_in_executor(None, lambda: store.search(query, PER_PAGE + 1, (number - 1) * PER_PAGE))
            results.put(key, hits, build)
        return page(
            "search.html",
            query=query,
            hits=hits[:PER_PAGE],
            number=number,
            more=len(hits) > PER_PAGE and number < MAX_PAGE,
            max_chars=MAX_QUERY_CHARS,
        )

    return [Route("/search", wrap(search), methods=["GET"])]
