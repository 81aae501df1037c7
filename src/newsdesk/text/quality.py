"""Is a source sentence fit to publish as a sentence of an article?

Pages carry furniture that extraction does not always remove: navigation and share bars, image
credits, "3 min read", social embeds, flattened tables, cookie notices. Feeds carry headlines
that are not sentences. And a sentence that opens with "He" or "The move" means nothing without
the sentence before it. ``defects`` names what is wrong with a sentence (empty: publishable);
``trim_prefix`` finds a date or index prefix at its start ("July 3, 2025 —") that can be cut
from a cited span without changing what it says.

Evidence is not filtered here: verification may still use any sentence of a source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from newsdesk.text.clauses import verb_tags
from newsdesk.text.lexicon import FUNCTION_WORDS, tokens
from newsdesk.text.names import SAID
from newsdesk.text.sentences import TITLES


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regular expression (``a|(b|c)|d`` -> a, (b|c), d)."""
    out, depth, in_class, start, k = [], 0, False, 0, 0
    while k < len(pattern):
        c = pattern[k]
        if c == "\\":
            k += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c in "()":
            depth += 1 if c == "(" else -1
        elif c == "|" and depth == 0:
            out.append(pattern[start:k])
            start = k + 1
        k += 1
    return [*out, pattern[start:]]


class _FastPattern:
    """A case-insensitive expression of many alternatives, faster to search. Python's engine
    tries every alternative at every position, and folds case at every comparison; here the
    alternatives are grouped behind their anchor (``\\b``, ``^``) and first letter, and the
    text is lower-cased once. ``search`` finds what ``re.compile(pattern, re.I)`` finds
    (tested); about ten times faster on page text."""

    def __init__(self, pattern: str) -> None:
        groups: dict[str, dict[str, list[str]]] = {"\\b": {}, "^": {}}
        rest = []
        for alt in _alternatives(_lower_literals(pattern)):
            anchor = next((a for a in groups if alt.startswith(a)), None)
            if anchor is None:
                rest.append(alt)
                continue
            body = alt[len(anchor) :]
            first = body[:1] if body[:1].isalpha() and body[1:2] not in ("?", "*", "+", "{") else ""
            groups[anchor].setdefault(first, []).append(body[1:] if first else body)
        parts = []
        for anchor, by_first in groups.items():
            branches = [f"{c}(?:{'|'.join(v)})" if c else "|".join(v) for c, v in sorted(by_first.items())]
            parts.append(f"{anchor}(?:{'|'.join(branches)})")
        self._compiled = re.compile("|".join(parts + rest))

    def search(self, text: str) -> re.Match[str] | None:
        return self._compiled.search(text.lower())


def _lower_literals(pattern: str) -> str:
    """The pattern with its letters lower-cased, escapes (``\\W``, ``\\S``) left as they are."""
    out, k = [], 0
    while k < len(pattern):
        step = 2 if pattern[k] == "\\" else 1
        out.append(pattern[k : k + step] if step == 2 else pattern[k].lower())
        k += step
    return "".join(out)


