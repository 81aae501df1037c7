"""Find the Hugging Face models and datasets and the GitHub repositories a text mentions.

Three kinds of mention, from surest to weakest:
- explicit URLs (``huggingface.co/owner/name``, ``huggingface.co/datasets/owner/name``,
  ``github.com/owner/name``): the kind is known;
- bare ``owner/name`` forms, taken only with a hint nearby ("GitHub", "repository" → a repo;
  "Hugging Face", "Hub", "model", "dataset", "weights" → the Hub) or, for the Hub, a name shaped
  like a model id (a digit and a hyphen: ``lumen-7b``), because "and/or" or "client/server"
  could also name a repository somewhere;
- model names with a size (``Lumen-7B``, ``Llama-3.1-8B``), matched against the Hub by search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HF_URL = re.compile(r"https?://(?:www\.)?huggingface\.co/(datasets/)?([A-Za-z0-9][\w.-]*)/([A-Za-z0-9][\w.-]*[A-Za-z0-9])")
GH_URL = re.compile(r"https?://(?:www\.)?github\.com/([A-Za-z0-9][\w-]*)/([A-Za-z0-9][\w.-]*[A-Za-z0-9_])")
BARE = re.compile(r"(?<![\w/.:@#-])([A-Za-z0-9][\w-]{1,38})/([A-Za-z0-9][\w.-]{0,98}[A-Za-z0-9])(?![\w/])")
MODEL_NAME = re.compile(
    r"(?<![\w/.-])([A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*-\d+(?:\.\d+)?[BbMm](?:-[A-Za-z0-9]+)*)(?![\w/-])"
)

HF_RESERVED = {
    "spaces",
    "docs",
    "blog",
    "papers",
    "api",
    "models",
    "organizations",
    "collections",
    "settings",
    "login",
    "join",
    "pricing",
    "learn",
    "tasks",
    "posts",
    "chat",
    "new",
    "enterprise",
}
GH_RESERVED = {
    "features",
    "about",
    "orgs",
    "topics",
    "sponsors",
    "marketplace",
    "settings",
    "login",
    "pricing",
    "collections",
    "apps",
    "enterprise",
    "site",
    "security",
    "explore",
    "trending",
    "notifications",
}
GH_HINT = re.compile(r"\b(github|repository|repo|stars|forks)\b", re.I)
HF_HINT = re.compile(r"\b(hugging ?face|hub|model|dataset|weights|checkpoint)s?\b", re.I)
HINT_WINDOW = 80


@dataclass(frozen=True)
class Mention:
    kind: str  # "hf_model", "hf_dataset", "github_repo", "hub_or_github" (bare form: look it up), "hf_name"
    subject: str  # owner/name, or a bare model name for "hf_name"
    explicit: bool  # from a URL: a 404 there is worth reporting


def find_mentions(text: str) -> list[Mention]:
    """Every mention in order of first appearance, each subject once (URLs win over bare forms)."""
    found: dict[str, Mention] = {}
    url_spans: list[tuple[int, int]] = []

    def add(key: str, mention: Mention) -> None:
        current = found.get(key)
        if current is None or (mention.explicit and not current.explicit):
            found[key] = mention

    for m in HF_URL.finditer(text):
        url_spans.append(m.span())
        owner, name = m.group(2), _clean(m.group(3))
        if owner.lower() in HF_RESERVED:
            continue
        kind = "hf_dataset" if m.group(1) else "hf_model"
        add(f"{owner}/{name}".lower(), Mention(kind, f"{owner}/{name}", True))
    for m in GH_URL.finditer(text):
        url_spans.append(m.span())
        owner, name = m.group(1), _clean(m.group(2))
        if owner.lower() in GH_RESERVED:
            continue
        add(f"{owner}/{name}".lower(), Mention("github_repo", f"{owner}/{name}", True))

    def in_url(pos: int) -> bool:
        return any(a <= pos < b for a, b in url_spans) or text[max(0, pos - 8) : pos].lower().endswith(("://", "www."))

    for m in BARE.finditer(text):
        if in_url(m.start()) or _not_an_id(m.group(1), m.group(2)):
            continue
        owner, name = m.group(1), _clean(m.group(2))
        around = text[max(0, m.start() - HINT_WINDOW) : m.end() + HINT_WINDOW]
        github, hub = bool(GH_HINT.search(around)), bool(HF_HINT.search(around)) or _model_shaped(name)
        if not (github or hub):
            continue
        kind = "github_repo" if github and not hub else "hf_model" if hub and not github else "hub_or_github"
        add(f"{owner}/{name}".lower(), Mention(kind, f"{owner}/{name}", False))
    named = {k.split("/", 1)[1] for k in found}
    for m in MODEL_NAME.finditer(text):
        name = m.group(1)
        if in_url(m.start()) or name.lower() in named:
            continue
        named.add(name.lower())
        add(f"name:{name.lower()}", Mention("hf_name", name, False))
    return list(found.values())


def _clean(name: str) -> str:
    name = name.rstrip(".")
    return name[:-4] if name.endswith(".git") else name


_COMMON = {
    "and",
    "or",
    "his",
    "her",
    "he",
    "she",
    "him",
    "they",
    "them",
    "km",
    "h",
    "mph",
    "tcp",
    "ip",
    "yes",
    "no",
    "on",
    "off",
    "in",
    "out",
    "input",
    "output",
    "read",
    "write",
    "either",
    "per",
    "day",
    "week",
    "year",
    "month",
    "client",
    "server",
    "true",
    "false",
    "win",
    "loss",
    "buy",
    "sell",
    "open",
    "close",
}


def _not_an_id(owner: str, name: str) -> bool:
    if owner.isdigit() or name.isdigit() or owner.lower() in _COMMON or name.lower() in _COMMON:
        return True
    return bool(re.fullmatch(r"\d+[\w.]*", owner) and re.fullmatch(r"\d+[\w.]*", name))  # 9/11, 3.5/5


def _model_shaped(name: str) -> bool:
    return "-" in name and any(ch.isdigit() for ch in name)
