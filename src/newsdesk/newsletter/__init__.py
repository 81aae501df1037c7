"""The newsletter: a digest of the verified articles since the last issue, sent by email to
subscribers who confirmed, one message each, with a send log that survives a crash.

``build_issue`` picks only what verification let through (the published version of each
article), groups it by tier and renders an HTML email (tables, 600 px, inlined CSS, no script,
absolute links) and a plain-text alternative. ``send_issue`` writes "sending" before each message
and "sent" after it: a re-run after a crash sends to exactly those not marked sent — and a
message a crash interrupted after the server took it goes again with the same Message-ID, which
mail systems drop as a duplicate.
"""

from __future__ import annotations

import os
import smtplib
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from newsdesk.config import Settings
from newsdesk.site import article_path
from newsdesk.site import base as site_base
from newsdesk.store import Store, utcnow

TIERS = (("major", "Top stories"), ("standard", "Also today"), ("brief", "In brief"))
PLACEHOLDER = "%%UNSUBSCRIBE%%"


def build_issue(store: Store, settings: Settings, since: datetime | None = None) -> int | None:
    """Store an issue of the articles published or updated since ``since`` (default: the last
    issue, or a day); its id, or None when there is nothing new."""
    import css_inline
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    since = since or store.last_issue_at() or utcnow() - timedelta(days=1)
    base = site_base(settings.publish.base_url)
    entries: dict[str, list[dict[str, Any]]] = {}
    stories = []
    for v in store.publishable():
        a = v.published
        if a is None:
            continue
        when = a.updated or a.first_published or v.verified_at
        if when is None or when < since:
            continue
        entries.setdefault(a.tier, []).append(
            {
                "headline": a.headline,
                "dek": a.dek.text,
                "url": urljoin(base, article_path(a)),
                "sources": len({r.outlet for r in a.references}),
            }
        )
        stories.append([a.story_id, a.version])
    if not stories:
        return None
    title = settings.publish.site_title
    today = utcnow().astimezone(UTC)
    subject = f"{title} — {today.day} {today:%B %Y}"
    groups = [(label, entries[tier]) for tier, label in TIERS if entries.get(tier)]
    folder = resources.files("newsdesk.newsletter").joinpath("templates")
    env = Environment(loader=FileSystemLoader(str(folder)), autoescape=select_autoescape(default=True))
    archive_url = urljoin(base, "newsletter/latest.html")
    html = env.get_template("issue.html").render(
        subject=subject,
        title=title,
        date=f"{today.day} {today:%B %Y}",
        count=len(stories),
        groups=groups,
        archive_url=archive_url,
        unsubscribe_url=PLACEHOLDER,
    )
    html = css_inline.inline(html)
    lines = [subject, "", f"Every claim checked against its sources. In a browser: {archive_url}", ""]
    for label, items in groups:
        lines += [label.upper(), ""]
        for e in items:
            lines += [e["headline"], e["dek"], f"{e['sources']} sources: {e['url']}", ""]
    lines += [f"Unsubscribe with one click: {PLACEHOLDER}"]
    return store.save_issue({"since": since, "subject": subject, "html": html, "text": "\n".join(lines), "stories": stories})


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    permanent: int = 0
    errors: list[str] = field(default_factory=list)


def unsubscribe_url(settings: Settings, token: str) -> str:
    base = site_base(settings.publish.base_url)
    return str(urljoin(base, f"newsletter/unsubscribe?token={token}"))


