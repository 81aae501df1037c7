"""``/search``: the site's full-text search (``store/search.py``), a plain GET form that works
without JavaScript. The query is bounded (params.RULES: ``q``, ``page``) and the store is read
in a thread, off the event loop."""

from __future__ import annotations

import asyncio
import os
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from newsdesk.pipeline import Newsroom
from newsdesk.service import params
from newsdesk.store.search import MAX_QUERY_CHARS, headline_key

PER_PAGE = 10  # as search pages go; each result costs a snippet (FTS5's snippet() is ~40% of a query)
MAX_PAGE = 100  # 1,000 results deep at most: past that, a better query


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
    # The pages themselves too, by the query as typed: a repeated search is answered from memory
    # without rendering (the template is a third of a query's cost at ten results).
    results = PerBuild(newsroom.site_dir)
    rendered = PerBuild(newsroom.site_dir, max_entries=2048)  # ~10 KB a page: ~20 MB at most
    # Index reads on threads of their own, one per core this process may use: more threads only
    # fight over the GIL (bench/search.py, 2 cores: 6 threads 1,380 req/s, p99 120 ms; one per
    # core 1,450–1,590, p99 56–90 ms).
    processes = newsroom.settings.service.workers  # [service] workers, or serve --workers
    readers = ThreadPoolExecutor(max_workers=max(1, (os.cpu_count() or 1) // processes), thread_name_prefix="newsdesk-search")

    async def search(request: Request) -> Response:
        query = request.query_params.get("q", "").strip()
        number = params.whole(request.query_params.get("page", "") or "1", MAX_PAGE) or 1
        if not query:
            return page("search.html", query="", hits=[], number=1, more=False, max_chars=MAX_QUERY_CHARS, per_page=PER_PAGE)
        body = rendered.get((query, number))
        if body is not None:
            return HTMLResponse(body)
        build = rendered.build()
        key = (headline_key(query), number)
        hits = results.get(key)
        if hits is None:
            loop = asyncio.get_running_loop()
            hits = await loop.run_in_executor(readers, lambda: store.search(query, PER_PAGE + 1, (number - 1) * PER_PAGE))
            results.put(key, hits, build)
        answer = page(
            "search.html",
            query=query,
            hits=hits[:PER_PAGE],
            number=number,
            more=len(hits) > PER_PAGE and number < MAX_PAGE,
            max_chars=MAX_QUERY_CHARS,
            per_page=PER_PAGE,
        )
        rendered.put((query, number), answer.body, build)
        return answer

    return [Route("/search", wrap(search), methods=["GET"])]
