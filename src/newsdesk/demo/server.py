"""Serve the demo corpus as real RSS 2.0, RSS 1.0 (RDF) and Atom feeds and HTML article pages.

Times are relative to an anchor (the start of the current hour), so the demo always looks
fresh while feeds stay byte-identical within the hour, which lets ETags and 304s work.
"""

from __future__ import annotations

import hashlib
import html
import json
import threading
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

DEFAULT_PORT = 8765


@dataclass
class Corpus:
    outlets: dict[str, dict[str, Any]]
    articles: list[dict[str, Any]]
    reddit_posts: list[dict[str, Any]] = field(default_factory=list)
    hn_stories: list[dict[str, Any]] = field(default_factory=list)
    hub_models: list[dict[str, Any]] = field(default_factory=list)
    github_repos: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_id = {a["id"]: a for a in self.articles}
        self.by_outlet: dict[str, list[dict[str, Any]]] = {}
        for a in sorted(self.articles, key=lambda a: a["hours_ago"]):
            self.by_outlet.setdefault(a["outlet"], []).append(a)


def load_corpus() -> Corpus:
    data = tomllib.loads(resources.files("newsdesk.demo").joinpath("corpus.toml").read_text("utf-8"))
    return Corpus(
        outlets={o["slug"]: o for o in data["outlet"]},
        articles=data["article"],
        reddit_posts=data.get("reddit_post", []),
        hn_stories=data.get("hn_story", []),
        hub_models=data.get("hub_model", []),
        github_repos=data.get("github_repo", []),
    )


