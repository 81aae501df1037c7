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

import base64
import logging
import os
import re
import smtplib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage, MIMEPart
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, parseaddr
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from newsdesk.config import Settings
from newsdesk.records import Article, ClaimCheck
from newsdesk.site import article_path, slug
from newsdesk.site import base as site_base
from newsdesk.store import Store, utcnow
from newsdesk.store.newsletter import parse_selection, topic_key

TIERS = (("major", "Top stories"), ("standard", "Also today"), ("brief", "In brief"))
_TIER_ORDER = {tier: n for n, (tier, _) in enumerate(TIERS)}
# Charts are PNG parts of every message: a few keep a 10,000-subscriber send light.
MAX_CHARTS = 3
PLACEHOLDER = "%%UNSUBSCRIBE%%"
FOLLOWS_PLACEHOLDER = "%%FOLLOWS%%"  # the subscriber's own page of what they follow
ISSUE_PLACEHOLDER = "%%ISSUE%%"  # the issue's number, known once it is stored
log = logging.getLogger("newsdesk.newsletter")


def build_issue(store: Store, settings: Settings, since: datetime | None = None) -> int | None:
    """Store an edition of the articles published or updated since ``since`` (default: the last
    issue, or a day): the daily issue of them all, and one issue per selection of topics that
    confirmed subscribers follow and something matches. The daily issue's id, or None when there
    is nothing new."""
    since = since or store.last_issue_at() or utcnow() - timedelta(days=1)
    base = site_base(settings.publish.base_url)
    held = store.held_story_ids()  # an editor's hold keeps an article out of the newsletter too
    candidates: list[tuple[Article, dict[str, Any]]] = []
    # Top stories first, so the charts an issue carries are theirs.
    for v in sorted(store.publishable(), key=lambda v: _TIER_ORDER.get(v.published.tier if v.published else "", 3)):
        a = v.published
        if a is None or v.story_id in held:
            continue
        when = a.updated or a.first_published or v.verified_at
        if when is None or when < since:
            continue
        blurb = verified_blurb(a, v.claims)
        if blurb is None:
            continue
        media = store.media_of(a.story_id, a.version)
        chart = None
        if media is not None and media.chart and media.chart.get("png"):
            chart = {"src": f"cid:{chart_cid(a.story_id, a.version)}", "alt": media.chart["caption"]}
        entry = {
            "headline": a.headline,
            "dek": blurb,
            "url": urljoin(base, article_path(a)),
            "sources": len({r.outlet for r in a.references}),
            "chart": chart,
        }
        candidates.append((a, entry))
    if not candidates:
        return None
    env = _environment()
    edition = store.save_issue(_render(env, settings, candidates, since, None, {}))
    for key, labels in store.selections().items():
        matched = _matching(store, candidates, key)
        if matched:  # nothing the subscriber follows: no issue for them this time
            store.save_issue({**_render(env, settings, matched, since, key, labels), "edition_id": edition})
    return edition


def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    folder = resources.files("newsdesk.newsletter").joinpath("templates")
    return Environment(loader=FileSystemLoader(str(folder)), autoescape=select_autoescape(default=True))


def _matching(store: Store, candidates: list[tuple[Article, dict[str, Any]]], key: str) -> list[tuple[Article, dict[str, Any]]]:
    """The candidates a selection follows: an article with a followed tag, or with every word of a
    followed keyword (as the site's search finds them: its index, stemmed words)."""
    wanted: set[int] = set()
    ids = [a.story_id for a, _ in candidates]
    for kind, topic in parse_selection(key):
        if kind == "tag":
            wanted |= {a.story_id for a, _ in candidates if topic in {topic_key("tag", t) for t in a.tags}}
        elif kind == "keyword":
            wanted |= {hit.story_id for hit in store.newest_matching(topic, len(ids), among=ids)}
    return [(a, e) for a, e in candidates if a.story_id in wanted]


