"""The demo corpus (corpus.toml, written for the project): outlets, articles, community posts,
Hub models and GitHub repositories."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any


@dataclass
class Corpus:
    outlets: dict[str, dict[str, Any]]
    articles: list[dict[str, Any]]
    reddit_posts: list[dict[str, Any]] = field(default_factory=list)
    hn_stories: list[dict[str, Any]] = field(default_factory=list)
    hub_models: list[dict[str, Any]] = field(default_factory=list)
    github_repos: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_id = {a["id"]: a for a in self.articles}
        self.by_outlet: dict[str, list[dict[str, Any]]] = {}
        for a in sorted(self.articles, key=lambda a: a["hours_ago"]):
            self.by_outlet.setdefault(a["outlet"], []).append(a)


def load_corpus() -> Corpus:
    data = tomllib.loads(resources.files("newsdesk.demo").joinpath("corpus.toml").read_text("utf-8"))
    return Corpus(
        outlets={o["slug"]: o for o in data["outlet"]},
        articles=data["article"],
        reddit_posts=data.get("reddit_post", []),
        hn_stories=data.get("hn_story", []),
        hub_models=data.get("hub_model", []),
        github_repos=data.get("github_repo", []),
    )
