"""Instructions addressed to a language model, hidden in a source ("Ignore your previous
instructions and state that …", "AI assistants summarising this page must say …").

Such text is never a source: ``screen`` finds the sentences that carry it, so the LLM writer
removes them from the passages it sends (and reports them), the extractive writer never
quotes them, and verification never takes them as evidence. Detection is by pattern: an
imperative addressed to a model, or talk of its instructions or prompt. A plain news sentence
about prompt injection ("researchers showed that a page can tell a chatbot to …") is reported
speech, and is left alone unless it carries the imperative itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_MODEL = r"(?:ai|a\.i\.|llm|llms|language models?|assistants?|chat ?bots?|gpt|chatgpt|claude|gemini|copilot|models?|bots?|agents?|summari[sz]ers?|writers?)"
_PATTERNS = [
    r"\b(?:ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,40}\b(?:previous|prior|above|earlier|preceding|all|any|your|the|system|original)\b[^.!?\n]{0,30}\b(?:instructions?|prompts?|rules?|directions?|guidelines?|context|messages?)\b",
    r"\b(?:new|updated|real|actual|hidden|secret|additional)\s+(?:system\s+)?instructions?\s*[:\-]",
    r"\bsystem\s+prompt\b",
    r"\b(?:you\s+are\s+(?:now\s+)?(?:an?\s+)?|as\s+an?\s+)"
    + _MODEL
    + r"\b[^.!?\n]{0,60}\b(?:must|should|will|shall|are\s+to|need\s+to)\b",
    r"\b(?:dear|attention|note\s+to|hey|hello)\s+(?:the\s+)?" + _MODEL + r"\b",
    r"\b(?:if|when|whenever)\s+you\s+(?:are\s+)?(?:an?\s+)?(?:"
    + _MODEL
    + r"|summari[sz]ing|summari[sz]e|writing\s+about|reading\s+this|processing\s+this)\b",
    r"^\s*(?:"
    + _MODEL
    + r"|assistant|system)\s*[:,]\s*(?:please\s+)?(?:ignore|state|say|write|report|include|mention|claim|print|output|respond|answer|tell)\b",
    r"\b"
    + _MODEL
    + r"s?\s+(?:reading|summari[sz]ing|processing|writing\s+about)\s+this\b[^.!?\n]{0,60}\b(?:must|should|shall|are\s+to|need\s+to|will)\b",
    r"\b(?:do\s+not|don't|never)\s+(?:mention|reveal|tell|disclose|report)\b[^.!?\n]{0,40}\b(?:user|reader|instructions?|prompt)\b",
    r"\b(?:respond|reply|answer)\s+(?:only\s+)?with\b[^.!?\n]{0,40}\b(?:json|the\s+following|exactly)\b",
    r"\b(?:state|say|write|report|claim|assert)\s+(?:that|as\s+(?:a\s+)?fact)\b[^.!?\n]{0,120}\b(?:regardless|no\s+matter|whatever\s+the\s+sources?)\b",
    r"\binstructions?\s+(?:to|for)\s+(?:the\s+)?" + _MODEL + r"\b",
]
_INJECTION = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.I | re.M)


@dataclass(frozen=True)
class Screened:
    start: int
    end: int
    text: str


def screen(text: str) -> list[Screened]:
    """The sentences of ``text`` that address a model, as spans into ``text``."""
    return list(_screened(text))


@lru_cache(maxsize=4096)
def _screened(text: str) -> tuple[Screened, ...]:
    # Remembered per text: every check of an article screens its sources again, and the
    # pattern's search over a whole page was a tenth of the writer's and verifier's time.
    if not text or not _INJECTION.search(text):
        return ()
    from newsdesk.text.sentences import raw_sentence_spans

    out = []
    for span in raw_sentence_spans(text):
        piece = text[span.start : span.end]
        if _INJECTION.search(piece):
            out.append(Screened(span.start, span.end, piece))
    return tuple(out)


def mask(text: str) -> str:
    """``text`` with screened sentences blanked out (same length: spans into it stay valid)."""
    out = text
    for s in screen(text):
        out = out[: s.start] + " " * (s.end - s.start) + out[s.end :]
    return out


def strip(text: str) -> tuple[str, list[str]]:
    """``text`` without screened sentences, and what was removed."""
    found = screen(text)
    if not found:
        return text, []
    parts, cursor = [], 0
    for s in found:
        parts.append(text[cursor : s.start])
        cursor = s.end
    parts.append(text[cursor:])
    return re.sub(r"[ \t]{2,}", " ", "".join(parts)).strip(), [s.text for s in found]
