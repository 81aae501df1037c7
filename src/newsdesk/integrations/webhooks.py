"""Signed webhooks: each event POSTed as JSON to ``[integrations] webhooks`` URLs.

The receiver checks ``X-Newsdesk-Signature: sha256=<hex>``, the HMAC-SHA256, under the secret it
shares with the newsroom, of ``<X-Newsdesk-Timestamp>.<body>`` (the timestamp in Unix seconds,
a dot, the raw body bytes), and refuses a timestamp more than five minutes old (a replay):
``verify(secret, body, timestamp, signature)`` does both. ``X-Newsdesk-Delivery`` is the same
on every attempt of one event, so a receiver can ignore a repeat.

Events: ``article.published`` (a new article or a new version of one: ``article``) and
``correction.published`` (``correction``, with the ``article`` it corrects).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from newsdesk.integrations import Announced, Event, News, post_json, stable_id

TOLERANCE_SECONDS = 300


def sign(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode("utf-8"), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, body: bytes, timestamp: str, signature: str, now: float | None = None) -> bool:
    """What a receiver checks: the signature, and that the timestamp is recent."""
    if not timestamp.isascii() or not timestamp.isdigit():
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, body, int(timestamp)), signature)


class Webhook:
    def __init__(self, url: str, secret: str):
        self.url, self.secret = url, secret
        self.name = f"webhook:{url}"

    def events(self, news: News) -> list[Event]:
        out = []
        by_id = {a.story_id: a for a in news.articles}
        for a in news.articles:
            out.append(Event(f"article:{a.story_id}:v{a.version}", "article.published", a.story_id, _when(a), a))
        for story_id, rows in news.corrections.items():
            article = by_id[story_id]
            for c in rows:
                correction = {
                    "id": c["id"],
                    "story_id": story_id,
                    "text": c["text"],
                    "published_at": c["published_at"].isoformat(),
                    "article_url": article.url,
                }
                out.append(
                    Event(f"correction:{c['id']}", "correction.published", story_id, c["published_at"], article, correction)
                )
        return out

    def payload(self, event: Event) -> dict[str, Any]:
        body: dict[str, Any] = {"event": event.kind, "delivery": self.delivery_id(event), "article": event.article.as_dict()}
        if event.correction is not None:
            body["correction"] = event.correction
        return body

    def delivery_id(self, event: Event) -> str:
        return stable_id(self.name, event.key)

    def deliver(self, event: Event, client: Any) -> None:
        body = json.dumps(self.payload(event), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        stamp = int(time.time())  # signed per attempt: a retry after a pause is still fresh
        headers = {
            "X-Newsdesk-Event": event.kind,
            "X-Newsdesk-Delivery": self.delivery_id(event),
            "X-Newsdesk-Timestamp": str(stamp),
            "X-Newsdesk-Signature": sign(self.secret, body, stamp),
        }
        post_json(client, self.url, f"webhook {self.url}", body, headers)


def _when(a: Announced) -> Any:
    from datetime import UTC, datetime

    return a.updated or a.first_published or datetime.min.replace(tzinfo=UTC)
