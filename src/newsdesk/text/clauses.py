"""Whether a short text reads as a whole statement, from lexical clues alone.

A headline cut from a sentence must keep a subject and its own finite verb: not a subordinate
clause ("Since the mayor already looks like …"), a subject alone ("A cyclist who was hit by a
van"), or a verb left waiting for what it says ("The transport board said"). No part-of-speech
tagger ships in a pinned package this project uses, so these rules read a word's possible verb
forms (lemminflect's tables) and the words around it: a word after a determiner or a possessive
is a noun, a base form needs a plural subject before it, a plural noun's form in a prepositional
phrase is a noun, an -ed form in an aside or before "by" is a participle.
"""

from __future__ import annotations

import re
from functools import lru_cache

from newsdesk.text.lexicon import TOKEN_PATTERN

# Clause openers that make what follows subordinate: a headline is never one of these alone.
SUBORDINATORS = frozenset(
    "after as because before if once since though although unless until when whenever whereas while whether".split()
)
_RELATIVE = frozenset("who which whose whom".split())
AUXILIARIES = frozenset(
    "is are was were am be been being has have had do does did will would shall should can could may might must".split()
)
_CONTRACTED_AUX = re.compile(r"^(?:he|she|it|they|we|you|i|that|there|who|what)'(?:s|re|ve|d|ll|m)$", re.I)
DETERMINERS = frozenset("a an the his her its their our your my this these those each every some any no another such".split())
PREPOSITIONS = frozenset(
    "of for in on at by with from about into onto over under between among against during without within "
    "through across toward towards near".split()
)
_SUBJECT_PRONOUN = frozenset("i we you they he she it".split())
# Verbs that leave the reader waiting for what they say, seek or set: "… said", "… are
# searching", "… to think". A headline does not end on one of them.
_NEEDS_COMPLEMENT = frozenset(
    "say tell announce explain reveal claim believe think know report warn urge ask want hope plan expect "
    "agree decide try search seek look set make give take put describe call consider become remain include "
    "issue suggest show find note add insist argue admit deny confirm state allege accuse require need write "
    "learn determine conclude rule result emphasize emphasise stress highlight predict recommend mean indicate "
    "acknowledge recall realize realise understand worry fear wonder demand propose reply respond mention "
    "intend aim vow promise threaten refuse fail begin start continue prepare appear seem".split()
)
# Verbs whose object is a clause: a headline on one must keep the clause's verb.
_REPORTING = frozenset("say claim believe think argue insist allege conclude learn".split())
_ATTRIBUTION_TAIL = re.compile(r",\s+(?:[\w'\u2019.-]+\s+){1,4}(?:says?|said|reports?|reported)$")
_VERB_ADVERBS = frozenset("not n't now also just still already never often recently reportedly only even".split())
# Verbs that end a statement well without an object: "… has died", "Shares fell".
_ENDS_WELL = frozenset(
    "die resign collapse explode crash arrive retire disappear fail close open rise fall drop surge plunge soar "
    "slump sink jump climb slip tumble recover vanish survive win lose quit leave return escape erupt strike "
    "end begin start continue grow shrink expand develop happen occur stall stop sleep wait cry laugh marry "
    "divorce apologize apologise testify vote protest riot flee wed graduate emerge evolve succeed disagree "
    "agree react respond speak talk change improve worsen spread burn flood freeze melt".split()
)
# Verbs whose "to …" is what they mean: "does not want poor people | to hold economic roles".
CONTROL_VERBS = frozenset(
    "want ask urge tell hope plan expect allow force order need try seek agree decide refuse fail vow threaten "
    "promise aim intend help encourage persuade require invite push press appear seem continue begin start "
    "prepare move".split()
)


@lru_cache(maxsize=65536)
def verb_tags(word: str) -> frozenset[str]:
    """The Penn tags the word may carry as a verb ("killed": VBD, which stands for VBN too)."""
    from lemminflect import getAllInflections, getAllLemmas

    found = getAllLemmas(word)
    tags = set()
    for pos in ("VERB", "AUX"):
        for lemma in found.get(pos, ()):
            for tag, forms in getAllInflections(lemma, upos=pos).items():
                if word in forms:
                    tags.add(tag)
    return frozenset(tags)


@lru_cache(maxsize=65536)
def verb_lemmas(word: str) -> frozenset[str]:
    from lemminflect import getAllLemmas

    found = getAllLemmas(word)
    return frozenset(found.get("VERB", ()) + found.get("AUX", ()))


