"""Feeds carry text, never live markup: what a reader renders as HTML shows the words as written."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import lxml.etree
import lxml.html
import pytest

from newsdesk.publish import _feed

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '"><iframe src="javascript:alert(1)">',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<a href='javascript:alert(1)'>click</a>",
    "<body onload=alert(1)>",
]


def view(text: str) -> SimpleNamespace:
    now = datetime(2026, 3, 2, 10, tzinfo=UTC)
    return SimpleNamespace(
        url="https://news.example/articles/story-1.html",
        headline=f"Council vote {text}",
        dek=SimpleNamespace(text=f"The council voted {text} on Monday.", citations=[]),
        first_published=now,
        updated=now,
        tags=["Council"],
        review={f"The council voted {text} on Monday."},
        # The full text the feeds carry: a heading and a sentence with the payload too.
        corrections=[],
        sections=[
            SimpleNamespace(heading=f"What {text} means", paragraphs=[[SimpleNamespace(text=f"It said {text}.", citations=[])]])
        ],
        references=[],
    )


@pytest.mark.parametrize("payload", PAYLOADS)
def test_rss_title_and_description_render_as_text(payload):
    rss = _feed([view(payload)], "https://news.example/", "News", "feed.xml", rss=True).rss_str()
    item = lxml.etree.fromstring(rss).find("channel/item")
    title, description = item.findtext("title"), item.findtext("description")
    assert "<" not in title  # nothing in a title can open a tag
    rendered = lxml.html.fragment_fromstring(description, create_parent="div")
    assert [e.tag for e in rendered.iter()] == ["div"]  # the description is text, whatever it says
    assert "[unconfirmed]" in rendered.text_content()  # and the review marker travels with it
    channel = lxml.etree.fromstring(rss).find("channel")
    self_link = channel.find("{http://www.w3.org/2005/Atom}link").get("href")
    assert self_link.endswith("/feed.xml")


def test_atom_text_stays_text():
    atom = _feed([view(PAYLOADS[0])], "https://news.example/", "News", "atom.xml", rss=False).atom_str()
    root = lxml.etree.fromstring(atom)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    summary = root.find("a:entry/a:summary", ns)
    assert summary.get("type") in (None, "text") and "<script>" in summary.text  # shown as words by a text type
    # The full article is HTML (type="html"): the payload in it is escaped text, never an element.
    content = root.find("a:entry/a:content", ns)
    assert content.get("type") == "html"
    rendered = lxml.html.fragment_fromstring(content.text, create_parent="div")
    assert not [e for e in rendered.iter() if e.tag in ("script", "img", "svg", "iframe", "body")]
    assert "<script>" in rendered.text_content()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_rss_full_text_renders_payloads_as_text(payload):
    rss = _feed([view(payload)], "https://news.example/", "News", "feed.xml", rss=True).rss_str()
    item = lxml.etree.fromstring(rss).find("channel/item")
    content = item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded")
    rendered = lxml.html.fragment_fromstring(content, create_parent="div")
    assert {e.tag for e in rendered.iter()} <= {"div", "p", "h2", "ol", "li", "sup", "a"}
    assert not any(v.lower().startswith("javascript") for e in rendered.iter() for v in e.attrib.values())
