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
        """The newest runs first: command, start, finish (None when it was stopped or is running),
        and ``outcome``: "ok", "failed: …" (what made it exit 1) or "unfinished" (running, or stopped)."""
        with self.begin(conn) as conn:
            q = select(runs.c.command, runs.c.started_at, runs.c.finished_at, runs.c.summary).order_by(runs.c.id.desc())
            rows = [dict(r) for r in conn.execute(q.limit(limit)).mappings()]
        for r in rows:
            r["outcome"] = run_outcome(r.pop("summary"), r["finished_at"] is not None)
        return rows


def run_outcome(summary: dict[str, Any] | None, finished: bool) -> str:
    """A run record's result in words. Records from before ``ok`` was stored are judged by
    their ingest sources and failed writes, as the exit code was."""
    if not finished:
        return "unfinished"
    summary = summary or {}
    sources = [s for s in (summary.get("ingest") or {}).get("sources", []) if isinstance(s, dict)]
    failed_sources = sum(s.get("status") == "error" for s in sources)
    failed_writes = int((summary.get("write") or {}).get("failed") or 0)
    ok = summary.get("ok")
    if ok is None:
        ok = not failed_sources and not failed_writes
    if ok:
        return "ok"
    why = []
    if failed_sources:
        why.append(f"{len(sources) - failed_sources} of {len(sources)} sources fetched")
    if failed_writes:
        why.append(f"{failed_writes} articles not written")
    return "failed" + (": " + ", ".join(why) if why else "")
