"""Ingest speed per source kind from loopback, and what a second, unchanged run costs.

    python bench/ingest.py

Feeds: the demo outlets (RSS 2.0, RSS 1.0, Atom; half summary-only, so pages are fetched).
Reddit and Hacker News: a loopback server answering in each API's JSON format with generated
posts (self posts and stories with text, so no page fetch), with ETags.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parent))

from newsdesk.demo.server import DemoServer
from newsdesk.pipeline import init_newsroom, open_newsroom
from newsdesk.sources.ingest import ingest

T0 = 1_795_000_000
N = 100  # posts per community source


def _posts(sub: str) -> list[dict]:
    return [
        {
            "kind": "t3",
            "data": {
                "id": f"{sub}{k}",
                "title": f"Post {k} in r/{sub}: council reviews harbour plan {k}",
                "author": f"user{k}",
                "score": k * 3,
                "num_comments": k,
                "created_utc": T0 - k * 60,
                "permalink": f"/r/{sub}/comments/{sub}{k}/",
                "is_self": True,
                "url": "",
                "selftext": f"Discussion {k}: the harbour plan for district {k} goes to a vote next week.",
            },
        }
        for k in range(N)
    ]


class _Api(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    answers: ClassVar[dict[int, int]] = {200: 0, 304: 0}

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path.startswith("/reddit/comments/"):
            pid = path.rsplit("/", 1)[1].split(".")[0]
            body = [
                {"kind": "Listing", "data": {"children": []}},
                {
                    "kind": "Listing",
                    "data": {
                        "children": [
                            {
                                "kind": "t1",
                                "data": {
                                    "id": f"{pid}c{j}",
                                    "author": f"commenter{j}",
                                    "score": 10 - j,
                                    "created_utc": T0,
                                    "permalink": f"/r/x/comments/{pid}/c{j}/",
                                    "body": f"Comment {j} on {pid}: the vote is close.",
                                },
                            }
                            for j in range(3)
                        ]
                    },
                },
            ]
        elif path.startswith("/reddit/r/"):
            sub = path.split("/")[3]
            body = {"kind": "Listing", "data": {"after": None, "children": _posts(sub)}}
        elif path == "/hn/topstories.json":
            body = list(range(1, N + 1))
        elif path.startswith("/hn/item/"):
            k = int(path.rsplit("/", 1)[1].split(".")[0])
            body = {
                "id": k,
                "type": "story",
                "by": f"u{k}",
                "time": T0 - k * 60,
                "title": f"Show HN: tool number {k}",
                "score": k,
                "descendants": k // 2,
                "text": f"Tool {k} turns council minutes into searchable text for district {k}.",
            }
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = json.dumps(body).encode()
        etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            _Api.answers[304] += 1
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        _Api.answers[200] += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", etag)
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.write(data)


def measure(label: str, sources: list[tuple[str, str, str]], extra_config: str = "") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        room_dir = Path(tmp) / "room"
        init_newsroom(room_dir)
        if extra_config:  # every key has a default: the bench's settings alone make a valid file
            (room_dir / "newsdesk.toml").write_text(extra_config)
        room = open_newsroom(room_dir)
        room.settings.http.allow_private = ["127.0.0.0/8"]  # the bench's servers are on loopback
        for url, kind, name in sources:
            room.store.add_source(url, kind=kind, name=name)
        started = time.perf_counter()
        first = ingest(room.store, room.settings, cache_path=room.cache_path)
        seconds = time.perf_counter() - started
        items = first.new + first.duplicates
        before = dict(_Api.answers)
        again = time.perf_counter()
        second = ingest(room.store, room.settings, cache_path=room.cache_path)
        rerun = time.perf_counter() - again
        room.close()
    unchanged = sum(1 for s in second.sources if s.status == "unchanged")
    api_200 = _Api.answers[200] - before[200]
    api_304 = _Api.answers[304] - before[304]
    detail = (
        f"feeds unchanged (304): {unchanged}/{len(second.sources)}"
        if api_200 + api_304 == 0
        else f"API answers: {api_304} × 304, {api_200} × 200"
    )
    print(
        f"{label:22} {items:5} items in {seconds:6.2f} s = {items / seconds:7.1f} items/s; first run {first.requests:4} requests; "
        f"second run {second.requests:4} requests, {detail}, {second.new} new, {rerun:.2f} s"
    )


def measure_enrich() -> None:
    """Enrichment on the demo: Hub and GitHub lookups for the stories' mentions, then a second run."""
    from newsdesk.enrich import enrich_stories
    from newsdesk.stories import build_stories

    with DemoServer(port=0) as demo, tempfile.TemporaryDirectory() as tmp:
        room_dir = Path(tmp) / "room"
        init_newsroom(room_dir)
        room = open_newsroom(room_dir)
        demo.attach(room)
        ingest(room.store, room.settings, cache_path=room.cache_path)
        build_stories(room.store, room.settings)
        started = time.perf_counter()
        first = enrich_stories(room.store, room.settings, cache_path=room.cache_path)
        seconds = time.perf_counter() - started
        again = time.perf_counter()
        second = enrich_stories(room.store, room.settings, cache_path=room.cache_path)
        rerun = time.perf_counter() - again
        room.close()
    print(
        f"{'Hub + GitHub (demo)':22} {first.facts_added:5} facts in {seconds:6.2f} s = {first.facts_added / seconds:7.1f} facts/s "
        f"({first.subjects} subjects, {first.stories} stories); first run {first.requests:4} requests; second run "
        f"{second.requests:4} requests (revalidated through the HTTP cache), {second.facts_added} facts added, {rerun:.2f} s"
    )


def main() -> None:
    api = ThreadingHTTPServer(("127.0.0.1", 0), _Api)
    api.daemon_threads = True
    threading.Thread(target=api.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{api.server_address[1]}"
    community = f'\n[community]\nreddit_base_url = "{base}/reddit"\nhn_base_url = "{base}/hn"\nlimit = {N}\nmax_pages = 1\n'
    print("Loopback, 2 cores; a second run on unchanged sources should cost only 304s or cache hits.\n")
    with DemoServer(port=0) as demo:
        feeds = [(url, "feed", name) for name, url in demo.feed_urls()]
        measure("RSS/Atom (demo)", feeds)
    measure(
        "Reddit (2 listings)*",
        [("reddit:r/harbour", "reddit", "Reddit r/harbour"), ("reddit:r/council", "reddit", "Reddit r/council")],
        community,
    )
    measure("Hacker News (top)", [("hn:top", "hn", "Hacker News")], community)
    measure_enrich()
    api.shutdown()
    print("\n* Reddit: 100 posts per listing plus the top 3 comments of the 5 best new posts per listing.")


if __name__ == "__main__":
    main()
