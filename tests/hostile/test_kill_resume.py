"""kill -9 in the middle of each stage, then an ordinary run: the newsroom ends as a clean run
leaves it — the same articles citing the same sources, the same site files, nothing doubled."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import make_newsroom
from newsdesk.stages import STAGE_NAMES

# Runs `newsdesk run` and kills itself (SIGKILL, nothing cleaned up) inside one stage: after that
# stage's second committed transaction, or at its end if it commits less; publish just before the
# new site is swapped in.
KILL_INSIDE = r"""
import os, signal, sys
from contextlib import contextmanager
import newsdesk.stages as stages
from newsdesk.store.base import StoreBase

target = sys.argv[1]
state = {"stage": None, "commits": 0}
real_begin = StoreBase.begin

def die():
    os.kill(os.getpid(), signal.SIGKILL)

@contextmanager
def begin(self, conn=None):
    with real_begin(self, conn) as c:
        yield c
    if conn is None and state["stage"] == target:
        state["commits"] += 1
        if state["commits"] == 2:
            die()

StoreBase.begin = begin
for spec in stages.REGISTRY:
    cls = type(spec.load())
    def wrapped(self, ctx, _run=cls.run, _name=spec.name):
        state["stage"] = _name
        report = _run(self, ctx)
        if _name == target:
            die()
        return report
    cls.run = wrapped
if target == "publish":
    import newsdesk.publish as publish
    publish._swap_in = lambda *a, **k: die()
from newsdesk.cli import app
sys.argv = ["newsdesk", "run", "--dir", sys.argv[2]]
app()
"""


def newsdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsdesk.cli", *args], capture_output=True, text=True, timeout=300)


def outcome(room: Path) -> tuple[list[tuple[str, tuple[str, ...]]], list[str], int]:
    articles = json.loads(newsdesk("articles", "--format", "json", "--dir", str(room)).stdout)
    cited = sorted((a["headline"], tuple(sorted(r["url"] for r in a["references"]))) for a in articles)
    site = room / "site"
    built = site.resolve()
    # Story numbers follow the order sources happened to finish in: not part of the comparison.
    files = sorted(re.sub(r"story-\d+", "story-N", str(p.relative_to(built))) for p in built.rglob("*") if p.is_file())
    stories = json.loads(newsdesk("stories", "--format", "json", "--dir", str(room)).stdout)
    return cited, files, len(stories)


def prepared_room(path: Path, demo_server) -> Path:  # type: ignore[no-untyped-def]
    room = make_newsroom(path, '\n[write]\nmin_tier = "standard"\n')
    for name, url in demo_server.feed_urls():
        room.store.add_source(url, name=name)
    room.close()
    return path


@pytest.mark.slow
def test_kill_9_inside_each_stage_then_a_run_ends_like_a_clean_run(tmp_path, demo_server):
    clean_room = prepared_room(tmp_path / "clean", demo_server)
    first = newsdesk("run", "--dir", str(clean_room))
    assert "Traceback" not in first.stderr, first.stderr[-2000:]
    clean = outcome(clean_room)
    assert clean[0] and clean[1]
    for stage in STAGE_NAMES:
        room = prepared_room(tmp_path / stage, demo_server)
        killed = subprocess.run(
            [sys.executable, "-c", KILL_INSIDE, stage, str(room)], capture_output=True, text=True, timeout=300
        )
        assert killed.returncode == -9, (stage, killed.returncode, killed.stderr[-2000:])
        again = newsdesk("run", "--dir", str(room))
        assert "Traceback" not in again.stderr, (stage, again.stderr[-2000:])
        got = outcome(room)
        assert got[0] == clean[0], (stage, set(got[0]) ^ set(clean[0]))
        assert got[1:] == clean[1:], (stage, set(got[1]) ^ set(clean[1]), got[2], clean[2])
