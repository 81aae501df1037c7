"""Checks of one claim against the items it cites, and only those.

Every content word of a claim must be accounted for by its evidence (the cited items'
sentences most like it): directly, through a lemma, or through the synonym list of
``newsdesk.text.lexicon``. What is left unaccounted is named in the verdict.

FAIL (the claim is removed, or the article held): a citation that resolves to nothing; a
figure no cited sentence states (arithmetic too, unless the claim shows its operands); a
quote, in any quote marks, that is not verbatim in a source, or whose speaker is not the one
the source's carrying sentence (or its immediate attribution) names; a name of any shape the
sources lack; a weekday or month that disagrees with the evidence; direction, negation or
modal strength that differs from the evidence; an unaccounted superlative, quantifier, cause,
comparison or event word; a claim whose only support is text addressed to a model; a cited
passage that carries little of the claim (wrong passage).

REVIEW, *locked* (an editor, or a judge's FAIL, settles it; a judge's PASS cannot): a few
ordinary content words unaccounted. REVIEW, open: weak overall support with every word
accounted for. A high support score never overrides a finding.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import numpy as np

from newsdesk.records import ArticleSentence, ClaimCheck, Evidence, Item
from newsdesk.text import lexicon
from newsdesk.text.injection import mask, screen
from newsdesk.text.names import NOT_NAMES, SAID, is_dictionary_word, name_present, names, names_of_every_shape
from newsdesk.text.numbers import APPROXIMATION, Figure, derivation, figures, hedge_start, is_year, matches
from newsdesk.text.sentences import raw_sentence_spans, sentence_spans

if TYPE_CHECKING:
    from newsdesk.config import VerifySettings

PASS, FAIL, REVIEW = "PASS", "FAIL", "REVIEW"
K = TypeVar("K")
V = TypeVar("V")

_QUOTE_MARKS = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2039": '"',
        "\u203a": '"',
        "\u2019": "'",
        "\u02bc": "'",
    }
)
# Double quotes (straight, curly, low, guillemets, all made straight by ``normalise``) and single
# quotes (curly ‘…’ or straight '…' that open after a space and close before one: not apostrophes).
_QUOTED = re.compile(
    r'"([^"]{3,}?)"|(?:(?<=^)|(?<=[\s(\[\u2014:]))[\u2018\']([^\u2018\'\n]*?[^\s\u2018\'])[\u2019\'](?=[\s.,;:!?)\]\u2014]|$)'
)
_SPACES = re.compile(r"\s+")
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|\u2026|\[\u2026\]|\[\.\.\.\])\s*")

_OPPOSITES = [
    ("rose", "fell"),
    ("rise", "fall"),
    ("rises", "falls"),
    ("rising", "falling"),
    ("risen", "fallen"),
    ("increase", "decrease"),
    ("increased", "decreased"),
    ("increases", "decreases"),
    ("more", "fewer"),
    ("more", "less"),
    ("higher", "lower"),
    ("up", "down"),
    ("grew", "shrank"),
    ("gained", "lost"),
    ("climbed", "dropped"),
    ("raised", "cut"),
    ("above", "below"),
    ("before", "after"),
    ("most", "least"),
    ("improved", "worsened"),
    ("largest", "smallest"),
    ("won", "lost"),
    ("accepted", "rejected"),
    ("approved", "rejected"),
    ("open", "close"),
    ("open", "closed"),
    ("opened", "closed"),
    ("opens", "closes"),
    ("reopened", "closed"),
    ("allowed", "banned"),
    ("start", "end"),
    ("started", "ended"),
    ("first", "last"),
    ("earlier", "later"),
    ("hired", "fired"),
    ("soared", "fell"),
    ("jumped", "fell"),
    ("surged", "fell"),
    ("soared", "dropped"),
    ("jumped", "dropped"),
    ("surged", "slid"),
    ("rose", "slid"),
    ("jumped", "slid"),
    ("soared", "plunged"),
    ("rallied", "tumbled"),
    ("gained", "declined"),
    ("rose", "declined"),
    ("climbed", "fell"),
    ("increased", "dropped"),
]
ANTONYMS: dict[str, set[str]] = {}
for _a, _b in _OPPOSITES:
    ANTONYMS.setdefault(_a, set()).add(_b)
    ANTONYMS.setdefault(_b, set()).add(_a)
_NEGATIONS = {"not", "no", "never", "none", "neither", "nor", "without", "nobody", "nothing"}
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_NUMBER_WORDS = set(
    re.findall(
        r"[a-z]+",
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty "
        "sixty seventy eighty ninety hundred thousand million billion trillion dozen "
        "percent cent bn mn tn k m b dollars euros pounds usd eur gbp",
    )
)
_DATE = re.compile(
    r"\b(?:(?P<m1>[A-Z][a-z]{2,8})\.?\s+(?P<d1>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<y1>\d{4}))?"
    r"|(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>[A-Z][a-z]{2,8})\.?(?:,?\s+(?P<y2>\d{4}))?)\b"
)
_MONTH_WORD = re.compile(
    r"\b(" + "|".join(m.capitalize() for m in lexicon.MONTHS) + r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.)"
)
_LOWER_MONTHS = "|".join(m for m in lexicon.MONTHS if m != "may")
# In a claim, a month in lower case only beside a day or a year ("on 17 june", "june 2017"): "march"
# and "may" are verbs too. In evidence (copy may be lower-cased), any month but the verb "may".
_CLAIM_MONTH = re.compile(
    _MONTH_WORD.pattern[:-1]
    + r"|(?:(?<=\d )|(?<=\dst )|(?<=\dnd )|(?<=\drd )|(?<=\dth ))(?:"
    + _LOWER_MONTHS
    + r"|may)\b|\b(?:"
    + _LOWER_MONTHS
    + r"|may)(?= \d))"
)
_EVIDENCE_MONTH = re.compile(
    r"\b((?i:(?:" + _LOWER_MONTHS.replace("march|", "") + r")\b|(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.)"
    r"|March\b|May\b|(?<=\d )march\b|march(?= \d))"
)
_WEEKDAY_WORD = re.compile(r"\b(" + "|".join(d.capitalize() for d in lexicon.WEEKDAYS) + r")\b")


def normalise(text: str) -> str:
    return _SPACES.sub(" ", text.translate(_QUOTE_MARKS)).strip()


def quotes_in(text: str) -> list[str]:
    """What a (normalised) text quotes, in any quote marks."""
    return [m.group(1) or m.group(2) for m in _QUOTED.finditer(text)]


def outside_quotes(text: str, filler: str = " ") -> str:
    return _QUOTED.sub(filler, text)


def _words(text: str) -> list[str]:
    return _WORD.findall(normalise(text).lower().replace("n't", " not"))


def _has_facts(text: str) -> bool:
    text = normalise(text)
    return bool(figures(text) or quotes_in(text) or claim_names(text))


def claim_names(text: str) -> set[str]:
    """The names a claim states outside its quotes."""
    return names_of_every_shape(outside_quotes(normalise(text), " \u2016 "))


@dataclass
class _Sources:
    """The cited items as evidence: masked of any text addressed to a model."""

    items: list[Item]
    titles: list[str]  # masked
    text: str  # outlets, titles and texts, masked and normalised
    injected: str  # what was masked, for saying why a claim fails


def _masked(item: Item) -> tuple[str, str, str]:
    """(title, text, what was masked): the item as evidence."""
    found = screen(item.title) + screen(item.text)
    if not found:
        return item.title, item.text, ""
    return mask(item.title), mask(item.text), " ".join(s.text for s in found)


def _sources(items: list[Item], masked: dict[int, tuple[str, str, str]]) -> _Sources:
    parts = [masked[i.id] for i in items]
    return _Sources(
        items,
        [t for t, _, _ in parts],
        normalise("\n".join(f"{i.outlet}\n{t}\n{x}" for i, (t, x, _) in zip(items, parts))),
        normalise(" ".join(j for _, _, j in parts)),
    )


@lru_cache(maxsize=1)
def _analysers() -> tuple[Any, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return (
        TfidfVectorizer(stop_words="english").build_analyzer(),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)).build_analyzer(),
    )


class _Recent(Generic[K, V]):
    """The ``size`` most recently used values by key, for threads sharing one process."""

    def __init__(self, size: int):
        self.size = size
        self.values: OrderedDict[K, V] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self.lock:
            value = self.values.get(key)
            if value is not None:
                self.values.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self.lock:
            self.values[key] = value
            while len(self.values) > self.size:
                self.values.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.values.clear()

    def __len__(self) -> int:
        return len(self.values)


# Every sentence of the sources comes back in every check of an article (the writer's four
# and the verifier's): each text's tokens are counted once, as ids into one vocabulary shared
# by all checks; a check then only joins its rows. Both are bounded: past ``_ROWS``' size the
# least recent rows go, and past ``_VOCABULARY_MAX`` tokens everything starts afresh.
_VOCABULARY: dict[str, int] = {}
_VOCABULARY_MAX = 1_000_000
_VOCABULARY_LOCK = threading.Lock()
_ROWS: _Recent[tuple[bool, str], tuple[np.ndarray, np.ndarray]] = _Recent(32768)


def _token_rows(texts: list[str], chars: bool) -> list[tuple[np.ndarray, np.ndarray]]:
    """(sorted token ids, their counts) of each text, words or character n-grams."""
    analyse = _analysers()[1 if chars else 0]
    out = []
    with _VOCABULARY_LOCK:  # ids taken and rows kept under one lock: a restart never mixes them
        if len(_VOCABULARY) > _VOCABULARY_MAX:
            _VOCABULARY.clear()
            _ROWS.clear()
        for text in texts:
            row = _ROWS.get((chars, text))
            if row is None:
                tokens = analyse(text)
                ids = np.fromiter((_VOCABULARY.setdefault(t, len(_VOCABULARY)) for t in tokens), np.int32, len(tokens))
                uniq, counts = np.unique(ids, return_counts=True)
                row = (uniq, counts.astype(np.int32))
                _ROWS.put((chars, text), row)
            out.append(row)
    return out


def _tfidf(rows: list[tuple[np.ndarray, np.ndarray]]) -> Any:
    """L2-normalised rows of sublinear TF-IDF with smoothed IDF over the documents' tokens
    (``_token_rows``): what ``TfidfVectorizer(sublinear_tf=True)`` computes, without its
    per-call validation, which cost more than the counting for the few dozen sentences of one
    check. Columns are the documents' own vocabulary (in the shared ids' order)."""
    import scipy.sparse as sp

    lengths = np.array([len(ids) for ids, _ in rows], np.int64)
    if not lengths.sum():
        raise ValueError("empty vocabulary")
    vocabulary, cols = np.unique(np.concatenate([ids for ids, _ in rows]), return_inverse=True)
    counts = np.concatenate([c for _, c in rows])
    data = np.log(counts.astype(np.float64)) + 1.0
    df = np.bincount(cols, minlength=len(vocabulary))
    idf = np.log((1.0 + len(rows)) / (1.0 + df)) + 1.0
    data *= idf[cols]
    doc = np.repeat(np.arange(len(rows)), lengths)
    norms = np.sqrt(np.bincount(doc, weights=data * data, minlength=len(rows)))
    data /= norms[doc]
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    return sp.csr_matrix((data, cols.astype(np.int64), indptr), shape=(len(rows), len(vocabulary)))


_LABEL_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)?")


def _generic_label(text: str) -> bool:
    """A heading of heading words and stop words alone ("What happened", "By the numbers",
    "Background"): it says nothing a source must say, so it passes without being compared
    with the sources (most section headings are these; comparing each cost a vectorising of
    its section's sentences). Not when it states a figure, a negation, a hedge or a quote."""
    words = [w.lower() for w in _LABEL_WORD.findall(text)]
    return (
        bool(words)
        and not figures(text)
        and not any(q in text for q in '"\u201c\u201d')
        and all(
            (w in lexicon.HEADING_WORDS or w in lexicon.STOPWORDS) and w not in _NEGATIONS and w not in lexicon.HEDGES
            for w in words
        )
    )


class ClaimChecker:
    def __init__(
        self,
        review_support: float = 0.35,
        number_tolerance: float = 0.0,
        approximation: float = APPROXIMATION,
        near: int = 5,
        allow_derived: bool = False,
        judge_settles: tuple[str, ...] = (),
    ):
        self.judge_settles = tuple(judge_settles)
        self.review_support = review_support
        self.number_tolerance = number_tolerance
        self.approximation = approximation
        self.near = near
        self.allow_derived = allow_derived

    @classmethod
    def from_settings(cls, verify: VerifySettings) -> ClaimChecker:
        """The checker ``[verify]`` describes (``newsdesk.config.VerifySettings``)."""
        return cls(
            verify.review_support,
            verify.number_tolerance,
            approximation=verify.approximation,
            allow_derived=verify.allow_derived,
            judge_settles=tuple(verify.judge_settles),
        )

    def check_all(self, claims: list[ArticleSentence], items: dict[int, Item], label: bool = False) -> list[ClaimCheck]:
        """Check every claim; ``items`` holds (at least) every cited item that exists."""
        masked = {iid: _masked(item) for iid, item in items.items()}
        sentences = {iid: [(s.start, s.end) for s in sentence_spans(item.text)] for iid, item in items.items()}
        texts = [normalise(c.text) for c in claims]
        pool = [(iid, a, b) for iid, spans in sentences.items() for a, b in spans]
        vectors = self._vectorise(texts + [normalise(items[iid].text[a:b]) for iid, a, b in pool])
        claim_vectors, pool_vectors = vectors[: len(texts)], vectors[len(texts) :]
        sims = (claim_vectors @ pool_vectors.T).toarray() if len(pool) else np.zeros((len(texts), 0))
        pool_items = np.array([iid for iid, _, _ in pool])
        out = []
        for index, claim in enumerate(claims):
            out.append(self._check(index, claim, items, masked, pool, pool_items, sims[index], label))
        return out

    def check_label(self, text: str, items: list[Item]) -> ClaimCheck:
        """A headline or a section heading, as a claim about ``items``: generic heading words
        ("What happened", "By the numbers") need no source, and weak support alone is no doubt
        (labels are short). Anything else is checked as in a sentence."""
        if not items or _generic_label(text):
            return ClaimCheck(0, text, PASS)
        from newsdesk.records import Citation

        claim = ArticleSentence(text, [Citation(n, i.id, 0, 0) for n, i in enumerate(items, start=1)])
        return self.check_all([claim], {i.id: i for i in items}, label=True)[0]

    @staticmethod
    def _vectorise(texts: list[str]) -> Any:
        """Lexical (words) and fuzzy (character n-grams) similarity in one vector."""
        import scipy.sparse as sp
        from sklearn.preprocessing import normalize

        # Each text is analysed once (the sources' sentences come back in every check of an
        # article, from the writer's and the verifier's calls): the same tokens, so the same
        # vectors, as the vectorisers' own analysers give.
        try:
            words = _tfidf(_token_rows(texts, chars=False))
        except ValueError:  # nothing but stop words
            words = sp.csr_matrix((len(texts), 1))
        chars = _tfidf(_token_rows(texts, chars=True))
        return normalize(sp.hstack([words, chars]).tocsr())

    def _check(
        self,
        index: int,
        claim: ArticleSentence,
        items: dict[int, Item],
        masked: dict[int, tuple[str, str, str]],
        pool: list[tuple[int, int, int]],
        pool_items: np.ndarray,
        sims: np.ndarray,
        label: bool = False,
    ) -> ClaimCheck:
        if claim.frame is not None:
            return check_frame(index, claim, items)
        text = normalise(claim.text)
        check = ClaimCheck(index=index, text=claim.text, verdict=PASS)
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
        mask_ = np.isin(pool_items, present)
        order = [j for j in np.argsort(-sims) if mask_[j]]
        check.evidence = [
            Evidence(
                pool[j][0], pool[j][1], pool[j][2], items[pool[j][0]].text[pool[j][1] : pool[j][2]], round(float(sims[j]), 3)
            )
            for j in order[:3]
        ]
        check.support = check.evidence[0].score if check.evidence else 0.0
        near = [items[pool[j][0]].text[pool[j][1] : pool[j][2]] for j in order[: self.near]]
        # Figures must stand in sentences about the same thing: at least half as like the claim as the best.
        top = float(sims[order[0]]) if order else 0.0
        close = [items[pool[j][0]].text[pool[j][1] : pool[j][2]] for j in order[: self.near] if float(sims[j]) >= 0.5 * top]
        # The span each citation names is evidence too (the writer says where it read the claim).
        spans = [items[c.item_id].text[c.start : c.end] for c in claim.citations if c.item_id in items and c.end > c.start]
        verbatim = self._verbatim(text, present, masked)
        if not verbatim:
            findings = self._findings(
                text, _sources([items[i] for i in present], masked), near, [mask(s) for s in spans], label, close
            )
            self._settle(check, findings)
        if not verbatim and check.verdict != FAIL and not check.unaccounted and check.support < self.review_support and not label:
            check.verdict = REVIEW
            check.reasons.append(
                f"weak support: best evidence scores {check.support:.2f} (verify.review_support = {self.review_support})"
            )
        for c in claim.citations:
            if c.item_id in items:
                alone = [k for k in order if pool_items[k] == c.item_id]
                f = self._findings(
                    text,
                    _sources([items[c.item_id]], masked),
                    [items[c.item_id].text[pool[j][1] : pool[j][2]] for j in alone[: self.near]],
                    [],
                    label,
                )
                best = float(sims[alone[0]]) if alone else 0.0
                check.citation_support[c.ref] = self._verbatim(text, [c.item_id], masked) or (
                    not f.hard and best >= self.review_support
                )
        if claim.composed and check.verdict == PASS:
            # A sentence composed from several sources' figures (write.synthesis): each citation
            # supports its part, the figures its span states.
            stated = figures(text)
            for c in claim.citations:
                span = items[c.item_id].text[c.start : c.end] if c.item_id in items else ""
                own = figures(span)
                check.citation_support[c.ref] = any(matches(x, y, self.number_tolerance, 0.0) for x in stated for y in own)
        return check

    def _settle(self, check: ClaimCheck, f: _Findings) -> None:
        check.reasons.extend(r for r, _ in f.hard)
        check.offending.extend(o for _, o in f.hard)
        check.derived = f.derived
        check.unaccounted = f.unaccounted
        if f.hard:
            check.verdict = FAIL
            check.locked = True
            check.atoms = [_atom(check, reason, atom) for reason, atom in f.hard]
        elif f.unaccounted:
            # Wording (a paraphrase's ordinary words): a judge may settle it when the policy says so.
            check.verdict = REVIEW
            check.locked = "wording" not in self.judge_settles
            check.reasons.append("unaccounted: " + ", ".join(f.unaccounted) + " (no cited sentence says so)")
            check.atoms = [_atom(check, f"unaccounted: {w} (no cited sentence says so)", w) for w in f.unaccounted]

    # -- the findings --

    @staticmethod
    def _verbatim(text: str, present: list[int], masked: dict[int, tuple[str, str, str]]) -> bool:
        """The claim is one or more whole sentences of a cited source, word for word (injected
        text masked): it says what the source says."""
        if len(text.split()) < 6:
            return False
        for iid in present:
            source = re.sub(r"[ \t\r\f\v]*\n\s*", "\n", re.sub(r"[ \t\r\f\v]+", " ", masked[iid][1].translate(_QUOTE_MARKS)))
            start = source.find(text)
            while start >= 0:
                before = source[max(0, start - 2) : start]
                if start == 0 or re.search(r"(?:[.!?\"')\]]\s|\n|^\s?)$", before) or source[start - 1] == "\n":
                    return True
                start = source.find(text, start + 1)
        return False

    def _findings(
        self, text: str, src: _Sources, near: list[str], spans: list[str], label: bool = False, close: list[str] | None = None
    ) -> _Findings:
        # Remembered: the writer checks a sentence against the same evidence that its later
        # checks and the verifier give again (half of all calls in a 2,000-item run).
        parts = (
            self.number_tolerance,
            self.approximation,
            self.allow_derived,
            text,
            tuple((i.id, i.outlet, getattr(i, "when", None)) for i in src.items),
            src.text,
            tuple(src.titles),
            src.injected,
            tuple(near),
            tuple(spans),
            label,
            None if close is None else tuple(close),
            date.today(),
        )
        key = hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).digest()
        found = _FINDINGS.get(key)
        if found is None:
            found = self._find(text, src, near, spans, label, close)
            _FINDINGS.put(key, found)
        return _Findings(list(found.hard), list(found.unaccounted), list(found.derived))

    def _find(
        self, text: str, src: _Sources, near: list[str], spans: list[str], label: bool, close: list[str] | None
    ) -> _Findings:
        f = _Findings()
        evidence_text = normalise("\n".join(dict.fromkeys(near + spans)))
        titles = normalise("\n".join(f"{i.outlet}. {src.titles[n]}" for n, i in enumerate(src.items)))
        outside = outside_quotes(text, " \u2016 ")
        sourced = self._figures(
            text,
            normalise("\n".join(dict.fromkeys((close if close is not None else near) + spans))),
            f,
            src,
            normalise(near[0]) if near else "",
        )
        self._quotes(text, src, f)
        claim_names_found = names_of_every_shape(outside)
        for name in sorted(claim_names_found):
            if not name_present(name, src.text):
                f.hard.append((f"name {name!r} is not in the cited sources", name))
        self._dates(outside, evidence_text, src, f, normalise(near[0]) if near else "")
        # Quoted words count on both sides: quotes are checked verbatim, and a sentence may open mid-quote.
        evidence_words = _words(near[0]) if near else []
        self._direction_and_negation(text, evidence_words, near, f)
        self._modality(outside, normalise(near[0]) if near else evidence_text, f)
        # A figure that stands in its evidence accounts for its hedge and its words ("more than",
        # "a third of"): they are checked as the figure.
        plain = text
        for a, b in sourced:
            b += len(m.group()) if (m := _ORDINAL_END.match(text, b)) else 0  # "June 17th"
            plain = plain[:a] + " " * (b - a) + plain[b:]
        self._content_words(
            outside_quotes(plain, " \u2016 "),
            evidence_text + "\n" + titles,
            src,
            claim_names_found,
            f,
            lexicon.HEADING_WORDS if label else frozenset(),
            normalise("\n".join(dict.fromkeys((close if close is not None else near) + spans))) + "\n" + titles,
        )
        return f

    def _figures(
        self, text: str, evidence: str, f: _Findings, src: _Sources | None = None, best: str = ""
    ) -> list[tuple[int, int]]:
        """Each figure of the claim against the evidence; the spans (hedge included) of those found."""
        # A figure must stand in the sentences that back the claim, not anywhere in the item
        # ("8:14" is not supported by "eight months" three paragraphs away) — or in another
        # sentence of the item beside a word it stands beside in the claim ("Al-Odah, 37" for
        # "Fawzi al-Odah, 37, was released" when the claim joins two of its sentences).
        source_figures = figures(evidence, fractions=True)
        claim_figures = figures(text, fractions=True)
        found: list[tuple[int, int]] = []
        # Figures the claim states exactly are taken first; an approximate one ("about 1,400") may
        # then only round a source figure no other figure of the claim already stands for
        # ("between 1260 and 1390" does not support "between about 1,400 and 1390").
        taken = {id(s) for c in claim_figures for s in source_figures if matches(c, s, self.number_tolerance, 0.0)}
        for fig in claim_figures:
            other = self._otherwise(text, fig, best) if best else None
            if other is not None and (
                any(matches(fig, s, self.number_tolerance, self.approximation) for s in source_figures)
                or (src is not None and self._anchored(text, fig, src, evidence))
            ):
                # The best evidence gives the figure's words another figure ("the first 10
                # episodes"): the claim's ("the first 13 episodes") is not its figure, wherever
                # else the item has it.
                f.hard.append((f"figure {fig.text!r}: its best evidence says {other.text!r}", fig.text))
                continue
            if any(matches(fig, s, self.number_tolerance, 0.0) for s in source_figures):
                found.append((hedge_start(text, fig), fig.end))
                continue
            free = [s for s in source_figures if id(s) not in taken]
            close = [s for s in free if matches(fig, s, self.number_tolerance, self.approximation)]
            if close:
                taken.add(id(close[0]))
                found.append((hedge_start(text, fig), fig.end))
                continue
            if src is not None and self._anchored(text, fig, src, evidence):
                found.append((hedge_start(text, fig), fig.end))
                continue
            how = derivation(fig, source_figures)
            if how:
                # Arithmetic is allowed only when the claim shows its operands, each sourced.
                shown = [
                    o
                    for o in claim_figures
                    if o is not fig and any(matches(o, s, self.number_tolerance, self.approximation) for s in source_figures)
                ]
                if self.allow_derived and len(shown) >= 2 and derivation(fig, shown):
                    f.derived.append(derivation(fig, shown) or how)
                    continue
                f.hard.append((f"figure {fig.text!r} is arithmetic no cited source states ({how})", fig.text))
            else:
                f.hard.append((f"figure {fig.text!r} is not in the cited sources", fig.text))
        return found

    def _otherwise(self, text: str, fig: Figure, evidence: str) -> Figure | None:
        """A figure of ``evidence``, of the claim figure's kind, beside a word the claim figure
        stands beside, that ``evidence`` does not give the claim's figure and the claim does not
        state itself (years aside): the evidence says another figure for the same thing."""
        if any(matches(fig, s, self.number_tolerance, self.approximation) for s in figures(evidence, fractions=True)):
            return None
        mine = _anchor_words(text, fig)
        if not mine:
            return None
        stated = figures(text, fractions=True)
        for sentence, own in _figured_sentences(evidence):
            for s in own:
                if any(matches(c, s, self.number_tolerance, self.approximation) for c in stated) or is_year(s):
                    continue  # a figure the claim states too is no other figure for its words
                if s.kind == fig.kind or {s.kind, fig.kind} == {"money", "plain"}:
                    theirs = lexicon.evidence_forms(" ".join(_anchor_words(sentence, s)))
                    if any(lexicon.accounted(w, theirs) for w in mine):
                        return s
        return None

    def _anchored(self, text: str, fig: Figure, src: _Sources, evidence: str) -> bool:
        """The figure, stated exactly (no rounding borrowed from afar), in some sentence of the
        cited items beside a content word it stands beside in the claim (three words either side)
        — unless the claim's own evidence gives that word another figure ("10 episodes" near, "13
        episodes" three paragraphs on: the claim changed the figure)."""
        mine = _anchor_words(text, fig)
        if not mine or self._otherwise(text, fig, evidence) is not None:
            return False
        for sentence, own in _figured_sentences(src.text):
            for s in own:
                if matches(fig, s, self.number_tolerance, 0.0):
                    theirs = lexicon.evidence_forms(" ".join(_anchor_words(sentence, s)))
                    if any(lexicon.accounted(w, theirs) for w in mine):
                        return True
        return False

    def _quotes(self, text: str, src: _Sources, f: _Findings) -> None:
        low_source = src.text.lower()
        speaker = self._speaker(text)
        for quote in quotes_in(text):
            parts = [p for p in (normalise(p).lower().strip(" ,.;:") for p in _ELLIPSIS.split(quote)) if p]
            where = [low_source.find(p) for p in parts]
            if not parts or any(w < 0 for w in where):
                f.hard.append((f"quote {quote!r} does not appear verbatim in the cited sources", quote))
                continue
            if speaker and len(quote.split()) >= 3:
                # Every place the source carries these words: the speaker must be named at one of them.
                others: set[str] = set()
                unattributed = False
                at = where[0]
                for _ in range(5):
                    said_by = self._attribution(src.text, at, at + len(parts[0]))
                    if said_by is None:
                        unattributed = True
                    elif any(name_present(speaker, n) or name_present(n, speaker) for n in said_by) or name_present(
                        speaker, " ".join(said_by)
                    ):
                        break
                    else:
                        others |= said_by
                    at = low_source.find(parts[0], at + 1)
                    if at < 0:
                        if others and not unattributed:
                            who = ", ".join(sorted(others))
                            f.hard.append((f"the quote is attributed to {speaker}; in the source it is said by {who}", speaker))
                        break

    @staticmethod
    def _attribution(source: str, start: int, end: int) -> set[str] | None:
        """The names in the source sentence carrying the quote, or — when that sentence says only
        "he said" — in the sentence before it or after it (its immediate attribution)."""
        spans = raw_sentence_spans(source)
        k = next((n for n, s in enumerate(spans) if s.start <= start < s.end + 1), None)
        if k is None:
            return None
        last = next((n for n in range(k, len(spans)) if spans[n].end >= end), k)
        window = [source[spans[n].start : spans[n].end] for n in range(k, last + 1)]
        found = {
            n
            for w in window
            for n in names(outside_quotes(w)) | names_of_every_shape(outside_quotes(w))
            if n.lower() not in NOT_NAMES
        }
        if found:
            return found
        for n in (k - 1, last + 1):
            if 0 <= n < len(spans):
                found |= {x for x in names(outside_quotes(source[spans[n].start : spans[n].end])) if x.lower() not in NOT_NAMES}
        return found or None

    def _dates(self, outside: str, evidence: str, src: _Sources, f: _Findings, best: str = "") -> None:
        evidence_low = evidence.lower()
        whole_low = src.text.lower()
        # The best evidence sentence's weekdays, when it names any; else those of the nearby sentences.
        best_days = {d for d in lexicon.WEEKDAYS if re.search(rf"\b{d}\b", best.lower())}
        evidence_days = best_days or {d for d in lexicon.WEEKDAYS if re.search(rf"\b{d}\b", evidence_low)}
        named = self._dated_weekdays(evidence, src)
        for m in _WEEKDAY_WORD.finditer(outside):
            day = m.group(1).lower()
            if day in evidence_days or day in named:
                continue
            other = sorted(evidence_days | named)
            if not other and re.search(rf"\b{day}\b", whole_low):
                continue
            said = f"the source says {', '.join(d.capitalize() for d in other)}" if other else "no cited sentence names it"
            f.hard.append((f"weekday {m.group(1)}: {said}", m.group(1)))
        # As for weekdays: the best evidence sentence's months when it names any.
        evidence_months = {self._month(m.group(1)) for m in _EVIDENCE_MONTH.finditer(best)} or {
            self._month(m.group(1)) for m in _EVIDENCE_MONTH.finditer(evidence)
        }
        counted = Counter(self._month(m.group(1)) for m in _EVIDENCE_MONTH.finditer(best or evidence))
        claimed = Counter(self._month(m.group(1)) for m in _CLAIM_MONTH.finditer(outside) if m.group(1) != "May")
        for month, n in claimed.items():
            if evidence_months and n > counted[month] >= 1:
                f.hard.append(
                    (f"month {month.capitalize()} stated {n} times, where the source has it {counted[month]} time(s)", month)
                )
        for m in _CLAIM_MONTH.finditer(outside):
            if (
                m.group(1) == "May"
                and not re.search(
                    r"(?:\bin|\bon|\bof|\bsince|\buntil|\bby|\blast|\bnext|\bthis|\bearly|\blate|\bmid-?)\s*$|\d\s*$",
                    outside[: m.start()],
                )
                and not re.match(r"\s*\d", outside[m.end() :])
            ):
                continue  # the modal verb at a sentence start
            month = self._month(m.group(1))
            if month in evidence_months:
                continue
            if not evidence_months and re.search(rf"\b{month}\b", whole_low):
                continue
            said = (
                f"the source says {', '.join(sorted(x.capitalize() for x in evidence_months))}"
                if evidence_months
                else "no cited sentence names it"
            )
            f.hard.append((f"month {m.group(1)}: {said}", m.group(1)))

    @staticmethod
    def _month(word: str) -> str:
        w = word.rstrip(".").lower()
        return lexicon.MONTH_ABBREVIATIONS.get(w, w)

    @staticmethod
    def _dated_weekdays(evidence: str, src: _Sources) -> set[str]:
        """Weekdays of the dates the evidence names ("March 3, 2025"; the year from the item's
        date when the text gives none)."""
        out = set()
        years = {i.when.year for i in src.items if getattr(i, "when", None)} or {date.today().year}
        for m in _DATE.finditer(evidence):
            month_word, day = (m.group("m1"), m.group("d1")) if m.group("m1") else (m.group("m2"), m.group("d2"))
            month = lexicon.MONTH_ABBREVIATIONS.get(month_word.lower(), month_word.lower())
            if month not in lexicon.MONTHS:
                continue
            year_text = m.group("y1") or m.group("y2")
            for year in {int(year_text)} if year_text else years:
                try:
                    out.add(lexicon.WEEKDAYS[calendar.weekday(year, lexicon.MONTHS.index(month) + 1, int(day))])
                except ValueError:
                    pass
        return out

    @staticmethod
    def _direction_and_negation(text: str, evidence_words: list[str], near: list[str], f: _Findings) -> None:
        if not evidence_words:
            return
        claim_tokens = _words(text)
        claim_words = set(claim_tokens)
        best_words = set(evidence_words)
        mine, theirs = Counter(claim_tokens), Counter(evidence_words)
        # Counted, not just present: "eight months before …, shortly after" against "after …, after".
        flipped = [
            (w, o) for w in sorted(claim_words) if mine[w] > theirs[w] for o in sorted(ANTONYMS.get(w, ())) if theirs[o] > mine[o]
        ]
        up, down = lexicon.DIRECTION_UP, lexicon.DIRECTION_DOWN
        if not flipped:
            for one_way, other_way in ((up, down), (down, up)):
                said = sorted(w for w in claim_words if w in one_way)
                against = sorted(w for w in best_words if w in other_way)
                if said and against and not (best_words & one_way) and not (claim_words & other_way):
                    flipped = [(said[0], against[0])]
        if flipped:
            f.hard.append((f"direction differs from the best evidence ({flipped[0][0]} / {flipped[0][1]})", flipped[0][0]))
        claim_neg = [t for t in claim_tokens if t in _NEGATIONS]
        best_neg = [t for t in evidence_words if t in _NEGATIONS]
        # Each negation of the claim must stand where its evidence has one: next to the same word
        # ("was not on" needs "was not" or "not on"; "was on" does not carry it).
        pairs = {(a, b) for s in near[:3] for toks in [_words(s)] for a, b in zip(toks, toks[1:])}
        for k, t in enumerate(claim_tokens):
            if t not in _NEGATIONS or t in ("no", "nor"):
                continue
            before = claim_tokens[k - 1] if k else ""
            after = claim_tokens[k + 1] if k + 1 < len(claim_tokens) else ""
            if not any(((before, n) in pairs or (n, after) in pairs) for n in _NEGATIONS):
                f.hard.append((f"negation: the claim says {before} {t} {after}".strip() + ", its evidence does not", t))
                return
        if len(claim_neg) > len(best_neg):
            f.hard.append(
                (
                    f"negation differs from the best evidence (the claim says {claim_neg[0]!r}, its evidence does not)",
                    claim_neg[0],
                )
            )
            return
        # Each negation of the claim must negate what a negation of the nearby evidence negates
        # ("was not funded" is not carried by "are not yet published" beside it).
        evidence_scopes = [" ".join(scope) for s in near[:3] for scope in _negated_scopes(_words(s))]
        for word, scope in zip(claim_neg, _negated_scopes(claim_tokens)):
            if scope and not any(lexicon.accounted(w, lexicon.evidence_forms(e)) for e in evidence_scopes for w in scope):
                f.hard.append((f"negation: the claim negates {' '.join(scope)!r}, its evidence does not", word))
                return
        # Scoped: a negation of the best evidence sentence must not be dropped from what the claim
        # restates ("not evenly distributed" / "evenly distributed"); one elsewhere in it is no finding.
        if len(claim_neg) < len(best_neg):
            content = {w for w in claim_words if w not in lexicon.STOPWORDS}
            shared = content & best_words
            free = {w for scope in _negated_scopes(claim_tokens) for w in scope}
            restated = [
                w
                for scope in _negated_scopes(evidence_words)
                for w in scope
                if w not in free and lexicon.accounted(w, lexicon.evidence_forms(" ".join(claim_words)))
            ]
            if content and len(shared) >= 0.6 * len(content) and restated:
                f.hard.append(
                    (f"negation differs from the best evidence (it says {best_neg[0]!r}, the claim does not)", best_neg[0])
                )

    @staticmethod
    def _modality(outside: str, evidence: str, f: _Findings) -> None:
        claim_words = set(_words(outside))
        certain = claim_words & lexicon.CERTAIN
        if not certain:
            return
        evidence_tokens = _words(evidence)
        evidence_words = set(evidence_tokens)
        hedges = evidence_words & lexicon.HEDGES
        said = sum(t in lexicon.CERTAIN for t in _words(outside))
        has = sum(t in lexicon.CERTAIN for t in evidence_tokens)
        if hedges and said > has:
            f.hard.append(
                (
                    f"modality: the claim says {sorted(certain)[0]!r} where the evidence says {sorted(hedges)[0]!r}",
                    sorted(certain)[0],
                )
            )

    def _content_words(
        self,
        outside: str,
        evidence: str,
        src: _Sources,
        claim_names_found: set[str],
        f: _Findings,
        free: frozenset[str] = frozenset(),
        close: str | None = None,
    ) -> None:
        """Every content word accounted for by the nearby evidence; a never-free word (superlative,
        quantifier, cause, comparison, event) by the sentences about the same thing (``close``)."""
        # "a Kuwaiti man named Fawzi al-Odah": "named" introduces the name (checked as a name), it
        # states no appointment.
        outside = _INTRODUCED.sub(lambda m: m.group(1) + " " * len(m.group(2)), outside)
        forms = lexicon.evidence_forms(evidence)
        close_forms = lexicon.evidence_forms(close) if close is not None else forms
        seen: set[str] = set()
        category_missing: list[tuple[str, str]] = []
        plain_missing: list[str] = []
        content = 0
        named = 0  # content words that are names (checked as names): not what the claim asserts of them
        claim_counts = Counter(t.lower() for t in lexicon.tokens(outside))
        evidence_counts = Counter(t.lower() for t in lexicon.tokens(close if close is not None else evidence))
        for token in lexicon.tokens(outside):
            low = token.lower()
            if low in lexicon.STOPWORDS or low in free or low in lexicon.PARAPHRASE_FREE or low in _NUMBER_WORDS or low in seen:
                continue
            if low in lexicon.WEEKDAYS or low in lexicon.MONTHS or low.rstrip(".") in lexicon.MONTH_ABBREVIATIONS:
                continue  # dates are checked on their own
            seen.add(low)
            content += 1
            if lexicon.category(low) and not lexicon.accounted(low, close_forms):
                category_missing.append((token, lexicon.category(low) or ""))
                continue
            if lexicon.accounted(low, forms):
                # A never-free word said more often than its evidence says it ("a record 41.2C, a record
                # for the group") is one more superlative than the source has.
                if lexicon.category(low) and evidence_counts[low] and claim_counts[low] > evidence_counts[low]:
                    category_missing.append((token, lexicon.category(low) or ""))
                elif low in _VERB_USE and _noun_uses(low, outside) > _noun_uses(low, close if close is not None else evidence):
                    # "a record for the group" where the source only says "to record them"
                    category_missing.append((token, lexicon.category(low) or ""))
                continue
            # A name may stand anywhere in its source; a name no source has is reported as a name.
            if token[0].isupper() and (name_present(token, src.text) or any(token in n.split() for n in claim_names_found)):
                named += 1
                continue
            category = lexicon.category(low)
            if category:
                category_missing.append((token, category))
            elif not _role_of_named(low, src.text, evidence):
                plain_missing.append(token)
        missing = [t for t, _ in category_missing] + plain_missing
        if missing and src.injected:
            whole_forms = lexicon.evidence_forms(src.injected)
            obeyed = [t for t in missing if lexicon.accounted(t.lower(), whole_forms)]
            # Any word only a text addressed to a model supplies is obeyed, not reported: a hard
            # finding, never wording a judge could settle.
            if obeyed:
                f.hard.append(
                    (
                        "its only support is text addressed to a model in the source (a prompt injection): " + ", ".join(obeyed),
                        obeyed[0],
                    )
                )
                return
        for token, category in category_missing:
            f.hard.append((f"{category} {token!r} is not in the cited sentences", token))
        # What the claim asserts of its names, missing from the cited passage ("Zentrix admitted
        # wrongdoing" citing a passage that never says so): not a paraphrase's wording.
        asserted = content - named
        if plain_missing and asserted and len(plain_missing) >= 2 and len(plain_missing) >= 0.5 * asserted:
            f.hard.append(
                (
                    "the cited passage does not carry this claim: " + ", ".join(plain_missing) + " unaccounted (wrong passage?)",
                    plain_missing[0],
                )
            )
        elif plain_missing:
            f.unaccounted = plain_missing

    @staticmethod
    def _speaker(text: str) -> str | None:
        outside = outside_quotes(text, " \u2016 ")
        m = SAID.search(outside)
        if not m:
            return None
        # The name next to the verb ("Marta Quell said", "said Marta Quell"), then any nearby.
        for window in (outside[max(0, m.start() - 40) : m.end() + 30], outside[max(0, m.start() - 80) : m.end() + 80]):
            found = [n for n in names(window) | names_of_every_shape(window) if n.lower() not in NOT_NAMES]
            people = [n for n in found if " " in n or not is_dictionary_word(n)]  # not "Australian", "Officials"
            if people or found:
                return max(people or found, key=len)
        return None