_FURNITURE_PATTERN = (
    r"skip to (?:main )?content|\bshare (?:this|on|via)\b|^share\b|\b(?:image|photo|picture|video) (?:credit|courtesy)"
    r"|pic\.twitter\.com|\bt\.co/|\b\d+\s*(?:min|minute)s? read\b|\bgetty images\b|\u00a9|\ball rights reserved\b"
    r"|\bclick here\b|\bsign up\b|\bsubscribe\b|\bnewsletter\b|\bfollow us\b|^advertisement\b|\bcookies?\b"
    r"|\bterms of (?:use|service)\b|\bprivacy policy\b|\bjavascript\b|\byour browser\b|\blog ?in\b|\bsign in\b"
    r"|\bread (?:more|next|the full)\b|\brelated (?:articles|stories|coverage|content)\b|^related:"
    r"|\b(?:AP|Reuters|AFP) Photo\b|\bfile photo\b|^photo:|^image:|^caption:|\bemail this\b|\bprint this\b"
    r"|\bthis (?:article|story|post) (?:was|has been) (?:updated|corrected|originally)\b|\boriginally (?:appeared|published)\b"
    r"|\bcomments? (?:are|is) closed\b|\bleave a comment\b|\bjump to\b|\bback to top\b|\bicon\s+\d"
    # Archived pages carry the archive's notice; tweet embeds carry Twitter's.
    r"|\bwayback machine\b|\bcrawl data\b|\bthese crawls\b|\bweb collections curated\b|\barchive-it\b|\btweet with a location\b|\bembed this\b|\byour tweets\b"
    # (the archive's own phrases: a report *about* the Internet Archive names it as well)
    r"|\bweb captures\b|\binternet archive hopes\b|\bno more 404\b|\bfix all broken links\b"
    r"|\bswitch location\b|\bbefore each tweet\b|\btweet location history\b|\bcould not be loaded\b|\bfailed to load\b|\bnot available in your (?:country|region)\b|^getty\b"
    # Captions, credits and player furniture as news sites print them.
    r"|\bimage (?:copyright|caption)\b|\bhide caption\b|\bview images?\b|\benlarge (?:this )?image\b|\btoggle caption\b"
    r"|\bcontinue reading\b|\bjust watched\b|\bmore videos\b|\bcontributed (?:to )?(?:this|the) (?:article|report|story)\b"
    # Reprint and sharing notices.
    r"|\bdow jones reprints\b|\bpersonal,? non-commercial use\b|\bthank you for your interest\b"
    # A sign-up box's promise ("You can unsubscribe at any time."; "subscribe" alone does not match it).
    r"|\bunsubscribe\b|\bwe only request your email\b"
    # A follow button's text: "Add Donald Trump as an interest to stay up to date on the latest … news";
    # a page-break marker (cut first where it runs into a sentence: ``_AGENCY_PREFIX``).
    r"|\bas an interest to stay up to date\b|^add interest\b|\bstory continued below\b"
    r"|\bedited for (?:length|clarity)\b|^for movement\b|^updated\.?$|\bpodcast on apple\b|\bfacebook page\b"
    # An error page served in place of the report; a photo caption's "who stands where".
    r"|\bthe page you (?:requested|are looking for|were looking for)\b|\bpage (?:was |could not be )?not found\b"
    r"|\((?:\d(?:st|nd|rd|th)\s+)?[LR]\)|\((?:L-R|R-L|from left|from right)\)"
    # A link's or a sign-up box's words: "Read the latest news about the protest here.", "Check your local
    # moonrise time here.", "… delivered weekday mornings.", "Have more to say about this topic?"; a
    # photo credit: "Jane Doe/Wikimedia Commons".
    r"|^(?:check|read|see|watch|find|visit|view|listen to|sign)\b[^.!?]{0,80}\bhere\W*$"
    r"|\bdelivered (?:to your inbox|weekday mornings|every (?:morning|weekday)|daily)\b|^have more to say\b"
    r"|/\s*(?:Wikimedia Commons|Getty Images|Shutterstock|Flickr|iStock)\b"
    # A wire photo's caption ends on where and the day it was taken: "… in Bamako, Mali Wednesday March 21, 2012."
    # (matched without case: no "on", "by", "until" … before the day, as prose has: "… in Calder on Tuesday, March 3")
    r"|\bin (?:(?!on|by|until|before|after|from|since|next|last|this|that|the|and|or|of)[A-Z][\w.'\u2019-]+,?\s){1,4}"
    r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s"
    r"(?:[A-Z][a-z]{2,8}\.?\s\d{1,2}|\d{1,2}\s[A-Z][a-z]{2,8}),?\s\d{4}\W*$"
    # A video player's buttons run into the text: "Skip in Skip x Embed x Share …".
    r"|\b(?:in|see) the (?:photo )?gallery (?:above|below|at the top)\b|\bat the top of (?:the|this) (?:story|page|article)\b"
    r"|\bskip in skip\b|\b(?:skip|embed|share|close)\s+x\s+(?:embed|share|skip)\b"
    r"|^\([A-Z][\w .'\u2019-]{2,40}\)\.?$"
    # A whole sentence in square brackets is a link to another story: "[Is there a Planet X?]".
    r"|^\[[^\]]+\]\W*$"
    # A sentence that starts with a separator is a caption or a menu, not prose.
    r"|^[|/\\>\u2022\u00b7\u25ba#=_~^]"
)
_FURNITURE = _FastPattern(_FURNITURE_PATTERN)
# A navigation trail run into the text: "Home Technology What caused …", "News World Europe …".
_SECTIONS = (
    "home news world local national international us uk europe asia africa americas politics business economy "
    "markets money finance tech technology science health sport sports football entertainment culture arts "
    "lifestyle life style travel food opinion weather video videos media environment climate education "
    "crime law society royals celebrity music film tv television books autos cars property"
)
_BREADCRUMB = re.compile(
    rf"^(?:Home(?:\s+(?:{_SECTIONS.replace(' ', '|')}))+\s+[A-Z]"
    rf"|(?:(?:{_SECTIONS.replace(' ', '|')})\s+){{3,}}[A-Z])",
    re.I,
)
# "ModelTotal ParamsActive Params": cells of a table run together.
_GLUED = re.compile(r"[a-z]{2,}[A-Z][a-z]+")
_END = re.compile(r"""(?<!\.\.)(?<!\u2026)[.!?](?:\s?["'\u201d\u2019)\]])*\s*$""")  # not "…" or "...": a teaser
# Words that point back to something the reader has not been told, at a sentence's start.
_OPENERS = frozenset(
    "he she they it his her their its this these those that such there also but however meanwhile "
    "still yet so thus instead nevertheless moreover furthermore additionally and or nor then later now here".split()
)
# A month as news copy writes it, "Feb.", "February", "Sept".
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
# Nouns of time after "this": "this week" is when, not a reference back.
_TIME_NOUNS = (
    "week|weekend|year|month|morning|afternoon|evening|night|summer|winter|spring|fall|autumn|season|time|day|days|"
    "past|century|decade|quarter"
)
_MARKUP = re.compile(r"[\w-]+=\"[^\"]*\"\s*/?>")
# A news photo's caption: someone does something, in the present, on a day it names.
_CAPTION_VERB = re.compile(
    r"^(?:[A-Z][\w.'\u2019-]*\s+|[a-z]+\s+|\(?[A-Z]+\)?\s+){1,12}?"
    r"(?:speaks|talks|walks|passes|looks|stands|sits|holds|waves|arrives|leaves|attends|gestures|poses|returns"
    r"|reacts|listens|watches|prays|cries|smiles|carries|rides|delivers|addresses|greets|shakes|embraces|hugs"
    r"|kneels|runs|(?:is|are) (?:seen|shown|pictured)|takes part|participates|marches|celebrates|mourns|lays"
    r"|lights|places|chants)\b"
)
# (a month and a day: "speaks at the harbour on Tuesday" may be a date ahead, not a photo's)
_CAPTION_DAY = re.compile(rf"\b{_MONTH},?\s+\d{{1,2}}\b")
# A caption ends on the full date the photo was taken: "…, Feb. 16, 2017.", "…, May, 2 2014."
_CAPTION_DATE_END = re.compile(rf"\b{_MONTH},?\s+\d{{1,2}},?\s+\d{{4}}\W*$")


