"""The newsdesk command as a user runs it: in a subprocess where imports, exit codes or the
process itself are the point (``nd``), in-process with typer's CliRunner where only the output
is (``cli``)."""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

COMMANDS = [
    [],
    ["init"],
    ["sources"],
    ["sources", "add"],
    ["sources", "import"],
    ["sources", "list"],
    ["ingest"],
    ["cluster"],
    ["write"],
    ["verify"],
    ["publish"],
    ["run"],
    ["stories"],
    ["articles"],
    ["review"],
    ["serve"],
    ["demo"],
]


def nd(*args, cwd=None, check=True):
    result = subprocess.run(
        [sys.executable, "-m", "newsdesk.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
    )
    if check and result.returncode != 0:
        raise AssertionError(f"newsdesk {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


class Result:
    def __init__(self, returncode: int, stdout: str, stderr: str):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def cli(*args, check=True, columns=200):
    """The command in-process (CliRunner): same output and exit code, no interpreter start."""
    from typer.testing import CliRunner

    from newsdesk.cli import app

    env = {"COLUMNS": str(columns), "NO_COLOR": "1"}
    result = CliRunner().invoke(app, [str(a) for a in args], env=env, catch_exceptions=False)
    out = Result(result.exit_code, result.stdout, result.stderr)
    if check and out.returncode != 0:
        raise AssertionError(f"newsdesk {' '.join(map(str, args))} exited {out.returncode}:\n{out.stdout}\n{out.stderr}")
    return out


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "newsdesk")
def test_every_command_has_help(command):
    out = cli(*command, "--help").stdout
    assert "Usage" in out


def test_help_is_fast_and_imports_nothing_heavy():
    code = (
        "import sys, time; t=time.perf_counter(); from newsdesk.cli import app; "
        "heavy=[m for m in ('sklearn','sqlalchemy','httpx2','trafilatura','igraph','feedparser') if m in sys.modules]; "
        "print(heavy, time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    heavy, seconds = out.rsplit(" ", 1)
    assert heavy == "[]"
    assert float(seconds) < 1.0


def test_init_add_list_and_errors(tmp_path):
    room = tmp_path / "room"
    assert "Created" in cli("init", str(room)).stdout
    assert (room / "newsdesk.toml").exists() and (room / "newsdesk.db").exists()
    assert "Kept existing" in cli("init", str(room)).stdout
    assert "Added source 1" in cli("sources", "add", "https://news.example/feed.xml", "--dir", str(room)).stdout
    assert "Already present" in cli("sources", "add", "https://news.example/feed.xml", "--dir", str(room)).stdout
    bad = cli("sources", "add", "not a url", "--dir", str(room), check=False)
    assert bad.returncode == 2 and "neither an http(s) URL nor an existing feed file" in bad.stderr
    listed = json.loads(cli("sources", "list", "--format", "json", "--dir", str(room)).stdout)
    assert [s["url"] for s in listed] == ["https://news.example/feed.xml"] and listed[0]["last_status"] is None
    table = cli("sources", "list", "--dir", str(room)).stdout
    assert "never fetched" in table


def test_missing_newsroom_is_a_clear_error(tmp_path):
    result = nd("stories", "--dir", str(tmp_path / "nowhere"), check=False)
    assert result.returncode == 2
    assert "newsdesk.toml not found" in result.stderr and "newsdesk init" in result.stderr


def test_bad_config_names_the_key(tmp_path):
    room = tmp_path / "room"
    cli("init", str(room))
    (room / "newsdesk.toml").write_text("[stories]\nquiet_hours = 'soon'\n", encoding="utf-8")
    result = cli("stories", "--dir", str(room), check=False)
    assert result.returncode == 2 and "stories.quiet_hours" in result.stderr


def test_unloadable_writer_backend_is_a_clear_error(tmp_path):
    room = tmp_path / "room"
    cli("init", str(room))
    config = room / "newsdesk.toml"
    config.write_text(config.read_text().replace('backend = "extractive"', 'backend = "nosuch.module:make"'), encoding="utf-8")
    result = cli("write", "--dir", str(room), check=False)
    assert result.returncode == 2 and "write.backend = 'nosuch.module:make'" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_without_sources_says_what_to_do(tmp_path):
    room = tmp_path / "room"
    nd("init", str(room))
    result = nd("run", "--dir", str(room), check=False)
    assert result.returncode == 2 and "sources add" in result.stderr


def test_opml_import(tmp_path):
    room = tmp_path / "room"
    cli("init", str(room))
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline text="A" xmlUrl="https://a.example/rss"/>'
        '<outline text="B" xmlUrl="https://b.example/atom"/></body></opml>',
        encoding="utf-8",
    )
    assert "2 new" in cli("sources", "import", str(opml), "--dir", str(room)).stdout
    assert "0 new, 2 already present" in cli("sources", "import", str(opml), "--dir", str(room)).stdout


def test_demo_then_stories_json(tmp_path):
    from socket import socket

    with socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    room = tmp_path / "demo"
    started = time.perf_counter()
    result = nd("demo", "--dir", str(room), "--port", str(port), cwd=tmp_path, check=False)
    assert result.returncode == 0, result.stderr
    assert time.perf_counter() - started < 60
    assert "Static Gazette" in result.stdout and "not a well-formed feed" in result.stdout
    # 59 outlet items + 2 Reddit posts + 2 live Reddit comments + 1 Ask HN; copies: 5 syndicated + 1 HN link to an outlet page.
    assert "64 new items, 6 duplicates" in result.stdout
    assert "Enrich: 10 facts added" in result.stdout
    stories = json.loads(cli("stories", "--format", "json", "--dir", str(room)).stdout)
    assert len(stories) == 24
    for story in stories:
        assert story["tier"] in ("major", "standard", "brief")
        assert set(story["breakdown"]) >= {"independent_outlets", "recency_score", "source_score", "engagement_score", "total"}
        for item in story["items"]:
            assert set(item) == {
                "id",
                "url",
                "canonical_url",
                "outlet",
                "title",
                "published",
                "text",
                "duplicate_of",
                "origin",
                "parent_id",
                "engagement",
                "meta",
            }
            assert item["text"]
    majors = [s for s in stories if s["tier"] == "major"]
    assert majors and all(s["breakdown"]["independent_outlets"] >= 3 for s in majors)
    # Re-running the demo adds nothing.
    again = nd("demo", "--dir", str(room), "--port", str(port), cwd=tmp_path, check=False)
    assert "0 new items, 0 duplicates" in again.stdout
    assert "0 facts added, 3 subjects unchanged" in again.stdout
    assert len(json.loads(cli("stories", "--format", "json", "--dir", str(room)).stdout)) == 24
    table = cli("stories", "--tier", "brief", "--dir", str(room)).stdout
    assert "brief" in table and "major" not in table
    wrong = cli("stories", "--tier", "huge", "--dir", str(room), check=False)
    assert wrong.returncode == 2 and "--tier must be one of" in wrong.stderr
    # The site is there, and the demo said where.
    assert "The site is ready" in result.stdout and (room / "site" / "index.html").exists()
    articles = json.loads(cli("articles", "--format", "json", "--dir", str(room)).stdout)
    assert articles
    # Where outlets give different figures, the article says who reports which, on the page too.
    notes = [
        (a, s)
        for a in articles
        for sec in a["sections"]
        if sec["heading"] == "Sources disagree"
        for p in sec["paragraphs"]
        for s in p
    ]
    assert notes, "the demo's Velora story carries a disagreement"
    for a, note in notes:
        outlets = {r["number"]: r["outlet"] for r in a["references"]}
        assert note["frame"] == "disagreement" and len(note["attributions"]) >= 2
        for attribution in note["attributions"]:
            assert outlets[attribution["ref"]] == attribution["outlet"]
            assert f"{attribution['figure']} according to {attribution['outlet']}" in note["text"]
        page = (room / "site" / "articles" / f"story-{a['story_id']}.html").read_text()
        assert 'class="disagree"' in page and "Sources disagree" in page
    # Readable in an 80-column terminal: no line wider, every word count whole on its line.
    narrow = cli("articles", "--dir", str(room), columns=80).stdout.splitlines()
    assert max(len(line) for line in narrow) <= 80
    assert all(any(f" {a['word_count']} " in line for line in narrow) for a in articles)
    # The model story cites a community post and enrichment facts alongside the outlets.
    cited = {a["headline"]: {r["outlet"] for r in a["references"]} for a in articles}
    assert any(
        {"Reddit r/LocalModels", "GitHub", "Hugging Face Hub"} <= outlets and len(outlets) >= 5 for outlets in cited.values()
    )
    forum = next(a for a in articles if "Hollowpine" in a["headline"])
    page = (room / "site" / "articles" / f"story-{forum['story_id']}.html").read_text()
    assert "not yet confirmed by news outlets" in page and "Hugging Face Hub" in page
    for article in articles:
        assert article["verification"]["status"] == "publish"
        assert article["verification"]["citation_recall"] == article["verification"]["citation_precision"] == 1.0
        for section in article["sections"]:
            for paragraph in section["paragraphs"]:
                for sentence in paragraph:
                    if sentence.get("frame"):  # writer-made: each figure stands in its outlet's cited sentence
                        cited = {c["ref"]: c["source_text"] for c in sentence["citations"]}
                        assert all(a["figure"] in cited[a["ref"]] for a in sentence["attributions"])
                    else:
                        assert sentence["citations"][0]["source_text"] == sentence["text"]
    assert json.loads(cli("review", "--format", "json", "--dir", str(room)).stdout) == []
    # The export formats are a public interface: they hold to the committed schemas.
    import jsonschema

    schemas = Path(__file__).resolve().parent.parent / "docs" / "schemas"
    jsonschema.validate(articles, json.loads((schemas / "articles.schema.json").read_text()))
    jsonschema.validate(stories, json.loads((schemas / "stories.schema.json").read_text()))
    serve_and_fetch(room)


def serve_and_fetch(room):
    from socket import socket

    import httpx2

    with socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsdesk.cli", "serve", "--port", str(port), "--dir", str(room)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                index = httpx2.get(f"http://127.0.0.1:{port}/index.html", timeout=2)
                break
            except httpx2.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        assert index.status_code == 200 and "Newsroom" in index.text
        first = re.search(r'href="(articles/[^"]+)"', index.text).group(1)
        page = httpx2.get(f"http://127.0.0.1:{port}/{first}", timeout=5)
        assert page.status_code == 200 and "References" in page.text
    finally:
        proc.terminate()
        proc.wait(timeout=10)
