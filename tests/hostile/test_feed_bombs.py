"""The old attacks on feed readers, served from loopback beside a good control feed, through the
real command in its own process: no traceback, bounded memory (the child's peak RSS), the control
feed's item stored, each hostile source's problem recorded as its error."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

from pytest_httpserver import HTTPServer
from werkzeug import Response

from conftest import FAST_HTTP
from hostile.test_hostile_feeds import BODY, rss

LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "lollollollollollollollollollol">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    + ']><rss version="2.0"><channel><title>Laughs</title><item><title>&j;</title><link>https://l.example/1</link>'
    "<description>&j;</description></item></channel></rss>"
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    '<rss version="2.0"><channel><title>XXE</title><item><title>Leak &xxe;</title><link>https://x.example/1</link>'
    "<guid>x-1</guid><description>Secret: &xxe; end.</description></item></channel></rss>"
)
EXTERNAL_DTD = (
    '<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://127.0.0.1:9/evil.dtd"><rss version="2.0"><channel>'
    "<title>DTD</title><item><title>&remote;</title><link>https://d.example/1</link></item></channel></rss>"
)
DEEP = '<?xml version="1.0"?><rss version="2.0"><channel>' + "<x>" * 100_000 + "</x>" * 100_000 + "</channel></rss>"
PEAK_MB = 600  # the interpreter with every library loaded is ~250 MB; a bomb that expanded would be GBs

RUN_AND_MEASURE = (
    "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
    "sys.stdout.write(r.stdout); sys.stderr.write(r.stderr); "
    "print('PEAK_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(r.returncode)"
)


def test_feed_bombs_beside_a_control_feed(tmp_path):
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        serve = {
            "/control.xml": rss("Ferry timetable approved"),
            "/laughs.xml": LAUGHS,
            "/xxe.xml": XXE,
            "/dtd.xml": EXTERNAL_DTD,
            "/deep.xml": DEEP,
            "/bad-encoding.xml": '<?xml version="1.0" encoding="utf-16"?><rss><channel><title>\xe9</title></channel></rss>',
        }
        for path, body in serve.items():
            server.expect_request(path).respond_with_data(body.encode("latin-1"), content_type="application/rss+xml")
        bomb = gzip.compress(b"<rss><channel>" + b" " * 400_000_000 + b"</channel></rss>", compresslevel=9)
        server.expect_request("/gzip-bomb.xml").respond_with_response(
            Response(bomb, headers={"Content-Encoding": "gzip"}, content_type="application/rss+xml")
        )
        server.expect_request("/huge.xml").respond_with_data(b"<rss>" + b"x" * 3_000_000, content_type="application/rss+xml")
        server.expect_request("/loop.xml").respond_with_response(Response("", status=302, headers={"Location": "/loop2.xml"}))
        server.expect_request("/loop2.xml").respond_with_response(Response("", status=302, headers={"Location": "/loop.xml"}))
        room = tmp_path / "room"
        room.mkdir()
        (room / "newsdesk.toml").write_text(FAST_HTTP + "\n[extract]\nfetch_pages = false\n")
        hostile = [p for p in serve if p != "/control.xml"] + ["/gzip-bomb.xml", "/huge.xml", "/loop.xml"]
        nd = [sys.executable, "-m", "newsdesk.cli"]
        for path in ["/control.xml", *hostile]:
            subprocess.run([*nd, "sources", "add", server.url_for(path), "--dir", str(room)], check=True, capture_output=True)
        result = subprocess.run(
            [sys.executable, "-c", RUN_AND_MEASURE, *nd, "ingest", "--dir", str(room)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert "Traceback" not in result.stderr + result.stdout, result.stderr[-3000:]
        peak_mb = int(result.stderr.rsplit("PEAK_KB", 1)[1].split()[0]) / 1024
        print(f"peak RSS of the ingest: {peak_mb:.0f} MB")
        assert peak_mb < PEAK_MB, peak_mb
        listed = json.loads(
            subprocess.run(
                [*nd, "sources", "list", "--format", "json", "--dir", str(room)], capture_output=True, text=True
            ).stdout
        )
        by_path = {s["url"].split(str(server.port), 1)[1]: s for s in listed}
        assert by_path["/control.xml"]["last_status"] == "ok"
        # The billion laughs and XXE feeds may parse (their entities left unexpanded, checked below).
        for path in ("/gzip-bomb.xml", "/huge.xml", "/loop.xml", "/deep.xml", "/bad-encoding.xml"):
            assert by_path[path]["last_status"] == "error" and by_path[path]["last_error"], (path, by_path[path])
        items = json.loads(
            subprocess.run([*nd, "stories", "--format", "json", "--dir", str(room)], capture_output=True, text=True).stdout
        )
        assert items == []  # ingest alone makes no stories
        from newsdesk.pipeline import open_newsroom

        newsroom = open_newsroom(room)
        try:
            stored = newsroom.store.items_without_story()
        finally:
            newsroom.close()
        assert any(i.title == "Ferry timetable approved" for i in stored)
        leaked = [i for i in stored if "root:" in i.text or "root:" in i.title]
        assert leaked == []  # the XXE entity was never resolved
        assert all(len(i.text) < 100_000 for i in stored)  # no entity expansion
        assert BODY.split()[0] in next(i.text for i in stored if i.title == "Ferry timetable approved")
    finally:
        server.stop()