def _is_caption(text: str) -> bool:
    """A news photo's caption: someone does something in the present on a month and day it
    names, said by nobody (the verbs photos show), or any verb in the present where the
    sentence ends on the full date the photo was taken ("… answers questions …, Feb. 16, 2017.")."""
    if SAID.search(text) or not _CAPTION_DAY.search(text):
        return False
    if _CAPTION_VERB.search(text):
        return True
    if not _CAPTION_DATE_END.search(text):
        return False
    first = next((w for w in tokens(text) if w[:1].islower() and w not in FUNCTION_WORDS), "")
    return "VBZ" in verb_tags(first)


# "This week, the board …", "These days …": when, not a reference back ("This time" compares with
# one; "This week's example" is an example of something said before).
_WHEN_THIS = re.compile(rf"(?:this|these)\s+(?!time\b)(?:{_TIME_NOUNS})\b(?!['\u2019]s\b)", re.I)
_GARBLED = re.compile(r"[a-z]\?[a-z]|\ufffd")
_CONTRACTED = re.compile(r"['\u2019](?:s|re|ve|d|ll)$")
# "At that point", "Despite that response", "In these cases", "To that end"; "Women did so …":
# a reference back, behind a preposition or in a verb standing for another sentence's.
_BACK_AFTER_PREPOSITION = re.compile(
    r"(?:(?:during|in|at|by|after|before|since|from|until|over|on|with|under|despite|to)\s+"
    rf"(?:that|those|(?:this|these)\s+(?!(?:{_TIME_NOUNS})\b))\s*[a-z]"
    r"|(?:\S+\s+){0,2}(?:did|do|does) so\b)",
    re.I,
)
DEFINITE_BACK = frozenset(
    "move decision deal plan change announcement incident case statement figure figures number numbers "
    "measure rule ruling proposal attack event centres centers agreement same latter former".split()
)
# "We" opens a sentence as often as "we" sits in one; "US" (the country) is not "us".
_FIRST_PERSON = re.compile(
    r"\b(?:I|I'm|I've|I'd|I'll|me|my|My|mine|we|We|we're|We're|we've|We've|we'd|We'd|we'll|We'll|our|Our|ours|Ours|us)"
    r"(?![\w'\u2019-])"
)
_QUOTED = re.compile(r"[\"\u201c][^\"\u201c\u201d]*[\"\u201d]")
_DATE_PREFIX = re.compile(
    r"^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s+)?"
    rf"(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}"
    rf"|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}|\d+\s+(?:minutes?|hours?|days?|weeks?)\s+ago)"
    r"(?:\s+(?:at\s+)?\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?)?\s*(?:[-\u2013\u2014:|\u00b7.]\s*|\.\.\.\s*)"
)
_STRAY_STOP = re.compile(r"(?<=\.)\s+\.\s*$")  # "… at 6:30 a.m. ."
# A quote mark after the final stop, set apart by a space: the next sentence's opening quote.
_DANGLING_QUOTE = re.compile(r"(?<=[.!?])\s+([\"\u201c])\s*$")
# A page's section label run into the sentence after it: "Analysis The letter published …".
_SECTION_LABEL = re.compile(
    r"^(?:Analysis|Opinion|Commentary|Explainer|Editorial|Background|Context|Watch|Video|Photos|Gallery|Interview)"
    r"\s+(?=(?:The|A|An|In|On|At|After|As|When|For)\s)"
)
_UPDATE_PREFIX = re.compile(r"^(?:UPDATE|UPDATED|CORRECTION|EDITOR'S NOTE|BREAKING)\b[^:]{0,40}:\s*", re.I)
# A wire agency's tag with no place ("(CNN) ", "(Reuters Health) - ") or a video player's
# "CLOSE" button run into the first sentence: the page's furniture, not the report's words.
# A wire dateline: "TEHRAN (Reuters) - ", "SEOUL, South Korea (AP) — ", "Salahuddin, Libya (CNN) -- ",
# "PLANTATION, Fla. (WSVN) -- ", "WASHINGTON — ", "CAIRO—": where the report was filed.
_DATELINE = (
    r"(?:[A-Z][A-Z.'\u2019-]{2,}(?:\s[A-Z][A-Z.'\u2019-]+)*(?:,\s*[A-Z][a-zA-Z.]+(?:\s[A-Z][a-zA-Z.]+)?)?"
    r"\s*(?:\((?:[A-Z]{2,6}(?:-TV)?|Reuters)\))?"
    r"|[A-Z][\w .,'\u2019-]{2,40}\((?:[A-Z]{2,6}(?:-TV)?|Reuters)\))"
    r"\s*(?:(?:--|[-\u2013\u2014:])\s+|[\u2013\u2014])(?=[A-Z\"\u201c])"
)
_AGENCY_PREFIX = re.compile(
    r"^(?:\((?:CNN|AP|AFP|Reuters(?: Health)?|UPI)\)\s*[-\u2013\u2014:]*\s*|CLOSE\s+(?=[A-Z][a-z])"
    r"|(?i:story continued below)\s+|" + _DATELINE + ")"  # a page-break marker run into the next sentence
)


