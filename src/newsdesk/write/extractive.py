"""The extractive writer: no model, no key. It selects central, informative, non-redundant
source sentences, cites each (and the independent outlets that state the same thing), and
orders them as news: what happened, the figures, what people said, background.

``select`` works on plain documents so the benchmark scores exactly this selection.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from newsdesk.config import VerifySettings, WriteSettings
from newsdesk.records import Article, ArticleSentence, Attribution, Citation, Item, Section, Story
from newsdesk.text import lexicon
from newsdesk.text.frames import DISAGREEMENT, DISAGREEMENT_HEADING, disagreement_text
from newsdesk.text.names import NOT_NAMES, SAID, names, without_outlet_suffix
from newsdesk.text.numbers import APPROXIMATION, Figure, figures
from newsdesk.text.quality import defects, trim_prefix
from newsdesk.text.sentences import sentence_spans
from newsdesk.write.references import central_title, latest_fact_items, references_for

_QUOTE = re.compile(r"[\"\u201c\u201d]")


@dataclass
class Doc:
    """One source document: ``key`` identifies it, ``outlet`` groups independent sources."""

    key: int
    outlet: str
    text: str
    title: str = ""
    forum: bool = False  # a forum post: its first-person sentences are a user's, never the article's


@dataclass
class Candidate:
    doc: Doc
    start: int
    end: int
    position: int
    score: float = 0.0
    numbers: frozenset[str] = frozenset()
    vector_row: int = 0
    corroborating: list[Candidate] = field(default_factory=list)
    misspelt: bool = False  # a word no dictionary knows and no other source uses

    @property
    def text(self) -> str:
        return self.doc.text[self.start : self.end]

    @property
    def words(self) -> int:
        return len(self.text.split())


def numbers_in(text: str) -> frozenset[str]:
    """The sentence's figures as comparable keys ("1,800" and "1.8 thousand" are one figure)."""
    return frozenset(f"{f.kind}:{f.value:g}" for f in figures(text))


def candidates(docs: list[Doc], min_words: int = 6, max_words: int = 60, clean: bool = True) -> list[Candidate]:
    """Every sentence that may be quoted: within the length bounds and, with ``clean``, free of
    page furniture, fragments, headlines, dangling openers and unattributed first person
    (``text.quality``); a leading date prefix is cut from the span."""
    titles = [d.title for d in docs if d.title]
    shared = _shared_words(docs) if clean and len(docs) > 1 else None
    out = []
    for doc in docs:
        for span in sentence_spans(doc.text):
            c = Candidate(doc, span.start, span.end, span.position)
            if clean:
                c.start += trim_prefix(c.text)
                if defects(c.text, titles=titles):
                    continue
                c.misspelt = shared is not None and _misspelt(c.text, shared)
            if min_words <= c.words <= max_words:
                c.numbers = numbers_in(c.text)
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
    centrality: float = 0.4
    position: float = 0.5
    figures: float = 0.1
    redundancy: float = 0.35  # similarity at which a sentence repeats one already chosen
    corroboration: float = 0.35  # similarity at which another outlet's sentence corroborates
    min_words: int = 6
    max_words: int = 60
    clean: bool = True  # the publishability filter (text.quality); off only to measure it


def select(docs: list[Doc], budget_words: int, weights: SelectionWeights = SelectionWeights()) -> list[Candidate]:
    """Greedy maximal-marginal-relevance selection within a word budget."""
    return select_with_pool(docs, budget_words, weights)[0]


