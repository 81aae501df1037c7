"""Serve the demo corpus as real RSS 2.0, RSS 1.0 (RDF) and Atom feeds and HTML article pages.

Times are relative to an anchor (the start of the current hour), so the demo always looks
fresh while feeds stay byte-identical within the hour, which lets ETags and 304s work.
"""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from newsdesk.demo.corpus import Corpus, load_corpus
from newsdesk.demo.site import DemoSite

if TYPE_CHECKING:
    from newsdesk.config import Settings
    from newsdesk.pipeline import Newsroom

DEFAULT_PORT = 8765


class _Handler(BaseHTTPRequestHandler):
    site: DemoSite
    server_version = "newsdesk-demo/1"
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do

    def log_message(self, *args: Any) -> None:  # keep the terminal for the user's progress bars
        pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        parts = [p for p in path.split("/") if p]
        if path == "/robots.txt":
            return self._send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        if len(parts) == 2 and parts[1] == "feed.xml" and parts[0] in self.site.corpus.outlets:
            body, ctype = self.site.feed(parts[0])
            return self._send(200, body, ctype, conditional=True)
        if parts and parts[0] in ("reddit", "hn", "hf", "github"):
            return self._api(parts)
        if len(parts) == 3 and parts[1] == "articles" and parts[2].endswith(".html"):
            page = self.site.page(parts[0], parts[2][:-5])
            if page is not None:
                return self._send(200, page, "text/html; charset=utf-8", conditional=True)
        self._send(404, b"not found", "text/plain")

    def log_request(self, *args: Any) -> None:
        pass

    def _api(self, parts: list[str]) -> None:
        query = parse_qs(urlsplit(self.path).query)
        service, rest = parts[0], "/".join(parts[1:])
        extra: dict[str, str] = {}
        data: dict[str, Any] | list[Any] | None
        if service == "reddit":
            extra = {"x-ratelimit-remaining": "95.0", "x-ratelimit-used": "5", "x-ratelimit-reset": "300"}
            if len(parts) == 4 and parts[1] == "r" and parts[3] in ("hot.json", "new.json", "top.json"):
                data = self.site.reddit_listing(parts[2], query.get("after", [None])[0])
            elif len(parts) == 3 and parts[1] == "comments" and parts[2].endswith(".json"):
                data = self.site.reddit_comments(parts[2][:-5])
            else:
                data = None
        elif service == "hn":
            data = self.site.hn("/".join(parts[2:]))  # /hn/v0/...
        elif service == "hf":
            data = self.site.hub(rest, query)
        else:
            extra = {
                "x-ratelimit-limit": "60",
                "x-ratelimit-remaining": "59",
                "x-ratelimit-reset": str(int(self.site.anchor.timestamp()) + 3600),
            }
            data = self.site.github(rest)
        if data is None:
            return self._send(404, json.dumps({"error": "Not Found"}).encode(), "application/json", extra=extra)
        self._send(200, json.dumps(data).encode(), "application/json", conditional=True, extra=extra)

    def _send(self, status: int, body: bytes, ctype: str, conditional: bool = False, extra: dict[str, Any] | None = None) -> None:
        if conditional:
            etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
            modified = format_datetime(self.site.anchor, usegmt=True)
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
        self.send_response(status)
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if conditional:
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", modified)
            self.send_header("Cache-Control", "max-age=0, must-revalidate")
        self.end_headers()
        self.wfile.write(body)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # A reader that hangs up early (a timeout, a cap on page size) is not the demo's error.
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class DemoServer:
    """``with DemoServer(port) as server: server.site.feed_url(...)``; serves on 127.0.0.1."""

    def __init__(self, port: int = DEFAULT_PORT, anchor: datetime | None = None, corpus: Corpus | None = None):
        now = datetime.now(UTC)
        self.anchor = anchor or now.replace(minute=0, second=0, microsecond=0)
        self.port = port
        self.corpus = corpus or load_corpus()

    def __enter__(self) -> DemoServer:
        try:
            self._server = _QuietServer(("127.0.0.1", self.port), _Handler)
        except OSError as exc:
            raise OSError(
                f"cannot serve the demo on 127.0.0.1:{self.port} ({exc.strerror}); pass --port to use another port"
            ) from None
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.site = DemoSite(self.corpus, f"http://127.0.0.1:{self.port}", self.anchor)
        self._server.RequestHandlerClass = type("DemoHandler", (_Handler,), {"site": self.site})
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def attach(self, newsroom: Newsroom) -> None:
        """Give a newsroom every demo source (feeds, the subreddit, Hacker News) and point its
        community and data-source base URLs at this server (in memory; the config file is untouched)."""
        for name, url in self.feed_urls():
            newsroom.store.add_source(url, name=name)
        for name, url in self.community_sources():
            newsroom.store.add_source(url, kind=url.split(":", 1)[0], name=name)
        self.configure(newsroom.settings)

    def configure(self, settings: Settings) -> None:
        """Point a newsroom's community and data-source base URLs at this server, and let its
        fetcher reach this loopback server (the egress guard refuses private addresses otherwise)."""
        if "127.0.0.1" not in settings.http.allow_private:
            settings.http.allow_private = [*settings.http.allow_private, "127.0.0.1"]
        settings.community.reddit_base_url = f"{self.site.base}/reddit"
        settings.community.hn_base_url = f"{self.site.base}/hn/v0"
        settings.enrich.hf_base_url = f"{self.site.base}/hf"
        settings.enrich.github_api_url = f"{self.site.base}/github"

    def community_sources(self) -> list[tuple[str, str]]:
        """(name, source URL) of the demo's subreddit and Hacker News list."""
        subs = sorted({p["subreddit"] for p in self.corpus.reddit_posts})
        return [(f"Reddit r/{s}", f"reddit:r/{s}") for s in subs] + (
            [("Hacker News", "hn:top")] if self.corpus.hn_stories else []
        )

    @property
    def handler(self) -> type[BaseHTTPRequestHandler]:
        """The request handler serving this demo (to serve it on more addresses, as the scale bench does)."""
        return self._server.RequestHandlerClass  # type: ignore[return-value]

    def feed_urls(self) -> list[tuple[str, str]]:
        """(outlet name, feed URL) for every outlet, the broken one included."""
        return [(o["name"], self.site.feed_url(slug)) for slug, o in self.corpus.outlets.items()]


__all__ = ["DEFAULT_PORT", "Corpus", "DemoServer", "DemoSite", "load_corpus"]
