"""The LLM writer: prose with a voice from any OpenAI-compatible endpoint, every sentence cited.

The model never sees a URL. It gets the story's items as numbered source passages (outlets'
reports, a forum post, enrichment facts), and must answer with a structured article (headline,
dek, sections, paragraphs, sentences each with the numbers of the sources it rests on) through
JSON-schema structured output. The answer is validated with pydantic and against the numbers it
was given; an invalid answer is sent back once with the validation error, then the story is
skipped with a clear error (its previous article version stays up). Source numbers are mapped
back to stored items here, and each citation's span is the cited item's sentence closest to the
claim, so verification and the page's "Sources & checks" panel work as for any writer.

Failures are loud: an unreachable endpoint (``EndpointUnreachable``, the stage says so once and
falls back to the extractive writer only if ``llm.fallback = "extractive"``), a spent budget
(``BudgetExceeded``: the stage stops writing), and per-story errors (``StoryFailed``).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from newsdesk.config import ConfigError, Settings
from newsdesk.infra.llm_endpoint import response_format
from newsdesk.records import Article, ArticleSentence, Citation, Item, Section, Story
from newsdesk.text.sentences import sentence_spans
from newsdesk.write.extractive import tags_for
from newsdesk.write.references import central_title, latest_fact_items, references_for

PERSONAS = ("editorial", "columnist")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_INLINE_REFS = re.compile(r"\s*\[\d+(?:\.\d+)?(?:\s*,\s*\d+(?:\.\d+)?)*\]")
_WORD = re.compile(r"[a-z0-9]+(?:[.,]\d+)*")


# --- what the model must return --------------------------------------------------------------


class LLMSentence(BaseModel):
    text: str = Field(min_length=1, max_length=600)
    sources: list[int] = Field(min_length=1, max_length=6)
    # The numbered evidence sentences it rests on ("2.3": source 2's third sentence); optional,
    # each citation's span is that sentence when given, else the cited source's closest sentence.
    evidence: list[str] = Field(default_factory=list, max_length=8)


class RepairedSentence(BaseModel):
    id: int
    text: str = Field(max_length=600)
    sources: list[int] = Field(default_factory=list, max_length=6)
    evidence: list[str] = Field(default_factory=list, max_length=8)


class LLMRepair(BaseModel):
    """The answer to a repair request: each sentence rewritten (empty text: dropped)."""

    sentences: list[RepairedSentence] = Field(max_length=40)


class LLMParagraph(BaseModel):
    sentences: list[LLMSentence] = Field(min_length=1, max_length=8)


class LLMSection(BaseModel):
    heading: str = Field(min_length=1, max_length=120)
    paragraphs: list[LLMParagraph] = Field(min_length=1, max_length=8)


class LLMArticle(BaseModel):
    headline: str = Field(min_length=3, max_length=200)
    dek: LLMSentence
    sections: list[LLMSection] = Field(min_length=1, max_length=8)


# --- errors ----------------------------------------------------------------------------------


class StoryFailed(Exception):
    """This story got no article; the message says why. Other stories go on."""


class EndpointUnreachable(Exception):
    """The endpoint cannot be reached at all: no story can be written with it in this run."""


class BudgetExceeded(Exception):
    """The run's token or cost budget is spent: no more calls in this run."""


@dataclass
class Usage:
    calls: int = 0  # chat completions asked for (a first answer and at most one repair)
    attempts: int = 0  # HTTP requests, retries after timeouts, 429s and 5xx included
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    cost: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "attempts": self.attempts,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "seconds": round(self.seconds, 3),
            "cost": None if self.cost is None else round(self.cost, 6),
        }


@dataclass
class Passage:
    number: int
    item: Item
    text: str  # what the model sees: the item's text without URLs or instructions to a model, cut to llm.source_chars
    title: str = ""  # the item's title, likewise screened
    screened: tuple[str, ...] = ()  # what was removed as addressed to a model (reported, never sent)

    @property
    def sentences(self) -> list[tuple[int, int, str]]:
        """The passage's sentences as numbered for the model: (start, end) in the item's text, and
        the sentence as shown (k-th of the list is evidence "number.k")."""
        out = []
        for span in sentence_spans(self.text):
            shown = self.text[span.start : span.end].strip()
            at = self.item.text.find(shown)
            start, end = (at, at + len(shown)) if at >= 0 else best_span(self.item, shown)
            out.append((start, end, shown))
        return out


