"""One run at a time per newsroom: a second is told, and nothing is doubled."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from newsdesk.pipeline import LOCK_NAME, run


def test_a_second_run_is_refused_with_a_clear_message(newsroom):
    import fcntl

    newsroom.store.add_source("https://news.example/feed.xml")
    with open(newsroom.path / LOCK_NAME, "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("pid 4242, since 2026-11-29 10:00:00")
        held.flush()
        result = subprocess.run(
            [sys.executable, "-m", "newsdesk.cli", "run", "--dir", str(newsroom.path)], capture_output=True, text=True, timeout=60
        )
    said = " ".join(result.stderr.split())
    assert result.returncode == 1 and "another newsdesk run is using the newsroom" in said and "pid 4242" in said
    assert "Traceback" not in said


@pytest.mark.slow
def test_two_concurrent_runs_publish_each_story_once(newsroom, demo_server):
    for name, url in demo_server.feed_urls():
        newsroom.store.add_source(url, name=name)
    command = [sys.executable, "-m", "newsdesk.cli", "run", "--dir", str(newsroom.path)]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.3)
    second = subprocess.run(command, capture_output=True, text=True, timeout=120)
    _, err = first.communicate(timeout=120)
    assert "Traceback" not in err + second.stderr
    refused = ["another newsdesk run is using the newsroom" in " ".join(e.split()) for e in (err, second.stderr)]
    assert sorted(refused) == [False, True]  # exactly one ran; the other was told, and did nothing
    stories = newsroom.store.stories()
    articles = newsroom.store.latest_articles()
    assert len({a.story_id for a in articles}) == len(articles)
    titles = [s.title for s in stories]
    assert len(titles) == len(set(titles))
    again = run(newsroom)  # and a later run is free to go
    assert again.write is not None
