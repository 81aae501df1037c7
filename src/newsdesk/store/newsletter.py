"""The newsletter's tables: subscribers, issues, and the send log (one row per subscriber and
issue, written before and after each message, so a re-run after a crash knows who is done)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from newsdesk.store.base import StoreBase
from newsdesk.store.rows import new_id, utcnow
from newsdesk.store.schema import newsletter_issues, sends, subscribers


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

    def save_issue(self, values: dict[str, Any], *, conn: Connection | None = None) -> int:
        with self.begin(conn) as conn:
            return new_id(conn.execute(insert(newsletter_issues).values(created_at=utcnow(), **values)))

    def newsletter_issue(self, issue_id: int | None = None, *, conn: Connection | None = None) -> dict[str, Any] | None:
        """An issue, or the newest."""
        with self.begin(conn) as conn:
            q = select(newsletter_issues)
            q = q.where(newsletter_issues.c.id == issue_id) if issue_id else q.order_by(newsletter_issues.c.id.desc())
            row = conn.execute(q.limit(1)).mappings().first()
            return dict(row) if row else None

    def newsletter_issues(self, *, conn: Connection | None = None) -> list[dict[str, Any]]:
        """Every issue, newest first (for the archive on the site)."""
        with self.begin(conn) as conn:
            q = select(newsletter_issues).order_by(newsletter_issues.c.id.desc())
            return [dict(r) for r in conn.execute(q).mappings()]

    def last_issue_at(self, *, conn: Connection | None = None) -> datetime | None:
        with self.begin(conn) as conn:
            return conn.execute(select(func.max(newsletter_issues.c.created_at))).scalar()

    def still_to_send(self, issue_id: int, max_attempts: int, *, conn: Connection | None = None) -> list[dict[str, Any]]:
        """Confirmed subscribers this issue has not reached: no record, a retry left, or a send a
        crash interrupted ("sending": sent again, with the same Message-ID)."""
        with self.begin(conn) as conn:
            done = select(sends.c.subscriber_id).where(
                sends.c.issue_id == issue_id,
                (sends.c.status.in_(("sent", "permanent"))) | (sends.c.attempts >= max_attempts),
            )
            q = (
                select(subscribers)
                .where(subscribers.c.status == "confirmed", subscribers.c.id.not_in(done))
                .order_by(subscribers.c.id)
            )
            return [dict(r) for r in conn.execute(q).mappings()]

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
