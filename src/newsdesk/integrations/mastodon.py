"""Posting each new story to Mastodon (``POST /api/v1/statuses``): its headline, its address and
its tags as hashtags, within Mastodon's 500 characters. The access token (scope write:statuses)
comes from the variable ``[integrations] mastodon_token_env``; an Idempotency-Key per story lets
the server drop a repeat of a post whose answer was lost."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from newsdesk.config import Settings
from newsdesk.integrations import Announced, post_json, stable_id

log = logging.getLogger("newsdesk.integrations")
MAX_CHARS = 500
URL_CHARS = 23  # Mastodon counts every link as 23 characters


def hashtag(tag: str) -> str:
    """ "Velora Systems" → "#VeloraSystems"; nothing when no letter or digit is left."""
    words = re.findall(r"\w+", tag)
    joined = "".join(w[:1].upper() + w[1:] for w in words)
    return f"#{joined}" if joined and not joined.isdigit() else ""


def status_text(story: Announced) -> str:
    tags = [t for t in dict.fromkeys(hashtag(t) for t in story.tags) if t][:4]
    tail = "\n\n" + story.url + ("\n\n" + " ".join(tags) if tags else "")
    room = MAX_CHARS - (len(tail) - len(story.url) + URL_CHARS)
    headline = story.headline if len(story.headline) <= room else story.headline[: room - 1].rstrip() + "…"
    return headline + tail


class Mastodon:
    name = "mastodon"

    def __init__(self, base_url: str, token: str, visibility: str):
        self.endpoint = base_url.rstrip("/") + "/api/v1/statuses"
        self.token, self.visibility = token, visibility

    def post(self, story: Announced, client: Any) -> None:
        body = json.dumps({"status": status_text(story), "visibility": self.visibility}, ensure_ascii=False).encode()
        headers = {"Authorization": f"Bearer {self.token}", "Idempotency-Key": stable_id(self.endpoint, str(story.story_id))}
        post_json(client, self.endpoint, f"Mastodon {self.endpoint}", body, headers)


def factory(settings: Settings, env: dict[str, str]) -> Mastodon | None:
    config = settings.integrations
    token = env.get(config.mastodon_token_env, "")
    if not config.mastodon_url.startswith(("http://", "https://")):
        log.warning('poster "mastodon" skipped: set [integrations] mastodon_url to the server, e.g. "https://mastodon.example"')
        return None
    if not token:
        log.warning('poster "mastodon" skipped: its access token variable %s is not set', config.mastodon_token_env)
        return None
    return Mastodon(config.mastodon_url, token, config.mastodon_visibility)
