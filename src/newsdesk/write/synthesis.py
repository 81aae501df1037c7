"""What the extractive writer composes itself, from checked facts: figures reconciled over
time, a dated timeline, and headings that follow the story.

Every composed sentence is a claim like a quoted one: it is built only from typed facts
(``newsdesk.facts``) read from the outlets' sentences it cites, in words those sentences use, and
it is kept only when the verifier (``ClaimChecker``) passes it against them. What does not pass
is not written; the writer's quoted sentences stay as they were.

- Reconciled figures: the same subject and measure at different times of one day or over years
  ("Nvidia shares fell 13% at the open and 17% at the close [1][2]") replace the sentences that
  only restated those figures one by one. A time whose outlets give different values is left to
  the "Sources disagree" note.
- Timeline: a story whose reports run over several days gets a "The timeline" section, one report
  per day in date order; the page dates each entry by its cited source's publication date.
- Headings: each section named after what it is about ("Velora Systems: what happened", "What
  Pavel Oskar said"), checked as labels by the verifier; a fixed heading where nothing passes.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from newsdesk.facts import MeasuredFact, norm_subject, passage_facts, sentence_facts
from newsdesk.facts.compare import disputes, measure_phrase
from newsdesk.records import ArticleSentence, Citation, Item
from newsdesk.text.clauses import can_be_noun, verb_tags
from newsdesk.text.lexicon import FUNCTION_WORDS
from newsdesk.text.names import NOT_NAMES, SAID, subject_names
from newsdesk.write.extractive import Candidate

if TYPE_CHECKING:
    import numpy as np

    from newsdesk.verify.checks import ClaimChecker

TIMELINE_HEADING = "The timeline"  # not "Timeline": a capitalised lone word reads as a name to the label check
MAX_POINTS = 4
MAX_TIMELINE = 6

_INTRADAY_ORDER = {"premarket": 0, "open": 1, "midday": 2, "close": 3, "after hours": 4}
_CANONICAL = {"open": "at the open", "close": "at the close", "midday": "by midday", "premarket": "in premarket trading"}
_PHRASE = re.compile(r"^(?:at|by|in|around|as of|before|near|during|for|since)\s", re.I)


@dataclass(eq=False)
class Made(Candidate):
    """A composed sentence where the writer orders candidates: its own text, and the source
    sentences it rests on (each cited)."""

    made_text: str = ""
    sources: list[Candidate] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.made_text

    def cite(self, numbering: dict[int, int]) -> ArticleSentence:
        citations = []
        for s in self.sources:
            ref = numbering.setdefault(s.doc.key, len(numbering) + 1)
            citations.append(Citation(ref=ref, item_id=s.doc.key, start=s.start, end=s.end))
        return ArticleSentence(text=self.made_text, citations=citations, composed=True)


def _draft(made: Made) -> ArticleSentence:
    return made.cite({})


def passes(made: Made, checker: ClaimChecker, items: dict[int, Item]) -> bool:
    from newsdesk.verify.checks import PASS

    (check,) = checker.check_all([_draft(made)], items)
    return check.verdict == PASS


# --- figures over time --------------------------------------------------------------------------


def _order(f: MeasuredFact) -> tuple[int, float] | None:
    """Where a fact's time falls in a sequence: the trading day's moments, or years."""
    if f.time in _INTRADAY_ORDER:
        return (0, _INTRADAY_ORDER[f.time])
    if f.time and f.time.startswith("year:") and f.time[5:].isdigit():
        return (1, float(f.time[5:]))
    if f.time in ("last year", "this year"):
        return (1, 0.0 if f.time == "last year" else 1.0)  # only ordered against each other
    return None


def _key(f: MeasuredFact) -> tuple[str, str, str, str] | None:
    subject = norm_subject(re.sub(r"^(?:shares|stock)\s+(?:of|in)\s+", "", f.subject or "", flags=re.I))
    if not subject or not f.measure or f.modality != "asserted" or f.qualifier or f.high is not None:
        return None
    return (subject, f.measure, f.unit, f.polarity)


def _time_phrase(f: MeasuredFact) -> str | None:
    """The time as a phrase after the figure: the source's own words where they are one ("at the
    open", "by midday"), else the moment's plain name ("closed" → "at the close")."""
    written = (f.time_text or "").strip()
    if written and _PHRASE.match(written) and not re.search(r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday)\b", written):
        return written[0].lower() + written[1:]
    return _CANONICAL.get(f.time or "")