def feed_links(settings: Settings, labels: dict[str, str]) -> list[dict[str, str]]:
    """What a selection follows, each with the address of its feed: a tag's page feed (publish),
    a keyword's feed served by the app (``/follow/keyword/{slug}.xml``)."""
    base = site_base(settings.publish.base_url)
    links = []
    for topic, label in labels.items():
        kind, _, key = topic.partition(":")
        # A tag's feed as publish writes it (publish.tag_feed_paths; publish imports this package).
        path = f"tags/{slug(label)}/feed.xml" if kind == "tag" else f"follow/keyword/{keyword_slug(key)}.xml"
        links.append({"kind": kind, "label": label, "feed": urljoin(base, path)})
    return links


def keyword_slug(key: str) -> str:
    """A keyword's address: its words joined by hyphens (a word never holds one)."""
    return "-".join(key.split())


def _render(
    env: Any,
    settings: Settings,
    chosen: list[tuple[Article, dict[str, Any]]],
    since: datetime,
    selection: str | None,
    labels: dict[str, str],
) -> dict[str, Any]:
    """An issue's stored values: subject, HTML (CSS inlined) and text of the chosen articles."""
    import css_inline

    entries: dict[str, list[dict[str, Any]]] = {}
    charts = 0
    for a, entry in chosen:
        entry = dict(entry)
        if entry["chart"] is not None:
            if charts < MAX_CHARTS:  # charts are PNG parts of every message: a few keep a send light
                charts += 1
            else:
                entry["chart"] = None
        entries.setdefault(a.tier, []).append(entry)
    title = settings.publish.site_title
    today = utcnow().astimezone(_zone(settings))
    date = f"{today.day} {today:%B %Y}"
    following = feed_links(settings, labels)
    names = [f["label"] for f in following]
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    subject = f"{title}: {shown} — {date}" if selection else f"{title} — {date}"
    groups = [(label, entries[tier]) for tier, label in TIERS if entries.get(tier)]
    base = site_base(settings.publish.base_url)
    # Only the daily issue has a page in the site's archive; an issue for a selection links to its feeds.
    browser_url = "" if selection else urljoin(base, f"newsletter/issue-{ISSUE_PLACEHOLDER}.html")
    html = env.get_template("issue.html").render(
        subject=subject,
        title=title,
        date=date,
        count=len(chosen),
        groups=groups,
        archive_url=browser_url,
        unsubscribe_url=PLACEHOLDER,
        following=following,
        follows_url=FOLLOWS_PLACEHOLDER,
    )
    html = css_inline.inline(html)
    lines = [subject, ""]
    if browser_url:
        lines += [f"Every claim checked against its sources. In a browser: {browser_url}", ""]
    else:
        lines += ["Every claim checked against its sources. You follow:"]
        lines += [f"- {f['label']} ({f['kind']}), feed: {f['feed']}" for f in following]
        lines += [f"Change what you follow: {FOLLOWS_PLACEHOLDER}", ""]
    for label, items in groups:
        lines += [label.upper(), ""]
        for e in items:
            lines += [e["headline"], e["dek"], f"{e['sources']} sources: {e['url']}", ""]
    lines += [f"Unsubscribe with one click: {PLACEHOLDER}"]
    return {
        "since": since,
        "subject": subject,
        "html": html,
        "text": "\n".join(lines),
        "stories": [[a.story_id, a.version] for a, _ in chosen],
        "selection": selection,
    }


def verified_blurb(article: Article, claims: list[ClaimCheck]) -> str | None:
    """The article's dek when verification passed it, else its first passed sentence; None when
    nothing passed (such an article is left out: an issue carries only verified text)."""
    passed = {c.text for c in claims if c.verdict == "PASS"}
    if article.dek.text in passed:
        return article.dek.text
    return next((s.text for s in article.sentences() if s.text in passed and s.frame is None), None)


def chart_cid(story_id: int, version: int) -> str:
    return f"chart-{story_id}-{version}@newsdesk"


CID = re.compile(r"cid:chart-(\d+)-(\d+)@newsdesk")


def issue_images(store: Store, issue: dict[str, Any]) -> dict[str, bytes]:
    """The PNG charts an issue's HTML refers to (by Content-ID), from the media stage's records."""
    images: dict[str, bytes] = {}
    for story, version in {(int(m[0]), int(m[1])) for m in CID.findall(issue["html"])}:
        media = store.media_of(story, version)
        if media is not None and media.chart and media.chart.get("png"):
            images[chart_cid(story, version)] = base64.b64decode(media.chart["png"])
    return images


