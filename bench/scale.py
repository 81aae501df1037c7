"""The pipeline on workers: a generated corpus (F feeds × 100 items) from loopback to published
pages, with 1, 2 and 4 `newsdesk worker` processes on PostgreSQL (Procrastinate), and the
single-process SQLite `newsdesk run` as the reference, side by side; then 2 workers with one of
them killed (kill -9) every 10 s and replaced. Each result is compared with the reference:
same articles citing the same sources, nothing lost or duplicated.

    python bench/scale.py                 # 40 feeds × 100 items (4,000 items)
    python bench/scale.py --feeds 200 --workers 1,2 --no-kills   # 20,000 items (≈ 30 minutes on 2 cores)

Each feed is on its own loopback address (127.0.0.2, 127.0.0.3, …), so per-host politeness
applies per feed and does not serialise them; settings are the defaults otherwise. CPU is the newsdesk processes' user +
system time (the reference's own process; the workers' and the scheduler's), not PostgreSQL's.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import temporary_postgres
from newsdesk.demo.server import DemoServer
from pipeline import generate

NEWSDESK = [sys.executable, "-m", "newsdesk.cli"]
CONFIG = """
[http]
allow_private = ["127.0.0.0/8"]
[extract]
fetch_pages = false
[write]
min_tier = "standard"
"""


def _serve(items: int, feeds: int, ready) -> None:  # type: ignore[no-untyped-def]
    """The corpus, each feed on its own loopback address (127.0.0.2, .3, …, the same port), so
    per-host politeness (concurrency and the per-minute cap) applies per feed, not to all."""
    from http.server import ThreadingHTTPServer

    with DemoServer(port=0, corpus=generate(items, outlets_count=feeds)) as server:
        handler = server.handler
        urls = []
        for k, (name, url) in enumerate(server.feed_urls()):
            address = f"127.0.{(k + 2) // 256}.{(k + 2) % 256}"
            extra = ThreadingHTTPServer((address, server.port), handler)
            extra.daemon_threads = True
            threading.Thread(target=extra.serve_forever, daemon=True).start()
            urls.append((name, url.replace("//127.0.0.1:", f"//{address}:", 1)))
        ready.put(urls)
        threading.Event().wait()


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def room_with(path: Path, feeds: list[tuple[str, str]], extra: str = "") -> Path:
    from newsdesk.pipeline import init_newsroom, open_newsroom

    init_newsroom(path)
    (path / "newsdesk.toml").write_text(CONFIG + extra)
    room = open_newsroom(path)
    for name, url in feeds:
        room.store.add_source(url, name=name)
    room.close()
    return path


def outcome(path: Path, env: dict[str, str]) -> tuple[list[tuple[str, ...]], int, int]:
    """(the stories as sorted groups of item URLs, items stored, articles). Stories, not articles,
    are compared: which stories get an article depends on recency at the moment of writing."""
    out = subprocess.run([*NEWSDESK, "articles", "--format", "json", "--dir", str(path)], capture_output=True, text=True, env=env)
    articles = len(json.loads(out.stdout))
    from newsdesk.pipeline import open_newsroom

    room = open_newsroom(path)
    try:
        items = room.store.count_items()
        stories = sorted(tuple(sorted(i.url for i in s.items)) for s in room.store.stories(with_items=True))
    finally:
        room.close()
    return stories, items, articles


def queue_idle(url: str) -> bool:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        row = conn.execute("SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')").fetchone()
    return row is not None and row[0] == 0


JOB_KINDS: dict[str, list[float]] = {}  # job kind → seconds of each unit, over every worker trial


def record_job_costs(url: str) -> None:
    """Per job kind, the wall seconds of each unit the workers ran (the runs table)."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        rows = conn.execute(
            "SELECT command, extract(epoch FROM finished_at - started_at) FROM runs WHERE finished_at IS NOT NULL"
        ).fetchall()
    for command, seconds in rows:
        kind = command.split(":")[0]
        JOB_KINDS.setdefault(kind, []).append(float(seconds))


def with_workers(path: Path, url: str, workers: int, kill_every: float | None) -> tuple[float, float, int]:
    """(seconds, CPU seconds, workers killed) from the first fetch enqueued to an idle queue."""
    env = {**os.environ, "NEWSDESK_STORE__URL": url}
    subprocess.run([*NEWSDESK, "db", "upgrade", "--dir", str(path)], check=True, capture_output=True, env=env)
    cpu0, started = children_cpu(), time.perf_counter()
    subprocess.run([*NEWSDESK, "schedule", "--once", "--dir", str(path)], check=True, capture_output=True, env=env)

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen([*NEWSDESK, "worker", "--dir", str(path)], env=env, stderr=subprocess.DEVNULL)

    running = [start() for _ in range(workers)]
    killed = 0
    last_kill = time.monotonic()
    idle_since: float | None = None
    while True:
        time.sleep(0.5)
        if kill_every and time.monotonic() - last_kill >= kill_every:
            victim = random.Random(killed).choice(running)
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            running[running.index(victim)] = start()
            killed += 1
            last_kill = time.monotonic()
        if kill_every:  # hand the killed workers' jobs on (the scheduler's job in production)
            subprocess.run([*NEWSDESK, "schedule", "--once", "--dir", str(path)], capture_output=True, env=env)
        if queue_idle(url):
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since > 2.0:
                break
        else:
            idle_since = None
    seconds = time.perf_counter() - started - 2.0
    for w in running:
        w.send_signal(signal.SIGTERM)
    for w in running:
        w.wait(60)
    record_job_costs(url)
    return seconds, children_cpu() - cpu0, killed