_ORDINAL_END = re.compile(r"(?:st|nd|rd|th)\b")
# A never-free word that is also a verb: as a verb ("would you like to record these two") it
# claims no superlative, so it cannot account for the noun ("a record for the group").
_VERB_USE = {
    "record": re.compile(
        r"\b(?:to|will|would|can|could|must|did|and|i|we|you|they|he|she)\s+record\b"
        r"|\brecord\s+(?:these|those|them|it|him|her|us|me|this|that)\b",
        re.I,
    )
}


def _noun_uses(word: str, text: str) -> int:
    return len(re.findall(rf"\b{word}\b", text, re.I)) - len(_VERB_USE[word].findall(text))


_INTRODUCED = re.compile(r"(\b(?:[Aa]n?|[Oo]ne) (?:[A-Za-z-]+ ){0,2}[a-z-]+ )(named|called)(?= [A-Z])")
_ROLE_BEFORE = re.compile(r"\b((?:[a-z][a-z-]+ ){0,2}[a-z][a-z-]+) ((?:[A-Z][a-z'\u2019-]+ )*[A-Z][a-z'\u2019-]+)")
_ROLE_AFTER = re.compile(
    r"((?:[A-Z][a-z'\u2019-]+ )*[A-Z][a-z'\u2019-]+), (?:the|a|an|its|his|her|their) ((?:[a-z'\u2019-]+ ){0,3}[a-z][a-z-]+)(?=[,.;])"
)


