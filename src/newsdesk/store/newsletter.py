"""The newsletter's tables: subscribers, the topics they follow, issues, and the send log (one
row per subscriber and issue, written before and after each message, so a re-run after a crash
knows who is done).

Following topics: a subscriber's follows (tags, keywords) make one ``selection`` key, kept on the
subscriber's row; an edition is the daily issue (selection NULL, for everyone following nothing)
and one issue per selection with something in it, each sent to the subscribers of that key.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update

from newsdesk.store.base import StoreBase
from newsdesk.store.rows import new_id, utcnow
from newsdesk.store.schema import newsletter_issues, sends, subscriber_follows, subscribers
from newsdesk.store.search import headline_key

FOLLOW_KINDS = ("tag", "keyword")
MAX_FOLLOWS = 20  # per subscriber: an issue per selection stays a digest, not a search engine
MAX_TOPIC_CHARS = 100


def topic_key(kind: str, label: str) -> str:
    """A topic as matched and compared: a tag case-folded with single spaces, a keyword its words
    (as the search index splits them), lower case. "" when nothing is left."""
    if kind == "tag":
        return " ".join(label.split()).casefold()[:MAX_TOPIC_CHARS]
    return headline_key(label)[:MAX_TOPIC_CHARS]


def selection_key(follows: Iterable[tuple[str, str]]) -> str | None:
    """One key for a set of (kind, key) follows, the same whatever their order; None for none."""
    chosen = sorted(set(follows))
    return json.dumps(chosen, ensure_ascii=False, separators=(",", ":")) if chosen else None


def parse_selection(key: str | None) -> list[tuple[str, str]]:
    return [(str(kind), str(value)) for kind, value in json.loads(key)] if key else []


def mailbox_of(email: str) -> str:
    """The mailbox an address reaches, for the confirmation cap: lower case, any +tag dropped."""
    local, _, domain = email.rpartition("@")
    return f"{local.split('+', 1)[0].lower()}@{domain.lower()}"


class NewsletterQueries(StoreBase):
    def add_subscriber(self, email: str, status: str, *, conn: Connection | None = None) -> tuple[dict[str, Any], bool]:
        """(the subscriber, whether it is new). An address already listed keeps its status,
        except that a confirmed import confirms a pending one."""
        with self.begin(conn) as conn:
            row = conn.execute(select(subscribers).where(subscribers.c.email == email)).mappings().first()
            if row is not None:
                if status == "confirmed" and row["status"] == "pending":
                    conn.execute(
                        update(subscribers).where(subscribers.c.id == row["id"]).values(status="confirmed", confirmed_at=utcnow())
                    )
                return dict(row), False
            now = utcnow()
            values = {
                "email": email,
                "status": status,
                "token": secrets.token_urlsafe(24),
                "created_at": now,
                "confirmed_at": now if status == "confirmed" else None,
            }
            values["id"] = new_id(conn.execute(insert(subscribers).values(**values)))
            return values, True

    def subscriber_by_token(self, token: str, *, conn: Connection | None = None) -> dict[str, Any] | None:
        with self.begin(conn) as conn:
            row = conn.execute(select(subscribers).where(subscribers.c.token == token)).mappings().first()
            return dict(row) if row else None

    def set_subscriber_status(self, subscriber_id: int, status: str, *, conn: Connection | None = None) -> None:
        stamp = {"confirmed": "confirmed_at", "unsubscribed": "unsubscribed_at"}.get(status)
        values: dict[str, Any] = {"status": status}
        if stamp:
            values[stamp] = utcnow()
        with self.begin(conn) as conn:
            conn.execute(update(subscribers).where(subscribers.c.id == subscriber_id).values(**values))

    def claim_confirmation(
        self, subscriber_id: int, mailbox: str, every: timedelta, *, conn: Connection | None = None
    ) -> datetime | None:
        """The time now stamped as this subscriber's confirmation, when none went to its mailbox
        (``mailbox_of``) in the last ``every``; else None (nothing to send). One conditional
        update: sign-ups at once claim it once, whichever client they come from."""
        now = utcnow()
        recent = subscribers.alias("recent")
        sent_lately = select(recent.c.id).where(recent.c.mailbox == mailbox, recent.c.confirmation_sent_at > now - every).exists()
        with self.begin(conn) as conn:
            result = conn.execute(
                update(subscribers)
                .where(subscribers.c.id == subscriber_id, ~sent_lately)
                .values(confirmation_sent_at=now, mailbox=mailbox)
            )
            return now if result.rowcount else None

    def release_confirmation(self, subscriber_id: int, stamp: datetime, *, conn: Connection | None = None) -> None:
        """A confirmation that could not be sent does not count: the reader may try again."""
        with self.begin(conn) as conn:
            conn.execute(
                update(subscribers)
                .where(subscribers.c.id == subscriber_id, subscribers.c.confirmation_sent_at == stamp)
                .values(confirmation_sent_at=None)
            )

    def subscribers(self, status: str | None = None, *, conn: Connection | None = None) -> list[dict[str, Any]]:
        with self.begin(conn) as conn:
            q = select(subscribers).order_by(subscribers.c.id)
            if status:
                q = q.where(subscribers.c.status == status)
            return [dict(r) for r in conn.execute(q).mappings()]

    # --- following topics ---
    def add_follows(
        self, subscriber_id: int, follows: Iterable[tuple[str, str]], *, conn: Connection | None = None
    ) -> list[dict[str, Any]]:
        """Add (kind, label) follows the subscriber does not have yet (at most MAX_FOLLOWS in all;
        unknown kinds and empty topics are skipped); the subscriber's follows after."""
        with self.begin(conn) as conn:
            have = {(f["kind"], f["key"]) for f in self.follows_of(subscriber_id, conn=conn)}
            for kind, label in follows:
                label = " ".join(label.split())[:MAX_TOPIC_CHARS]
                key = topic_key(kind, label) if kind in FOLLOW_KINDS else ""
                if not key or (kind, key) in have or len(have) >= MAX_FOLLOWS:
                    continue
                conn.execute(
                    insert(subscriber_follows).values(
                        subscriber_id=subscriber_id, kind=kind, key=key, label=label, created_at=utcnow()
                    )
                )
                have.add((kind, key))
            return self._reselect(subscriber_id, conn)

    def remove_follow(self, subscriber_id: int, kind: str, key: str, *, conn: Connection | None = None) -> list[dict[str, Any]]:
        with self.begin(conn) as conn:
            conn.execute(
                delete(subscriber_follows).where(
                    subscriber_follows.c.subscriber_id == subscriber_id,
                    subscriber_follows.c.kind == kind,
                    subscriber_follows.c.key == key,
                )
            )
            return self._reselect(subscriber_id, conn)

    def _reselect(self, subscriber_id: int, conn: Connection) -> list[dict[str, Any]]:
        """The subscriber's selection key brought in step with its follows (same transaction)."""
        follows = self.follows_of(subscriber_id, conn=conn)
        key = selection_key((f["kind"], f["key"]) for f in follows)
        conn.execute(update(subscribers).where(subscribers.c.id == subscriber_id).values(selection=key))
        return follows

    def follows_of(self, subscriber_id: int, *, conn: Connection | None = None) -> list[dict[str, Any]]:
        with self.begin(conn) as conn:
            q = (
                select(subscriber_follows)
                .where(subscriber_follows.c.subscriber_id == subscriber_id)
                .order_by(subscriber_follows.c.kind, subscriber_follows.c.key)
            )
            return [dict(r) for r in conn.execute(q).mappings()]

    def selections(self, *, conn: Connection | None = None) -> dict[str, dict[str, str]]:
        """Every selection confirmed subscribers have: its key -> {(kind, key) as "kind:key": label}."""
        with self.begin(conn) as conn:
            keys = conn.execute(
                select(subscribers.c.selection)
                .where(subscribers.c.status == "confirmed", subscribers.c.selection.is_not(None))
                .distinct()
            ).scalars()
            labels = {
                (r.kind, r.key): r.label
                for r in conn.execute(
                    select(subscriber_follows.c.kind, subscriber_follows.c.key, subscriber_follows.c.label)
                    .join(subscribers, subscribers.c.id == subscriber_follows.c.subscriber_id)
                    .where(subscribers.c.status == "confirmed")
                    .order_by(subscriber_follows.c.id.desc())  # the first label typed wins
                )
            }
            return {
                key: {f"{kind}:{value}": labels.get((kind, value), value) for kind, value in parse_selection(key)}
                for key in sorted(k for k in keys if k)
            }

    # --- issues ---
    def save_issue(self, values: dict[str, Any], *, conn: Connection | None = None) -> int:
        with self.begin(conn) as conn:
            return new_id(conn.execute(insert(newsletter_issues).values(created_at=utcnow(), **values)))

    def newsletter_issue(self, issue_id: int | None = None, *, conn: Connection | None = None) -> dict[str, Any] | None:
        """An issue, or the newest daily issue."""
        with self.begin(conn) as conn:
            q = select(newsletter_issues)
            if issue_id:
                q = q.where(newsletter_issues.c.id == issue_id)
            else:
                q = q.where(newsletter_issues.c.edition_id.is_(None)).order_by(newsletter_issues.c.id.desc())
            row = conn.execute(q.limit(1)).mappings().first()
            return dict(row) if row else None

    def newsletter_issues(self, *, conn: Connection | None = None) -> list[dict[str, Any]]:
        """Every daily issue, newest first (for the archive on the site; an issue for a selection
        of topics is no page there)."""
        with self.begin(conn) as conn:
            q = select(newsletter_issues).where(newsletter_issues.c.edition_id.is_(None)).order_by(newsletter_issues.c.id.desc())
            return [dict(r) for r in conn.execute(q).mappings()]

    def edition(self, issue_id: int, *, conn: Connection | None = None) -> list[dict[str, Any]]:
        """A daily issue and the issues for selections built with it (the daily one first)."""
        with self.begin(conn) as conn:
            q = (
                select(newsletter_issues)
                .where(or_(newsletter_issues.c.id == issue_id, newsletter_issues.c.edition_id == issue_id))
                .order_by(newsletter_issues.c.id)
            )
            return [dict(r) for r in conn.execute(q).mappings()]

    def last_issue_at(self, *, conn: Connection | None = None) -> datetime | None:
        with self.begin(conn) as conn:
            q = select(func.max(newsletter_issues.c.created_at)).where(newsletter_issues.c.edition_id.is_(None))
            return conn.execute(q).scalar()

    def still_to_send(self, issue_id: int, max_attempts: int, *, conn: Connection | None = None) -> list[dict[str, Any]]:
        """Confirmed subscribers of the issue's selection (for the daily issue: those following
        nothing) it has not reached: no record, a retry left, or a send a crash interrupted
        ("sending": sent again, with the same Message-ID)."""
        with self.begin(conn) as conn:
            selection = conn.execute(select(newsletter_issues.c.selection).where(newsletter_issues.c.id == issue_id)).scalar()
            done = select(sends.c.subscriber_id).where(
                sends.c.issue_id == issue_id,
                (sends.c.status.in_(("sent", "permanent"))) | (sends.c.attempts >= max_attempts),
            )
            chosen = subscribers.c.selection.is_(None) if selection is None else subscribers.c.selection == selection
            q = (
                select(subscribers)
                .where(subscribers.c.status == "confirmed", chosen, subscribers.c.id.not_in(done))
                .order_by(subscribers.c.id)
            )
            return [dict(r) for r in conn.execute(q).mappings()]

    def edition_to_send(
        self, issue_id: int, max_attempts: int, *, conn: Connection | None = None
    ) -> list[tuple[int, dict[str, Any]]]:
        """(issue id, subscriber) for every confirmed subscriber an issue of the edition has not
        reached yet: each subscriber with the issue of its own selection, in one query."""
        with self.begin(conn) as conn:
            issue = newsletter_issues
            done = (
                select(sends.c.id)
                .where(
                    sends.c.issue_id == issue.c.id,
                    sends.c.subscriber_id == subscribers.c.id,
                    (sends.c.status.in_(("sent", "permanent"))) | (sends.c.attempts >= max_attempts),
                )
                .exists()
            )
            same = or_(
                and_(issue.c.selection.is_(None), subscribers.c.selection.is_(None)), issue.c.selection == subscribers.c.selection
            )
            q = (
                select(issue.c.id.label("issue_id"), subscribers)
                .join(subscribers, same)
                .where(or_(issue.c.id == issue_id, issue.c.edition_id == issue_id), subscribers.c.status == "confirmed", ~done)
                .order_by(issue.c.id, subscribers.c.id)
            )
            out = []
            for row in conn.execute(q).mappings():
                values = dict(row)
                out.append((int(values.pop("issue_id")), values))
            return out

    def record_send(
        self, issue_id: int, subscriber_id: int, status: str, error: str | None = None, *, conn: Connection | None = None
    ) -> None:
        with self.begin(conn) as conn:
            row = conn.execute(
                select(sends.c.id, sends.c.attempts).where(sends.c.issue_id == issue_id, sends.c.subscriber_id == subscriber_id)
            ).first()
            attempts_add = 1 if status == "sending" else 0
            if row is None:
                conn.execute(
                    insert(sends).values(
                        issue_id=issue_id,
                        subscriber_id=subscriber_id,
                        status=status,
                        attempts=attempts_add,
                        last_error=error,
                        updated_at=utcnow(),
                    )
                )
            else:
                conn.execute(
                    update(sends)
                    .where(sends.c.id == row.id)
                    .values(status=status, attempts=row.attempts + attempts_add, last_error=error, updated_at=utcnow())
                )

    def send_log(self, issue_id: int, *, conn: Connection | None = None) -> dict[str, int]:
        with self.begin(conn) as conn:
            q = select(sends.c.status, func.count()).where(sends.c.issue_id == issue_id).group_by(sends.c.status)
            return {status: int(n) for status, n in conn.execute(q)}
