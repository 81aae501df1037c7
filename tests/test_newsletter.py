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

from conftest import make_newsroom
from newsdesk.pipeline import open_newsroom, run

aiosmtpd = pytest.importorskip("aiosmtpd.controller")


class Mailbox:
    """An SMTP server's handler: every message kept; some recipients refused."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
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
    from newsdesk.demo.server import DemoServer

    path = tmp_path_factory.mktemp("letter") / "room"
    room = make_newsroom(path)
    with DemoServer(port=0) as server:
        server.configure(room.settings)
        for name, url in server.feed_urls():
            room.store.add_source(url, name=name)
        run(room)
    room.close()
    return path


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

    # Every link absolute (the unsubscribe link is filled in per subscriber).
    assert not re.search(r'(?:href|src)="(?!https?://)', issue["html"].replace(PLACEHOLDER, "https://u.example/"))
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
        assert client.get(link.replace(str(client.base_url).rstrip("/"), "") + "x").status_code == 400  # tampered
        assert "Subscribed" in client.get(link.replace(str(client.base_url).rstrip("/"), "")).text
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