@lru_cache(maxsize=65536)
def _is_verb(word: str) -> bool:
    from lemminflect import getAllLemmas

    lemmas = getAllLemmas(word)
    return "VERB" in lemmas or "AUX" in lemmas


def has_verb(sentence: str) -> bool:
    """A lower-case word that can be a verb: title-case runs (menus, headlines) have none."""
    return any(w.islower() and _is_verb(w) for w in tokens(sentence))


def trim_prefix(sentence: str) -> int:
    """How many characters of a leading agency tag, date or "3 hours ago" prefix to cut (0: none)."""
    cut = 0
    for pattern in (_AGENCY_PREFIX, _UPDATE_PREFIX, _SECTION_LABEL, _DATE_PREFIX):
        m = pattern.match(sentence[cut:])
        if m and len(sentence) - cut - m.end() >= 20:
            cut += m.end()
    return cut


def trim_suffix(sentence: str) -> int:
    """How many characters of a dangling opening quote to cut from the end (0: none): a splitter
    that keeps the next quote's opening mark with this sentence ('… Ricks says. "'); likewise a
    stray full stop after an abbreviation's ('… at 6:30 a.m. .')."""
    stray = _STRAY_STOP.search(sentence)
    if stray is not None:
        return len(sentence) - stray.start()  # "… at 6:30 a.m. .": the abbreviation's stop ends it
    m = _DANGLING_QUOTE.search(sentence)
    if m is None:
        return 0
    if m.group(1) == '"' and _quote_open_before(sentence[: m.start(1)]):
        return 0  # the last straight quote closes one that opened earlier
    return len(sentence) - m.start()


