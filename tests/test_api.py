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
            cited = [c for s in [a["dek"], *(s for sec in a["sections"] for p in sec["paragraphs"] for s in p)] for c in s["citations"]]
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
