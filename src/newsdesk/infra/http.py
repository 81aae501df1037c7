"""Polite async HTTP: per-host concurrency, timeouts, size limits, retries that honour
Retry-After, conditional GET, robots.txt, and an RFC 9111 cache (hishel) for pages."""

from __future__ import annotations

import asyncio
import email.utils
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2
from protego import Protego
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from newsdesk.config import HttpSettings
from newsdesk.infra.egress import EgressGuard, EgressRefused, PinnedBackend
from newsdesk.infra.urls import host_of

RETRY_STATUSES = {429, 500, 502, 503, 504}


class FetchError(Exception):
    """A fetch that failed for good; the message is meant for the user. ``status`` and
    ``headers`` are the server's answer when there was one (an API client tells 404 from 401)."""

    def __init__(
        self, message: str, status: int | None = None, headers: dict[str, str] | None = None, rate_limited: bool = False
    ):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}
        self.rate_limited = rate_limited  # the host's published request budget is spent


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class FetchResult:
    url: str
    status: int
    content: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    from_cache: bool = False
    attempts: int = 1

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class Fetcher:
    """One per run. Use as ``async with Fetcher(settings) as f: await f.get(url)``."""

    def __init__(self, settings: HttpSettings, cache_path: Path | None = None):
        self.settings = settings
        self.cache_path = cache_path
        self._global = asyncio.Semaphore(settings.max_concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._robots: dict[str, Protego | None] = {}
        # Why a site's robots.txt could not be read (no DNS answer, refused, 5xx): RFC 9309 says
        # disallow, and the error then says what really happened, not "robots.txt disallows".
        self._robots_problem: dict[str, str] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._pace_locks: dict[str, asyncio.Lock] = {}
        self._next_slot: dict[str, float] = {}
        self.requests_sent = 0
        self.guard = EgressGuard(settings.allow_private)
        # Pacing reads the time and waits through these two: a test can give the fetcher a fake clock.
        self.clock: Callable[[], float] = lambda: asyncio.get_running_loop().time()
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        timeout = httpx2.Timeout(s.read_timeout, connect=s.connect_timeout)
        guard = self.guard

        async def egress(request: httpx2.Request) -> None:  # every request and every redirect hop
            try:
                await guard.check(
                    request.url.host, request.url.port or (443 if request.url.scheme == "https" else 80), str(request.url)
                )
            except EgressRefused as exc:
                raise FetchError(str(exc)) from None

        options: dict[str, Any] = dict(
            timeout=timeout,
            follow_redirects=True,
            max_redirects=5,
            headers={"User-Agent": s.user_agent, "Accept-Encoding": "gzip, deflate"},
            event_hooks={"request": [egress]},
        )
        # Feeds go through a plain client: newsdesk keeps their validators in the store itself,
        # so a 304 is seen as "unchanged". Pages and robots.txt go through the RFC 9111 cache.
        self._plain = httpx2.AsyncClient(transport=_pinned_transport(guard), **options)
        self._cached = self._plain
        if self.cache_path is not None:
            from hishel import AsyncSqliteStorage
            from hishel.httpx2 import AsyncCacheTransport

            storage = AsyncSqliteStorage(database_path=str(self.cache_path))
            cache = AsyncCacheTransport(next_transport=_pinned_transport(guard), storage=storage, rfc=True)
            self._cached = httpx2.AsyncClient(transport=cache, **options)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._plain.aclose()
        if self._cached is not self._plain:
            await self._cached.aclose()

    def _host_semaphore(self, url: str) -> asyncio.Semaphore:
        host = host_of(url)
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(self.settings.per_host_concurrency)
        return self._hosts[host]

    async def _pace(self, url: str) -> None:
        """Space requests to a host: at its configured rate (requests per second), and not before
        its rate-limit window resets when an earlier answer said the budget was spent."""
        host = host_of(url)
        rate = self.settings.host_rate_limits.get(host) or self.settings.host_rate_limits.get(urlsplit(url).hostname or "")
        if not rate and host not in self._next_slot:
            return
        async with self._pace_locks.setdefault(host, asyncio.Lock()):
            now = self.clock()
            slot = max(now, self._next_slot.get(host, now))
            if slot - now > self.settings.max_retry_after:
                raise FetchError(
                    f"{host}'s rate limit is spent for {slot - now:.0f} s more (more than http.max_retry_after = "
                    f"{self.settings.max_retry_after:.0f} s); set a token or run again later",
                    rate_limited=True,
                )
            self._next_slot[host] = slot + (1.0 / rate if rate else 0.0)
        if slot > now:
            await self.sleep(slot - now)

    def _note_budget(self, url: str, headers: dict[str, str]) -> None:
        """An answer saying no requests are left (x-ratelimit-remaining < 1) holds the host's
        next request until the window resets."""
        wait = budget_reset_wait(headers)
        if wait:
            host = host_of(url)
            until = asyncio.get_running_loop().time() + wait
            self._next_slot[host] = max(self._next_slot.get(host, 0.0), until)

    async def get(
        self,
        url: str,
        *,
        accept: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        check_robots: bool = False,
        cached: bool = False,
        headers: dict[str, str] | None = None,
    ) -> FetchResult:
        """GET with every politeness rule applied. Raises FetchError with a readable reason."""
        if check_robots and self.settings.respect_robots and not await self.allowed(url):
            problem = self._robots_problem.get(_site_root(url))
            raise FetchError(problem or f"robots.txt of {host_of(url)} disallows {url}")
        headers = dict(headers or {})
        if accept:
            headers["Accept"] = accept
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        s = self.settings

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            if isinstance(exc, _Retryable) and exc.retry_after is not None:
                return float(exc.retry_after)
            return float(s.backoff_base * (2 ** (state.attempt_number - 1)) * (0.5 + random.random()))

        attempts = 0
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(s.max_retries + 1),
                wait=wait,
                retry=retry_if_exception_type(_Retryable),
                reraise=True,
            ):
                with attempt:
                    attempts += 1
                    await self._pace(url)
                    async with self._global, self._host_semaphore(url):
                        result = await self._get_once(url, headers, self._cached if cached else self._plain)
                    result.attempts = attempts
                    if not result.from_cache:
                        self._note_budget(url, result.headers)
                    return result
        except _Retryable as exc:
            raise FetchError(f"{exc} (gave up after {attempts} attempts)") from None
        raise AssertionError("unreachable")

    async def _get_once(self, url: str, headers: dict[str, str], client: httpx2.AsyncClient) -> FetchResult:
        s = self.settings
        try:
            async with asyncio.timeout(s.total_timeout):
                self.requests_sent += 1
                async with client.stream("GET", url, headers=headers) as response:
                    status = response.status_code
                    spent = _rate_limit_spent(status, response.headers)
                    if spent is not None:
                        if spent > s.max_retry_after:
                            raise FetchError(
                                f"HTTP {status} from {url}: the API's rate limit is spent for {spent:.0f} s more "
                                f"(more than http.max_retry_after = {s.max_retry_after:.0f} s); "
                                "set a token or run again later",
                                status,
                                {k.lower(): v for k, v in response.headers.items()},
                                rate_limited=True,
                            )
                        raise _Retryable(f"HTTP {status} from {url} (rate limit spent)", spent)
                    if status in RETRY_STATUSES:
                        retry_after = parse_retry_after(response.headers.get("retry-after"))
                        if retry_after is not None and retry_after > s.max_retry_after:
                            raise FetchError(
                                f"HTTP {status} from {url}: server asks to retry after {retry_after:.0f} s "
                                f"(more than http.max_retry_after = {s.max_retry_after:.0f} s)"
                            )
                        raise _Retryable(f"HTTP {status} from {url}", retry_after)
                    declared = response.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > s.max_bytes:
                        raise FetchError(_too_large(url, s.max_bytes, int(declared)))
                    chunks: list[bytes] = []
                    size = 0
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > s.max_bytes:
                            raise FetchError(_too_large(url, s.max_bytes, None))
                        chunks.append(chunk)
                    if status >= 400:
                        raise FetchError(f"HTTP {status} from {url}", status, {k.lower(): v for k, v in response.headers.items()})
                    caching = response.extensions.get("caching")
                    return FetchResult(
                        url=str(response.url),
                        status=status,
                        content=b"".join(chunks),
                        headers={k.lower(): v for k, v in response.headers.items()},
                        from_cache=bool(getattr(caching, "from_cache", False)),
                    )
        except TimeoutError:
            raise FetchError(f"{url} did not finish within {s.total_timeout:.0f} s (http.total_timeout)") from None
        except httpx2.TimeoutException:
            raise FetchError(f"{url} timed out (no data for {s.read_timeout:.0f} s, http.read_timeout)") from None
        except httpx2.ConnectError as exc:
            raise _Retryable(f"cannot connect to {host_of(url)}: {exc or 'connection refused'}") from None
        except EgressRefused as exc:
            raise FetchError(str(exc)) from None
        except httpx2.TooManyRedirects:
            raise FetchError(f"{url} redirects too many times") from None
        except httpx2.HTTPError as exc:
            raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from None

    async def allowed(self, url: str) -> bool:
        """robots.txt check (RFC 9309: 4xx means allow all, unreachable means disallow)."""
        root = _site_root(url)
        lock = self._robots_locks.setdefault(root, asyncio.Lock())
        async with lock:
            if root not in self._robots:
                self._robots[root] = await self._load_robots(root)
        rules = self._robots[root]
        if rules is None:
            return False
        return rules.can_fetch(url, "newsdesk")

    async def _load_robots(self, root: str) -> Protego | None:
        """robots.txt, streamed and cut at ROBOTS_BYTES of decoded text (a gzip bomb stops there),
        never kept on disk. None when it cannot be read; the reason is kept for the error."""
        host = host_of(root)
        try:
            async with asyncio.timeout(self.settings.total_timeout):
                async with self._global, self._host_semaphore(root):
                    self.requests_sent += 1
                    async with self._plain.stream("GET", f"{root}/robots.txt") as response:
                        status = response.status_code
                        body = bytearray()
                        if status < 400:
                            async for chunk in response.aiter_bytes():
                                body += chunk
                                if len(body) >= ROBOTS_BYTES:
                                    break
        except TimeoutError:
            return self._robots_unread(
                root, f"{host} did not answer within {self.settings.total_timeout:.0f} s (http.total_timeout)"
            )
        except httpx2.TimeoutException:
            return self._robots_unread(root, f"{host} timed out (http.connect_timeout, http.read_timeout)")
        except httpx2.ConnectError as exc:
            return self._robots_unread(root, f"cannot connect to {host}: {exc or 'connection refused'}")
        except (FetchError, EgressRefused) as exc:  # no DNS answer, or an address the guard refuses
            return self._robots_unread(root, str(exc))
        except httpx2.HTTPError as exc:
            return self._robots_unread(root, f"{root}/robots.txt: {type(exc).__name__}: {exc}")
        if 400 <= status < 500:
            return Protego.parse("")
        if status >= 500:
            return self._robots_unread(
                root, f"robots.txt of {host} answered HTTP {status}: the site is not read until it answers (RFC 9309)"
            )
        return Protego.parse(bytes(body[:ROBOTS_BYTES]).decode("utf-8", "replace"))

    def _robots_unread(self, root: str, problem: str) -> Protego | None:
        """None (disallow, RFC 9309), the reason kept for the error the fetch raises."""
        self._robots_problem[root] = problem
        return None


