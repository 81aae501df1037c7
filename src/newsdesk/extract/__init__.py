"""Extract stage: the main text, author, date and canonical URL of an article page.

Contract: ``extract_page(html, url) -> ExtractedPage``. The text is returned exactly as
trafilatura extracts it and must be stored unchanged: later stages cite character spans.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from newsdesk.records import ExtractedPage, sane_date

_BLOCKS = re.compile(r"</?(p|div|br|li|h[1-6]|blockquote|tr|section|article)\b[^>]*>", re.I)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


def clean_text(text: str) -> str:
    """Text that can be stored and shown: no NUL characters, no lone surrogates."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def html_to_text(fragment: str) -> str:
    """Plain text of a feed's HTML fragment: paragraphs separated by blank lines, entities decoded."""
    if not fragment:
        return ""
    if "<" not in fragment and "&" not in fragment:
        return clean_text(_SPACES.sub(" ", fragment).strip())
    import lxml.html

    marked = _BLOCKS.sub("\n\n", fragment)
    try:
        tree = lxml.html.fromstring(f"<div>{marked}</div>")
        # Code and styling are not text: drop them whole rather than show their contents.
        for element in tree.xpath("//script|//style|//noscript|//template"):
            element.drop_tree()
        text = tree.text_content()
    except Exception:  # lxml refuses some broken fragments; fall back to stripping tags
        import html

        text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", marked)))
    paragraphs = [_SPACES.sub(" ", p).strip() for p in re.split(r"\n\s*\n", text)]
    return clean_text("\n\n".join(p for p in paragraphs if p))


def parse_html(html: str) -> Any | None:
    """The page as an lxml tree (the parser trafilatura uses), or None for what it cannot read."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        return lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError, TypeError):  # empty, or bytes-declared text lxml refuses
        return None


def canonical_link(html: str, base_url: str) -> str | None:
    """The page's ``<link rel="canonical">`` target, absolute (read from the first 300 KB: ~1% of
    an extraction's time)."""
    from urllib.parse import urljoin

    tree = parse_html(html[:300_000])
    if tree is None:
        return None
    for link in tree.iter("link"):
        href = (link.get("href") or "").strip()
        if href and "canonical" in (link.get("rel") or "").lower().split():
            try:
                return str(urljoin(base_url, href))
            except ValueError:  # "Invalid IPv6 URL" and kin: a broken canonical link is no link
                continue
    return None


def extract_page(content: bytes | str, url: str) -> ExtractedPage:
    """Main text and metadata of an article page; text is empty when nothing was found."""
    import trafilatura

    html = clean_text(content.decode("utf-8", "replace") if isinstance(content, bytes) else content)
    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
        )
    except (ValueError, TypeError, UnicodeError, RecursionError, AttributeError, IndexError):  # a page too broken to read
        doc = None
    if doc is None:
        return ExtractedPage(text="", canonical_url=canonical_link(html, url))
    data = doc if isinstance(doc, dict) else doc.as_dict()
    published = None
    if data.get("date"):
        try:
            published = sane_date(datetime.fromisoformat(data["date"]).replace(tzinfo=UTC))
        except ValueError:
            published = None
    text = clean_text((data.get("text") or "").strip())
    title = clean_text((data.get("title") or "").strip())
    first, _, rest = text.partition("\n")
    if title and first.strip() == title:  # the headline repeated as the body's first line
        text = rest.strip()
    return ExtractedPage(
        text=text,
        title=data.get("title") or None,
        author=data.get("author") or None,
        published_at=published,
        canonical_url=canonical_link(html, url),
        image=page_image(data.get("image"), url),
    )


MAX_IMAGE_URL = 2048


def page_image(value: object, page_url: str) -> str | None:
    """The page's image as an absolute http(s) address of bounded length (kept in the item's
    meta; shown only where ``[publish] show_source_images`` allows), else None."""
    from urllib.parse import urljoin, urlsplit

    if not isinstance(value, str) or not value.strip():
        return None
    try:
        address = urljoin(page_url, value.strip())
    except ValueError:
        return None
    if urlsplit(address).scheme not in ("http", "https") or len(address) > MAX_IMAGE_URL or any(c.isspace() for c in address):
        return None
    return address
