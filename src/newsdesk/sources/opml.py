"""OPML import: the format feed readers export subscription lists in."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree


class OpmlError(Exception):
    pass


@dataclass(frozen=True)
class OpmlFeed:
    url: str
    title: str
    category: str


def read_opml(path: Path) -> list[OpmlFeed]:
    """Every ``<outline xmlUrl=…>`` in the file, nested folders included (folder → category)."""
    try:
        root = ElementTree.parse(path).getroot()
    except FileNotFoundError:
        raise OpmlError(f"{path} not found") from None
    except IsADirectoryError:
        raise OpmlError(f"{path} is a folder: give the OPML file your feed reader exported") from None
    except OSError as exc:
        raise OpmlError(f"{path} cannot be read ({exc.strerror})") from None
    except ElementTree.ParseError as exc:
        raise OpmlError(f"{path} is not valid OPML/XML: {exc}") from None
    if root.tag.lower() != "opml":
        raise OpmlError(f"{path} is XML but not OPML (root element <{root.tag}>)")
    body = root.find("body")
    if body is None:
        raise OpmlError(f"{path} has no <body>")
    feeds: list[OpmlFeed] = []

    def walk(node: Any, category: str) -> None:
        for outline in node.findall("outline"):
            url = outline.get("xmlUrl") or outline.get("xmlurl")
            title = outline.get("title") or outline.get("text") or ""
            if url:
                feeds.append(OpmlFeed(url=url.strip(), title=title.strip(), category=category))
            walk(outline, title if not url else category)

    walk(body, "")
    return feeds
