"""The community and data APIs the demo imitates, each in its service's JSON shape: Reddit
listings and comments, Hacker News, the Hugging Face Hub, GitHub."""

from __future__ import annotations

import hashlib
import html
from datetime import datetime, timedelta
from typing import Any

from newsdesk.demo.corpus import Corpus


class DemoApis:
    """Answers of the fake APIs for one time anchor (a mixin of ``DemoSite``)."""

    corpus: Corpus
    base: str
    anchor: datetime

    def article_url(self, article: dict[str, Any]) -> str:  # the outlets' pages, which DemoSite serves
        raise NotImplementedError

    def _epoch(self, hours_ago: float) -> float:
        return (self.anchor - timedelta(hours=hours_ago)).timestamp()

    def _reddit_post(self, p: dict[str, Any]) -> dict[str, Any]:
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

    def reddit_listing(self, subreddit: str, after: str | None) -> dict[str, Any]:
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

    def reddit_comments(self, post_id: str) -> list[Any] | None:
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

    def hn(self, path: str) -> Any:
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

    def hub(self, path: str, query: dict[str, list[str]]) -> Any:
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

    def github(self, path: str) -> Any:
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
