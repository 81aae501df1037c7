"""The fetcher against real loopback HTTP servers."""

import asyncio
import time
from datetime import UTC

import pytest
from werkzeug import Response

from newsdesk.config import HttpSettings
from newsdesk.infra.http import Fetcher, FetchError, parse_retry_after

FAST = HttpSettings(
    connect_timeout=2,
    read_timeout=1.5,
    total_timeout=3,
    backoff_base=0.01,
    max_retry_after=5,
    max_bytes=1_000_000,
    allow_private=["127.0.0.0/8"],  # the loopback test servers
)


def fetch(url, settings=FAST, **kw):
    async def go():
        async with Fetcher(settings) as f:
            return await f.get(url, **kw), f.requests_sent

    return asyncio.run(go())


def test_conditional_get_sends_validators_and_sees_304(httpserver):
    httpserver.expect_request("/feed", headers={"If-None-Match": '"v1"'}).respond_with_data("", status=304)
    httpserver.expect_request("/feed").respond_with_data("<rss/>", headers={"ETag": '"v1"'})
    first, _ = fetch(httpserver.url_for("/feed"))
    assert first.status == 200 and first.headers["etag"] == '"v1"'
    second, _ = fetch(httpserver.url_for("/feed"), etag='"v1"')
    assert second.not_modified and second.content == b""


def test_retries_5xx_then_succeeds(httpserver):
    calls = []

    def handler(request):
        calls.append(time.monotonic())
        if len(calls) < 3:
            return Response("busy", status=503)
        return Response("ok")

    httpserver.expect_request("/flaky").respond_with_handler(handler)
    result, sent = fetch(httpserver.url_for("/flaky"))
    assert result.content == b"ok" and result.attempts == 3 and sent == 3


def test_retry_after_is_honoured(httpserver):
    calls = []

    def handler(request):
        calls.append(time.monotonic())
        if len(calls) == 1:
            return Response("slow down", status=429, headers={"Retry-After": "1"})
        return Response("ok")

    httpserver.expect_request("/limited").respond_with_handler(handler)
    result, _ = fetch(httpserver.url_for("/limited"))
    assert result.content == b"ok"
    assert calls[1] - calls[0] >= 0.95


def test_retry_after_beyond_limit_fails_fast(httpserver):
    httpserver.expect_request("/later").respond_with_data("no", status=503, headers={"Retry-After": "3600"})
    started = time.monotonic()
    with pytest.raises(FetchError, match="retry after 3600 s"):
        fetch(httpserver.url_for("/later"))
    assert time.monotonic() - started < 2


def test_gives_up_after_max_retries(httpserver):
    httpserver.expect_request("/down").respond_with_data("err", status=500)
    with pytest.raises(FetchError, match=r"HTTP 500 .*gave up after 4 attempts"):
        fetch(httpserver.url_for("/down"))


def test_404_is_not_retried(httpserver):
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch(httpserver.url_for("/gone"))
    assert len(httpserver.log) == 1


def test_hanging_server_times_out(httpserver):
    def hang(request):
        time.sleep(5)
        return Response("late")

    httpserver.expect_request("/hang").respond_with_handler(hang)
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out|did not finish"):
        fetch(httpserver.url_for("/hang"))
    assert time.monotonic() - started < 4.5


def test_trickling_server_hits_total_deadline(httpserver):
    def trickle(request):
        def body():
            for _ in range(40):
                time.sleep(0.2)
                yield b"<"

        return Response(body(), content_type="application/xml")

    httpserver.expect_request("/trickle").respond_with_handler(trickle)
    settings = FAST.model_copy(update={"total_timeout": 1.5})
    started = time.monotonic()
    with pytest.raises(FetchError, match="did not finish within"):
        fetch(httpserver.url_for("/trickle"), settings)
    assert time.monotonic() - started < 3


def test_huge_response_with_content_length(httpserver):
    httpserver.expect_request("/huge").respond_with_data(b"x" * 10_000_000)
    with pytest.raises(FetchError, match="too large"):
        fetch(httpserver.url_for("/huge"))


def test_huge_streamed_response_without_length(httpserver):
    def stream(request):
        def body():
            for _ in range(100):
                yield b"y" * 100_000

        return Response(body(), content_type="application/xml")

    httpserver.expect_request("/stream").respond_with_handler(stream)
    with pytest.raises(FetchError, match="too large"):
        fetch(httpserver.url_for("/stream"))


def test_connection_refused_is_clear():
    with pytest.raises(FetchError, match="cannot connect"):
        fetch("http://127.0.0.1:9/feed", FAST.model_copy(update={"max_retries": 1}))


