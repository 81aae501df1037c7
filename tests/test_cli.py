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


def cli(*args, check=True, columns=200, input=None):
    """The command in-process (CliRunner): same output and exit code, no interpreter start."""
    from typer.testing import CliRunner

    from newsdesk.cli import app

    env = {"COLUMNS": str(columns), "NO_COLOR": "1"}
    result = CliRunner().invoke(app, [str(a) for a in args], env=env, catch_exceptions=False, input=input)
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
    # The README's figure: 15 fetches (14 answered 304, the broken feed in full) and 6 API requests (5 × 304, one 404).
    assert "10/11 sources OK, 15 HTTP requests." in again.stdout and "6 API requests" in again.stdout
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
                    elif sentence.get("composed"):  # composed from facts: its citations are distinct sources
                        assert len({c["item_id"] for c in sentence["citations"]}) >= 2
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


def test_init_on_a_file_is_a_clear_error(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("not a folder", encoding="utf-8")
    for target in (afile, afile / "room"):
        result = cli("init", str(target), check=False)
        assert result.returncode == 2, result.stdout
        assert f"{afile} is a file, not a folder" in result.stderr and "Traceback" not in result.stderr
    assert afile.read_text(encoding="utf-8") == "not a folder"


def test_hints_keep_their_brackets(tmp_path):
    """A source's error names "[sources] allow_files": printed as text, not eaten as markup."""
    room = tmp_path / "room"
    cli("init", str(room))
    feed = tmp_path / "feed.xml"
    feed.write_text("<rss version='2.0'><channel><title>F</title></channel></rss>", encoding="utf-8")
    cli("sources", "add", str(feed), "--dir", str(room))
    ran = cli("ingest", "--dir", str(room), check=False, columns=400)
    hint = "set [sources] allow_files = true in newsdesk.toml"
    assert ran.returncode == 1 and hint in ran.stdout
    assert hint in cli("sources", "list", "--dir", str(room), columns=400).stdout
    assert f"{feed}: {feed} is a local file" in cli("status", "--dir", str(room), columns=400).stdout


def test_web_source_on_an_unresolvable_host_says_so(tmp_path):
    from socket import socket

    room = tmp_path / "room"
    cli("init", str(room))
    with socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = room / "newsdesk.toml"
    text = config.read_text().replace("allow_private = []", 'allow_private = ["127.0.0.0/8"]')
    config.write_text(text.replace("max_retries = 3", "max_retries = 0", 1), encoding="utf-8")
    cli("sources", "add", "web:https://nosuch-newsdesk-host.invalid/news/", "--dir", str(room))
    cli("sources", "add", f"web:http://127.0.0.1:{port}/news/", "--dir", str(room))
    assert cli("ingest", "--dir", str(room), check=False).returncode == 1
    errors = {
        s["url"]: s["last_error"] for s in json.loads(cli("sources", "list", "--format", "json", "--dir", str(room)).stdout)
    }
    assert errors["web:https://nosuch-newsdesk-host.invalid/news/"].startswith("cannot resolve 'nosuch-newsdesk-host.invalid'")
    assert errors[f"web:http://127.0.0.1:{port}/news/"].startswith("cannot connect to 127.0.0.1")
    assert not any("robots.txt" in e for e in errors.values())


def test_subscribers_import_names_the_missing_column(tmp_path):
    room = tmp_path / "room"
    cli("init", str(room))
    nomail = tmp_path / "nomail.csv"
    nomail.write_text("name,phone\nAda,555\n", encoding="utf-8")
    result = cli("subscribers", "import", str(nomail), "--dir", str(room), check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "has no 'email' column: columns found: 'name', 'phone'" in result.stderr
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert (
        "columns found: none (the file is empty)"
        in cli("subscribers", "import", str(empty), "--dir", str(room), check=False).stderr
    )
    # A spreadsheet's export: BOM, "Email" header, a blank row, a bad address; nothing printed as ": ."
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("\ufeffName,Email\nAda,ada@example.org\nBob,\nCy,not-an-address\n", encoding="utf-8")
    said = cli("subscribers", "import", str(mixed), "--dir", str(room)).stdout
    assert (
        said.strip() == "1 subscribers added; 1 invalid addresses skipped: 'not-an-address'; 1 rows without an address skipped."
    )
    assert cli("subscribers", "list", "--dir", str(room)).stdout.startswith("ada@example.org\tconfirmed")


def rss(title, entries):
    """An RSS 2.0 feed: entries are (guid, link, headline, text, RFC 822 date)."""
    from xml.sax.saxutils import escape

    body = "".join(
        f"<item><guid>{g}</guid><link>{escape(link)}</link><title>{escape(t)}</title>"
        f"<description>{escape(x)}</description><pubDate>{d}</pubDate></item>"
        for g, link, t, x, d in entries
    )
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>{title}</title>{body}</channel></rss>"


def words(seed, n=200):
    import random

    rng = random.Random(seed)
    vocab = [f"{seed}{k}" for k in range(60)]
    return " ".join(rng.choice(vocab) for _ in range(n)) + "."


def test_sources_remove(tmp_path):
    from email.utils import format_datetime

    from newsdesk.store import utcnow

    room = tmp_path / "room"
    cli("init", str(room))
    config = room / "newsdesk.toml"
    config.write_text(config.read_text().replace("allow_files = false", "allow_files = true"), encoding="utf-8")
    now = format_datetime(utcnow())
    shared, only = words("bridge"), words("gala")
    a, b = tmp_path / "a.xml", tmp_path / "b.xml"
    a.write_text(
        rss("A", [("a1", "https://a.example/1", "Bridge vote", shared, now), ("a2", "https://a.example/2", "Gala", only, now)])
    )
    b.write_text(rss("B", [("b1", "https://b.example/1", "Bridge vote", shared, now)]))  # a syndicated copy of a1
    cli("sources", "add", str(a), "--dir", str(room))
    cli("sources", "add", str(b), "--dir", str(room))
    cli("ingest", "--dir", str(room))
    cli("cluster", "--dir", str(room))
    before = json.loads(cli("stories", "--format", "json", "--dir", str(room)).stdout)
    assert len(before) == 2
    asked = cli("sources", "remove", "1", "--dir", str(room), check=False, input="n\n")  # not confirmed: nothing removed
    assert asked.returncode == 1 and "Nothing removed" in asked.stdout
    missing = cli("sources", "remove", "9", "--dir", str(room), check=False)
    assert missing.returncode == 2 and "no source '9'" in missing.stderr
    said = cli("sources", "remove", str(a), "--yes", "--dir", str(room)).stdout
    assert f"Removed source 1 {a}: 2 items, 1 stories that only it reported; 1 stories to rewrite" in said
    assert [s["url"] for s in json.loads(cli("sources", "list", "--format", "json", "--dir", str(room)).stdout)] == [str(b)]
    after = json.loads(cli("stories", "--format", "json", "--dir", str(room)).stdout)
    # B's copy is now the original of the story it shares, and the only outlet.
    assert len(after) == 1 and [(i["outlet"], i["duplicate_of"]) for i in after[0]["items"]] == [("B", None)]
    # A source listed in newsdesk.toml would come back: say where to remove it.
    config.write_text(config.read_text().replace("urls = []", f'urls = ["{b}"]'), encoding="utf-8")
    listed = cli("sources", "remove", "2", "--yes", "--dir", str(room), check=False)
    assert listed.returncode == 2 and "listed under [sources] urls" in listed.stderr


def test_users_list_remove_passwd_and_version(tmp_path):
    from importlib.metadata import version

    from newsdesk.service.auth import check_login
    from newsdesk.store import Store

    room = tmp_path / "room"
    cli("init", str(room))
    assert "No editors yet" in cli("users", "list", "--dir", str(room)).stdout
    cli("users", "add", "ada", "--password-stdin", "--dir", str(room), input="first-password\n")
    cli("users", "add", "bob", "--password-stdin", "--dir", str(room), input="bobs-password\n")
    lines = cli("users", "list", "--dir", str(room)).stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["ada", "bob"] and all(line.endswith("\tactive") for line in lines)
    store = Store(f"sqlite:///{room / 'newsdesk.db'}")
    for _ in range(5):  # locked out by failed logins
        check_login(store, "ada", "wrong-password", failures_to_lock=5, lock_minutes=15)
    assert "locked until" in cli("users", "list", "--dir", str(room)).stdout.splitlines()[0]
    short = cli("users", "passwd", "ada", "--password-stdin", "--dir", str(room), input="short\n", check=False)
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    cli("users", "passwd", "ada", "--password-stdin", "--dir", str(room), input="second-password\n")
    assert check_login(store, "ada", "second-password", 5, 15).ok  # the new password, and the lock lifted
    assert not check_login(store, "ada", "first-password", 5, 15).ok
    assert cli("users", "remove", "bob", "--dir", str(room)).stdout.strip() == "Editor 'bob' removed."
    assert [line.split("\t")[0] for line in cli("users", "list", "--dir", str(room)).stdout.splitlines()] == ["ada"]
    gone = cli("users", "remove", "bob", "--dir", str(room), check=False)
    assert gone.returncode == 2 and "no editor called 'bob'" in gone.stderr
    assert cli("users", "passwd", "bob", "--dir", str(room), check=False).returncode == 2
    actions = [(r["editor"], r["action"]) for r in json.loads(cli("audit", "--format", "json", "--dir", str(room)).stdout)]
    assert ("ada", "password changed") in actions and ("bob", "account removed") in actions
    store.engine.dispose()
    assert nd("--version").stdout.strip() == f"newsdesk {version('newsdesk')}"


def test_status_shows_the_runs_real_outcome(tmp_path):
    from newsdesk.store import Store

    room = tmp_path / "room"
    cli("init", str(room))
    for n in range(2):  # local files, and local files are off: both sources fail
        (tmp_path / f"f{n}.xml").write_text("<rss version='2.0'><channel><title>F</title></channel></rss>")
        cli("sources", "add", str(tmp_path / f"f{n}.xml"), "--dir", str(room))
    assert cli("ingest", "--dir", str(room), check=False).returncode == 1
    assert cli("cluster", "--dir", str(room)).returncode == 0
    store = Store(f"sqlite:///{room / 'newsdesk.db'}")
    runs = store.recent_runs()
    assert [(r["command"], r["outcome"]) for r in runs] == [("stories", "ok"), ("ingest", "failed: 0 of 2 sources fetched")]
    table = cli("status", "--dir", str(room)).stdout
    assert "failed: 0 of 2 sources fetched" in table
    # A record written before the outcome was stored is judged the way its exit code was.
    from newsdesk.store.runs import run_outcome

    old = {"ingest": {"sources": [{"status": "ok"}, {"status": "error"}]}, "seconds": {}}
    assert run_outcome(old, finished=True) == "failed: 1 of 2 sources fetched"
    assert run_outcome({"write": {"failed": 2}}, finished=True) == "failed: 2 articles not written"
    assert run_outcome(None, finished=False) == "unfinished"
    store.engine.dispose()
