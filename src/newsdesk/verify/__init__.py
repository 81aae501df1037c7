"""Verify stage: no claim is published that its cited sources do not support.

Contract: ``verify_articles(store, settings)`` reads every article version that has no
verification yet, checks each claim (a sentence and its citations) against the items it
cites and only those (``checks.py``), applies the policy in ``[verify]``, and stores a
verification: each claim's verdict with reasons and evidence spans, ALCE citation recall and
precision, and the article as it may be published (failed claims removed and the article
re-checked), or "held". Publish shows only what a verification allows.

The headline and every section heading are claims too: a headline its cited sources do not
support is replaced by a cited source's own title, an unsupported heading's section joins the
one before it (both reported in the verification's summary).

An optional ``Judge`` (the newsroom's LLM, for instance) may settle REVIEW claims: it may move
one to FAIL, and to PASS only when no check found anything unaccounted (``ClaimCheck.locked``);
it never overrules a content-word, name, date, quote or figure finding. The product is correct
without one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from newsdesk.config import Settings
from newsdesk.progress import NullProgress, Progress
from newsdesk.records import (
    Article,
    ArticleSentence,
    Citation,
    ClaimCheck,
    Evidence,
    Item,
    Reference,
    Section,
    VerificationRecord,
)
from newsdesk.stages import Context, Scope, StageReport
from newsdesk.store import Store, utcnow
from newsdesk.text.markup import escape
from newsdesk.text.names import without_outlet_suffix
from newsdesk.text.quality import is_side_angle
from newsdesk.verify.checks import FAIL, PASS, REVIEW, ClaimChecker


class Judge(Protocol):
    def judge(self, claim: str, evidence: list[Evidence]) -> str | None:
        """PASS, FAIL, or None to leave the claim in REVIEW."""


@dataclass
class Verification:
    story_id: int
    version: int
    status: str  # "publish" or "held"
    claims: list[ClaimCheck]
    published: Article | None
    citation_recall: float
    citation_precision: float
    removed: int
    held_reason: str | None = None
    labels: dict[str, Any] = field(default_factory=dict[str, Any])  # headline and heading checks: what was replaced, and why

    @property
    def counts(self) -> dict[str, int]:
        return {v: sum(1 for c in self.claims if c.verdict == v) for v in (PASS, FAIL, REVIEW)}

    def summary(self) -> dict[str, Any]:
        return {
            "checked": len(self.claims),
            **self.counts,
            "removed": self.removed,
            "citation_recall": self.citation_recall,
            "citation_precision": self.citation_precision,
            "status": self.status,
            "held_reason": self.held_reason,
            **self.labels,
        }


@dataclass
class VerifyReport(StageReport):
    articles: int = 0
    claims: int = 0
    passed: int = 0
    failed: int = 0
    review: int = 0
    removed: int = 0
    held: int = 0
    judge_calls: int = 0
    judge_tokens: int = 0
    headlines_replaced: int = 0
    headings_replaced: int = 0
    errors: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"Verify: {self.articles} article versions, {self.claims} claims: {self.passed} passed, {self.failed} failed, "
            f"{self.review} to review; {self.removed} removed, {self.held} articles held"
            + (f"; {self.judge_calls} entailment judge calls ({self.judge_tokens:,} tokens)" if self.judge_calls else "")
            + (
                f"; {self.headlines_replaced} headlines and {self.headings_replaced} headings replaced (unsupported)"
                if self.headlines_replaced or self.headings_replaced
                else ""
            )
            + "."
        ]
        return out + [f"[yellow]Verify:[/] {escape(problem)}" for problem in self.errors]


class VerifyStage:
    name = "verify"

    def run(self, ctx: Context) -> VerifyReport:
        # The writer's LLM tokens this run, so the judge keeps within the same budget.
        usage = getattr(ctx.earlier.get("write"), "usage", None) or {}
        spent = int(usage.get("prompt_tokens", 0)) + int(usage.get("completion_tokens", 0))
        return verify_articles(ctx.store, ctx.settings, progress=ctx.progress, tokens_spent=spent, scope=ctx.scope)


def settle_by_judge(check: ClaimCheck, judge: Judge) -> None:
    """A REVIEW claim put to the judge, once: its FAIL always stands; its PASS only where no
    locked finding stands (a figure, name, quote, date, negation or modality finding is a FAIL
    the judge never sees; a locked REVIEW stays in review)."""
    if check.verdict != REVIEW:
        return
    decided = judge.judge(check.text, check.evidence)
    if decided == FAIL or (decided == PASS and not check.locked):
        check.verdict = decided
        check.reasons.append(f"entailment judge: {decided}")
    elif decided == PASS:
        check.reasons.append("entailment judge: PASS, not enough: what is unaccounted stays unaccounted")


def review_policy(settings: Settings) -> str:
    """What happens to a claim left in REVIEW: "mark" or "queue" ("auto" resolved by writer)."""
    policy = settings.verify.on_review
    if policy == "auto":
        return "mark" if settings.write.backend == "extractive" else "queue"
    return policy


def verify_article(
    article: Article,
    items: dict[int, Item],
    checker: ClaimChecker,
    settings: Settings,
    judge: Judge | None = None,
    editor_verdicts: dict[str, tuple[str, str]] | None = None,
) -> Verification:
    """``editor_verdicts``: claim text → (verdict, editor) from the desk; an editor's word is final."""
    claims = article.sentences()
    checks = checker.check_all(claims, items)
    by_editor = set()
    for check in checks:
        editor_call = (editor_verdicts or {}).get(check.text)
        if editor_call is not None:
            by_editor.add(check.index)
            check.verdict = editor_call[0]
            check.locked = True
            check.reasons.append(f"{'confirmed' if editor_call[0] == PASS else 'rejected'} by editor {editor_call[1]}")
    if judge is not None:
        for check in checks:
            if check.index not in by_editor:
                settle_by_judge(check, judge)
    supported = sum(1 for c in checks if c.verdict == PASS)
    citations = sum(len(c.citation_support) for c in checks)
    precise = sum(sum(c.citation_support.values()) for c in checks)
    recall = supported / len(checks) if checks else 1.0
    precision = precise / citations if citations else 1.0
    policy = settings.verify
    drop = {c.index for c in checks if c.verdict == FAIL or (c.verdict == REVIEW and review_policy(settings) == "queue")}
    verification = Verification(
        article.story_id, article.version, "publish", checks, None, round(recall, 4), round(precision, 4), removed=len(drop)
    )
    if any(c.verdict == FAIL for c in checks) and policy.on_fail == "hold":
        verification.status, verification.held_reason = "held", 'a claim failed and verify.on_fail = "hold"'
        return verification
    cleaned = _without(article, drop)
    if cleaned is None or len(cleaned.sentences()) < policy.min_sentences:
        verification.status = "held"
        verification.held_reason = f"fewer than {policy.min_sentences} supported sentences remain"
        return verification
    cleaned, verification.labels = _checked_labels(cleaned, items, checker)
    verification.published = cleaned
    return verification