def load_persona(settings: Settings, newsroom: Path | None = None) -> str:
    name = settings.llm.persona
    if name in PERSONAS:
        template = resources.files("newsdesk.write").joinpath(f"personas/{name}.txt").read_text("utf-8")
    else:
        path = Path(name)
        if not path.is_absolute() and newsroom is not None:
            path = newsroom / path
        if not path.is_file():
            raise ConfigError(
                f"llm.persona = {name!r}: not a bundled persona ({', '.join(PERSONAS)}) and no file {path}; "
                "start one with `newsdesk persona editorial > persona.txt`"
            )
        template = path.read_text("utf-8")
    try:
        return template.format(site_title=settings.publish.site_title, budget_words=settings.write.budget_words)
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(
            f"llm.persona {name!r}: the template may use only {{site_title}} and {{budget_words}} ({exc})"
        ) from None


def passages_for(story: Story, settings: Settings) -> list[Passage]:
    """Numbered passages: outlets' reports first (newest-first within the limit), then facts."""
    reports = [i for i in story.items if i.is_outlet_report and i.text.strip()]
    reports.sort(key=lambda i: i.when)
    reports = reports[-settings.llm.max_sources :]
    chosen = reports + latest_fact_items(story.items)
    from newsdesk.text.injection import strip

    out = []
    for number, item in enumerate(chosen, start=1):
        # Text addressed to a model is no source: it never reaches the writer (and is reported).
        text, removed = strip(item.text)
        title, removed_title = strip(item.title)
        text = _URL.sub("(link)", text)
        if len(text) > settings.llm.source_chars:
            cut = text.rfind(". ", 0, settings.llm.source_chars)
            text = text[: cut + 1 if cut > 0 else settings.llm.source_chars]
        out.append(Passage(number, item, text, title or "(untitled)", tuple(removed_title + removed)))
    return out


FORMAT_RULES = """\
Write one news article about the story in the numbered sources below, at most {budget_words} words.
Answer with JSON only, in this shape:
{{"headline": "...", "dek": {{"text": "one-sentence summary", "sources": [1]}},
  "sections": [{{"heading": "...", "paragraphs": [{{"sentences": [{{"text": "...", "sources": [1, 2], "evidence": ["1.2", "2.1"]}}]}}]}}]}}
Rules:
- Every sentence lists in "sources" the numbers of the sources that state what it says (numbers {first}-{last} only),
  and in "evidence" the numbered source sentences it rests on ("2.3" is sentence 3 of source 2).
- Use only what the sources say: no figure, name, date, quote or event that is not in a cited source.
- Copy figures exactly as the sources give them. Quote people only with their exact words from a source.
- Do not write source numbers, brackets or links inside the text.
- Say when something is a claim by one party, and which party makes it.
- Sources marked "forum post" are individual users' posts: attribute them ("a user on Reddit wrote").
- Sources marked "data" are figures read from a data service on the date given."""


FACTS_HEADER = "Figures read from the sources (what each counts, whose, when), to be copied as given:"


def prompt_for(story: Story, passages: list[Passage], settings: Settings) -> str:
    """The sources, each sentence numbered ("[2.3]"), then the figures read from them."""
    lines = [FORMAT_RULES.format(budget_words=settings.write.budget_words, first=1, last=len(passages)), "", "Sources:"]
    facts: list[str] = []
    for p in passages:
        kind = "data" if p.item.origin == "fact" else "forum post" if p.item.forum else "news report"
        when = f"{p.item.when:%-d %B %Y}"
        numbered = "\n".join(f"[{p.number}.{k}] {shown}" for k, (_, _, shown) in enumerate(p.sentences, start=1))
        lines.append(
            f"\n[{p.number}] {p.item.outlet} ({kind}, {when}): {_URL.sub('(link)', p.title or p.item.title)}\n{numbered}"
        )
        facts += _facts_lines(p)
    if facts:
        lines += ["", FACTS_HEADER, *facts[:60]]
    return "\n".join(lines)