def _quote_open_before(text: str) -> bool:
    """Whether a quotation is still open at the end of ``text``. A straight mark closes an
    open quotation, curly or straight, and otherwise opens one: outlets mix the two styles
    ('“I am disappointed," Navarro said. "')."""
    depth = 0
    for mark in _QUOTE_MARK.findall(text):
        if mark == "“":
            depth += 1
        elif mark == "”":
            depth = max(0, depth - 1)
        else:
            depth = depth - 1 if depth else 1
    return depth > 0


_QUOTE_MARK = re.compile('["“”]')


# Where a sentence may end, for a quick pass over a page's text (not the citation splitter).
_ROUGH_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)]*\s+|\n+")


def without_furniture(text: str, words: int | None = None, sep: str = " ") -> str:
    """The text less its furniture sentences (an archive's notice, share bars, credits, a
    breadcrumb): the words a site prints on every page, which say nothing about the event.
    With ``words``, stops once that many words are kept; ``sep`` joins the sentences kept. A
    rough split is enough here: nothing is quoted from the result."""
    kept: list[str] = []
    count = 0
    for part in _parts(text):
        if not (_FURNITURE.search(part) or _is_breadcrumb(part)):
            kept.append(part)
            count += len(part.split())
            if words is not None and count >= words:
                break
    return sep.join(kept)


def _parts(text: str) -> Iterator[str]:
    """The text's rough sentences, stripped, one at a time (a long page is not split whole)."""
    start = 0
    for m in _ROUGH_END.finditer(text):
        part = text[start : m.start()].strip()
        start = m.end()
        if part:
            yield part
    if text[start:].strip():
        yield text[start:].strip()


def _normal(text: str) -> str:
    return " ".join(tokens(text.lower()))


def defects(sentence: str, *, titles: Iterable[str] = (), first_person_ok: bool = False) -> list[str]:
    """What makes the sentence unfit as an article sentence: boilerplate, fragment, headline,
    dangling opener, first person. Empty when it is fit."""
    found: list[str] = []
    text = sentence.strip()
    if _FURNITURE.search(text) or len(_GLUED.findall(text)) >= 2 or _is_breadcrumb(text):
        found.append("boilerplate")
    if not _END.search(text) or not has_verb(text) or trim_suffix(text) or _TITLE_END.search(text):
        found.append("fragment")
    elif text.count("\u201d") > text.count("\u201c") + text.count('"'):  # outlets mix the two styles
        found.append("fragment")  # a quotation's tail: '… for benefit of the central government.”' opened before it
    if _MARKUP.search(text):
        found.append("boilerplate")  # '… said.runtime:topic id="PLGEO100">New York …': a tag left in the text
    if _is_caption(text):
        found.append("caption")  # "A man passes a mural on the Falls Road, Friday, May 2, 2014."
    if _GARBLED.search(text):
        found.append("garbled")  # "classi?ed", "of?cials": a PDF's ligatures lost in extraction
    normal = _normal(text)
    if normal and any(normal == _normal(t) for t in titles if t):
        found.append("headline")
    words = tokens(text)
    if words and text[:1] not in "\"'\u201c\u2018":  # a quote's own "It" is the speaker's
        first = _CONTRACTED.sub("", words[0].lower())  # "It's", "That's", "They're" point back as "It" does
        if (
            (first in _OPENERS and not _WHEN_THIS.match(text))
            or (first == "the" and len(words) > 1 and words[1].lower() in DEFINITE_BACK)
            or _BACK_AFTER_PREPOSITION.match(text)
        ):
            found.append("opener")
    if not first_person_ok and has_first_person(text):
        found.append("first_person")
    if text[:1] in '"\u201c' and not SAID.search(_QUOTED.sub(" ", text)):
        found.append("unattributed_quote")  # a quote with no speaker: whose words are they?
    return found


