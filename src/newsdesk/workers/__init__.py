"""Past one machine: the pipeline as jobs in PostgreSQL (Procrastinate), taken by any number of
``newsdesk worker`` processes on any machine that reaches the database.

Each job is one unit of the stage contract: fetch one source (``ingest`` scoped to it), cluster
what arrived (one at a time, and debounced: a burst of fetches is clustered together), update one story (``enrich`` →
``write`` → ``verify`` → ``media`` scoped to it; a lock per story, so two workers never hold the
same story), and publish (debounced: at most one waiting). Every stage is idempotent (what is
stored is skipped), so a retried job repeats nothing. A worker killed mid-job stops sending
heartbeats; ``newsdesk schedule`` hands its job to another worker after ``[queue]
stalled_seconds``. A job that keeps failing is retried with back-off ``[queue] max_attempts``
times, then left failed (parked) and shown by ``newsdesk status``.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from procrastinate import App, Blueprint, PsycopgConnector, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued

from newsdesk.pipeline import Newsroom, open_newsroom, run_unit
from newsdesk.stages import Scope
from newsdesk.store import utcnow

tasks = Blueprint()
_ROOM: Newsroom | None = None
RETRY = RetryStrategy(max_attempts=4, exponential_wait=2)
CLUSTER_DEBOUNCE_SECONDS = 3
log = logging.getLogger("newsdesk.worker")


def conninfo(store_url: str) -> str:
    """Procrastinate's psycopg connection string for the store's SQLAlchemy URL."""
    return store_url.replace("postgresql+psycopg://", "postgresql://", 1)


def make_app(store_url: str) -> App:
    from newsdesk import logs

    logs.configure()  # a line per job for operators (NEWSDESK_LOG_FORMAT=json for JSON lines)
    app = App(connector=PsycopgConnector(conninfo=conninfo(store_url)), import_paths=["newsdesk.workers"])
    app.add_tasks_from(tasks, namespace="newsdesk")
    return app


def newsroom() -> Newsroom:
    """The worker's newsroom, opened once per process (from ``NEWSDESK_DIR``)."""
    global _ROOM
    if _ROOM is None:
        from pathlib import Path

        _ROOM = open_newsroom(Path(os.environ.get("NEWSDESK_DIR", ".")))
    return _ROOM


def _defer(task: Any, **options: Any) -> None:
    """Enqueue, unless an identical job is already waiting (its queueing lock): a debounce."""
    kwargs = options.pop("kwargs", {})
    try:
        task.configure(**options).defer(**kwargs)
    except AlreadyEnqueued:
        pass


def _unit(name: str, stages: tuple[str, ...], scope: Scope | None = None) -> Any:
    """Run stages for one unit, recorded in the runs table (who ran what, when) for `status`."""
    room = newsroom()
    run_id = room.store.start_run(name[:32])
    started = time.perf_counter()
    try:
        report = run_unit(room, stages, scope)
    except Exception as exc:
        _job_line(name, started, "failed", error=f"{type(exc).__name__}: {exc}"[:500])
        raise  # Procrastinate retries it with back-off, then parks it
    room.store.finish_run(run_id, {"worker": os.getpid(), **report.as_dict()})
    _job_line(name, started, "ok")
    return report


def _job_line(job: str, started: float, outcome: str, **fields: Any) -> None:
    seconds = round(time.perf_counter() - started, 3)
    extra = {"event": "job", "job": job, "outcome": outcome, "seconds": seconds, "worker": os.getpid(), **fields}
    if outcome == "ok":
        log.info("job %s done in %.2f s", job, seconds, extra=extra)
    else:
        log.error("job %s failed after %.2f s: %s", job, seconds, fields.get("error", ""), extra=extra)


@tasks.task(name="fetch_source", queue="fetch", retry=RETRY)
def fetch_source(source_id: int) -> None:
    _unit(f"fetch:{source_id}", ("ingest",), Scope.for_source(source_id))
    # Debounced: one clustering for a burst of fetches (the sources finishing within a few
    # seconds of each other are clustered together, as one process would).
    _defer(cluster, queueing_lock="cluster", lock="cluster", schedule_in={"seconds": CLUSTER_DEBOUNCE_SECONDS})


@tasks.task(name="cluster", queue="stories", retry=RETRY)
def cluster(waiting_since: float | None = None) -> None:
    # Clustering waits for a burst of fetches to finish (at most ``[queue] cluster_max_wait_seconds``):
    # items clustered together group as one process would group them, whatever order the
    # workers fetched them in.
    room = newsroom()
    now = time.time()
    waiting_since = waiting_since or now
    if fetches_pending(room) and now - waiting_since < room.settings.queue.cluster_max_wait_seconds:
        _defer(
            cluster,
            queueing_lock="cluster",
            lock="cluster",
            schedule_in={"seconds": CLUSTER_DEBOUNCE_SECONDS},
            kwargs={"waiting_since": waiting_since},
        )
        return
    started = utcnow()
    _unit("cluster", ("stories",))
    for story_id in sorted(newsroom().store.stories_touched_since(started)):
        _defer(update_story, queueing_lock=f"story:{story_id}", lock=f"story:{story_id}", kwargs={"story_id": story_id})


