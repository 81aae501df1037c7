"""A full disk or a database that cannot be written mid-run: one line that says what to do,
exit 1, and what earlier stages stored is still there. SQLite's own limits produce the real errors
(``max_page_count`` fills the database; ``query_only`` refuses writes)."""

from __future__ import annotations

from sqlalchemy import event
from typer.testing import CliRunner

import newsdesk.cli as cli
from newsdesk import pipeline


def _run_with_pragma(monkeypatch, room_path, pragma: str):  # type: ignore[no-untyped-def]
    real_open = pipeline.open_newsroom

    def opening(path):  # type: ignore[no-untyped-def]
        room = real_open(path)
        room.store.engine.dispose()
        event.listen(room.store.engine, "connect", lambda dbapi, _record: dbapi.execute(pragma))
        return room

    monkeypatch.setattr(pipeline, "open_newsroom", opening)
    return CliRunner().invoke(cli.app, ["run", "--dir", str(room_path)])


def _count_items(room_path) -> int:  # type: ignore[no-untyped-def]
    room = pipeline.open_newsroom(room_path)
    try:
        return room.store.count_items()
    finally:
        room.close()


def test_a_full_disk_mid_run_is_one_clear_line(newsroom, demo_server, monkeypatch):
    for name, url in demo_server.feed_urls()[:2]:
        newsroom.store.add_source(url, name=name)
    pipeline.run(newsroom, ("ingest",))
    before = _count_items(newsroom.path)
    for name, url in demo_server.feed_urls()[2:]:
        newsroom.store.add_source(url, name=name)
    newsroom.close()
    pages = (newsroom.path / "newsdesk.db").stat().st_size // 4096
    result = _run_with_pragma(monkeypatch, newsroom.path, f"PRAGMA max_page_count = {pages + 2}")
    said = " ".join(result.output.split())
    assert result.exit_code == 1, result.output
    # Exited with its message (the demo server's threads may log a dropped connection meanwhile).
    assert isinstance(result.exception, SystemExit)
    assert "is full" in said and str(newsroom.path.resolve()) in said
    assert _count_items(newsroom.path) >= before


def test_a_database_that_cannot_be_written_names_the_folder(newsroom, demo_server, monkeypatch):
    for name, url in demo_server.feed_urls()[:2]:
        newsroom.store.add_source(url, name=name)
    newsroom.close()
    result = _run_with_pragma(monkeypatch, newsroom.path, "PRAGMA query_only = 1")
    said = " ".join(result.output.split())
    assert result.exit_code == 1, result.output
    assert "cannot be written" in said and str(newsroom.path.resolve()) in said and isinstance(result.exception, SystemExit)


def test_a_store_in_a_folder_that_is_a_file_names_it(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    room = tmp_path / "room"
    room.mkdir()
    (room / "newsdesk.toml").write_text(f'[store]\nurl = "sqlite:///{blocker}/newsdesk.db"\n')
    result = CliRunner().invoke(cli.app, ["sources", "list", "--dir", str(room)])
    said = " ".join(result.output.split())
    assert result.exit_code == 2 and "exists and can be written" in said and "Traceback" not in result.output