# A split after a title's full stop ("… were found dead in their mansion, Ms."): half a sentence.
_TITLE_END = re.compile(rf"\b(?:{TITLES}|St)\.$")
# A lead is read first, with nothing before it: it must stand on its own.
LEAD_MIN_WORDS = 12
_LEAD_QUESTION = re.compile(r"\?[\"'\u201d\u2019)]*$|^Q[.:]\s")
# A pronoun as the subject of the main clause or of an opening "after/when" clause: who is "he"?
_LEAD_PRONOUN = re.compile(
    r"^(?:[^,;:\"\u201c]{0,80},\s+|(?:after|when|while|before|as|since|although|though|because|if|once|until)\s+)?"
    r"(?:he|she|they)\b",
    re.I,
)
# "this error", "these claims", "the same": a reference back to a sentence the reader has not read.
_LEAD_BACK_REFERENCE = re.compile(
    rf"\b(?:this|these|those)\s+(?!(?:{_TIME_NOUNS}|is|was|has|will|would|could|may)\b)[a-z]+|\bthe same\b"
)
# Within a lead's first words: later, "these tumours" points back within the sentence itself.
LEAD_BACK_WORDS = 8
# "Before he resigned …, Murray said": the name the pronoun stands for follows at once.
_LEAD_CATAPHORA = re.compile(r"[^,;]*,\s+(?:[A-Z][a-z]+\s+)*[A-Z][a-z]+\s+[a-z]")
# A photo's caption: "(2nd L)", "in this image", "pictured", "speaks during".
_LEAD_CAPTION = re.compile(
    r"\((?:\d\w*\s+)?[LRC]\)|\b(?:left|right|centre|center)\)|\bin this (?:image|photo|picture|file|undated|handout)\b"
    r"|\bpictured\b|\bspeaks (?:during|at|to)\b|\bposes (?:for|with|at|during)\b"
    # A wire photo's caption ends on the day it was taken: "…, in Cairo, Monday, Jan. 2, 2012."
    r"|\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+(?:[A-Z][a-z]{2,8}\.?,?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8}),?\s+\d{4}\W*$"
    # A photographer's credit run into the text: "Neil Warner / Splash News Britney …".
    r"|^(?:[A-Z][a-z]+\s+){1,3}/\s+[A-Z]"
)
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself)\b|\byou['\u2019]", re.I)
_LEAD_ADDRESS = re.compile(
    r"^(?:first|second|third|finally|lastly|firstly|secondly|please|thank you|imagine|wow|if you|here(?:'s|\u2019s| is| are))\b",
    re.I,
)


@lru_cache(maxsize=65536)
def lead_problems(sentence: str) -> tuple[str, ...]:
    """Why the sentence cannot open an article, read before anything else (empty: it can): too
    short to say what happened, a quotation or a question, a pronoun or "this …" that points
    back to a sentence not there, a photo caption, a list item or an appeal to the reader."""
    text = sentence.strip()
    found = []
    if len(text.split()) < LEAD_MIN_WORDS:
        found.append("short")
    if text[:1] in "\"'\u201c\u2018" or _LEAD_QUESTION.search(text):
        found.append("quote_or_question")
    pronoun = _LEAD_PRONOUN.match(text)
    dangling_pronoun = pronoun is not None and not _LEAD_CATAPHORA.match(text[pronoun.end() :])
    opening_words = " ".join(_QUOTED.sub(" ", text).split()[:LEAD_BACK_WORDS])
    if dangling_pronoun or _LEAD_BACK_REFERENCE.search(opening_words):
        found.append("back_reference")
    if _LEAD_CAPTION.search(text):
        found.append("caption")
    if _LEAD_ADDRESS.match(text) or _SECOND_PERSON.search(_QUOTED.sub(" ", text)):
        found.append("address")  # "… and you may notice …": a column's voice, not the news
    return tuple(found)


def _is_breadcrumb(text: str) -> bool:
    """A run of capitalised section names at the start ("Home Technology What …"): a page's trail."""
    m = _BREADCRUMB.match(text)
    return m is not None and all(w[:1].isupper() for w in m.group().split())


def has_first_person(text: str) -> bool:
    """The writer's own "we", "our", "I" outside quotes: another outlet's or a user's voice."""
    return bool(_FIRST_PERSON.search(_QUOTED.sub(" ", text)))


# Titles that take a side angle on the event rather than name it: explainers, questions,
# opinion and live pages, "what it means for".
_SIDE_ANGLE = re.compile(
    r"^(?:what|how|why|who|when|where|should|could|is|are|can|will|opinion|analysis|explainer|comment|live|watch|"
    r"listen|podcast|video|photos|in pictures|ask hn|show hn)\b|\?\s*$|\bwhat .{1,40} means?\b|\bexplained\b",
    re.I,
)


def is_side_angle(title: str) -> bool:
    return bool(_SIDE_ANGLE.search(title.strip()))