def _checked_labels(article: Article, items: dict[int, Item], checker: ClaimChecker) -> tuple[Article, dict[str, Any]]:
    """The headline and section headings checked as claims; what fails is replaced."""
    cited = [items[r.item_id] for r in article.references if r.item_id in items]
    labels: dict[str, Any] = {}
    headline = article.headline
    check = checker.check_label(headline, cited)
    if check.verdict != PASS:
        # A cited source's own title, the dek's source first, when it passes the same check.
        first = [c.item_id for c in article.dek.citations]
        # Outlets' straight titles first (not a question or an explainer; never a facts item's
        # label), the dek's source first among them.
        ordered = sorted(
            cited,
            key=lambda i: (
                i.origin == "fact",
                is_side_angle(i.title),
                i.id not in first,
                first.index(i.id) if i.id in first else 0,
            ),
        )
        for item in ordered:
            title = without_outlet_suffix(item.title)
            if title and checker.check_label(title, cited).verdict == PASS:
                headline = title
                break
        else:
            headline = article.dek.text
        labels["headline_replaced"] = {"was": article.headline, "now": headline, "reasons": check.reasons}
    sections: list[Section] = []
    replaced = []
    for sec in article.sections:
        section_items = [items[c.item_id] for p in sec.paragraphs for s in p for c in s.citations if c.item_id in items]
        section_items = list({i.id: i for i in section_items}.values())
        check = checker.check_label(sec.heading, section_items)
        if check.verdict == PASS:
            sections.append(sec)
            continue
        replaced.append({"was": sec.heading, "reasons": check.reasons})
        if sections:  # its paragraphs join the section before it
            sections[-1] = Section(sections[-1].heading, sections[-1].paragraphs + sec.paragraphs)
        else:
            sections.append(Section("What happened", sec.paragraphs))
    if replaced:
        labels["headings_replaced"] = replaced
    if not labels:
        return article, labels
    return replace(article, headline=headline, sections=sections), labels