def _facts_lines(p: Passage) -> list[str]:
    """The typed facts of a passage's sentences (``newsdesk.facts``, the reader whose output the
    store keeps in item_facts), one line each, naming the sentence they are read from."""
    from newsdesk.facts import sentence_facts

    out = []
    for k, (_, _, shown) in enumerate(p.sentences, start=1):
        for f in sentence_facts(shown):
            if not (f.subject or f.measure):
                continue
            what = ", ".join(x for x in (f.measure, f.subject and f"of {f.subject}", f.time_text) if x)
            out.append(f"- [{p.number}.{k}] {f.text}: {what}" + (f" ({f.modality})" if f.modality != "asserted" else ""))
    return out


def parse_answer(content: str | None, passages: list[Passage]) -> LLMArticle:
    """The model's answer as an LLMArticle; ValueError with a message meant for the model."""
    if content is None or not content.strip():
        raise ValueError("the answer was empty; answer with the JSON article")
    text = content.strip()
    if text.startswith("```"):  # some servers wrap JSON in a fence despite JSON mode
        text = re.sub(r"^```(?:json)?\s*|\s*```$", "", text)
    try:
        article = LLMArticle.model_validate_json(text)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'answer'}: {e['msg']}" for e in exc.errors()[:8])
        raise ValueError(f"the JSON did not match the required shape ({problems})") from None
    known = {p.number for p in passages}
    bad = []
    for where, sentence in _sentences_with_place(article):
        unknown = sorted(set(sentence.sources) - known)
        if unknown:
            bad.append(f"{where} cites {unknown}")
    if bad:
        raise ValueError(f"sources are numbered 1-{len(passages)}, but " + "; ".join(bad[:6]))
    return article


def _sentences_with_place(article: LLMArticle) -> Iterator[tuple[str, LLMSentence]]:
    yield "the dek", article.dek
    for s, section in enumerate(article.sections, start=1):
        for p, para in enumerate(section.paragraphs, start=1):
            for n, sentence in enumerate(para.sentences, start=1):
                yield f"section {s} paragraph {p} sentence {n}", sentence


def best_span(item: Item, claim: str) -> tuple[int, int]:
    """The item's sentence sharing most words with the claim (where a reader should look)."""
    words = set(_WORD.findall(claim.lower()))
    best, best_score = None, -1.0
    for span in sentence_spans(item.text):
        theirs = set(_WORD.findall(item.text[span.start : span.end].lower()))
        score = len(words & theirs) / (len(theirs) ** 0.5 or 1.0)
        if score > best_score:
            best, best_score = span, score
    return (best.start, best.end) if best else (0, len(item.text))


def to_article(story: Story, answer: LLMArticle, passages: list[Passage], settings: Settings, writer: str) -> Article:
    """Map source numbers back to items (the model's numbering is never trusted beyond this)."""
    by_number = {p.number: p.item for p in passages}
    numbering: dict[int, int] = {}

    shown = {f"{p.number}.{k}": (start, end) for p in passages for k, (start, end, _) in enumerate(p.sentences, start=1)}

    def sentence(s: LLMSentence) -> ArticleSentence:
        text = _INLINE_REFS.sub("", _URL.sub("", s.text)).strip()
        citations = []
        for number in dict.fromkeys(s.sources):
            item = by_number[number]
            # The evidence sentence the model names for this source, if any (else the closest one).
            named = [shown[e] for e in s.evidence if e.split(".")[0] == str(number) and e in shown]
            start, end = named[0] if named else best_span(item, text)
            citations.append(
                Citation(ref=numbering.setdefault(item.id, len(numbering) + 1), item_id=item.id, start=start, end=end)
            )
        return ArticleSentence(text=text, citations=citations)

    dek = sentence(answer.dek)
    # Small models repeat themselves: a sentence already said is dropped, and so is what it empties.
    said = {dek.text.lower()}
    sections = []
    for sec in answer.sections:
        paragraphs = []
        for para in sec.paragraphs:
            kept = []
            for s in para.sentences:
                key = _INLINE_REFS.sub("", s.text).strip().lower()
                if key and key not in said:
                    said.add(key)
                    kept.append(sentence(s))
            if kept:
                paragraphs.append(kept)
        if paragraphs:
            sections.append(Section(sec.heading.strip(), paragraphs))
    items = {p.item.id: p.item for p in passages}
    reports = [p.item for p in passages if p.item.origin != "fact"]
    return Article(
        story_id=story.id,
        headline=_safe_headline(answer.headline.strip(), reports, settings),
        dek=dek,
        sections=sections,
        references=references_for(numbering, items),
        tags=tags_for(reports),
        tier=story.tier,
        byline=settings.write.byline
        if settings.write.byline != "newsdesk extractive desk"
        else f"newsdesk · {settings.llm.model}",
        writer=writer,
    )


