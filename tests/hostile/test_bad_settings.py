"""Bad settings and bad CLI input: a one-line message naming what to fix, exit 2, no traceback, no hang."""

from __future__ import annotations

import subprocess
import sys

import pytest


def nd(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "newsdesk.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "250"},
    )


@pytest.mark.parametrize(
    "toml, names",
    [
        ("[http]\nmax_concurrency = 0\n", "http.max_concurrency"),
        ("[http]\nper_host_concurrency = 0\n", "http.per_host_concurrency"),
        ("[dedup]\nnum_perm = 0\n", "dedup.num_perm"),
        ("[dedup]\nthreshold = 2\n", "dedup.threshold"),
        ("[stories]\nresolution = -1\n", "stories.resolution"),
        ("[rank]\nrecency_half_life_hours = 0\n", "rank.recency_half_life_hours"),
        ("[http]\nmax_byts = 5\n", "did you mean 'max_bytes'"),
        ('[store]\nurl = "mysql://root:hunter2@db/news"\n', "is not a store newsdesk can use"),
        ('[sources]\nurls = [{ url = "https://a.example/feed.xml", weight = nan }]\n', "sources.urls"),
        ("[http]\nmax_bytes = -1\n", "http.max_bytes"),
        ("[http]\ntotal_timeout = 0\n", "http.total_timeout"),
        ('[http]\nconnect_timeout = "soon"\n', "http.connect_timeout"),
        ("[http]\nmax_retries = 1000\n", "http.max_retries"),
        ('[http]\nallow_private = "127.0.0.1"\n', "http.allow_private"),
        ("[extract]\npage_timeout = 0\n", "extract.page_timeout"),
        ("[dedup]\nshingle_words = 0\n", "dedup.shingle_words"),
        ("[stories]\nedge_min = 1.5\n", "stories.edge_min"),
        ("[stories]\nneighbours = 0\n", "stories.neighbours"),
        ("[stories]\nquiet_hours = -3\n", "stories.quiet_hours"),
        ("[community]\nlimit = 0\n", "community.limit"),
        ("[enrich]\nmax_lookups_per_story = -1\n", "enrich.max_lookups_per_story"),
        ("[llm]\ntemperature = 9\n", "llm.temperature"),
        ("[llm]\nmax_concurrency = 0\n", "llm.max_concurrency"),
        ("[verify]\napproximation = 0.9\n", "verify.approximation"),
        ("[verify]\nreview_support = -0.1\n", "verify.review_support"),
        ("[media]\nmin_points = 1\n", "media.min_points"),
        ("[write]\nbudget_words = 3\n", "write.budget_words"),
        ("[stories]\n[stories]\n", "newsdesk.toml"),
        ("[nonsense]\nkey = 1\n", "nonsense"),
        ("http = 5\n", "http"),
        ("[http\n", "newsdesk.toml"),
    ],
)
def test_bad_settings_are_one_clear_line(tmp_path, toml, names):
    room = tmp_path / "room"
    room.mkdir()
    (room / "newsdesk.toml").write_text(toml)
    result = nd("stories", "--dir", room)
    said = " ".join(result.stderr.split())
    assert result.returncode == 2 and names in said and "Traceback" not in said
    assert "hunter2" not in said  # a password never shows


def test_postgres_password_is_not_printed(tmp_path):
    room = tmp_path / "room"
    room.mkdir()
    (room / "newsdesk.toml").write_text('[store]\nurl = "postgresql+psycopg://news:hunter2@127.0.0.1:1/news"\n')
    result = nd("stories", "--dir", room)
    said = " ".join(result.stderr.split())
    assert result.returncode == 2 and "cannot open the store" in said and "hunter2" not in said and "***" in said


@pytest.mark.parametrize(
    "args, says",
    [
        (("sources", "add", ""), "the source is empty"),
        (("sources", "add", "https://a.example/feed.xml", "--weight", "nan"), "--weight must be a positive number"),
        (("sources", "add", "https://a.example/feed.xml", "--weight", "inf"), "--weight must be a positive number"),
        (("sources", "import", "."), "is a folder"),
        (("serve", "--port", "99999"), "Invalid value for '--port'"),
    ],
)
def test_bad_cli_input_is_one_clear_line(tmp_path, args, says):
    room = tmp_path / "room"
    assert nd("init", room).returncode == 0
    result = nd(*args, "--dir", room)
    said = " ".join((result.stderr + result.stdout).split())
    assert result.returncode == 2 and says in said and "Traceback" not in said


def test_init_suggests_a_command_that_works(tmp_path):
    room = tmp_path / "room"
    said = nd("init", room).stdout
    suggested = said.split("Next: ", 1)[1].split()[:6]
    assert suggested[:3] == ["newsdesk", "sources", "add"] and "--dir" in suggested


def test_help_keeps_its_bracketed_section_names():
    said = nd("sources", "add", "--help").stdout
    assert "[sources]" in " ".join(said.split()) and "\\[" not in said
    for command in (("run",), ("stories",), ("sources", "add"), ("demo",)):
        assert "<bool>" not in nd(*command, "--help").stdout  # options name what they take, not a type


def test_error_messages_keep_their_bracketed_section_names(tmp_path):
    room = tmp_path / "room"
    assert nd("init", room).returncode == 0
    result = nd("worker", "--dir", room)
    said = " ".join(result.stderr.split())
    assert result.returncode == 2 and "[store] url" in said and "[queue] backend" in said and "Traceback" not in said