@tasks.task(name="update_story", queue="stories", retry=RETRY)
def update_story(story_id: int) -> None:
    _unit(f"story:{story_id}", ("enrich", "write", "verify", "media"), Scope.for_story(story_id))
    _defer(publish, queueing_lock="publish", lock="publish")


@tasks.task(name="publish", queue="publish", retry=RETRY)
def publish() -> None:
    _unit("publish", ("publish",))


@tasks.task(name="newsletter", queue="publish", retry=RETRY)
def newsletter() -> None:
    """The day's issue (``[newsletter] daily_at``): built, published, then sent."""
    from newsdesk.newsletter import deliver_if_due

    room = newsroom()
    run_id = room.store.start_run("newsletter")
    started = time.perf_counter()
    try:
        said = deliver_if_due(room.store, room.settings, room.path, after_build=lambda: run_unit(room, ("publish",)))
    except Exception as exc:  # an SMTP server refusing us, mostly
        _job_line("newsletter", started, "failed", error=f"{type(exc).__name__}: {exc}"[:500])
        raise
    room.store.finish_run(run_id, {"worker": os.getpid(), "newsletter": said or "nothing to do"})
    _job_line("newsletter", started, "ok", said=said or "nothing to do")


def enqueue_newsletter(app: App, room: Newsroom) -> bool:
    """A newsletter job when the daily issue is due or unfinished (one waiting at most)."""
    from newsdesk.newsletter import delivery_due

    if not delivery_due(room.store, room.settings):
        return False
    try:
        app.configure_task("newsdesk:newsletter", queueing_lock="newsletter", lock="newsletter").defer()
    except AlreadyEnqueued:
        return False
    return True


def fetches_pending(room: Newsroom) -> int:
    """Fetch jobs waiting or running (a stalled one counts until it is handed on)."""
    from sqlalchemy import text

    with room.store.begin() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'newsdesk:fetch_source' "
                    "AND status IN ('todo', 'doing')"
                )
            ).scalar()
            or 0
        )


def enqueue_due(app: App, room: Newsroom) -> int:
    """A fetch job for every source that is due, within each host's per-minute cap (one waiting per
    source at most)."""
    from newsdesk.sources.schedule import sources_to_read

    count = 0
    due, _ = sources_to_read(room.store, utcnow(), room.settings.watch.per_host_per_minute)
    for source_id in due:
        try:
            app.configure_task("newsdesk:fetch_source", queueing_lock=f"fetch:{source_id}", lock=f"source:{source_id}").defer(
                source_id=source_id
            )
        except AlreadyEnqueued:  # its fetch is already waiting
            continue
        count += 1
    return count


def retry_stalled(store_url: str, stalled_seconds: float) -> int:
    """Hand the jobs of workers that stopped sending heartbeats (killed, lost) to others."""
    import asyncio

    from procrastinate.exceptions import UniqueViolation

    # Its own app and connection, with no tasks bound: the caller's app (and the tasks bound to
    # it) stays open for deferring.
    app = App(connector=PsycopgConnector(conninfo=conninfo(store_url)))

    async def go() -> int:
        handed = 0
        async with app.open_async():
            for job in list(await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_seconds)):
                try:
                    await app.job_manager.retry_job(job)
                    handed += 1
                except UniqueViolation:  # the same unit is already waiting again: that job will do it
                    await app.job_manager.finish_job(job, status=jobs_status_failed(), delete_job=False)
        return handed

    return asyncio.run(go())


def jobs_status_failed() -> Any:
    from procrastinate.jobs import Status

    return Status.FAILED


def apply_schema(app: App, room: Newsroom) -> bool:
    """Procrastinate's tables, once; False when they were there already."""
    from sqlalchemy import text

    with room.store.begin() as conn:
        present = conn.execute(text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")).scalar()
    if present:
        return False
    app.schema_manager.apply_schema()
    return True


def job_counts(room: Newsroom) -> dict[str, int]:
    """Jobs by status (todo, doing, succeeded, failed…): failed ones are parked."""
    from sqlalchemy import text

    with room.store.begin() as conn:
        if not conn.execute(text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")).scalar():
            return {}
        rows = conn.execute(text("SELECT status::text, count(*) FROM procrastinate_jobs GROUP BY status"))
        return {status: int(n) for status, n in rows}
