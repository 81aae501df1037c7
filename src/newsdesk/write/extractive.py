"""The extractive writer: no model, no key. It selects central, informative, non-redundant
source sentences, cites each (and the independent outlets that state the same thing), and
orders them as news: what happened, the figures, what people said, background.

``select`` works on plain documents so the benchmark scores exactly this selection.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import numpy as np

from newsdesk.config import VerifySettings, WriteSettings
from newsdesk.facts import MeasuredFact, passage_facts
from newsdesk.facts.compare import attribution_problems, disputes, measure_phrase, note_time, why_not_comparable
from newsdesk.records import Article, ArticleSentence, Attribution, Citation, Item, Section, Story
from newsdesk.text import headlines, lexicon
from newsdesk.text.clauses import quotation_left_open
from newsdesk.text.frames import DISAGREEMENT, DISAGREEMENT_HEADING, disagreement_text
from newsdesk.text.names import NOT_NAMES, SAID, names, without_outlet_suffix
from newsdesk.text.numbers import figures
from newsdesk.text.quality import (
    defects,
    has_first_person,
    is_side_angle,
    lead_problems,
    trim_prefix,
    trim_suffix,
    without_furniture,
)
from newsdesk.text.sentences import cased, sentence_spans
from newsdesk.write.references import latest_fact_items, ranked_titles, references_for

_QUOTE = re.compile(r"[\"\u201c\u201d]")


@dataclass
class Doc:
    """One source document: ``key`` identifies it, ``outlet`` names who reports it, and
    ``publisher`` (the registrable domain; the outlet when unknown) groups independent sources:
    two feeds of one publisher never corroborate each other."""

    key: int
    outlet: str
    text: str
    title: str = ""
    forum: bool = False  # a forum post: its first-person sentences are a user's, never the article's
    publisher: str = ""

    @property
    def group(self) -> str:
        return self.publisher or self.outlet


@dataclass
class Candidate:
    doc: Doc
    start: int
    end: int
    position: int
    score: float = 0.0
    numbers: frozenset[str] = frozenset()
    telling: frozenset[str] = frozenset()  # its figures less counting words ("one of", "two pilots")
    vector_row: int = 0
    corroborating: list[Candidate] = field(default_factory=list)
    misspelt: bool = False  # a word no dictionary knows and no other source uses
    follow_on: int | None = None  # where a next sentence that reads only after this one starts

    @property
    def text(self) -> str:
        return self.doc.text[self.start : self.end]

    @property
    def first_sentence(self) -> str:
        """The sentence alone, without its follow-on: what a dek or a headline may be made of."""
        return self.doc.text[self.start : self.follow_on or self.end].rstrip()

    @property
    def words(self) -> int:
        return len(self.text.split())


def numbers_in(text: str) -> frozenset[str]:
    """The sentence's figures as comparable keys ("1,800" and "1.8 thousand" are one figure)."""
    return _figure_keys(text)[0]


