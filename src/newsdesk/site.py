"""Where things live on the published site: the one place that knows article paths, slugs and
absolute URLs (publish builds the site; media and, later, the app and the newsletter link to it)."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING
from urllib.parse import urljoin

if TYPE_CHECKING:
    from newsdesk.records import Article


def base(base_url: str) -> str:
    """``publish.base_url`` with exactly one trailing slash, so relative paths join under it."""
    return base_url if base_url.endswith("/") else base_url + "/"


def article_path(article: Article) -> str:
    return f"articles/story-{article.story_id}.html"


def article_url(article: Article, base_url: str) -> str:
    return urljoin(base(base_url), article_path(article))


def slug(text: str) -> str:
    """A tag's file name: ASCII letters and digits joined by hyphens."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "tag"