def _subject_words(f: MeasuredFact) -> str:
    return re.sub(r"^(?:[Ss]hares|[Ss]tock)\s+(?:of|in)\s+", "", f.subject or "").removesuffix("'s").removesuffix("\u2019s")


def _sentence(points: list[tuple[Candidate, MeasuredFact]]) -> str | None:
    first = points[0][1]
    parts = []
    for _, f in points:
        when = _time_phrase(f)
        if when is None:
            return None
        parts.append(f"{f.text} {when}")
    listed = ", ".join(parts[:-1]) + " and " + parts[-1]
    who = _subject_words(first)
    if first.measure == "shares" and first.polarity in ("up", "down"):
        verb = "fell" if first.polarity == "down" else "rose"
        return f"{who} shares {verb} {listed}."
    if first.polarity:
        return None  # a move of another measure: its verb is the source's, not ours to choose
    phrase = measure_phrase(first, who)
    return f"{phrase[0].upper()}{phrase[1:]} was {listed}."


def reconcile(
    chosen: list[Candidate], pool: list[Candidate], checker: ClaimChecker, items: dict[int, Item]
) -> list[tuple[Made, list[Candidate]]]:
    """Composed sentences for the figures that change over time, each with the chosen sentences
    it makes redundant. Only keys the chosen sentences carry; at most one such sentence per key."""
    facts = {id(c): passage_facts(c.text) for c in pool if not c.doc.forum}
    chosen_ids = {id(c) for c in chosen}
    by_key: dict[tuple[str, str, str, str], list[tuple[Candidate, MeasuredFact]]] = {}
    for c in pool:
        for f in facts.get(id(c), []):
            k = _key(f)
            if k is not None and _order(f) is not None:
                by_key.setdefault(k, []).append((c, f))
    out: list[tuple[Made, list[Candidate]]] = []
    for k, found in by_key.items():
        if not any(id(c) in chosen_ids for c, _ in found):
            continue
        at: dict[str | None, list[tuple[Candidate, MeasuredFact]]] = {}
        for c, f in found:
            at.setdefault(f.time, []).append((c, f))
        points = []
        for here in at.values():
            if any(disputes(a, b) for _, a in here for _, b in here):
                continue  # outlets differ at this moment: the disagreement note says so
            # The chosen sentence's wording first, then the most central.
            here.sort(key=lambda cf: (id(cf[0]) not in chosen_ids, -cf[0].score))
            points.append(here[0])
        kinds = {(_order(f) or (9, 0))[0] for _, f in points}
        if len(points) < 2 or len(kinds) != 1:
            continue
        points.sort(key=lambda cf: _order(cf[1]) or (9, 0.0))
        points = points[:MAX_POINTS]
        text = _sentence(points)
        if text is None:
            continue
        sources = list({id(c): c for c, _ in points}.values())
        made = Made(
            doc=sources[0].doc,
            start=sources[0].start,
            end=sources[0].end,
            position=min(c.position for c in sources),
            score=max(c.score for c in sources),
            numbers=frozenset().union(*(c.numbers for c in sources)),
            made_text=text,
            sources=sources,
        )
        if not passes(made, checker, items):
            continue
        values = {(f.time, f.value) for _, f in points}
        redundant = [
            c for c in chosen if facts.get(id(c)) and all(_key(f) == k and (f.time, f.value) in values for f in facts[id(c)])
        ]
        out.append((made, redundant))
    return out


# --- timeline --------------------------------------------------------------------------------


def timeline(
    groups: dict[str, list[Candidate]],
    pool: list[Candidate],
    S: np.ndarray,
    when: dict[int, object],
    redundancy: float,
) -> list[Candidate]:
    """One report a day, in date order, for a story whose dated reports span two days or more:
    a chosen sentence of that day's reports moves here (never the lead's first, never a
    composed one), else that day's best sentence that repeats nothing chosen."""
    from datetime import datetime

    day_of = {key: t.date() for key, t in when.items() if isinstance(t, datetime)}
    days = sorted({day_of[c.doc.key] for c in pool if c.doc.key in day_of and not c.doc.forum})
    if len(days) < 2:
        return []
    placed = [c for g in groups.values() for c in g]
    entries: list[Candidate] = []
    for day in days[:MAX_TIMELINE]:
        mine = [
            (kind, c)
            for kind, g in groups.items()
            for i, c in enumerate(g)
            if not isinstance(c, Made) and day_of.get(c.doc.key) == day and not (kind == "lead" and i == 0)
        ]
        if mine:
            kind, c = max(mine, key=lambda kc: kc[1].score)
            groups[kind] = [x for x in groups[kind] if x is not c]
            entries.append(c)
            continue
        fresh = [
            c
            for c in pool
            if day_of.get(c.doc.key) == day
            and not c.doc.forum
            and all(isinstance(p, Made) or S[c.vector_row, p.vector_row] < redundancy for p in placed + entries)
        ]
        if fresh:
            entries.append(max(fresh, key=lambda c: c.score))
    return entries if len(entries) >= 2 else []