@lru_cache(maxsize=256)
def _roles(text: str) -> dict[str, frozenset[str]]:
    """What the sources call each person or organisation they name: a title before the name
    ("Justice minister Karl Ober", "carmaker Zentrix") or an apposition after it ("Zentrix, the
    carmaker,"): role word → the names it is given to."""
    out: dict[str, set[str]] = {}
    for pattern, role_group, name_group in ((_ROLE_BEFORE, 1, 2), (_ROLE_AFTER, 2, 1)):
        for m in pattern.finditer(text):
            name = m.group(name_group)
            if name.split()[0].lower() in NOT_NAMES or name.lower() in NOT_NAMES:
                continue
            words = m.group(role_group).split()
            # The title is the run of nouns that ends the phrase ("signed defender Ian Lowe":
            # defender; "the company's chief executive": chief executive).
            for word in reversed(words):
                if word in lexicon.STOPWORDS or lexicon.category(word) or not _is_noun(word) or "'" in word:
                    break
                for form in lexicon.lemmas(word):
                    out.setdefault(form, set()).add(name)
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=16384)
def _is_noun(word: str) -> bool:
    """A noun (a title, a kind of thing), not a verb form: "visited Paris" gives Paris no role."""
    from lemminflect import getAllLemmas

    found = getAllLemmas(word)
    return ("NOUN" in found or not found) and not word.endswith(("ed", "ing", "ly"))