@lru_cache(maxsize=65536)
def can_be_noun(word: str) -> bool:
    from lemminflect import getAllLemmas

    return "NOUN" in getAllLemmas(word)


def _finite(words: list[str], k: int, in_subject: bool, in_phrase: bool = False, aside: frozenset[int] = frozenset()) -> bool:
    """Whether ``words[k]`` reads as a finite verb where it stands. Lexical clues only: no tagger
    ships in a pinned package this project uses, so a word after a determiner or a possessive is a
    noun ("the attack", "Trump's attack"), a base form needs a plural subject before it ("legal
    battle" is no verb), a plural noun's form after a preposition is a noun ("of forest programs"),
    and an -ed form followed by "by", or in a subject that began "One of …", is a participle."""
    word = words[k]
    lower = word.lower()
    if _CONTRACTED_AUX.match(lower.replace("\u2019", "'")):
        return True
    if not word.islower():
        return False
    if lower in AUXILIARIES:
        return True
    tags = verb_tags(lower)
    if not tags & {"VBD", "VBZ", "VBP"}:
        return False
    prev = words[k - 1].lower() if k else ""
    if prev in DETERMINERS or prev.endswith(("'s", "s'")):
        return False
    if not tags & {"VBD", "VBZ"}:  # a base form only: "they attack", never "legal battle"
        return prev in _SUBJECT_PRONOUN or prev in ("police", "people") or (prev.endswith("s") and words[k - 1].islower())
    if "VBZ" in tags and can_be_noun(lower) and (prev in PREPOSITIONS or (k > 1 and words[k - 2].lower() in PREPOSITIONS)):
        return False
    if "VBZ" in tags and can_be_noun(lower) and any(w.lower() in _MANY for w in words[max(0, k - 3) : k]):
        return False  # "the two dairy firms": a plural noun after a number
    if "VBD" in tags and "VBZ" not in tags:
        following = words[k + 1].lower() if k + 1 < len(words) else ""
        if following == "by":
            return False
        after_particle = words[k + 2].lower() if k + 2 < len(words) and following in _PARTICLES else ""
        if (
            in_subject
            and (following in PREPOSITIONS or after_particle in PREPOSITIONS)
            and any(w.lower() == "of" and j and words[j - 1].lower() in _PARTITIVE for j, w in enumerate(words[:k]))
        ):
            return False  # "One of the people killed in …", "…, one of two supervisors forced out …"
        if in_phrase and following in PREPOSITIONS and prev.islower() and can_be_noun(prev):
            return False  # "In a settlement sheet posted on …": the phrase's participle
        if k in aside:
            return False  # "The study, published Monday in …", "…, a company called …": an aside's participle
    return True


_TIME_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday today yesterday tonight morning afternoon "
    "evening night week month year january february march april may june july august september october "
    "november december jan feb mar apr jun jul aug sep sept oct nov dec last this next early late".split()
)
_PERFECT = frozenset("has have had".split())
# "leaves open the question", "made clear that …": the adjective comes before the object.
_OBJECT_AFTER = frozenset("open clear plain possible unclear".split())
_LEAVES = frozenset("leave keep make hold".split())
_AS_WHAT = frozenset("soon early late much many long far well quickly likely high low".split())
_PARTICLES = frozenset("down up out off away back over through apart".split())
_MANY = frozenset("two three four five six seven eight nine ten dozen several many few both these those".split())
_PARTITIVE = frozenset("one some many most two three four five several each none all".split())


def main_verb(words: list[str], aside: frozenset[int] = frozenset(), commas: frozenset[int] = frozenset()) -> int | None:
    """Where the clause's own finite verb stands (None: it has none). A relative clause's verb
    ("who was attacked") belongs to its noun: the main verb comes after it; in a prepositional
    phrase, a word that may be a plural noun is one ("for relieving aches and pains")."""
    relative = in_phrase = False
    k = 0
    while k < len(words):
        lower = words[k].lower()
        if k in commas:
            in_phrase = False  # "In 2002, the firm applied for …": the opening phrase ended at its comma
        if lower in _RELATIVE or (lower == "that" and k and not relative):
            relative = True
            k += 1
            continue
        if lower in PREPOSITIONS:
            in_phrase = True
            k += 1
            continue
        if in_phrase and can_be_noun(lower) and lower not in AUXILIARIES and "VBD" not in verb_tags(lower):
            k += 1
            continue
        if _finite(words, k, True, in_phrase, aside):
            in_phrase = False
            if not relative:
                return k
            relative = False
            k += 1
            while k < len(words) and (verb_tags(words[k].lower()) & {"VBN", "VBD", "VBG", "VB"}) and words[k].islower():
                k += 1  # the rest of the relative clause's verb: "who was | attacked"
            continue
        k += 1
    return None


