"""The egress guard: sources never reach a private address, in any encoding or through redirects
and item links; only what [http] allow_private names is reachable."""

from __future__ import annotations

from pytest_httpserver import HTTPServer
from werkzeug import Response

from conftest import make_newsroom
from newsdesk.pipeline import run

STRICT = """
[http]
connect_timeout = 2.0
read_timeout = 2.0
total_timeout = 4.0
max_retries = 0
allow_private = [{allowed}]
"""


def canary() -> HTTPServer:
    server = HTTPServer(host="127.0.0.1", port=0)
    server.expect_request("/").respond_with_data("secret admin page: token=hunter2")
    server.expect_request("/feed.xml").respond_with_data("<rss/>")
    server.start()
    return server


def test_every_encoding_of_a_private_address_is_refused(tmp_path):
    trap = canary()
    port = trap.port
    try:
        room = make_newsroom(tmp_path / "room")
        (room.path / "newsdesk.toml").write_text(STRICT.format(allowed=""))
        from newsdesk.pipeline import open_newsroom

        room = open_newsroom(room.path)
        forms = [
            f"http://127.0.0.1:{port}/feed.xml",
            f"http://2130706433:{port}/feed.xml",
            f"http://0x7f000001:{port}/feed.xml",
            f"http://127.1:{port}/feed.xml",
            f"http://[::1]:{port}/feed.xml",
            f"http://[::ffff:127.0.0.1]:{port}/feed.xml",
            f"http://localhost:{port}/feed.xml",
            f"http://0.0.0.0:{port}/feed.xml",
            "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.1/feed.xml",
            "http://192.168.1.1/feed.xml",
            "http://[fe80::1]/feed.xml",
        ]
        for url in forms:
            room.store.add_source(url)
        report = run(room, ("ingest",)).ingest
        assert report is not None
        assert all(s.status == "error" for s in report.sources)
        assert all("private or reserved address" in (s.error or "") for s in report.sources), [s.error for s in report.sources]
        assert trap.log == []  # not one request reached the canary
        room.close()
    finally:
        trap.stop()


def test_redirects_and_item_links_to_private_addresses_are_refused(tmp_path):
    trap = canary()
    outlet = HTTPServer(host="127.0.0.1", port=0)
    outlet.start()
    try:
        trap_url = f"http://127.0.0.1:{trap.port}/"
        feed = (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Outlet</title><link>http://o.example/</link>'
            f"<item><title>Short item</title><link>{trap_url}</link><guid>o-1</guid>"
            "<description>Only a line here, so the page would be fetched.</description></item></channel></rss>"
        )
        outlet.expect_request("/feed.xml").respond_with_data(feed, content_type="application/rss+xml")
        outlet.expect_request("/moved.xml").respond_with_response(Response(status=302, headers={"Location": trap_url}))
        outlet.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
        room = make_newsroom(tmp_path / "room")
        # Only the outlet's exact host:port is allowed, as an operator would allow one intranet feed.
        (room.path / "newsdesk.toml").write_text(STRICT.format(allowed=f'"127.0.0.1:{outlet.port}"'))
        from newsdesk.pipeline import open_newsroom

        room = open_newsroom(room.path)
        room.store.add_source(outlet.url_for("/feed.xml"), name="Outlet")
        room.store.add_source(outlet.url_for("/moved.xml"), name="Moved")
        report = run(room, ("ingest",)).ingest
        by_name = {s.name: s for s in report.sources}
        assert by_name["Moved"].status == "error" and "private or reserved address" in (by_name["Moved"].error or "")
        assert by_name["Outlet"].status == "ok"
        assert trap.log == []
        stored = room.store.items_by_id(range(1, 10))
        assert all("hunter2" not in i.text for i in stored.values())
        room.close()
    finally:
        trap.stop()
        outlet.stop()


def _fetch(settings_allow: list[str], url: str, resolve):  # type: ignore[no-untyped-def]
    import asyncio

    from newsdesk.config import HttpSettings
    from newsdesk.infra.http import Fetcher

    async def go():  # type: ignore[no-untyped-def]
        async with Fetcher(HttpSettings(allow_private=settings_allow, max_retries=0, total_timeout=4.0)) as fetcher:
            fetcher.guard.resolve = resolve
            return await fetcher.get(url)

    return asyncio.run(go())


def test_the_connection_goes_to_the_address_that_was_checked(tmp_path):
    """DNS rebinding: the name is looked up once, checked, and connected to at that address.
    'rebind.invalid' has no address outside the guard's resolver, so a fetch that succeeds went
    to the pinned address; a second lookup would have failed."""
    trap = canary()
    lookups: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    try:
        result = _fetch(["127.0.0.0/8"], f"http://rebind.invalid:{trap.port}/", resolve)
        assert b"secret admin page" in result.content
        assert lookups == ["rebind.invalid"]
    finally:
        trap.stop()


def test_a_rebinding_answer_after_the_check_is_never_used(tmp_path):
    """The resolver answers a public address to the check, then loopback: the connection must
    not reach the loopback canary."""
    import pytest

    from newsdesk.infra.http import FetchError

    trap = canary()
    answers = iter([["192.0.2.10"], ["127.0.0.1"], ["127.0.0.1"]])

    async def resolve(host: str, port: int) -> list[str]:
        return next(answers)

    try:
        # 192.0.2.0/24 (TEST-NET-1) is reserved, so it is allowed here to play "a public address".
        with pytest.raises(FetchError):
            _fetch(["192.0.2.0/24"], f"http://rebind.invalid:{trap.port}/", resolve)
        assert trap.log == []
    finally:
        trap.stop()
