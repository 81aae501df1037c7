"""The engine, migrations and transactions every table group shares."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event

from newsdesk.store.rows import sqlite_pragmas

MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_durability(dbapi_conn: Any, _record: Any) -> None:
    # With WAL, NORMAL syncs at checkpoints rather than at every commit (FULL: an fsync per
    # reader's vote): a power cut may lose the last commits, never corrupt the database.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


class StoreBase:
    def __init__(self, url: str):
        self.url = url
        self.engine: Engine = create_engine(url, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", sqlite_pragmas)
            event.listen(self.engine, "connect", _sqlite_durability)
        self.migrate()

    def migrate(self) -> None:
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.connect() as conn:
            sqlite = self.engine.dialect.name == "sqlite"
            if sqlite:
                # SQLite alters a table by copying it and dropping the old one; with foreign keys on,
                # that drop would cascade (dropping `sources` deletes every item). Off for the
                # migration (a pragma only takes effect outside a transaction), on again after.
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                conn.commit()
            try:
                with conn.begin():
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
            finally:
                if sqlite:
                    conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                    conn.commit()

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def begin(self, conn: Connection | None = None) -> Iterator[Connection]:
        """A transaction: the caller's (``conn``), or a new one committed on leaving.

        Every store method takes ``conn=`` the same way, so a stage can make several calls one
        transaction (clustering assigns items and updates stories together) or let each commit."""
        if conn is not None:
            yield conn
            return
        with self.engine.begin() as new:
            yield new
