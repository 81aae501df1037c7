"""The pipeline: a newsroom folder, and its stages run in order.

    ingest (sources/ + extract/ + dedup/)  →  stories (stories/: cluster + rank)
        →  enrich (enrich/: Hub and GitHub figures as citable facts)
        →  write (write/: cited articles)  →  verify (verify/: every claim against its sources)
        →  media (media/: charts, video prompts, snippets)  →  publish (publish/: the static site)

Each stage reads what it needs from the store and writes its results back, so any stage
can be re-run alone (``newsdesk ingest``, ``newsdesk cluster``) and re-running is harmless.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from newsdesk.config import CONFIG_NAME, DEFAULT_TOML, ConfigError, Settings, load_settings
from newsdesk.progress import NullProgress, Progress

CACHE_NAME = "http-cache.db"


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
        return (self.path / self.settings.publish.out_dir).resolve()

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
            raise ConfigError(f"cannot open the store {settings.store.url!r} of {path}: {exc}") from None
        raise


@dataclass
class RunReport:
    ingest: object | None = None
    stories: object | None = None
    enrich: object | None = None
    write: object | None = None
    verify: object | None = None
    media: object | None = None
    publish: object | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """False when a source failed or a writer could not write (the summary says which)."""
        return (self.ingest is None or not self.ingest.failed_sources) and (self.write is None or self.write.ok)


STAGES = ("ingest", "stories", "enrich", "write", "verify", "media", "publish")


def run(newsroom: Newsroom, stages: tuple[str, ...] = STAGES, progress: Progress | None = None) -> RunReport:
    progress = progress or NullProgress()
    report = RunReport()
    run_id = newsroom.store.start_run("+".join(stages))
    for stage in stages:
        started = time.perf_counter()
        if stage == "ingest":
            from newsdesk.sources import add_configured_sources
            from newsdesk.sources.ingest import ingest

            add_configured_sources(newsroom.store, newsroom.settings)
            report.ingest = ingest(newsroom.store, newsroom.settings, cache_path=newsroom.cache_path, progress=progress)
        elif stage == "stories":
            from newsdesk.stories import build_stories

            report.stories = build_stories(newsroom.store, newsroom.settings, progress=progress)
        elif stage == "enrich":
            from newsdesk.enrich import enrich_stories

            report.enrich = enrich_stories(newsroom.store, newsroom.settings, cache_path=newsroom.cache_path, progress=progress)
        elif stage == "write":
            from newsdesk.write import write_articles

            report.write = write_articles(newsroom.store, newsroom.settings, progress=progress, newsroom=newsroom.path)
        elif stage == "verify":
            from newsdesk.verify import verify_articles

            usage = (report.write.usage or {}) if report.write is not None else {}
            spent = int(usage.get("prompt_tokens", 0)) + int(usage.get("completion_tokens", 0))
            report.verify = verify_articles(newsroom.store, newsroom.settings, progress=progress, tokens_spent=spent)
        elif stage == "media":
            from newsdesk.media import build_media

            report.media = build_media(newsroom.store, newsroom.settings, progress=progress)
        elif stage == "publish":
            from newsdesk.publish import build_site

            report.publish = build_site(newsroom.store, newsroom.settings, newsroom.site_dir)
        else:
            raise ValueError(f"unknown stage {stage!r}; stages are {', '.join(STAGES)}")
        report.seconds[stage] = round(time.perf_counter() - started, 3)
    newsroom.store.finish_run(run_id, _summary(report))
    return report


def _summary(report: RunReport) -> dict:
    from dataclasses import asdict

    out: dict = {"seconds": report.seconds}
    if report.ingest is not None:
        out["sources"] = [asdict(s) for s in report.ingest.sources]
    if report.stories is not None:
        out["stories"] = asdict(report.stories)
    if report.enrich is not None:
        out["enrich"] = asdict(report.enrich)
    if report.write is not None:
        out["write"] = asdict(report.write)
    if report.verify is not None:
        out["verify"] = asdict(report.verify)
    if report.media is not None:
        out["media"] = asdict(report.media)
    if report.publish is not None:
        out["publish"] = {"out_dir": str(report.publish.out_dir), "articles": report.publish.articles}
    return out
