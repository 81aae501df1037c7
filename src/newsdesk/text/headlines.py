"""Headlines from what sources give: their titles, cleaned, or a sentence cut down to one.

A headline is short (``MAX_WORDS``, ``MAX_CHARS``), states what happened (a question or a forum
post's "Ask HN:" is no headline where a statement exists), and uses only the source's words:
``from_sentence`` drops clauses, appositives and the weekday, and never adds a word, so the
verifier can check the result against the sentence it came from. A cut must still read as a
whole statement (``reads_whole``): a subject and its own finite verb, not a subordinate clause
("Since del Toro already looks like …"), a subject alone ("A woman who was attacked by a rabid
raccoon"), or a verb left waiting for its object ("The Democratic National Committee said").
"""

from __future__ import annotations

import re

from newsdesk.text.clauses import (
    AUXILIARIES,
    CONTROL_VERBS,
    DETERMINERS,
    PREPOSITIONS,
    main_verb,
    opens_subordinate,
    reads_whole,
    verb_lemmas,
    verb_tags,
)
from newsdesk.text.lexicon import tokens

MAX_WORDS = 14
MAX_CHARS = 90

# "Ask HN:", "Show HN:", "PSA:", "[D]", "[Discussion]", "(OC)": how forums label a post, not its news.
_FORUM_PREFIX = re.compile(
    r"^\s*(?:(?:(?:Ask|Show|Tell|Launch)\s+HN|PSA|TIL|ELI5|AMA|Discussion|Question|Help|Meta|Megathread)\s*[:\u2013\u2014-]\s*"
    r"|\[[^\]\n]{1,24}\]\s*[:\u2013\u2014-]?\s*|\((?:OC|D|R|P|N|Discussion|Question|Serious)\)\s*)+",
    re.I,
)
_FORUM_SUFFIX = re.compile(r"\s*(?:\[[^\]\n]{1,24}\]|\((?:OC|Discussion|Serious)\))\s*$", re.I)
_WEEKDAY = re.compile(
    r"\s+(?:on|last|this|early|late)\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    r"(?:\s+(?:morning|afternoon|evening|night))?(?=[\s,.;:]|$)"
)
_SAID = re.compile(r"\b(?:said|says|told|added|wrote|announced|reported|according to)\b", re.I)
# Where a sentence may be cut to leave its main clause: punctuation, then conjunctions that open
# a subordinate clause.
_CUTS = re.compile(
    r"\s*(?:[,;:]|\s[\u2013\u2014-])\s+"
    r"|\s+(?:after|while|as|because|when|so|but|although|though|since|before|amid|despite|ending|leaving)\s+"
)
# Failing those, before a trailing phrase: "… at the Vellamo music festival | in August".
_LAST_CUTS = re.compile(r"\s+(?:in|at|on|for|from|with|to|over|under|by|and|who|which|that)\s+")
# A short opener that is not the news: "In total, …", "On Tuesday, …", "Overall, …".
_OPENER = re.compile(
    r"^(?:(?:In|On|At|By|For|After|Before|Since|Earlier|Meanwhile|Overall|Today|Yesterday|Separately|However)\b[^,]{0,20}),\s+"
)
_DANGLING = frozenset(
    "a an the of to in on at by for from with and or but as that which who whose than its their his her "
    "just ever even only also still already".split()
)


def strip_forum_prefix(title: str) -> str:
    """A title without a forum's labels ("Ask HN: …", "[D] …", "… [OC]")."""
    out = _FORUM_SUFFIX.sub("", _FORUM_PREFIX.sub("", title, count=1)).strip()
    return out[:1].upper() + out[1:]


def is_question(text: str) -> bool:
    return text.rstrip().rstrip("\"'\u201d\u2019").rstrip().endswith("?")


def fits(headline: str) -> bool:
    """Short enough to be a headline."""
    return len(headline.split()) <= MAX_WORDS and len(headline) <= MAX_CHARS


def points_back(headline: str) -> bool:
    """Whether a headline cut from a sentence leans on the sentences before it: "… is looking
    into the incident", "… is not at issue in the case" (which incident? which case?)."""
    from newsdesk.text.quality import DEFINITE_BACK

    words = [w.lower() for w in tokens(headline)] + [""]
    return any(
        a in _BACK_DETERMINERS and b in DEFINITE_BACK and after not in _SAYS_WHICH
        for a, b, after in zip(words, words[1:], words[2:])
    )


_BACK_DETERMINERS = frozenset({"the", "this", "these", "those"})
# "the plan to close the pier", "the case against Velora": the words after say which.
_SAYS_WHICH = frozenset("of to against for that which over on by from between with in at".split())


def _tidy(text: str) -> str:
    words = text.strip(" ,;:\u2013\u2014-").split()
    while words and words[-1].lower().strip(",;:") in _DANGLING:
        words.pop()
    out = " ".join(words).rstrip(" ,;:")
    return out[:1].upper() + out[1:]


