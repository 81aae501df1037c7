"""Who publishes an item, for counting independent outlets: the registrable domain of its link
(``news.example.co.uk`` and ``www.example.co.uk`` are one publisher, ``example.co.uk``), from
tldextract's bundled Public Suffix List — never fetched, never cached on disk — or the outlet a
source's ``outlet = "…"`` in newsdesk.toml names (one publisher on several domains, or several
publishers sharing a hosting domain)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from newsdesk.config import Settings


@lru_cache(maxsize=1)
def _extractor() -> Any:
    import tldextract

    # Private suffixes included: blog.github.io and shop.github.io are two publishers, not GitHub.
    return tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), include_psl_private_domains=True)


@lru_cache(maxsize=4096)
def registrable_domain(url: str) -> str | None:
    """``example.co.uk`` for ``https://news.example.co.uk/a``; None for an address, a one-label
    host (localhost) or a name under no public suffix, which say nothing about the publisher."""
    host = urlsplit(url).hostname
    if not host:
        return None
    found = _extractor()(host)
    domain = str(found.top_domain_under_public_suffix or "")
    return domain.lower() or None


def configured_outlets(settings: Settings) -> dict[str, str]:
    """Source URL → the outlet its newsdesk.toml entry names (``outlet = "…"``)."""
    return {e.url: e.outlet.strip() for e in settings.sources.urls if not isinstance(e, str) and e.outlet.strip()}


def publisher(kind: str, source_url: str, item_url: str, override: str | None) -> str | None:
    """The publisher of a feed's or web page's item (its own link's domain, else the feed's);
    None for community posts (each subreddit, Hacker News, stays its own outlet)."""
    if override:
        return override
    if kind not in ("feed", "web"):
        return None
    return registrable_domain(item_url) or registrable_domain(source_url.removeprefix("web:"))
