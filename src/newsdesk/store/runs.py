"""Runs: one record per pipeline run, with its summary."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select, update

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

    def recent_runs(self, limit: int = 10, *, conn: Connection | None = None) -> list[dict[str, Any]]:
        """The newest runs first: command, start and finish (None when it was stopped or is running)."""
        with self.begin(conn) as conn:
            q = select(runs.c.command, runs.c.started_at, runs.c.finished_at).order_by(runs.c.id.desc()).limit(limit)
            return [dict(r) for r in conn.execute(q).mappings()]
