"""Sentences of a stored text as character spans, so every quoted sentence points back to
exactly where it stands in its source: ``text[start:end] == sentence``."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*")
# Leading datelines such as "TALLIN (Wire) —" or "LONDON -": trimmed by moving the span start.
_DATELINE = re.compile(r"^[A-Z][A-Z .'\u2019-]{2,40}(?:\([^)]{1,40}\))?\s*[-\u2013\u2014:]\s+")
_BOILERPLATE = re.compile(
    r"^(advertisement|read more\b|related:|subscribe\b|sign up\b|click here\b|share this\b|follow us\b)"
    r"|first appeared in|republished with permission|all rights reserved|this story has been updated",
    re.I,
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    paragraph: int  # index of the paragraph in the text
    position: int  # index of the sentence in the text


def _segment(paragraph: str) -> list[str]:
    try:
        import sentencex

        return list(sentencex.segment("en", paragraph))
    except Exception:  # sentencex missing or failing on odd input: pysbd, then a plain rule
        try:
            import pysbd

            return pysbd.Segmenter(language="en", clean=False).segment(paragraph)
        except Exception:
            return re.split(r"(?<=[.!?])\s+(?=[A-Z\"\u201c])", paragraph)


def sentence_spans(text: str) -> list[Span]:
    spans: list[Span] = []
    for p_index, match in enumerate(_PARAGRAPH.finditer(text)):
        cursor = match.start()
        for piece in _segment(match.group()):
            piece = piece.strip()
            if not piece:
                continue
            start = text.find(piece, cursor, match.end())
            if start < 0:  # a segmenter that altered the text: skip what cannot be located
                continue
            end = start + len(piece)
            cursor = end
            dateline = _DATELINE.match(text, start, end) if len(spans) == 0 or p_index == 0 else None
            if dateline:
                start = dateline.end()
            if end - start < 2 or _BOILERPLATE.search(text[start:end]):
                continue
            spans.append(Span(start, end, p_index, len(spans)))
    return spans
