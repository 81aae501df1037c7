"""A labelled claim set for measuring verification: real sentences of stored items, each
either perturbed (a changed figure, a swapped name, a flipped direction, a negation, a
fabricated quote, a wrong source, an uncited figure) or rewritten faithfully (figures in
another format, clauses reordered). Used by ``bench/verify.py`` and the tests."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from newsdesk.records import ArticleSentence, Citation, Item
from newsdesk.text.numbers import figures
from newsdesk.text.sentences import sentence_spans
from newsdesk.verify.checks import (
    ANTONYMS,
    normalise,
)
from newsdesk.verify.checks import claim_names as _claim_names

_AUX = re.compile(r"\b(will|is|was|are|were|has|have|had|would|could|can)\b(?! not)")
_SMALL = {
    1: "one",
    2: "two",
    3: "three",
    4: "four",
    5: "five",
    6: "six",
    7: "seven",
    8: "eight",
    9: "nine",
    10: "ten",
    11: "eleven",
    12: "twelve",
    20: "twenty",
    30: "thirty",
    40: "forty",
    50: "fifty",
}
KINDS = ("number", "entity", "direction", "negation", "quote", "wrong_source", "uncited_figure")


@dataclass
class LabelledClaim:
    kind: str  # a perturbation kind, or "faithful"
    claim: ArticleSentence
    original: str
    variant: str = ""  # for faithful claims: how the sentence was rewritten


def _cite(item: Item, start: int, end: int) -> list[Citation]:
    return [Citation(1, item.id, start, end)]


def build(items: list[Item], seed: int = 0) -> list[LabelledClaim]:
    rng = random.Random(seed)
    pool = [
        (item, s.start, s.end)
        for item in items
        for s in sentence_spans(item.text)
        if len(item.text[s.start : s.end].split()) >= 6
    ]
    all_names = sorted({n for item in items for n in _claim_names(item.text) if " " in n})
    out: list[LabelledClaim] = []
    for item, start, end in pool:
        text = item.text[start:end]
        cite = _cite(item, start, end)
        source = normalise(item.text).lower()
        figs = figures(text)
        # --- perturbations ---
        if figs:
            f = rng.choice(figs)
            digits = re.search(r"\d[\d,.]*", f.text)
            if digits:
                value = float(digits.group().replace(",", ""))
                new = value + max(1, round(value * rng.choice([0.2, 0.35, 0.5]))) if value >= 1 else value + 0.5
                new_text = f"{new:,.0f}" if "," in digits.group() or new >= 1000 else (f"{new:g}")
                if new_text.replace(",", "") not in source.replace(",", ""):
                    changed = text[: f.start] + f.text.replace(digits.group(), new_text, 1) + text[f.end :]
                    out.append(LabelledClaim("number", ArticleSentence(changed, cite), text))
            out.append(LabelledClaim("uncited_figure", ArticleSentence(text, []), text))
        names = [n for n in _claim_names(text) if " " in n]
        others = [n for n in all_names if n.lower() not in source and n.split()[-1].lower() not in source]
        if names and others:
            n = rng.choice(names)
            out.append(LabelledClaim("entity", ArticleSentence(text.replace(n, rng.choice(others), 1), cite), text))
        words = re.findall(r"\b\w+\b", text)
        flips = [w for w in words if w.lower() in ANTONYMS]
        if flips:
            w = rng.choice(flips)
            flipped = re.sub(rf"\b{re.escape(w)}\b", sorted(ANTONYMS[w.lower()])[0], text, count=1)
            out.append(LabelledClaim("direction", ArticleSentence(flipped, cite), text))
        if _AUX.search(text):
            out.append(
                LabelledClaim("negation", ArticleSentence(_AUX.sub(lambda m: m.group() + " not", text, count=1), cite), text)
            )
        elif " not " in text:
            out.append(LabelledClaim("negation", ArticleSentence(text.replace(" not ", " ", 1), cite), text))
        quoted = re.search(r"[\"\u201c]([^\"\u201c\u201d]{3,})[\"\u201d]", text)
        fabricated = rng.choice(
            [
                "we will double our investment next year",
                "nobody here saw this coming",
                "the numbers speak for themselves",
                "this is only the beginning",
            ]
        )
        if quoted:
            out.append(
                LabelledClaim(
                    "quote", ArticleSentence(text.replace(quoted.group(1), fabricated.capitalize() + ",", 1), cite), text
                )
            )
        elif names:
            out.append(LabelledClaim("quote", ArticleSentence(f'{names[0]} said: "{fabricated.capitalize()}."', cite), text))
        # Another story's item: a same-story item may well support the sentence.
        wrong = [other for other in items if other.story_id != item.story_id]
        if wrong:
            other = rng.choice(wrong)
            out.append(
                LabelledClaim("wrong_source", ArticleSentence(text, [Citation(1, other.id, 0, min(len(other.text), 80))]), text)
            )
        # --- faithful claims ---
        out.append(LabelledClaim("faithful", ArticleSentence(text, cite), text, "verbatim"))
        for variant, rewrite in (
            ("figures reformatted", _reformat(text)),
            ("clauses reordered", _reorder(text)),
            ("attribution trimmed", _trim_attribution(text)),
            ("date dropped", _drop_day(text)),
        ):
            if rewrite and rewrite != text:
                out.append(LabelledClaim("faithful", ArticleSentence(rewrite, cite), text, variant))
    return out


def _trim_attribution(text: str) -> str | None:
    """ "X happened, the company said." → "X happened." (no quote involved)."""
    m = re.match(r"^(?P<claim>[^\"\u201c]{20,}?), (?:the |a )?(?:[A-Za-z'-]+ ){0,4}(?:said|says|officials said)\.$", text)
    return m.group("claim") + "." if m else None


def _drop_day(text: str) -> str | None:
    """ " on Tuesday" removed: less said, nothing changed."""
    out = re.sub(r" on (Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b", "", text, count=1)
    return out if out != text else None


def _reformat(text: str) -> str | None:
    """The same figures in another format: 5% → 5 percent, 12 → twelve, $2.4 billion → 2.4 billion dollars."""
    out, changed = text, False
    m = re.search(r"(\d+(?:\.\d+)?)%", out)
    if m:
        out, changed = out.replace(m.group(), f"{m.group(1)} percent", 1), True
    m = re.search(r"(?<![\w.,$:-])(\d{1,2})(?![\w.,%:-])", out)
    if m and int(m.group(1)) in _SMALL and not re.search(r"\d{4}", m.group()):
        out, changed = out[: m.start()] + _SMALL[int(m.group(1))] + out[m.end() :], True
    m = re.search(r"\$(\d+(?:\.\d+)?) (million|billion)", out)
    if m:
        out, changed = out.replace(m.group(), f"{m.group(1)} {m.group(2)} dollars", 1), True
    m = re.search(r"\b(\d{1,3}),(\d{3})\b(?! (?:million|billion))", out)
    if m and m.group(2).endswith("00") and not changed:
        out, changed = (
            out.replace(m.group(), f"{int(m.group(1))}.{m.group(2)[0]} thousand" if m.group(2)[1:] == "00" else m.group(), 1),
            True,
        )
    return out if changed else None


def _reorder(text: str) -> str | None:
    """Clauses reordered: "X, Y said." → "Y said that X." and "A after B." → "After B, A."."""
    m = re.match(r"^(?P<claim>[^\"\u201c]+?), (?P<who>(?:[A-Za-z.'-]+ ){0,5}(?:said|says))\.$", text)
    if m:
        who = m.group("who")
        claim = m.group("claim")
        return f"{who[0].upper()}{who[1:]} that {claim[0].lower() if claim.split()[0][1:].islower() is not False else claim[0]}{claim[1:]}."
    m = re.match(r"^(?P<a>[A-Z][^,]+?) after (?P<b>[^,]+)\.$", text)
    if m:
        return f"After {m.group('b')}, {m.group('a')[0].lower()}{m.group('a')[1:]}."
    return None
