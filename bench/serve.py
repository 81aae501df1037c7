"""`newsdesk serve` under load: article pages and feedback POSTs at 10, 50 and 200 concurrent
clients, beside the same pages served as plain static files by the same server software
(uvicorn + Starlette's StaticFiles, nothing else) as the reference, in one run.

    python bench/serve.py                  # SQLite (WAL)
    python bench/serve.py --postgres       # the store on a throwaway PostgreSQL server

The demo newsroom is built first; the app runs as `newsdesk serve` in its own process (the
load generator, async httpx2, in this one), on this 2-core machine. Every accepted feedback POST
(303) is counted and compared with the rows stored: accepted = stored, none lost (the POSTs are
error reports: helpful votes from one client collapse into one vote per reader).

Then pages while feedback is written: article pages at 10 connections alone, and again while 50
more connections post feedback (goal: at least half the idle rate). Where nginx and wrk are
installed, wrk cross-checks against nginx serving the same site files (one worker process, as
the app has): requests/s, the server's CPU per page, and (with py-spy on PATH or --py-spy) the
app's own functions that take the time.

Search under load (10,000 articles, 50 clients, p99) has a bench of its own: bench/search.py.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import demo_newsroom, free_port

STATIC = (
    "import sys, uvicorn; from starlette.applications import Starlette; from starlette.routing import Mount; "
    "from starlette.staticfiles import StaticFiles; "
    "uvicorn.run(Starlette(routes=[Mount('/', app=StaticFiles(directory=sys.argv[1], html=True))]), "
    "host='127.0.0.1', port=int(sys.argv[2]), log_level='warning')"
)


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


REPORT = {"kind": "report", "sentence": "1", "reason": "other", "comment": "bench"}


def while_writing(app_port: int, page: str, story: int, seconds: float) -> int:
    """Article pages at 10 connections, alone and while 50 connections post feedback; the POSTs accepted."""
    page_url = f"http://127.0.0.1:{app_port}/articles/{page}"
    feedback_url = f"http://127.0.0.1:{app_port}/feedback/{story}"

    async def both() -> tuple[tuple[int, list[float], int], tuple[int, list[float], int]]:
        pages, posts = await asyncio.gather(load(page_url, 10, seconds, None), load(feedback_url, 50, seconds, REPORT))
        return pages, posts

    idle_done, idle_latencies, _ = run_loop(load(page_url, 10, seconds, None))
    (done, latencies, _), (posted, post_latencies, accepted) = run_loop(both())
    print(f"\nPages while feedback is written ({seconds:.0f} s per line)\n")
    print(f"{'what':34} {'clients':>7} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    print(line("article page, idle", 10, idle_done, idle_latencies, seconds))
    print(line("article page, while 50 post", 10, done, latencies, seconds))
    print(line("feedback POST, meanwhile", 50, posted, post_latencies, seconds))
    print(f"pages while writing: {done / max(idle_done, 1):.2f}x the idle rate (goal: at least 0.50x)")
    return accepted


NGINX = """worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    include /etc/nginx/mime.types;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    server {{ listen 127.0.0.1:{port}; root {site}; }}
}}
"""


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url: str, seconds: float, pid: int) -> tuple[float, str, float]:
    """(requests/s, p99 latency, server CPU µs per request) from wrk -t1 -c10."""
    before = cpu_seconds(pid)
    out = subprocess.run(
        ["wrk", "-t1", "-c10", f"-d{max(1, int(seconds))}s", "--latency", url], capture_output=True, text=True, check=True
    ).stdout
    cpu = cpu_seconds(pid) - before
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    return rate, p99, cpu / max(total, 1) * 1e6


def cross_check(site: str, app: subprocess.Popen[bytes], app_port: int, page: str, args: argparse.Namespace) -> None:
    """The same article page from nginx and from the app, both loaded by wrk."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not (nginx and shutil.which("wrk")):
        print("\n(nginx or wrk not installed: no cross-check)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        conf = Path(tmp, "nginx.conf")
        conf.write_text(NGINX.format(tmp=tmp, port=port, site=site))
        server = subprocess.Popen([nginx, "-c", str(conf), "-p", tmp], stderr=subprocess.PIPE)
        try:
            wait_up(f"http://127.0.0.1:{port}/articles/{page}", server)
            print(f"\nCross-check with wrk (1 thread, 10 connections, {args.seconds:.0f} s), the same article page\n")
            print(f"{'server':34} {'req/s':>9} {'p99':>9} {'CPU µs/page':>12}")
            worker = int(subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()[0])
            ng = wrk(f"http://127.0.0.1:{port}/articles/{page}", args.seconds, worker)
            print(f"{'nginx (1 worker)':34} {ng[0]:>9.0f} {ng[1]:>9} {ng[2]:>12.0f}")
            spy = None
            if args.py_spy:
                raw = Path(tmp, "profile.txt")
                spy = subprocess.Popen(
                    [args.py_spy, "record", "--pid", str(app.pid), "--format", "raw", "--output", str(raw), "--nonblocking"],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                time.sleep(1)
            ours = wrk(f"http://127.0.0.1:{app_port}/articles/{page}", args.seconds, app.pid)
            print(f"{'newsdesk serve':34} {ours[0]:>9.0f} {ours[1]:>9} {ours[2]:>12.0f}")
            print(f"newsdesk serve: {ours[0] / ng[0]:.2f}x nginx's rate, {ours[2] / max(ng[2], 1):.1f}x its CPU per page")
            if spy is not None:
                spy.send_signal(2)  # py-spy writes its profile on SIGINT
                spy.wait(30)
                where_the_time_goes(Path(tmp, "profile.txt"))
        finally:
            server.terminate()
            server.wait(10)


def where_the_time_goes(raw: Path) -> None:
    """The app's samples under wrk, by the code they were in (py-spy's collapsed stacks)."""
    if not raw.exists():
        print("(py-spy wrote no profile)")
        return
    areas = {
        "uvicorn (HTTP parsing, protocol)": ("uvicorn/",),
        "starlette (routing, responses)": ("starlette/",),
        "newsdesk (pages, middleware)": ("newsdesk/",),
        "asyncio / uvloop (event loop, sockets)": ("asyncio/", "uvloop", "selectors.py"),
    }
    totals: collections.Counter[str] = collections.Counter()
    leaves: collections.Counter[str] = collections.Counter()
    for entry in raw.read_text().splitlines():
        stack, _, count = entry.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        leaf = frames[-1]
        area = next((a for a, keys in areas.items() if any(k in leaf for k in keys)), "other (stdlib, C)")
        totals[area] += int(count)
        leaves[re.sub(r" \(.*?/(site-packages/|lib/python3\.\d+/|src/)", " (", leaf)] += int(count)
    busy = sum(totals.values()) or 1
    print("\nWhere the app's time goes under wrk (py-spy samples, by the code running):")
    for area, n in totals.most_common():
        print(f"  {n / busy:6.1%}  {area}")
    print("  top functions:")
    for leaf, n in leaves.most_common(8):
        print(f"  {n / busy:6.1%}  {leaf}")


def line(name: str, clients: int, done: int, latencies: list[float], seconds: float) -> str:
    q = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [latencies[0]] * 99
    return f"{name:34} {clients:>7} {done / seconds:>9.0f} {q[49]:>8.1f} {q[98]:>8.1f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--postgres", action="store_true", help="the store on a throwaway PostgreSQL server")
    ap.add_argument(
        "--py-spy", default=shutil.which("py-spy") or "", help="py-spy to profile the app under wrk (default: on PATH)"
    )
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
        # The app's log (a line per stored feedback) to a file: an unread pipe would fill and stall it.
        app_log = (room.path / "serve.log").open("wb")
        app = subprocess.Popen(
            [sys.executable, "-m", "newsdesk.cli", "serve", "--port", str(app_port), "--dir", str(room.path)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=app_log,
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
                    ("feedback POST, newsdesk serve", f"http://127.0.0.1:{app_port}/feedback/{story}", REPORT),
                ):
                    done, latencies, accepted = run_loop(load(url, clients, args.seconds, post))
                    total_accepted += accepted
                    print(line(name, clients, done, latencies, args.seconds))
            total_accepted += while_writing(app_port, page, story, args.seconds)
            cross_check(site, app, app_port, page, args)
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
