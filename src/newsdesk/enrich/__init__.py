"""Enrich stage: figures about the models, datasets and repositories a story mentions.

Contract: ``enrich_stories(store, settings)`` reads the open stories that may get an article
(``write.min_tier`` and above), finds mentions of Hugging Face models and datasets and GitHub
repositories in their outlets' reports (``mentions.py``), reads downloads, likes, stars, forks,
the last release and the licence from the Hub and GitHub APIs (``sources.py``), and stores
them as facts (subject, metric, value, as-of time, source URL); it also reads every outlet
report's sentences into typed facts (``newsdesk.facts``: subject, measure, value, unit, time,
spans) and stores them with the item they came from (``item_facts``). Each subject's facts are also
stated in plain sentences as one citable item of a "Hugging Face Hub" or "GitHub" source in
the story, so writers cite them like any source ("[5] Hugging Face Hub — owner/name —
downloads, likes, as of DATE") and verification checks them like any claim. A subject whose
figures have not changed since the last run adds nothing: re-running is harmless.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from newsdesk.config import Settings
from newsdesk.enrich.mentions import Mention, find_mentions
from newsdesk.progress import NullProgress, Progress
from newsdesk.records import Fact, NewItem, Story, tiers_from
from newsdesk.stages import Context, Scope, StageReport
from newsdesk.store import Store, utcnow

FACT_SOURCES = {"hf": ("facts:huggingface", "Hugging Face Hub"), "github": ("facts:github", "GitHub")}
NOUN = {"hf_model": "model", "hf_dataset": "dataset", "github_repo": "repository"}


@dataclass
class EnrichReport(StageReport):
    stories: int = 0
    subjects: int = 0  # distinct models, datasets and repositories found with figures
    facts_added: int = 0
    unchanged: int = 0
    not_found: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: int = 0
    sentence_facts: int = 0  # typed facts read from outlets' sentences (``newsdesk.facts``)

    def lines(self) -> list[str]:
        out = [
            f"Enrich: {self.facts_added} facts added, {self.unchanged} subjects unchanged, {self.subjects} models, "
            f"datasets and repositories found in {self.stories} stories, {self.requests} API requests; "
            f"{self.sentence_facts} figures read from outlets' sentences."
        ]
        from rich.markup import escape  # lines are markup; a server's message is text

        out += [f"[red]Enrich error:[/] {escape(problem)}" for problem in self.errors]
        out += [f"[yellow]Enrich: not found or private:[/] {escape(gone)}" for gone in self.not_found]
        return out


class EnrichStage:
    name = "enrich"

    def run(self, ctx: Context) -> EnrichReport:
        return enrich_stories(ctx.store, ctx.settings, cache_path=ctx.cache_path, progress=ctx.progress, scope=ctx.scope)


def statements(facts: list[Fact]) -> str:
    """The facts of one subject as plain sentences; each sentence names the subject and the date."""
    by = {f.metric: f for f in facts}
    first = facts[0]
    kind, subject, day = first.kind, first.subject, f"{first.as_of:%-d %B %Y}"
    noun = NOUN[kind]
    out = []
    if kind == "github_repo":
        if "stars" in by and "forks" in by:
            out.append(
                f"The GitHub repository {subject} had {by['stars'].value} stars and {by['forks'].value} forks as of {day}."
            )
        elif "stars" in by:
            out.append(f"The GitHub repository {subject} had {by['stars'].value} stars as of {day}.")
        if "last_release" in by:
            tag, _, when = by["last_release"].value.partition(" (")
            out.append(
                f"The latest release of {subject} on GitHub is {tag}"
                + (f", published on {_day(when.rstrip(')'))}." if when else ".")
            )
        if "licence" in by:
            out.append(f"The repository {subject} is published under the {by['licence'].value} licence, according to GitHub.")
    else:
        if "downloads" in by:
            out.append(
                f"The {noun} {subject} had {by['downloads'].value} downloads on the Hugging Face Hub in the 30 days to {day}."
            )
        if "likes" in by:
            out.append(f"The {noun} {subject} had {by['likes'].value} likes on the Hugging Face Hub as of {day}.")
        if "licence" in by:
            out.append(
                f"The {noun} {subject} is published under the {by['licence'].value} licence, according to the Hugging Face Hub."
            )
    return " ".join(out)


def _day(iso: str) -> str:
    try:
        return f"{datetime.fromisoformat(iso):%-d %B %Y}"
    except ValueError:
        return iso


def enrich_stories(
    store: Store,
    settings: Settings,
    *,
    cache_path: Path | None = None,
    progress: Progress | None = None,
    scope: Scope | None = None,
) -> EnrichReport:
    report = asyncio.run(_enrich(store, settings, cache_path, progress or NullProgress(), scope or Scope()))
    report.sentence_facts = read_sentence_facts(store, settings, scope or Scope())
    return report


def read_sentence_facts(store: Store, settings: Settings, scope: Scope) -> int:
    """Typed facts (subject, measure, value, unit, time, spans) of every outlet report of the
    stories that may get an article, read once per item and stored with the item they came
    from. Returns how many were read."""
    from newsdesk.facts import text_facts

    wanted = tiers_from(settings.write.min_tier)
    now = utcnow().replace(microsecond=0)
    read = 0
    for story in store.stories(status="open"):
        if story.tier not in wanted or not scope.wants_story(story.id):
            continue
        done = store.items_read_for_facts(story.id)
        with store.begin() as conn:
            for item in story.items:
                if item.id in done or not item.is_outlet_report or not item.text.strip():
                    continue
                found = list(text_facts(item.text))
                store.save_item_facts(story.id, item.id, found, now, conn=conn)
                read += len(found)
    return read


def _story_text(story: Story) -> str:
    reports = [i for i in story.items if i.is_outlet_report]
    return "\n\n".join(f"{i.url}\n{i.title}\n{i.text}" for i in reports)


async def _enrich(store: Store, settings: Settings, cache_path: Path | None, progress: Progress, scope: Scope) -> EnrichReport:
    from newsdesk.enrich.sources import DataSources, LookupFailed, NotFound, RateLimited
    from newsdesk.infra.http import Fetcher

    report = EnrichReport()
    if not settings.enrich.enabled:
        return report
    wanted = tiers_from(settings.write.min_tier)
    stories = [s for s in store.stories(status="open") if s.tier in wanted and scope.wants_story(s.id)]
    report.stories = len(stories)
    task = progress.task("Enriching with Hub and GitHub figures", total=len(stories))
    now = utcnow().replace(microsecond=0)
    async with Fetcher(settings.http, cache_path) as fetcher:
        data = DataSources(settings.enrich, fetcher)
        lookups: dict[tuple[str, str], asyncio.Task[Any]] = {}  # one lookup per subject per run, shared by stories

        async def facts_of(m: Mention) -> list[Fact]:
            """Figures for one mention; a bare form is tried on the Hub first, then on GitHub."""
            if m.kind == "hf_name":
                found = await data.hub_search(m.subject)
                return await data.hub_facts("hf_model", found, now) if found else []
            kinds = ["hf_model", "github_repo"] if m.kind == "hub_or_github" else [m.kind]
            for kind in kinds:
                try:
                    return await (
                        data.github_facts(m.subject, now) if kind == "github_repo" else data.hub_facts(kind, m.subject, now)
                    )
                except NotFound:
                    if kind == kinds[-1]:
                        raise
            return []

        def lookup(m: Mention) -> asyncio.Task[Any]:
            key = (m.kind, m.subject.lower())
            if key not in lookups:
                lookups[key] = asyncio.ensure_future(facts_of(m))
            return lookups[key]

        async def one(story: Story) -> tuple[Story, list[list[Fact]]]:
            mentions = find_mentions(_story_text(story))[: settings.enrich.max_lookups_per_story]
            results = await asyncio.gather(*(lookup(m) for m in mentions), return_exceptions=True)
            found: dict[tuple[str, str], list[Fact]] = {}
            for m, result in zip(mentions, results):
                if isinstance(result, NotFound):
                    if m.explicit:  # a linked model or repository that is gone or private is worth saying
                        report.not_found.append(f"story {story.id}: {result}")
                elif isinstance(result, RateLimited):
                    if str(result) not in report.errors:
                        report.errors.append(str(result))
                elif isinstance(result, LookupFailed):
                    report.errors.append(f"story {story.id}: {result}")
                elif isinstance(result, BaseException):
                    raise result
                elif result:
                    found[(result[0].kind, result[0].subject.lower())] = result
            task.advance()
            return story, list(found.values())

        done = await asyncio.gather(*(one(s) for s in stories))
        report.requests = data.requests
    _store_facts(store, done, report)
    report.subjects = len({(fs[0].kind, fs[0].subject) for _, found in done for fs in found})
    return report


def _store_facts(store: Store, done: list[tuple[Story, list[list[Fact]]]], report: EnrichReport) -> None:
    source_ids = {key: store.add_source(url, kind="facts", name=name)[0].id for key, (url, name) in FACT_SOURCES.items()}
    with store.begin() as conn:
        for story, found in done:
            touched = False
            for facts in found:
                first = facts[0]
                if store.latest_fact_values(story.id, first.kind, first.subject, conn=conn) == {f.metric: f.value for f in facts}:
                    report.unchanged += 1
                    continue
                item_id = store.insert_item(
                    _fact_item(facts, source_ids), minhash=None, duplicate_of=None, conn=conn, story_id=story.id
                )
                if item_id is None:
                    report.unchanged += 1
                    continue
                store.save_facts(story.id, item_id, facts, conn=conn)
                report.facts_added += len(facts)
                touched = True
            if touched:  # the writer rewrites stories that changed since their last article
                store.mark_story_updated(story.id, conn=conn)


def _fact_item(facts: list[Fact], source_ids: dict[str, int]) -> NewItem:
    first = facts[0]
    source_key = "github" if first.kind == "github_repo" else "hf"
    outlet = FACT_SOURCES[source_key][1]
    digest = hashlib.sha256("|".join(f"{f.metric}={f.value}" for f in facts).encode()).hexdigest()[:12]
    metrics = ", ".join(f.metric.replace("_", " ") for f in facts)
    page = next((f.source_url for f in facts if f.metric != "last_release"), first.source_url)
    return NewItem(
        source_id=source_ids[source_key],
        guid=f"{first.kind}:{first.subject}:{digest}:{first.as_of.isoformat()}",
        url=page,
        canonical_url=page,
        outlet=outlet,
        title=f"{first.subject} — {metrics}, as of {first.as_of:%-d %B %Y}",
        summary="",
        text=statements(facts),
        text_origin="fact",
        author=None,
        published_at=first.as_of,
        fetched_at=first.as_of,
        meta={"subject": f"{first.kind}:{first.subject}", "kind": first.kind},
    )


__all__ = ["EnrichReport", "enrich_stories", "read_sentence_facts", "statements"]
