"""Runs: one record per pipeline run, with its summary."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, update

from newsdesk.store.base import StoreBase
from newsdesk.store.rows import new_id, utcnow
from newsdesk.store.schema import runs


class RunsQueries(StoreBase):
    def start_run(self, command: str, *, conn: Connection | None = None) -> int:
        with self.begin(conn) as conn:
            result = conn.execute(insert(runs).values(command=command, started_at=utcnow()))
            return new_id(result)

    def finish_run(self, run_id: int, summary: dict[str, Any], *, conn: Connection | None = None) -> None:
        with self.begin(conn) as conn:
            conn.execute(update(runs).where(runs.c.id == run_id).values(finished_at=utcnow(), summary=summary))
