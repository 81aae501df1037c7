"""Operators' routes: ``/healthz`` (is the store reachable) and ``/metrics`` (Prometheus' text
exposition format, version 0.0.4, written here: a dozen gauges need no client library).

Both read the store in a thread, never on the event loop, so a database that hangs delays
neither readers' pages nor the answer: ``/healthz`` says 503 after HEALTH_TIMEOUT seconds. The
counts behind ``/metrics`` are kept for METRICS_MAX_AGE seconds and computed by one scrape at a
time, so a scraper that calls too often costs one query set, not one each.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from newsdesk import __version__
from newsdesk.config import redact
from newsdesk.pipeline import Newsroom
from newsdesk.store.metrics import StoreCounts

PATHS = ("/healthz", "/metrics")
HEALTH_TIMEOUT = 3.0
METRICS_MAX_AGE = 5.0
EXPOSITION = "text/plain; version=0.0.4; charset=utf-8"


def _problem(exc: BaseException) -> str:
    """One line naming what failed, with any password in a URL replaced."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return redact(f"{type(exc).__name__}: {first}" if first else type(exc).__name__)[:300]


async def _in_thread(work: Callable[[], Any], timeout: float) -> Any:
    loop = asyncio.get_running_loop()
    return await asyncio.wait_for(loop.run_in_executor(None, work), timeout)


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _family(name: str, help_text: str, samples: Iterable[tuple[dict[str, str], float]], kind: str = "gauge") -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    for labels, value in samples:
        shown = ",".join(f'{k}="{_label(v)}"' for k, v in sorted(labels.items()))
        number = repr(float(value)) if not float(value).is_integer() else str(int(value))
        lines.append(f"{name}{{{shown}}} {number}" if shown else f"{name} {number}")
    return lines


def _by(label: str, counts: dict[str, int], always: Iterable[str] = ()) -> list[tuple[dict[str, str], float]]:
    merged = {**dict.fromkeys(always, 0), **counts}
    return [({label: key}, n) for key, n in sorted(merged.items())]


def exposition(counts: StoreCounts | None, store_kind: str, scrape_seconds: float) -> str:
    """The metrics page. ``counts`` None: the store did not answer (``newsdesk_store_up 0``)."""
    lines: list[str] = []
    lines += _family("newsdesk_build_info", "The newsdesk version serving these metrics.", [({"version": __version__}, 1)])
    lines += _family(
        "newsdesk_store_up",
        "1 when the store answered this scrape, else 0.",
        [({"backend": store_kind}, int(counts is not None))],
    )
    lines += _family(
        "newsdesk_metrics_scrape_seconds", "Seconds the store took to count these metrics.", [({}, round(scrape_seconds, 6))]
    )
    if counts is not None:
        lines += _family(
            "newsdesk_items_fetched", "Items fetched from the sources and stored (copies included).", [({}, counts.items)]
        )
        lines += _family("newsdesk_items_fetched_last_hour", "Items fetched in the last hour.", [({}, counts.items_last_hour)])
        lines += _family(
            "newsdesk_items_duplicates", "Stored items that are copies of an earlier one.", [({}, counts.duplicates)]
        )
        lines += _family("newsdesk_sources", "Sources by the status of their last fetch.", _by("status", counts.sources))
        lines += _family("newsdesk_stories", "Stories by status.", _by("status", counts.stories, ("open", "closed")))
        lines += _family(
            "newsdesk_articles",
            "Stories by their newest article version's state: published, or held (by the verifier or an editor).",
            _by("state", counts.articles, ("published", "held")),
        )
        lines += _family(
            "newsdesk_claims", "Claims of each story's newest verification, by verdict.", _by("verdict", counts.claims)
        )
        lines += _family(
            "newsdesk_newsletter_sends",
            "The newsletter's send log: one per issue and subscriber, by status.",
            _by("status", counts.sends),
        )
        lines += _family(
            "newsdesk_newsletter_subscribers", "Newsletter subscribers by status.", _by("status", counts.subscribers)
        )
        if counts.jobs is not None:
            lines += _family(
                "newsdesk_queue_jobs",
                "Jobs in the PostgreSQL queue by status (todo: waiting; doing: running).",
                _by("status", counts.jobs, ("todo", "doing")),
            )
    return "\n".join(lines) + "\n"


def routes(newsroom: Newsroom, wrap: Callable[[Any], Any] = lambda handler: handler) -> list[Route]:
    """The operators' routes, each handler passed through ``wrap`` (the app's parameter checks)."""
    store = newsroom.store
    kind = store.engine.dialect.name
    cached: dict[str, Any] = {"at": -METRICS_MAX_AGE, "text": ""}
    scraping = asyncio.Lock()

    async def healthz(request: Request) -> Response:
        started = time.perf_counter()
        try:
            await _in_thread(store.ping, HEALTH_TIMEOUT)
        except TimeoutError:
            problem = f"the store did not answer within {HEALTH_TIMEOUT:g} seconds"
        except Exception as exc:  # any driver error: say which, never a traceback
            problem = _problem(exc)
        else:
            seconds = round(time.perf_counter() - started, 4)
            return JSONResponse({"status": "ok", "store": kind, "seconds": seconds}, headers={"Cache-Control": "no-store"})
        return JSONResponse(
            {"status": "unavailable", "store": kind, "problem": problem}, status_code=503, headers={"Cache-Control": "no-store"}
        )

    async def metrics(request: Request) -> Response:
        async with scraping:
            if time.monotonic() - cached["at"] >= METRICS_MAX_AGE:
                started = time.perf_counter()
                try:
                    counts: StoreCounts | None = await _in_thread(store.counts, HEALTH_TIMEOUT * 10)
                except Exception:  # the store is down or slow: say so in the metrics themselves
                    counts = None
                cached["text"] = exposition(counts, kind, time.perf_counter() - started)
                cached["at"] = time.monotonic() if counts is not None else -METRICS_MAX_AGE
        return PlainTextResponse(cached["text"], media_type=EXPOSITION, headers={"Cache-Control": "no-store"})

    return [Route("/healthz", wrap(healthz), methods=["GET"]), Route("/metrics", wrap(metrics), methods=["GET"])]
