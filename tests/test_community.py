"""Reddit and Hacker News sources against loopback servers that answer in each API's format."""

import json
import time
from datetime import UTC, datetime

import pytest
from werkzeug import Response

from conftest import make_newsroom
from newsdesk.pipeline import run
from newsdesk.sources.community import CommunityError, parse_source

T0 = int(datetime(2026, 11, 23, 8, tzinfo=UTC).timestamp())


def post(pid, title, url=None, score=10, comments=2, **extra):
    data = {
        "id": pid,
        "title": title,
        "author": "writer_" + pid,
        "score": score,
        "num_comments": comments,
        "created_utc": T0,
        "permalink": f"/r/testnews/comments/{pid}/x/",
        "is_self": url is None,
        "url": url or f"/r/testnews/comments/{pid}/x/",
        "selftext": extra.pop("selftext", ""),
        "link_flair_text": "News",
        "removed_by_category": None,
    }
    data.update(extra)
    return {"kind": "t3", "data": data}


def listing(children, after=None):
    return json.dumps({"kind": "Listing", "data": {"after": after, "children": children}})


def room_with(tmp_path, httpserver, *sources):
    base = httpserver.url_for("").rstrip("/")
    extra = f'\n[community]\nreddit_base_url = "{base}/reddit"\nhn_base_url = "{base}/hn"\nlimit = 10\n'
    room = make_newsroom(tmp_path / "room", extra)
    for url in sources:
        kind = url.split(":")[0]
        room.store.add_source(url, kind=kind, name="Reddit r/testnews" if kind == "reddit" else "Hacker News")
    return room


def test_source_names_are_validated():
    assert parse_source("reddit:r/MachineLearning") == ("reddit", {"subreddit": "MachineLearning", "listing": "hot", "t": "day"})
    assert parse_source("reddit:r/x/top?t=week")[1]["t"] == "week"
    assert parse_source("hn:best") == ("hn", {"list": "best"})
    for bad in ("hn:worst", "reddit:MachineLearning", "reddit:r/x/rising"):
        with pytest.raises(CommunityError):
            parse_source(bad)


def test_reddit_listing_pages_engagement_deleted_and_linked_articles(tmp_path, httpserver):
    article = httpserver.url_for("/news/harbour.html")
    httpserver.expect_request("/reddit/r/testnews/hot.json", query_string={"limit": "10", "raw_json": "1"}).respond_with_data(
        listing(
            [
                post("a1", "Harbour crane collapses during storm", article, score=420, comments=88),
                post("a2", "[deleted]", None, author="[deleted]"),
                post("a3", "Removed post", None, removed_by_category="moderator"),
            ],
            after="t3_a3",
        ),
        content_type="application/json",
        headers={"x-ratelimit-remaining": "99", "x-ratelimit-reset": "300"},
    )
    httpserver.expect_request(
        "/reddit/r/testnews/hot.json", query_string={"limit": "10", "raw_json": "1", "after": "t3_a3"}
    ).respond_with_data(
        listing(
            [
                post(
                    "b1",
                    "Ask: what happened at the harbour tonight?",
                    None,
                    selftext="Sirens everywhere near pier four since 9pm.",
                )
            ]
        ),
        content_type="application/json",
    )
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    httpserver.expect_request("/news/harbour.html").respond_with_data(
        "<html><head><title>Crane collapses</title></head><body><article><h1>Crane collapses</h1>"
        + "".join(
            f"<p>The harbour crane number {n} collapsed during the storm on Sunday night, the port authority said, "
            f"and crews worked until dawn to secure the site.</p>"
            for n in range(6)
        )
        + "</article></body></html>",
        content_type="text/html",
    )
    room = room_with(tmp_path, httpserver, "reddit:r/testnews")
    report = run(room, ("ingest",)).ingest
    assert report.sources[0].status == "ok" and report.new == 2
    items = {i.guid: i for i in room.store.items_without_story()}
    linked = items["reddit:a1"]
    assert linked.url == article and linked.engagement == {"score": 420.0, "comments": 88.0}
    assert "crews worked until dawn" in linked.text  # the linked article was fetched and extracted
    assert items["reddit:b1"].text == "Sirens everywhere near pier four since 9pm."
    again = run(room, ("ingest",)).ingest
    assert again.new == 0
    room.close()


def test_reddit_rate_limit_headers_are_respected(tmp_path, httpserver):
    calls = []

    def handler(request):
        calls.append(time.monotonic())
        return Response(
            listing(
                [post(f"p{len(calls)}", f"Post number {len(calls)} about the ferry strike", None)],
                after="next" if len(calls) == 1 else None,
            ),
            content_type="application/json",
            headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1"},
        )

    httpserver.expect_request("/reddit/r/testnews/hot.json").respond_with_handler(handler)
    room = room_with(tmp_path, httpserver, "reddit:r/testnews")
    run(room, ("ingest",))
    assert len(calls) == 2 and calls[1] - calls[0] >= 0.95  # waited for the window to reset
    room.close()