def _without(article: Article, drop: set[int]) -> Article | None:
    """The article without the dropped claims, renumbered; None if nothing coherent remains."""
    sentences = article.sentences()
    keep = [i not in drop for i in range(len(sentences))]
    body_index = 1
    sections = []
    for sec in article.sections:
        paragraphs = []
        for para in sec.paragraphs:
            kept = []
            for s in para:
                if keep[body_index]:
                    kept.append(s)
                body_index += 1
            if kept:
                paragraphs.append(kept)
        if paragraphs:
            sections.append(Section(sec.heading, paragraphs))
    dek = article.dek
    if not keep[0]:
        if not sections:
            return None
        dek = sections[0].paragraphs[0].pop(0)  # the next supported sentence stands first
        if not sections[0].paragraphs[0]:
            sections[0].paragraphs.pop(0)
        if not sections[0].paragraphs:
            sections.pop(0)
    if not sections:
        return None
    # Renumber references by first use among what remains.
    by_item = {r.item_id: r for r in article.references}
    numbering: dict[int, int] = {}

    def renumber(s: ArticleSentence) -> ArticleSentence:
        cites = [Citation(numbering.setdefault(c.item_id, len(numbering) + 1), c.item_id, c.start, c.end) for c in s.citations]
        new_ref = {old.ref: new.ref for old, new in zip(s.citations, cites)}
        attributions = [replace(a, ref=new_ref.get(a.ref, a.ref)) for a in s.attributions]
        return replace(s, citations=cites, attributions=attributions)  # every other field kept (composed)

    dek = renumber(dek)
    sections = [Section(sec.heading, [[renumber(s) for s in p] for p in sec.paragraphs]) for sec in sections]
    references = [
        Reference(n, iid, by_item[iid].outlet, by_item[iid].title, by_item[iid].url, by_item[iid].published)
        for iid, n in sorted(numbering.items(), key=lambda kv: kv[1])
        if iid in by_item
    ]
    return replace(article, dek=dek, sections=sections, references=references)


def verify_articles(
    store: Store,
    settings: Settings,
    progress: Progress | None = None,
    judge: Judge | None = None,
    tokens_spent: int = 0,
    scope: Scope | None = None,
) -> VerifyReport:
    """``tokens_spent``: LLM tokens this run has already used (the writer's), so the judge keeps
    within ``llm.max_tokens_per_run`` too."""
    progress = progress or NullProgress()
    if judge is None and settings.verify.judge == "llm":
        from newsdesk.verify.judge import LLMJudge

        judge = LLMJudge(settings, tokens_spent=tokens_spent)
    scope = scope or Scope()
    pending = [a for a in store.articles_without_verification() if scope.wants_story(a.story_id)]
    checker = ClaimChecker.from_settings(settings.verify)
    report = VerifyReport(articles=len(pending))
    task = progress.task("Verifying claims", total=len(pending))
    for article in pending:
        items = store.items_by_id(c.item_id for s in article.sentences() for c in s.citations)
        v = verify_article(article, items, checker, settings, judge, store.editor_verdicts(article.story_id))
        store.save_verification(VerificationRecord(v.story_id, v.version, v.status, v.summary(), v.claims, v.published, utcnow()))
        counts = v.counts
        report.claims += len(v.claims)
        report.passed += counts[PASS]
        report.failed += counts[FAIL]
        report.review += counts[REVIEW]
        report.removed += v.removed
        report.held += v.status == "held"
        report.headlines_replaced += "headline_replaced" in v.labels
        report.headings_replaced += len(v.labels.get("headings_replaced", []))
        task.advance()
    report.judge_calls = getattr(judge, "calls", 0)
    report.judge_tokens = getattr(judge, "tokens", 0)
    report.errors = list(getattr(judge, "errors", []))
    return report