def select_with_pool(
    docs: list[Doc], budget_words: int, weights: SelectionWeights = SelectionWeights()
) -> tuple[list[Candidate], list[Candidate], np.ndarray]:
    """The chosen sentences, every candidate, and the candidates' similarity matrix."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    w = weights
    pool = candidates(docs, w.min_words, w.max_words, w.clean)
    if not pool:
        return [], [], np.zeros((0, 0))
    try:
        X = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform([c.text for c in pool])
    except ValueError:
        return [], [], np.zeros((0, 0))
    for row, c in enumerate(pool):
        c.vector_row = row
    S = (X @ X.T).toarray()
    outlets = np.array([c.doc.outlet for c in pool])
    other_outlet = outlets[:, None] != outlets[None, :]
    # Centrality across outlets: what several independent sources say is what happened.
    n_outlets = max(1, len(set(outlets)) - 1)
    cross = np.where(other_outlet, S, 0.0).sum(axis=1) / n_outlets
    within = S.sum(axis=1) / len(pool)
    centrality = cross if len(set(outlets)) > 1 else within
    centrality = centrality / (centrality.max() or 1.0)
    position = np.array([1.0 / (1.0 + c.position) for c in pool])
    info = np.array([min(len(c.numbers), 3) / 3.0 for c in pool])
    for c, cen, pos, inf in zip(pool, centrality, position, info):
        c.score = w.centrality * cen + w.position * pos + w.figures * inf
    chosen: list[Candidate] = []
    used = 0
    for c in sorted(pool, key=lambda c: -c.score):
        if used + c.words > budget_words:
            continue
        if c.misspelt and any(
            not o.misspelt and o.doc.outlet != c.doc.outlet and S[c.vector_row, o.vector_row] >= w.redundancy for o in pool
        ):
            continue  # another outlet says the same, spelt right
        if chosen and any(_same_point(c, d, S, w.redundancy) for d in chosen):
            continue
        chosen.append(c)
        used += c.words
    for c in chosen:
        c.corroborating = _corroborating(c, pool, S, w.corroboration)
    return chosen, pool, S


@dataclass
class Disagreement:
    """Outlets giving different values for one measure: the chosen sentence's, and others'."""

    figures: list[tuple[Candidate, str]]  # (sentence, the figure as it stands in it), anchor first


def _measure(text: str, figure: Figure) -> tuple[str, str] | None:
    """What a figure measures, as far as its form tells: its kind, and for a plain count the
    noun after it ("1,800 jobs"). Years and bare counts measure nothing comparable."""
    if figure.kind != "plain":
        return figure.kind, ""
    if figure.value == int(figure.value) and 1900 <= figure.value <= 2100:
        return None
    following = re.match(r"\s+([a-z]{3,})", text[figure.end :])
    if not following or following.group(1) in lexicon.STOPWORDS:
        return None
    word = following.group(1)
    return "plain", min(lexicon.lemmas(word))


_NAME_BEFORE = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")


def _subject(text: str, figure: Figure) -> str | None:
    """The last name before the figure in its sentence ("Halden Robotics cut 1,600 jobs"), if any."""
    found = [
        m.group()
        for m in _NAME_BEFORE.finditer(text[: figure.start])
        if " " in m.group() or m.group().lower() not in lexicon.STOPWORDS
    ]
    return found[-1] if found else None


def _context(text: str, figure: Figure) -> frozenset[str]:
    """Content words around a figure, as word forms (so "fell" meets "dropped")."""
    window = text[max(0, figure.start - 50) : figure.end + 50]
    out: set[str] = set()
    for word in lexicon.tokens(window):
        low = word.lower()
        if low not in lexicon.STOPWORDS and len(low) > 2:
            out |= lexicon.forms(low)
    return frozenset(out)


def disagreements(chosen: list[Candidate], pool: list[Candidate], S: np.ndarray, similar: float = 0.15) -> list[Disagreement]:
    """Chosen sentences whose figure other outlets give differently, in sentences about the same
    thing (similar wording, the same kind of figure, shared words around it). At most one figure
    per sentence and two disagreements per article: a note, not a table."""
    out: list[Disagreement] = []
    covered: set[int] = set()  # sentences already in a disagreement: each is told once
    for c in chosen:
        if c.doc.forum or id(c) in covered:
            continue  # a forum user's measurement is not a report to weigh against outlets'
        for f in figures(c.text):
            measure = _measure(c.text, f)
            if measure is None or sum(_measure(c.text, g) == measure for g in figures(c.text)) != 1:
                continue  # several figures of one kind in the sentence: which one differs is unclear
            around = _context(c.text, f)
            others: dict[str, tuple[Candidate, str]] = {}
            for o in pool:
                if o.doc.outlet == c.doc.outlet or o.doc.outlet in others or S[c.vector_row, o.vector_row] < similar:
                    continue
                if o.doc.forum:
                    continue
                same = [g for g in figures(o.text) if _measure(o.text, g) == measure]
                if len(same) != 1:  # none, or several: not clearly the same measure
                    continue
                g = same[0]
                subjects = (_subject(c.text, f), _subject(o.text, g))
                if None not in subjects and subjects[0] != subjects[1]:
                    continue  # another company's, another person's figure
                if abs(g.value - f.value) <= APPROXIMATION * max(abs(f.value), abs(g.value)):
                    continue  # the same figure, or a rounding of it
                if len(around & _context(o.text, g)) < 2:
                    continue
                others[o.doc.outlet] = (o, g.text)
            if others:
                found = Disagreement([(c, f.text), *list(others.values())[:3]])
                out.append(found)
                covered |= {id(o) for o, _ in found.figures}
                break
        if len(out) == 2:
            break
    return out


def _same_point(a: Candidate, b: Candidate, S: np.ndarray, redundancy: float) -> bool:
    """Redundant: very similar wording, or the same figures in similar wording."""
    sim = S[a.vector_row, b.vector_row]
    shared_figures = bool(a.numbers) and bool(a.numbers & b.numbers)
    return sim >= redundancy or (shared_figures and sim >= 0.15)


def quoted(text: str) -> list[str]:
    return [q.strip().lower() for q in re.findall(r"[\"\u201c]([^\"\u201c\u201d]{3,})[\"\u201d]", text)]


def _corroborating(c: Candidate, pool: list[Candidate], S: np.ndarray, threshold: float) -> list[Candidate]:
    """Sentences from other outlets that state the same thing, with the same figures."""
    best: dict[str, Candidate] = {}
    for o in pool:
        if o.doc.outlet == c.doc.outlet or S[c.vector_row, o.vector_row] < threshold:
            continue
        if c.numbers and not c.numbers <= o.numbers:
            continue
        # A quote is corroborated only by a source carrying the same words.
        if any(q not in o.text.lower() for q in quoted(c.text)):
            continue
        if not c.numbers and S[c.vector_row, o.vector_row] < threshold + 0.1:
            continue
        if o.doc.outlet not in best or S[c.vector_row, o.vector_row] > S[c.vector_row, best[o.doc.outlet].vector_row]:
            best[o.doc.outlet] = o
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


SECTION_TITLES = {"lead": "What happened", "figures": "By the numbers", "quote": "What they said", "context": "Background"}


class ExtractiveWriter:
    name = "extractive"

    def __init__(self, settings: WriteSettings, verify: VerifySettings | None = None, weights: SelectionWeights | None = None):
        self.settings = settings
        self.verify = verify or VerifySettings()
        self.weights = weights or SelectionWeights()

    def write(self, story: Story) -> Article | None:
        # Outlets' own reports only: copies add nothing, and a commenter's words are not the newsroom's.
        originals = [i for i in story.items if i.is_outlet_report and i.text.strip()]
        if not originals:
            return None
        items = {i.id: i for i in originals}
        fact_items = latest_fact_items(story.items)
        items.update((i.id, i) for i in fact_items)
        docs = [Doc(i.id, i.outlet, i.text, i.title, i.forum is not None) for i in originals]
        chosen, pool, similarity = select_with_pool(docs, self.budget_for(story, originals), self.weights)
        if not chosen:
            return None
        conflicts = disagreements(chosen, pool, similarity)
        self._keep_supporting_corroboration(chosen, items)
        # The dek: the best sentence that meets nobody by surname alone and carries no figure the
        # outlets disagree on (a disputed figure is said with its attributions, not up top).
        disputed = {id(c) for d in conflicts for c, _ in d.figures}
        dek = next(
            (c for c in chosen if id(c) not in disputed and not _meets_someone_by_surname(c, chosen)),
            next((c for c in chosen if not _meets_someone_by_surname(c, chosen)), chosen[0]),
        )
        body = [c for c in chosen if c is not dek]
        # Order: the lead sentences (top scores from the start of their source), then by kind.
        groups: dict[str, list[Candidate]] = {"lead": [], "figures": [], "quote": [], "context": []}
        for c in body:
            kind = "lead" if c.position <= 1 and len(groups["lead"]) < 2 else kind_of(c)
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
        groups["figures"] += _fact_sentences(fact_items)
        groups = _names_introduced_first(dek, groups)
        numbering: dict[int, int] = {}

        def cite(c: Candidate) -> ArticleSentence:
            citations = []
            for source in [c, *c.corroborating]:
                ref = numbering.setdefault(source.doc.key, len(numbering) + 1)
                citations.append(Citation(ref=ref, item_id=source.doc.key, start=source.start, end=source.end))
            return ArticleSentence(text=c.text, citations=citations)

        dek_sentence = cite(dek)
        sections = []
        for kind in ("lead", "figures", "quote", "context"):
            members = groups[kind]
            if not members:
                continue
            sentences = [cite(c) for c in members]
            paragraphs = [sentences[i : i + 2] for i in range(0, len(sentences), 2)]
            sections.append(Section(SECTION_TITLES[kind], paragraphs))
            if kind == "lead" or (kind == "figures" and not groups["lead"]):
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
            headline=clean_title(central_title(originals, about=dek.text), outlets),
            dek=dek_sentence,
            sections=sections,
            references=references,
            tags=tags_for(originals),
            tier=story.tier,
            byline=self.settings.byline,
            writer=self.name,
        )

    def budget_for(self, story: Story, originals: list[Item]) -> int:
        """Words the story may have: long-form for a major story many outlets report."""
        s = self.settings
        if story.tier == "brief":
            return min(s.brief_budget_words, s.budget_words)
        if story.tier == "major" and len({i.outlet for i in originals}) >= s.long_min_outlets:
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
    """The frame that says who reports which figure, citing each outlet's own sentence."""
    citations, attributions = [], []
    for c, figure in d.figures:
        ref = numbering.setdefault(c.doc.key, len(numbering) + 1)
        citations.append(Citation(ref=ref, item_id=c.doc.key, start=c.start, end=c.end))
        attributions.append(Attribution(outlet=c.doc.outlet, figure=figure, ref=ref))
    return ArticleSentence(disagreement_text(attributions), citations, frame=DISAGREEMENT, attributions=attributions)