def for_browser(issue: dict[str, Any], unsubscribe_page: str) -> str:
    """The issue as the site's "view in a browser" page: the charts as files beside it
    (``chart-S-V.png``), and no subscriber's unsubscribe link."""
    page = CID.sub(lambda m: f"chart-{m[1]}-{m[2]}.png", issue["html"])
    page = page.replace(PLACEHOLDER, unsubscribe_page).replace(FOLLOWS_PLACEHOLDER, unsubscribe_page)
    return page.replace(ISSUE_PLACEHOLDER, str(issue["id"]))


def _zone(settings: Settings) -> ZoneInfo:
    return ZoneInfo(settings.newsletter.timezone)


def issue_due(store: Store, settings: Settings, now: datetime | None = None) -> bool:
    """With ``[newsletter] daily_at`` set: whether today's issue (in the newsroom's time zone) is
    due and not built yet."""
    at = settings.newsletter.daily_at
    if not at:
        return False
    local = (now or utcnow()).astimezone(_zone(settings))
    hour, minute = (int(x) for x in at.split(":"))
    if (local.hour, local.minute) < (hour, minute):
        return False
    last = store.last_issue_at()
    return last is None or last.astimezone(_zone(settings)).date() < local.date()


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    permanent: int = 0
    errors: list[str] = field(default_factory=list)


def unsubscribe_url(settings: Settings, token: str) -> str:
    base = site_base(settings.publish.base_url)
    return str(urljoin(base, f"newsletter/unsubscribe?token={token}"))


def follows_url(settings: Settings, token: str) -> str:
    """The subscriber's page of what they follow (the token of their unsubscribe link names them)."""
    return str(urljoin(site_base(settings.publish.base_url), f"newsletter/follows?token={token}"))


def message_for(
    issue: dict[str, Any], subscriber: dict[str, Any], settings: Settings, images: Sequence[MIMEPart] = ()
) -> EmailMessage:
    """One subscriber's message: plain text and HTML alternatives, the charts (``image_parts``) as
    inline PNG parts of the HTML, and the subscriber's own one-click unsubscribe (RFC 8058)."""
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
    number = str(issue["id"])
    follows = follows_url(settings, subscriber["token"])

    def filled(text: str) -> str:
        return text.replace(PLACEHOLDER, link).replace(ISSUE_PLACEHOLDER, number).replace(FOLLOWS_PLACEHOLDER, follows)

    message.set_content(filled(issue["text"]))
    message.add_alternative(filled(issue["html"]), subtype="html")
    if images:
        html_part = message.get_payload()[1]  # type: ignore[index]
        assert isinstance(html_part, MIMEPart)
        html_part.make_related()
        for part in images:
            html_part.attach(part)
    return message


def image_parts(images: dict[str, bytes]) -> list[MIMEPart]:
    """The charts as MIME parts (Content-ID), encoded once per issue and shared by every
    subscriber's message: encoding them per message cost most of the time of a send."""
    parts = []
    for cid, png in sorted(images.items()):
        part = MIMEPart()
        part.set_content(png, "image", "png", cid=f"<{cid}>", filename=cid.split("@")[0] + ".png", disposition="inline")
        parts.append(part)
    return parts


