"""Checks of one claim against the items it cites, and only those.

Hard checks (a failure is FAIL): citation integrity, figures, quotes, names.
Soft checks (a doubt is REVIEW): direction and negation against the best evidence sentence,
the speaker of a quote, derived figures, weak support. A high support score never overrides
a failed hard check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from newsdesk.records import ArticleSentence, Item
from newsdesk.verify.numbers import derivation, figures, matches
from newsdesk.write.extractive import _NOT_TAGS, _names
from newsdesk.write.sentences import sentence_spans

PASS, FAIL, REVIEW = "PASS", "FAIL", "REVIEW"

_QUOTE_MARKS = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
                              "\u2018": "'", "\u2019": "'"})
_QUOTED = re.compile(r'"([^"]{3,}?)"')
_SPACES = re.compile(r"\s+")
_SAID = re.compile(r"\b(said|says|told|added|wrote|warned|according to)\b", re.I)
_OPPOSITES = [
    ("rose", "fell"), ("rise", "fall"), ("rises", "falls"), ("rising", "falling"), ("risen", "fallen"),
    ("increase", "decrease"), ("increased", "decreased"), ("increases", "decreases"), ("more", "fewer"), ("more", "less"),
    ("higher", "lower"), ("up", "down"), ("grew", "shrank"), ("gained", "lost"), ("climbed", "dropped"),
    ("raised", "cut"), ("above", "below"), ("before", "after"), ("most", "least"), ("improved", "worsened"),
    ("largest", "smallest"), ("won", "lost"), ("accepted", "rejected"), ("approved", "rejected"), ("open", "close"),
    ("open", "closed"), ("opened", "closed"), ("opens", "closes"), ("reopened", "closed"), ("allowed", "banned"),
    ("start", "end"), ("started", "ended"), ("first", "last"), ("earlier", "later"), ("hired", "fired"),
]
ANTONYMS: dict[str, set[str]] = {}
for _a, _b in _OPPOSITES:
    ANTONYMS.setdefault(_a, set()).add(_b)
    ANTONYMS.setdefault(_b, set()).add(_a)
_NEGATIONS = {"not", "no", "never", "none", "neither", "nor", "without", "nobody", "nothing"}
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def normalise(text: str) -> str:
    return _SPACES.sub(" ", text.translate(_QUOTE_MARKS)).strip()


@dataclass
class Evidence:
    item_id: int
    start: int
    end: int
    text: str
    score: float


@dataclass
class ClaimCheck:
    index: int
    text: str
    verdict: str
    reasons: list[str] = field(default_factory=list)
    offending: list[str] = field(default_factory=list)  # the spans of the claim that failed
    evidence: list[Evidence] = field(default_factory=list)
    support: float = 0.0
    derived: list[str] = field(default_factory=list)
    citation_support: dict[int, bool] = field(default_factory=dict)  # reference number → supports alone


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("n't", " not"))


def _has_facts(text: str) -> bool:
    return bool(figures(text) or _QUOTED.search(normalise(text)) or _claim_names(text))


_MODEL_NAME = re.compile(r"\b[A-Z][A-Za-z]*-\d+[A-Za-z]*\b")  # "Tern-2", "Lumen-7B"


def _claim_names(text: str) -> set[str]:
    outside = _QUOTED.sub(" ", normalise(text))
    names = {n for n in _names(outside) if n.lower() not in _NOT_TAGS}
    return names | set(_MODEL_NAME.findall(outside))


def _name_present(name: str, haystack: str) -> bool:
    low = haystack.lower()
    candidate = name.lower()
    if candidate in low:
        return True
    if candidate.startswith("the ") and candidate[4:] in low:
        return True
    parts = name.split()
    if len(parts) > 1 and len(parts[-1]) > 2 and re.search(r"\b" + re.escape(parts[-1].lower()) + r"\b", low):
        return True  # a surname for the full name
    initials = "".join(p[0] for p in parts if p[0].isupper())
    if len(parts) > 1 and len(initials) >= 2 and re.search(r"\b" + initials + r"\b", haystack):
        return True  # "FCB" for "Financial Conduct Board"
    if name.isupper() and len(name) >= 2:  # an abbreviation in the claim for a name in the source
        for m in re.finditer(r"\b(?:[A-Z][a-z]+\s+){1,5}[A-Z][a-z]+", haystack):
            if "".join(w[0] for w in m.group().split()) == name:
                return True
    return False


class ClaimChecker:
    def __init__(self, review_support: float = 0.35, number_tolerance: float = 0.0, quote_window: int = 300):
        self.review_support = review_support
        self.number_tolerance = number_tolerance
        self.quote_window = quote_window

    def check_all(self, claims: list[ArticleSentence], items: dict[int, Item]) -> list[ClaimCheck]:
        """Check every claim; ``items`` holds (at least) every cited item that exists."""
        sentences = {iid: [(s.start, s.end) for s in sentence_spans(item.text)] for iid, item in items.items()}
        texts = [normalise(c.text) for c in claims]
        pool = [(iid, a, b) for iid, spans in sentences.items() for a, b in spans]
        vectors = self._vectorise(texts + [normalise(items[iid].text[a:b]) for iid, a, b in pool])
        claim_vectors, pool_vectors = vectors[: len(texts)], vectors[len(texts) :]
        sims = (claim_vectors @ pool_vectors.T).toarray() if len(pool) else np.zeros((len(texts), 0))
        pool_items = np.array([iid for iid, _, _ in pool])
        out = []
        for index, claim in enumerate(claims):
            out.append(self._check(index, claim, items, pool, pool_items, sims[index]))
        return out

    @staticmethod
    def _vectorise(texts: list[str]):
        """Lexical (words) and fuzzy (character n-grams) similarity in one vector."""
        import scipy.sparse as sp
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import normalize

        words = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)
        chars = TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(3, 5)).fit_transform(texts)
        return normalize(sp.hstack([words, chars]).tocsr())

    def _check(self, index, claim, items, pool, pool_items, sims) -> ClaimCheck:
        text = normalise(claim.text)
        check = ClaimCheck(index=index, text=claim.text, verdict=PASS)
        review: list[str] = []
        cited_ids = [c.item_id for c in claim.citations]
        missing = [c.ref for c in claim.citations if c.item_id not in items]
        if missing:
            check.reasons.append(f"citation [{', '.join(map(str, missing))}] resolves to no stored source")
        present = [iid for iid in dict.fromkeys(cited_ids) if iid in items]
        if not claim.citations:
            if _has_facts(claim.text):
                check.reasons.append("uncited claim: it states a figure, a name or a quote but cites nothing")
                check.offending.append(claim.text)
            check.verdict = FAIL if check.reasons else PASS
            return check
        if not present:
            check.verdict = FAIL
            return check
        mask = np.isin(pool_items, present)
        order = [j for j in np.argsort(-sims) if mask[j]][:3]
        check.evidence = [Evidence(pool[j][0], pool[j][1], pool[j][2], items[pool[j][0]].text[pool[j][1] : pool[j][2]],
                                   round(float(sims[j]), 3)) for j in order]
        check.support = check.evidence[0].score if check.evidence else 0.0
        hard, soft = self._hard_and_soft(text, [items[i] for i in present], [e.text for e in check.evidence],
                                         self._top_sentences(sims, pool, pool_items, present, items))
        check.reasons.extend(r for r, _ in hard)
        check.offending.extend(o for _, o in hard)
        review.extend(soft)
        if check.support < self.review_support:
            review.append(f"weak support: best evidence scores {check.support:.2f} (verify.review_support = {self.review_support})")
        for c in claim.citations:
            if c.item_id in items:
                h, _ = self._hard_and_soft(text, [items[c.item_id]], [], self._top_sentences(sims, pool, pool_items, [c.item_id], items))
                best = max((float(sims[j]) for j in range(len(pool)) if pool_items[j] == c.item_id), default=0.0)
                check.citation_support[c.ref] = not h and best >= self.review_support
        check.derived = [r[len("derived: "):] for r in review if r.startswith("derived: ")]
        if check.reasons:
            check.verdict = FAIL
        elif review:
            check.verdict = REVIEW
            check.reasons.extend(review)
        return check

    @staticmethod
    def _top_sentences(sims, pool, pool_items, item_ids, items, k: int = 5) -> str:
        """The cited items' sentences most like the claim: where its figures must stand."""
        mask = np.isin(pool_items, item_ids)
        order = [j for j in np.argsort(-sims) if mask[j]][:k]
        return "\n".join(items[pool[j][0]].text[pool[j][1] : pool[j][2]] for j in order)

    def _hard_and_soft(self, text: str, cited: list[Item], evidence: list[str], near: str) -> tuple[list[tuple[str, str]], list[str]]:
        hard: list[tuple[str, str]] = []
        soft: list[str] = []
        # Outlet and title belong to the source: "according to the Harbor Ledger" names no one new.
        source = normalise("\n".join(f"{i.outlet}\n{i.title}\n{i.text}" for i in cited))
        # A figure must stand in the sentences that back the claim, not anywhere in the item
        # ("8:14" is not supported by "eight months" three paragraphs away).
        source_figures = figures(normalise(near))
        for fig in figures(text):
            if any(matches(fig, s, self.number_tolerance) for s in source_figures):
                continue
            how = derivation(fig, source_figures)
            if how:
                soft.append(f"derived: {how}")
            else:
                hard.append((f"figure {fig.text!r} is not in the cited sources", fig.text))
        low_source = source.lower()
        for quote in _QUOTED.findall(text):
            q = normalise(quote).lower().strip(" ,.")
            where = low_source.find(q)
            if where < 0:
                hard.append((f"quote {quote!r} does not appear verbatim in the cited sources", quote))
                continue
            speaker = self._speaker(text)
            if speaker:
                window = source[max(0, where - self.quote_window) : where + len(q) + self.quote_window]
                if not _name_present(speaker, window):
                    soft.append(f"the quote is attributed to {speaker}, who is not named near it in the source")
        for name in sorted(_claim_names(text)):
            if not _name_present(name, source):
                hard.append((f"name {name!r} is not in the cited sources", name))
        if evidence:
            claim_tokens = _words(text)
            claim_words = set(claim_tokens)
            best = evidence[0]
            evidence_tokens = _words(best)
            evidence_words = set(evidence_tokens)
            flipped = [(w, o) for w in sorted(claim_words - evidence_words) for o in sorted(ANTONYMS.get(w, ()))
                       if o in evidence_words - claim_words]
            if flipped:
                soft.append(f"direction differs from the best evidence ({flipped[0][0]} / {flipped[0][1]})")
            claim_neg = sum(t in _NEGATIONS for t in claim_tokens)
            evidence_neg = sum(t in _NEGATIONS for t in evidence_tokens)
            if claim_neg != evidence_neg:
                soft.append("negation differs from the best evidence")
        return hard, soft

    @staticmethod
    def _speaker(text: str) -> str | None:
        outside = _QUOTED.sub(" \u2016 ", text)
        m = _SAID.search(outside)
        if not m:
            return None
        near = outside[max(0, m.start() - 80) : m.end() + 80]
        names = [n for n in _names(near) if n.lower() not in _NOT_TAGS]
        return max(names, key=len) if names else None
