"""The read-only JSON API (``/api/v1``) over real loopback HTTP: the exports' shapes held to the
documented JSON Schemas, only what the site publishes (a hold takes an article out, a removed
claim stays out), ETags answered with 304, checked parameters, and a correction appearing."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from conftest import published_demo
from newsdesk.service import actions, api
from test_service import serving

SCHEMAS = Path(__file__).resolve().parent.parent / "docs" / "schemas"


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text())


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    return published_demo(tmp_path_factory.mktemp("api") / "room")


@pytest.fixture
def fresh(monkeypatch):
    monkeypatch.setattr(api, "CACHE_SECONDS", 0.0)  # every request computes its answer again


def test_articles_and_stories_hold_to_the_schemas_and_show_only_what_is_published(room, fresh):
    with serving(room) as (client, _, newsroom):
        store = newsroom.store
        answer = client.get("/api/v1/articles")
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
        articles = answer.json()
        jsonschema.validate(articles, schema("articles"))
        published = {v.story_id: v for v in store.publishable() if v.published is not None}
        assert [a["story_id"] for a in articles] == sorted(published)
        for a in articles:
            record = published[a["story_id"]]
            assert a["version"] == record.version and a["headline"] == record.published.headline  # type: ignore[union-attr]
            claims = a["verification"]["claims"]
            assert claims and all(c["verdict"] != "FAIL" for c in claims)
            assert any(c["evidence"] for c in claims)  # claims come with their evidence
            cited = [
                c for s in [a["dek"], *(s for sec in a["sections"] for p in sec["paragraphs"] for s in p)] for c in s["citations"]
            ]
            assert cited and all(c["source_text"] for c in cited)
        one = articles[0]["story_id"]
        single = client.get(f"/api/v1/articles/{one}")
        assert single.status_code == 200 and single.json() == articles[0]
        jsonschema.validate([single.json()], schema("articles"))

        stories = client.get("/api/v1/stories").json()
        jsonschema.validate(stories, schema("stories"))
        assert {s["id"] for s in stories} == set(published)
        assert all(item["text"] == "" for s in stories for item in s["items"])  # sources' text: off by default
        assert all(item["url"] for s in stories for item in s["items"])

        # An editor's hold takes the article out of the API as it does off the site.
        actions.hold(newsroom, one, "ada", True)
        assert one not in [a["story_id"] for a in client.get("/api/v1/articles").json()]
        gone = client.get(f"/api/v1/articles/{one}")
        assert gone.status_code == 404 and gone.json()["error"] == "not_found"
        assert one not in {s["id"] for s in client.get("/api/v1/stories").json()}
        actions.hold(newsroom, one, "ada", False)
        assert client.get(f"/api/v1/articles/{one}").status_code == 200


def test_etags_answer_304_and_change_with_a_correction(room, fresh):
    with serving(room) as (client, _, newsroom):
        first = client.get("/api/v1/corrections")
        assert first.status_code == 200 and first.json() == []
        jsonschema.validate(first.json(), schema("corrections"))
        for path in ("/api/v1/corrections", "/api/v1/articles", "/api/v1/stories"):
            answer = client.get(path)
            etag = answer.headers["etag"]
            assert etag.startswith('"') and etag.endswith('"')
            again = client.get(path, headers={"If-None-Match": etag})
            assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
            assert client.get(path, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
            assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
        old = client.get("/api/v1/corrections").headers["etag"]
        story = client.get("/api/v1/articles").json()[0]["story_id"]
        actions.correct(newsroom, story, "The plant opened on Tuesday, not Monday.", "ada")
        answer = client.get("/api/v1/corrections", headers={"If-None-Match": old})
        assert answer.status_code == 200 and answer.headers["etag"] != old
        (correction,) = answer.json()
        jsonschema.validate(answer.json(), schema("corrections"))
        assert correction["story_id"] == story and "not Monday" in correction["text"]
        assert correction["editor"] is None  # show_editor_names is off
        assert correction["article_url"].endswith(f"/articles/story-{story}.html")
        # The article's own answer changes too: its update time moved.
        assert client.get(f"/api/v1/articles/{story}").status_code == 200


def test_parameters_are_checked_and_unknown_routes_answer_json(room, fresh):
    with serving(room) as (client, _, _):
        for bad in ("abc", "²", "1" * 20, "-1"):
            answer = client.get(f"/api/v1/articles/{bad}")
            assert answer.status_code == 404, bad
        assert client.get("/api/v1/articles/999999").json()["error"] == "not_found"
        assert client.get("/api/v1/articles", params=[("story", "1"), ("story", "2")]).status_code == 400
        unknown = client.get("/api/v2/everything")
        assert unknown.status_code == 404 and "/api/v1/articles" in unknown.json()["message"]
        assert client.post("/api/v1/articles").status_code == 405
        assert client.get("/api/v1/articles").headers["access-control-allow-origin"] == "*"


def test_the_api_can_be_switched_off_and_item_text_on(tmp_path, fresh):
    off = published_demo(tmp_path / "off", "\n[integrations]\napi = false\n")
    with serving(off) as (client, _, _):
        assert client.get("/api/v1/articles").status_code == 404
    on = published_demo(tmp_path / "on", "\n[integrations]\napi_item_text = true\n")
    with serving(on) as (client, _, _):
        stories = client.get("/api/v1/stories").json()
        assert stories and all(item["text"] for s in stories for item in s["items"])


# --- signed webhooks and posting plug-ins, against loopback receivers ---


class Receiver:
    """A loopback HTTP server that records every POST and answers from a script of statuses
    (then 200): a webhook receiver, a Mastodon server and a chat webhook in one."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.received: list[dict] = []
        self.script: list[int] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                owner.received.append({"path": self.path, "headers": dict(self.headers.items()), "body": body})
                status = owner.script.pop(0) if owner.script else 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"id": "1"}')

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def on(self, path: str) -> list[dict]:
        return [r for r in self.received if r["path"] == path]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(monkeypatch):
    from newsdesk import integrations

    monkeypatch.setattr(integrations, "RETRY_BASE_SECONDS", 0.01)
    server = Receiver()
    yield server
    server.close()


