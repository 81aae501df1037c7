"""Stories stage: group items about the same event into stories, then rank them.

Contract: ``build_stories(store, settings)`` reads items with no story and the open
stories; it assigns every new item to an open story or a new one (copies follow their
original, replies the post they answer; enrichment facts arrive already in their story), closes stories quiet for longer than ``stories.quiet_hours``, and re-ranks the
open stories (``rank.py``). Items already in a story never move, so re-running is a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from newsdesk.config import Settings, StorySettings
from newsdesk.progress import NullProgress, Progress
from newsdesk.records import Item
from newsdesk.stages import Context, StageReport
from newsdesk.store import Store, utcnow
from newsdesk.stories.cluster import NEW, ClusterParams, continued_story, incremental


@dataclass
class StoriesReport(StageReport):
    items_assigned: int = 0
    created: int = 0
    updated: int = 0
    closed: int = 0
    ranked: int = 0
    removed_empty: int = 0
    reopened: int = 0  # closed stories that new items continue (``cluster.continued_story``)
    copies_redecided: int = 0  # items whose original changed when copies were decided in publication order

    def lines(self) -> list[str]:
        lines = [
            f"Stories: {self.created} created, {self.updated} updated, {self.closed} closed, "
            f"{self.items_assigned} items assigned, {self.ranked} open stories ranked."
        ]
        if self.reopened:
            lines.append(f"Stories: {self.reopened} closed stories reopened by later items naming their actors and figures.")
        if self.removed_empty:
            lines.append(f"Stories: {self.removed_empty} empty stories removed (left by an interrupted or concurrent run).")
        return lines


class StoriesStage:
    """Clustering and ranking work on the whole open window: the scope does not narrow them."""

    name = "stories"

    def run(self, ctx: Context) -> StoriesReport:
        return build_stories(ctx.store, ctx.settings, progress=ctx.progress)


def item_text(item: Item, words: int) -> str:
    return cluster_text(item.title, item.text, words)


def cluster_text(title: str, text: str, words: int) -> str:
    """What clustering sees: the title plus the start of the text (the lead carries the event),
    page furniture left out: an archive's notice or a share bar is the same on pages about
    different events, and would join them."""
    from newsdesk.text.quality import without_furniture

    # Read up to a few times the words kept (furniture at the top must not crowd out the lead;
    # about six characters a word), line breaks kept: they end a menu's or a caption's lines.
    return title + "\n" + " ".join(without_furniture(text[: 24 * words], words).split()[:words])


def event_labels(reports: list[tuple[str, str]]) -> list[int]:
    """Which of one story's reports (title, text) the clusterer, with default settings, holds to
    be one event, judged on their text alone: a label per report. Inside one story the relative
    rules see no other stories, so a report of another event of the same kind that the whole
    batch let in stands apart. Asked by the writer (``write.extractive.outlier_docs``)."""
    defaults = StorySettings()
    texts = [cluster_text(title, text, defaults.text_words).strip() for title, text in reports]
    n = len(texts)
    labels: list[int] = incremental(texts, np.zeros(n), np.full(n, NEW), _params(defaults)).tolist()
    return labels


def params_from(settings: Settings) -> ClusterParams:
    return _params(settings.stories)


def _params(s: StorySettings) -> ClusterParams:
    return ClusterParams(
        neighbours=s.neighbours,
        edge_min=s.edge_min,
        resolution=s.resolution,
        merge_min=s.merge_min,
        detach_min=s.detach_min,
        max_gap_hours=s.quiet_hours,
        link_min=s.link_min,
        contrast=s.contrast,
        cohesion=s.cohesion,
    )


def _decide_copies(store: Store, settings: Settings) -> int:
    """Copies among the items about to be clustered, decided again in publication order (see
    ``dedup.copies_in_publication_order``). An item that copies one already in a story keeps it:
    that original was stored, and clustered, before the batch."""
    from newsdesk.dedup import copies_in_publication_order

    rows = store.unclustered_signatures()
    if len(rows) < 2:
        return 0
    ids = {i for i, _, _ in rows}
    batch = [(i, m) for i, m, d in rows if d is None or d in ids]
    items = store.items_by_id(i for i, _ in batch)
    batch = [row for row in batch if items[row[0]].origin != "fact"]
    batch.sort(key=lambda row: (items[row[0]].when, items[row[0]].source_id, items[row[0]].guid))
    return store.set_duplicates(copies_in_publication_order(batch, settings.dedup))


def _continued(
    store: Store, settings: Settings, originals: list[Item], labels: list[int], existing: set[int], now: datetime
) -> dict[int, int]:
    """New story label -> the closed story it continues (a trial, a deal, an outage that went
    quiet longer than ``quiet_hours``), among stories closed within ``reopen_days``."""
    groups: dict[int, list[Item]] = {}
    for item, label in zip(originals, labels):
        if label not in existing:
            groups.setdefault(label, []).append(item)
    if not groups or settings.stories.reopen_days <= 0:
        return {}
    since = now - timedelta(days=settings.stories.reopen_days)
    closed = [s.id for s in store.stories(with_items=False, status="closed") if s.last_seen >= since]
    if not closed:
        return {}
    by_story: dict[int, list[Item]] = {}
    for i in store.items_of_stories(closed):
        if i.story_id is not None and i.is_outlet_report:
            by_story.setdefault(i.story_id, []).append(i)
    ids = sorted(by_story)
    words = settings.stories.text_words
    old = [[item_text(i, words) for i in by_story[sid]] for sid in ids]
    params = params_from(settings)
    out: dict[int, int] = {}
    for label, items in groups.items():
        k = continued_story([item_text(i, words) for i in items], old, params)
        if k is not None:
            out[label] = ids[k]
    return out


def build_stories(store: Store, settings: Settings, progress: Progress | None = None) -> StoriesReport:
    from newsdesk.stories.rank import rank_open_stories

    progress = progress or NullProgress()
    report = StoriesReport()
    now = utcnow()
    report.removed_empty = store.remove_empty_stories()
    report.closed = store.close_stories_quiet_since(now - timedelta(hours=settings.stories.quiet_hours))
    report.copies_redecided = _decide_copies(store, settings)
    new_items = store.items_without_story()
    # In publication order, not storage order: sources are stored as each finishes, so ids follow
    # network timing; the same items must make the same stories whatever the order they arrived in.
    originals = sorted((i for i in new_items if i.is_outlet_report), key=lambda i: (i.when, i.source_id, i.guid))
    followers = [i for i in new_items if not i.is_outlet_report]
    window = [i for i in store.items_of_stories(store.open_story_ids()) if i.is_outlet_report]
    task = progress.task("Clustering into stories", total=len(originals))
    rows = window + originals
    if originals:
        texts = [item_text(i, settings.stories.text_words) for i in rows]
        hours = np.array([i.when.timestamp() / 3600.0 for i in rows])
        fixed = np.array([i.story_id for i in window] + [NEW] * len(originals), dtype=np.int64)
        # An item with no date of its own (from its feed or its text) sits at its fetch time,
        # which bounds it only from above: no time gap is held against it.
        dated = np.array([i.published_at is not None for i in rows])
        labels = incremental(texts, hours, fixed, params_from(settings), on_chunk=task.advance, dated=dated)
    else:
        labels = np.array([], dtype=np.int64)
    story_of: dict[int, int] = {i.id: i.story_id for i in window if i.story_id is not None}
    existing = {i.story_id for i in window if i.story_id is not None}
    continued = _continued(store, settings, originals, labels[len(window) :].tolist(), existing, now)
    with store.begin() as conn:
        for sid in set(continued.values()):
            store.reopen_story(sid, conn=conn)
        existing |= set(continued.values())
        created: dict[int, int] = {}
        members: dict[int, list[Item]] = {}
        for item, label in zip(originals, labels[len(window) :].tolist()):
            label = continued.get(label, label)
            if label not in existing and label not in created:
                created[label] = store.create_story(item.when, item.when, item.title, conn=conn)
            sid = label if label in existing else created[label]
            members.setdefault(sid, []).append(item)
            story_of[item.id] = sid
        for follower in followers:
            leader = follower.duplicate_of or follower.parent_id
            found = (story_of.get(leader) if leader is not None else None) or (
                store.story_of_item(leader, conn=conn) if leader else None
            )
            if found is None:  # the original predates stories (should not happen): stand alone
                found = store.create_story(follower.when, follower.when, follower.title, conn=conn)
                created[-follower.id] = found
            members.setdefault(found, []).append(follower)
        window_by_story: dict[int, list[Item]] = {}
        for i in window:
            if i.story_id is not None:
                window_by_story.setdefault(i.story_id, []).append(i)
        for sid, added in members.items():
            store.assign_items(sid, [i.id for i in added], conn=conn)
            everything = window_by_story.get(sid, []) + added
            first = min(everything, key=lambda i: i.when)
            store.touch_story(sid, first_seen=first.when, last_seen=max(i.when for i in everything), title=first.title, conn=conn)
        report.items_assigned = len(new_items)
        report.created = len(created)
        report.updated = len([sid for sid in members if sid in existing])
        report.reopened = len(set(continued.values()))
    report.ranked = rank_open_stories(store, settings, now)
    return report