def _cut_phrase(text: str) -> bool:
    """Whether cutting here leaves a phrase in two: the cut's last word an article or a
    preposition ("… the beginning of a | sophisticated attempt", "… been praying for | : a chance")."""
    words = text.strip(" ,;:\u2013\u2014-").split()
    return bool(words) and words[-1].lower().strip(",;:") in _PHRASE_OPENERS


_PHRASE_OPENERS = frozenset("a an the of to in on at by for from with than".split())


def _without_appositives(text: str) -> str:
    """ "Tidewater, a startup that recovers lithium, has raised …" → "Tidewater has raised …"
    (only after a name, and never a reporting clause such as ", the board said," nor a clause
    with a verb of its own: "In the Mediterranean, the Navy's commander postponed a port call,")."""

    def drop(m: re.Match[str]) -> str:
        relative = m.group(2).split()[0] in ("who", "which", "whose")  # a relative clause has its verb
        if _SAID.search(m.group(2)) or (not relative and main_verb(tokens(m.group(2))) is not None):
            return m.group(0)
        if relative and re.match(r"(?:who|which|whose)\b", m.string[m.end() :]):
            return m.group(0)  # "A, who … her girlfriend B, who was killed, is …": clauses nest
        return m.group(1) + " "

    # "Ilse Brandt, 41, resigned", "Muneer Own, 33, who …": the age of the sentence's first name goes
    # (not one inside an aside: "… and his wife, Honey Sherman, 70, both died" keeps its commas);
    # the comma stays where an appositive follows, for the rule below
    text = re.sub(
        r"^([^,]*?\b[A-Z][\w'\u2019-]*),\s+\d{1,3},\s+(?=((?:a|an|the|who|which|whose)\b)?)",
        lambda m: m.group(1) + (", " if m.group(2) else " "),
        text,
    )
    return re.sub(r"(\b[A-Z][\w'\u2019-]*),\s+((?:a|an|the|who|which|whose)\b[^,]{3,90}),\s+", drop, text)


def from_sentence(sentence: str, strict: bool = True) -> str | None:
    """A headline cut from a sentence: its main clause within the length cap, or None when the
    sentence gives none (a quote, or no cut short enough that still reads as a whole statement).
    ``strict=False``: any cut with a word that can be a verb (the last resort, where no sentence
    of the story gives a whole statement short enough)."""
    from newsdesk.text.quality import has_verb, trim_prefix

    text = sentence.strip()
    if not text or text[0] in "\"'\u201c\u2018":
        return None  # a quote needs its speaker: no headline
    text = re.sub(r"[.!]+[\"'\u201d\u2019)]*$", "", text).strip()
    text = text[trim_prefix(text) :]  # a wire dateline or a date: where and when it was filed
    text = _OPENER.sub("", _WEEKDAY.sub("", text))
    text = _without_appositives(text)
    whole_enough = reads_whole if strict else has_verb
    if strict:
        main = _main_clause(text)
        if main is None:
            return None
        text = main
    whole = _tidy(text)
    if fits(whole) and len(whole.split()) >= 3 and whole_enough(whole):
        return whole
    # The longest prefix that ends where a clause does (else before a trailing phrase or a
    # participle's phrase), fits, and still reads whole.
    for ends in (_ends(_CUTS, text), sorted({*_ends(_LAST_CUTS, text), *_participle_phrases(text)}, reverse=True)):
        for end in ends:
            candidate = _tidy(text[:end])
            if (
                fits(candidate)
                and len(candidate.split()) >= 4
                and whole_enough(candidate)
                and not (
                    strict
                    and (
                        _cut_phrase(text[:end])
                        or _cut_from_its_object(candidate, text[end:])
                        or _splits_a_clause(candidate, text[end:])
                    )
                )
            ):
                return candidate
    return None


def _ends(cuts: re.Pattern[str], text: str) -> list[int]:
    return sorted({m.start() for m in cuts.finditer(text)}, reverse=True)


_WORD_SPAN = re.compile(r"\S+")


def _participle_phrases(text: str) -> list[int]:
    """Where a participle opens a phrase about the noun before it: "… a woman |
    suspected of …", "… a statement | explaining that …" (never "a | sophisticated attempt")."""
    spans = list(_WORD_SPAN.finditer(text))
    out = []
    for before, word, after in zip(spans, spans[1:], spans[2:]):
        w, prev = word.group(), before.group().lower().strip(",;:")
        if (
            not w.islower()
            or not before.group()[-1:].isalpha()
            or prev in DETERMINERS
            or prev in PREPOSITIONS
            or prev in AUXILIARIES
        ):
            continue
        tags = verb_tags(w)
        participle = (w.endswith("ing") and "VBG" in tags) or (w.endswith(("ed", "en", "wn")) and tags & {"VBD", "VBN"})
        if participle and after.group().lower() in PREPOSITIONS | {"that", "to", "as"}:
            out.append(before.end())
    return out


