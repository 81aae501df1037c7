"""Sources stage: fetch every configured source and store new items.

Contract (see ``ingest.py``): reads ``sources``; writes ``items`` (with full text, canonical
URL and duplicate links) and each source's last status. Idempotent: re-running on
unchanged sources stores nothing new.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsdesk.config import Settings
    from newsdesk.store import Store

from pathlib import Path
from urllib.parse import urlsplit


class SourceSpecError(ValueError):
    """A source URL newsdesk cannot read; the message says what to write instead."""


def classify(url: str) -> tuple[str, str]:
    """(kind, default name) of a source URL: ``feed`` (http(s) URL or a feed file), ``reddit``,
    ``hn`` or ``web``. Raises SourceSpecError naming the bad URL and the forms that work."""
    if not url.strip():
        raise SourceSpecError("the source is empty: give a feed URL, a feed file, reddit:r/NAME, hn:top|new|best or web:URL")
    if url.startswith("web:"):
        from newsdesk.sources.web import WebSourceError, page_url

        try:
            return "web", urlsplit(page_url(url)).netloc
        except WebSourceError as exc:
            raise SourceSpecError(str(exc)) from None
    from newsdesk.sources.community import CommunityError, default_name, kind_of, parse_source

    kind = kind_of(url)
    if kind != "feed":
        try:
            parse_source(url)
        except CommunityError as exc:
            raise SourceSpecError(str(exc)) from None
        return kind, default_name(url)
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        if not parts.netloc:
            raise SourceSpecError(f"{url!r} has no host; give a full feed URL such as https://example.com/feed.xml")
    elif parts.scheme not in ("", "file") or (parts.scheme == "" and not Path(url).is_file()):
        raise SourceSpecError(
            f"{url!r} is neither an http(s) URL nor an existing feed file (nor reddit:r/NAME, hn:top|new|best, web:URL)"
        )
    return "feed", ""


def add_configured_sources(store: Store, settings: Settings) -> int:
    """Add the sources listed under ``[sources]`` in newsdesk.toml that the store lacks; return how many.
    Raises ConfigError naming a bad entry."""
    from newsdesk.config import ConfigError

    added = 0
    for entry in settings.sources.urls:
        spec = entry if not isinstance(entry, str) else type(settings.sources).Entry(url=entry)
        try:
            kind, default = classify(spec.url)
        except SourceSpecError as exc:
            raise ConfigError(f"[sources] urls: {exc}") from None
        _, created = store.add_source(spec.url, kind=kind, name=spec.name or default, weight=spec.weight)
        added += created
    return added
