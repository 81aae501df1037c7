"""``newsdesk watch``: the newsroom always on, in one process.

Each tick reads the sources that are due (each on its own schedule: ``sources/schedule.py``),
clusters what arrived, and runs the downstream stages only for the stories that changed — the
same stage contract as ``newsdesk run``, with per-source and per-story scopes — then publishes
once if anything changed. Between ticks it sleeps until the next source is due (at most
``[watch] tick_seconds``). A stop request (SIGINT, SIGTERM) is honoured between units: the
stage in progress finishes, nothing is left half-written.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from newsdesk.pipeline import Newsroom, NewsroomBusy, run
from newsdesk.progress import NullProgress, Progress
from newsdesk.stages import Scope
from newsdesk.store import utcnow

DOWNSTREAM = ("enrich", "write", "verify", "media")


@dataclass
class Tick:
    """What one tick did."""

    at: datetime
    sources: int = 0
    new_items: int = 0
    stories: int = 0
    published: bool = False
    busy: bool = False
    newsletter: str = ""
    waiting: int = 0  # due sources held back by the per-host cap, read next round
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        if self.busy:
            return f"{self.at:%H:%M:%S} another run holds the newsroom; trying again next tick"
        if not self.sources and not self.newsletter and not self.errors and not self.waiting:
            return f"{self.at:%H:%M:%S} nothing due"
        said = f"{self.at:%H:%M:%S} {self.sources} sources read, {self.new_items} new items, {self.stories} stories changed"
        if self.waiting:
            said += f" ({self.waiting} more wait for their host's per-minute cap)"
        if self.published:
            said += ", site published"
        if self.newsletter:
            said += f"; {self.newsletter}"
        if self.errors:
            said += f"; {len(self.errors)} errors: " + "; ".join(self.errors[:3])
        return said


def tick(newsroom: Newsroom, stop: threading.Event | None = None, progress: Progress | None = None) -> Tick:
    """One pass over what is due now: sources, then the day's newsletter issue."""
    progress = progress or NullProgress()
    result = Tick(at=utcnow())
    _sources(newsroom, result, stop, progress)
    if not result.busy and not (stop is not None and stop.is_set()):
        _newsletter(newsroom, result, progress)
    return result


def _sources(newsroom: Newsroom, result: Tick, stop: threading.Event | None, progress: Progress) -> None:
    from newsdesk.sources.schedule import sources_to_read

    started = result.at
    due, result.waiting = sources_to_read(newsroom.store, started, newsroom.settings.watch.per_host_per_minute)
    if not due:
        return
    try:
        ingested = run(newsroom, ("ingest",), progress, Scope(source_ids=frozenset(due))).ingest
        result.sources = len(due)
        if ingested is not None:
            result.new_items = ingested.new
            result.errors += [f"{s.name}: {s.error}" for s in ingested.failed_sources]
        if stop is not None and stop.is_set():
            return
        run(newsroom, ("stories",), progress)
        changed = newsroom.store.stories_touched_since(started)
        result.stories = len(changed)
        if changed and not (stop is not None and stop.is_set()):
            run(newsroom, DOWNSTREAM, progress, Scope(story_ids=frozenset(changed)))
            run(newsroom, ("publish",), progress)
            result.published = True
    except NewsroomBusy:
        result.busy = True


def _newsletter(newsroom: Newsroom, result: Tick, progress: Progress) -> None:
    """``[newsletter] daily_at``: today's issue built (and published) when due, then sent to whoever
    it has not reached — a send a crash cut short is finished on a later tick."""
    import smtplib

    from newsdesk.newsletter import deliver_if_due

    try:
        said = deliver_if_due(
            newsroom.store, newsroom.settings, newsroom.path, after_build=lambda: run(newsroom, ("publish",), progress)
        )
    except NewsroomBusy:
        result.busy = True
        return
    except (OSError, smtplib.SMTPException, ValueError) as exc:
        result.errors.append(f"newsletter: {exc}")
        return
    if said:
        result.newsletter = said


def watch(
    newsroom: Newsroom,
    stop: threading.Event,
    report: Callable[[Tick], None],
    *,
    now: Callable[[], datetime] = utcnow,
    max_ticks: int | None = None,
) -> int:
    """Tick until ``stop`` is set (or ``max_ticks`` ticks); returns the number of ticks."""
    ticks = 0
    tick_seconds = newsroom.settings.watch.tick_seconds
    while not stop.is_set() and (max_ticks is None or ticks < max_ticks):
        done = tick(newsroom, stop)
        report(done)
        ticks += 1
        due = newsroom.store.next_due_at()
        wait = tick_seconds if due is None else min(tick_seconds, max(1.0, (due - now()).total_seconds()))
        if done.waiting:  # sources held back by their host's cap: look again when the minute moves on
            wait = max(wait, min(tick_seconds, 10.0))
        stop.wait(wait)
    return ticks
