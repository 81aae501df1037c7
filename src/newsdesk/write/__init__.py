"""Write stage: an article for every story worth one.

Contract: ``write_articles(store, settings)`` reads stories at or above ``write.min_tier``
with their items, asks the configured writer (``Writer`` below) for an ``Article`` whose
every sentence carries citations with character spans into the cited items' stored text,
and stores it as a new version only when it differs from the story's latest version.

Writers: ``extractive`` (no model, ``extractive.py``), ``llm`` (any OpenAI-compatible endpoint,
``llm.py``), or a plugin. A writer may raise ``StoryFailed`` (that story keeps its previous
version; reported), ``EndpointUnreachable`` (reported once; the rest fall back to the extractive
writer only if ``llm.fallback = "extractive"``) or ``BudgetExceeded`` (writing stops; reported).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from newsdesk.config import ConfigError, Settings
from newsdesk.progress import NullProgress, Progress
from newsdesk.records import Article, Story, tiers_from
from newsdesk.stages import Context, Scope, StageReport
from newsdesk.store import Store, utcnow
from newsdesk.text.markup import escape


class Writer(Protocol):
    name: str

    def write(self, story: Story) -> Article | None:
        """An article for the story, or None when its sources give too little to write."""


@dataclass
class WriteReport(StageReport):
    considered: int = 0
    written: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0  # stories a writer could not write (their previous version stays up)
    errors: list[str] = field(default_factory=list)
    stopped: str | None = None  # why writing stopped early (unreachable endpoint, budget)
    fallback: int = 0  # stories written by the extractive writer because the endpoint was unreachable
    usage: dict[str, Any] | None = None  # LLM totals: calls, attempts, tokens, seconds, cost
    screened: list[str] = field(default_factory=list)  # text addressed to a model, removed before writing

    @property
    def ok(self) -> bool:
        return not self.failed and not self.stopped

    def lines(self) -> list[str]:
        out = [
            f"Write: {self.written} new articles, {self.updated} updated, {self.unchanged} unchanged, {self.skipped} skipped"
            + (f", [red]{self.failed} failed[/]" if self.failed else "")
            + (f", {self.fallback} by the extractive fallback" if self.fallback else "")
            + f" ({self.considered} stories at or above the configured tier)."
        ]
        if self.usage and self.usage["calls"]:
            u, done = self.usage, max(1, self.written + self.updated)
            cost = f", cost {u['cost']:.4f}" if u["cost"] is not None else ""
            out.append(
                f"LLM: {u['calls']} calls ({u['calls'] / done:.1f} per article written; {u['attempts']} HTTP attempts), "
                f"{u['prompt_tokens']:,} prompt + {u['completion_tokens']:,} completion tokens, "
                f"{u['seconds']:.1f} s{cost}."
            )
        if self.screened:
            out.append(
                f"[yellow]Screened:[/] {len(self.screened)} passages addressed to a model were removed from the "
                "sources before writing (never sent, never evidence):"
            )
            out += ["  " + escape(text) for text in self.screened[:5]]
        out += [f"[red]Write error:[/] {escape(problem)}" for problem in self.errors]
        if self.stopped:
            out.append(f"[red]Writing stopped:[/] {escape(self.stopped)}. Articles already published stay up.")
        return out


class WriteStage:
    name = "write"

    def run(self, ctx: Context) -> WriteReport:
        return write_articles(ctx.store, ctx.settings, progress=ctx.progress, newsroom=ctx.path, scope=ctx.scope)


class WriterConfigError(ConfigError):
    """write.backend names a writer that cannot be loaded."""


def make_writer(settings: Settings, newsroom: Path | None = None) -> Writer:
    backend = settings.write.backend
    if backend == "extractive":
        from newsdesk.write.extractive import ExtractiveWriter

        return ExtractiveWriter(settings.write, settings.verify)
    if backend == "llm":
        from newsdesk.write.llm import LLMWriter

        return LLMWriter(settings, newsroom)
    # A plugin: "package.module:factory" (how the LLM writer and custom writers plug in).
    import importlib

    module_name, _, factory_name = backend.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), factory_name or "make_writer")
    except (ImportError, AttributeError) as exc:
        raise WriterConfigError(
            f'write.backend = {backend!r}: cannot load it ({exc}); use "extractive" or "package.module:factory"'
        ) from None
    writer: Writer = factory(settings)
    return writer


def write_articles(
    store: Store, settings: Settings, progress: Progress | None = None, newsroom: Path | None = None, scope: Scope | None = None
) -> WriteReport:
    from newsdesk.write.llm import BudgetExceeded, EndpointUnreachable, StoryFailed

    progress = progress or NullProgress()
    writer = make_writer(settings, newsroom)
    wanted = tiers_from(settings.write.min_tier)
    scope = scope or Scope()
    stories = [s for s in store.stories() if s.tier in wanted and scope.wants_story(s.id)]
    report = WriteReport(considered=len(stories))
    written = store.article_state()
    task = progress.task("Writing articles", total=len(stories))
    todo = []
    for story in stories:
        last = written.get(story.id)
        # No item joined since the last version, and the tier and the writer hold: nothing to rewrite.
        if (
            last is not None
            and story.updated_at is not None
            and last[0] >= story.updated_at
            and last[1:] == (story.tier, writer.name)
        ):
            report.unchanged += 1
            task.advance()
        else:
            todo.append(story)
    fallback: Writer | None = None
    fallback_lock = threading.Lock()

    def attempt(story: Story) -> tuple[Article | None, str | None]:
        """(article or None, error); raises what stops the whole stage."""
        nonlocal fallback
        if fallback is not None:
            report.fallback += 1
            return fallback.write(story), None
        try:
            return writer.write(story), None
        except StoryFailed as exc:
            return None, f"story {story.id} ({story.title[:60]}): {exc}"
        except EndpointUnreachable as exc:
            if settings.write.backend == "llm" and settings.llm.fallback == "extractive":
                with fallback_lock:  # writer threads may all find the endpoint gone at once: say it once
                    if fallback is None:
                        from newsdesk.write.extractive import ExtractiveWriter

                        fallback = ExtractiveWriter(settings.write, settings.verify)
                        report.errors.append(f"{exc}; writing with the extractive writer instead (llm.fallback)")
                    report.fallback += 1
                return fallback.write(story), None
            raise

    def save(story: Story, outcome: tuple[Article | None, str | None]) -> None:
        article, error = outcome
        task.advance()
        if error:
            report.failed += 1
            report.errors.append(error)
        elif article is None:
            report.skipped += 1
        else:
            result = store.save_article(article, utcnow())
            setattr(report, result, getattr(report, result) + 1)

    try:
        concurrency = getattr(writer, "concurrency", 1)
        if concurrency > 1 and len(todo) > 1:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=concurrency) as pool:
                futures = [(story, pool.submit(attempt, story)) for story in todo]
                stop: Exception | None = None
                for story, future in futures:
                    try:
                        save(story, future.result())
                    except (BudgetExceeded, EndpointUnreachable) as exc:
                        stop = stop or exc
                if stop is not None:
                    raise stop
        else:
            for story in todo:
                save(story, attempt(story))
    except (BudgetExceeded, EndpointUnreachable) as exc:
        report.stopped = str(exc)
    report.screened = list(dict.fromkeys(getattr(writer, "screened", [])))
    usage = getattr(writer, "usage", None)
    if usage is not None:
        report.usage = usage.as_dict()
    return report