def _role_of_named(word: str, sources: str, evidence: str) -> bool:
    """A title or a common noun standing for someone the evidence names ("the minister" for
    "Justice minister Karl Ober", where the evidence says "Ober said"): the sources give that
    role to a name the nearby evidence has."""
    roles = _roles(sources)
    named = {n for form in lexicon.lemmas(word) for n in roles.get(form, ())}
    return any(name_present(n.split()[-1], evidence) for n in named)


_FAMILIES = (
    ("figure", "figure"),
    ("quote", "quote"),
    ("the quote is attributed", "quote"),
    ("name", "name"),
    ("weekday", "date"),
    ("month", "date"),
    ("direction", "direction"),
    ("negation", "negation"),
    ("modality", "modality"),
    ("its only support is text addressed to a model", "injection"),
    ("the cited passage does not carry", "wrong passage"),
    ("unaccounted", "wording"),
)


def _atom(check: ClaimCheck, reason: str, atom: str) -> dict[str, Any]:
    """One failed atom for the record: what failed, its family, why, and the evidence sentence
    nearest to it (the one sharing most words with the atom and the claim words around it)."""
    family = next((f for prefix, f in _FAMILIES if reason.startswith(prefix)), "")
    if not family and " is not in the cited sentences" in reason:
        family = reason.split(" ", 1)[0]  # superlative, quantifier, cause, comparison, event
    at = check.text.find(atom)
    window = check.text[max(0, at - 50) : at + len(atom) + 50] if at >= 0 else check.text
    around = {t.lower() for t in lexicon.tokens(window) if t.lower() not in lexicon.STOPWORDS}
    nearest = None
    if check.evidence:
        nearest = max(
            check.evidence,
            key=lambda e: (len(around & {t.lower() for t in lexicon.tokens(e.text)}), e.score),
        )
    return {
        "atom": atom,
        "family": family or "other",
        "reason": reason,
        "evidence": None
        if nearest is None
        else {"item_id": nearest.item_id, "start": nearest.start, "end": nearest.end, "text": nearest.text},
    }