# --- headings --------------------------------------------------------------------------------


def _main_name(texts: list[str], within: str | None = None) -> list[str]:
    """Names the texts share (each in two of them, or the only text), most mentioned first; with
    ``within``, only names that text gives too (the dek: what the story is about)."""
    from newsdesk.write.extractive import NOT_TAGS

    counts: Counter[str] = Counter()
    for t in texts:
        counts.update({n for n in subject_names(t) if n.lower() not in NOT_NAMES and len(n) > 2 and n.lower() not in NOT_TAGS})
    need = 2 if len(texts) > 1 else 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], -len(kv[0].split()), kv[0]))
    return [n for n, k in ranked if k >= need and (within is None or n in within)]


# Last words that make a two-word name an organisation ("Corvane Research"), not a speaker.
_ORGANISATION = frozenset(
    "Research Bank Group Labs Systems Capital Partners Securities Council Company Institute University Energy Foods "
    "Robotics Cloud Space Media News Post Times Daily Ledger Insights Analytics Associates Holdings Motors Airlines "
    "Agency Office Ministry Department Police Authority Court Union Foundation Fund Trust Embassy Commission "
    "Committee Service Administration Board Party Army Navy Command Association Society Centre Center Hospital "
    "School College Church Network Organization Organisation League Federation Club Government Bureau Museum "
    "Library Press Magazine Journal Review Channel Radio Television".split()
)


def _speakers(texts: list[str]) -> list[str]:
    """People the texts quote by full name ("…, said Pavel Oskar", "Pavel Oskar said …"), without
    a title before the name ("Mayor Lidia Farrow" → "Lidia Farrow"), most quoted first."""
    from newsdesk.write.extractive import ROLES

    counts: Counter[str] = Counter()
    # Not after "at", "from", "of" ("analysts at Corvane Research noted"): an organisation.
    # A surname may join two capitalised parts ("Ben-Rabha", "O'Neill"), never end on the hyphen.
    person = (
        r"(?<!\bat )(?<!\bfrom )(?<!\bof )(?<!\bfor )"
        r"((?:[A-Z][a-z]+\.?\s+)?[A-Z][a-z]+\s+[A-Z][a-z]*(?:['\u2019-]?[A-Z]?[a-z]+)*)"
    )
    for t in texts:
        found = re.findall(person + r",?\s+(?:\w+\s+){0,2}?" + SAID.pattern, t) + re.findall(SAID.pattern + r"\s+" + person, t)
        who = set()
        for groups in found:
            name = next((g for g in groups if g and g[0].isupper() and " " in g), None)
            if name is None:
                continue
            words = name.split()
            if len(words) == 3 and words[0].lower().rstrip(".") in ROLES:
                name = " ".join(words[1:])
            if len(name.split()) == 2 and name.split()[0].lower() not in NOT_NAMES and name.split()[1] not in _ORGANISATION:
                who.add(name)
        counts.update(who)
    # Ties in the order the texts first name them: a set's order changes from one process to the
    # next, and a heading that flips would make a new version of an unchanged article.
    joined = "\n".join(texts)
    return sorted(counts, key=lambda n: (-counts[n], joined.find(n), n))


def heading_options(kind: str, members: list[Candidate], dek: str = "") -> list[str]:
    """Headings that say what a section is about, best first (the verifier picks among them)."""
    texts = [c.text for c in members]
    if kind == "quote":
        speakers = _speakers(texts)
        out = []
        if len(speakers) >= 2:
            out.append(f"What {speakers[0]} and {speakers[1]} said")
        if speakers:
            out.append(f"What {speakers[0]} said")
        return out
    if kind == "figures":
        facts = [f for t in texts for f in sentence_facts(t) if f.subject and f.measure]
        common = Counter((norm_subject(f.subject), f.measure) for f in facts).most_common(1)
        if not common or common[0][1] < 2:
            return []
        f = next(f for f in facts if (norm_subject(f.subject), f.measure) == common[0][0])
        subject = _subject_words(f)
        return [f"{measure_phrase(f, subject)} in figures", f"{subject} in figures"]
    main = _main_name(texts + [dek], within=dek) if dek else _main_name(texts)
    if not main:
        return []
    named = _with_article(main[0], texts + [dek])
    if kind == "lead":
        return [f"{named[:1].upper()}{named[1:]}: what happened"]
    if kind == "context":
        return [f"Background on {named}"]
    return []


