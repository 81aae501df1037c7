"""The pipeline: a newsroom folder, and its stages (``newsdesk.stages.REGISTRY``) run in order.

    ingest (sources/ + extract/ + dedup/)  →  stories (stories/: cluster + rank)
        →  enrich (enrich/: Hub and GitHub figures as citable facts)
        →  write (write/: cited articles)  →  verify (verify/: every claim against its sources)
        →  media (media/: charts, video prompts, snippets)  →  publish (publish/: the static site)

Each stage reads what it needs from the store and writes its results back, so any stage
can be re-run alone (``newsdesk ingest``, ``newsdesk cluster``) and re-running is harmless.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsdesk.config import CONFIG_NAME, DEFAULT_TOML, ConfigError, Settings, load_settings
from newsdesk.progress import NullProgress, Progress
from newsdesk.stages import CACHE_NAME, REGISTRY, STAGE_NAMES, Context, Scope, StageReport, site_dir_of, spec

if TYPE_CHECKING:
    from newsdesk.enrich import EnrichReport
    from newsdesk.media import MediaReport
    from newsdesk.publish import PublishReport
    from newsdesk.sources.ingest import IngestReport
    from newsdesk.stories import StoriesReport
    from newsdesk.verify import VerifyReport
    from newsdesk.write import WriteReport


@dataclass
class Newsroom:
    path: Path
    settings: Settings

    def __post_init__(self) -> None:
        from newsdesk.store import Store, resolve_url

        self.store = Store(resolve_url(self.settings.store.url, self.path))

    @property
    def cache_path(self) -> Path:
        return self.path / CACHE_NAME

    @property
    def site_dir(self) -> Path:
        return site_dir_of(self.path, self.settings)

    def close(self) -> None:
        self.store.close()


def init_newsroom(path: Path) -> tuple[Path, bool]:
    """Create the folder and its ``newsdesk.toml``; an existing config is never overwritten."""
    path.mkdir(parents=True, exist_ok=True)
    config = path / CONFIG_NAME
    if config.exists():
        return config, False
    config.write_text(DEFAULT_TOML, encoding="utf-8")
    return config, True


def open_newsroom(path: Path) -> Newsroom:
    settings = load_settings(path)
    try:
        return Newsroom(path=path.resolve(), settings=settings)
    except Exception as exc:  # a bad store URL or an unreachable database server
        if type(exc).__module__.startswith("sqlalchemy"):
            from newsdesk.config import redact

            reason = redact(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            hint = storage_problem(exc, path)
            raise ConfigError(
                f"cannot open the store {redact(settings.store.url)!r} of {path}: {reason}" + (f" ({hint})" if hint else "")
            ) from None
        raise


def storage_problem(exc: BaseException, path: Path) -> str | None:
    """What to do, in words, when the disk or the folder refused a write; None for anything else."""
    import errno

    text = str(exc).lower()
    code = getattr(exc, "errno", None)
    folder = path.resolve()
    if code == errno.ENOSPC or "disk is full" in text or "no space left" in text:
        return f"the disk holding {folder} is full: free some space and run again; what earlier stages stored is kept"
    if code in (errno.EROFS, errno.EACCES, errno.EPERM) or "readonly database" in text or "read-only" in text:
        return f"{folder} or its database cannot be written: check the folder's permissions (or use another --dir)"
    if "unable to open database file" in text:
        return f"check that {folder} exists and can be written"
    return None


@dataclass
class RunReport:
    """The reports of the stages run, by stage name, and their times."""

    reports: dict[str, StageReport] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """False when a source failed or a writer could not write (the summary says which)."""
        return all(r.ok for r in self.reports.values())

    def as_dict(self) -> dict[str, Any]:
        """What the run record stores; ``ok`` is what the exit code said (`newsdesk status` shows it)."""
        return {"ok": self.ok, "seconds": self.seconds, **{name: r.as_dict() for name, r in self.reports.items()}}

    # Typed access for callers that know which stage they ran.
    @property
    def ingest(self) -> IngestReport | None:
        return self.reports.get("ingest")  # type: ignore[return-value]

    @property
    def stories(self) -> StoriesReport | None:
        return self.reports.get("stories")  # type: ignore[return-value]

    @property
    def enrich(self) -> EnrichReport | None:
        return self.reports.get("enrich")  # type: ignore[return-value]

    @property
    def write(self) -> WriteReport | None:
        return self.reports.get("write")  # type: ignore[return-value]

    @property
    def verify(self) -> VerifyReport | None:
        return self.reports.get("verify")  # type: ignore[return-value]

    @property
    def media(self) -> MediaReport | None:
        return self.reports.get("media")  # type: ignore[return-value]

    @property
    def publish(self) -> PublishReport | None:
        return self.reports.get("publish")  # type: ignore[return-value]


STAGES = STAGE_NAMES


class NewsroomBusy(Exception):
    """Another run holds this newsroom; the message says which and what to do."""


LOCK_NAME = ".newsdesk.lock"


@contextmanager
def newsroom_lock(newsroom: Newsroom) -> Iterator[None]:
    """One run at a time per newsroom: an exclusive lock on a file in the folder (released by the
    kernel if the holder dies, even by kill -9), and on PostgreSQL an advisory lock too, for
    runs on other machines sharing the database."""
    import fcntl

    path = newsroom.path / LOCK_NAME
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115  (held for the whole run)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise NewsroomBusy(
                f"another newsdesk run is using the newsroom {newsroom.path} ({holder}); run again when it has finished"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}")
        handle.flush()
        with _database_lock(newsroom):
            yield
    finally:
        handle.close()


@contextmanager
def _database_lock(newsroom: Newsroom) -> Iterator[None]:
    engine = newsroom.store.engine
    if engine.dialect.name != "postgresql":
        yield
        return
    from sqlalchemy import text

    key = 0x6E657773  # "news": one advisory lock per database
    with engine.connect() as conn:
        if not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
            raise NewsroomBusy(f"another newsdesk run holds the database of {newsroom.path}; run again when it has finished")
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})


def run(
    newsroom: Newsroom, stages: tuple[str, ...] = STAGES, progress: Progress | None = None, scope: Scope | None = None
) -> RunReport:
    """Run the named stages in pipeline order (for everything due, or for ``scope``), holding the
    newsroom's lock (``NewsroomBusy`` when another run holds it)."""
    with newsroom_lock(newsroom):
        return _run(newsroom, stages, progress, scope)


