"""The newsletter against a real SMTP server on loopback (aiosmtpd): an issue of verified articles,
headers a mail client needs, double opt-in and one-click unsubscribe through the app, refused
recipients, and a kill -9 in the middle of 1,000 messages: after a re-run every subscriber has
exactly one message (one Message-ID), nobody missed."""

from __future__ import annotations

import email
import email.policy
import re
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import published_demo
from newsdesk.pipeline import open_newsroom, run

aiosmtpd = pytest.importorskip("aiosmtpd.controller")


class Mailbox:
    """An SMTP server's handler: every message kept; some recipients refused."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.raw: list[bytes] = []
        self.by_recipient: dict[str, list[str]] = defaultdict(list)
        self.lock = threading.Lock()
        self.temporary = {"later@example.org": 1}  # refused once (450), then taken

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address.startswith("bounce@"):
            return "550 5.1.1 no such user"
        if self.temporary.get(address, 0) > 0:
            self.temporary[address] -= 1
            return "450 4.2.0 try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.raw.append(envelope.original_content or envelope.content)
            self.messages.append(message)
            for rcpt in envelope.rcpt_tos:
                self.by_recipient[rcpt].append(message["Message-ID"])
        return "250 Message accepted"


@pytest.fixture
def smtp():  # type: ignore[no-untyped-def]
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def published(tmp_path_factory):  # type: ignore[no-untyped-def]
    return published_demo(tmp_path_factory.mktemp("letter") / "room")


def copy_configured(published: Path, tmp_path: Path, port: int) -> Path:
    """A copy of the published demo newsroom, sending through the test's SMTP server."""
    import shutil

    path = tmp_path / "room"
    shutil.copytree(published, path, symlinks=True)
    configured(path, port)
    return path


def configured(path: Path, port: int) -> None:
    config = path / "newsdesk.toml"
    text = re.sub(r"\n\[newsletter\].*", "", config.read_text(), flags=re.S)
    config.write_text(
        text + f'\n[newsletter]\nsmtp_port = {port}\nsmtp_security = "none"\nmessages_per_second = 10000.0\n'
        'from_address = "Newsdesk <news@newsdesk.example>"\n'
    )


def test_an_issue_carries_only_verified_articles_with_the_headers_mail_needs(published, smtp, tmp_path):
    box, port = smtp
    path = copy_configured(published, tmp_path, port)
    room = open_newsroom(path)
    from newsdesk.newsletter import build_issue, send_issue

    issue_id = build_issue(room.store, room.settings)
    assert issue_id is not None
    issue = room.store.newsletter_issue(issue_id)
    published_headlines = {v.published.headline for v in room.store.publishable() if v.published}
    assert all(h in published_headlines for h in re.findall(r"^(.+)\n.+\n\d+ sources:", issue["text"], re.M))
    assert "<script" not in issue["html"] and "<style" not in issue["html"]  # CSS inlined
    from newsdesk.newsletter import PLACEHOLDER

    # Every link absolute (the unsubscribe link is filled in per subscriber); images are parts of
    # the message (cid:), never fetched from the web.
    assert not re.search(r'href="(?!https?://)', issue["html"].replace(PLACEHOLDER, "https://u.example/"))
    assert not re.search(r'src="(?!cid:)', issue["html"])
    run(room, ("publish",))  # the "view in a browser" page the email links to
    latest = (room.site_dir / "newsletter" / "latest.html").read_text()
    assert issue["subject"] in latest and "%%UNSUBSCRIBE%%" not in latest
    for address in ("reader@example.org", "bounce@example.org", "later@example.org"):
        room.store.add_subscriber(address, "confirmed")
    first = send_issue(room.store, room.settings, issue_id)
    assert (first.sent, first.permanent, first.failed) == (1, 1, 1)
    second = send_issue(room.store, room.settings, issue_id)  # the refused-for-now one is retried
    assert (second.sent, second.permanent, second.failed) == (1, 0, 0)
    assert send_issue(room.store, room.settings, issue_id).sent == 0  # nobody twice
    assert {s["email"]: s["status"] for s in room.store.subscribers()}["bounce@example.org"] == "failed"
    message = box.messages[0]
    assert message["From"] == "Newsdesk <news@newsdesk.example>" and message["Date"] and message["Message-ID"]
    assert message["List-Unsubscribe"].startswith("<http") and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    parts = [p.get_content_type() for p in message.walk()]
    assert "text/plain" in parts and "text/html" in parts
    plain = message.get_body(("plain",)).get_content()
    assert all(h in plain for h in re.findall(r"^(.+)\n.+\n\d+ sources:", issue["text"], re.M))
    room.close()


