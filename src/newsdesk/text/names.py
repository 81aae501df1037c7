"""Names in text, of every shape: "Marta Quell", "the Financial Conduct Board", one-word
organisations ("Zentrix" mid-sentence), CamelCase ("BrightPath"), acronyms ("IBM", "NHS"),
model names ("Lumen-7B", "GPT-4o"), and a sentence-initial word no dictionary knows.

One list of reporting verbs (``SAID``) serves the writer (is this a quote?) and the verifier
(who is the speaker?)."""

from __future__ import annotations

import re
from functools import lru_cache

from newsdesk.text.lexicon import FUNCTION_WORDS, MONTHS, WEEKDAYS

# A run of capitalised words, possibly joined by "of", "de", "van", "von" ("Bank of England").
# A name never runs over a line break: "House of Representatives\n\nThe Honorable …" is two lines.
_NAME = re.compile(r"\b[A-Z][a-z]+(?:[^\S\n]+(?:[A-Z][a-z]+|of|de|van|von))*(?<!\sof)(?<!\sde)\b")
_CAMEL = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z0-9]+)+\b|\b[a-z]+[A-Z][A-Za-z0-9]+\b")  # BrightPath, iPhone
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9&]{1,7}s?\b")  # IBM, NHS, F1, AT&T
_MODEL = re.compile(r"\b[A-Z][A-Za-z]*-\d+[A-Za-z0-9.]*\b|\b[A-Z][A-Za-z]+\d+[A-Za-z]*\b")  # Tern-2, Lumen-7B, Llama3
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+|\n)$")
_CLAUSE_START = re.compile(r"(?:^|[.!?:;]\s+|\n|[\"\u201c\u2018'(]\s*)$")

SAID = re.compile(
    r"\b(said|says|say|told|tells|added|adds|wrote|writes|warned|warns|called|calls|according to|"
    r"stated|states|noted|notes|explained|explains|argued|argues|insisted|insists|claimed|claims|"
    r"announced|announces|declared|declares|asked|asks|replied|replies)\b",
    re.I,
)

# Capitalised words that are not names (pronouns, articles, weekdays, months, honorifics).
NOT_NAMES = (
    {
        "the",
        "this",
        "that",
        "these",
        "those",
        "there",
        "their",
        "they",
        "its",
        "it",
        "his",
        "her",
        "she",
        "he",
        "we",
        "our",
        "you",
        "on",
        "in",
        "at",
        "by",
        "for",
        "from",
        "but",
        "and",
        "after",
        "before",
        "when",
        "while",
        "about",
        "some",
        "most",
        "two",
        "three",
        "one",
        "a",
        "an",
        "if",
        "as",
        "with",
        "chief",
        "nobody",
        "people",
        "today",
        "last",
        "next",
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "professor",
        "i",
        "ok",
        "tv",
        "am",
        "pm",
        "ceo",
        "cfo",
        "cto",
        "us",
        "uk",
        "eu",
        "un",
    }
    | set(WEEKDAYS)
    | set(MONTHS)
)
# Acronyms that are ordinary words in news copy, not names to be sourced.
_COMMON_ACRONYMS = {
    "CEO",
    "CFO",
    "CTO",
    "COO",
    "AI",
    "PM",
    "AM",
    "TV",
    "OK",
    "I",
    "A",
    "II",
    "III",
    "IV",
    "US",
    "USD",
    "EUR",
    "GBP",
    "GDP",
    "IPO",
    "Q1",
    "Q2",
    "Q3",
    "Q4",
    "PDF",
    "FAQ",
    "UTC",
    "GMT",
    "AP",
}


def _at_sentence_start(text: str, start: int, pattern: re.Pattern[str] = _SENTENCE_START) -> bool:
    return start == 0 or bool(pattern.search(text[max(0, start - 4) : start]))


def names(text: str) -> set[str]:
    """Capitalised names; a single word opening a sentence counts only if it recurs mid-sentence."""
    found = set()
    for m in _NAME.finditer(text):
        name = m.group()
        if _at_sentence_start(text, m.start()) and " " not in name:
            continue
        found.add(name)
    return found


@lru_cache(maxsize=65536)
def is_dictionary_word(word: str) -> bool:
    """An English word (in lemminflect's lexicon), so a capitalised one opening a sentence is
    not taken for a name."""
    from lemminflect import getAllLemmas

    low = word.lower()
    # lemminflect knows nouns, verbs, adjectives and adverbs only: "During", "Despite" open sentences too.
    return low in FUNCTION_WORDS or low in _CLOSED_CLASS or bool(getAllLemmas(low))


_CLOSED_CLASS = frozenset(
    "during despite although though amid amidst whereas whilst while towards toward upon among amongst unless "
    "until since onto into per versus notwithstanding regarding concerning following including excluding "
    "besides beneath underneath inside outside".split()
)


def names_of_every_shape(text: str) -> set[str]:
    """Every name a claim states, for checking against its sources (``names`` plus CamelCase,
    acronyms, model names, and sentence-initial words no dictionary knows)."""
    found = {n for n in names(text) if n.lower() not in NOT_NAMES}
    found |= set(_CAMEL.findall(text)) | set(_MODEL.findall(text))
    found |= {a for a in _ACRONYM.findall(text) if a.rstrip("s") not in _COMMON_ACRONYMS and a not in _COMMON_ACRONYMS}
    for m in _NAME.finditer(text):
        word = m.group().split()[0]
        if (
            _at_sentence_start(text, m.start(), _CLAUSE_START)
            and word.lower() not in NOT_NAMES
            and len(word) > 2
            and not is_dictionary_word(word)
        ):
            found.add(m.group() if " " in m.group() else word)
    # "On Tuesday Novacore" is "Novacore": leading weekdays, months and function words are not the name.
    trimmed = set()
    for n in found:
        words = n.split()
        while len(words) > 1 and words[0].lower() in NOT_NAMES:
            words = words[1:]
        trimmed.add(" ".join(words))
    found = {n for n in trimmed if n.lower() not in NOT_NAMES}
    # "Bank" is part of "Bank of England": keep the longest shape only.
    return {n for n in found if not any(n != o and n in o.split() for o in found)}