def opens_subordinate(first: str) -> bool:
    """ "As …", "When …", "Defending …": the first word opens a clause that is not the main one."""
    return first in SUBORDINATORS or (first.endswith("ing") and "VBG" in verb_tags(first) and not can_be_noun(first))


def reads_whole(headline: str) -> bool:
    """Whether a headline reads as a whole statement: it does not open a subordinate clause
    ("As Hurricane Irene swung north …", "Three days after a gunman killed …", "Defending his
    appointment …"), it has a finite verb of its own, and it does not stop where its verb or
    participle waits for more ("… said", "… are searching", "… a document created")."""
    tail = _ATTRIBUTION_TAIL.search(headline)  # "…, the labour office says": judged without it
    body = headline[: tail.start()] if tail and tail.start() > 0 else headline
    words, aside, commas = _words(re.sub(r"\([^)]*\)", " ", body))  # an aside's verb is not the headline's
    if len(words) < 2:
        return False
    first = words[0].lower()
    if opens_subordinate(first):
        return False
    if (
        first in _SUBJECT_PRONOUN
        or first in ("this", "these", "those", "his", "her", "their", "its")
        or _CONTRACTED_AUX.match(first)
    ):
        return False  # "He is the obvious choice …": who, the reader cannot tell
    if quotation_left_open(headline):
        return False  # 'The EPA says Magnolia engaged in “home renovations'
    main = main_verb(words, aside, commas)
    if main is None:
        return False
    if any(w.lower() in SUBORDINATORS for w in words[1:main]) and main <= 6:
        return False  # "Three days after a gunman killed …": the verb is the subordinate clause's
    if any(w.lower() in _SUBJECT_PRONOUN for w in words[1:main]):
        return False  # "Cruz, in the fall of 1981, she loathed him": a clause's tail, not its subject
    if words[-1].lower() in SUBORDINATORS:
        return False  # "… a rock shelter with a blackened roof because"
    while len(words) > main + 1 and words[-1].lower() in _TIME_WORDS and words[-2].lower() not in SUBORDINATORS:
        words = words[:-1]  # "… announced Wednesday", "… has set June 9": the verb still waits
    last = words[-1].lower()
    group_end = main
    while group_end + 1 < len(words) and _continues_verb(words[main : group_end + 1], words[group_end + 1]):
        group_end += 1
    group = [w.lower() for w in words[main : group_end + 1]]
    verbs = [w for w in group if w not in _VERB_ADVERBS]
    if group_end == len(words) - 1 and verbs and verbs[-1] in AUXILIARIES | {"being", "been"}:
        return False  # "… cancers in the U.S. are now", "… to be"
    if last in AUXILIARIES:
        return False  # "… rose after the heat was"
    if verb_lemmas(last) & _REPORTING and verb_tags(last) & {"VBD", "VBZ", "VBP", "VB"}:
        return False  # "… she mis-spoke when she said"
    elliptic = len(words) > 2 and words[-2].lower() in ("as", "than")  # "… as planned", "… than expected": whole
    if verb_lemmas(last) & _NEEDS_COMPLEMENT and verb_tags(last) & {"VBD", "VBZ"} and not can_be_noun(last) and not elliptic:
        return False  # "… Cosby's trial that resulted"
    if main > 0 and _CONTRACTED_AUX.match(words[main].lower()):
        return False  # "Boston Globe The sale to … -- he's retired": the pronoun is the subject
    if group_end == len(words) - 2 and last in _PARTICLES:
        group_end += 1  # "… cooling loops shut down": the verb's particle, not its object
        if verb_lemmas(words[main].lower()) and not set(group) & AUXILIARIES:
            return True
    if group_end == len(words) - 1 and not (set(group) & AUXILIARIES) and not verb_lemmas(last) & _ENDS_WELL:
        return False  # "An accompanying editorial published": an active verb waits for its object
    if verb_lemmas(last) & _NEEDS_COMPLEMENT and (
        group_end == len(words) - 1 or (len(words) > 1 and words[-2].lower() in ("to", "be"))
    ):
        return False  # "The Democratic National Committee said", "… to think"
    if any(verb_lemmas(w) & _REPORTING for w in verbs) and not any(
        _finite(words, k, False) for k in range(group_end + 1, len(words))
    ):
        return False  # "Trump said in a rally in suburban Nashville": what he said is cut off
    before = [w.lower() for w in words[:-1] if w.lower() not in _VERB_ADVERBS]
    if before and before[-1] in _PERFECT and verb_tags(last) & {"VBN", "VBD"} and not verb_lemmas(last) & _ENDS_WELL:
        return False  # "… said this week that it had detected": an active perfect waits for its object
    if len(words) > 2 and words[-2].lower() == "as" and last in _AS_WHAT:
        return False  # "… could be released as soon": as soon as what?
    if last in _OBJECT_AFTER and len(words) > 2 and verb_lemmas(words[-2].lower()) & _LEAVES:
        return False  # "The outcome leaves open", "… made clear": open what, clear what?
    that = max((k for k in range(main + 1, len(words)) if words[k].lower() == "that"), default=None)
    if that is not None and not any(_finite(words, k, False) for k in range(that + 1, len(words))):
        return False  # "… had failed to show that consumers"
    if group_end < len(words) - 1 and words[-1].islower():
        prev = words[-2].lower()
        tags = verb_tags(last)
        participle = (last.endswith("ing") and "VBG" in tags) or "VBN" in tags or (last.endswith("ed") and "VBD" in tags)
        if participle and not can_be_noun(last) and prev not in AUXILIARIES | _RELATIVE | {"that"} and not elliptic:
            return False  # "… issued a statement explaining", "… a document created"
    return True


