"""Workers on a real PostgreSQL (throwaway server) with Procrastinate, as real subprocesses: two
workers produce what one process does, never hold the same story at once, and a worker killed
with kill -9 mid-job leaves its job to another, with nothing lost or duplicated."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import make_newsroom
from newsdesk.pipeline import open_newsroom, run

pytestmark = pytest.mark.postgres
pytest.importorskip("procrastinate")


def newsdesk(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsdesk.cli", *args], capture_output=True, text=True, timeout=timeout, env=env)


def outcome(path: Path) -> tuple[list[tuple[str, tuple[str, ...]]], int]:
    articles = json.loads(newsdesk("articles", "--format", "json", "--dir", str(path)).stdout)
    cited = sorted((a["headline"], tuple(sorted(r["url"] for r in a["references"]))) for a in articles)
    return cited, len(articles)


def queued_room(path: Path, url: str, demo_server, stalled: float = 30.0) -> Path:  # type: ignore[no-untyped-def]
    extra = (
        f'\n[store]\nurl = "{url}"\n[queue]\nbackend = "procrastinate"\nstalled_seconds = {stalled}\nheartbeat_seconds = 1.0\n'
    )
    room = make_newsroom(path, extra)
    demo_server.configure(room.settings)
    # The demo server's community and API addresses, for the worker processes too.
    config = path / "newsdesk.toml"
    config.write_text(
        config.read_text()
        + f'\n[community]\nreddit_base_url = "{room.settings.community.reddit_base_url}"\n'
        + f'hn_base_url = "{room.settings.community.hn_base_url}"\n'
        + f'[enrich]\nhf_base_url = "{room.settings.enrich.hf_base_url}"\ngithub_api_url = "{room.settings.enrich.github_api_url}"\n'
    )
    for name, feed in demo_server.feed_urls():
        room.store.add_source(feed, name=name)
    room.close()
    upgraded = newsdesk("db", "upgrade", "--dir", str(path))
    assert upgraded.returncode == 0 and "Job queue schema installed" in upgraded.stdout, upgraded.stderr
    return path


def clean_reference(tmp_path: Path, demo_server) -> list[tuple[str, tuple[str, ...]]]:  # type: ignore[no-untyped-def]
    reference = make_newsroom(tmp_path / "clean")
    demo_server.configure(reference.settings)
    for name, feed in demo_server.feed_urls():
        reference.store.add_source(feed, name=name)
    run(reference)
    reference.close()
    return outcome(tmp_path / "clean")[0]


def drain(path: Path) -> None:
    """Run workers until no job waits: clustering is debounced (scheduled a few seconds ahead),
    so a `worker --once` that finds nothing ready yet is followed by another."""
    from sqlalchemy import text

    room = open_newsroom(path)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            with room.store.begin() as conn:
                waiting = conn.execute(text("SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')")).scalar()
            if not waiting:
                return
            assert newsdesk("worker", "--once", "--dir", str(path)).returncode == 0
            time.sleep(1)
        raise AssertionError("jobs still waiting after 180 s")
    finally:
        room.close()


def overlapping_story_units(path: Path) -> list[str]:
    """Story units whose recorded run times overlap (two workers on one story at once)."""
    room = open_newsroom(path)
    try:
        runs = [r for r in room.store.recent_runs(10_000) if r["command"].startswith("story:") and r["finished_at"]]
    finally:
        room.close()
    clashes = []
    for k, a in enumerate(runs):
        for b in runs[k + 1 :]:
            if a["command"] == b["command"] and a["started_at"] < b["finished_at"] and b["started_at"] < a["finished_at"]:
                clashes.append(a["command"])
    return clashes


def test_two_workers_publish_what_one_process_does(postgres_url, tmp_path, demo_server):
    path = queued_room(tmp_path / "room", postgres_url, demo_server)
    assert "fetches enqueued" in newsdesk("schedule", "--once", "--dir", str(path)).stdout
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "newsdesk.cli", "worker", "--once", "--dir", str(path)], stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    for w in workers:
        _, err = w.communicate(timeout=300)
        assert w.returncode == 0 and "Traceback" not in err, err[-3000:]
    drain(path)  # what was deferred after the workers left (the debounced clustering, a late publish)
    cited, count = outcome(path)
    assert count >= 10 and cited == clean_reference(tmp_path, demo_server)
    assert overlapping_story_units(path) == []
    status = newsdesk("status", "--dir", str(path)).stdout
    assert "Jobs:" in status and "succeeded" in status
    # The daily newsletter, scheduled like the fetches and done by a worker: built, published, sent.
    from aiosmtpd.controller import Controller

    from test_newsletter import Mailbox, _closed_port

    box = Mailbox()
    port = _closed_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with (path / "newsdesk.toml").open("a") as config:
            config.write(f'\n[newsletter]\nsmtp_port = {port}\nsmtp_security = "none"\ndaily_at = "00:00"\n')
        room = open_newsroom(path)
        room.store.add_subscriber("reader@example.org", "confirmed")
        room.close()
        assert "the newsletter enqueued" in newsdesk("schedule", "--once", "--dir", str(path)).stdout
        drain(path)
        assert [m["To"] for m in box.messages] == ["reader@example.org"]
        assert (open_newsroom(path).site_dir / "newsletter" / "issue-1.html").exists()
        assert "the newsletter enqueued" not in newsdesk("schedule", "--once", "--dir", str(path)).stdout  # once a day
    finally:
        controller.stop()


def test_a_worker_killed_mid_job_leaves_it_to_another(postgres_url, tmp_path, demo_server):
    path = queued_room(tmp_path / "room", postgres_url, demo_server, stalled=3.0)
    newsdesk("schedule", "--once", "--dir", str(path))
    victim = subprocess.Popen(
        [sys.executable, "-m", "newsdesk.cli", "worker", "--once", "--dir", str(path)], stderr=subprocess.PIPE, text=True
    )
    room = open_newsroom(path)
    from sqlalchemy import text

    deadline = time.monotonic() + 120
    doing = 0
    while time.monotonic() < deadline and not doing:
        with room.store.begin() as conn:
            doing = conn.execute(text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'")).scalar() or 0
        time.sleep(0.05)
    assert doing, "no job started"
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(30)
    time.sleep(4)  # past stalled_seconds without a heartbeat
    scheduled = newsdesk("schedule", "--once", "--dir", str(path))
    assert "1 stalled jobs handed to other workers" in scheduled.stdout, scheduled.stderr[-6000:].replace("\n", " | ")
    drain(path)
    with room.store.begin() as conn:
        left = conn.execute(text("SELECT count(*) FROM procrastinate_jobs WHERE status IN ('doing', 'todo')")).scalar()
    room.close()
    assert left == 0
    cited, _ = outcome(path)
    assert cited == clean_reference(tmp_path, demo_server)