def _splits_a_clause(prefix: str, rest: str) -> bool:
    """Whether the cut falls inside a second clause: "… declared a state of emergency and the
    Saturday regatta | in the old harbour was called off" keeps the regatta without its verb."""
    joins = list(re.finditer(r"\s(?:and|but|while)\s", prefix))
    if not joins:
        return False
    part = prefix[joins[-1].end() :]
    first = part.split()[0] if part.split() else ""
    if not (first.lower() in DETERMINERS or first[:1].isupper()) or main_verb(tokens(part)) is not None:
        return False  # "… to a swift and decisive victory": no new subject, no second clause
    segment = re.split(r",|\s(?:and|but|while)\s", rest, maxsplit=1)[0]
    return main_verb(tokens(part + " " + segment)) is not None


def _cut_from_its_object(prefix: str, rest: str) -> bool:
    """Whether the cut parts a verb from the "to …" that is what it means ("does not want poor
    people | to hold economic roles")."""
    if not re.match(r"\s*to\s", rest):
        return False
    return any(verb_lemmas(w.lower()) & CONTROL_VERBS for w in tokens(prefix)[-5:])


_LEADING_SUBORDINATE = re.compile(r"^(?:\w+\s+){0,3}(?:after|before|since|as|when|while)\b", re.I)  # "Three days after"


def _main_clause(text: str) -> str | None:
    """The sentence from its main clause on: a leading subordinate or participial clause ("As
    Hurricane Irene swung north Thursday, putting the region in its sights, Maryland and Virginia
    declared …") is dropped up to its comma; None when no main clause follows."""
    for _ in range(3):  # a subordinate clause, then a participle's, then the main clause
        words = tokens(text[:80])
        if not words:
            return None
        leading = _LEADING_SUBORDINATE.match(text) and main_verb(words[:4]) is None
        if not (opens_subordinate(words[0].lower()) or leading):
            return text
        comma = text.find(", ")
        if comma < 0:
            return None
        text = text[comma + 2 :].strip()
        text = text[:1].upper() + text[1:]
    return text


# One outlet's judgement, not the news: a house-style headline states what happened, plainly.
EVALUATIVE = frozenset(
    "historic staggering stunning shocking massive unprecedented huge whopping incredible amazing astonishing "
    "astounding jaw-dropping mind-blowing dramatic devastating horrific horrifying terrifying brutal epic "
    "explosive bombshell sensational spectacular stellar disastrous catastrophic monumental breathtaking "
    "startling extraordinary remarkable blockbuster eye-watering eye-popping "
    "mammoth colossal gigantic enormous".split()
)
_EVALUATIVE_WORD = re.compile(
    r"(?:\b(?P<article>[Aa]n?)\s+)?(?<![\w'\u2019-])(?:"
    + "|".join(sorted(map(re.escape, EVALUATIVE), key=len, reverse=True))
    + r")(?:ly)?(?![\w'\u2019-])(?:\s*,)?\s*",
    re.I,
)
_COPULA_END = frozenset("is are was were be been being becomes became seems looks".split())


def neutral(headline: str) -> str | None:
    """The headline without evaluative words ("historic", "staggering", "stunning"): itself
    when it has none, the rest where it still reads ("Lakemont signs historic water deal" →
    "Lakemont signs water deal"), or None where it would not ("Vote result is historic")."""
    if not _EVALUATIVE_WORD.search(headline):
        return headline
    from newsdesk.text.quality import has_verb

    quoted = [m.span() for m in re.finditer(r"[\"\u201c][^\"\u201c\u201d]*[\"\u201d]", headline)]
    if any(a <= m.start() < b for m in _EVALUATIVE_WORD.finditer(headline) for a, b in quoted):
        return None  # 'an “amazing” recovery': someone's words, not to be cut, nor the house's voice

    def drop(m: re.Match[str]) -> str:
        article = m.group("article")
        if not article:
            return ""
        # "an unprecedented loss" → "a loss", "a huge increase" → "an increase".
        after = m.string[m.end() :].lower()
        vowel = after[:1] in ("a", "e", "i", "o", "u") and not after.startswith(("eu", "uni", "use", "one"))
        return article[0] + ("n " if vowel else " ")

    text = _EVALUATIVE_WORD.sub(drop, headline)
    while _EVALUATIVE_WORD.search(text):  # "an unprecedented, staggering loss": one word at a time
        text = _EVALUATIVE_WORD.sub(drop, text)
    text = re.sub(r"\s+", " ", text).strip(" ,;:\u2013\u2014-")
    text = re.sub(r"\s+([,;:.!?])", r"\1", text)
    words = text.split()
    if len(words) < 3 or words[-1].lower().strip(",;:") in _DANGLING | _COPULA_END or not has_verb(text):
        return None
    return text[:1].upper() + text[1:]