_LOWER_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _standing_alone(needle: str, haystack: str) -> bool:
    """``(?<![a-z0-9])NEEDLE(?![a-z0-9])`` searched without compiling a pattern per name (a
    story's names come back in every check; compiling them anew also pushed the module
    patterns out of ``re``'s own cache)."""
    pos = haystack.find(needle)
    while pos >= 0:
        end = pos + len(needle)
        if (pos == 0 or haystack[pos - 1] not in _LOWER_ALNUM) and (end == len(haystack) or haystack[end] not in _LOWER_ALNUM):
            return True
        pos = haystack.find(needle, pos + 1)
    return False


def name_present(name: str, haystack: str) -> bool:
    """The name, its surname, its initials or the name its acronym stands for, in ``haystack``."""
    low = haystack.lower()
    candidate = name.lower()
    if _standing_alone(candidate, low):
        return True
    if candidate.startswith("the ") and candidate[4:] in low:
        return True
    if candidate.endswith("s") and name.isupper() and re.search(r"\b" + re.escape(name[:-1]) + r"\b", haystack):
        return True  # "NGOs" for "NGO"
    parts = name.split()
    capitalised = [p for p in parts if p[0].isupper() and p.lower() not in ("the",)]
    if len(capitalised) > 1 and all(_standing_alone(p.lower(), low) for p in capitalised):
        return True  # each part stands in the source ("Quell, Marta"; "Board … Financial Conduct")
    initials = "".join(p[0] for p in parts if p[0].isupper())
    if len(parts) > 1 and len(initials) >= 2 and re.search(r"\b" + initials + r"\b", haystack):
        return True  # "FCB" for "Financial Conduct Board"
    if (
        len(parts) > 1
        and len(initials) >= 2
        and not is_dictionary_word(initials)
        and re.search(r"\bthe " + initials.lower() + r"(?![\w'\u2019-])", haystack)
    ):
        return True  # in lower-cased copy ("the eu" for "European Union"), unless a word ("us", "who")
    if name.isupper() and len(name) >= 2:  # an abbreviation in the claim for a name in the source
        for m in re.finditer(r"\b(?:[A-Z][a-z]+\s+(?:(?:of|for|and|the)\s+)?){1,6}[A-Z][a-z]+", haystack):
            capitals = "".join(w[0] for w in m.group().split() if w[0].isupper())
            if name in {capitals[k:] for k in range(len(capitals) - 1)}:  # "The Financial Conduct Board" → FCB
                return True
    return False


_TITLE_SUFFIX = re.compile(r"\s+[|\u2013\u2014-]\s+[^|\u2013\u2014-]{2,40}$")


def without_outlet_suffix(title: str, outlets: set[str] | None = None) -> str:
    """A title without an outlet's name tacked on ("… | Outlet", "… - Outlet"). Given ``outlets``,
    only a suffix naming one of them, or of at most four words, is taken off."""
    m = _TITLE_SUFFIX.search(title)
    if m and (outlets is None or m.group().strip(" |\u2013\u2014-") in outlets or len(m.group().split()) <= 4):
        return title[: m.start()].strip()
    return title.strip()


# What a people or a place's people are called: an adjective, not what a story is about
# ("Chinese: what happened", a tag "West African").
DEMONYMS = frozenset(
    "american british chinese russian french german japanese indian israeli palestinian iranian iraqi syrian "
    "mexican canadian australian european african asian korean ukrainian italian spanish turkish egyptian saudi "
    "afghan pakistani brazilian swiss dutch swedish norwegian danish finnish irish scottish welsh english polish "
    "greek cuban venezuelan nigerian kenyan malian libyan lebanese vietnamese taiwanese filipino indonesian arab "
    "jewish muslim catholic latino hispanic asian-american african-american western eastern northern southern "
    "nazi soviet".split()
)


def is_demonym(name: str) -> bool:
    """ "Chinese", "West African": a people's adjective, never a tag or a heading's subject."""
    words = name.lower().split()
    return bool(words) and words[-1] in DEMONYMS


_QUOTED_TITLE = re.compile(
    r"[\u201c\"]((?:[A-Z0-9][\w'\u2019&:-]*|of|the|a|an|and|in|on|to|for|is|new)(?:\s+(?:[A-Z0-9][\w'\u2019&:-]*|of|the|a|an|and|in|on|to|for|is|new)){1,10})[,.]?[\u201d\"]"
)


def without_quoted_titles(text: str) -> str:
    """The text with quoted titles blanked ("Orange Is the New Black"): a name found inside one
    ("New Black") is a piece of the title, not a name of the story."""
    return _QUOTED_TITLE.sub(lambda m: " " * len(m.group()), text)


def subject_names(text: str) -> set[str]:
    """The names a story may be about, for tags and headings: ``names`` without the pieces of a
    quoted title and without a people's adjective."""
    return {n for n in names(without_quoted_titles(text)) if not is_demonym(n)}
