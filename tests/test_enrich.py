"""Enrichment against loopback servers answering as the Hugging Face Hub and GitHub REST APIs do."""

import json
import time
from datetime import UTC

import pytest
from werkzeug import Response

from conftest import add_outlet_reports, make_newsroom
from newsdesk.enrich import statements
from newsdesk.enrich.mentions import find_mentions
from newsdesk.pipeline import run


def model(repo_id, downloads, likes, licence="apache-2.0", **extra):
    return {
        "_id": "65f0c0ffee",
        "id": repo_id,
        "modelId": repo_id,
        "author": repo_id.split("/")[0],
        "private": False,
        "downloads": downloads,
        "likes": likes,
        "tags": ["transformers", f"license:{licence}"],
        "cardData": {"license": licence},
        "pipeline_tag": "text-generation",
        **extra,
    }


def repo(full_name, stars, forks, spdx="MIT"):
    return {
        "id": 1,
        "full_name": full_name,
        "private": False,
        "html_url": f"https://github.com/{full_name}",
        "stargazers_count": stars,
        "forks_count": forks,
        "license": {"key": spdx.lower(), "spdx_id": spdx},
    }


def send(httpserver, path, data, status=200, headers=None, **query):
    body = data if isinstance(data, str) else json.dumps(data)
    httpserver.expect_request(path, **({"query_string": query} if query else {})).respond_with_data(
        body, status=status, content_type="application/json", headers=headers or {}
    )


def room_with_story(tmp_path, httpserver, *texts, extra=""):
    """A newsroom whose one story is made of the given texts, each from its own outlet."""
    base = httpserver.url_for("").rstrip("/")
    room = make_newsroom(
        tmp_path / "room",
        f'\n[enrich]\nhf_base_url = "{base}/hf"\ngithub_api_url = "{base}/gh"\n[write]\nmin_tier = "brief"\n{extra}',
    )
    add_outlet_reports(room, texts, "Open review model released")
    run(room, ("stories",))
    return room


LUMEN = (
    "Aster Labs released its review model on the Hugging Face Hub at asterlabs/lumen-7b on Monday. "
    "The evaluation harness is on GitHub at https://github.com/asterlabs/lumen-eval and the team thanked "
    "the authors of Qwen-2.5-7B. It works on one card, and/or a laptop, 24/7."
)


def test_mentions_urls_bare_ids_and_model_names():
    found = {
        (m.kind, m.subject, m.explicit)
        for m in find_mentions(
            LUMEN + " Data: https://huggingface.co/datasets/asterlabs/review-bugs. See https://huggingface.co/docs/hub."
        )
    }
    # "GitHub" is mentioned nearby too: looked up on the Hub first, then on GitHub.
    assert found == {
        ("hub_or_github", "asterlabs/lumen-7b", False),
        ("github_repo", "asterlabs/lumen-eval", True),
        ("hf_name", "Qwen-2.5-7B", False),
        ("hf_dataset", "asterlabs/review-bugs", True),
    }
    # No hint and no model-shaped name: a slash between words is not a repository.
    assert find_mentions("Commuters chose bus/rail or walked; the client/server split held.") == []