def announced(newsroom) -> list[dict]:  # type: ignore[no-untyped-def]
    from newsdesk import integrations

    assert integrations.wait(30), "deliveries still running"
    return [r["detail"] for r in newsroom.store.audit_log() if r["action"] == integrations.AUDIT_ACTION]


def test_signed_webhooks_on_publish_and_correction_once_each(tmp_path, receiver, monkeypatch):
    from newsdesk.integrations import webhooks
    from newsdesk.pipeline import open_newsroom, run

    monkeypatch.setenv("H9_HOOK_SECRET", "s3cret-for-tests")
    hook = f"{receiver.url}/hook"
    path = published_demo(
        tmp_path / "room", f'\n[integrations]\nwebhooks = [{{ url = "{hook}", secret_env = "H9_HOOK_SECRET" }}]\n'
    )
    newsroom = open_newsroom(path)
    run(newsroom, ("publish",))
    announced(newsroom)
    published = {v.story_id: v.version for v in newsroom.store.publishable()}
    deliveries = receiver.on("/hook")
    assert len(deliveries) == len(published)
    for d in deliveries:
        h, body = d["headers"], d["body"]
        assert webhooks.verify("s3cret-for-tests", body, h["X-Newsdesk-Timestamp"], h["X-Newsdesk-Signature"])
        assert not webhooks.verify("another secret", body, h["X-Newsdesk-Timestamp"], h["X-Newsdesk-Signature"])
        assert not webhooks.verify("s3cret-for-tests", body + b" ", h["X-Newsdesk-Timestamp"], h["X-Newsdesk-Signature"])
        stale = str(int(h["X-Newsdesk-Timestamp"]) - 3600)
        assert not webhooks.verify("s3cret-for-tests", body, stale, webhooks.sign("s3cret-for-tests", body, int(stale)))
        event = json.loads(body)
        assert event["event"] == h["X-Newsdesk-Event"] == "article.published"
        assert published[event["article"]["story_id"]] == event["article"]["version"]
        assert event["article"]["url"].endswith(f"/articles/story-{event['article']['story_id']}.html")
    # A second publish delivers nothing again.
    run(newsroom, ("publish",))
    announced(newsroom)
    assert len(receiver.on("/hook")) == len(published)

    # A correction: one signed event, delivered through two failures (same delivery id each time).
    receiver.script = [503, 500]
    story = sorted(published)[0]
    actions.correct(newsroom, story, "The figure was 1,800, not 1,600.", "ada")
    rows = announced(newsroom)
    attempts = receiver.on("/hook")[len(published) :]
    assert len(attempts) == 3 and len({a["headers"]["X-Newsdesk-Delivery"] for a in attempts}) == 1
    event = json.loads(attempts[-1]["body"])
    assert event["event"] == "correction.published" and event["correction"]["story_id"] == story
    assert "1,800, not 1,600" in event["correction"]["text"]
    assert webhooks.verify(
        "s3cret-for-tests",
        attempts[-1]["body"],
        attempts[-1]["headers"]["X-Newsdesk-Timestamp"],
        attempts[-1]["headers"]["X-Newsdesk-Signature"],
    )
    assert rows[-1]["status"] == "sent" and rows[-1]["attempts"] == 3

    # A receiver that keeps failing: bounded attempts, recorded, tried again by later publishes, then given up.
    receiver.script = [500] * 100
    actions.correct(newsroom, story, "A second correction.", "ada")
    announced(newsroom)
    before = len(receiver.on("/hook"))
    for _ in range(4):
        run(newsroom, ("publish",))
        announced(newsroom)
    from newsdesk import integrations

    tries = len(receiver.on("/hook")) - before
    max_attempts = newsroom.settings.integrations.max_attempts
    assert tries == max_attempts * (integrations.MAX_ROUNDS - 1)  # rounds after the first, each bounded
    failed = [r for r in announced(newsroom) if r["status"] == "failed"]
    assert len(failed) == integrations.MAX_ROUNDS and "HTTP 500" in failed[-1]["error"]
    newsroom.close()


