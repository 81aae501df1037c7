"""The ingest stage: fetch every source, take the entries not stored yet, complete their
text from the article page when the feed carries only a summary, link copies to their
originals, and store them.

Reads: ``sources``. Writes: ``items``, and each source's status and HTTP validators.
Each source's items are stored as soon as that source is done, and its validators are only
updated once its items are stored, so a crash mid-run costs a re-fetch, never an item.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsdesk.config import Settings
from newsdesk.dedup import NearDuplicateIndex
from newsdesk.extract import extract_page
from newsdesk.infra.http import Fetcher, FetchError
from newsdesk.infra.urls import canonicalize
from newsdesk.progress import NullProgress, Progress, Task
from newsdesk.records import FeedEntry, NewItem, ParsedFeed, Source
from newsdesk.sources.feeds import FeedError, parse_feed
from newsdesk.sources.outlets import configured_outlets, publisher
from newsdesk.sources.schedule import cache_seconds, next_fetch
from newsdesk.stages import Context, Scope, StageReport
from newsdesk.store import Store, utcnow
from newsdesk.text.dates import date_in_text

FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1"
DEDUP_WINDOW = timedelta(days=30)
STORE_BATCH = 200


@dataclass
class SourceReport:
    source_id: int
    name: str
    url: str
    status: str = "ok"  # ok | unchanged | error
    fetched: int = 0
    new: int = 0
    duplicate: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def error(self) -> str | None:
        return "; ".join(self.errors) if self.errors else None


@dataclass
class IngestReport(StageReport):
    sources: list[SourceReport]
    requests: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed_sources

    def table(self) -> tuple[str, list[str], list[list[str]]]:
        from rich.markup import escape

        rows = []
        for s in self.sources:
            style = {"error": "red", "ok": "green", "unchanged": "cyan"}[s.status]
            # The cells are rich markup (the status's colour): a name or an error is escaped, so a
            # hint such as "[sources] allow_files" is printed whole.
            name, error = escape(s.name), escape(s.error or "")
            rows.append([name, f"[{style}]{s.status}[/]", str(s.fetched), str(s.new), str(s.duplicate), error])
        return "Sources", ["source", "status", "fetched", "new", "duplicate", "error"], rows

    def lines(self) -> list[str]:
        failed = len(self.failed_sources)
        return [
            f"Ingest: {self.new} new items, {self.duplicates} duplicates, "
            f"{len(self.sources) - failed}/{len(self.sources)} sources OK, {self.requests} HTTP requests."
        ]

    @property
    def new(self) -> int:
        return sum(s.new for s in self.sources)

    @property
    def duplicates(self) -> int:
        return sum(s.duplicate for s in self.sources)

    @property
    def failed_sources(self) -> list[SourceReport]:
        return [s for s in self.sources if s.status == "error"]


@dataclass
class _Prepared:
    source: Source
    report: SourceReport
    items: list[NewItem] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    feed_title: str | None = None
    refresh_seconds: float | None = None  # what the feed asks (ttl, sy:updatePeriod)
    cache_seconds: float | None = None  # what the server grants (Cache-Control, Expires)


class IngestStage:
    """Sources listed in the config are added first; then every source (or the scope's) is fetched."""

    name = "ingest"

    def run(self, ctx: Context) -> IngestReport:
        from newsdesk.sources import add_configured_sources

        add_configured_sources(ctx.store, ctx.settings)
        return ingest(ctx.store, ctx.settings, cache_path=ctx.cache_path, progress=ctx.progress, scope=ctx.scope)


def ingest(
    store: Store,
    settings: Settings,
    *,
    cache_path: Path | None = None,
    progress: Progress | None = None,
    scope: Scope | None = None,
) -> IngestReport:
    return asyncio.run(
        ingest_async(store, settings, cache_path=cache_path, progress=progress or NullProgress(), scope=scope or Scope())
    )


async def ingest_async(
    store: Store, settings: Settings, *, cache_path: Path | None, progress: Progress, scope: Scope | None = None
) -> IngestReport:
    scope = scope or Scope()
    sources = [s for s in store.read_sources() if scope.wants_source(s.id)]
    feeds_task = progress.task("Fetching sources", total=len(sources))
    pages_task = progress.task("Fetching article pages", total=0)
    storer = _Storer(store, settings, progress)
    async with Fetcher(settings.http, cache_path) as fetcher:

        async def one(source: Source) -> SourceReport:
            try:
                prep = await _prepare_source(source, store, settings, fetcher, pages_task)
            except Exception as exc:  # one source's surprise is that source's recorded error, never the run's
                prep = _Prepared(source=source, report=SourceReport(source.id, source.name or source.url, source.url))
                prep.report.status = "error"
                prep.report.errors.append(f"could not read this source ({type(exc).__name__}: {str(exc)[:200]})")
            finally:
                feeds_task.advance()
            # Stored as soon as this source is done (no await in between: one source at a time),
            # so a slow or crashing source never costs the others' items.
            storer.save(prep)
            return prep.report

        reports = await asyncio.gather(*(one(s) for s in sources))
        requests = fetcher.requests_sent
    storer.finish()
    return IngestReport(sources=list(reports), requests=requests)


async def _prepare_source(source: Source, store: Store, settings: Settings, fetcher: Fetcher, pages_task: Task) -> _Prepared:
    report = SourceReport(source_id=source.id, name=source.name or source.url, url=source.url)
    prep = _Prepared(source=source, report=report)
    try:
        if source.kind != "feed":
            feed = await _fetch_other_kind(source, store, settings, fetcher)
            return await _take_entries(feed, source, report, prep, store, settings, fetcher, pages_task)
        local = _local_path(source.url)
        if local is not None and not settings.sources.allow_files:
            raise OSError(
                f"{local} is a local file, and local feed files are off: set [sources] allow_files = true "
                "in newsdesk.toml to read them"
            )
        if local is not None:
            content, content_type = await asyncio.to_thread(_read_local, local, settings.http.max_bytes), ""
        else:
            result = await fetcher.get(source.url, accept=FEED_ACCEPT, etag=source.etag, last_modified=source.last_modified)
            prep.cache_seconds = cache_seconds(result.headers, utcnow())
            if result.not_modified:
                report.status = "unchanged"
                return prep
            content, content_type = result.content, result.content_type
            prep.etag = result.headers.get("etag")
            prep.last_modified = result.headers.get("last-modified")
        feed = await asyncio.to_thread(parse_feed, content, source.url, content_type)
    except (FetchError, FeedError, OSError) as exc:
        report.status = "error"
        report.errors.append(str(exc))
        return prep
    return await _take_entries(feed, source, report, prep, store, settings, fetcher, pages_task)


async def _fetch_other_kind(source: Source, store: Store, settings: Settings, fetcher: Fetcher) -> ParsedFeed:
    """Entries of a source that is not a feed (Reddit, Hacker News, a web page)."""
    if source.kind in ("reddit", "hn"):
        from newsdesk.sources.community import CommunityError, fetch_community

        try:
            # Comments are read for posts not stored yet; known posts cost no extra request.
            return await fetch_community(source.url, settings, fetcher, known=store.known_guids(source.id))
        except CommunityError as exc:
            raise FeedError(str(exc)) from None
    if source.kind == "web":
        from newsdesk.sources.web import WebSourceError as SourceError
        from newsdesk.sources.web import fetch_web as fetch
    else:
        raise FeedError(f"{source.url}: unknown source kind {source.kind!r}")
    try:
        return await fetch(source.url, settings, fetcher)
    except SourceError as exc:
        raise FeedError(str(exc)) from None


async def _take_entries(
    feed: ParsedFeed,
    source: Source,
    report: SourceReport,
    prep: _Prepared,
    store: Store,
    settings: Settings,
    fetcher: Fetcher,
    pages_task: Task,
) -> _Prepared:
    prep.feed_title = feed.title
    prep.refresh_seconds = feed.refresh_seconds
    report.name = source.name or feed.title
    report.fetched = len(feed.entries)
    known = store.known_guids(source.id)
    seen: set[str] = set()
    fresh = []
    for entry in feed.entries:
        if entry.guid not in known and entry.guid not in seen:
            seen.add(entry.guid)
            fresh.append(entry)
    pages_task.add_total(len(fresh))

    deadline = asyncio.get_running_loop().time() + settings.extract.source_pages_deadline

    async def complete(entry: FeedEntry) -> NewItem:
        try:
            return await _complete_entry(entry, source, report, settings, fetcher, deadline)
        finally:
            pages_task.advance()

    completed = await asyncio.gather(*(complete(e) for e in fresh))
    # An entry left with no text at all (no summary, page refused or empty) carries nothing to
    # report: it is not stored, so a later run can try it again.
    prep.items = [item for item in completed if item.text.strip()]
    skipped = len(completed) - len(prep.items)
    if skipped:
        report.errors.append(f"{skipped} entr{'y' if skipped == 1 else 'ies'} without any text not stored")
    return prep


async def _complete_entry(
    entry: FeedEntry, source: Source, report: SourceReport, settings: Settings, fetcher: Fetcher, deadline: float
) -> NewItem:
    text, origin = (entry.content, "feed") if entry.content else (entry.summary, "summary")
    if entry.parent_guid:
        origin = "reply"
    canonical_source = entry.url
    author, published, title = entry.author, entry.published_at, entry.title
    image = None  # the page's own image address, when its page is read (publish shows it only by consent)
    needs_page = entry.fetch_page and settings.extract.fetch_pages and len(text.split()) < settings.extract.min_feed_words
    if needs_page and urlsplit(entry.url).scheme in ("http", "https"):
        loop = asyncio.get_running_loop()
        budget = min(settings.extract.page_timeout, deadline - loop.time())
        try:
            if budget <= 0:
                raise TimeoutError
            async with asyncio.timeout(budget):
                page = await fetcher.get(
                    entry.url, accept="text/html,application/xhtml+xml", check_robots=True, cached=settings.http.cache_pages
                )
                extracted = await asyncio.to_thread(extract_page, page.content, page.url)
            if len(extracted.text) > len(text):
                text, origin = extracted.text, "page"
            canonical_source = extracted.canonical_url or page.url
            author = author or extracted.author
            published = published or extracted.published_at
            title = title or (extracted.title or "")
            image = extracted.image
        except FetchError as exc:
            report.errors.append(f"page: {exc}")
        except TimeoutError:
            report.errors.append(
                f"page: {entry.url} not read within {budget:.0f} s (extract.page_timeout, "
                "extract.source_pages_deadline); the feed's text was kept"
                if budget > 0
                else f"page: {entry.url} skipped, this source's pages took extract.source_pages_deadline"
            )
    meta = entry.meta
    # Who publishes it, for counting independent outlets: the link's registrable domain (two
    # feeds of one publisher are one outlet) or the source's configured outlet.
    who = publisher(source.kind, source.url, canonical_source or entry.url, configured_outlets(settings).get(source.url))
    if who:
        meta = {**meta, "publisher": who}
    if image:
        meta = {**meta, "image": image}
    fetched_at = utcnow()
    if published is None and origin != "reply":
        # An undated item is dated by its own text (a dateline, "on March 3, 2025"), so it is not
        # taken for news of the day it was fetched; the item's meta says where the date came from.
        published = date_in_text(text, fetched_at)
        if published is not None:
            meta = {**meta, "date_from": "text"}
    return NewItem(
        source_id=source.id,
        guid=entry.guid,
        url=entry.url,
        canonical_url=canonicalize(canonical_source),
        outlet=source.name or "",
        title=title or text[:80],
        summary=entry.summary,
        text=text,
        text_origin=origin,
        author=author,
        published_at=published,
        fetched_at=fetched_at,
        engagement=entry.engagement,
        parent_guid=entry.parent_guid,
        meta=meta,
    )


class _Storer:
    """Stores each source's items as its fetch ends: de-duplicated against everything stored,
    and, once the whole ingest is done, the earliest-published copy of each new group is made
    the original (sources finish in any order; the first published is the original)."""

    def __init__(self, store: Store, settings: Settings, progress: Progress):
        self.store = store
        self.settings = settings
        self.index = NearDuplicateIndex(settings.dedup, store.minhashes_since(utcnow() - DEDUP_WINDOW))
        self.task = progress.task("Storing and de-duplicating", total=0)
        self.new_ids: list[int] = []

    def save(self, p: _Prepared) -> None:
        store, index = self.store, self.index
        queue = p.items
        for item in queue:
            item.outlet = item.outlet or p.feed_title or p.source.url
        queue.sort(key=lambda item: (item.published_at or item.fetched_at, item.guid))
        by_url = store.item_ids_by_canonical_url(item.canonical_url for item in queue)
        self.task.add_total(len(queue))
        # A few hundred items per transaction: a crash loses at most the batch in flight, which
        # the next run fetches again (validators are only saved once a source's items are stored).
        for start in range(0, len(queue), STORE_BATCH):
            with store.begin() as conn:
                for item in queue[start : start + STORE_BATCH]:
                    self.task.advance()
                    if item.parent_guid:  # a reply is its own thing: never a copy, never an original
                        if store.insert_item(item, minhash=None, duplicate_of=None, conn=conn) is not None:
                            p.report.new += 1
                        continue
                    signature = index.signature(f"{item.title}\n{item.text}")
                    duplicate_of = by_url.get(item.canonical_url) or index.find(signature)
                    item_id = store.insert_item(
                        item, minhash=NearDuplicateIndex.to_bytes(signature), duplicate_of=duplicate_of, conn=conn
                    )
                    if item_id is None:
                        continue
                    self.new_ids.append(item_id)
                    if duplicate_of is None:
                        p.report.new += 1
                        index.add(item_id, signature)
                        by_url[item.canonical_url] = item_id
                    else:
                        p.report.duplicate += 1
        failures = p.source.failures + 1 if p.report.status == "error" else 0
        when, interval = next_fetch(
            utcnow(),
            feed_seconds=p.refresh_seconds,
            server_seconds=p.cache_seconds,
            failures=failures,
            settings=self.settings.watch,
        )
        schedule: dict[str, Any] = {"next_fetch_at": when, "interval_seconds": interval, "failures": failures}
        if p.report.status == "error":
            store.record_fetch(p.source.id, status="error", error=p.report.error, **schedule)
        elif p.report.status == "unchanged":
            store.record_fetch(
                p.source.id, status="unchanged", etag=p.source.etag, last_modified=p.source.last_modified, **schedule
            )
        else:
            store.record_fetch(
                p.source.id,
                status="ok",
                error=p.report.error,
                etag=p.etag,
                last_modified=p.last_modified,
                new_items=p.report.new + p.report.duplicate,
                name=None if p.source.name else p.feed_title,
                **schedule,
            )

    def finish(self) -> None:
        if self.new_ids:
            self.store.promote_earliest_copies(self.new_ids)


def _local_path(url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme == "file":
        return Path(parts.path)
    if parts.scheme in ("http", "https"):
        return None
    return Path(url)


def _read_local(path: Path, max_bytes: int) -> bytes:
    if not path.is_file():
        raise OSError(f"{path} not found (a source that is a local path must be a feed file)")
    if path.stat().st_size > max_bytes:
        raise OSError(f"{path} is larger than http.max_bytes ({max_bytes:,} bytes); it was not read")
    return path.read_bytes()