def single_process(path: Path, feeds: list[tuple[str, str]]) -> tuple[float, float, list[tuple[str, ...]], int, int]:
    """`newsdesk run` in this process on SQLite: (seconds, CPU seconds, stories, items, articles)."""
    from newsdesk.pipeline import open_newsroom, run

    room = open_newsroom(room_with(path, feeds))
    cpu0, started = time.process_time(), time.perf_counter()
    run(room)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu0
    room.close()
    stories, stored, articles = outcome(path, dict(os.environ))
    return seconds, cpu, stories, stored, articles


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feeds", type=int, default=40)
    ap.add_argument("--kill-every", type=float, default=10.0)
    ap.add_argument("--workers", default="1,2,4", help="worker counts to run, comma-separated")
    ap.add_argument("--no-kills", action="store_true", help="skip the run with a worker killed every --kill-every seconds")
    ap.add_argument(
        "--cluster-wait",
        type=float,
        default=None,
        help="[queue] cluster_max_wait_seconds for the workers (default: the newsroom default; 0 clusters each burst at once)",
    )
    args = ap.parse_args()
    items = args.feeds * 100
    ready: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(items, args.feeds, ready), daemon=True)
    server.start()
    feeds = ready.get(timeout=120)
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            seconds, cpu, clean, stored, articles = single_process(Path(tmp) / "sqlite", feeds)
            rows.append(("1 process, SQLite (reference)", seconds, cpu, stored, articles, len(clean), True, 0))
            # The same run again: the pipeline's own repeatability is the bar the workers are held to.
            seconds, cpu, repeat, stored, articles = single_process(Path(tmp) / "sqlite-again", feeds)
            rows.append(("1 process, SQLite, run again", seconds, cpu, stored, articles, len(repeat), repeat == clean, 0))
            trials: list[tuple[int, float | None]] = [(int(w), None) for w in args.workers.split(",")]
            if not args.no_kills:
                trials.append((2, args.kill_every))
            for n, (workers, kill_every) in enumerate(trials):
                with temporary_postgres() as url:
                    os.environ["NEWSDESK_STORE__URL"] = url  # the newsroom's store is this PostgreSQL
                    try:
                        queue = '\n[queue]\nbackend = "procrastinate"\nstalled_seconds = 3.0\nheartbeat_seconds = 1.0\n'
                        if args.cluster_wait is not None:
                            queue += f"cluster_max_wait_seconds = {args.cluster_wait}\n"
                        path = room_with(Path(tmp) / f"pg{n}", feeds, queue)
                        seconds, cpu, killed = with_workers(path, url, workers, kill_every)
                        grouped, stored, articles = outcome(path, {**os.environ})
                    finally:
                        del os.environ["NEWSDESK_STORE__URL"]
                    label = f"{workers} worker{'s' if workers > 1 else ''}, PostgreSQL" + (
                        f", one killed every {kill_every:.0f} s" if kill_every else ""
                    )
                    rows.append((label, seconds, cpu, stored, articles, len(grouped), grouped == clean, killed))
    finally:
        server.terminate()
    print(f"Generated corpus: {items:,} items from {args.feeds} feeds, whole pipeline to published pages\n")
    reference_items = rows[0][3]
    print(
        f"{'run':52} {'seconds':>8} {'items/s':>8} {'speed-up':>9} {'CPU ms/item':>12} {'items':>7} {'articles':>9} "
        f"{'stories':>8} {'same stories':>13}"
    )
    one_worker = next(r[1] for r in rows if r[0].startswith("1 worker"))
    for label, seconds, cpu, stored, articles, stories, same, killed in rows:
        speed = f"{one_worker / seconds:.2f}×" if "PostgreSQL" in label else ""
        extra = f" ({killed} killed)" if killed else ""
        print(
            f"{label + extra:52} {seconds:8.1f} {stored / seconds:8.1f} {speed:>9} {1000 * cpu / max(1, stored):12.1f} "
            f"{stored:7d} {articles:9d} {stories:8d} {'yes' if same else 'no':>13}"
        )
    print("\nWall seconds per job (all worker runs; a worker runs one job at a time):")
    for kind, spent in sorted(JOB_KINDS.items()):
        print(f"  {kind:8} {len(spent):6d} jobs, mean {sum(spent) / len(spent):7.3f} s, total {sum(spent):8.1f} s")
    lost = [r[0] for r in rows if r[3] != reference_items]
    print(
        f"\nItems stored equal the reference's ({reference_items:,}) in every run: {'yes' if not lost else 'NO: ' + ', '.join(lost)}."
    )


if __name__ == "__main__":
    main()