def _meets_someone_by_surname(c: Candidate, chosen: list[Candidate]) -> bool:
    """The sentence says "Oskar" where another chosen sentence gives "Pavel Oskar"."""
    for other in chosen:
        if other is c:
            continue
        for full in _FULL_NAME.findall(other.text):
            surname = full.split()[-1]
            if full not in c.text and re.search(rf"\b{re.escape(surname)}\b", c.text):
                return True
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


# Names that say nothing about what a story is about: units, licences, platforms, data sources.
NOT_TAGS = frozenset(
    "celsius fahrenheit apache mit gpl bsd web internet online reddit github hacker news hugging face hub "
    "twitter facebook instagram youtube tiktok google news associated press reuters afp".split()
)


def tags_for(items: Sequence[Item], limit: int = 5) -> list[str]:
    """Names that several of the story's items mention (people, places, organisations), never a
    common word ("Web"), a unit or licence ("Celsius", "Apache"), or an outlet's own name."""
    from collections import Counter

    from newsdesk.text.names import is_dictionary_word

    outlets = {i.outlet.lower() for i in items}
    counts: Counter[str] = Counter()
    for item in items:
        counts.update(n for n in names(item.title + ". " + item.text) if len(n) > 2 and n.lower() not in NOT_NAMES)
    tags: list[str] = []
    for name, n in counts.most_common():
        low = name.lower()
        if " " not in name and (is_dictionary_word(low) or low in NOT_TAGS):
            continue
        if low in outlets or all(part in NOT_TAGS for part in low.split()):
            continue
        if n >= min(2, len(items)) and not any(name in t or t in name for t in tags):
            tags.append(name)
    return tags[:limit]
