"""When to read a source again: as often as it asks, within the newsroom's bounds, and less
often while it fails.

The feed says how often it changes (RSS ``<ttl>``, ``sy:updatePeriod``/``sy:updateFrequency``);
the server says how long its answer stays fresh (``Cache-Control: max-age``, ``Expires``). The
longer of the two wins (neither asks to be read sooner than the other allows), clamped to
``[watch] min_interval_minutes``–``max_interval_minutes``; each failure in a row doubles it, up
to ``max_backoff_hours``.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from newsdesk.config import WatchSettings
from newsdesk.records import Source
from newsdesk.store import Store


def cache_seconds(headers: dict[str, str], now: datetime) -> float | None:
    """Freshness the server grants: Cache-Control max-age (s-maxage), else Expires − now."""
    control = headers.get("cache-control", "")
    if re.search(r"\b(?:no-cache|no-store)\b", control):
        return 0.0
    found = re.search(r"\bs-maxage=(\d+)", control) or re.search(r"\bmax-age=(\d+)", control)
    if found:
        return float(found.group(1))
    expires = headers.get("expires")
    if expires:
        try:
            when = parsedate_to_datetime(expires)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is not None:
            return max(0.0, (when - now).total_seconds())
    return None


def next_fetch(
    now: datetime, *, feed_seconds: float | None, server_seconds: float | None, failures: int, settings: WatchSettings
) -> tuple[datetime, float]:
    """(when to fetch next, the interval that gave it)."""
    asked = [s for s in (feed_seconds, server_seconds) if s is not None and s > 0]
    interval = max(asked) if asked else settings.default_interval_minutes * 60
    interval = min(max(interval, settings.min_interval_minutes * 60), settings.max_interval_minutes * 60)
    if failures > 0:
        interval = min(interval * 2 ** min(failures, 20), settings.max_backoff_hours * 3600)
    return now + timedelta(seconds=interval), interval


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def under_host_cap(due: list[Source], everyone: list[Source], now: datetime, per_minute: int) -> tuple[list[int], int]:
    """(the due sources to read now, how many wait): no host is read more than ``per_minute``
    times in any minute, counting the reads of the last minute (stored, so the cap holds across
    rounds, restarts and the workers' scheduler). The sources that wait stay due, first in line."""
    since = now - timedelta(seconds=60)
    used = Counter(host_of(s.url) for s in everyone if s.last_fetched_at is not None and s.last_fetched_at > since)
    chosen, waiting = [], 0
    # The longest-waiting first, so a host's sources take turns.
    for source in sorted(due, key=lambda s: (s.last_fetched_at is not None, s.last_fetched_at or now, s.id)):
        host = host_of(source.url)
        if used[host] >= per_minute:
            waiting += 1
            continue
        used[host] += 1
        chosen.append(source.id)
    return sorted(chosen), waiting


def sources_to_read(store: Store, now: datetime, per_host_per_minute: int) -> tuple[list[int], int]:
    """The due sources to read now under the per-host cap, and how many of them wait."""
    due = set(store.due_source_ids(now))
    everyone = store.read_sources()
    return under_host_cap([s for s in everyone if s.id in due], everyone, now, per_host_per_minute)