def test_reddit_429_and_malformed_json(tmp_path, httpserver):
    httpserver.expect_request("/reddit/r/testnews/hot.json").respond_with_data("{not json", content_type="application/json")
    room = room_with(tmp_path, httpserver, "reddit:r/testnews")
    report = run(room, ("ingest",)).ingest
    assert report.sources[0].status == "error" and "malformed JSON" in report.sources[0].error
    httpserver.clear()
    httpserver.expect_request("/reddit/r/testnews/hot.json").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "3600"}
    )
    report = run(room, ("ingest",)).ingest
    assert report.sources[0].status == "error" and "retry after 3600" in report.sources[0].error
    room.close()


def test_hacker_news_top_stories(tmp_path, httpserver):
    httpserver.expect_request("/hn/topstories.json").respond_with_data(
        json.dumps([101, 102, 103, 104]), content_type="application/json"
    )
    items = {
        101: {
            "id": 101,
            "type": "story",
            "by": "ada",
            "time": T0,
            "title": "Open model for code review released",
            "score": 312,
            "descendants": 140,
            "text": "<p>Release notes &amp; weights are out. The model reviews pull requests on one graphics card.</p>",
        },
        102: {"id": 102, "deleted": True, "type": "story"},
        103: {"id": 103, "type": "story", "dead": True, "title": "Spam"},
        104: {"id": 104, "type": "comment", "by": "bob", "text": "a comment"},
    }
    for story_id, data in items.items():
        httpserver.expect_request(f"/hn/item/{story_id}.json").respond_with_data(
            json.dumps(data), content_type="application/json"
        )
    room = room_with(tmp_path, httpserver, "hn:top")
    report = run(room, ("ingest",)).ingest
    assert report.new == 1
    (item,) = room.store.items_without_story()
    assert item.guid == "hn:101" and item.engagement == {"points": 312.0, "comments": 140.0}
    assert item.text.startswith("Release notes & weights are out.")
    assert item.url == "https://news.ycombinator.com/item?id=101"
    room.close()


def test_engagement_feeds_ranking(tmp_path, httpserver):
    httpserver.expect_request("/hn/topstories.json").respond_with_data(json.dumps([1]), content_type="application/json")
    httpserver.expect_request("/hn/item/1.json").respond_with_data(
        json.dumps(
            {
                "id": 1,
                "type": "story",
                "by": "x",
                "time": int(time.time()) - 600,
                "title": "Ferry operator halts all sailings",
                "score": 950,
                "descendants": 400,
                "text": "All sailings are halted until the inspection ends, the operator said.",
            }
        ),
        content_type="application/json",
    )
    room = room_with(tmp_path, httpserver, "hn:top")
    run(room, ("ingest", "stories"))
    (story,) = room.store.stories()
    import math

    assert story.breakdown.engagement == 1350
    assert story.breakdown.engagement_score == pytest.approx(0.5 * math.log10(1351) / 2, abs=1e-3)
    assert "engagement 1350" in story.breakdown.explain()
    room.close()


def test_unchanged_api_answers_cost_a_304(tmp_path, httpserver):
    calls = {"conditional": 0}

    def top(request):
        if request.headers.get("If-None-Match") == '"v1"':
            calls["conditional"] += 1
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(json.dumps([7]), content_type="application/json", headers={"ETag": '"v1"', "Cache-Control": "no-cache"})

    httpserver.expect_request("/hn/topstories.json").respond_with_handler(top)
    httpserver.expect_request("/hn/item/7.json").respond_with_data(
        json.dumps(
            {
                "id": 7,
                "type": "story",
                "by": "x",
                "time": T0,
                "title": "Bridge reopens",
                "score": 5,
                "descendants": 1,
                "text": "The bridge reopened to traffic on Monday morning after repairs.",
            }
        ),
        content_type="application/json",
        headers={"ETag": '"i7"', "Cache-Control": "max-age=600"},
    )
    room = room_with(tmp_path, httpserver, "hn:top")
    run(room, ("ingest",))
    second = run(room, ("ingest",)).ingest
    assert calls["conditional"] == 1 and second.new == 0
    item_requests = [r for r, _ in httpserver.log if r.path == "/hn/item/7.json"]
    assert len(item_requests) == 1  # the second run read the item from the cache
    room.close()


