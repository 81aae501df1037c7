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


# Readers' forms (feedback, newsletter sign-up) post to the app. Pages always mark them; a static
# export without the app keeps them out of the page but beside it, in a hidden file the app reads
# back, so the pages the app serves carry the forms whichever process published them.
FORMS_DIR = ".forms"
NOT_FOUND_PAGE = "404.html"  # what a static host or the app answers for a missing page
FORMS_START, FORMS_END = "<!--newsdesk:forms-->", "<!--/newsdesk:forms-->"
_FORMS_REGION = re.compile(re.escape(FORMS_START) + r".*?" + re.escape(FORMS_END), re.S)
_FORMS_PLACEHOLDER = re.compile(r"<!--newsdesk:forms (\d+)-->")


def forms_file(page: str) -> str:
    """Where a page's forms are kept when the page itself goes out without them."""
    return f"{FORMS_DIR}/{page}.json"


def take_out_forms(page_html: str) -> tuple[str, list[str]]:
    """(the page with each forms region replaced by a numbered placeholder, the regions)."""
    regions: list[str] = []

    def keep(match: re.Match[str]) -> str:
        regions.append(match.group(0))
        return f"<!--newsdesk:forms {len(regions) - 1}-->"

    return _FORMS_REGION.sub(keep, page_html), regions


def put_back_forms(page_html: str, regions: list[str]) -> str:
    """The inverse of ``take_out_forms`` (a placeholder with no region is left out)."""
    return _FORMS_PLACEHOLDER.sub(lambda m: regions[int(m.group(1))] if int(m.group(1)) < len(regions) else "", page_html)


def has_form_placeholders(page: bytes) -> bool:
    return b"<!--newsdesk:forms " in page
