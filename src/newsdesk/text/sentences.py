"""Sentences of a stored text as character spans, so every quoted sentence points back to
exactly where it stands in its source: ``text[start:end] == sentence``.

A line break ends a sentence unless the line plainly runs on (it ends in a letter or comma and
the next line starts in lower case, as in hard-wrapped text): bulleted lists and headings are
their own sentences, never one 2,000-character run. Bullet marks are not part of a sentence.
Sentences that address a language model (``newsdesk.text.injection``) are never returned.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*")
# Leading datelines such as "TALLIN (Wire) —" or "LONDON -": trimmed by moving the span start.
_DATELINE = re.compile(r"^[A-Z][A-Z .'\u2019-]{2,40}(?:\([^)]{1,40}\))?\s*[-\u2013\u2014:]\s+")
_BULLET = re.compile(r"\s*(?:[\u2022\u00b7\u25aa\u25cf\u25ba\u2023\u2043*+>\u2013\u2014-]|\d{1,2}[.)])\s+")
_RUNS_ON = re.compile(r"[a-z,;\u2013-]\s*$")
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

            return [str(p) for p in pysbd.Segmenter(language="en", clean=False).segment(paragraph)]
        except Exception:
            return re.split(r"(?<=[.!?])\s+(?=[A-Z\"\u201c])", paragraph)


def _blocks(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """(start, end) of the runs of lines inside one paragraph that belong together."""
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text[start:end])]
    block_start = None
    for k, (a, b) in enumerate(lines):
        a, b = a + start, b + start
        if block_start is None:
            block_start = a
        nxt = lines[k + 1] if k + 1 < len(lines) else None
        if nxt is not None:
            following = text[nxt[0] + start : nxt[1] + start]
            if (
                _RUNS_ON.search(text[a:b])
                and following[:1].islower()
                and not _BULLET.match(following)
                and not _BULLET.match(text[a:b])
            ):
                continue  # hard-wrapped prose: the sentence runs on
        yield block_start, b
        block_start = None


def raw_sentence_spans(text: str) -> list[Span]:
    """Every sentence, boilerplate and all."""
    spans: list[Span] = []
    lower = not cased(text)
    for p_index, match in enumerate(_PARAGRAPH.finditer(text)):
        for block_start, block_end in _blocks(text, match.start(), match.end()):
            bullet = _BULLET.match(text, block_start, block_end)
            cursor = bullet.end() if bullet else block_start
            block = text[cursor:block_end]
            held: int | None = None  # where a sentence split after "Ms." began
            opening: int | None = None  # a quotation mark the segmenter left on the sentence before
            pieces = _segment(block)
            if lower:
                parts, quotes = [], 0
                for piece in pieces:
                    parts += _missed_ends(piece, quote_open=quotes % 2 == 1)
                    quotes += piece.count('"')
                pieces = parts
            for piece in pieces:
                piece = piece.strip()
                if not piece:
                    continue
                start = text.find(piece, cursor, block_end)
                if start < 0:  # a segmenter that altered the text: skip what cannot be located
                    continue
                end = start + len(piece)
                cursor = end
                if held is not None:
                    start, held = held, None
                if opening is not None:
                    start, opening = min(start, opening), None
                if (
                    end < block_end
                    and _MARK_AFTER_STOP.search(text, start, end)
                    and text.count('"', block_start, end - 1) % 2 == 0
                ):
                    # '… this weekend. " | the tv showed …': no quotation is open, so the mark opens the next one
                    opening = end - 1
                    end = start + len(text[start : end - 1].rstrip())
                if _TITLE_BEFORE_NAME.search(text, start, end) and end < block_end:
                    held = start  # "… said Ms. | Shourd, concluding …": one sentence, not two
                    continue
                dateline = _DATELINE.match(text, start, end) if len(spans) == 0 or p_index == 0 else None
                if dateline:
                    start = dateline.end()
                if end - start < 2:
                    continue
                spans.append(Span(start, end, p_index, len(spans)))
            if held is not None and block_end - held >= 2:
                spans.append(Span(held, cursor, p_index, len(spans)))
    return spans


def cased(text: str) -> bool:
    """Whether the text writes names with capitals: some word inside a sentence starts with one.
    Lower-cased text (an archive's normalised copy) gives no name evidence, so a rule that reads
    names (an off-story sentence's own names, a typo that is no name) does not judge it."""
    return _MID_SENTENCE_CAPITAL.search(text) is not None


_MID_SENTENCE_CAPITAL = re.compile(r"[a-z,;] [A-Z][a-z]")

# Sentence ends the segmenter misses in lower-cased text, where no capital marks the next
# sentence: a quotation closed on a full stop, then a lower-case word (not "and", "said" …:
# those go on with the sentence) …
_QUOTE_CLOSED = re.compile(
    r"(?:(?<=[a-z0-9)][.!?])|(?<=\.\.\.)|(?<=\u2026)) ?[\"\u201d]"
    r"(?= +(?:[\"\u201c] *)?(?!(?:and|or|said|says|asked|added|according)\b)[a-z])"
)
# … and a full stop with no space after it ("marketing.the new"), not a web address's.
_GLUED_STOP = re.compile(r"(?<=[a-z]{3}[.!?])(?=[a-z]{2,}[ ,])(?!(?:com|org|net|gov|edu|co|uk|io|tv|ly|html?|php|aspx?)\b)")


def _missed_ends(piece: str, quote_open: bool = False) -> list[str]:
    """The segmenter's piece of lower-cased text cut where a sentence plainly ended. A straight
    quotation mark after the full stop closes a quotation where one is open (``quote_open``:
    an earlier piece of the paragraph opened it) and is cut after; otherwise it opens the next
    sentence's quotation and is cut before ('… this weekend. | " the tv showed …')."""
    cuts = [m.start() for m in _GLUED_STOP.finditer(piece)]
    for m in _QUOTE_CLOSED.finditer(piece):
        mark = m.end() - 1
        opens = piece[mark] == '"' and (piece.count('"', 0, mark) % 2 == 1) == quote_open
        cuts.append(mark if opens else m.end())
    cuts.sort()
    if not cuts:
        return [piece]
    bounds = [0, *cuts, len(piece)]
    return [piece[a:b] for a, b in zip(bounds, bounds[1:]) if piece[a:b].strip()]


_MARK_AFTER_STOP = re.compile(r'[.!?]\s+"$')

# Titles written before a name with a full stop that ends no sentence.
TITLES = "Ms|Mrs|Mr|Mx|Dr|Prof|Sen|Rep|Gov|Gen|Lt|Sgt|Capt|Rev|Messrs|Mmes"
# A title's full stop before a name: the segmenter splits after "Ms." (not after "Mr." or "Dr.").
_TITLE_BEFORE_NAME = re.compile(rf"\b(?:{TITLES})\.$")


def sentence_spans(text: str) -> list[Span]:
    """The sentences a writer may quote and a verifier may take as evidence."""
    return list(_quotable_spans(text))


@lru_cache(maxsize=4096)
def _quotable_spans(text: str) -> tuple[Span, ...]:
    # Remembered per text: the writer's and the verifier's checks split the same sources again
    # and again (four or five times an article).
    from newsdesk.text.injection import screen

    injected = [(s.start, s.end) for s in screen(text)]
    spans: list[Span] = []
    for s in raw_sentence_spans(text):
        if _BOILERPLATE.search(text[s.start : s.end]):
            continue
        if any(a < s.end and s.start < b for a, b in injected):
            continue
        spans.append(Span(s.start, s.end, s.paragraph, len(spans)))
    return tuple(spans)
