"""Posting each new story to a chat channel through an incoming webhook: Slack's
(``{"text": …}``, the headline as a link) or Discord's (``{"content": …}``). The webhook's
address carries its token, so it comes from the variable ``[integrations] chat_url_env``.

A headline is source text: it can never mention anyone. Slack's control characters are escaped
(no ``<!channel>``, no forged link), and Discord is told to parse no mentions at all."""

from __future__ import annotations

import json
import logging
from typing import Any

from newsdesk.config import Settings
from newsdesk.integrations import Announced, post_json

log = logging.getLogger("newsdesk.integrations")


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def message(story: Announced, style: str) -> dict[str, Any]:
    if style == "discord":
        headline = story.headline.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")
        return {"content": f"**{headline}**\n{story.url}", "allowed_mentions": {"parse": []}}
    return {"text": f"<{story.url}|{slack_escape(story.headline)}>", "unfurl_links": True}


class Chat:
    name = "chat"

    def __init__(self, url: str, style: str):
        self.url, self.style = url, style

    def post(self, story: Announced, client: Any) -> None:
        body = json.dumps(message(story, self.style), ensure_ascii=False).encode("utf-8")
        post_json(client, self.url, f"the {self.style} webhook", body, {})


def factory(settings: Settings, env: dict[str, str]) -> Chat | None:
    config = settings.integrations
    url = env.get(config.chat_url_env, "")
    if not url.startswith(("http://", "https://")):
        log.warning('poster "chat" skipped: set %s to the incoming webhook\'s https:// address', config.chat_url_env)
        return None
    return Chat(url, config.chat_style)