_WORD_OR_COMMA = re.compile(TOKEN_PATTERN + "|,")


def _words(text: str) -> tuple[list[str], frozenset[int], frozenset[int]]:
    """The words (as ``tokens`` gives them) and which of them stand in an aside about the
    subject, where an -ed form is a participle: "The study, published Monday …", "The developer,
    a company called Birchlight, …" (not "Over the next 18 days, Gadhafi's forces kept …", nor
    after a comma that closes one: "Tidewater, a startup, raised …"), and the words that follow
    a comma."""
    words: list[str] = []
    commas: list[int] = []
    for m in _WORD_OR_COMMA.finditer(text):
        if m.group() == ",":
            commas.append(len(words))
        else:
            words.append(m.group().replace("\u2019", "'"))
    aside: set[int] = set()
    if not words or words[0].lower() in PREPOSITIONS | _TIME_WORDS | SUBORDINATORS or words[0].lower().endswith("ly"):
        return words, frozenset(), frozenset(commas)
    for n in range(0, len(commas), 2):
        start = commas[n]
        if not 0 < start < len(words):
            continue
        opener = words[start].lower()
        tags = verb_tags(opener)
        if opener in DETERMINERS | _PARTITIVE or "VBN" in tags or (opener.endswith("ed") and "VBD" in tags):
            end = commas[n + 1] if n + 1 < len(commas) else len(words)
            aside.update(range(start, end))
    return words, frozenset(aside), frozenset(commas)


def quotation_left_open(text: str) -> bool:
    """Whether a quotation opens and does not close (a cut inside a quote): an odd count of
    straight marks, or unequal curly ones."""
    straight = text.count('"') % 2
    return bool(straight) or text.count("\u201c") != text.count("\u201d")


_CONTRACTIONS = {"s": "is", "re": "are", "ve": "have", "d": "would", "ll": "will", "m": "am"}
_MODAL = frozenset("will would shall should can could may might must do does did to".split())
_BE_HAVE = frozenset("is are was were am be been being has have had get got gets".split())


def _continues_verb(group: list[str], word: str) -> bool:
    """Whether ``word`` carries on the verb group ("has | been | charged", "did | not | know"):
    an adverb, a participle after "be" or "have", a base form after a modal ("offline" after
    "added" is no part of it)."""
    if not word.islower():
        return False
    lower = word.lower()
    if lower in _VERB_ADVERBS:
        return True
    verbs = [w.lower() for w in group if w.lower() not in _VERB_ADVERBS]
    head = verbs[-1] if verbs else ""
    if _CONTRACTED_AUX.match(head):  # "he's | been", "they'll | go"
        head = _CONTRACTIONS[head.rsplit("'", 1)[1]]
    tags = verb_tags(lower)
    if head in _MODAL:
        return bool(tags & {"VB"}) or lower in AUXILIARIES
    if head in _BE_HAVE:
        return bool(tags & {"VBN", "VBG"}) or (lower.endswith("ed") and "VBD" in tags) or lower in ("been", "being")
    return False
