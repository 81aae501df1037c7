"""`newsdesk serve` under load: article pages and feedback POSTs at 10, 50 and 200 concurrent
clients, beside the same pages served as plain static files by the same server software
(uvicorn + Starlette's StaticFiles, nothing else) as the reference, in one run.

    python bench/serve.py                  # SQLite (WAL)
    python bench/serve.py --postgres       # the store on a throwaway PostgreSQL server

The demo newsroom is built first; the app runs as `newsdesk serve` in its own process (the
load generator, async httpx2, in this one), on this 2-core machine. Every accepted feedback POST
(303) is counted and compared with the rows stored: accepted = stored, none lost.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import demo_newsroom

STATIC = (
    "import sys, uvicorn; from starlette.applications import Starlette; from starlette.routing import Mount; "
    "from starlette.staticfiles import StaticFiles; "
    "uvicorn.run(Starlette(routes=[Mount('/', app=StaticFiles(directory=sys.argv[1], html=True))]), "
    "host='127.0.0.1', port=int(sys.argv[2]), log_level='warning')"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server at {url} exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            httpx2.get(url, timeout=1)
            return
        except httpx2.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


async def load(url: str, clients: int, seconds: float, post: dict[str, str] | None) -> tuple[int, list[float], int]:
    """(requests done, latencies in ms, accepted POSTs) for ``clients`` keep-alive connections
    looping for ``seconds``. A bare HTTP/1.1 client on asyncio streams: the load generator shares
    the 2 cores with the server, and a full client library spent more CPU than the server measured."""
    from urllib.parse import urlencode, urlsplit

    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    if post is None:
        request = f"GET {parts.path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    else:
        body = urlencode(post).encode()
        request = (
            f"POST {parts.path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode() + body
    latencies: list[float] = []
    accepted = 0
    stop = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal accepted
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.monotonic() < stop:
                started = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
                await reader.readexactly(int(length.group(1)) if length else 0)
                if post is None:
                    assert status == 200, status
                else:
                    assert status in (303, 429), status
                    accepted += status == 303
                latencies.append((time.perf_counter() - started) * 1000)
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(clients)))
    return len(latencies), latencies, accepted


def run_loop(job):  # type: ignore[no-untyped-def]
    try:
        import uvloop

        return uvloop.run(job)
    except ImportError:
        return asyncio.run(job)


def line(name: str, clients: int, done: int, latencies: list[float], seconds: float) -> str:
    q = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [latencies[0]] * 99
    return f"{name:34} {clients:>7} {done / seconds:>9.0f} {q[49]:>8.1f} {q[98]:>8.1f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--postgres", action="store_true", help="the store on a throwaway PostgreSQL server")
    args = ap.parse_args()
    if args.postgres:
        from common import temporary_postgres

        with temporary_postgres() as url:
            os.environ["NEWSDESK_STORE__URL"] = url
            bench(args)
    else:
        bench(args)


def bench(args: argparse.Namespace) -> None:
    env = {**os.environ, "NEWSDESK_SERVICE__FEEDBACK_PER_MINUTE": "1000000"}
    with demo_newsroom() as (room, _):
        room.close()
        app_port, static_port = free_port(), free_port()
        app = subprocess.Popen(
            [sys.executable, "-m", "newsdesk.cli", "serve", "--port", str(app_port), "--dir", str(room.path)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        wait_up(f"http://127.0.0.1:{app_port}/index.html", app)
        site = str(room.site_dir.resolve())  # the build `newsdesk serve` just published
        static = subprocess.Popen([sys.executable, "-c", STATIC, site, str(static_port)], stderr=subprocess.PIPE)
        try:
            wait_up(f"http://127.0.0.1:{static_port}/index.html", static)
            page = next(p.name for p in sorted(Path(site, "articles").glob("*.html")))
            story = int(page.split("-")[1].split(".")[0])
            store = "PostgreSQL" if args.postgres else "SQLite (WAL)"
            print(f"newsdesk serve under load, {args.seconds:.0f} s per line, store {store}\n")
            print(f"{'what':34} {'clients':>7} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
            total_accepted = 0
            for clients in (10, 50, 200):
                for name, url, post in (
                    ("article page, static reference", f"http://127.0.0.1:{static_port}/articles/{page}", None),
                    ("article page, newsdesk serve", f"http://127.0.0.1:{app_port}/articles/{page}", None),
                    (
                        "feedback POST, newsdesk serve",
                        f"http://127.0.0.1:{app_port}/feedback/{story}",
                        {"kind": "helpful", "helpful": "1", "comment": "bench"},
                    ),
                ):
                    done, latencies, accepted = run_loop(load(url, clients, args.seconds, post))
                    total_accepted += accepted
                    print(line(name, clients, done, latencies, args.seconds))
        finally:
            app.terminate()
            static.terminate()
            app.wait(10)
            static.wait(10)
        from newsdesk.pipeline import open_newsroom

        reopened = open_newsroom(room.path)
        try:
            stored = sum(1 for r in reopened.store.feedback_rows(story) if r["comment"] == "bench")
        finally:
            reopened.close()
        lost = total_accepted - stored
        print(f"\nFeedback POSTs accepted: {total_accepted:,}; stored: {stored:,}; lost: {lost}")


if __name__ == "__main__":
    main()
