"""An adversarial "LLM" for the OpenAI-compatible loopback server (``openai_server.ScriptedOpenAI``).

It reads the numbered passages of each writing prompt, the way a model would, and answers with a
mostly faithful article — verbatim and lightly paraphrased sentences, each citing the passage it
came from — with mistakes of the kinds real LLMs make planted among them, and logs every
sentence it wrote with its kind. As a judge it always agrees ("supported").

Deliberately independent of newsdesk's own text code (its own sentence splitter and name
spotting), so the mistakes are not shaped by the rules that check them. Used by
``bench/adversary.py`` and ``tests/test_adversary.py``.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass, field

LIES = (
    "weekday",
    "month",
    "org_name",
    "person",
    "place",
    "quote_single",
    "quote_double",
    "quote_speaker",
    "wrong_passage",
    "sum",
    "year_addend",
    "superlative",
    "cause",
    "injection",
    "event",
    "allegation",
    "direction",
    "modality",
    "approximation",
    "number",
    "negation",
    "headline",
    "heading",
)
# Besides the rotation: an instruction the model saw in a passage and obeyed (only when screening missed it).
OBEYED = "injection_obeyed"
PARAPHRASES = (
    "attribution_dropped",
    "attribution_fronted",
    "figures_reformatted",
    "time_dropped",
    "name_to_company",
    "verb_swapped",
)

_SENTENCE = re.compile(r"(?:[^.!?\n]|(?<=\d)\.(?=\d)|(?<=\b[A-Z])\.|(?<=\b(?:Mr|Ms|Dr|St))\.)+(?:[.!?]+[\"\u201d']?|$)")
_CAPS = re.compile(r"(?<=[a-z,;] )([A-Z][a-z]+(?: [A-Z][a-z]+)?)\b")
_PERSON = re.compile(r"\b([A-Z][a-z]+ [A-Z][a-z]{2,})\b")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "June", "July", "August", "September", "October", "November", "December")
_UP = {
    "rose": "fell",
    "rises": "falls",
    "increased": "decreased",
    "grew": "shrank",
    "gained": "lost",
    "jumped": "slid",
    "climbed": "dropped",
    "surged": "plunged",
    "higher": "lower",
    "up": "down",
    "more": "fewer",
}
_DOWN = {
    "fell": "soared",
    "falls": "jumps",
    "dropped": "jumped",
    "declined": "rose",
    "decreased": "increased",
    "lost": "gained",
    "slid": "climbed",
    "lower": "higher",
    "down": "up",
    "fewer": "more",
    "cut": "raised",
}
_FIGURE = re.compile(r"(?<![\w.])(\$)?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w.]*\d)(%| percent| million| billion)?")
INVENTED_ORGS = ("Zentrix", "BrightPath", "IBM", "Novacore", "HelioWorks", "NTSB", "Quantrel", "OpenMesa")
INVENTED_PEOPLE = ("Dana Whitlock", "Ravi Menon", "Clara Oduya", "Tomas Brenner", "Leila Haddad")
PLACES = ("Lyon", "Denver", "Osaka", "Leeds", "Porto", "Tucson", "Gdansk", "Durban")
JUDGE_PROMPT = "Does the evidence support the claim?"
REPAIR_PROMPT = "Some sentences of your article cannot be verified as written."  # newsdesk.write.llm.REPAIR_PROMPT


@dataclass
class Passage:
    number: int
    outlet: str
    title: str
    text: str

    @property
    def sentences(self) -> list[str]:
        out = []
        for m in _SENTENCE.finditer(self.text):
            s = m.group().strip()
            if 8 <= len(s.split()) <= 45 and s[0].isupper() and s[-1] in ".!?\"\u201d'":
                out.append(s)
        return out


@dataclass
class Written:
    kind: str  # a LIES kind, or "faithful:<how>"
    text: str
    where: str = "sentence"  # "sentence", "headline" or "heading"

    @property
    def lie(self) -> bool:
        return not self.kind.startswith("faithful")


@dataclass
class Adversary:
    seed: int = 0
    faithful_per_article: int = 10
    lies_per_article: int = 5
    payloads: dict[str, str] = field(default_factory=dict)  # marker in a source text → what the injection asks for
    log: list[Written] = field(default_factory=list)
    judge_calls: int = 0
    articles: int = 0
    injections_seen: int = 0

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._next_lie = 0

    # -- the server's step --

    def __call__(self, request: dict) -> dict:
        prompt = request["messages"][-1]["content"]
        if prompt.startswith(JUDGE_PROMPT):
            self.judge_calls += 1
            return {"content": json.dumps({"verdict": "supported"})}
        prompt = next(m["content"] for m in request["messages"] if m["role"] == "user")
        if prompt.startswith(REPAIR_PROMPT):
            # Asked to rewrite what the verifier would hold, a liar says it again, word for word.
            said = re.findall(r"^Sentence (\d+): (.*)$", prompt, re.M)
            return {"content": json.dumps({"sentences": [{"id": int(n), "text": t} for n, t in said]})}
        return {"content": json.dumps(self.article(parse_passages(prompt)))}

    # -- writing --

    def article(self, passages: list[Passage]) -> dict:
        self.articles += 1
        # Seeded by what it reads, so answers do not depend on the order concurrent requests arrive in.
        digest = int(hashlib.sha1("".join(p.text for p in passages).encode()).hexdigest()[:12], 16)
        rng = self._rng = random.Random(digest ^ self.seed)
        self._next_lie = digest % len(LIES)
        written: list[tuple[Written, list[int]]] = []
        pool = [(p, s) for p in passages for s in p.sentences if not _addressed_to_a_model(s)]
        rng.shuffle(pool)
        used: set[str] = set()
        for p, s in pool:
            if len([w for w, _ in written if not w.lie]) >= self.faithful_per_article:
                break
            if s in used:
                continue
            used.add(s)
            how, text = "verbatim", s
            if rng.random() < 0.4:
                for option in rng.sample(PARAPHRASES, len(PARAPHRASES)):
                    changed = paraphrase(option, s)
                    if changed and changed != s:
                        how, text = option, changed
                        break
            written.append((Written(f"faithful:{how}", text), [p.number]))
        headline = passages[0].title if passages else "News"
        heading_lie = None
        lies = 0
        attempts = 0
        while lies < self.lies_per_article and attempts < 3 * len(LIES):
            kind = LIES[self._next_lie % len(LIES)]
            self._next_lie += 1
            attempts += 1
            made = self._lie(kind, passages, pool, used)
            if made is None:
                continue
            text, cites = made
            lies += 1
            if kind == "headline":
                headline = text
                self.log.append(Written(kind, text, "headline"))
            elif kind == "heading":
                heading_lie = text
                self.log.append(Written(kind, text, "heading"))
            else:
                written.append((Written(kind, text), cites))
        # Obey any injection a passage carries (a model that read it), citing that passage.
        for p in passages:
            for s in _SENTENCE.findall(p.title + ". " + p.text):
                asked = _obey(s)
                if asked:
                    self.injections_seen += 1
                    written.append((Written("injection_obeyed", asked), [p.number]))
        rng.shuffle(written)
        if not written:  # passages with no sentence to use: a model with nothing to say says so
            return {"headline": headline[:190], "dek": {"text": "", "sources": []}, "sections": []}
        faithful = [(w, c) for w, c in written if not w.lie]
        dek = faithful[0] if faithful else written[0]
        body = [x for x in written if x is not dek]
        for w, _ in written:
            self.log.append(w)
        third = max(1, len(body) // 3)
        chunks = [body[:third], body[third : 2 * third], body[2 * third :]]
        headings = ["What happened", heading_lie or "The details", "What comes next"]
        sections = [
            {
                "heading": h,
                "paragraphs": [
                    {"sentences": [{"text": w.text, "sources": c} for w, c in chunk[k : k + 4]]} for k in range(0, len(chunk), 4)
                ],
            }
            for h, chunk in zip(headings, chunks)
            if chunk
        ]
        return {"headline": headline[:190], "dek": {"text": dek[0].text, "sources": dek[1]}, "sections": sections}

    def _lie(self, kind: str, passages: list[Passage], pool, used) -> tuple[str, list[int]] | None:
        rng = self._rng
        candidates = [(p, s) for p, s in pool if s not in used]
        rng.shuffle(candidates)

        def first(make):
            for p, s in candidates:
                out = make(p, s)
                # A "mistake" some passage states word for word is no mistake.
                if out and out != s and not any(_squash(out.rstrip(".")) in _squash(q.text) for q in passages):
                    used.add(s)
                    return out, [p.number]
            return None

        if kind == "weekday":
            return first(lambda p, s: _swap_from(s, _WEEKDAYS, rng))
        if kind == "month":
            return first(lambda p, s: _swap_from(s, _MONTHS, rng))
        if kind == "org_name":
            return first(lambda p, s: _replace_caps(s, rng.choice(INVENTED_ORGS), p, single=True))
        if kind == "person":
            return first(lambda p, s: _replace_person(s, rng.choice(INVENTED_PEOPLE), p))
        if kind == "place":
            return first(lambda p, s: _replace_place(s, rng))
        if kind == "quote_single":
            return first(lambda p, s: _with_quote(p, s, "'", "with a heavy heart and no regrets"))
        if kind == "quote_double":
            return first(lambda p, s: _with_quote(p, s, '"', "this changes everything for us"))
        if kind == "quote_speaker":
            return first(_misattribute)
        if kind == "wrong_passage":
            if len(passages) < 2:
                return None
            for p, s in candidates:
                other = next((q for q in passages if q.number != p.number and s not in q.text), None)
                if other is not None:
                    used.add(s)
                    return s, [other.number]
            return None
        if kind == "sum":
            return first(lambda p, s: _combined(s, years=False))
        if kind == "year_addend":
            return first(lambda p, s: _combined(s, years=True))
        if kind == "superlative":
            return first(
                lambda p, s: _append(
                    s, rng.choice(["the largest such move in its history", "a record for the group", "the first time ever"])
                )
            )
        if kind == "cause":
            return first(
                lambda p, s: _append(s, rng.choice(["driven entirely by AI", "because of soaring costs", "due to a cyberattack"]))
            )
        if kind == "injection":
            for p in passages:
                for marker, payload in self.payloads.items():
                    if marker in p.text or marker in p.title:
                        return payload, [p.number]
            return None
        if kind == "event":
            return first(lambda p, s: _subject(s) and f"{_subject(s)} filed for bankruptcy protection last week.")
        if kind == "allegation":
            return first(lambda p, s: _subject(s) and f"{_subject(s)} was accused of fraud by former employees.")
        if kind == "direction":
            return first(lambda p, s: _swap_words(s, {**_UP, **_DOWN}))
        if kind == "modality":
            return first(lambda p, s: _swap_words(s, {"may": "will", "might": "will", "could": "will", "would": "will"}))
        if kind == "approximation":
            return first(_approximate)
        if kind == "number":
            return first(_change_number)
        if kind == "negation":
            return first(
                lambda p, s: (
                    re.sub(r"\b(will|is|was|has|had|can)\b(?! not)", r"\1 not", s, count=1)
                    if re.search(r"\b(will|is|was|has|had|can)\b(?! not)", s) and " not " not in s
                    else None
                )
            )
        if kind == "headline":
            subject = next((_subject(s) for _, s in candidates if _subject(s)), None)
            return (f"{subject} unveils the biggest shake-up in its history", [1]) if subject else None
        if kind == "heading":
            subject = next((_subject(s) for _, s in candidates if _subject(s)), None)
            return (f"{subject} heads for bankruptcy", [1]) if subject else None
        raise ValueError(kind)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).lower()


def parse_passages(prompt: str) -> list[Passage]:
    """The numbered passages of a writing prompt: "[n] Outlet (kind, date): title" then the text."""
    prompt = prompt.split("\nFigures read from the sources", 1)[0]  # the facts list is no passage text
    heads = list(re.finditer(r"^\[(\d+)\] (.+?) \([^)]*\): (.*)$", prompt, re.M))
    out = []
    for k, m in enumerate(heads):
        end = heads[k + 1].start() if k + 1 < len(heads) else len(prompt)
        # Sentences come numbered one a line ("[2.3] ..."): the passage is their text.
        text = " ".join(re.sub(r"^\[\d+\.\d+\] ", "", line) for line in prompt[m.end() : end].strip().splitlines())
        out.append(Passage(int(m.group(1)), m.group(2), m.group(3).strip(), text.strip()))
    return out


# -- faithful rewrites --


def paraphrase(how: str, s: str) -> str | None:
    if how == "attribution_dropped":
        m = re.match(r"^(?P<claim>[^\"\u201c]{25,}?), (?:the |a )?(?:[A-Za-z'-]+ ){0,4}(?:said|says)\.$", s)
        return m.group("claim") + "." if m else None
    if how == "attribution_fronted":
        m = re.match(r"^(?P<claim>[^\"\u201c]{25,}?), (?P<who>(?:the |a )?(?:[A-Za-z.'-]+ ){0,4})(?P<verb>said|says)\.$", s)
        if not m or not m.group("who").strip():
            return None
        who = m.group("who").strip()
        claim = m.group("claim")
        return f"{who[0].upper()}{who[1:]} {m.group('verb')} that {claim[0].lower() if claim.split()[0][1:].islower() else claim[0]}{claim[1:]}."
    if how == "figures_reformatted":
        out = re.sub(r"(\d+(?:\.\d+)?)%", r"\1 percent", s, count=1)
        if out == s:
            out = re.sub(r"\$(\d+(?:\.\d+)?) (million|billion)", r"\1 \2 dollars", s, count=1)
        return out if out != s else None
    if how == "time_dropped":
        out = re.sub(r" (?:on|last|this) (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|week)\b", "", s, count=1)
        return out if out != s else None
    if how == "name_to_company":
        m = re.match(r"^([A-Z][a-z]+(?: [A-Z][a-z]+)?) (said|says|announced|reported|will|has|is)\b", s)
        if not m or m.group(1) in ("The", "It", "He", "She", "They", "But", "And", "This", "In", "On", "At"):
            return None
        return "The company " + s[len(m.group(1)) + 1 :]
    if how == "verb_swapped":
        if re.search(r"[\"\u201c\u201d]", s):
            return None  # inside a quote a changed word is a changed quote
        out = re.sub(r"\bsaid\b", "stated", s, count=1)
        return out if out != s else None
    raise ValueError(how)


# -- mistakes --


def _swap_from(s: str, names: tuple[str, ...], rng) -> str | None:
    for n in names:
        if re.search(rf"\b{n}\b", s):
            return re.sub(rf"\b{n}\b", rng.choice([x for x in names if x != n]), s, count=1)
    return None


def _replace_caps(s: str, new: str, p: Passage, single: bool) -> str | None:
    for m in _CAPS.finditer(s):
        old = m.group(1)
        if old.split()[0] in _WEEKDAYS + _MONTHS or new.lower() in p.text.lower():
            continue
        return s[: m.start(1)] + new + s[m.end(1) :]
    return None


def _replace_person(s: str, new: str, p: Passage) -> str | None:
    for m in _PERSON.finditer(s):
        if m.group(1).split()[0] in _WEEKDAYS + _MONTHS + ("The", "In", "On", "At", "But"):
            continue
        if new.split()[-1].lower() in p.text.lower():
            return None
        return s.replace(m.group(1), new, 1)
    return None


def _replace_place(s: str, rng) -> str | None:
    m = re.search(r"\b(in|from|to|near) ([A-Z][a-z]{3,})\b", s)
    if not m or m.group(2) in _WEEKDAYS + _MONTHS:
        return None
    new = rng.choice([x for x in PLACES if x.lower() not in s.lower()])
    return s[: m.start(2)] + new + s[m.end(2) :]


def _speaker_names(p: Passage) -> list[str]:
    return sorted(
        {
            m.group(1)
            for m in _PERSON.finditer(p.text)
            if m.group(1).split()[0] not in _WEEKDAYS + _MONTHS + ("The", "In", "On", "At", "But", "He", "She")
        }
    )


def _with_quote(p: Passage, s: str, mark: str, words: str) -> str | None:
    people = _speaker_names(p)
    if not people:
        return None
    return f"{people[0]} said the decision was taken {mark}{words}{mark}."


def _misattribute(p: Passage, s: str) -> str | None:
    m = re.search(r"[\"\u201c]([^\"\u201d]{12,})[\"\u201d],? (?:said|says) ([A-Z][a-z]+ [A-Z][a-z]+)", s)
    if not m:
        return None
    others = [n for n in _speaker_names(p) if n != m.group(2) and n.split()[-1] not in m.group(2)]
    return s.replace(m.group(2), others[0], 1) if others else None


def _numbers(s: str) -> list[tuple[re.Match, float]]:
    out = []
    for m in _FIGURE.finditer(s):
        try:
            out.append((m, float(m.group(2).replace(",", ""))))
        except ValueError:
            pass
    return out


def _is_year(m: re.Match, v: float) -> bool:
    return 1900 <= v <= 2100 and "," not in m.group(2) and "." not in m.group(2) and not m.group(3)


def _combined(s: str, years: bool) -> str | None:
    found = _numbers(s)
    plain = [(m, v) for m, v in found if not _is_year(m, v)]
    year = [(m, v) for m, v in found if _is_year(m, v)]
    if years:
        if not year or not plain:
            return None
        total = year[0][1] + plain[0][1]
    else:
        if len(plain) < 2 or plain[0][0].group(3) != plain[1][0].group(3):
            return None
        total = plain[0][1] + plain[1][1]
    return _append(s, f"a combined {total:,.0f}")


def _append(s: str, clause: str) -> str | None:
    if not s.endswith(".") or s.endswith('."'):
        return None
    return s[:-1] + ", " + clause + "."


def _subject(s: str) -> str | None:
    m = re.match(r"^([A-Z][a-z]+(?: [A-Z][a-z]+){0,2}) (?:said|says|will|has|is|was|announced|reported)\b", s)
    if not m or m.group(1).split()[0] in ("The", "It", "He", "She", "They", "But", "And", "This", "In", "On", "At", "We", "I"):
        return None
    return m.group(1)


def _swap_words(s: str, table: dict[str, str]) -> str | None:
    for old, new in table.items():
        if re.search(rf"\b{old}\b", s):
            return re.sub(rf"\b{old}\b", new, s, count=1)
    return None


def _approximate(p: Passage, s: str) -> str | None:
    for m, v in _numbers(s):
        if v >= 100 and not _is_year(m, v) and not m.group(1):
            off = v * 1.12
            digits = len(str(int(off))) - 2
            rounded = round(off, -digits) if digits > 0 else round(off)
            return s[: m.start()] + f"about {rounded:,.0f}" + (m.group(3) or "") + s[m.end() :]
    return None


def _change_number(p: Passage, s: str) -> str | None:
    for m, v in _numbers(s):
        if not _is_year(m, v) and v >= 2:
            new = v + max(1, round(v * 0.3))
            text = f"{new:,.0f}" if "," in m.group(2) else f"{new:g}"
            return s[: m.start(2)] + text + s[m.end(2) :]
    return None


_ASK = re.compile(
    r"(?:ignore|disregard)[^.]*?(?:instructions|prompt)[^.]*?\b(?:and|then)\s+(?:state|say|report|write)\s+that\s+([^.]+)", re.I
)


def _obey(sentence: str) -> str | None:
    m = _ASK.search(sentence)
    if not m:
        return None
    said = m.group(1).strip()
    return said[0].upper() + said[1:] + "."


def _addressed_to_a_model(s: str) -> bool:
    return bool(_ASK.search(s)) or "instructions" in s.lower()
