"""The live service's tables: readers' feedback, editors and their sessions' accounts, editors'
verdicts on claims, corrections, holds, and the audit log of every editor action."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from newsdesk.store.base import StoreBase
from newsdesk.store.rows import new_id, utcnow
from newsdesk.store.schema import audit, corrections, editor_verdicts, feedback, holds, stories, users


class ServiceQueries(StoreBase):
    # --- readers' feedback ---
    def add_feedback(self, row: dict[str, Any], *, cookieless_cap: int | None = None, conn: Connection | None = None) -> int:
        """Store a reader's feedback. A helpful vote with a ``voter`` replaces that voter's earlier
        vote on the story (one vote per reader and article, changeable). ``cookieless_cap``: the
        vote of a new voter (no cookie came with it) replaces the newest vote of its client (the
        address's salted hash) on the story once that client has cast this many in the last hour,
        so dropping the cookie does not buy more votes."""
        now = utcnow()
        with self.begin(conn) as conn:
            voter = row.get("voter")
            if voter is not None:
                earlier = conn.execute(
                    select(feedback.c.id).where(feedback.c.story_id == row["story_id"], feedback.c.voter == voter)
                ).scalar()
                if earlier is None and cookieless_cap is not None:
                    recent = conn.execute(
                        select(feedback.c.id)
                        .where(
                            feedback.c.story_id == row["story_id"],
                            feedback.c.kind == "helpful",
                            feedback.c.client == row["client"],
                            feedback.c.received_at > now - timedelta(hours=1),
                        )
                        .order_by(feedback.c.id.desc())
                        .limit(cookieless_cap)
                    ).scalars()
                    ids = list(recent)
                    earlier = ids[0] if len(ids) >= cookieless_cap else None
                if earlier is not None:
                    conn.execute(update(feedback).where(feedback.c.id == earlier).values(received_at=now, **row))
                    return int(earlier)
            return new_id(conn.execute(insert(feedback).values(received_at=now, **row)))

    def story_exists(self, story_id: int, *, conn: Connection | None = None) -> bool:
        with self.begin(conn) as conn:
            return conn.execute(select(stories.c.id).where(stories.c.id == story_id)).first() is not None

    def feedback_rows(self, story_id: int | None = None, *, conn: Connection | None = None) -> list[dict[str, Any]]:
        with self.begin(conn) as conn:
            q = select(feedback).order_by(feedback.c.id)
            if story_id is not None:
                q = q.where(feedback.c.story_id == story_id)
            return [dict(r) for r in conn.execute(q).mappings()]

    def open_reports(self, *, conn: Connection | None = None) -> list[dict[str, Any]]:
        with self.begin(conn) as conn:
            q = (
                select(feedback)
                .where(feedback.c.kind == "report", feedback.c.resolved_at.is_(None))
                .order_by(feedback.c.received_at)
            )
            return [dict(r) for r in conn.execute(q).mappings()]

    def resolve_reports(self, story_id: int, sentence_text: str, *, conn: Connection | None = None) -> int:
        with self.begin(conn) as conn:
            result = conn.execute(
                update(feedback)
                .where(
                    feedback.c.story_id == story_id,
                    feedback.c.sentence_text == sentence_text,
                    feedback.c.resolved_at.is_(None),
                )
                .values(resolved_at=utcnow())
            )
            return result.rowcount or 0

    def helpfulness(self, *, conn: Connection | None = None) -> dict[int, tuple[int, int]]:
        """story id → (yes, no) votes."""
        with self.begin(conn) as conn:
            q = (
                select(feedback.c.story_id, feedback.c.helpful, func.count())
                .where(feedback.c.kind == "helpful")
                .group_by(feedback.c.story_id, feedback.c.helpful)
            )
            out: dict[int, list[int]] = {}
            for story_id, helpful, n in conn.execute(q):
                out.setdefault(story_id, [0, 0])[0 if helpful else 1] += n
            return {k: (v[0], v[1]) for k, v in out.items()}

    # --- editors ---
    def add_user(self, name: str, password_hash: str, *, conn: Connection | None = None) -> bool:
        """False when the name is taken."""
        with self.begin(conn) as conn:
            if conn.execute(select(users.c.id).where(users.c.name == name)).first():
                return False
            conn.execute(insert(users).values(name=name, password_hash=password_hash, created_at=utcnow()))
            return True

    def user(self, name: str, *, conn: Connection | None = None) -> dict[str, Any] | None:
        with self.begin(conn) as conn:
            row = conn.execute(select(users).where(users.c.name == name)).mappings().first()
            return dict(row) if row else None

    def record_login(self, name: str, ok: bool, lock_until: datetime | None, *, conn: Connection | None = None) -> None:
        with self.begin(conn) as conn:
            if ok:
                values: dict[str, Any] = {"failed_logins": 0, "locked_until": None}
            else:
                values = {"failed_logins": users.c.failed_logins + 1}
                if lock_until is not None:
                    values = {"failed_logins": 0, "locked_until": lock_until}
            conn.execute(update(users).where(users.c.name == name).values(**values))

    # --- editors' verdicts, holds, corrections ---
    def set_editor_verdict(self, story_id: int, claim: str, verdict: str, editor: str, *, conn: Connection | None = None) -> None:
        with self.begin(conn) as conn:
            conn.execute(
                delete(editor_verdicts).where(editor_verdicts.c.story_id == story_id, editor_verdicts.c.claim_text == claim)
            )
            conn.execute(
                insert(editor_verdicts).values(
                    story_id=story_id, claim_text=claim, verdict=verdict, editor=editor, decided_at=utcnow()
                )
            )

    def editor_verdicts(self, story_id: int, *, conn: Connection | None = None) -> dict[str, tuple[str, str]]:
        """claim text → (verdict, editor)."""
        with self.begin(conn) as conn:
            q = select(editor_verdicts).where(editor_verdicts.c.story_id == story_id)
            return {r["claim_text"]: (r["verdict"], r["editor"]) for r in conn.execute(q).mappings()}

    def hold(self, story_id: int, editor: str, *, conn: Connection | None = None) -> None:
        with self.begin(conn) as conn:
            conn.execute(delete(holds).where(holds.c.story_id == story_id))
            conn.execute(insert(holds).values(story_id=story_id, editor=editor, held_at=utcnow()))

    def release(self, story_id: int, *, conn: Connection | None = None) -> None:
        with self.begin(conn) as conn:
            conn.execute(delete(holds).where(holds.c.story_id == story_id))

    def held_story_ids(self, *, conn: Connection | None = None) -> set[int]:
        with self.begin(conn) as conn:
            return set(conn.execute(select(holds.c.story_id)).scalars())

    def add_correction(self, story_id: int, text: str, editor: str, *, conn: Connection | None = None) -> None:
        with self.begin(conn) as conn:
            conn.execute(insert(corrections).values(story_id=story_id, text=text, editor=editor, published_at=utcnow()))

    def corrections(self, *, conn: Connection | None = None) -> dict[int, list[dict[str, Any]]]:
        """story id → its corrections, oldest first."""
        with self.begin(conn) as conn:
            out: dict[int, list[dict[str, Any]]] = {}
            for r in conn.execute(select(corrections).order_by(corrections.c.id)).mappings():
                out.setdefault(r["story_id"], []).append(dict(r))
            return out

    # --- the audit log ---
    def log_action(
        self, editor: str, action: str, story_id: int | None, detail: dict[str, Any], *, conn: Connection | None = None
    ) -> None:
        with self.begin(conn) as conn:
            conn.execute(insert(audit).values(at=utcnow(), editor=editor, action=action, story_id=story_id, detail=detail))

    def audit_log(self, *, conn: Connection | None = None) -> list[dict[str, Any]]:
        with self.begin(conn) as conn:
            return [dict(r) for r in conn.execute(select(audit).order_by(audit.c.id)).mappings()]

    # --- editors' accounts from the command line (`newsdesk users list|remove|passwd`) ---
    def users(self, *, conn: Connection | None = None) -> list[dict[str, Any]]:
        """Every editor, by name: when created, failed logins since the last good one, locked until."""
        with self.begin(conn) as conn:
            q = select(users.c.name, users.c.created_at, users.c.failed_logins, users.c.locked_until).order_by(users.c.name)
            return [dict(r) for r in conn.execute(q).mappings()]

    def remove_user(self, name: str, *, conn: Connection | None = None) -> bool:
        """False when there is no such editor. The audit log keeps the editor's past actions."""
        with self.begin(conn) as conn:
            return bool(conn.execute(delete(users).where(users.c.name == name)).rowcount)

    def set_password(self, name: str, password_hash: str, *, conn: Connection | None = None) -> bool:
        """A new password; it also lifts a lock-out. False when there is no such editor."""
        with self.begin(conn) as conn:
            values: dict[str, Any] = {"password_hash": password_hash, "failed_logins": 0, "locked_until": None}
            return bool(conn.execute(update(users).where(users.c.name == name).values(**values)).rowcount)