def _figure_keys(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """Every figure's key, and those of the figures that tell one fact from another: not a
    number written as a counting word ("one of his supporters", "two pilots")."""
    keyed = [(f"{f.kind}:{f.value:g}", f) for f in figures(text)]
    keys = frozenset(k for k, _ in keyed)
    telling = frozenset(k for k, f in keyed if not (f.kind == "plain" and f.text.isalpha()))
    return keys, telling


_LOWER_START = re.compile(r"[a-z](?![a-z]*[A-Z])")  # not "iPhone", "eBay"


def candidates(docs: list[Doc], min_words: int = 6, max_words: int = 60, clean: bool = True) -> list[Candidate]:
    """Every sentence that may be quoted: within the length bounds and, with ``clean``, free of
    page furniture, fragments, headlines, dangling openers and unattributed first person
    (``text.quality``); a leading date prefix and a dangling opening quote are cut from the span."""
    titles = [d.title for d in docs if d.title]
    shared = _shared_words(docs) if clean and len(docs) > 1 else None
    out = []
    for doc in docs:
        doc_cased = clean and cased(doc.text)
        judge_spelling = shared is not None and doc_cased  # lower-cased names read as typos
        for span in sentence_spans(doc.text):
            c = Candidate(doc, span.start, span.end, span.position)
            if clean:
                c.start += trim_prefix(c.text)
                c.end -= trim_suffix(c.text)
                if defects(c.text, titles=titles):
                    continue
                if doc_cased and _LOWER_START.match(c.text):
                    continue  # in text that writes capitals, a sentence begun in lower case is a piece of one
                c.misspelt = judge_spelling and shared is not None and _misspelt(c.text, shared)
            if min_words <= c.words <= max_words:
                c.numbers, c.telling = _figure_keys(c.text)
                out.append(c)
    return out


def _shared_words(docs: list[Doc]) -> set[str]:
    """Lower-case words that at least two of the story's documents use."""
    from collections import Counter

    counts: Counter[str] = Counter()
    for doc in docs:
        counts.update({w for w in lexicon.tokens(doc.text) if w.islower()})
    return {w for w, n in counts.items() if n >= 2}


def _misspelt(text: str, shared: set[str]) -> bool:
    """A word no dictionary knows and no other source of the story uses: a typo (or a spun
    rewrite's invention). Another source saying the same thing is preferred."""
    from newsdesk.text.names import is_dictionary_word

    return any(
        len(w) >= 4 and w.islower() and "-" not in w and "'" not in w and w not in shared and not is_dictionary_word(w)
        for w in lexicon.tokens(text)
    )


@dataclass(frozen=True)
class SelectionWeights:
    # What a sentence is worth, a linear score of what the writer can see. The weights were fitted
    # (ridge regression on standardised features, `bench/selection_fit.py`) to how much of each
    # sentence's words and word pairs a human summary of its story uses, on the even-test_index
    # halves of Multi-News's two samples, and read on the odd halves: `python bench/selection_fit.py
    # --without opening --without cohesion` (a lede is not marked down; a document's likeness to
    # itself lifted off-story reports), `position` then set by hand. The same features with the
    # earlier hand weights (centrality 0.4, position 0.5, figures 0.1, the rest 0) are `HAND_WEIGHTS`.
    centrality: float = 0.109  # likeness to what the other outlets say
    cohesion: float = 0.0  # likeness to every sentence of the story, own outlet's included
    position: float = 0.1  # 1 / (1 + place in its document); fitted -0.018, set on the dev halves: a lede counts
    opening: float = 0.0  # the document's first sentence (fitted left out: -0.106 with it, same ROUGE)
    depth: float = -0.150  # place in the document, up to the 30th sentence, as a share of 30
    length: float = -0.038  # words, as a share of 60
    figures: float = -0.014  # up to three figures, as a share of three
    spread: float = 0.233  # the share of the other outlets that use the sentence's words, on average
    lead_likeness: float = 0.035  # likeness to the documents' first sentences
    quotation: float = 0.058  # it quotes someone
    redundancy: float = 0.35  # similarity at which a sentence repeats one already chosen
    corroboration: float = 0.35  # similarity at which another outlet's sentence corroborates
    min_words: int = 6
    max_words: int = 60
    follow_ons: bool = True  # a chosen sentence's next one when it reads only after it; off only to measure it
    clean: bool = True  # the publishability filter (text.quality); off only to measure it
    on_story: bool = True  # drop items and sentences about another event (off only to measure it)
    outlier_ratio: float = 0.7  # an item this far below the others' likeness to each other is another event
    off_core: float = 0.1  # a sentence of its own names this unlike the story's core is another event


def select(docs: list[Doc], budget_words: int, weights: SelectionWeights = SelectionWeights()) -> list[Candidate]:
    """Greedy maximal-marginal-relevance selection within a word budget."""
    return select_with_pool(docs, budget_words, weights)[0]


def story_pool(
    docs: list[Doc], w: SelectionWeights, away: set[int] | None = None
) -> tuple[list[Doc], list[Candidate], np.ndarray]:
    """The documents on the story's event, the sentences that may be quoted from them and
    their similarity matrix (each candidate's ``vector_row`` indexes it)."""
    if w.on_story:
        away = outlier_docs(docs, w.outlier_ratio) if away is None else away
        docs = [d for d in docs if d.key not in away]
    pool = candidates(docs, w.min_words, w.max_words, w.clean)
    S = similarity([c.text for c in pool]) if pool else None
    if S is None:
        return docs, [], np.zeros((0, 0))
    if w.on_story:
        off = off_story_rows(docs, pool, S, w)
        keep = np.array([row not in off for row in range(len(pool))], bool)
        if off and keep.any():  # a story of no sentences on its event is no story: keep all then
            pool = [c for c, k in zip(pool, keep) if k]
            S = S[np.ix_(keep, keep)]
    for row, c in enumerate(pool):
        c.vector_row = row
    return docs, pool, S


def select_with_pool(
    docs: list[Doc], budget_words: int, weights: SelectionWeights = SelectionWeights(), away: set[int] | None = None
) -> tuple[list[Candidate], list[Candidate], np.ndarray]:
    """The chosen sentences, every candidate, and the candidates' similarity matrix. ``away``:
    the items about another event, when the caller has found them already (``outlier_docs``)."""
    w = weights
    docs, pool, S = story_pool(docs, w, away)
    if not pool:
        return [], [], S
    coefficients = np.array([getattr(w, name) for name in SELECTION_FEATURES])
    for c, score in zip(pool, selection_features(pool, docs, S) @ coefficients):
        c.score = float(score)
    chosen: list[Candidate] = []
    used = 0
    follow = _FollowOnContext(docs, pool) if w.clean and w.follow_ons else None
    for c in sorted(pool, key=lambda c: -c.score):
        if used + c.words > budget_words:
            continue
        if c.misspelt and any(
            not o.misspelt and o.doc.group != c.doc.group and S[c.vector_row, o.vector_row] >= w.redundancy for o in pool
        ):
            continue  # another outlet says the same, spelt right
        if chosen and any(_same_point(c, d, S, w.redundancy) for d in chosen):
            continue
        chosen.append(c)
        used += c.words
        if follow:  # at once, before lower-scored sentences take the words a passage needs
            used += _add_follow_ons(c, chosen, budget_words - used, w, follow)
    for c in chosen:
        c.corroborating = _corroborating(c, pool, S, w.corroboration)
    return chosen, pool, S


# What keeps a sentence from being quoted alone but not after the one before it: an opening
# that points back ("He said …", "But the council …"), and a quotation that goes on from an
# attributed one (its speaker named in the sentence before).
_FOLLOW_ON_DEFECTS = frozenset({"opener"})
MAX_FOLLOW_ONS = 2  # sentences after a chosen one
_QUOTE_GOES_ON = frozenset({"opener", "unattributed_quote"})


class _FollowOnContext:
    """What every follow-on decision of one selection reads: the story's titles, the sentences
    the pool holds, the documents that write capitals, and each next sentence's defects."""

    def __init__(self, docs: list[Doc], pool: list[Candidate]) -> None:
        self.titles = [d.title for d in docs if d.title]
        self.quotable = {(c.doc.key, c.position) for c in pool}
        self.capitalised = {d.key for d in docs if cased(d.text)}
        self.found: dict[tuple[int, int], set[str]] = {}  # a next sentence's defects, judged once


def _add_follow_ons(c: Candidate, chosen: list[Candidate], words_left: int, w: SelectionWeights, ctx: _FollowOnContext) -> int:
    """Give the sentence just chosen its next one where that one reads only after it, within the
    words left, and return the words added: the two are quoted as one passage, in their source's
    order, so "He" and "But" point back to the sentence they follow. It is done when the sentence
    is chosen, not after the budget is spent, so a passage is not crowded out by lower-scored
    sentences. A next sentence that repeats a chosen one is left out; one the pool holds could be
    chosen alone and is no follow-on."""
    added = 0
    for _ in range(MAX_FOLLOW_ONS):
        spans = sentence_spans(c.doc.text)
        last = next((s for s in reversed(spans) if s.start < c.end), None)
        after = next((s for s in spans if s.start >= c.end), None)
        if last is None or after is None or after.position != last.position + 1 or after.paragraph > last.paragraph + 1:
            return added
        key = (c.doc.key, after.position)
        if key in ctx.quotable:
            return added
        start, end = after.start, after.end - trim_suffix(c.doc.text[after.start : after.end])
        text = c.doc.text[start:end]
        words = len(text.split())
        if not w.min_words <= words <= min(w.max_words, words_left - added):
            return added
        if key not in ctx.found:
            ctx.found[key] = set(defects(text, titles=ctx.titles))
        allowed = _QUOTE_GOES_ON if kind_of(c) == "quote" else _FOLLOW_ON_DEFECTS
        found = ctx.found[key]
        if not found or not found <= allowed or (c.doc.key in ctx.capitalised and _LOWER_START.match(text)):
            return added
        if not _points_back_to(text, c.text) or quotation_left_open(text):  # a passage cut inside a quotation misleads
            return added
        own = _said_words(text)
        if any(len(own & _said_words(o.text)) >= REPEATED_SHARE * len(own) for o in chosen):
            return added
        c.follow_on, c.end = start if c.follow_on is None else c.follow_on, end
        c.numbers, c.telling = _figure_keys(c.text)
        added += words
    return added


REPEATED_SHARE = 0.5  # of a follow-on's words and figures in one chosen sentence: it says that again
_CONTENT_WORD = re.compile(r"[a-z][a-z'-]{3,}")
_SAID_WORD = re.compile(_CONTENT_WORD.pattern + r"|\d[\d,.]*\d|\d")  # content words and figures


@lru_cache(maxsize=4096)
def _said_words(text: str) -> frozenset[str]:
    return frozenset(_SAID_WORD.findall(text.lower())) - _stop_words()


_DETERMINER_FIRST = re.compile(r"(?:The|This|That|These|Those|Such)\s+((?:[\w'\u2019-]+\s+){0,2}[\w'\u2019-]+)")


def _points_back_to(text: str, before: str) -> bool:
    """ "The statement said …" points back to a statement: only after a sentence that names one
    ("… said in a statement"). A pronoun ("He", "They") or a link word ("But") points back to
    whatever the sentence before says."""
    m = _DETERMINER_FIRST.match(text)
    if not m:
        return True
    stems = {w[:5] for w in re.findall(r"[a-z]{4,}", before.lower())}
    return any(w[:5] in stems for w in re.findall(r"[a-z]{4,}", m.group(1).lower()))


def _without_follow_on(c: Candidate) -> None:
    if c.follow_on is not None:
        c.end = c.start + len(c.first_sentence)
        c.follow_on = None
        c.numbers, c.telling = _figure_keys(c.text)


SELECTION_FEATURES = (
    "centrality",
    "cohesion",
    "position",
    "opening",
    "depth",
    "length",
    "figures",
    "spread",
    "lead_likeness",
    "quotation",
)

# The weights before they were fitted: centrality, position and figures only (for comparison).
HAND_WEIGHTS = {name: 0.0 for name in SELECTION_FEATURES} | {"centrality": 0.4, "position": 0.5, "figures": 0.1}


def selection_features(pool: list[Candidate], docs: list[Doc], S: np.ndarray) -> np.ndarray:
    """One row a candidate, one column for each of ``SELECTION_FEATURES``: what a sentence's
    score weighs (``SelectionWeights`` says how much)."""
    groups = np.array([c.doc.group for c in pool])
    # Centrality across outlets: what several independent sources say is what happened.
    n_groups = len(set(groups))
    cross = np.where(groups[:, None] != groups[None, :], S, 0.0).sum(axis=1) / max(1, n_groups - 1)
    within = S.sum(axis=1) / len(pool)
    centrality = cross if n_groups > 1 else within
    openings = [row for row, c in enumerate(pool) if c.position == 0]
    # Spread: how many of the other outlets use the sentence's words (its own always does).
    words_of: dict[str, set[str]] = {}
    for d in docs:
        words_of.setdefault(d.group, set()).update(_CONTENT_WORD.findall(d.text.lower()))
    outlets_using = Counter(t for words in words_of.values() for t in words)
    others = max(1, len(words_of) - 1)
    spread = []
    for c in pool:
        words = _CONTENT_WORD.findall(c.text.lower())
        spread.append(sum(outlets_using[t] - 1 for t in words) / (len(words) * others) if words else 0.0)
    position = np.array([c.position for c in pool], float)
    return np.column_stack(
        [
            centrality / (centrality.max() or 1.0),
            within / (within.max() or 1.0),
            1.0 / (1.0 + position),
            position == 0,
            np.minimum(position, 30) / 30,
            np.array([c.words for c in pool]) / 60,
            np.array([min(len(c.numbers), 3) / 3.0 for c in pool]),
            np.array(spread),
            S[:, openings].mean(axis=1) if openings else np.zeros(len(pool)),
            np.array([bool(_QUOTE.search(c.text)) for c in pool]),
        ]
    ).astype(float)


def similarity(texts: list[str]) -> np.ndarray | None:
    """Cosine similarity of the texts' TF-IDF vectors (sublinear term frequency, smoothed
    inverse document frequency, English stop words: scikit-learn's TfidfVectorizer, computed
    here because its per-call checks cost more than the arithmetic on a story's sentences).
    None when no text has a content word."""
    stop = _stop_words()
    vocabulary: dict[str, int] = {}
    counted: list[dict[int, int]] = []
    for text in texts:
        tf: dict[int, int] = {}
        for token in _TOKEN.findall(text.lower()):
            if token not in stop:
                j = vocabulary.setdefault(token, len(vocabulary))
                tf[j] = tf.get(j, 0) + 1
        counted.append(tf)
    if not vocabulary:
        return None
    df = [0] * len(vocabulary)
    for tf in counted:
        for j in tf:
            df[j] += 1
    idf = np.log((1 + len(texts)) / (1 + np.array(df, float))) + 1.0
    rows = np.repeat(np.arange(len(counted)), [len(tf) for tf in counted])
    columns = np.fromiter((j for tf in counted for j in tf), np.int64, len(rows))
    data = (1.0 + np.log(np.fromiter((n for tf in counted for n in tf.values()), float, len(rows)))) * idf[columns]
    norms = np.sqrt(np.bincount(rows, data * data, len(counted)))
    data /= np.where(norms > 0, norms, 1.0)[rows]
    if len(texts) * len(vocabulary) <= _DENSE_CELLS:
        # A story's sentences: a dense product is several times quicker than scipy's checks.
        X = np.zeros((len(texts), len(vocabulary)))
        X[rows, columns] = data
        return X @ X.T
    from scipy.sparse import csr_matrix

    Y = csr_matrix((data, (rows, columns)), shape=(len(texts), len(vocabulary)))
    return np.asarray((Y @ Y.T).toarray())


_DENSE_CELLS = 250_000  # up to this many text-word cells the similarity is computed dense


_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def outlier_docs(docs: list[Doc], ratio: float, founding: int | None = None) -> set[int]:
    """Items about another event: where three or more independent outlets report a story, an
    item whose likeness to the other outlets' items is below ``ratio`` times theirs to each
    other (clustering put another event of the same kind in). Never so many that fewer than two
    outlets stay. Where two outlets report it, see ``_second_event``: ``founding`` is the key of
    the story's first report (the caller's first document when not given).
    Forum posts are neither judged nor judges: a discussion reads unlike reports of its event."""
    docs = [d for d in docs if not d.forum and _reports_something(d.text)]
    if not docs:
        return set()
    founding = docs[0].key if founding is None else founding
    groups = np.array([d.group for d in docs])
    if len(set(groups)) == 2:
        return _second_event(docs, founding)
    if len(set(groups)) < 3:
        return set()
    S = similarity([_report_text(d) for d in docs])
    if S is None:
        return set()
    other = groups[:, None] != groups[None, :]
    gaps = []
    for i, d in enumerate(docs):
        rest = other[i]
        mine = S[i][rest].mean()
        pairs = np.triu(other & rest[:, None] & rest[None, :], 1)
        if not pairs.any():
            continue
        theirs = S[pairs].mean()
        if d.key != founding and mine < ratio * theirs and not _shares_its_actors(d, [o for o, r in zip(docs, rest) if r]):
            gaps.append((mine / (theirs or 1.0), d.key, d.group))
    away: set[int] = set()
    left = set(groups)
    for _, key, group in sorted(gaps):  # the most unlike first
        if len(left) <= 2:
            break
        away.add(key)
        if not any(d.group == group and d.key not in away for d in docs):
            left.discard(group)
    return away | _other_event_docs(docs, away, founding)


def _quotable_founder(docs: list[Doc], founding: int) -> int:
    """The report that decides the story's event where no majority can: its first report, unless
    that one gives nothing the writer could quote (a tweet's torn-off fragment, a caption), for
    then its event could not be told, and the reports it set apart would leave no article. The
    first report that has a sentence to quote decides instead. Asked only where three or more
    outlets report the story: of two, the other outlet's report of another event would then
    found it (``bench/offstory.py``, dev 2-item off-story 24 → 36 when tried)."""
    first = next((d for d in docs if d.key == founding), None)
    if first is None or candidates([first]):
        return founding
    return next((d.key for d in docs if d is not first and candidates([d])), founding)


def _other_event_docs(docs: list[Doc], away: set[int], founding: int | None = None) -> set[int]:
    """Reports the event clusterer, asked of this story's reports alone, sets apart from the
    event that two or more outlets' reports share, and whose names mostly recur in no other
    outlet's report (another event's actors, not the same event told in other words). Never
    so many that fewer than two outlets stay. Where no event is shared by two outlets, the
    story is its first report's event (``_founding_strangers``), or the first one's with something
    to quote (``_quotable_founder``)."""
    from newsdesk.stories import event_labels

    reports = [d for d in docs if d.key not in away]
    if len({d.group for d in reports}) < 3:
        return set()
    strangers = {d.key for d in reports if not _shares_its_actors(d, [o for o in reports if o.group != d.group])}
    if not strangers:  # the names are checked first: they are cheaper than clustering
        return set()
    labels = event_labels([(d.title, d.text) for d in reports])
    outlets: dict[int, set[str]] = {}
    for d, label in zip(reports, labels):
        outlets.setdefault(label, set()).add(d.group)
    main = max(outlets, key=lambda label: (len(outlets[label]), labels.count(label)))
    if len(outlets[main]) < 2:
        key = _quotable_founder(reports, reports[0].key if founding is None else founding)
        first = next((d for d in reports if d.key == key), None)
        return _founding_strangers(first, reports) if first is not None else set()
    return {d.key for d, label in zip(reports, labels) if label != main and d.key in strangers}


def _founding_strangers(first: Doc, reports: list[Doc]) -> set[int]:
    """Where three or more outlets report a story and the event clusterer finds no event two of
    them share, no majority can say which report is off the event: the story stays the one its
    first report began, and another outlet's report gives nothing when its names and the first
    outlet's are strangers both ways and no first-outlet report is as alike to it as
    ``SECOND_EVENT_LIKENESS``. This may leave the first outlet alone: its event is the title's."""
    mine = [i for i, d in enumerate(reports) if d.group == first.group]
    ours = [reports[i] for i in mine]
    S = similarity([_report_text(d) for d in reports])
    out = set()
    for j, d in enumerate(reports):
        if d.group == first.group or _shares_its_actors(d, ours) or any(_shares_its_actors(o, [d]) for o in ours):
            continue
        if S is not None and S[mine, j].max() >= SECOND_EVENT_LIKENESS:
            continue
        out.add(d.key)
    return out


def _second_event(docs: list[Doc], founding: int) -> set[int]:
    """Where only two outlets report a story, no third can say which of them is off the event.
    When each outlet's names mostly recur nowhere in the other's reports, no report of one is as
    alike to one of the other as ``SECOND_EVENT_LIKENESS``, and the event clusterer, asked of
    these reports alone, also sets them apart, the two are two events of one kind: the story stays
    the one its first report (whose title it carries) began, and the other outlet's reports that
    the clusterer sets apart give nothing. Reports told in other words of one event keep their
    actors, so they stay; short text without names gives no evidence, so it stays (a long page that
    writes capitals and names nobody, an essay or a share form, does: ``_nameless_page``)."""
    first = next((d for d in docs if d.key == founding), None)
    if first is None:
        return set()
    ours = [d for d in docs if d.group == first.group]
    theirs = [d for d in docs if d.group != first.group]
    # Reports of one event told in other words keep their actors. A nameless page shares none, so
    # it is left to the likeness and the clusterer below instead of keeping the other report.
    if any(_shares_its_actors(d, ours) for d in theirs if not _nameless_page(d)) or any(
        _shares_its_actors(d, theirs) for d in ours if not _nameless_page(d)
    ):
        return set()
    S = similarity([_report_text(d) for d in docs])
    if S is not None:
        cross = S[np.ix_([docs.index(d) for d in ours], [docs.index(d) for d in theirs])]
        if cross.max() >= SECOND_EVENT_LIKENESS:
            return set()
    from newsdesk.stories import event_labels

    labels = event_labels([(d.title, d.text) for d in docs])
    story = labels[docs.index(first)]
    return {d.key for d, label in zip(docs, labels) if d.group != first.group and label != story}


# Two reports at least this alike (TF-IDF cosine) are kept together even with strangers' names:
# tuned on bench/offstory.py's dev half, where two outlets' reports of one Multi-News event
# mostly score above it and a planted report of the nearest other event scored at most 0.19.
SECOND_EVENT_LIKENESS = 0.2


def _own_names(doc: Doc) -> set[str]:
    return {n for n in _lower_names(doc.text) if len(n) > 2 and n not in NOT_NAMES}


MIN_NAMES = 3  # fewer names than this are no evidence of an item's actors


def _nameless_page(doc: Doc) -> bool:
    """A page that writes capitals and runs on but names nobody (an essay, an abstract, a share
    form): it has no actors another report could share, which is evidence, not its absence."""
    return len(doc.text.split()) >= NAMELESS_PAGE_WORDS and cased(doc.text) and len(_own_names(doc)) < MIN_NAMES


NAMELESS_PAGE_WORDS = 50  # shorter text without names (a feed's summary) gives no evidence: it stays


def _shares_its_actors(doc: Doc, others: list[Doc]) -> bool:
    """Whether most of an item's names recur in the other outlets' items: an item told in other
    words (a review, an explainer) of the same event keeps its actors, another event has its own.
    Text without names (lower-cased) gives no evidence either way: the item stays."""
    own = _own_names(doc)
    if len(own) < MIN_NAMES:
        return True
    theirs = set().union(*(_lower_names(o.text) for o in others))
    return len(own & theirs) >= SHARED_ACTORS * len(own)


@lru_cache(maxsize=1024)
def _lower_names(text: str) -> frozenset[str]:
    # Once per text: each report is compared with every other outlet's (``_other_event_docs``).
    return frozenset(n.lower() for n in names(text[:4000]))


@lru_cache(maxsize=1024)
def _without_furniture(text: str) -> str:
    # A site's furniture (sign-up boxes, credits, "Advertisement") is alike across its pages and
    # full of capitals: left in, it makes two events from one site look like one.
    return without_furniture(text, sep="\n")


def _report_text(d: Doc) -> str:
    """What a report says about its event, for telling events apart: title and text less furniture."""
    return f"{d.title}\n{_without_furniture(d.text)}"


SHARED_ACTORS = 0.5  # the share of an item's names the other outlets must name for it to stay


def _anchors(text: str) -> set[str]:
    """What ties a sentence to one event: its names (people, places, organisations) and figures."""
    return {n.lower() for n in names(text) if len(n) > 2 and n.lower() not in NOT_NAMES} | set(numbers_in(text))


def off_story_rows(docs: list[Doc], pool: list[Candidate], S: np.ndarray, w: SelectionWeights) -> set[int]:
    """Sentences about another event: each name and figure it gives belongs to no other outlet's
    item, and it is unlike the story's core (the sentences other outlets corroborate, and the
    most central one). Never in a story of one outlet, nor where nothing is corroborated (then
    nothing says which event is the story's), nor for a sentence of lower-cased text: its names
    are not told from other words, so "names no other outlet gives" would rest on figures alone."""
    groups = np.array([c.doc.group for c in pool])
    if len(set(groups)) < 2:
        return set()
    judged = {d.key for d in docs if cased(d.text)}
    if not any(c.doc.key in judged for c in pool):
        return set()
    other = groups[:, None] != groups[None, :]
    cross = np.where(other, S, 0.0)
    core = cross.max(axis=1) >= w.corroboration
    core[int(cross.sum(axis=1).argmax())] = True
    if core.sum() < 2:
        return set()
    said: dict[str, str] = {}  # per outlet: the other outlets' items, lower-cased, with their figures
    texts = {d.key: (d.title + "\n" + d.text) for d in docs}
    lowered = {k: t.lower() for k, t in texts.items()}
    numbers = {k: numbers_in(t) for k, t in texts.items()}
    for g in set(groups):
        others = [d.key for d in docs if d.group != g]
        figures_said = " ".join(sorted(set().union(*(numbers[k] for k in others))))
        said[g] = "\n".join(lowered[k] for k in others) + "\n" + figures_said
    out = set()
    for row, c in enumerate(pool):
        if c.doc.key not in judged:
            continue
        anchors = _anchors(c.text)
        if not anchors or any(a in said[c.doc.group] for a in anchors):
            continue
        likeness = S[row][core & other[row]]
        if not likeness.size or likeness.max() < w.off_core:
            out.add(row)
    return out


@dataclass
class Disagreement:
    """Outlets giving different values for one measure of one subject at one time: the chosen
    sentence's fact, and others'."""

    figures: list[tuple[Candidate, str]]  # (sentence, the figure as it stands in it), anchor first
    facts: list[MeasuredFact] = field(default_factory=list)  # the typed fact behind each figure


def _asserted_facts(c: Candidate) -> list[MeasuredFact]:
    """The facts of a sentence that could be disputed: named, measured, stated as fact."""
    return [f for f in passage_facts(c.text) if f.subject and f.measure and f.modality in ("asserted", "future")]


def disagreements(chosen: list[Candidate], pool: list[Candidate], S: np.ndarray, similar: float = 0.15) -> list[Disagreement]:
    """Chosen sentences whose fact other outlets give differently: the same subject, measure,
    unit, direction and time (or none), both stated as fact, values beyond rounding apart
    (``facts.compare``). Differences explained by time, entity or measure are no dispute. At
    most one fact per sentence and two disagreements per article: a note, not a table."""
    out: list[Disagreement] = []
    covered: set[int] = set()  # sentences already in a disagreement: each is told once
    facts_of: dict[int, list[MeasuredFact]] = {}

    def facts(c: Candidate) -> list[MeasuredFact]:
        if id(c) not in facts_of:
            facts_of[id(c)] = _asserted_facts(c)
        return facts_of[id(c)]

    for c in chosen:
        if c.doc.forum or id(c) in covered:
            continue  # a forum user's measurement is not a report to weigh against outlets'
        for f in facts(c):
            if sum(why_not_comparable(f, g) is None for g in facts(c)) != 1:
                continue  # two figures for one measure in the sentence: which one differs is unclear
            others: dict[str, tuple[Candidate, MeasuredFact]] = {}
            for o in pool:
                if o.doc.group == c.doc.group or o.doc.group in others or o.doc.forum:
                    continue
                if S[c.vector_row, o.vector_row] < similar:
                    continue
                same = [g for g in facts(o) if why_not_comparable(f, g) is None]
                if len(same) != 1:  # none, or several: not clearly the same measure
                    continue
                if disputes(f, same[0]):
                    others[o.doc.group] = (o, same[0])
            if others:
                picked = list(others.values())[:3]
                found = Disagreement([(c, f.text), *[(o, g.text) for o, g in picked]], [f, *[g for _, g in picked]])
                out.append(found)
                covered |= {id(o) for o, _ in found.figures}
                break
        if len(out) == 2:
            break
    return out


def _same_point(a: Candidate, b: Candidate, S: np.ndarray, redundancy: float) -> bool:
    """Redundant: very similar wording, or the same figures in similar wording."""
    sim = S[a.vector_row, b.vector_row]
    shared_figures = bool(a.telling & b.telling)
    return sim >= redundancy or (shared_figures and sim >= 0.15)


def quoted(text: str) -> list[str]:
    return [q.strip().lower() for q in re.findall(r"[\"\u201c]([^\"\u201c\u201d]{3,})[\"\u201d]", text)]


def _corroborating(c: Candidate, pool: list[Candidate], S: np.ndarray, threshold: float) -> list[Candidate]:
    """Sentences from other outlets that state the same thing, with the same figures."""
    best: dict[str, Candidate] = {}
    for o in pool:
        if o.doc.group == c.doc.group or S[c.vector_row, o.vector_row] < threshold:
            continue
        if c.numbers and not c.numbers <= o.numbers:
            continue
        # A quote is corroborated only by a source carrying the same words.
        if any(q not in o.text.lower() for q in quoted(c.text)):
            continue
        if not c.numbers and S[c.vector_row, o.vector_row] < threshold + 0.1:
            continue
        if o.doc.group not in best or S[c.vector_row, o.vector_row] > S[c.vector_row, best[o.doc.group].vector_row]:
            best[o.doc.group] = o
    return sorted(best.values(), key=lambda o: -S[c.vector_row, o.vector_row])[:3]


def clean_title(title: str, outlets: set[str]) -> str:
    """A headline without the outlet's name tacked on ("… | Outlet", "… - Outlet")."""
    return without_outlet_suffix(title, outlets)


def kind_of(c: Candidate) -> str:
    if _QUOTE.search(c.text) and SAID.search(c.text):
        return "quote"
    if c.numbers:
        return "figures"
    return "context"


MAX_FACT_SENTENCES = 4


def _fact_sentences(fact_items: list[Item]) -> list[Candidate]:
    """Up to MAX_FACT_SENTENCES, taking each subject's sentences in turn so every subject is heard."""
    per_subject = [candidates([Doc(item.id, item.outlet, item.text)], min_words=3) for item in fact_items]
    out: list[Candidate] = []
    for rank in range(max((len(p) for p in per_subject), default=0)):
        out += [p[rank] for p in per_subject if rank < len(p)]
    return out[:MAX_FACT_SENTENCES]


# A report's opening statement scoring this share of the best sentence's score is the dek instead
# of a quote or a later sentence: ledes are written to lead. Multi-News whole articles, even half,
# 102 stories: quote deks / opening deks 9 / 82 with the hand weights, 22 / 63 with the fitted
# weights, 12 / 79 with this rule.
DEK_STATEMENT_SHARE = 0.8
# A sentence left out of the selection may lead where no chosen one can, if it scores at least
# this share of the best chosen sentence (Multi-News whole articles, even half).
LEAD_POOL_SHARE = 0.5

SECTION_TITLES = {"lead": "What happened", "figures": "By the numbers", "quote": "What they said", "context": "Background"}


class ExtractiveWriter:
    name = "extractive"

    def __init__(self, settings: WriteSettings, verify: VerifySettings | None = None, weights: SelectionWeights | None = None):
        self.settings = settings
        self.verify = verify or VerifySettings()
        self.weights = weights or SelectionWeights()

    def write(self, story: Story) -> Article | None:
        # Outlets' own reports only: copies add nothing, and a commenter's words are not the newsroom's.
        # A page that is only furniture (a tweet embed's notice, an archive's) reports nothing,
        # so it has no say in which event the story is.
        originals = [i for i in story.items if i.is_outlet_report and _reports_something(i.text)]
        if not originals:
            return None
        items = {i.id: i for i in originals}
        fact_items = latest_fact_items(story.items)
        items.update((i.id, i) for i in fact_items)
        docs = [Doc(i.id, i.outlet, i.text, i.title, i.forum is not None, i.publisher) for i in originals]
        # An item about another event gives no sentence, title, tag or date.
        # The story's first report (its title is the story's) decides its event where no majority can.
        reports = [i for i in originals if i.forum is None]
        founding = min(reports, key=lambda i: (i.when, i.id)).id if reports else None
        away = outlier_docs(docs, self.weights.outlier_ratio, founding) if self.weights.on_story else set()
        chosen, pool, similarity = select_with_pool(docs, self.budget_for(story, originals), self.weights, away)
        if not chosen:
            return None
        originals = [i for i in originals if i.id not in away]
        conflicts = [d for d in disagreements(chosen, pool, similarity) if note_checks(d, items, self.verify)]
        disputed = {id(c) for d in conflicts for c, _ in d.figures}
        dek = _dek(chosen, disputed)
        if lead_problems(dek.first_sentence):
            lead = _lead_from_pool(chosen, pool, similarity, disputed, self.weights)
            if lead is not None:  # it takes the place of any chosen sentence that says the same
                chosen = [c for c in chosen if not _same_point(lead, c, similarity, self.weights.redundancy)]
                chosen.append(lead)
                dek = lead
        _without_follow_on(dek)  # a dek is one sentence
        self._keep_supporting_corroboration(chosen, items)
        body = [c for c in chosen if c is not dek]
        # Order: the lead sentences (top scores from the start of their source), then by kind.
        groups: dict[str, list[Candidate]] = {"lead": [], "figures": [], "quote": [], "context": []}
        for c in body:
            kind = kind_of(c)  # a quote is what someone said, not what happened, wherever it stands
            if c.position <= 1 and len(groups["lead"]) < 2 and kind != "quote":
                kind = "lead"
            groups[kind].append(c)
        if sum(1 for g in groups.values() if g) == 1 and len(body) >= 2:
            only = next(k for k, g in groups.items() if g)
            half = (len(groups[only]) + 1) // 2
            groups["lead"], groups["context"] = groups[only][:half], groups[only][half:]
            if only not in ("lead", "context"):
                groups[only] = []
        # A story that runs over days is told in time order within each section.
        when = {i.id: i.when for i in originals}
        if originals and max(when.values()) - min(when.values()) > timedelta(days=1):
            for kind in groups:
                groups[kind].sort(key=lambda c: when.get(c.doc.key, datetime.min.replace(tzinfo=UTC)))
        # Enrichment facts (Hub downloads, repository stars) close the figures, each cited to its data source.
        # "By the numbers" only over sentences with a number: a fact without one is background.
        facts = _fact_sentences(fact_items)
        groups["figures"] += [c for c in facts if c.numbers]
        groups["context"] += [c for c in facts if not c.numbers]
        groups = _people_apart(dek, _names_introduced_first(dek, groups))
        # Composed from checked facts (write.synthesis): figures over time, a timeline, headings.
        from newsdesk.verify.checks import ClaimChecker
        from newsdesk.write import synthesis

        checker = ClaimChecker.from_settings(self.verify)
        args = (chosen, pool, similarity, originals, items, checker, SECTION_TITLES, self.weights.redundancy)
        groups, titles = synthesis.compose(dek, groups, *args)
        numbering: dict[int, int] = {}

        def cite(c: Candidate) -> ArticleSentence:
            if isinstance(c, synthesis.Made):
                return c.cite(numbering)
            citations = []
            for source in [c, *c.corroborating]:
                ref = numbering.setdefault(source.doc.key, len(numbering) + 1)
                citations.append(Citation(ref=ref, item_id=source.doc.key, start=source.start, end=source.end))
            return ArticleSentence(text=c.text, citations=citations)

        dek_sentence = cite(dek)
        sections = []
        for kind, members in groups.items():
            if not members:
                continue
            sentences = [cite(c) for c in members]
            step = 1 if kind == "timeline" else 2  # a timeline entry a paragraph, each dated on the page
            paragraphs = [sentences[i : i + step] for i in range(0, len(sentences), step)]
            sections.append(Section(titles[kind], paragraphs))
            if kind == "lead" or (kind == "figures" and not groups.get("lead")):
                notes = [_disagreement_sentence(d, numbering) for d in conflicts]
                if notes:
                    sections.append(Section(DISAGREEMENT_HEADING, [notes]))
                conflicts = []
        if conflicts:
            sections.append(Section(DISAGREEMENT_HEADING, [[_disagreement_sentence(d, numbering) for d in conflicts]]))
        references = references_for(numbering, items)
        outlets = {i.outlet for i in originals}
        return Article(
            story_id=story.id,
            headline=self._headline(originals, dek, chosen, [items[k] for k in numbering], outlets),
            dek=dek_sentence,
            sections=sections,
            references=references,
            tags=tags_for(originals),
            tier=story.tier,
            byline=self.settings.byline,
            writer=self.name,
        )

    def _headline(
        self, originals: list[Item], dek: Candidate, chosen: list[Candidate], cited: list[Item], outlets: set[str]
    ) -> str:
        """The first headline the verifier accepts, in this order: the sources' straight titles
        (the most central first), a headline cut from the dek or another chosen sentence (a
        statement), and only then a title that asks a question. Each fits the length cap, has no
        forum label, speaks in no one's first person and keeps no outlet's evaluative words."""
        from newsdesk.verify.checks import PASS, ClaimChecker

        titles = [clean_title(t, outlets) for t in ranked_titles(originals, about=dek.text)]
        # A sentence that cannot lead (a quote, a pronoun with nobody named) makes no headline either.
        others = [c for c in chosen if c is not dek and not set(lead_problems(c.first_sentence)) - {"short"}]
        cut = [headlines.from_sentence(c.first_sentence) for c in [dek, *others]]
        # "… is looking into the incident": which incident? Such a cut comes after the others.
        cut = sorted(cut, key=lambda h: h is not None and headlines.points_back(h))
        statements = [t if headlines.fits(t) else headlines.from_sentence(t) for t in titles if not is_side_angle(t)]
        questions = [t for t in titles if is_side_angle(t) and headlines.fits(t)]
        # In the house voice: one outlet's "historic" or "staggering" goes, or the option does.
        plain = [headlines.neutral(t) if t else None for t in [*statements, *cut, *questions]]
        options = [t for t in dict.fromkeys(plain) if t and headlines.fits(t) and not has_first_person(t)]
        checker = ClaimChecker.from_settings(self.verify)
        for option in options:
            if checker.check_label(option, cited).verdict == PASS:
                return option
        # No sentence gives a whole statement short enough: a looser cut (a verb, not a clause).
        loose = [headlines.from_sentence(c.first_sentence, strict=False) for c in [dek, *others]]
        loose_options = [t for t in dict.fromkeys(loose) if t and t not in options and not has_first_person(t)]
        for option in loose_options:
            if checker.check_label(option, cited).verdict == PASS:
                return option
        # Nothing passes: the best statement all the same (verification replaces what it refuses).
        fallback = [*options, *loose_options, *(t for t in titles if t)]
        return fallback[0] if fallback else " ".join(dek.text.split()[: headlines.MAX_WORDS])

    def budget_for(self, story: Story, originals: list[Item]) -> int:
        """Words the story may have: long-form for a major story many outlets report."""
        s = self.settings
        if story.tier == "brief":
            return min(s.brief_budget_words, s.budget_words)
        if story.tier == "major" and len({i.publisher for i in originals}) >= s.long_min_outlets:
            return max(s.long_budget_words, s.budget_words)
        return s.budget_words

    def _keep_supporting_corroboration(self, chosen: list[Candidate], items: dict[int, Item]) -> None:
        """Claim corroboration only where verification would accept it: the other outlet's
        item alone carries the sentence's figures, names and quotes, and says the same."""
        from newsdesk.verify.checks import ClaimChecker

        checker = ClaimChecker.from_settings(self.verify)
        drafts = [
            ArticleSentence(c.text, [Citation(k, s.doc.key, s.start, s.end) for k, s in enumerate([c, *c.corroborating])])
            for c in chosen
        ]
        for c, check in zip(chosen, checker.check_all(drafts, items)):
            c.corroborating = [o for k, o in enumerate(c.corroborating, start=1) if check.citation_support.get(k)]


_FULL_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-z'\u2019-]+)+")


def _disagreement_sentence(d: Disagreement, numbering: dict[int, int]) -> ArticleSentence:
    """The frame that says who reports which figure, citing each outlet's own sentence, and
    what the figure measures and when (the anchor fact's measure and time, shared by all)."""
    citations, attributions = [], []
    anchor = d.facts[0] if d.facts else None
    phrase = measure_phrase(anchor) if anchor else ""
    when = note_time(anchor) if anchor else ""
    for c, figure in d.figures:
        ref = numbering.setdefault(c.doc.key, len(numbering) + 1)
        citations.append(Citation(ref=ref, item_id=c.doc.key, start=c.start, end=c.end))
        attributions.append(Attribution(outlet=c.doc.outlet, figure=figure, ref=ref, measure=phrase, time=when))
    return ArticleSentence(disagreement_text(attributions), citations, frame=DISAGREEMENT, attributions=attributions)


def note_checks(d: Disagreement, items: dict[int, Item], verify: VerifySettings) -> bool:
    """A note is a claim: the verifier's frame check passes on it, and each cited sentence,
    read again, states its figure as the measure and time the note names."""
    from newsdesk.verify.checks import ClaimChecker

    note = _disagreement_sentence(d, {})
    (check,) = ClaimChecker.from_settings(verify).check_all([note], items)
    if check.verdict != "PASS":
        return False
    spans = {c.ref: items[c.item_id].text[c.start : c.end] for c in note.citations if c.item_id in items}
    return all(not attribution_problems(a.figure, a.measure, a.time, spans.get(a.ref, "")) for a in note.attributions)


# Words a page keeps without its furniture to count as a report: as many as the shortest
# sentence the writer quotes (``SelectionWeights.min_words``), so a brief report still counts.
REPORT_MIN_WORDS = 6


def _reports_something(text: str) -> bool:
    return len(without_furniture(text, REPORT_MIN_WORDS).split()) >= REPORT_MIN_WORDS


def _dek(chosen: list[Candidate], disputed: set[int]) -> Candidate:
    """The best sentence that meets nobody by surname alone and carries no figure the outlets
    disagree on (a disputed figure is said with its attributions, not up top), each condition
    giving way in turn; a quote or a later sentence gives way to a report's opening statement
    scoring nearly as well."""
    introduced = [c for c in chosen if not _meets_someone_by_surname(c, chosen)]
    undisputed = [c for c in introduced if id(c) not in disputed]
    ranked = undisputed or introduced or chosen
    dek = next((c for c in ranked if not lead_problems(c.first_sentence)), ranked[0])
    if kind_of(dek) == "quote" or dek.position > 0:
        opening = (c for c in undisputed if c.position == 0 and kind_of(c) != "quote" and not lead_problems(c.first_sentence))
        dek = next((c for c in opening if c.score >= DEK_STATEMENT_SHARE * dek.score), dek)
    return dek


def _lead_from_pool(
    chosen: list[Candidate], pool: list[Candidate], S: np.ndarray, disputed: set[int], w: SelectionWeights
) -> Candidate | None:
    """Where no chosen sentence can open the article (each a quote, a question, a caption, too
    short or pointing back to a sentence not there), the best-scored sentence of the story's
    pool that can, scoring at least ``LEAD_POOL_SHARE`` of the best chosen one: not misspelt,
    meeting nobody by surname, and not repeating a disputed figure's sentence."""
    floor = LEAD_POOL_SHARE * max(c.score for c in chosen)
    taken = {id(c) for c in chosen}
    for c in sorted(pool, key=lambda c: -c.score):
        if c.score < floor:
            return None
        if id(c) in taken or c.misspelt or lead_problems(c.text) or _meets_someone_by_surname(c, chosen):
            continue
        if any(_same_point(c, d, S, w.redundancy) for d in chosen if id(d) in disputed):
            continue
        c.corroborating = _corroborating(c, pool, S, w.corroboration)
        return c
    return None


def _meets_someone_by_surname(c: Candidate, chosen: list[Candidate]) -> bool:
    """The sentence says "Oskar" where another chosen sentence gives "Pavel Oskar". Only a
    person's name counts (not "The Pentagon's", "President Trump", "Harford County"), and only
    the surname met alone: "Judge Oskar" and "Karel Oskar" name whom they mean."""
    for other in chosen:
        if other is c:
            continue
        for full in _FULL_NAME.findall(other.text):
            words = full.split()
            while words and words[0].lower().rstrip(".") in _NOT_GIVEN:
                words = words[1:]  # "President Donald Trump" → "Donald Trump"
            if not 2 <= len(words) <= 3:
                continue
            person, surname = " ".join(words), words[-1]
            if person in c.text:
                continue
            for m in re.finditer(rf"\b{re.escape(surname)}\b", c.text):
                before = c.text[: m.start()].split()[-1:]
                if not (before and before[0][:1].isupper() and before[0][-1:] not in ".,;:"):
                    return True  # the surname with no given name or title before it
    return False


def _names_introduced_first(dek: Candidate, groups: dict[str, list[Candidate]]) -> dict[str, list[Candidate]]:
    """A person is met by full name before by surname: a sentence that gives "Pavel Oskar" moves
    ahead of an earlier one that says only "Oskar" (taking that sentence's section)."""
    order = [(kind, c) for kind in SECTION_TITLES for c in groups[kind]]
    moved = True
    rounds = 0
    while moved and rounds < 20:
        moved, rounds = False, rounds + 1
        seen = dek.text
        for j, (_, later) in enumerate(order):
            for full in _FULL_NAME.findall(later.text):
                surname = full.split()[-1]
                if full in seen or full in " ".join(c.text for _, c in order[:j]):
                    continue
                first = next((i for i, (_, c) in enumerate(order[:j]) if re.search(rf"\b{re.escape(surname)}\b", c.text)), None)
                if first is not None:
                    kind = order[first][0]
                    if kind == "figures" and not later.numbers:
                        # Not under "By the numbers": it closes the lead, still ahead of the surname.
                        kind, first = "lead", next(i for i, (k, _) in enumerate(order) if k == "figures")
                    order.insert(first, (kind, order.pop(j)[1]))
                    moved = True
                    break
            if moved:
                break
            seen += " " + later.text
    regrouped: dict[str, list[Candidate]] = {kind: [] for kind in SECTION_TITLES}
    for kind, c in order:
        regrouped[kind].append(c)
    return regrouped


def _person(match: re.Match[str]) -> str:
    """ "Prof. Ilse Haverford", "Professor Ilse Haverford" → "Ilse Haverford": first name and surname."""
    return " ".join(match.group().split()[-2:]).removesuffix("'s").removesuffix("\u2019s")


def _mentioned(text: str) -> set[str]:
    return {_person(m) for m in _FULL_NAME.finditer(text)}


def _introduced(text: str) -> set[str]:
    """People the sentence introduces: a full name with a title before it ("council leader Oren
    Vasquez", "Mayor Lidia Farrow") or a description after it ("Agnes Mbatha, who directs …")."""
    out = set()
    for m in _FULL_NAME.finditer(text):
        words = m.group().split()
        before = text[: m.start()].split()[-1:]
        titled = (len(words) >= 3 and words[0].lower() in ROLES) or (bool(before) and before[0].lower().rstrip(".") in ROLES)
        described = re.match(r",\s+(?:who|whose|a|an|the)\b", text[m.end() :]) is not None
        if titled or described:
            out.add(_person(m))
    return out


def _people_apart(dek: Candidate, groups: dict[str, list[Candidate]]) -> dict[str, list[Candidate]]:
    """Nobody is introduced in the sentence after one that names them: the second moves later
    in its section, away from any sentence naming them, or, where it cannot, the weaker of the
    two goes (never the dek). Sentences are the sources' own words, so a second mention cannot
    be cut to the surname: it is kept apart instead."""
    order = [(kind, c) for kind in SECTION_TITLES for c in groups[kind]]
    for _ in range(20):
        seq = [("dek", dek), *order]
        clash = next(
            (
                (i - 1, people)
                for i in range(1, len(seq))
                if (people := _introduced(seq[i][1].text) & _mentioned(seq[i - 1][1].text))
            ),
            None,
        )
        if clash is None:
            break
        j, people = clash  # order[j] introduces someone the sentence before it names
        kind, c = order[j]
        rest = order[:j] + order[j + 1 :]
        names_them = [bool(people & _mentioned(x.text)) for _, x in rest]
        # Others it gives in full must still come before their surname alone.
        surnames = [p.split()[-1] for p in _mentioned(c.text) - people]
        slot = None
        for k in range(j, len(rest)):  # after rest[k]: its own section, neither neighbour naming them
            if rest[k][0] != kind or any(re.search(rf"\b{re.escape(n)}\b", rest[k][1].text) for n in surnames):
                break
            if not names_them[k] and (k + 1 >= len(rest) or not names_them[k + 1]):
                slot = k + 1
                break
        if slot is not None:
            rest.insert(slot, (kind, c))
            order = rest
            continue
        before = order[j - 1][1] if j >= 1 else dek
        if before is dek or c.score <= before.score or not _mentioned(before.text) <= _mentioned(c.text):
            order = rest
        else:
            order = order[: j - 1] + order[j:]
    regrouped: dict[str, list[Candidate]] = {kind: [] for kind in SECTION_TITLES}
    for kind, c in order:
        regrouped[kind].append(c)
    return regrouped


# Names that say nothing about what a story is about: units, licences, platforms, data sources.
NOT_TAGS = frozenset(
    "celsius fahrenheit apache mit gpl bsd web internet online reddit github hacker news hugging face hub "
    "twitter facebook instagram youtube tiktok google news associated press reuters afp "
    # a link's words run together with capitals: "Read More", "Click Here"; a date's: "Dec", "Wed"
    "read more click here mon tue tues wed thu thur thurs fri sat sun".split()
) | frozenset(lexicon.MONTH_ABBREVIATIONS)


# Words that stand before a person's name as a title ("Director Helga Sund"): not the name.
ROLES = frozenset(
    "director conductor owner winner founder cofounder co-founder chair chairman chairwoman chairperson president "
    "minister mayor councillor councilor senator governor secretary commissioner spokesperson spokesman spokeswoman "
    "analyst executive manager coach captain judge officer inspector detective sergeant editor author chef principal "
    "professor prof dr doctor economist researcher engineer farmer nurse student curator superintendent organiser "
    "organizer leader head boss treasurer chancellor lawyer attorney prosecutor pilot skipper actor actress singer "
    "rapper musician comedian model".split()
)
# Capitalised words that open a run of capitals without being anyone's given name: a title
# or role, a word that is no name, a place's or an institution's first word.
_NOT_GIVEN = (
    ROLES
    | NOT_NAMES
    | frozenset(
        "prime king queen prince princess pope sir dame lord lady gov sen rep gen col lt sgt capt justice north "
        "south east west new saint st fort port mount lake county city state united royal federal national "
        "international american british".split()
    )
)
# What may continue a name and make it another: a model's or product's suffix ("Lumen" of
# "Lumen-7B") or, after a title's "The", a possessive ("The Keeper" of "The Keeper's Ledger").
_NAME_TAIL = r"(?P<tail>-[A-Z0-9][\w.]*(?:-[A-Za-z0-9][\w.]*)*|['\u2019]s(?:\s+[A-Z][\w'\u2019-]*)+)?"


_TAIL_AFTER_NAME = re.compile(_NAME_TAIL + r"(?![\w-])")
_WORD_OR_HYPHEN = re.compile(r"[\w-]")


def _name_tails(name: str, text: str) -> Iterator[str]:
    r"""What ``(?<![\w-])NAME{_NAME_TAIL}(?![\w-])`` finds in ``text``, each match's tail: the
    name located by ``str.find`` and the tail matched where it ends. A pattern compiled per
    name cost half a millisecond each (2,600 names, 1.6 s a 2,000-item run)."""
    pos = text.find(name)
    while pos >= 0:
        m = None if pos and _WORD_OR_HYPHEN.match(text, pos - 1) else _TAIL_AFTER_NAME.match(text, pos + len(name))
        if m:
            yield m.group("tail") or ""
            pos = text.find(name, m.end())
        else:
            pos = text.find(name, pos + 1)


def _whole_name(name: str, texts: Sequence[str]) -> str | None:
    """The name as the texts give it: itself when it stands alone somewhere, else the longer
    name it is always part of (a model's "Lumen-7B", a title's "The Keeper's Ledger"), or None
    when that longer name is only a possessive ("Lakeside's Harbour Road")."""
    from collections import Counter

    tails: Counter[str] = Counter()
    for text in texts:
        for found in _name_tails(name, text):
            tail = found.rstrip(".")
            if not tail:
                return name
            tails[tail] += 1
    if not tails:
        return name  # found by ``names`` in a shape this pattern does not see: as it was
    tail = tails.most_common(1)[0][0]
    if tail.startswith("-") or name.startswith("The "):
        return name + tail
    return None


def _without_role(name: str) -> str:
    """ "Director Helga Sund" → "Helga Sund": a title before a full name is not part of it."""
    words = name.split()
    if len(words) >= 3 and words[0].lower() in ROLES:
        return " ".join(words[1:])
    return name


def _without_the(name: str, text: str) -> str:
    """ "The Harbor Point" → "Harbor Point" where the text also gives it without a capital
    "The" (a sentence's first word, not the name's), and "The London School of Economics" →
    "London School of Economics" always (a name of several words stands without it); "The
    Hague" stays."""
    rest = name[4:]
    titled = "'" in rest or "\u2019" in rest  # "The Keeper's Ledger": a title, "The" and all
    several = " " in rest
    if name.startswith("The ") and not titled and (several or re.search(rf"(?<!The ){re.escape(rest)}\b", text)):
        return rest
    return name


def _reads_as_a_name(name: str) -> bool:
    """Not a run of title-case words that is a headline or a clause ("Why Gibson Guitar Was
    Raided By The Justice Department", "While Secretary of State …", "In June"), nor a name's
    tail ("of State George Shultz"). "Will Smith", "Good Will Hunting" and "The Hague" stay."""
    from newsdesk.text.clauses import AUXILIARIES
    from newsdesk.text.lexicon import FUNCTION_WORDS

    words = name.split()
    first = words[0].lower()
    if not words[0][:1].isupper() or (first in FUNCTION_WORDS and first not in AUXILIARIES and first != "the"):
        return False
    return not any(w in _HEADLINE_CAPITALS for w in words[1:])


# Small words a title-case headline capitalises and a name writes in lower case, if at all.
_HEADLINE_CAPITALS = frozenset("The A An Of By Was Is Are Were For To In On At And Or With From All As".split())


# The last word of an institution's name: "Detroit Water and Sewerage Department" is one name.
_INSTITUTION = (
    "Department|Authority|Commission|Company|Corporation|Board|Council|Service|Services|Agency|Institute|"
    "University|Museum|Society|Association|Union|Bank|Trust|Foundation|Party|Committee|Administration|Office"
)


def _joined_by_and(found: set[str], text: str) -> set[str]:
    """Names that are halves of one institution's name joined by "and" ("Detroit Water" and
    "Sewerage Department" of "Detroit Water and Sewerage Department") become that name; two
    places or people ("Maryland and Virginia") stay two."""
    out = set(found)
    for name in found:
        if " " not in name or re.search(rf"\b(?:{_INSTITUTION}|System|Center|Centre|Hospital|School|College|Group)$", name):
            continue  # "… Healthcare System and Utrecht University": two institutions
        m = re.search(re.escape(name) + rf" and ((?:[A-Z][a-z]+ ){{0,3}}(?:{_INSTITUTION}))\b(?! of\b)", text)
        if m:
            out.discard(name)
            out.discard(m.group(1))
            out.add(f"{name} and {m.group(1)}")
    return out


def tags_for(items: Sequence[Item], limit: int = 5) -> list[str]:
    """Names that several of the story's items mention (people, places, organisations), never a
    common word ("Web"), a unit or licence ("Celsius", "Apache"), an outlet's own name, a title
    before a name ("Director"), or a name cut from a longer one ("The Keeper" of "The Keeper's
    Ledger", "Lumen" of "Lumen-7B")."""
    from collections import Counter

    from newsdesk.text.names import is_dictionary_word, subject_names

    outlets = {i.outlet.lower() for i in items}
    counts: Counter[str] = Counter()
    everything = "\n".join(i.title + ". " + i.text for i in items)
    for item in items:
        text = item.title + ". " + item.text
        found = {_without_role(n) for n in subject_names(text) if len(n) > 2 and n.lower() not in NOT_NAMES}
        found = _joined_by_and(found, text)
        whole = {_whole_name(n, [text]) for n in found}
        counts.update({_without_the(n, everything) for n in whole if n is not None})
    tags: list[str] = []
    # The most mentioned first; of names mentioned as often, the longer (a full name before a surname).
    for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], -len(kv[0].split()), kv[0])):
        low = name.lower()
        if " " not in name and (is_dictionary_word(low) or low in NOT_TAGS):
            continue
        if not _reads_as_a_name(name):
            continue
        if low in outlets or all(part in NOT_TAGS for part in low.split()):
            continue
        if n >= min(2, len(items)) and not any(name in t or t in name for t in tags):
            tags.append(name)
    return tags[:limit]
