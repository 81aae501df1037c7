"""Write stage: an article for every story worth one.

Contract: ``write_articles(store, settings)`` reads stories at or above ``write.min_tier``
with their items, asks the configured writer (``Writer`` below) for an ``Article`` whose
every sentence carries citations with character spans into the cited items' stored text,
and stores it as a new version only when it differs from the story's latest version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from newsdesk.config import ConfigError, Settings
from newsdesk.progress import NullProgress, Progress
from newsdesk.records import TIERS, Article, Story
from newsdesk.store import Store, utcnow


class Writer(Protocol):
    name: str

    def write(self, story: Story) -> Article | None:
        """An article for the story, or None when its sources give too little to write."""


@dataclass
class WriteReport:
    considered: int = 0
    written: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0


class WriterConfigError(ConfigError):
    """write.backend names a writer that cannot be loaded."""


def make_writer(settings: Settings) -> Writer:
    backend = settings.write.backend
    if backend == "extractive":
        from newsdesk.write.extractive import ExtractiveWriter

        return ExtractiveWriter(settings.write, settings.verify)
    # A plugin: "package.module:factory" (how the LLM writer and custom writers plug in).
    import importlib

    module_name, _, factory_name = backend.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), factory_name or "make_writer")
    except (ImportError, AttributeError) as exc:
        raise WriterConfigError(f"write.backend = {backend!r}: cannot load it ({exc}); use \"extractive\" "
                                "or \"package.module:factory\"") from None
    return factory(settings)


def write_articles(store: Store, settings: Settings, progress: Progress | None = None) -> WriteReport:
    progress = progress or NullProgress()
    writer = make_writer(settings)
    wanted = set(TIERS[: TIERS.index(settings.write.min_tier) + 1])
    stories = [s for s in store.stories() if s.tier in wanted]
    report = WriteReport(considered=len(stories))
    written = store.article_state()
    task = progress.task("Writing articles", total=len(stories))
    for story in stories:
        last = written.get(story.id)
        # No item joined since the last version, and the tier and the writer hold: nothing to rewrite.
        if (last is not None and story.updated_at is not None and last[0] >= story.updated_at
                and last[1:] == (story.tier, writer.name)):
            report.unchanged += 1
            task.advance()
            continue
        article = writer.write(story)
        task.advance()
        if article is None:
            report.skipped += 1
            continue
        outcome = store.save_article(article, utcnow())
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report
