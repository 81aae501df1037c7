"""The schema: migrations match the table definitions, on SQLite and on a real PostgreSQL."""

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from newsdesk.records import NewItem
from newsdesk.store import Store
from newsdesk.store.schema import include_name, metadata


def exercise(store: Store) -> None:
    source, created = store.add_source("https://pg.example/feed", name="PG Times")
    assert created and not store.add_source("https://pg.example/feed")[1]
    now = datetime.now(UTC)
    item = NewItem(
        source_id=source.id,
        guid="g1",
        url="https://pg.example/a?utm_source=x",
        canonical_url="https://pg.example/a",
        outlet="PG Times",
        title="T",
        summary="",
        text="Body text.",
        text_origin="feed",
        author=None,
        published_at=now,
        fetched_at=now,
        engagement={"comments": 3.0},
    )
    first = store.insert_item(item, minhash=b"\x00\x01", duplicate_of=None)
    assert first is not None and store.insert_item(item, minhash=None, duplicate_of=None) is None
    assert store.item_ids_by_canonical_url(["https://pg.example/a"]) == {"https://pg.example/a": first}
    (stored,) = store.items_without_story()
    assert stored.published_at == now and stored.engagement == {"comments": 3.0}
    with store.engine.connect() as conn:
        # SQLite's full-text index (an FTS5 table and its shadow tables) is not in the metadata.
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        assert compare_metadata(context, metadata) == []


def test_sqlite_schema_matches_and_works(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    exercise(store)
    store.close()
    # Opening again runs no migration twice and keeps the data.
    again = Store(f"sqlite:///{tmp_path / 'x.db'}")
    assert [s.name for s in again.list_sources()] == ["PG Times"]


@pytest.mark.postgres
def test_postgres_schema_matches_and_works(postgres_url):
    store = Store(postgres_url)
    exercise(store)
    store.close()


@pytest.mark.postgres
def test_the_whole_pipeline_and_the_desk_tables_on_postgres(postgres_url, tmp_path):
    """Column sizes are enforced on PostgreSQL (SQLite ignores them): a whole run, feedback and an
    editor's verdict must fit."""
    from conftest import make_newsroom
    from newsdesk.demo.server import DemoServer
    from newsdesk.pipeline import run

    room = make_newsroom(tmp_path / "room", f'\n[store]\nurl = "{postgres_url}"\n')
    with DemoServer(port=0) as server:
        server.configure(room.settings)
        for name, url in server.feed_urls():
            room.store.add_source(url, name=name)
        report = run(room)
    assert report.publish is not None and report.publish.articles >= 10
    story = room.store.latest_articles()[0]
    room.store.add_feedback(
        {
            "story_id": story.story_id,
            "version": story.version,
            "kind": "report",
            "sentence": 0,
            "sentence_text": story.dek.text,
            "reason": "wrong_attribution",
            "comment": "x" * 2000,
            "client": "c" * 32,
        }
    )
    room.store.set_editor_verdict(story.story_id, story.dek.text, "FAIL", "e" * 64)
    assert room.store.open_reports() and room.store.editor_verdicts(story.story_id)
    room.close()