def _anchor_words(text: str, fig: Figure, width: int = 3) -> list[str]:
    """The content words next to a figure, within its clause: up to ``width`` before and after."""
    before = re.split(r"[;:()\u2014]|\.\s", text[max(0, hedge_start(text, fig) - 60) : hedge_start(text, fig)])[-1]
    after = re.split(r"[;:()\u2014]|\.\s|\.$", text[fig.end : fig.end + 60])[0]

    def content(part: str) -> list[str]:
        return [
            t.lower()
            for t in lexicon.tokens(part)
            if t.lower() not in lexicon.STOPWORDS and t.lower() not in _NUMBER_WORDS and t.lower() not in lexicon.PARAPHRASE_FREE
        ]

    return content(before)[-width:] + content(after)[:width]


@lru_cache(maxsize=256)
def _figured_sentences(text: str) -> tuple[tuple[str, tuple[Figure, ...]], ...]:
    """The sentences of a text that state a figure, with their figures."""
    out = []
    for span in raw_sentence_spans(text):
        sentence = text[span.start : span.end]
        own = tuple(figures(sentence, fractions=True))
        if own:
            out.append((sentence, own))
    return tuple(out)


def _negated_scopes(tokens: list[str]) -> list[list[str]]:
    """For each negation of a token list, in order, the content words it governs: those of the
    four tokens after it (the negated verb, adjective or noun and its object)."""
    out = []
    for k, t in enumerate(tokens):
        if t in _NEGATIONS:
            out.append([w for w in tokens[k + 1 : k + 5] if w not in lexicon.FUNCTION_WORDS and w not in _NEGATIONS])
    return out