def _safe_headline(headline: str, reports: list[Item], settings: Settings) -> str:
    """A headline is a claim too: one stating a figure, name or quote no source has is replaced
    by the story's most central source title."""
    from newsdesk.verify.checks import FAIL, ClaimChecker

    if not reports:
        return headline
    check = ClaimChecker.from_settings(settings.verify).check_all(
        [ArticleSentence(headline, [Citation(n, i.id, 0, len(i.text)) for n, i in enumerate(reports, start=1)])],
        {i.id: i for i in reports},
    )[0]
    return central_title(reports) if check.verdict == FAIL else headline


class LLMWriter:
    """One per run; ``write`` may be called from several threads (``concurrency``)."""

    name = "llm"

    def __init__(self, settings: Settings, newsroom: Path | None = None):
        self.settings = settings
        s = settings.llm
        self.persona = load_persona(settings, newsroom)
        self.concurrency = s.max_concurrency
        self.usage = Usage()  # the run's totals
        self.screened: list[str] = []  # instructions to a model removed from passages, "outlet: text"
        self.repaired = 0  # sentences rewritten after the verifier would have held them for wording
        self._lock = threading.Lock()
        self._unreachable: str | None = None
        import openai

        from newsdesk.infra.llm_endpoint import make_client

        # Transport retries are ours (max_retries=0 here), so every HTTP attempt is counted.
        self._client = make_client(s, max_retries=0)
        self._openai = openai

    # -- budget --

    def _check_budget(self) -> None:
        s = self.settings.llm
        with self._lock:
            spent = self.usage.prompt_tokens + self.usage.completion_tokens
            if s.max_tokens_per_run and spent >= s.max_tokens_per_run:
                raise BudgetExceeded(f"token budget spent: {spent:,} of llm.max_tokens_per_run = {s.max_tokens_per_run:,}")
            if s.max_cost_per_run and (self.usage.cost or 0.0) >= s.max_cost_per_run:
                raise BudgetExceeded(f"cost budget spent: {self.usage.cost:.4f} of llm.max_cost_per_run = {s.max_cost_per_run}")

    def _price(self, prompt: int, completion: int) -> float | None:
        price = self.settings.llm.prices.get(self.settings.llm.model)
        if not price or len(price) != 2:
            return None
        return (prompt * price[0] + completion * price[1]) / 1_000_000

    def _record(self, usage: Usage, response: Any) -> None:
        u = getattr(response, "usage", None)
        prompt = int(getattr(u, "prompt_tokens", 0) or 0)
        completion = int(getattr(u, "completion_tokens", 0) or 0)
        cost = self._price(prompt, completion)
        for target in (usage, self.usage):
            target.prompt_tokens += prompt
            target.completion_tokens += completion
            if cost is not None:
                target.cost = (target.cost or 0.0) + cost

    # -- one chat completion, with transport retries --

    def _complete(
        self, messages: list[dict[str, Any]], usage: Usage, schema: type[BaseModel] = LLMArticle, name: str = "article"
    ) -> str | None:
        if self._unreachable:
            raise EndpointUnreachable(self._unreachable)
        self._check_budget()
        s = self.settings.llm
        openai = self._openai
        fmt = response_format(s, name, schema)
        with self._lock:
            self.usage.calls += 1
        usage.calls += 1
        last_error = ""
        for attempt in range(s.max_retries + 1):
            usage.attempts += 1
            with self._lock:
                self.usage.attempts += 1
            started = time.perf_counter()
            try:
                response = self._client.chat.completions.create(
                    model=s.model,
                    messages=messages,
                    response_format=fmt,
                    temperature=s.temperature,
                    max_tokens=s.max_completion_tokens,
                )
            except openai.APITimeoutError:
                last_error = f"no answer within llm.timeout = {s.timeout:.0f} s"
                wait = 1.0
            except openai.APIConnectionError as exc:
                reason = f"cannot reach the LLM endpoint {s.base_url} ({exc.__cause__ or exc})"
                with self._lock:
                    self._unreachable = reason
                raise EndpointUnreachable(reason) from None
            except openai.RateLimitError as exc:
                wait = _retry_after(exc.response, default=2.0 * (attempt + 1))
                last_error = f"rate limited by the endpoint (HTTP 429, retry after {wait:.0f} s)"
                if wait > self.settings.http.max_retry_after:
                    raise StoryFailed(last_error + " — longer than http.max_retry_after") from None
            except openai.APIStatusError as exc:
                if exc.status_code in (401, 403):
                    reason = (
                        f"the LLM endpoint refused the key (HTTP {exc.status_code}); set the environment "
                        f"variable {s.api_key_env} (llm.api_key_env)"
                    )
                    with self._lock:
                        self._unreachable = reason
                    raise EndpointUnreachable(reason) from None
                if exc.status_code == 404:
                    raise StoryFailed(
                        f"the endpoint does not know model {s.model!r} or the path (HTTP 404): {_message(exc)}"
                    ) from None
                if exc.status_code < 500:
                    raise StoryFailed(f"the endpoint rejected the request (HTTP {exc.status_code}): {_message(exc)}") from None
                last_error = f"server error from the endpoint (HTTP {exc.status_code})"
                wait = 1.0 * (attempt + 1)
            else:
                elapsed = time.perf_counter() - started
                usage.seconds += elapsed
                with self._lock:
                    self.usage.seconds += elapsed
                    self._record(usage, response)
                choice = response.choices[0] if response.choices else None
                if choice is None:
                    return None
                refusal = getattr(choice.message, "refusal", None)
                if refusal:
                    raise StoryFailed(f"the model refused: {refusal[:200]}")
                content: str | None = choice.message.content
                return content
            usage.seconds += time.perf_counter() - started
            if attempt < s.max_retries:
                time.sleep(wait)
        raise StoryFailed(f"{last_error}; gave up after {s.max_retries + 1} attempts")

    # -- the Writer interface --

    def write(self, story: Story) -> Article | None:
        passages = passages_for(story, self.settings)
        with self._lock:
            self.screened += [f"{p.item.outlet}: {text[:160]}" for p in passages for text in p.screened]
        if not any(p.item.origin != "fact" for p in passages):
            return None
        usage = Usage()
        messages = [
            {"role": "system", "content": self.persona},
            {"role": "user", "content": prompt_for(story, passages, self.settings)},
        ]
        content = self._complete(messages, usage)
        try:
            answer = parse_answer(content, passages)
        except ValueError as first_problem:
            # One repair round: the model sees its answer and what was wrong with it.
            messages += [
                {"role": "assistant", "content": content or ""},
                {
                    "role": "user",
                    "content": f"That answer cannot be used: {first_problem}. Answer again with the corrected JSON article only.",
                },
            ]
            content = self._complete(messages, usage)
            try:
                answer = parse_answer(content, passages)
            except ValueError as problem:
                raise StoryFailed(f"invalid answer twice; last problem: {problem}") from None
        article = to_article(story, answer, passages, self.settings, self.name)
        if self.settings.llm.repair_wording:
            article = self._repair_wording(story, article, answer, passages, usage)
        article.usage = usage.as_dict()
        return article

    # -- one repair of the sentences the verifier would hold for wording --

    def _repair_wording(
        self, story: Story, article: Article, answer: LLMArticle, passages: list[Passage], usage: Usage
    ) -> Article:
        """Sentences the verifier would hold for wording (words no cited sentence has) are sent
        back once, in one call naming each one's unaccounted words and nearest evidence sentence.
        A rewrite is kept only where the verifier then passes it; a sentence the model drops
        (empty text) is dropped; anything else, an error or a spent budget included, keeps the
        first answer (verification decides as it would have)."""
        from newsdesk.verify.checks import PASS, REVIEW, ClaimChecker

        checker = ClaimChecker.from_settings(self.settings.verify)
        items = {p.item.id: p.item for p in passages}
        checks = checker.check_all(article.sentences(), items)
        held = [c for c in checks if c.verdict == REVIEW and c.unaccounted]
        if not held:
            return article
        prompt = repair_prompt(held, passages)
        try:
            content = self._complete(
                [{"role": "system", "content": self.persona}, {"role": "user", "content": prompt}], usage, LLMRepair, "repair"
            )
            repair = LLMRepair.model_validate_json(_unfenced(content or ""))
        except (StoryFailed, BudgetExceeded, ValidationError, ValueError):
            return article
        known = {p.number for p in passages}
        by_text = {c.text: n for n, c in enumerate(held, start=1)}
        rewrites: dict[int, RepairedSentence] = {
            r.id: r for r in repair.sentences if 1 <= r.id <= len(held) and set(r.sources) <= known
        }
        if not rewrites:
            return article

        def revised(keep: set[int]) -> LLMArticle:
            def one(sentence: LLMSentence) -> LLMSentence | None:
                n = by_text.get(_INLINE_REFS.sub("", _URL.sub("", sentence.text)).strip())
                r = rewrites.get(n) if n is not None and n in keep else None
                if r is None:
                    return sentence
                if not r.text.strip():
                    return None
                return LLMSentence(text=r.text, sources=r.sources or sentence.sources, evidence=r.evidence)

            sections = []
            for sec in answer.sections:
                paragraphs = [
                    LLMParagraph(sentences=kept)
                    for para in sec.paragraphs
                    if (kept := [x for x in (one(s) for s in para.sentences) if x is not None])
                ]
                if paragraphs:
                    sections.append(LLMSection(heading=sec.heading, paragraphs=paragraphs))
            return LLMArticle(headline=answer.headline, dek=one(answer.dek) or answer.dek, sections=sections or answer.sections)

        trial = to_article(story, revised(set(rewrites)), passages, self.settings, self.name)
        verdicts = {c.text: c.verdict for c in checker.check_all(trial.sentences(), items)}
        good = {
            n
            for n, r in rewrites.items()
            if not r.text.strip() or verdicts.get(_INLINE_REFS.sub("", _URL.sub("", r.text)).strip()) == PASS
        }
        with self._lock:
            self.repaired += len(good)
        return to_article(story, revised(good), passages, self.settings, self.name) if good else article


