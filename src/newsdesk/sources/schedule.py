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
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from newsdesk.config import WatchSettings


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