@dataclass
class _Findings:
    hard: list[tuple[str, str]] = field(default_factory=list)  # (reason, offending span)
    unaccounted: list[str] = field(default_factory=list)
    derived: list[str] = field(default_factory=list)


# Findings by a digest of everything they depend on (``ClaimChecker._findings``).
_FINDINGS: _Recent[bytes, _Findings] = _Recent(8192)


def check_frame(index: int, claim: ArticleSentence, items: dict[int, Item]) -> ClaimCheck:
    """A writer-made frame passes only when its text is exactly what its attributions say, each
    attribution names the outlet of the item it cites, its figure stands verbatim in the cited
    span, and the figures differ (a disagreement of one figure is no disagreement)."""
    from newsdesk.text.frames import DISAGREEMENT, disagreement_text

    check = ClaimCheck(index=index, text=claim.text, verdict=PASS, locked=True)
    if claim.frame != DISAGREEMENT:
        check.reasons.append(f"unknown frame {claim.frame!r}")
    elif claim.text != disagreement_text(claim.attributions):
        check.reasons.append("the frame's text is not what its attributions say")
    by_ref = {c.ref: c for c in claim.citations}
    figures_seen = set()
    for a in claim.attributions:
        citation = by_ref.get(a.ref)
        item = items.get(citation.item_id) if citation else None
        if citation is None or item is None:
            check.reasons.append(f"{a.outlet}'s figure {a.figure} cites [{a.ref}], which resolves to no stored source")
            continue
        span = item.text[citation.start : citation.end]
        check.evidence.append(Evidence(item.id, citation.start, citation.end, span, 1.0))
        if item.outlet != a.outlet:
            check.reasons.append(f"attributes {a.figure} to {a.outlet}, but [{a.ref}] is {item.outlet}")
            check.offending.append(a.outlet)
        if a.figure not in span:
            check.reasons.append(f"{a.figure} is not in the cited sentence of {item.outlet} [{a.ref}]")
            check.offending.append(a.figure)
        figures_seen.add(a.figure)
    if len(claim.attributions) < 2 or len(figures_seen) < 2:
        check.reasons.append("a disagreement needs two outlets giving different figures")
    if check.reasons:
        check.verdict = FAIL
    check.support = 1.0 if check.verdict == PASS else 0.0
    return check