class DemoSite:
    """Renders the corpus for one base URL and one time anchor."""

    def __init__(self, corpus: Corpus, base_url: str, anchor: datetime):
        self.corpus, self.base, self.anchor = corpus, base_url.rstrip("/"), anchor

    def article_url(self, article: dict) -> str:
        return f"{self.base}/{article['outlet']}/articles/{article['id']}.html"

    def feed_url(self, slug: str) -> str:
        return f"{self.base}/{slug}/feed.xml"

    def published(self, article: dict) -> datetime:
        return self.anchor - timedelta(hours=article["hours_ago"])

    def body(self, article: dict) -> str:
        if "copy_of" in article:
            original = self.corpus.by_id[article["copy_of"]]
            source = self.corpus.outlets[original["outlet"]]["name"]
            return original["body"].strip() + f"\n\nThis article first appeared in {source} and is republished with permission."
        if "link_to" in article:
            return self.body(self.corpus.by_id[article["link_to"]])
        return article["body"].strip()

    def paragraphs(self, article: dict) -> list[str]:
        return [p.strip() for p in self.body(article).split("\n\n") if p.strip()]

    def entry_link(self, article: dict) -> str:
        target = self.corpus.by_id[article["link_to"]] if "link_to" in article else article
        # Feeds add tracking parameters, as real ones do; canonicalisation must strip them.
        return self.article_url(target) + f"?utm_source=rss&utm_medium=feed&utm_campaign={article['outlet']}"

    def outlet_articles(self, slug: str) -> list[dict]:
        return self.corpus.by_outlet.get(slug, [])

    def feed(self, slug: str) -> tuple[bytes, str]:
        outlet = self.corpus.outlets[slug]
        kind = outlet["format"]
        if kind == "broken":
            # Cut off mid-element, as a server that dies mid-response would leave it.
            return (
                f'<?xml version="1.0"?><rss version="2.0"><channel><title>{outlet["name"]}</title><item><title>Unfinished'.encode(),
                "application/rss+xml",
            )
        render = {"rss2": self._rss2, "rss1": self._rss1, "atom": self._atom}[kind]
        return render(outlet, self.outlet_articles(slug)).encode("utf-8"), {
            "rss2": "application/rss+xml",
            "rss1": "application/rdf+xml",
            "atom": "application/atom+xml",
        }[kind]

    def _content_html(self, article: dict) -> str:
        return "".join(f"<p>{html.escape(p)}</p>" for p in self.paragraphs(article))

    def _rss2(self, outlet: dict, articles: list[dict]) -> str:
        e = html.escape
        items = []
        for a in articles:
            content = f"<content:encoded><![CDATA[{self._content_html(a)}]]></content:encoded>" if outlet["full_content"] else ""
            comments = int(hashlib.sha1(a["id"].encode()).hexdigest(), 16) % 90 + 3
            items.append(
                f"<item><title>{e(a['title'])}</title><link>{e(self.entry_link(a))}</link>"
                f'<guid isPermaLink="false">{e(outlet["slug"])}:{e(a["id"])}</guid>'
                f"<pubDate>{format_datetime(self.published(a))}</pubDate><dc:creator>{e(a['author'])}</dc:creator>"
                f"<description>{e(a['summary'])}</description>{content}<slash:comments>{comments}</slash:comments></item>"
            )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:slash="http://purl.org/rss/1.0/modules/slash/">'
            f"<channel><title>{e(outlet['name'])}</title><link>{self.base}/{outlet['slug']}/</link>"
            f"<description>News from {e(outlet['name'])}</description>{''.join(items)}</channel></rss>\n"
        )

    def _rss1(self, outlet: dict, articles: list[dict]) -> str:
        e = html.escape
        seq = "".join(f'<rdf:li rdf:resource="{e(self.entry_link(a))}"/>' for a in articles)
        items = "".join(
            f'<item rdf:about="{e(self.entry_link(a))}"><title>{e(a["title"])}</title><link>{e(self.entry_link(a))}</link>'
            f"<description>{e(a['summary'])}</description><dc:creator>{e(a['author'])}</dc:creator>"
            f"<dc:date>{self.published(a).isoformat()}</dc:date></item>"
            for a in articles
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<channel rdf:about="{self.feed_url(outlet["slug"])}"><title>{e(outlet["name"])}</title>'
            f"<link>{self.base}/{outlet['slug']}/</link><description>News from {e(outlet['name'])}</description>"
            f"<items><rdf:Seq>{seq}</rdf:Seq></items></channel>{items}</rdf:RDF>\n"
        )

    def _atom(self, outlet: dict, articles: list[dict]) -> str:
        e = html.escape
        updated = max((self.published(a) for a in articles), default=self.anchor).isoformat()
        entries = []
        for a in articles:
            content = f'<content type="html">{e(self._content_html(a))}</content>' if outlet["full_content"] else ""
            entries.append(
                f'<entry><title>{e(a["title"])}</title><link rel="alternate" href="{e(self.entry_link(a))}"/>'
                f"<id>tag:{outlet['slug']}.example,2026:{a['id']}</id><published>{self.published(a).isoformat()}</published>"
                f"<updated>{self.published(a).isoformat()}</updated><author><name>{e(a['author'])}</name></author>"
                f"<summary>{e(a['summary'])}</summary>{content}</entry>"
            )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{e(outlet['name'])}</title><id>tag:{outlet['slug']}.example,2026:feed</id>"
            f'<link rel="self" href="{self.feed_url(outlet["slug"])}"/><updated>{updated}</updated>{"".join(entries)}</feed>\n'
        )

    # --- community and data APIs, in each service's JSON shape -------------------------------

    def _epoch(self, hours_ago: float) -> float:
        return (self.anchor - timedelta(hours=hours_ago)).timestamp()

    def _reddit_post(self, p: dict) -> dict:
        permalink = f"/r/{p['subreddit']}/comments/{p['id']}/{p['title'].lower().replace(' ', '_')[:40]}/"
        return {
            "kind": "t3",
            "data": {
                "id": p["id"],
                "name": f"t3_{p['id']}",
                "subreddit": p["subreddit"],
                "title": p["title"],
                "author": p["author"],
                "link_flair_text": p.get("flair"),
                "score": p["score"],
                "num_comments": p["num_comments"],
                "is_self": True,
                "selftext": p["selftext"].strip(),
                "permalink": permalink,
                "url": f"{self.base}/reddit{permalink}",
                "created_utc": self._epoch(p["hours_ago"]),
                "removed_by_category": p.get("removed_by_category"),
                "over_18": False,
            },
        }

    def reddit_listing(self, subreddit: str, after: str | None) -> dict:
        posts = [p for p in self.corpus.reddit_posts if p["subreddit"].lower() == subreddit.lower()]
        posts.sort(key=lambda p: -p["score"])
        # Two posts a page, so following "after" is exercised.
        start = next((i + 1 for i, p in enumerate(posts) if f"t3_{p['id']}" == after), 0) if after else 0
        page = posts[start : start + 2]
        more = start + 2 < len(posts)
        return {
            "kind": "Listing",
            "data": {
                "after": f"t3_{page[-1]['id']}" if more and page else None,
                "dist": len(page),
                "children": [self._reddit_post(p) for p in page],
                "before": None,
            },
        }

    def reddit_comments(self, post_id: str) -> list | None:
        post = next((p for p in self.corpus.reddit_posts if p["id"] == post_id), None)
        if post is None:
            return None
        permalink = self._reddit_post(post)["data"]["permalink"]
        children = [
            {
                "kind": "t1",
                "data": {
                    "id": c["id"],
                    "author": c["author"],
                    "body": c["body"],
                    "score": c["score"],
                    "stickied": False,
                    "created_utc": self._epoch(c["hours_ago"]),
                    "permalink": f"{permalink}{c['id']}/",
                    "parent_id": f"t3_{post_id}",
                },
            }
            for c in sorted(post.get("comments", []), key=lambda c: -c["score"])
        ]
        children.append({"kind": "more", "data": {"count": 12, "children": ["zz1", "zz2"]}})
        return [
            {"kind": "Listing", "data": {"children": [self._reddit_post(post)]}},
            {"kind": "Listing", "data": {"children": children, "after": None}},
        ]

    def hn(self, path: str):
        if path in ("topstories.json", "newstories.json", "beststories.json"):
            return [s["id"] for s in sorted(self.corpus.hn_stories, key=lambda s: -s["score"])]
        if path.startswith("item/") and path.endswith(".json"):
            story = next((s for s in self.corpus.hn_stories if str(s["id"]) == path[5:-5]), None)
            if story is None:
                return None
            item = {
                "id": story["id"],
                "type": "story",
                "by": story["by"],
                "title": story["title"],
                "score": story["score"],
                "descendants": story["descendants"],
                "time": int(self._epoch(story["hours_ago"])),
                "kids": [],
            }
            if "link_to" in story:
                item["url"] = self.article_url(self.corpus.by_id[story["link_to"]])
            if "text" in story:
                item["text"] = html.escape(story["text"], quote=False).replace("&lt;p&gt;", "<p>")
            if story.get("dead"):
                item["dead"] = True
            return item
        return None

    def hub(self, path: str, query: dict[str, list[str]]):
        if path == "api/models":
            term = query.get("search", [""])[0].lower()
            found = [m for m in self.corpus.hub_models if term in m["id"].lower()]
            return [
                {
                    "id": m["id"],
                    "modelId": m["id"],
                    "downloads": m["downloads"],
                    "likes": m["likes"],
                    "pipeline_tag": m["pipeline_tag"],
                    "private": False,
                }
                for m in found
            ]
        for m in self.corpus.hub_models:
            if path.lower() == f"api/models/{m['id']}".lower():
                return {
                    "_id": hashlib.sha1(m["id"].encode()).hexdigest()[:24],
                    "id": m["id"],
                    "modelId": m["id"],
                    "author": m["id"].split("/")[0],
                    "private": False,
                    "gated": False,
                    "disabled": False,
                    "downloads": m["downloads"],
                    "likes": m["likes"],
                    "pipeline_tag": m["pipeline_tag"],
                    "library_name": "transformers",
                    "tags": ["transformers", "safetensors", f"license:{m['license']}"],
                    "cardData": {"license": m["license"]},
                    "lastModified": self.anchor.isoformat(),
                    "createdAt": (self.anchor - timedelta(days=8)).isoformat(),
                }
        return None

    def github(self, path: str):
        for r in self.corpus.github_repos:
            repo_path = f"repos/{r['full_name']}"
            if path.lower() == repo_path.lower():
                return {
                    "id": 7000001,
                    "name": r["full_name"].split("/")[1],
                    "full_name": r["full_name"],
                    "private": False,
                    "html_url": f"{self.base}/gh/{r['full_name']}",
                    "stargazers_count": r["stars"],
                    "watchers_count": r["stars"],
                    "forks_count": r["forks"],
                    "open_issues_count": 12,
                    "archived": False,
                    "license": {"key": r["license"].lower(), "name": f"{r['license']} License", "spdx_id": r["license"]},
                    "pushed_at": self.anchor.isoformat(),
                }
            if path.lower() == f"{repo_path}/releases/latest".lower():
                return {
                    "tag_name": r["release"],
                    "name": r["release"],
                    "draft": False,
                    "prerelease": False,
                    "html_url": f"{self.base}/gh/{r['full_name']}/releases/tag/{r['release']}",
                    "published_at": (self.anchor - timedelta(hours=r["release_hours_ago"])).strftime("%Y-%m-%dT%H:%M:%SZ"),
                }
        return None

    def page(self, slug: str, article_id: str) -> bytes | None:
        article = self.corpus.by_id.get(article_id)
        if article is None or article["outlet"] != slug or "link_to" in article:
            return None
        outlet = self.corpus.outlets[slug]
        e = html.escape
        canonical = self.article_url(article)
        if article.get("canonical_to_original"):
            canonical = self.article_url(self.corpus.by_id[article["copy_of"]])
        paragraphs = "\n".join(f"<p>{e(p)}</p>" for p in self.paragraphs(article))
        others = [a for a in self.outlet_articles(slug) if a["id"] != article_id and "link_to" not in a][:3]
        related = "".join(f'<li><a href="{e(self.article_url(a))}">{e(a["title"])}</a></li>' for a in others)
        when = self.published(article).isoformat()
        return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{e(article["title"])} | {e(outlet["name"])}</title>
