"""The stage contract: the one interface the pipeline, the CLI, the scheduler and workers call.

A stage reads what it needs from the store and writes its results back; nothing passes between
stages except through the store (and, within one run, the earlier stages' reports). Each stage
is a class with a ``name`` and ``run(context) -> StageReport``; ``REGISTRY`` lists them in
pipeline order, each by the dotted path of its class, so listing them (``newsdesk --help``)
imports nothing heavy.

A stage runs for everything that is due, or for one unit of work (``Scope``): one source
(ingest) or one story (enrich, write, verify, media). Stages that work on the whole newsroom
(clustering, publishing) ignore the scope.

Adding a stage: a package ``newsdesk/<name>/`` with a class implementing ``Stage``, and one
``StageSpec`` line in ``REGISTRY``.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from newsdesk.config import Settings
    from newsdesk.progress import Progress
    from newsdesk.store import Store


@dataclass(frozen=True)
class Scope:
    """The unit of work: everything due (the default), or only these sources or stories."""

    source_ids: frozenset[int] | None = None
    story_ids: frozenset[int] | None = None

    @classmethod
    def for_source(cls, source_id: int) -> Scope:
        return cls(source_ids=frozenset({source_id}))

    @classmethod
    def for_story(cls, story_id: int) -> Scope:
        return cls(story_ids=frozenset({story_id}))

    def wants_source(self, source_id: int) -> bool:
        return self.source_ids is None or source_id in self.source_ids

    def wants_story(self, story_id: int) -> bool:
        return self.story_ids is None or story_id in self.story_ids


CACHE_NAME = "http-cache.db"  # the HTTP cache, in the newsroom folder


def site_dir_of(newsroom: Path, settings: Settings) -> Path:
    """Where a newsroom's site is published. Not resolved: the site folder is a symbolic link
    that each publish replaces."""
    return Path(os.path.abspath(newsroom / settings.publish.out_dir))


@dataclass
class Context:
    """What a stage is given: the newsroom's store and settings, where its files live, a
    progress sink, the unit of work, and the reports of the stages already run this time."""

    store: Store
    settings: Settings
    path: Path  # the newsroom folder
    progress: Progress
    scope: Scope = field(default_factory=Scope)
    earlier: dict[str, StageReport] = field(default_factory=dict)

    @property
    def cache_path(self) -> Path:
        return self.path / CACHE_NAME

    @property
    def site_dir(self) -> Path:
        return site_dir_of(self.path, self.settings)


class StageReport:
    """What a stage did. Subclasses are dataclasses; ``as_dict`` is what the run record stores,
    ``lines`` what the run summary prints (rich markup), ``table`` an optional table before them."""

    @property
    def ok(self) -> bool:
        """False when something failed that should make ``newsdesk run`` exit 1."""
        return True

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = asdict(self)  # type: ignore[call-overload]  # every subclass is a dataclass
        return data

    def lines(self) -> list[str]:
        return []

    def table(self) -> tuple[str, list[str], list[list[str]]] | None:
        """(title, columns, rows) shown above the lines, or None."""
        return None


class Stage(Protocol):
    name: str

    def run(self, ctx: Context) -> StageReport: ...


@dataclass(frozen=True)
class StageSpec:
    """A stage as the registry knows it: enough to list it and to give it a command, without
    importing it."""

    name: str
    command: str  # the CLI command that runs it alone
    summary: str  # its help line
    target: str  # "package.module:Class", loaded on first use
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()

    def load(self) -> Stage:
        module, _, attr = self.target.partition(":")
        stage: Stage = getattr(importlib.import_module(module), attr)()
        return stage


REGISTRY: tuple[StageSpec, ...] = (
    StageSpec(
        "ingest",
        "ingest",
        "Fetch every source, extract full text, de-duplicate, store new items.",
        "newsdesk.sources.ingest:IngestStage",
        reads=("sources",),
        writes=("items", "sources"),
    ),
    StageSpec(
        "stories",
        "cluster",
        "Group stored items into stories and rank them.",
        "newsdesk.stories:StoriesStage",
        reads=("items",),
        writes=("stories",),
    ),
    StageSpec(
        "enrich",
        "enrich",
        "Figures (downloads, likes, stars, forks, last release, licence) for the Hugging Face "
        "models and datasets and GitHub repositories that stories mention, stored as citable facts. Tokens are "
        "optional: set HF_TOKEN / GITHUB_TOKEN (names configurable in the enrich section of newsdesk.toml).",
        "newsdesk.enrich:EnrichStage",
        reads=("stories", "items"),
        writes=("facts", "items", "item_facts"),
    ),
    StageSpec(
        "write",
        "write",
        "Write (or update) a cited article for every story at or above write.min_tier.",
        "newsdesk.write:WriteStage",
        reads=("stories", "items", "facts"),
        writes=("articles",),
    ),
    StageSpec(
        "verify",
        "verify",
        "Check every claim of every new article version against the sources it cites.",
        "newsdesk.verify:VerifyStage",
        reads=("articles", "items"),
        writes=("verifications",),
    ),
    StageSpec(
        "media",
        "media",
        "Charts from verified figures, video prompts for major stories, social posts and blurbs.",
        "newsdesk.media:MediaStage",
        reads=("verifications",),
        writes=("media",),
    ),
    StageSpec(
        "publish",
        "publish",
        "Build the static news site from the latest articles.",
        "newsdesk.publish:PublishStage",
        reads=("verifications", "media", "items", "item_facts"),
        writes=("site",),
    ),
)
STAGE_NAMES: tuple[str, ...] = tuple(s.name for s in REGISTRY)


def spec(name: str) -> StageSpec:
    for s in REGISTRY:
        if s.name == name:
            return s
    raise ValueError(f"unknown stage {name!r}; stages are {', '.join(STAGE_NAMES)}")
