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
@pytest.mark.parametrize("trial", range(8))
def test_two_concurrent_runs_publish_each_story_once(newsroom, demo_server, trial):
    for name, url in demo_server.feed_urls():
        newsroom.store.add_source(url, name=name)
    command = [sys.executable, "-m", "newsdesk.cli", "run", "--dir", str(newsroom.path)]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.15 * trial)  # the second starts before, during and after the first takes the lock
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


def _duplicate_a_story(room) -> int:  # type: ignore[no-untyped-def]
    """What two runs without the lock left: a second story for the same items (the items ended in
    the other one), with its own article."""
    from sqlalchemy import insert, select

    from newsdesk.store.schema import articles, stories

    with room.store.begin() as conn:
        story = conn.execute(select(stories).limit(1)).mappings().one()
        article = conn.execute(select(articles).where(articles.c.story_id == story["id"])).mappings().first()
        copy = dict(story)
        copy.pop("id")
        new_story = conn.execute(insert(stories).values(**copy)).inserted_primary_key[0]
        if article is not None:
            row = dict(article)
            row.pop("id")
            conn.execute(insert(articles).values(**{**row, "story_id": new_story}))
    return int(new_story)


def _story_ids(room) -> set[int]:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from newsdesk.store.schema import articles, stories

    with room.store.begin() as conn:
        with_articles = set(conn.execute(select(articles.c.story_id)).scalars())
        return set(conn.execute(select(stories.c.id)).scalars()) | with_articles


def test_duplicates_an_earlier_concurrent_run_left_are_removed_by_the_next_run(newsroom, demo_server):
    for name, url in demo_server.feed_urls():
        newsroom.store.add_source(url, name=name)
    run(newsroom, ("ingest", "stories", "enrich", "write"))
    clean = _story_ids(newsroom)
    extra = _duplicate_a_story(newsroom)
    assert extra in _story_ids(newsroom)
    report = run(newsroom, ("stories",)).reports["stories"]
    assert report.removed_empty == 1
    assert _story_ids(newsroom) == clean


def test_the_migration_repairs_a_newsroom_from_before_the_lock(newsroom, demo_server):
    from sqlalchemy import text

    from newsdesk.pipeline import open_newsroom

    for name, url in demo_server.feed_urls():
        newsroom.store.add_source(url, name=name)
    run(newsroom, ("ingest", "stories", "enrich", "write"))
    clean = _story_ids(newsroom)
    from alembic import command
    from alembic.config import Config

    from newsdesk.store.base import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with newsroom.store.engine.connect() as conn:  # back to the schema of a newsroom from before the lock
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # as Store.migrate does: SQLite copies altered tables
        conn.commit()
        with conn.begin():
            config.attributes["connection"] = conn
            command.downgrade(config, "0005")
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0005"
    items_before = newsroom.store.count_items()
    _duplicate_a_story(newsroom)
    newsroom.close()
    reopened = open_newsroom(newsroom.path)  # runs migrations 0006 to head
    try:
        assert _story_ids(reopened) == clean
        assert reopened.store.count_items() == items_before > 0  # no migration lost an item
    finally:
        reopened.close()
