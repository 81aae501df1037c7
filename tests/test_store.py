"""The schema: migrations match the table definitions, on SQLite and on a real PostgreSQL."""

import os
import shutil
import socket
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from newsdesk.records import NewItem
from newsdesk.store import Store
from newsdesk.store.schema import metadata


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
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_sqlite_schema_matches_and_works(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    exercise(store)
    store.close()
    # Opening again runs no migration twice and keeps the data.
    again = Store(f"sqlite:///{tmp_path / 'x.db'}")
    assert [s.name for s in again.list_sources()] == ["PG Times"]


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    return None


@pytest.fixture
def postgres_url():
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not installed")
    pytest.importorskip("psycopg")
    run_as = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        if not shutil.which("runuser"):
            pytest.skip("running as root without runuser")
        run_as = ["runuser", "-u", "postgres", "--"]
    # Not pytest's tmp_path: its parents are private to root and the server user must reach it.
    tmp_path = Path(tempfile.mkdtemp(prefix="newsdesk-pg-"))
    tmp_path.chmod(0o777)
    data = tmp_path / "pgdata"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run(
        [*run_as, initdb, "-D", str(data), "-U", "newsdesk", "--auth=trust", "-E", "UTF8"], check=True, capture_output=True
    )
    subprocess.run(
        [
            *run_as,
            pg_ctl,
            "-D",
            str(data),
            "-o",
            f"-p {port} -k {tmp_path} -c listen_addresses=127.0.0.1",
            "-l",
            str(tmp_path / "pg.log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        subprocess.run(
            [*run_as, _pg_bin("createdb") or "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "newsdesk", "newsdesk"],
            check=True,
            capture_output=True,
        )
        yield f"postgresql+psycopg://newsdesk@127.0.0.1:{port}/newsdesk"
    finally:
        subprocess.run([*run_as, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(tmp_path, ignore_errors=True)


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