def run_unit(newsroom: Newsroom, stages: tuple[str, ...], scope: Scope | None = None) -> RunReport:
    """The stages for one unit of work, without the newsroom lock: for workers, whose job queue
    locks the unit itself (one story, one source, one clustering, one publish at a time)."""
    return _run(newsroom, stages, None, scope, record=False)


def _run(
    newsroom: Newsroom, stages: tuple[str, ...], progress: Progress | None, scope: Scope | None, record: bool = True
) -> RunReport:
    for name in stages:
        spec(name)  # an unknown name is an error before anything runs
    ctx = Context(newsroom.store, newsroom.settings, newsroom.path, progress or NullProgress(), scope or Scope())
    report = RunReport()
    # runs.command holds 32 characters: the whole pipeline is "run", a part its stages' initials.
    named = "run" if set(stages) >= set(STAGE_NAMES) else "+".join(stages)
    run_id = newsroom.store.start_run(named if len(named) <= 32 else "+".join(n[:3] for n in stages)) if record else None
    for stage_spec in REGISTRY:
        if stage_spec.name not in stages:
            continue
        started = time.perf_counter()
        result = stage_spec.load().run(ctx)
        ctx.earlier[stage_spec.name] = report.reports[stage_spec.name] = result
        report.seconds[stage_spec.name] = round(time.perf_counter() - started, 3)
    if run_id is not None:  # a worker's unit is recorded by the worker, under the unit's name
        newsroom.store.finish_run(run_id, report.as_dict())
    return report