def test_facts_are_fetched_stored_cited_and_verified(tmp_path, httpserver, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_testtoken")
    send(httpserver, "/hf/api/models/asterlabs/lumen-7b", model("asterlabs/lumen-7b", 262410, 1873))
    send(httpserver, "/gh/repos/asterlabs/lumen-eval", repo("asterlabs/lumen-eval", 4127, 318, "Apache-2.0"))
    send(
        httpserver,
        "/gh/repos/asterlabs/lumen-eval/releases/latest",
        {
            "tag_name": "v0.2.0",
            "published_at": "2026-11-21T09:00:00Z",
            "html_url": "https://github.com/asterlabs/lumen-eval/releases/tag/v0.2.0",
        },
    )
    send(
        httpserver,
        "/hf/api/models",
        [model("someone/Qwen-2.5-7B-GGUF", 10, 1), model("qwen/Qwen-2.5-7B", 900000, 4000), model("fork/Qwen-2.5-7B", 50, 2)],
        search="Qwen-2.5-7B",
        limit="20",
        sort="downloads",
        direction="-1",
    )
    send(httpserver, "/hf/api/models/qwen/Qwen-2.5-7B", model("qwen/Qwen-2.5-7B", 900000, 4000))
    room = room_with_story(tmp_path, httpserver, LUMEN, "Developers say the Lumen model from Aster Labs is fast on one card.")
    report = run(room, ("enrich", "write", "verify")).enrich
    assert not report.errors and report.subjects == 3
    (story,) = room.store.stories()
    facts = {(f.subject, f.metric): f for f in room.store.facts_of_story(story.id)}
    assert facts[("asterlabs/lumen-7b", "downloads")].number == 262410
    assert facts[("asterlabs/lumen-7b", "licence")].value == "apache-2.0"
    assert facts[("asterlabs/lumen-eval", "stars")].value == "4,127"
    assert facts[("asterlabs/lumen-eval", "last_release")].value == "v0.2.0 (2026-11-21)"
    assert facts[("qwen/Qwen-2.5-7B", "downloads")].number == 900000  # the most downloaded exact-name match
    assert facts[("asterlabs/lumen-eval", "stars")].source_url == "https://github.com/asterlabs/lumen-eval"
    # The token went to GitHub only, as a header.
    gh = [r for r, _ in httpserver.log if r.path.startswith("/gh/")]
    hf = [r for r, _ in httpserver.log if r.path.startswith("/hf/")]
    assert gh and all(r.headers.get("Authorization") == "Bearer ghp_testtoken" for r in gh)
    assert all("Authorization" not in r.headers for r in hf)
    # The article cites the facts as references of their data source, and verification passes them.
    (article,) = room.store.latest_articles()
    refs = {r.outlet: r for r in article.references}
    assert "GitHub" in refs and "Hugging Face Hub" in refs
    assert "as of" in refs["GitHub"].title and refs["GitHub"].url == "https://github.com/asterlabs/lumen-eval"
    fact_sentences = [s for s in article.sentences() if "as of" in s.text or "in the 30 days to" in s.text]
    assert fact_sentences
    checked = room.store.verification_of(story.id, article.version)
    verdicts = {c.text: c.verdict for c in checked.claims}
    assert all(verdicts[s.text] == "PASS" for s in fact_sentences)
    # Re-running with unchanged figures adds nothing and rewrites nothing.
    again = run(room, ("enrich", "write"))
    assert again.enrich.facts_added == 0 and again.enrich.unchanged == 3 and again.write.unchanged == 1
    # New figures: a new fact item, a new article version citing the new value.
    httpserver.clear()
    send(httpserver, "/hf/api/models/asterlabs/lumen-7b", model("asterlabs/lumen-7b", 300001, 1900))
    send(httpserver, "/gh/repos/asterlabs/lumen-eval", repo("asterlabs/lumen-eval", 4127, 318, "Apache-2.0"))
    send(httpserver, "/gh/repos/asterlabs/lumen-eval/releases/latest", {"message": "Not Found"}, status=404)
    send(httpserver, "/hf/api/models", [model("qwen/Qwen-2.5-7B", 900000, 4000)])
    send(httpserver, "/hf/api/models/qwen/Qwen-2.5-7B", model("qwen/Qwen-2.5-7B", 900000, 4000))
    third = run(room, ("enrich", "write"))
    assert third.enrich.facts_added == 3 + 3  # lumen-7b's three, and lumen-eval without its release
    assert third.write.updated == 1
    text = " ".join(s.text for s in room.store.latest_articles()[0].sentences())
    assert "300,001 downloads" in text and "262,410" not in text
    room.close()


def test_private_removed_malformed_and_rate_limited(tmp_path, httpserver):
    text = (
        "The weights were at https://huggingface.co/ghost/private-7b and the code at https://github.com/ghost/gone; "
        "a mirror lives on the Hub as https://huggingface.co/ghost/broken-1b and the tools at https://github.com/ghost/tools."
    )
    send(httpserver, "/hf/api/models/ghost/private-7b", {"error": "Repository not found"}, status=401)
    send(httpserver, "/gh/repos/ghost/gone", {"message": "Not Found"}, status=404)
    send(httpserver, "/hf/api/models/ghost/broken-1b", '{"id": "ghost/broken-1b", "downloads":')
    reset = int(time.time()) + 3000
    send(
        httpserver,
        "/gh/repos/ghost/tools",
        {"message": "API rate limit exceeded"},
        status=403,
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-limit": "60", "x-ratelimit-reset": str(reset)},
    )
    room = room_with_story(tmp_path, httpserver, text)
    report = run(room, ("enrich",)).enrich
    assert report.facts_added == 0
    assert any("ghost/private-7b" in n and "401" in n for n in report.not_found)
    assert any("ghost/gone" in n and "404" in n for n in report.not_found)
    assert any("malformed JSON" in e and "ghost/broken-1b" in e for e in report.errors)
    assert any("rate limit" in e and "GITHUB" not in e for e in report.errors)
    # The spent limit was not retried: one request for the repository, and none for its release.
    assert len([r for r, _ in httpserver.log if r.path.startswith("/gh/repos/ghost/tools")]) == 1
    room.close()


def test_short_github_rate_limit_is_waited_out(tmp_path, httpserver):
    calls = []

    def handler(request):
        calls.append(time.monotonic())
        if len(calls) == 1:
            return Response(
                "{}",
                status=429,
                content_type="application/json",
                headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time()) + 1)},
            )
        return Response(json.dumps(repo("ghost/tools", 12, 3)), content_type="application/json")

    httpserver.expect_request("/gh/repos/ghost/tools").respond_with_handler(handler)
    send(httpserver, "/gh/repos/ghost/tools/releases/latest", {"message": "Not Found"}, status=404)
    room = room_with_story(tmp_path, httpserver, "The scripts are on GitHub at https://github.com/ghost/tools today.")
    report = run(room, ("enrich",)).enrich
    assert report.facts_added == 3 and len(calls) == 2 and not report.errors
    room.close()


@pytest.mark.parametrize(
    "kind,metrics,expected",
    [
        (
            "github_repo",
            {"stars": "12", "forks": "3", "last_release": "v1 (2026-11-02)"},
            "The GitHub repository o/n had 12 stars and 3 forks as of 23 November 2026. "
            "The latest release of o/n on GitHub is v1, published on 2 November 2026.",
        ),
        (
            "hf_dataset",
            {"downloads": "7"},
            "The dataset o/n had 7 downloads on the Hugging Face Hub in the 30 days to 23 November 2026.",
        ),
    ],
)
def test_statements_name_subject_and_date(kind, metrics, expected):
    from datetime import datetime

    from newsdesk.records import Fact

    when = datetime(2026, 11, 23, 9, tzinfo=UTC)
    assert statements([Fact(kind, "o/n", m, v, None, when, "u") for m, v in metrics.items()]) == expected