<link rel="canonical" href="{e(canonical)}">
<meta name="author" content="{e(article["author"])}">
<meta property="article:published_time" content="{when}">
<meta property="og:title" content="{e(article["title"])}">
</head><body>
<header><nav><a href="/">{e(outlet["name"])}</a> | <a href="/news">News</a> | <a href="/sport">Sport</a> | <a href="/subscribe">Subscribe</a></nav></header>
<div class="ad">Advertisement</div>
<main><article>
<h1>{e(article["title"])}</h1>
<p class="byline">By <span class="author">{e(article["author"])}</span> · <time datetime="{when}">{self.published(article):%d %B %Y}</time></p>
{paragraphs}
</article>
<aside><h2>More from {e(outlet["name"])}</h2><ul>{related}</ul></aside></main>
<footer><p>© 2026 {e(outlet["name"])}. All rights reserved.</p><p><a href="/privacy">Privacy</a> · <a href="/terms">Terms</a></p></footer>
</body></html>""".encode()


class _Handler(BaseHTTPRequestHandler):
    site: DemoSite
    server_version = "newsdesk-demo/1"
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do

    def log_message(self, *args) -> None:  # keep the terminal for the user's progress bars
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

    def log_request(self, *args) -> None:
        pass

    def _api(self, parts: list[str]) -> None:
        query = parse_qs(urlsplit(self.path).query)
        service, rest = parts[0], "/".join(parts[1:])
        extra: dict[str, str] = {}
        data: dict | list | None
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

    def _send(self, status: int, body: bytes, ctype: str, conditional: bool = False, extra: dict | None = None) -> None:
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


class DemoServer:
    """``with DemoServer(port) as server: server.site.feed_url(...)``; serves on 127.0.0.1."""

    def __init__(self, port: int = DEFAULT_PORT, anchor: datetime | None = None, corpus: Corpus | None = None):
        now = datetime.now(UTC)
        self.anchor = anchor or now.replace(minute=0, second=0, microsecond=0)
        self.port = port
        self.corpus = corpus or load_corpus()

    def __enter__(self) -> DemoServer:
        try:
            self._server = ThreadingHTTPServer(("127.0.0.1", self.port), _Handler)
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

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def attach(self, newsroom) -> None:
        """Give a newsroom every demo source (feeds, the subreddit, Hacker News) and point its
        community and data-source base URLs at this server (in memory; the config file is untouched)."""
        for name, url in self.feed_urls():
            newsroom.store.add_source(url, name=name)
        for name, url in self.community_sources():
            newsroom.store.add_source(url, kind=url.split(":", 1)[0], name=name)
        self.configure(newsroom.settings)

    def configure(self, settings) -> None:
        """Point a newsroom's community and data-source base URLs at this server."""
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

    def feed_urls(self) -> list[tuple[str, str]]:
        """(outlet name, feed URL) for every outlet, the broken one included."""
        return [(o["name"], self.site.feed_url(slug)) for slug, o in self.corpus.outlets.items()]