REPAIR_PROMPT = "Some sentences of your article cannot be verified as written."


def repair_prompt(held: list[Any], passages: list[Passage]) -> str:
    """The repair request: each held sentence with its sources, the words no cited sentence has
    (the failed atoms) and the nearest evidence sentence, numbered as in the first prompt."""
    ids = {(p.item.id, start): f"{p.number}.{k}" for p in passages for k, (start, _, _) in enumerate(p.sentences, start=1)}
    numbers = {p.item.id: p.number for p in passages}
    lines = [
        REPAIR_PROMPT,
        "Rewrite each one so that every word is said by the evidence it cites (keep its figures, names and quotes "
        "exactly), or give an empty text to drop it. Answer with JSON only:",
        '{"sentences": [{"id": 1, "text": "...", "sources": [2], "evidence": ["2.3"]}]}',
        "",
    ]
    for n, check in enumerate(held, start=1):
        lines.append(f"Sentence {n}: {check.text}")
        lines.append(f"  Not in the cited sentences: {', '.join(check.unaccounted)}")
        near = next((a["evidence"] for a in check.atoms if a.get("evidence")), None)
        if near is None and check.evidence:
            e = check.evidence[0]
            near = {"item_id": e.item_id, "start": e.start, "text": e.text}
        if near is not None:
            where = ids.get((near["item_id"], near["start"])) or str(numbers.get(near["item_id"], "?"))
            lines.append(f"  Nearest evidence [{where}]: {' '.join(near['text'].split())}")
    return "\n".join(lines)


def _unfenced(text: str) -> str:
    text = text.strip()
    return re.sub(r"^```(?:json)?\s*|\s*```$", "", text) if text.startswith("```") else text


def _retry_after(response: Any, default: float) -> float:
    from newsdesk.infra.http import parse_retry_after

    value = parse_retry_after(response.headers.get("retry-after")) if response is not None else None
    return default if value is None else value


def _message(exc: Exception) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        return str(body.get("message") or body.get("error") or body)[:200]
    return str(exc)[:200]


def make_writer(settings: Settings, newsroom: Path | None = None) -> LLMWriter:
    return LLMWriter(settings, newsroom)


__all__ = [
    "BudgetExceeded",
    "EndpointUnreachable",
    "LLMArticle",
    "LLMWriter",
    "StoryFailed",
    "Usage",
    "parse_answer",
    "passages_for",
    "prompt_for",
    "to_article",
]