def test_a_kill_9_mid_send_then_a_rerun_reaches_everyone_exactly_once(published, smtp, tmp_path):
    box, port = smtp
    path = copy_configured(published, tmp_path, port)
    room = open_newsroom(path)
    from newsdesk.newsletter import build_issue

    assert build_issue(room.store, room.settings) is not None
    addresses = [f"reader{n}@example.org" for n in range(1000)]
    for address in addresses:
        room.store.add_subscriber(address, "confirmed")
    room.close()
    command = [sys.executable, "-m", "newsdesk.cli", "newsletter", "send", "--dir", str(path)]
    sender = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while len(box.messages) < 300 and time.monotonic() < deadline:
        time.sleep(0.01)
    sender.send_signal(signal.SIGKILL)
    sender.wait(30)
    assert 300 <= len(box.messages) < 1000, len(box.messages)
    again = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert sorted(box.by_recipient) == sorted(addresses)  # nobody missed
    assert all(len(set(ids)) == 1 for ids in box.by_recipient.values())  # one message each (one Message-ID)
    resent = sum(len(ids) - 1 for ids in box.by_recipient.values())
    assert resent <= 1  # at most the one in flight at the kill, with the same Message-ID


def test_double_opt_in_and_one_click_unsubscribe_through_the_app(published, smtp, tmp_path):
    from test_service import serving

    box, port = smtp
    path = copy_configured(published, tmp_path, port)
    with serving(path) as (client, _, newsroom):
        bad = client.post("/newsletter/subscribe", data={"email": "not an address"})
        assert bad.status_code == 400
        answer = client.post("/newsletter/subscribe", data={"email": "ada@example.org"})
        assert answer.status_code == 200 and "Check your inbox" in answer.text
        assert [s["status"] for s in newsroom.store.subscribers()] == ["pending"]  # nothing sent before confirming
        confirmation = box.messages[-1]
        link = re.search(r"(http\S+/newsletter/confirm\?token=\S+)", confirmation.get_body(("plain",)).get_content()).group(1)
        site = newsroom.settings.publish.base_url.rstrip("/")
        assert link.startswith(site + "/newsletter/confirm?")  # the site's address, not the request's Host
        assert client.get(link.replace(site, "") + "x").status_code == 400  # tampered
        assert "Subscribed" in client.get(link.replace(site, "")).text
        # A forged Host header cannot put another site's link in a stranger's inbox.
        forged = client.post("/newsletter/subscribe", data={"email": "bea@example.org"}, headers={"Host": "evil.example"})
        assert forged.status_code == 200
        deadline = time.monotonic() + 10
        while not any("bea@example.org" in str(m["To"]) for m in box.messages) and time.monotonic() < deadline:
            time.sleep(0.05)
        to_bea = [m for m in box.messages if "bea@example.org" in str(m["To"])][-1]
        assert "evil.example" not in to_bea.get_body(("plain",)).get_content()
        subscriber = newsroom.store.subscribers()[0]
        assert subscriber["status"] == "confirmed"
        # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the header's address.
        one_click = client.post(
            f"/newsletter/unsubscribe?token={subscriber['token']}",
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert one_click.status_code == 200 and newsroom.store.subscribers()[0]["status"] == "unsubscribed"
        page = client.get(f"/newsletter/unsubscribe?token={subscriber['token']}")
        assert page.status_code == 200 and "<form" in page.text  # the link in the email: one button, no login
        assert client.get("/newsletter/unsubscribe?token=forged").status_code == 404


def _received(box: Mailbox, port: int, published: Path, tmp_path: Path) -> tuple[email.message.EmailMessage, dict]:
    """An issue built from the demo and sent to one reader: the message the server received."""
    path = copy_configured(published, tmp_path, port)
    room = open_newsroom(path)
    from newsdesk.newsletter import build_issue, send_issue

    issue_id = build_issue(room.store, room.settings)
    assert issue_id is not None
    room.store.add_subscriber("reader@example.org", "confirmed")
    assert send_issue(room.store, room.settings, issue_id).sent == 1
    issue = room.store.newsletter_issue(issue_id)
    room.close()
    return box.messages[-1], issue


def test_the_email_renders_in_chromium_with_nothing_fetched_and_the_text_part_carries_every_link(
    published, smtp, tmp_path, request
):
    import base64

    sync_api = pytest.importorskip("playwright.sync_api")
    from test_service import _chromium

    box, port = smtp
    message, issue = _received(box, port, published, tmp_path)
    html_part = message.get_body(("html",))
    html = html_part.get_content()
    # The charts travel as PNG parts of the HTML (mail clients do not show SVG).
    images = {
        part["Content-ID"].strip("<>"): part.get_content() for part in message.walk() if part.get_content_type() == "image/png"
    }
    cids = set(re.findall(r'src="cid:([^"]+)"', html))
    assert cids and cids == set(images), (cids, set(images))
    assert all(png.startswith(b"\x89PNG") for png in images.values())
    assert "<script" not in html.lower() and "javascript:" not in html.lower()
    links = re.findall(r'href="([^"]+)"', html)
    assert links and all(link.startswith(("http://", "https://")) for link in links)
    # What a mail client does with cid: images: shows the message's own parts.
    shown = re.sub(
        r'src="cid:([^"]+)"', lambda m: 'src="data:image/png;base64,' + base64.b64encode(images[m[1]]).decode() + '"', html
    )
    out = request.config.rootpath / "test-output"
    out.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = _chromium(p)
        page = browser.new_page(viewport={"width": 800, "height": 900})
        fetched: list[str] = []

        def refuse(route):  # type: ignore[no-untyped-def]
            fetched.append(route.request.url)
            route.abort()

        page.route(re.compile(r"^(https?|ftp|wss?)://"), refuse)
        page.set_content(shown, wait_until="load")
        page.screenshot(path=str(out / "newsletter-issue.png"), full_page=True)
        width = page.evaluate(
            "Math.max(...[...document.querySelectorAll('table.wrap, table[width=\"600\"]')].map(t => t.getBoundingClientRect().width))"
        )
        drawn = page.evaluate("[...document.images].map(i => [i.naturalWidth, i.alt])")
        scripts = page.evaluate("document.scripts.length")
        browser.close()
    assert fetched == []  # nothing loaded from outside the message
    assert 0 < width <= 600
    assert drawn and all(w > 0 and alt for w, alt in drawn)  # every chart drawn, with alt text
    assert scripts == 0
    assert (out / "newsletter-issue.png").stat().st_size > 10_000
    # The plain-text part carries every headline and every article link of the HTML part.
    plain = message.get_body(("plain",)).get_content()
    headlines = re.findall(r"<h3[^>]*><a[^>]*>([^<]+)</a>", html)
    assert headlines and all(email.utils.unquote(h).replace("&amp;", "&").replace("&#39;", "'") in plain for h in headlines)
    article_links = {link for link in links if "/articles/" in link or "/newsletter/issue-" in link}
    assert article_links and all(link.replace("&amp;", "&") in plain for link in article_links)
    assert f"newsletter/issue-{issue['id']}.html" in plain


def test_the_site_has_the_issue_page_its_chart_files_and_an_rss_feed_of_issues(published, smtp, tmp_path):
    import feedparser

    _, port = smtp
    path = copy_configured(published, tmp_path, port)
    room = open_newsroom(path)
    from newsdesk.newsletter import build_issue

    first = build_issue(room.store, room.settings)
    run(room, ("publish",))
    folder = room.site_dir / "newsletter"
    page = (folder / f"issue-{first}.html").read_text()
    assert "cid:" not in page and "%%" not in page
    charts = re.findall(r'src="(chart-\d+-\d+\.png)"', page)
    assert charts and all((folder / c).read_bytes().startswith(b"\x89PNG") for c in charts)
    feed = feedparser.parse((folder / "feed.xml").read_bytes())
    assert not feed.bozo
    assert [e.link.endswith(f"/newsletter/issue-{first}.html") for e in feed.entries] == [True]
    assert "Unsubscribe" not in feed.entries[0].description
    assert 'type="application/rss+xml"' in (folder / "index.html").read_text()
    room.close()


def test_the_static_site_carries_a_sign_up_form_only_where_it_can_post(published, tmp_path):
    import shutil

    path = tmp_path / "room"
    shutil.copytree(published, path, symlinks=True)
    room = open_newsroom(path)
    run(room, ("publish",))
    assert 'name="email"' not in (room.site_dir / "index.html").read_text()  # no app to post to
    room.settings.newsletter.signup_action = "https://news.example.org/newsletter/subscribe"
    run(room, ("publish",))
    index = (room.site_dir / "index.html").read_text()
    assert 'action="https://news.example.org/newsletter/subscribe"' in index and 'name="website"' in index
    room.close()


def test_dkim_signature_verifies_against_the_published_key(published, smtp, tmp_path):
    import base64
    import shutil

    dkim = pytest.importorskip("dkim")
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a test key")
    box, port = smtp
    path = copy_configured(published, tmp_path, port)
    subprocess.run(["openssl", "genrsa", "-traditional", "-out", str(path / "dkim.pem"), "2048"], check=True, capture_output=True)
    public = subprocess.run(
        ["openssl", "rsa", "-in", str(path / "dkim.pem"), "-pubout", "-outform", "DER"], check=True, capture_output=True
    ).stdout
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    with (path / "newsdesk.toml").open("a") as config:
        config.write('dkim_key_file = "dkim.pem"\ndkim_selector = "mail"\ndkim_domain = "newsdesk.example"\n')
    room = open_newsroom(path)
    from newsdesk.newsletter import build_issue, send_issue

    issue_id = build_issue(room.store, room.settings)
    room.store.add_subscriber("reader@example.org", "confirmed")
    assert send_issue(room.store, room.settings, issue_id, folder=path).sent == 1
    raw = box.raw[-1]
    assert raw.startswith(b"DKIM-Signature:")

    def dns(name: bytes, timeout: int = 5) -> bytes:
        return record if name == b"mail._domainkey.newsdesk.example." else b""

    assert dkim.verify(raw, dnsfunc=dns)
    tampered = raw.replace(b"Subject: ", b"Subject: FREE ", 1)
    assert not dkim.verify(tampered, dnsfunc=dns)
    # A key that cannot be read is named, not a traceback.
    room.settings.newsletter.dkim_key_file = "missing.pem"
    with pytest.raises(ValueError, match="missing.pem"):
        send_issue(room.store, room.settings, issue_id, folder=path)
    room.close()


def test_the_daily_schedule_builds_once_a_day_in_the_newsroom_time_zone_and_finishes_an_interrupted_send(
    published, smtp, tmp_path
):
    from datetime import UTC, datetime

    from newsdesk.newsletter import deliver_if_due

    box, port = smtp
    path = copy_configured(published, tmp_path, port)
    room = open_newsroom(path)
    room.settings.newsletter.daily_at = "07:00"
    room.settings.newsletter.timezone = "Asia/Tokyo"  # 07:00 in Tokyo is 22:00 UTC the day before
    room.store.add_subscriber("reader@example.org", "confirmed")
    published_calls: list[int] = []
    before = datetime(2026, 11, 30, 21, 30, tzinfo=UTC)  # 06:30 in Tokyo: not yet
    assert deliver_if_due(room.store, room.settings, path, now=before) is None
    # Due, but the SMTP server is down: the issue is built and published, nobody reached yet.
    room.settings.newsletter.smtp_port = _closed_port()
    after = datetime(2026, 11, 30, 22, 5, tzinfo=UTC)
    with pytest.raises(OSError):
        deliver_if_due(room.store, room.settings, path, now=after, after_build=lambda: published_calls.append(1))
    assert published_calls == [1] and len(room.store.newsletter_issues()) == 1 and box.messages == []
    # The next call the same day builds nothing new and finishes the send.
    room.settings.newsletter.smtp_port = port
    said = deliver_if_due(room.store, room.settings, path, now=after.replace(minute=30))
    assert said is not None and "sent to 1" in said and "built" not in said
    assert len(room.store.newsletter_issues()) == 1 and len(box.messages) == 1
    assert deliver_if_due(room.store, room.settings, path, now=after.replace(minute=45)) is None  # nothing twice
    room.close()


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A throwaway authority-signed certificate for 127.0.0.1: (certificate, key)."""
    import shutil

    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = folder / "relay.pem", folder / "relay.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-addext", "basicConstraints=critical,CA:TRUE",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_to_the_relay_is_verified_and_credentials_come_from_the_environment(published, tmp_path, monkeypatch, security):
    import socket
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bytes]] = []

    def authenticate(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        assert isinstance(auth_data, LoginPassword)
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret")

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Mailbox()
    # aiosmtpd counts only STARTTLS as TLS for its AUTH rule; an implicit-TLS socket is TLS throughout.
    if security == "starttls":
        options = {"tls_context": context, "require_starttls": True, "auth_require_tls": True}
    else:
        options = {"ssl_context": context, "auth_require_tls": False}
    controller = Controller(box, hostname="127.0.0.1", port=port, authenticator=authenticate, **options)
    controller.start()
    try:
        path = copy_configured(published, tmp_path, port)
        room = open_newsroom(path)
        room.settings.newsletter.smtp_security = security
        from newsdesk.newsletter import build_issue, send_issue

        issue_id = build_issue(room.store, room.settings)
        room.store.add_subscriber("reader@example.org", "confirmed")
        # Not trusted: the relay's certificate is refused, nothing sent, nobody marked as sent.
        with pytest.raises(ssl.SSLCertVerificationError):
            send_issue(room.store, room.settings, issue_id, folder=path)
        assert box.messages == [] and room.store.still_to_send(issue_id, 3)
        # Trusted through smtp_ca_file, logged in with the environment's credentials.
        (path / "relay-ca.pem").write_bytes(cert.read_bytes())
        room.settings.newsletter.smtp_ca_file = "relay-ca.pem"
        monkeypatch.setenv("NEWSDESK_SMTP_USERNAME", "newsroom")
        monkeypatch.setenv("NEWSDESK_SMTP_PASSWORD", "s3cret")
        assert send_issue(room.store, room.settings, issue_id, folder=path).sent == 1
        assert logins == [(b"newsroom", b"s3cret")] and len(box.messages) == 1
        room.close()
    finally:
        controller.stop()


def test_an_address_that_unsubscribed_can_subscribe_again_by_confirming(published, smtp, tmp_path):
    from test_service import serving

    box, port = smtp
    path = copy_configured(published, tmp_path, port)
    with serving(path) as (client, _, newsroom):
        subscriber, _ = newsroom.store.add_subscriber("cy@example.org", "confirmed")  # imported: no mail sent yet
        newsroom.store.set_subscriber_status(subscriber["id"], "unsubscribed")
        before = len(box.messages)
        answer = client.post("/newsletter/subscribe", data={"email": "cy@example.org"})
        assert answer.status_code == 200 and "Check your inbox" in answer.text
        deadline = time.monotonic() + 10
        while len(box.messages) == before and time.monotonic() < deadline:
            time.sleep(0.05)
        (mail,) = [m for m in box.messages[before:] if "cy@example.org" in str(m["To"])]
        assert newsroom.store.subscribers()[0]["status"] == "unsubscribed"  # not back until the link is followed
        link = re.search(r"http\S+(/newsletter/confirm\?token=\S+)", mail.get_body(("plain",)).get_content()).group(1)
        assert "Subscribed" in client.get(link).text
        assert newsroom.store.subscribers()[0]["status"] == "confirmed"