class DkimSigner:
    """Signs a message's bytes with the configured key (``[newsletter] dkim_*``)."""

    HEADERS: ClassVar[list[bytes]] = [
        b"from",
        b"to",
        b"subject",
        b"date",
        b"message-id",
        b"list-unsubscribe",
        b"list-unsubscribe-post",
    ]

    def __init__(self, settings: Settings, folder: Path):
        s = settings.newsletter
        if not (s.dkim_selector and s.dkim_domain):
            raise ValueError("[newsletter] dkim_key_file is set: set dkim_selector and dkim_domain too")
        try:
            import dkim  # type: ignore[import-untyped]
        except ImportError:
            raise ValueError("[newsletter] dkim_key_file is set but dkimpy is not installed: pip install dkimpy") from None
        key_path = Path(s.dkim_key_file)
        key_path = key_path if key_path.is_absolute() else folder / key_path
        try:
            self.key = key_path.read_bytes()
        except OSError as exc:
            raise ValueError(f"[newsletter] dkim_key_file {key_path} cannot be read ({exc.strerror})") from None
        self.dkim = dkim
        self.selector, self.domain = s.dkim_selector.encode(), s.dkim_domain.encode()

    def sign(self, raw: bytes) -> bytes:
        header = self.dkim.sign(raw, self.selector, self.domain, self.key, include_headers=self.HEADERS)
        return bytes(header) + raw


def _connect(settings: Settings, folder: Path = Path("."), timeout: float = 30.0) -> smtplib.SMTP:
    """An SMTP connection as configured. TLS (STARTTLS or SSL) verifies the server's certificate
    and name, against the system's authorities or ``[newsletter] smtp_ca_file``; credentials come
    from the environment. ``timeout``: seconds of silence from the server before giving up."""
    import ssl

    s = settings.newsletter
    context = None
    if s.smtp_security != "none":
        ca_file = Path(s.smtp_ca_file) if s.smtp_ca_file else None
        if ca_file is not None and not ca_file.is_absolute():
            ca_file = folder / ca_file
        context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    client: smtplib.SMTP
    if s.smtp_security == "ssl":
        client = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=timeout)
        if s.smtp_security == "starttls":
            client.starttls(context=context)
    user, password = os.environ.get(s.smtp_username_env), os.environ.get(s.smtp_password_env)
    if user and password:
        client.login(user, password)
    return client


def send_issue(
    store: Store, settings: Settings, issue_id: int, dry_run: Path | None = None, folder: Path = Path(".")
) -> SendReport:
    """Send the issue to every confirmed subscriber it has not reached yet: a daily issue goes with
    its edition (each subscriber following topics gets the issue of their selection, if one was
    built; the rest the daily issue), an issue for a selection to that selection's subscribers.
    ``folder``: where a relative ``dkim_key_file`` is found (the newsroom's folder)."""
    issue = store.newsletter_issue(issue_id)
    if issue is None:
        raise ValueError(f"no newsletter issue {issue_id}")
    signer = DkimSigner(settings, folder) if settings.newsletter.dkim_key_file else None
    max_attempts = settings.newsletter.max_attempts
    if issue["edition_id"] is None:
        issues = {i["id"]: i for i in store.edition(issue_id)}
        pending = store.edition_to_send(issue_id, max_attempts)
    else:
        issues = {issue_id: issue}
        pending = [(issue_id, s) for s in store.still_to_send(issue_id, max_attempts)]
    parts: dict[int, list[MIMEPart]] = {}  # each issue's charts, encoded once for all its messages
    report = SendReport()

    def raw(number: int, subscriber: dict[str, Any]) -> bytes:
        if number not in parts:
            parts[number] = image_parts(issue_images(store, issues[number]))
        data = message_for(issues[number], subscriber, settings, parts[number]).as_bytes(policy=SMTP_POLICY)
        return signer.sign(data) if signer else data

    if dry_run is not None:
        dry_run.mkdir(parents=True, exist_ok=True)
        for number, subscriber in pending:
            (dry_run / f"issue{number}-{subscriber['id']}.eml").write_bytes(raw(number, subscriber))
        report.sent = len(pending)
        return report
    sender = parseaddr(settings.newsletter.from_address)[1]
    gap = 1.0 / settings.newsletter.messages_per_second
    client = _connect(settings, folder) if pending else None
    try:
        for number, subscriber in pending:
            started = time.monotonic()
            store.record_send(number, subscriber["id"], "sending")
            try:
                assert client is not None
                client.sendmail(sender, [subscriber["email"]], raw(number, subscriber))
            except smtplib.SMTPRecipientsRefused as exc:
                code = next(iter(exc.recipients.values()))[0] if exc.recipients else 550
                permanent = 500 <= code < 600
                store.record_send(number, subscriber["id"], "permanent" if permanent else "retry", f"refused: {code}")
                log.warning(
                    "issue %s: the SMTP server refused subscriber %s (%s)",
                    number,
                    subscriber["id"],
                    code,
                    extra={"event": "smtp_refused", "issue": number, "subscriber": subscriber["id"], "code": code},
                )
                if permanent:
                    store.set_subscriber_status(subscriber["id"], "failed")  # no further sends to it
                    report.permanent += 1
                else:
                    report.failed += 1
                continue
            except (smtplib.SMTPException, OSError) as exc:
                store.record_send(number, subscriber["id"], "retry", f"{type(exc).__name__}: {exc}"[:500])
                log.warning(
                    "issue %s: sending to subscriber %s failed: %s: %s",
                    number,
                    subscriber["id"],
                    type(exc).__name__,
                    exc,
                    extra={
                        "event": "smtp_failure",
                        "issue": number,
                        "subscriber": subscriber["id"],
                        "error": type(exc).__name__,
                    },
                )
                report.failed += 1
                report.errors.append(f"{subscriber['email']}: {exc}")
                client = _connect(settings, folder)  # the connection may be gone; the next one starts clean
                continue
            store.record_send(number, subscriber["id"], "sent")
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