def test_mastodon_and_chat_post_each_new_story_once(tmp_path, receiver, monkeypatch):
    from newsdesk.pipeline import open_newsroom, run

    monkeypatch.setenv("H9_MASTODON_TOKEN", "token-123")
    monkeypatch.setenv("H9_CHAT_URL", f"{receiver.url}/chat")
    extra = (
        "\n[integrations]\n"
        'posters = ["mastodon", "chat"]\n'
        f'mastodon_url = "{receiver.url}"\n'
        'mastodon_token_env = "H9_MASTODON_TOKEN"\nmastodon_visibility = "unlisted"\n'
        'chat_url_env = "H9_CHAT_URL"\nchat_style = "discord"\nmax_posts_per_run = 3\n'
    )
    path = published_demo(tmp_path / "room", extra)
    newsroom = open_newsroom(path)
    stories = sorted(v.story_id for v in newsroom.store.publishable())
    assert len(stories) > 4
    late = stories[0]
    actions.hold(newsroom, late, "ada", True)  # published later: a new story then
    announced(newsroom)
    statuses, chats = receiver.on("/api/v1/statuses"), receiver.on("/chat")
    assert len(statuses) == len(chats) == 3  # the newest three; the older ones are not posted at all
    for s in statuses:
        assert s["headers"]["Authorization"] == "Bearer token-123" and s["headers"]["Idempotency-Key"]
        body = json.loads(s["body"])
        assert body["visibility"] == "unlisted" and "/articles/story-" in body["status"] and len(body["status"]) <= 500
    for c in chats:
        body = json.loads(c["body"])
        assert body["allowed_mentions"] == {"parse": []} and "/articles/story-" in body["content"]
    skipped = [r for r in announced(newsroom) if r["status"] == "skipped"]
    assert len(skipped) == 2 * (len(stories) - 1 - 3)
    # Nothing is posted twice, whatever runs again.
    run(newsroom, ("publish",))
    announced(newsroom)
    assert len(receiver.on("/api/v1/statuses")) == 3 and len(receiver.on("/chat")) == 3
    # A story published later is posted, once, to each.
    actions.hold(newsroom, late, "ada", False)
    run(newsroom, ("publish",))
    announced(newsroom)
    assert len(receiver.on("/api/v1/statuses")) == len(receiver.on("/chat")) == 4
    assert f"story-{late}.html" in json.loads(receiver.on("/api/v1/statuses")[-1]["body"])["status"]
    newsroom.close()


def test_posters_escape_source_text_and_need_their_settings(caplog):
    from datetime import UTC, datetime

    from newsdesk.config import Settings
    from newsdesk.integrations import Announced, targets_of
    from newsdesk.integrations.chat import message
    from newsdesk.integrations.mastodon import hashtag, status_text

    story = Announced(
        1,
        1,
        "<!channel> Velora & <https://evil.example|you> *won* @everyone " + "x" * 600,
        "d",
        "https://news.example/articles/story-1.html",
        "https://news.example/api/v1/articles/1",
        ["Velora Systems", "R&D"],
        "major",
        datetime.now(UTC),
        None,
    )
    slack = message(story, "slack")["text"]
    assert "<!channel>" not in slack and "<https://evil" not in slack and slack.startswith("<https://news.example/")
    assert message(story, "discord")["allowed_mentions"] == {"parse": []}
    text = status_text(story)
    assert len(text) - len(story.url) + 23 <= 500 and story.url in text and "#VeloraSystems" in text
    assert hashtag("R&D") == "#RD" and hashtag("2026") == ""
    settings = Settings.model_validate(
        {
            "integrations": {
                "posters": ["mastodon", "chat", "nosuch"],
                "webhooks": [{"url": "https://h.example/x", "secret_env": "NOPE"}],
            }
        }
    )
    assert targets_of(settings, {}) == []  # no URL, no token, no secret: each skipped, and said why
    said = caplog.text
    assert "mastodon_url" in said and "NEWSDESK_CHAT_WEBHOOK_URL" in said and "NOPE" in said and "nosuch" in said