def _site_root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _pinned_transport(guard: EgressGuard) -> httpx2.AsyncHTTPTransport:
    """A transport whose connections go to the address the egress guard checked."""
    transport = httpx2.AsyncHTTPTransport(retries=0)
    # httpx takes no network backend as an argument; its pool does (httpcore's documented hook).
    transport._pool._network_backend = PinnedBackend(guard)
    return transport


ROBOTS_BYTES = 500_000  # Google reads 500 KiB of a robots.txt; so do we


def budget_reset_wait(headers: Mapping[str, str]) -> float | None:
    """Seconds until a spent rate-limit window resets, when ``x-ratelimit-remaining`` says no
    request is left; ``x-ratelimit-reset`` is an epoch time (GitHub) or seconds from now (Reddit)."""
    try:
        if float(headers.get("x-ratelimit-remaining", "1")) >= 1:
            return None
        reset = float(headers.get("x-ratelimit-reset", "60"))
    except ValueError:
        return None
    return max(0.0, reset - datetime.now(UTC).timestamp()) if reset > 1e9 else reset


def _rate_limit_spent(status: int, headers: Mapping[str, str]) -> float | None:
    """Seconds to wait when a 403/429 answer says the API's rate limit is spent (Retry-After
    first, then the rate-limit headers)."""
    if status not in (403, 429):
        return None
    wait = budget_reset_wait(headers)
    if wait is None:
        return None
    retry_after = parse_retry_after(headers.get("retry-after"))
    return retry_after if retry_after is not None else wait


def _too_large(url: str, limit: int, declared: int | None) -> str:
    size = f"{declared:,} bytes" if declared else "more"
    return f"{url} is too large ({size}; limit http.max_bytes = {limit:,})"