def _unfinished_issue(store: Store, settings: Settings, now: datetime | None) -> dict[str, Any] | None:
    """The newest daily issue, when it is less than a day old and some confirmed subscriber has not
    got its edition's issue for them."""
    latest = store.newsletter_issue()
    if latest is None or latest["created_at"] <= (now or utcnow()) - timedelta(days=1):
        return None
    return latest if store.edition_to_send(latest["id"], settings.newsletter.max_attempts) else None


def delivery_due(store: Store, settings: Settings, now: datetime | None = None) -> bool:
    """Whether the daily schedule has work: an issue to build, or one to finish sending."""
    if not settings.newsletter.daily_at:
        return False
    return issue_due(store, settings, now) or _unfinished_issue(store, settings, now) is not None


def deliver_if_due(
    store: Store,
    settings: Settings,
    folder: Path,
    now: datetime | None = None,
    after_build: Callable[[], object] | None = None,
) -> str | None:
    """The daily schedule (``[newsletter] daily_at``): build today's issue when due, and send the
    newest issue of the last day to whoever it has not reached (so a crash between building and
    sending, or mid-send, is finished on the next call). A line saying what happened, or None."""
    if not settings.newsletter.daily_at:
        return None
    said: list[str] = []
    if issue_due(store, settings, now):
        built = build_issue(store, settings)
        if built:  # nothing new since the last issue: no issue today, nothing said
            said.append(f"newsletter issue {built} built")
            if after_build is not None:
                after_build()  # e.g. publish, so the issue's "view in a browser" page exists before it is sent
    latest = _unfinished_issue(store, settings, now)
    if latest is not None:
        report = send_issue(store, settings, latest["id"], folder=folder)
        said.append(f"issue {latest['id']} sent to {report.sent} (failed {report.failed + report.permanent})")
    return "; ".join(said) or None


def send_confirmation(settings: Settings, email: str, link: str, folder: Path = Path("."), topics: Sequence[str] = ()) -> None:
    """The double opt-in message: nothing is sent to the address until its owner follows the link
    (nor, for topics to follow, are they followed)."""
    message = EmailMessage()
    message["From"] = settings.newsletter.from_address
    message["To"] = email
    message["Subject"] = f"Confirm your subscription to {settings.publish.site_title}"
    message["Date"] = format_datetime(datetime.now(UTC))
    following = f", following {', '.join(topics)}" if topics else ""
    message.set_content(
        f"Someone (we hope you) asked to receive {settings.publish.site_title} by email{following}.\n\n"
        f"To confirm, open this link within {settings.newsletter.confirm_hours:.0f} hours:\n{link}\n\n"
        "If it was not you, ignore this message: nothing will be sent."
    )
    client = _connect(settings, folder, timeout=settings.newsletter.confirm_timeout)
    try:
        client.send_message(message)
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):  # the message went (or the error above says why not)
            client.close()
