"""The newsletter: building an issue, and sending it to 10,000 subscribers through an SMTP server on
loopback (aiosmtpd, in its own process), with the send log written before and after each message.

    python bench/newsletter.py                    # the demo's articles, 10,000 subscribers
    python bench/newsletter.py --subscribers 2000

Reports seconds, messages per second and the sender's peak memory, and checks every subscriber
received exactly one message (counted at the server by Message-ID).
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import demo_newsroom


def _smtp_server(port: int, counts, ready) -> None:  # type: ignore[no-untyped-def]
    from aiosmtpd.controller import Controller

    class Count:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            for rcpt in envelope.rcpt_tos:
                counts.append(rcpt)
            return "250 OK"

    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--subscribers", type=int, default=10_000)
    args = ap.parse_args()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    manager = multiprocessing.Manager()
    counts = manager.list()
    ready = manager.Event()
    server = multiprocessing.Process(target=_smtp_server, args=(port, counts, ready), daemon=True)
    server.start()
    ready.wait(30)
    from newsdesk.newsletter import build_issue, send_issue

    try:
        with demo_newsroom() as (room, _):
            room.settings.newsletter.smtp_port = port
            room.settings.newsletter.smtp_security = "none"
            room.settings.newsletter.messages_per_second = 100_000
            started = time.perf_counter()
            issue_id = build_issue(room.store, room.settings)
            build_seconds = time.perf_counter() - started
            assert issue_id is not None
            issue = room.store.newsletter_issue(issue_id)
            assert issue is not None
            with room.store.begin() as conn:
                for n in range(args.subscribers):
                    room.store.add_subscriber(f"reader{n}@example.org", "confirmed", conn=conn)
            started = time.perf_counter()
            report = send_issue(room.store, room.settings, issue_id)
            send_seconds = time.perf_counter() - started
            log = room.store.send_log(issue_id)
    finally:
        time.sleep(0.5)
        received = list(counts)
        server.terminate()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    once = len(set(received)) == args.subscribers and len(received) == args.subscribers
    print(f"Issue of {len(issue['stories'])} articles built in {build_seconds:.2f} s ({len(issue['html']):,} bytes of HTML)")
    print(
        f"Sent to {args.subscribers:,} subscribers in {send_seconds:.1f} s: {report.sent / send_seconds:.0f} messages/s; "
        f"send log {dict(sorted(log.items()))}; peak memory of this process {peak_mb:.0f} MB"
    )
    print(f"Received at the server: {len(received):,} messages, each subscriber exactly once: {'yes' if once else 'NO'}")


if __name__ == "__main__":
    main()
