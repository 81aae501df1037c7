"""Headlines from what sources give: their titles, cleaned, or a sentence cut down to one.

A headline is short (``MAX_WORDS``, ``MAX_CHARS``), states what happened (a question or a forum
post's "Ask HN:" is no headline where a statement exists), and uses only the source's words:
``from_sentence`` drops clauses, appositives and the weekday, and never adds a word, so the
verifier can check the result against the sentence it came from.
"""

from __future__ import annotations

import re

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
    "a an the of to in on at by for from with and or but as that which who whose than its their his her".split()
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


def _tidy(text: str) -> str:
    words = text.strip(" ,;:\u2013\u2014-").split()
    while words and words[-1].lower().strip(",;:") in _DANGLING:
        words.pop()
    out = " ".join(words).rstrip(" ,;:")
    return out[:1].upper() + out[1:]


def _without_appositives(text: str) -> str:
    """ "Tidewater, a startup that recovers lithium, has raised …" → "Tidewater has raised …"
    (only after a name, and never a reporting clause such as ", the board said,")."""

    def drop(m: re.Match[str]) -> str:
        return m.group(1) + " " if not _SAID.search(m.group(2)) else m.group(0)

    return re.sub(r"(\b[A-Z][\w'\u2019-]*),\s+((?:a|an|the|who|which|whose)\b[^,]{3,90}),\s+", drop, text)


def from_sentence(sentence: str) -> str | None:
    """A headline cut from a sentence: its main clause within the length cap, or None when the
    sentence gives none (a quote, or no clause short enough with a verb in it)."""
    from newsdesk.text.quality import has_verb

    text = sentence.strip()
    if not text or text[0] in "\"'\u201c\u2018":
        return None  # a quote needs its speaker: no headline
    text = re.sub(r"[.!]+[\"'\u201d\u2019)]*$", "", text).strip()
    text = _WEEKDAY.sub("", _without_appositives(text))
    text = _OPENER.sub("", text)
    whole = _tidy(text)
    if fits(whole) and len(whole.split()) >= 3 and has_verb(whole):
        return whole
    # The longest prefix that ends where a clause does (else before a trailing phrase), fits,
    # and still has a verb.
    for cuts in (_CUTS, _LAST_CUTS):
        for end in sorted({m.start() for m in cuts.finditer(text)}, reverse=True):
            candidate = _tidy(text[:end])
            if fits(candidate) and len(candidate.split()) >= 4 and has_verb(candidate):
                return candidate
    return None


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