def message_for(issue: dict[str, Any], subscriber: dict[str, Any], settings: Settings) -> EmailMessage:
    link = unsubscribe_url(settings, subscriber["token"])
    message = EmailMessage()
    message["From"] = settings.newsletter.from_address
    message["To"] = subscriber["email"]
    message["Subject"] = issue["subject"]
    message["Date"] = format_datetime(datetime.now(UTC))
    # The same Message-ID for the same issue and subscriber: a resend after a crash is a duplicate
    # the receiving side can recognise.
    domain = settings.newsletter.from_address.rsplit("@", 1)[-1].strip(" >") or "newsdesk.local"
    message["Message-ID"] = f"<issue{issue['id']}.sub{subscriber['id']}@{domain}>"
    message["List-Unsubscribe"] = f"<{link}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(issue["text"].replace(PLACEHOLDER, link))
    message.add_alternative(issue["html"].replace(PLACEHOLDER, link), subtype="html")
    return message


def _connect(settings: Settings) -> smtplib.SMTP:
    s = settings.newsletter
    client: smtplib.SMTP
    if s.smtp_security == "ssl":
        client = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=30)
    else:
        client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=30)
        if s.smtp_security == "starttls":
            client.starttls()
    user, password = os.environ.get(s.smtp_username_env), os.environ.get(s.smtp_password_env)
    if user and password:
        client.login(user, password)
    return client


def send_issue(store: Store, settings: Settings, issue_id: int, dry_run: Path | None = None) -> SendReport:
    """Send the issue to every confirmed subscriber it has not reached yet."""
    issue = store.newsletter_issue(issue_id)
    if issue is None:
        raise ValueError(f"no newsletter issue {issue_id}")
    report = SendReport()
    pending = store.still_to_send(issue_id, settings.newsletter.max_attempts)
    if dry_run is not None:
        dry_run.mkdir(parents=True, exist_ok=True)
        for subscriber in pending:
            (dry_run / f"issue{issue_id}-{subscriber['id']}.eml").write_bytes(bytes(message_for(issue, subscriber, settings)))
        report.sent = len(pending)
        return report
    gap = 1.0 / settings.newsletter.messages_per_second
    client = _connect(settings) if pending else None
    try:
        for subscriber in pending:
            started = time.monotonic()
            store.record_send(issue_id, subscriber["id"], "sending")
            try:
                assert client is not None
                client.send_message(message_for(issue, subscriber, settings))
            except smtplib.SMTPRecipientsRefused as exc:
                code = next(iter(exc.recipients.values()))[0] if exc.recipients else 550
                permanent = 500 <= code < 600
                store.record_send(issue_id, subscriber["id"], "permanent" if permanent else "retry", f"refused: {code}")
                if permanent:
                    store.set_subscriber_status(subscriber["id"], "failed")  # no further sends to it
                    report.permanent += 1
                else:
                    report.failed += 1
                continue
            except (smtplib.SMTPException, OSError) as exc:
                store.record_send(issue_id, subscriber["id"], "retry", f"{type(exc).__name__}: {exc}"[:500])
                report.failed += 1
                report.errors.append(f"{subscriber['email']}: {exc}")
                client = _connect(settings)  # the connection may be gone; the next one starts clean
                continue
            store.record_send(issue_id, subscriber["id"], "sent")
            report.sent += 1
            pause = gap - (time.monotonic() - started)
            if pause > 0:
                time.sleep(pause)
    finally:
        if client is not None:
            try:
                client.quit()
            except smtplib.SMTPException:
                pass
    return report


def send_confirmation(settings: Settings, email: str, link: str) -> None:
    """The double opt-in message: nothing is sent to the address until its owner follows the link."""
    message = EmailMessage()
    message["From"] = settings.newsletter.from_address
    message["To"] = email
    message["Subject"] = f"Confirm your subscription to {settings.publish.site_title}"
    message["Date"] = format_datetime(datetime.now(UTC))
    message.set_content(
        f"Someone (we hope you) asked to receive {settings.publish.site_title} by email.\n\n"
        f"To confirm, open this link within {settings.newsletter.confirm_hours:.0f} hours:\n{link}\n\n"
        "If it was not you, ignore this message: nothing will be sent."
    )
    client = _connect(settings)
    try:
        client.send_message(message)
    finally:
        client.quit()
