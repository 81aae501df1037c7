"""Telling other systems what was published: signed webhooks (``webhooks.py``) and posters that
announce each new story once (``mastodon.py``, ``chat.py``, or a plug-in), all off by default.

``announce(store, settings)`` runs after every publish (``PublishStage``). It finds, per target,
the events it has not delivered yet (an article version published, a correction published, a
new story), records each as claimed in the store's audit log, and hands them to a background
thread: a publish, and an editor's request that re-publishes, never wait for a remote server.
Each delivery is tried ``[integrations] max_attempts`` times with growing pauses; the outcome is
recorded too, so a re-run never delivers twice, and a failed event is tried again by the next
publishes, MAX_ROUNDS times at most. A process that ends waits for its deliveries in flight.

A poster plug-in is named ``"package.module:factory"`` in ``[integrations] posters``:
``factory(settings)`` returns an object with a ``name`` and ``post(story: Announced, client)``,
which raises ``DeliveryError`` when the post failed (``retry=True`` when trying again may help).
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urljoin

from newsdesk import USER_AGENT
from newsdesk.config import Settings
from newsdesk.records import Article
from newsdesk.site import article_url
from newsdesk.site import base as site_base
from newsdesk.store import Store

log = logging.getLogger("newsdesk.integrations")

AUDIT_EDITOR = "newsdesk"
AUDIT_ACTION = "announce"
MAX_ROUNDS = 3  # publishes that try a failed event again, at most
RETRY_BASE_SECONDS = 1.0  # pauses between attempts: 1 s, 2 s, 4 s, … (Retry-After, when sooner)
MAX_PAUSE_SECONDS = 30.0


class DeliveryError(Exception):
    """A delivery that failed; ``retry``: trying again may help (a timeout, a 5xx, a 429)."""

    def __init__(self, message: str, retry: bool = False, after: float | None = None):
        super().__init__(message)
        self.retry = retry
        self.after = after  # the server's Retry-After, in seconds


@dataclass(frozen=True)
class Announced:
    """A published article as the targets see it."""

    story_id: int
    version: int
    headline: str
    dek: str
    url: str
    api_url: str
    tags: list[str]
    tier: str
    first_published: datetime | None
    updated: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "story_id": self.story_id,
            "version": self.version,
            "headline": self.headline,
            "dek": self.dek,
            "url": self.url,
            "api_url": self.api_url,
            "tags": list(self.tags),
            "tier": self.tier,
            "first_published": self.first_published.isoformat() if self.first_published else None,
            "updated": self.updated.isoformat() if self.updated else None,
        }


@dataclass(frozen=True)
class Event:
    key: str  # what was announced, unique per target: "article:4:v2", "correction:7", "story:4"
    kind: str  # "article.published", "correction.published", "story.new"
    story_id: int
    when: datetime  # newest first when a run has more than it may send
    article: Announced
    correction: dict[str, Any] | None = None


@dataclass
class News:
    """What the site shows now: its articles and their corrections."""

    articles: list[Announced]
    corrections: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


class Target(Protocol):
    name: str

    def events(self, news: News) -> list[Event]: ...

    def deliver(self, event: Event, client: Any) -> None: ...


class Poster(Protocol):
    """A plug-in that posts a new story somewhere (once per story)."""

    name: str

    def post(self, story: Announced, client: Any) -> None: ...


def _when(a: Announced) -> datetime:
    return a.first_published or a.updated or datetime.min.replace(tzinfo=UTC)


class PosterTarget:
    """Posts each new story once: its first published version, never its updates."""

    def __init__(self, poster: Poster, limit: int):
        self.poster, self.name, self.limit = poster, poster.name, limit

    def events(self, news: News) -> list[Event]:
        return [Event(f"story:{a.story_id}", "story.new", a.story_id, _when(a), a) for a in news.articles]

    def deliver(self, event: Event, client: Any) -> None:
        self.poster.post(event.article, client)


def news_of(store: Store, settings: Settings) -> News:
    held = store.held_story_ids()
    base = site_base(settings.publish.base_url)
    articles: list[Article] = [v.published for v in store.publishable() if v.published is not None and v.story_id not in held]
    corrections = store.corrections()
    shown = []
    for a in articles:
        updated = max(
            [a.updated, *(c["published_at"] for c in corrections.get(a.story_id, []))],
            key=lambda d: d or datetime.min.replace(tzinfo=UTC),
        )
        shown.append(
            Announced(
                story_id=a.story_id,
                version=a.version,
                headline=a.headline,
                dek=a.dek.text,
                url=article_url(a, base),
                api_url=urljoin(base, f"api/v1/articles/{a.story_id}"),
                tags=list(a.tags),
                tier=a.tier,
                first_published=a.first_published,
                updated=updated,
            )
        )
    return News(shown, {sid: rows for sid, rows in corrections.items() if sid in {a.story_id for a in shown}})


def targets_of(settings: Settings, environ: dict[str, str] | None = None) -> list[Target]:
    """The configured targets whose secrets are set; each one missing is logged and skipped."""
    import os

    from newsdesk.integrations.webhooks import Webhook

    env = dict(os.environ) if environ is None else environ
    config = settings.integrations
    out: list[Target] = []
    for hook in config.webhooks:
        secret = env.get(hook.secret_env, "")
        if not secret:
            log.warning(
                "webhook %s skipped: its secret variable %s is not set",
                hook.url,
                hook.secret_env,
                extra={"event": "webhook_no_secret"},
            )
            continue
        out.append(Webhook(hook.url, secret))
    for name in config.posters:
        poster = _poster(name, settings, env)
        if poster is not None:
            out.append(PosterTarget(poster, config.max_posts_per_run))
    return out


BUILT_IN = {"mastodon": "newsdesk.integrations.mastodon:factory", "chat": "newsdesk.integrations.chat:factory"}


def _poster(name: str, settings: Settings, env: dict[str, str]) -> Poster | None:
    spec = BUILT_IN.get(name, name)
    module_name, _, attribute = spec.partition(":")
    if not attribute:
        log.warning('poster %r skipped: use "mastodon", "chat" or "package.module:factory"', name)
        return None
    try:
        factory: Callable[..., Poster | None] = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        log.warning("poster %r skipped: %s cannot be loaded (%s)", name, spec, exc)
        return None
    if name in BUILT_IN:  # the built-in posters read their secrets from the given environment
        return factory(settings, env)
    return factory(settings)


# --- what was delivered: rows of the store's audit log ---


def _history(store: Store) -> dict[tuple[str, str], list[str]]:
    from sqlalchemy import select

    from newsdesk.store.schema import audit

    out: dict[tuple[str, str], list[str]] = {}
    with store.begin() as conn:
        q = select(audit.c.detail).where(audit.c.action == AUDIT_ACTION).order_by(audit.c.id)
        for (detail,) in conn.execute(q):
            if isinstance(detail, dict) and "target" in detail and "key" in detail:
                out.setdefault((detail["target"], detail["key"]), []).append(str(detail.get("status")))
    return out


def _due(statuses: list[str] | None) -> bool:
    if not statuses:
        return True
    return statuses[-1] == "failed" and statuses.count("failed") < MAX_ROUNDS


def _record(store: Store, target: str, event: Event, status: str, **detail: Any) -> None:
    store.log_action(AUDIT_EDITOR, AUDIT_ACTION, event.story_id, {"target": target, "key": event.key, "status": status, **detail})


# --- delivery, off the publish ---

_pool: ThreadPoolExecutor | None = None
_pending: set[Future[None]] = set()


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:  # its threads finish their work before the interpreter exits
        _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="newsdesk-announce")
    return _pool


def wait(timeout: float | None = None) -> bool:
    """Wait for the deliveries in flight; False if some are still running after ``timeout``."""
    from concurrent.futures import wait as wait_for

    _, running = wait_for(list(_pending), timeout=timeout)
    return not running


def announce(store: Store, settings: Settings, environ: dict[str, str] | None = None) -> int:
    """Hand every undelivered event to the background; the number handed over."""
    config = settings.integrations
    if not config.webhooks and not config.posters:
        return 0
    targets = targets_of(settings, environ)
    if not targets:
        return 0
    news = news_of(store, settings)
    history = _history(store)
    handed = 0
    for target in targets:
        due = [e for e in target.events(news) if _due(history.get((target.name, e.key)))]
        due.sort(key=lambda e: e.when, reverse=True)
        limit = getattr(target, "limit", None)
        if limit is not None and len(due) > limit:
            # A first run over an old archive, or a flood: the newest only, the rest never.
            for event in due[limit:]:
                _record(store, target.name, event, "skipped", reason=f"more than max_posts_per_run ({limit}) at once")
            log.info("%s: %d older stories not posted (max_posts_per_run = %d)", target.name, len(due) - limit, limit)
            due = due[:limit]
        for event in reversed(due):  # oldest first, as they happened
            _record(store, target.name, event, "claimed")
            job = _executor().submit(_deliver, store, settings, target, event)
            _pending.add(job)
            job.add_done_callback(_pending.discard)
            handed += 1
    return handed


def _deliver(store: Store, settings: Settings, target: Target, event: Event) -> None:
    import httpx2

    config = settings.integrations
    error = ""
    attempts = 0
    with httpx2.Client(timeout=config.timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}) as client:
        for attempts in range(1, config.max_attempts + 1):
            try:
                target.deliver(event, client)
            except DeliveryError as exc:
                error = str(exc)
                if not exc.retry or attempts == config.max_attempts:
                    break
                pause = min(RETRY_BASE_SECONDS * 2 ** (attempts - 1), MAX_PAUSE_SECONDS)
                time.sleep(min(exc.after, MAX_PAUSE_SECONDS) if exc.after is not None else pause)
            except Exception as exc:  # a plug-in's own bug: recorded, never raised into the publish
                error = f"{type(exc).__name__}: {exc}"
                break
            else:
                _safely(_record, store, target.name, event, "sent", attempts=attempts)
                log.info("%s: %s delivered", target.name, event.key, extra={"event": "announced", "target": target.name})
                return
    _safely(_record, store, target.name, event, "failed", attempts=attempts, error=error[:300])
    log.warning(
        "%s: %s not delivered after %d attempt(s): %s",
        target.name,
        event.key,
        attempts,
        error,
        extra={"event": "announce_failed"},
    )


def _safely(record: Callable[..., None], *args: Any, **kwargs: Any) -> None:
    try:
        record(*args, **kwargs)
    except Exception as exc:  # the store went away (the process is ending): the log says what happened
        log.warning("delivery outcome not recorded: %s", exc)


def http_error(answer: Any, what: str) -> DeliveryError:
    """A non-2xx answer as a DeliveryError: 408, 429 and 5xx may be tried again."""
    status = int(answer.status_code)
    after = answer.headers.get("retry-after", "")
    return DeliveryError(
        f"{what} answered HTTP {status}",
        retry=status in (408, 425, 429) or status >= 500,
        after=float(after) if after.isdigit() else None,
    )


def post_json(client: Any, url: str, what: str, body: bytes, headers: dict[str, str]) -> None:
    """POST ``body``; a DeliveryError unless the answer is 2xx (a network error may be retried)."""
    import httpx2

    try:
        answer = client.post(url, content=body, headers={"Content-Type": "application/json", **headers})
    except httpx2.HTTPError as exc:
        raise DeliveryError(f"{what} unreachable: {type(exc).__name__}: {exc}", retry=True) from None
    if not 200 <= answer.status_code < 300:
        raise http_error(answer, what)


def stable_id(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