def test_cli_adds_community_sources(tmp_path):
    from test_cli import nd

    room = tmp_path / "room"
    nd("init", str(room))
    assert "Added source 1 reddit:r/testnews" in nd("sources", "add", "reddit:r/testnews", "--dir", str(room)).stdout
    assert "Added source 2 hn:top" in nd("sources", "add", "hn:top", "--dir", str(room)).stdout
    listed = json.loads(nd("sources", "list", "--format", "json", "--dir", str(room)).stdout)
    assert [(s["kind"], s["name"]) for s in listed] == [("reddit", "Reddit r/testnews"), ("hn", "Hacker News")]
    bad = nd("sources", "add", "hn:worst", "--dir", str(room), check=False)
    assert bad.returncode == 2 and "hn:top, hn:new and hn:best" in bad.stderr


def test_a_story_seen_only_on_a_forum_is_labelled(tmp_path, httpserver):
    body = (
        "The ferry operator halted all sailings on Sunday after a hull inspection found cracks in two vessels. "
        "Passengers were told to expect delays of at least three days. "
        "The operator said inspectors from the maritime agency would visit on Monday. "
        "Commuters on the island route said the news came without warning."
    )
    httpserver.expect_request("/hn/topstories.json").respond_with_data(json.dumps([9]), content_type="application/json")
    httpserver.expect_request("/hn/item/9.json").respond_with_data(
        json.dumps(
            {
                "id": 9,
                "type": "story",
                "by": "x",
                "time": int(time.time()) - 900,
                "title": "Ferry operator halts all sailings",
                "score": 120,
                "descendants": 40,
                "text": body,
            }
        ),
        content_type="application/json",
    )
    room = room_with(tmp_path, httpserver, "hn:top")
    config = room.path / "newsdesk.toml"
    config.write_text(config.read_text() + '\n[write]\nmin_tier = "brief"\n')
    from newsdesk.pipeline import open_newsroom

    again = open_newsroom(room.path)
    report = run(again)
    assert report.publish.articles == 1
    (page,) = (again.site_dir / "articles").glob("*.html")
    assert "Reported on Hacker News; not yet confirmed by news outlets." in page.read_text()
    again.close()
    room.close()


PARAGRAPHS = "".join(
    f"<p>Paragraph {n}: the county water board met on Tuesday to discuss the reservoir levels, which fell "
    f"again this month after a dry spring, and agreed to publish weekly readings from now on.</p>"
    for n in range(6)
)