def test_robots_txt_disallow(httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private/\n")
    httpserver.expect_request("/public/a").respond_with_data("fine")
    with pytest.raises(FetchError, match="robots.txt"):
        fetch(httpserver.url_for("/private/a"), check_robots=True)
    result, _ = fetch(httpserver.url_for("/public/a"), check_robots=True)
    assert result.content == b"fine"
    assert not any(r.path == "/private/a" for r, _ in httpserver.log)


def test_robots_txt_unreachable_means_disallow(httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data("oops", status=500)
    with pytest.raises(FetchError, match="robots.txt"):
        fetch(httpserver.url_for("/page"), check_robots=True)


def test_user_agent_is_descriptive(httpserver):
    httpserver.expect_request("/ua").respond_with_data("ok")
    fetch(httpserver.url_for("/ua"))
    request, _ = httpserver.log[-1]
    assert request.headers["User-Agent"].startswith("newsdesk/")


def test_per_host_concurrency_limit(httpserver):
    import threading

    active, peak, lock = [0], [0], threading.Lock()

    def slow(request):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.2)
        with lock:
            active[0] -= 1
        return Response("ok")

    httpserver.expect_request("/slow").respond_with_handler(slow)

    async def go():
        async with Fetcher(FAST.model_copy(update={"per_host_concurrency": 2})) as f:
            await asyncio.gather(*(f.get(httpserver.url_for("/slow")) for _ in range(6)))

    asyncio.run(go())
    assert peak[0] == 2


def test_parse_retry_after():
    from datetime import datetime

    now = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120
    assert parse_retry_after("Sun, 01 Mar 2026 12:00:30 GMT", now) == 30
    assert parse_retry_after("garbage") is None
    assert parse_retry_after(None) is None


def test_hosts_with_a_rate_limit_are_paced(httpserver):
    times = []

    def handler(request):
        times.append(time.monotonic())
        return Response("ok")

    httpserver.expect_request("/api").respond_with_handler(handler)
    settings = FAST.model_copy(update={"host_rate_limits": {"127.0.0.1": 10.0}, "per_host_concurrency": 8})

    async def many():
        async with Fetcher(settings) as fetcher:
            fetcher.clock = lambda: 1000.0  # a fake clock that stands still: pacing is checked exactly, under any load
            waits: list[float] = []

            async def sleep(seconds: float) -> None:
                waits.append(round(seconds, 6))
                await asyncio.sleep(0)

            fetcher.sleep = sleep
            await asyncio.gather(*(fetcher.get(httpserver.url_for("/api")) for _ in range(6)))
            return waits

    waits = asyncio.run(many())
    # 10 requests per second: the second waits 0.1 s for its slot, the sixth 0.5 s (the clock stood still).
    assert len(times) == 6 and sorted(waits) == [0.1, 0.2, 0.3, 0.4, 0.5]
    times.clear()
    asyncio.run(_unpaced(httpserver))  # a host not listed is not paced
    assert len(times) == 6 and times[-1] - times[0] < 0.3


async def _unpaced(httpserver):
    async with Fetcher(FAST.model_copy(update={"per_host_concurrency": 8})) as fetcher:
        await asyncio.gather(*(fetcher.get(httpserver.url_for("/api")) for _ in range(6)))


def test_a_spent_budget_holds_the_hosts_next_request(httpserver):
    httpserver.expect_request("/a").respond_with_data("ok", headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "3600"})
    httpserver.expect_request("/b").respond_with_data("ok")

    async def two():
        async with Fetcher(FAST) as fetcher:
            await fetcher.get(httpserver.url_for("/a"))
            await fetcher.get(httpserver.url_for("/b"))

    with pytest.raises(FetchError, match="rate limit is spent for 3600 s") as caught:
        asyncio.run(two())
    assert caught.value.rate_limited
    sent = [r.path for r, _ in httpserver.log]
    assert "/a" in sent and "/b" not in sent  # the second request was never sent


def test_unresolvable_host_says_so_not_robots(tmp_path):
    """robots.txt was never fetched: the error is the DNS failure, not a disallow."""
    with pytest.raises(FetchError) as caught:
        fetch("https://nosuch-newsdesk-host.invalid/news/", FAST.model_copy(update={"max_retries": 0}), check_robots=True)
    message = str(caught.value)
    assert "cannot resolve 'nosuch-newsdesk-host.invalid'" in message and "disallows" not in message


def test_refused_connection_for_robots_says_so():
    from socket import socket

    with socket() as s:  # a port nothing listens on once closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(FetchError) as caught:
        fetch(f"http://127.0.0.1:{port}/news/", FAST.model_copy(update={"max_retries": 0}), check_robots=True)
    message = str(caught.value)
    assert message.startswith("cannot connect to 127.0.0.1") and "disallows" not in message
