"""Text inside the run summary's rich markup: a source's words must never be read as markup."""

from __future__ import annotations


def escape(text: str) -> str:
    from rich.markup import escape as rich_escape

    return rich_escape(text)
