"""`newsdesk watch` left running: a loopback feed that gains an item every minute, another that
never changes, and a third that asks (RSS ttl) to be read only every 10 minutes. Reports the
watcher's memory at the start and the end, whether every new item was published, and how often
each feed was read against what its schedule allows.

    python bench/soak.py                 # 30 minutes
    python bench/soak.py --minutes 5     # shorter

The watcher runs as `newsdesk watch` in its own process; its RSS is read from /proc.
"""

from __future__ import annotations

import argparse
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

STARTED = datetime.now(UTC)
requests = {"/changing.xml": 0, "/static.xml": 0, "/slow.xml": 0}
# Each minute's item is a different event (its own names, numbers and wording), so every one is a
# story of its own that must reach the site — not a copy of the one before.
TOWNS = ["Harlow Bay", "Eskerby", "Millford", "Tarrow", "Quenby", "Oldcastle", "Dunmere", "Pellston", "Rosk", "Varley"]
THINGS = [
    ("library", "reopened after a roof repair", "the repair cost {m} thousand pounds and took {d} months"),
    ("tram line", "opened a new stop", "the stop is expected to serve {m} passengers a day"),
    ("school board", "approved a longer term", "the term will run {d} weeks longer from next year"),
    ("harbour office", "added an evening ferry", "the crossing adds {m} seats a day for commuters"),
    ("water company", "replaced a main under the high street", "the work closed the road for {d} days"),
    ("football club", "named a new manager", "the manager signed a contract for {d} seasons"),
    ("hospital trust", "opened a night clinic", "the clinic will see up to {m} patients a week"),
    ("council", "froze parking charges", "the freeze will cost the council {m} thousand pounds a year"),
]
PEOPLE = ["Ada Morrow", "Iain Tessel", "Ruth Calder", "Omar Fenn", "Lena Brisk", "Paul Ostrander", "Nina Vale"]


def story(n: int) -> tuple[str, str]:
    town = TOWNS[n % len(TOWNS)]
    thing, did, detail = THINGS[(n * 3 + n // len(TOWNS)) % len(THINGS)]
    person = PEOPLE[(n * 5) % len(PEOPLE)]
    m, d = 40 + 17 * n, 2 + n % 11
    title = f"{town} {thing} {did} (report {n})"
    body = (
        f"The {thing} in {town} {did} on Monday, {person} said in a statement. "
        f"{person} said {detail.format(m=m, d=d)}. "
        f"Residents of {town} were told that a review of the change would follow in {d + 3} months."
    )
    return title, body


def feed(path: str) -> bytes:
    if path == "/changing.xml":
        numbers = range(1 + int((datetime.now(UTC) - STARTED).total_seconds() // 60))
        extra = "<ttl>1</ttl>"
    else:
        numbers = range(1000, 1002) if path == "/static.xml" else range(2000, 2002)
        extra = "<ttl>10</ttl>" if path == "/slow.xml" else "<ttl>5</ttl>"
    items = ""
    for n in numbers:
        title, body = story(n)
        when = STARTED + timedelta(minutes=n % 1000)
        items += (
            f"<item><title>{title}</title><link>https://soak.example{path}/{n}</link><guid>{path}-{n}</guid>"
            f"<pubDate>{when.strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate><description>{body}</description></item>"
        )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{path}</title>{extra}{items}</channel></rss>'.encode()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path not in requests:
            self.send_error(404)
            return
        requests[self.path] += 1
        body = feed(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def rss_kb(pid: int) -> int:
    found = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return int(found.group(1)) if found else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=30.0)
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    with tempfile.TemporaryDirectory() as tmp:
        room = Path(tmp) / "room"
        room.mkdir()
        (room / "newsdesk.toml").write_text(
            '[http]\nallow_private = ["127.0.0.0/8"]\n[extract]\nfetch_pages = false\n[write]\nmin_tier = "brief"\n'
            "[verify]\nmin_sentences = 1\n[watch]\nmin_interval_minutes = 1.0\ntick_seconds = 5.0\n"
        )
        for path in requests:
            subprocess.run(
                [sys.executable, "-m", "newsdesk.cli", "sources", "add", f"http://127.0.0.1:{port}{path}", "--dir", str(room)],
                check=True,
                capture_output=True,
            )
        watcher = subprocess.Popen(
            [sys.executable, "-m", "newsdesk.cli", "watch", "--dir", str(room)], stdout=subprocess.PIPE, text=True
        )
        time.sleep(20)
        start_rss = rss_kb(watcher.pid)
        peak = start_rss
        deadline = time.monotonic() + args.minutes * 60
        while time.monotonic() < deadline:
            time.sleep(10)
            peak = max(peak, rss_kb(watcher.pid))
        end_rss = rss_kb(watcher.pid)
        watcher.send_signal(signal.SIGTERM)
        out, _ = watcher.communicate(timeout=120)
        from newsdesk.pipeline import open_newsroom

        newsroom = open_newsroom(room)
        try:
            stored = newsroom.store.count_items()
            published_ids = {v.story_id for v in newsroom.store.publishable() if v.published is not None}
            all_stories = newsroom.store.stories()
            stories = len(all_stories)
            # Every item the changing feed offered: stored, in a story, and that story published.
            changing = [i for s in all_stories for i in s.items if "/changing.xml" in i.url]
            reached = sum(1 for s in all_stories for i in s.items if "/changing.xml" in i.url and s.id in published_ids)
            site_pages = len(list((room / "site").glob("articles/*.html")))
        finally:
            newsroom.close()
    minutes = (datetime.now(UTC) - STARTED).total_seconds() / 60
    offered = 1 + int(minutes)  # items the changing feed carried by the end (plus 2 + 2 static)
    print(f"newsdesk watch for {args.minutes:.0f} minutes (+20 s warm-up)\n")
    print(f"RSS: {start_rss / 1024:.1f} MB after warm-up, {end_rss / 1024:.1f} MB at the end, peak {peak / 1024:.1f} MB")
    print(f"Items stored: {stored} of about {offered + 4} offered; stories {stories}; article pages on the site {site_pages}")
    print(f"Changing feed: {len(changing)} items stored, {reached} of them in a published article")
    print("Reads per feed (what its schedule allows in the run):")
    for path, asked in (("/changing.xml", 1), ("/static.xml", 5), ("/slow.xml", 10)):
        allowed = 1 + int(minutes // asked)
        print(f"  {path:15} read {requests[path]:4d} times; every {asked:2d} min allows at most {allowed}")
    print("Stopped cleanly" if "Stopped cleanly" in out else "did not stop cleanly")


if __name__ == "__main__":
    main()
