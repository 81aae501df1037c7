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
