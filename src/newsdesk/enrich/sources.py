"""Read figures from the Hugging Face Hub API and the GitHub REST API, as Fact records.

Base URLs are settings (``enrich.hf_base_url``, ``enrich.github_api_url``), so the same code
talks to the real services or to a loopback server. Tokens are optional and read from the
environment variables the settings name; they are sent, never stored or printed.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from newsdesk.config import EnrichSettings
from newsdesk.infra.http import Fetcher, FetchError
from newsdesk.records import Fact


class NotFound(Exception):
    """The subject does not exist, or is private (the Hub answers 401 for both when unauthenticated)."""


class LookupFailed(Exception):
    """The API answered, but not usefully (malformed JSON, an error status); the message says which."""


class RateLimited(LookupFailed):
    """The API's rate limit is spent; no more lookups there in this run."""


def _license_of(info: dict[str, Any]) -> str | None:
    card = info.get("cardData") or {}
    lic = card.get("license") if isinstance(card, dict) else None
    if isinstance(lic, list):
        lic = lic[0] if lic else None
    if not lic:
        lic = next((t.split(":", 1)[1] for t in info.get("tags", []) if isinstance(t, str) and t.startswith("license:")), None)
    return str(lic) if lic else None


class DataSources:
    """One per run: the Hub and GitHub clients over a shared polite Fetcher."""

    def __init__(self, settings: EnrichSettings, fetcher: Fetcher):
        self.settings = settings
        self.fetcher = fetcher
        self.github_spent: str | None = None  # set once GitHub says its rate limit is spent
        self.requests = 0

    def _auth(self, env_name: str) -> dict[str, str]:
        token = os.environ.get(env_name, "").strip() if env_name else ""
        return {"Authorization": f"Bearer {token}"} if token else {}

    async def _json(self, url: str, headers: dict[str, str], what: str) -> Any:
        self.requests += 1
        try:
            result = await self.fetcher.get(url, accept="application/json", cached=True, headers=headers)
        except FetchError as exc:
            if exc.status in (401, 404, 410):
                raise NotFound(f"{what}: HTTP {exc.status}") from None
            if exc.rate_limited:
                raise RateLimited(str(exc)) from None
            raise LookupFailed(f"{what}: {exc}") from None
        try:
            return json.loads(result.content)
        except (ValueError, UnicodeDecodeError) as exc:
            raise LookupFailed(f"{what}: {url} returned malformed JSON ({exc})") from None

    # --- Hugging Face Hub -----------------------------------------------------------------

    def hub_page(self, kind: str, subject: str) -> str:
        base = self.settings.hf_base_url.rstrip("/")
        return f"{base}/datasets/{subject}" if kind == "hf_dataset" else f"{base}/{subject}"

    async def hub_facts(self, kind: str, subject: str, now: datetime) -> list[Fact]:
        base = self.settings.hf_base_url.rstrip("/")
        what = "datasets" if kind == "hf_dataset" else "models"
        info = await self._json(
            f"{base}/api/{what}/{quote(subject, safe='/')}",
            self._auth(self.settings.hf_token_env),
            f"Hugging Face Hub {what[:-1]} {subject}",
        )
        if not isinstance(info, dict) or not info.get("id"):
            raise LookupFailed(f"Hugging Face Hub {what[:-1]} {subject}: the answer is not a repository record")
        if info.get("private"):
            raise NotFound(f"Hugging Face Hub {what[:-1]} {subject} is private")
        subject = str(info["id"])  # the Hub's own spelling
        page = self.hub_page(kind, subject)
        facts = []
        for metric in ("downloads", "likes"):
            value = info.get(metric)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                facts.append(Fact(kind, subject, metric, f"{int(value):,}", float(value), now, page))
        licence = _license_of(info)
        if licence:
            facts.append(Fact(kind, subject, "licence", licence, None, now, page))
        return facts

    async def hub_search(self, name: str) -> str | None:
        """The id of the most downloaded model whose name (after the owner) is exactly ``name``."""
        base = self.settings.hf_base_url.rstrip("/")
        query = urlencode({"search": name, "limit": 20, "sort": "downloads", "direction": -1})
        found = await self._json(
            f"{base}/api/models?{query}", self._auth(self.settings.hf_token_env), f"Hugging Face Hub search for {name}"
        )
        if not isinstance(found, list):
            raise LookupFailed(f"Hugging Face Hub search for {name}: the answer is not a list")
        matches = [m for m in found if isinstance(m, dict) and str(m.get("id", "")).split("/")[-1].lower() == name.lower()]
        if not matches:
            return None
        return str(max(matches, key=lambda m: m.get("downloads") or 0)["id"])

    # --- GitHub ---------------------------------------------------------------------------

    async def github_facts(self, subject: str, now: datetime) -> list[Fact]:
        if self.github_spent:
            raise RateLimited(self.github_spent)
        base = self.settings.github_api_url.rstrip("/")
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            **self._auth(self.settings.github_token_env),
        }
        try:
            repo = await self._json(f"{base}/repos/{quote(subject, safe='/')}", headers, f"GitHub repository {subject}")
            if not isinstance(repo, dict) or "stargazers_count" not in repo:
                raise LookupFailed(f"GitHub repository {subject}: the answer is not a repository record")
            if repo.get("private"):
                raise NotFound(f"GitHub repository {subject} is private")
            subject = str(repo.get("full_name") or subject)
            page = str(repo.get("html_url") or f"https://github.com/{subject}")
            facts = [
                Fact("github_repo", subject, m, f"{int(repo[k]):,}", float(repo[k]), now, page)
                for m, k in (("stars", "stargazers_count"), ("forks", "forks_count"))
                if isinstance(repo.get(k), int)
            ]
            licence = (repo.get("license") or {}).get("spdx_id")
            if licence and licence != "NOASSERTION":
                facts.append(Fact("github_repo", subject, "licence", str(licence), None, now, page))
            try:
                release = await self._json(
                    f"{base}/repos/{quote(subject, safe='/')}/releases/latest", headers, f"latest release of {subject}"
                )
            except NotFound:
                release = None  # no release published: nothing to say
            if isinstance(release, dict) and release.get("tag_name"):
                when = str(release.get("published_at") or "")[:10]
                facts.append(
                    Fact(
                        "github_repo",
                        subject,
                        "last_release",
                        f"{release['tag_name']} ({when})" if when else str(release["tag_name"]),
                        None,
                        now,
                        str(release.get("html_url") or page),
                    )
                )
            return facts
        except RateLimited as exc:
            self.github_spent = f"GitHub: {exc}"
            raise RateLimited(self.github_spent) from None