def test_web_section_page_links_become_items(tmp_path, httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private/\n")
    httpserver.expect_request("/local/").respond_with_data(
        """<html><head><title>Local news</title></head><body><nav><a href="/">Home</a> <a href="#top">Top</a>
        <a href="https://elsewhere.example/x/y">Partner</a></nav>
        <ul><li><a href="/local/2026/reservoir.html">Reservoir levels fall again</a></li>
        <li><a href="/local/2026/bridge.html?utm_source=home">Bridge repairs finish early</a></li>
        <li><a href="/local/2026/bridge.html">Bridge repairs finish early</a></li>
        <li><a href="/private/memo.html">Internal memo</a></li>
        <li><a href=/local/2026/clinic.html><span>Clinic</span> <em>opens</em></a></li></ul>
        <footer><a href="/local/tag/water/">More on water</a> <a href="/local/page/2/">Older stories</a>
        <a href="/local/category/transport/">Transport</a></footer></body></html>""",
        content_type="text/html",
    )
    for slug, topic in (("reservoir", "reservoir"), ("bridge", "bridge"), ("clinic", "clinic")):
        httpserver.expect_request(f"/local/2026/{slug}.html").respond_with_data(
            f"<html><head><title>{topic}</title><meta property='og:type' content='article'></head><body><article><h1>{topic}</h1>"
            + PARAGRAPHS.replace("reservoir levels", f"{topic} works").replace("water board", f"{topic} board")
            + "</article></body></html>",
            content_type="text/html",
        )
    base = httpserver.url_for("").rstrip("/")
    room = make_newsroom(tmp_path / "room")
    room.store.add_source(f"web:{base}/local/", kind="web", name="Local")
    report = run(room, ("ingest",)).ingest
    source = report.sources[0]
    # The private link is refused by robots.txt; tag, category and "page 2" links are not articles
    # (courlan's navigation rule); an unquoted href with markup in its text is one (lxml reads it).
    assert source.fetched == 4 and report.new == 3, source
    assert any("robots.txt" in e for e in source.errors)
    urls = sorted(i.canonical_url for i in room.store.items_without_story())
    assert urls == [f"{base}/local/2026/{slug}.html" for slug in ("bridge", "clinic", "reservoir")]

    assert all("weekly readings" in i.text for i in room.store.items_without_story())
    room.close()


def test_web_article_page_is_one_item(tmp_path, httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    httpserver.expect_request("/story.html").respond_with_data(
        "<html><head><title>Water board meets</title><meta property='og:type' content='article'></head><body><article>"
        "<h1>Water board meets</h1>" + PARAGRAPHS + "</article></body></html>",
        content_type="text/html",
    )
    room = make_newsroom(tmp_path / "room")
    room.store.add_source("web:" + httpserver.url_for("/story.html"), kind="web", name="Board")
    report = run(room, ("ingest",)).ingest
    assert report.new == 1
    (item,) = room.store.items_without_story()
    assert item.title == "Water board meets" and "weekly readings" in item.text
    assert run(room, ("ingest",)).ingest.new == 0
    room.close()


def comment(cid, author, body, score, created=T0 + 600):
    return {
        "kind": "t1",
        "data": {
            "id": cid,
            "author": author,
            "body": body,
            "score": score,
            "created_utc": created,
            "permalink": f"/r/testnews/comments/c1/x/{cid}/",
            "stickied": False,
        },
    }


def test_reddit_top_comments_follow_their_post_and_never_count_as_outlets(tmp_path, httpserver):
    selftext = "The night ferry to Orrin Island was cancelled at 8pm and about 300 passengers are stuck at the terminal."
    httpserver.expect_request("/reddit/r/testnews/hot.json").respond_with_data(
        listing(
            [
                post(
                    "c1",
                    "Night ferry to Orrin Island cancelled, hundreds stranded",
                    None,
                    score=900,
                    comments=40,
                    selftext=selftext,
                )
            ]
        ),
        content_type="application/json",
    )
    thread = [
        json.loads(listing([post("c1", "x", None)])),
        json.loads(
            listing(
                [
                    comment("m1", "dock_worker", "They are handing out blankets in hall B now.", 120),
                    comment("m2", "[deleted]", "[deleted]", 50),
                    comment("m3", "orrin_local", "Second cancellation this month on that route.", 80),
                    {"kind": "more", "data": {"count": 9, "children": ["m9"]}},
                ]
            )
        ),
    ]
    httpserver.expect_request(
        "/reddit/comments/c1.json", query_string={"sort": "top", "limit": "3", "depth": "1", "raw_json": "1"}
    ).respond_with_data(json.dumps(thread), content_type="application/json")
    room = room_with(tmp_path, httpserver, "reddit:r/testnews")
    report = run(room, ("ingest", "stories")).ingest
    assert report.new == 3  # the post and its two live comments (deleted ones and "more" stubs are not stored)
    (story,) = room.store.stories()
    by_guid = {i.guid: i for i in story.items}
    post_item = by_guid["reddit:c1"]
    assert post_item.meta["flair"] == "News" and post_item.meta["subreddit"] == "testnews"
    replies = [i for i in story.items if i.parent_id == post_item.id]
    assert sorted(r.guid for r in replies) == ["reddit:comment:m1", "reddit:comment:m3"]
    assert {r.text for r in replies} == {
        "They are handing out blankets in hall B now.",
        "Second cancellation this month on that route.",
    }
    assert all(r.origin == "reply" and r.url.endswith("/") for r in replies)
    assert story.breakdown.independent_outlets == 1  # comments are not outlets
    assert story.breakdown.engagement == 940.0  # the post's score and comment count; comment votes are not added
    # A second run reads no comments again for a post already stored.
    httpserver.clear()
    httpserver.expect_request("/reddit/r/testnews/hot.json").respond_with_data(
        listing([post("c1", "Night ferry to Orrin Island cancelled, hundreds stranded", None, selftext=selftext)]),
        content_type="application/json",
    )
    assert run(room, ("ingest",)).ingest.new == 0
    assert not any("comments" in str(r.path) for r, _ in httpserver.log)
    room.close()


def test_sources_listed_in_the_config_are_added_before_ingest(tmp_path, httpserver):
    from newsdesk.config import ConfigError

    httpserver.expect_request("/hn/topstories.json").respond_with_data("[]", content_type="application/json")
    httpserver.expect_request("/reddit/r/testnews/hot.json").respond_with_data(listing([]), content_type="application/json")
    base = httpserver.url_for("").rstrip("/")
    room = make_newsroom(
        tmp_path / "room",
        f'\n[community]\nreddit_base_url = "{base}/reddit"\nhn_base_url = "{base}/hn"\n'
        '[sources]\nurls = ["hn:top", { url = "reddit:r/testnews", name = "Test news", weight = 2.0 }]\n',
    )
    report = run(room, ("ingest",)).ingest
    assert {s.name: s.status for s in report.sources} == {"Hacker News": "ok", "Test news": "ok"}
    assert {(s.url, s.kind, s.weight) for s in room.store.list_sources()} == {
        ("hn:top", "hn", 1.0),
        ("reddit:r/testnews", "reddit", 2.0),
    }
    run(room, ("ingest",))
    assert len(room.store.list_sources()) == 2  # listed sources are added once
    room.settings.sources.urls = ["hn:worst"]
    with pytest.raises(ConfigError, match=r"\[sources\] urls: 'hn:worst'"):
        run(room, ("ingest",))
    room.close()