def _with_article(name: str, texts: list[str]) -> str:
    """The name as the texts use it: "the Pentagon", "the State Department" where most of its
    mentions have "the" before them; a person's or a place's name as it is."""
    if name.startswith("The "):
        return "the " + name[4:]  # "Background on the Harbour Authority", not "on The …"

    def attributive(word: str | None) -> bool:
        # a noun or an adjective after the name, or a longer name it begins ("the Detroit Water Department")
        if not word:
            return False
        if word[:1].isupper():
            return True
        return word not in FUNCTION_WORDS and (can_be_noun(word) or not verb_tags(word))

    # "the Trump campaign", "the Trump presidential campaign": the article is the noun's, not the
    # name's; such a mention says nothing. "the Pentagon said" counts.
    mentions = [
        m.group(1)
        for t in texts
        for m in re.finditer(r"(\b[Tt]he\s+)?" + re.escape(name) + r"\b(?:[^\S\n]+([A-Za-z]+))?", t)
        if not attributive(m.group(2))
    ]
    if mentions and sum(1 for m in mentions if m) * 2 >= len(mentions):
        return f"the {name}"
    return name


def headings(
    groups: dict[str, list[Candidate]], fixed: dict[str, str], checker: ClaimChecker, items: dict[int, Item], dek: str = ""
) -> dict[str, str]:
    """Each section's heading: the first option the verifier passes as a label over the
    section's cited items, else the fixed one. No two sections share a heading."""
    from newsdesk.verify.checks import PASS

    out: dict[str, str] = {}
    for kind, members in groups.items():
        out[kind] = fixed.get(kind, kind)
        cited = {
            s.doc.key: items[s.doc.key]
            for c in members
            for s in (c.sources if isinstance(c, Made) else [c, *c.corroborating])
            if s.doc.key in items
        }
        for option in heading_options(kind, members, dek):
            if option in out.values() or len(option) > 70:
                continue
            if checker.check_label(option, list(cited.values())).verdict == PASS:
                out[kind] = option
                break
    return out


# --- the writer's hook -----------------------------------------------------------------------


def compose(
    dek: Candidate,
    groups: dict[str, list[Candidate]],
    chosen: list[Candidate],
    pool: list[Candidate],
    S: np.ndarray,
    originals: list[Item],
    items: dict[int, Item],
    checker: ClaimChecker,
    fixed: dict[str, str],
    redundancy: float,
) -> tuple[dict[str, list[Candidate]], dict[str, str]]:
    """The sections in order (a "timeline" after the lead where the story runs over days), with
    composed sentences in place of those they make redundant, and each section's heading."""
    groups = {kind: list(members) for kind, members in groups.items()}
    for made, redundant in reconcile(chosen, pool, checker, items):
        gone = {id(c) for c in redundant if c is not dek}
        slots = [(kind, i) for kind, g in groups.items() for i, c in enumerate(g) if id(c) in gone]
        if slots:
            kind, at = slots[0]
            groups[kind][at] = made
            groups = {k: [c for c in g if id(c) not in gone] for k, g in groups.items()}
        else:
            groups.setdefault("figures", []).insert(0, made)
    entries = timeline(groups, pool, S, {i.id: i.published_at for i in originals}, redundancy)
    ordered: dict[str, list[Candidate]] = {}
    for kind, members in groups.items():
        if members:
            ordered[kind] = members
        if kind == "lead" and entries:
            ordered["timeline"] = sorted(entries, key=lambda c: items[c.doc.key].when)
    if entries and "timeline" not in ordered:
        ordered = {"timeline": sorted(entries, key=lambda c: items[c.doc.key].when), **ordered}
    return ordered, headings(ordered, {**fixed, "timeline": TIMELINE_HEADING}, checker, items, dek.text)


__all__ = ["TIMELINE_HEADING", "Made", "compose", "heading_options", "headings", "passes", "reconcile", "timeline"]
