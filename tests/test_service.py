"""`newsdesk serve` as a live service, over real loopback HTTP (uvicorn in a thread): readers'
feedback with and without htmx, its limits, the editor's desk and its security, and an editor's
rejection reaching the public page, its JSON-LD and the feeds as a correction."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx2
import pytest

from conftest import published_demo
from newsdesk.pipeline import open_newsroom, run

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    path = published_demo(tmp_path_factory.mktemp("service") / "room", "\n[service]\nfeedback_per_minute = 1000\n")
    added = subprocess.run(
        [sys.executable, "-m", "newsdesk.cli", "users", "add", "ada", "--password-stdin", "--dir", str(path)],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert added.returncode == 0, added.stderr
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(path: Path, **service):  # type: ignore[no-untyped-def]
    """The app on a loopback port, as `newsdesk serve` runs it (publish first, then uvicorn)."""
    import uvicorn

    from newsdesk.service.app import create_app

    newsroom = open_newsroom(path)
    for key, value in service.items():
        setattr(newsroom.settings.service, key, value)
    app = create_app(newsroom)
    run(newsroom, ("publish",))
    port = free_port()
    # proxy_headers off, as `newsdesk serve` runs it: the app alone decides whom to believe.
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the app did not start"
        time.sleep(0.05)
    try:
        with httpx2.Client(base_url=f"http://127.0.0.1:{port}", follow_redirects=False, timeout=30) as client:
            yield client, app, newsroom
    finally:
        server.should_exit = True
        thread.join(10)
        newsroom.close()


def first_article(client) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    index = client.get("/index.html")
    href = re.search(r'href="(articles/story-(\d+)\.html)"', index.text)
    assert href
    return "/" + href.group(1), int(href.group(2))


def login(client) -> str:  # type: ignore[no-untyped-def]
    """Log in as the test editor; the desk's CSRF token."""
    answer = client.post("/desk/login", data={"name": "ada", "password": PASSWORD, "next": "/desk"})
    assert answer.status_code == 303, answer.text
    desk = client.get("/desk")
    assert desk.status_code == 200
    token = re.search(r'name="csrf" value="([^"]+)"', desk.text)
    assert token
    return token.group(1)


def test_readers_send_feedback_with_and_without_javascript(room):
    with serving(room) as (client, _, newsroom):
        path, story = first_article(client)
        page = client.get(path).text
        assert "Was this article helpful?" in page and "Report an error" in page and "htmx.min.js" in page
        assert client.get("/htmx.min.js").status_code == 200
        version = re.search(r'name="version" value="(\d+)"', page).group(1)
        # Without JavaScript: a plain form POST, then a redirect to a thank-you page.
        plain = client.post(
            f"/feedback/{story}", data={"kind": "helpful", "helpful": "1", "version": version, "comment": "Clear."}
        )
        assert plain.status_code == 303 and "/feedback/thanks" in plain.headers["location"]
        assert "Thank you" in client.get(plain.headers["location"]).text
        # With htmx: the answer is a fragment swapped in place.
        fragment = client.post(
            f"/feedback/{story}",
            data={"kind": "report", "sentence": "1", "reason": "wrong_figure", "version": version, "comment": "<b>no</b>"},
            headers={"HX-Request": "true"},
        )
        assert fragment.status_code == 200 and fragment.text.startswith("<p>Thank you")
        rows = newsroom.store.feedback_rows(story)
        assert [r["kind"] for r in rows[-2:]] == ["helpful", "report"]
        report = rows[-1]
        assert report["sentence_text"] and report["reason"] == "wrong_figure" and report["comment"] == "<b>no</b>"
        assert "127.0.0.1" not in json.dumps([r["client"] for r in rows]) and len(report["client"]) == 32


def test_feedback_limits_honeypot_and_bad_input(room):
    with serving(room, feedback_per_minute=5, comment_max_chars=50) as (client, _, newsroom):
        _, story = first_article(client)
        before = len(newsroom.store.feedback_rows(story))
        robot = client.post(f"/feedback/{story}", data={"kind": "helpful", "helpful": "1", "website": "http://spam"})
        assert robot.status_code == 303
        assert client.post(f"/feedback/{story}", data={"kind": "helpful", "helpful": "1", "comment": "x" * 51}).status_code == 400
        assert client.post(f"/feedback/{story}", data={"kind": "report", "sentence": "999", "reason": "other"}).status_code == 400
        assert (
            client.post(f"/feedback/{story}", data={"kind": "helpful", "helpful": "1", "comment": "y" * 20000}).status_code == 413
        )
        assert client.post("/feedback/99999", data={"kind": "helpful", "helpful": "1"}).status_code == 400
        limited = client.post(f"/feedback/{story}", data={"kind": "helpful", "helpful": "0"})
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert len(newsroom.store.feedback_rows(story)) == before  # the robot's and the refused were not stored


def test_every_desk_route_needs_a_session_and_every_form_a_csrf_token(room):
    with serving(room) as (client, app, _):
        desk_routes = [r for r in app.routes if getattr(r, "path", "").startswith("/desk") and r.path != "/desk/login"]
        assert len(desk_routes) >= 4
        for route in desk_routes:
            url = re.sub(r"\{action[^}]*\}", "reject", re.sub(r"\{story_id[^}]*\}", "1", route.path))
            for method in sorted(route.methods - {"HEAD"}):
                answer = client.request(method, url, data={"claim": "x", "csrf": "forged"})
                assert answer.status_code in (303, 401), (method, url, answer.status_code)
                if answer.status_code == 303:
                    assert answer.headers["location"].startswith("/desk/login")
        token = login(client)
        cookie = next(c for c in client.cookies.jar if c.name == "newsdesk_session")
        assert cookie.has_nonstandard_attr("HttpOnly") and cookie.path == "/desk"
        assert client.post("/desk/articles/1/hold", data={}).status_code == 403
        assert client.post("/desk/articles/1/hold", data={"csrf": token + "x"}).status_code == 403
        raw = client.post("/desk/login", data={"name": "ada", "password": PASSWORD}).headers["set-cookie"].lower()
        assert "httponly" in raw and "samesite=strict" in raw and "secure" not in raw
        # X-Forwarded-Proto from a peer not in [service] trusted_proxies changes nothing (the
        # trusted case: tests/test_service_hostile.py).
        forged = client.post("/desk/login", data={"name": "ada", "password": PASSWORD}, headers={"X-Forwarded-Proto": "https"})
        assert "secure" not in forged.headers["set-cookie"].lower()


def test_a_wrong_password_five_times_locks_the_account(room, tmp_path):
    import shutil

    copy = tmp_path / "room"
    shutil.copytree(room, copy, symlinks=True)
    with serving(copy) as (client, _, _newsroom):
        for _ in range(5):
            assert client.post("/desk/login", data={"name": "ada", "password": "wrong"}).status_code == 401
        locked = client.post("/desk/login", data={"name": "ada", "password": PASSWORD})
        assert locked.status_code == 401 and "locked" in locked.text
        unknown = client.post("/desk/login", data={"name": "nobody", "password": "x"})
        assert unknown.status_code == 401 and "Wrong name or password" in unknown.text


def test_an_editor_rejects_a_reported_claim_and_the_public_page_carries_the_correction(room):
    payload = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
    with serving(room) as (client, _, newsroom):
        path, story = first_article(client)
        page = client.get(path).text
        version = re.search(r'name="version" value="(\d+)"', page).group(1)
        client.post(
            f"/feedback/{story}",
            data={"kind": "report", "sentence": "1", "reason": "wrong_attribution", "version": version, "comment": payload},
        )
        reported = newsroom.store.feedback_rows(story)[-1]["sentence_text"]
        # A vote of its own (not an earlier test's): the desk shows helpfulness per source.
        client.post(f"/feedback/{story}", data={"kind": "helpful", "helpful": "1", "version": version})
        login(client)
        desk = client.get("/desk").text
        assert reported in desk.replace("&#39;", "'").replace("&#34;", '"').replace("&quot;", '"')
        assert "&lt;script&gt;" in desk and "<script>window.__pwned" not in desk  # the comment is text, never markup
        assert 'class="source-votes"' in desk  # helpfulness per source
        history = client.get(f"/desk/articles/{story}").text
        token = re.search(r'name="csrf" value="([^"]+)"', history).group(1)
        rejected = client.post(f"/desk/articles/{story}/reject", data={"csrf": token, "claim": reported})
        assert rejected.status_code == 303 and "message=" in rejected.headers["location"]
        public = client.get(path).text
        assert "Corrections" in public and "which its sources do not support" in public
        body = public.split("<h2>Corrections</h2>", 1)[1].split("</aside>", 1)[1]
        import html as html_lib

        assert reported not in html_lib.unescape(body.split('<section class="references">')[0])
        ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', public, re.S).group(1))
        assert ld["correction"] and ld["correction"][0]["@type"] == "CorrectionComment"
        atom = client.get("/atom.xml").text
        assert ld["dateModified"][:16] in atom or ld["dateModified"][:10] in atom
        assert re.search(r"\bada\b", public) is None  # editors' names stay off public pages unless configured
        actions = [r["action"] for r in newsroom.store.audit_log()]
        assert "reject" in actions and "login" in actions
        listed = subprocess.run(
            [sys.executable, "-m", "newsdesk.cli", "audit", "--format", "json", "--dir", str(room)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert any(r["action"] == "reject" and r["story_id"] == story for r in json.loads(listed.stdout))
        assert newsroom.store.open_reports() == [] or all(r["sentence_text"] != reported for r in newsroom.store.open_reports())


def _chromium(playwright):  # type: ignore[no-untyped-def]
    import shutil

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        pytest.skip("Debian's chromium is not installed")
    return playwright.chromium.launch(
        executable_path=executable,
        args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"],
    )


def test_in_chromium_readers_with_and_without_javascript_and_the_desk_shows_payloads_as_text(room, tmp_path):
    import shutil

    sync_api = pytest.importorskip("playwright.sync_api")
    copy = tmp_path / "room"
    shutil.copytree(room, copy, symlinks=True)
    payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
    with serving(copy) as (client, _, newsroom), sync_api.sync_playwright() as p:
        base = str(client.base_url).rstrip("/")
        path, story = first_article(client)
        browser = _chromium(p)
        try:
            dialogs: list[str] = []
            # With JavaScript: htmx posts the vote and swaps the thanks in place (no navigation).
            page = browser.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(base + path)
            page.fill("#helpful-comment", payload)
            page.click("section.feedback button[name=helpful][value='1']")
            page.wait_for_selector("#feedback-result >> text=Thank you", timeout=10_000)
            assert page.url == base + path
            # Without JavaScript: the plain form posts and the browser lands on the thank-you page.
            no_js = browser.new_context(java_script_enabled=False).new_page()
            no_js.goto(base + path)
            no_js.select_option("#report-reason", "outdated")
            no_js.fill("#report-comment", payload)
            no_js.click("text=Send the report")
            no_js.wait_for_url("**/feedback/thanks*", timeout=10_000)
            assert "Thank you" in no_js.content()
            kinds = [r["kind"] for r in newsroom.store.feedback_rows(story)[-2:]]
            assert kinds == ["helpful", "report"]
            # The editor's desk shows the readers' comments as text: nothing runs.
            desk = browser.new_page()
            desk.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            desk.goto(base + "/desk/login")
            desk.fill("input[name=name]", "ada")
            desk.fill("input[name=password]", PASSWORD)
            desk.click("button[type=submit]")
            desk.wait_for_url("**/desk", timeout=10_000)
            assert payload in desk.inner_text("body")  # shown, as text
            desk.goto(f"{base}/desk/articles/{story}")
            assert payload in desk.inner_text("body")
            for view in (page, desk):
                assert view.evaluate("typeof window.__pwned") == "undefined"
            # The editor rejects the reported sentence in the browser; the public page then carries
            # the correction and not the sentence, and the Atom feed shows the entry as updated.
            reported = newsroom.store.feedback_rows(story)[-1]["sentence_text"]
            atom_before = client.get("/atom.xml").text
            desk.locator("tr.claim", has_text=reported).locator("button", has_text="Reject").click()
            desk.wait_for_url("**/desk/articles/*message=*", timeout=60_000)
            assert "rejected by ada" in desk.inner_text("body")
            page.goto(base + path)
            body = page.inner_text("article")
            assert "Corrections" in body and "which its sources do not support" in body
            assert body.count(reported) == 1  # only inside the correction's quotation
            assert client.get("/atom.xml").text != atom_before
            assert dialogs == []
        finally:
            browser.close()


def test_an_editors_correction_re_publishes_exactly_the_pages_it_affects(room, tmp_path):
    """Only files whose content changed are new in the build the action publishes (the others are
    the same files, hard-linked), and that build equals a full rebuild byte for byte."""
    import shutil

    from newsdesk.publish import build_site

    copy = tmp_path / "room"
    shutil.copytree(room, copy, symlinks=True)
    with serving(copy) as (client, _, newsroom):
        path, story = first_article(client)
        site = newsroom.site_dir
        before = {
            p.relative_to(site.resolve()): (p.stat().st_ino, p.read_bytes()) for p in site.resolve().rglob("*") if p.is_file()
        }
        token = login(client)
        done = client.post(f"/desk/articles/{story}/correction", data={"csrf": token, "text": "The strike lasted 11 days."})
        assert done.status_code == 303
        assert "The strike lasted 11 days." in client.get(path).text  # the app serves the new build at once
        after = {
            p.relative_to(site.resolve()): (p.stat().st_ino, p.read_bytes()) for p in site.resolve().rglob("*") if p.is_file()
        }
        assert set(after) == set(before)
        changed = {str(name) for name in after if after[name][0] != before[name][0]}
        assert all(after[name][1] == before[name][1] for name in after if str(name) not in changed)
        assert all(after[Path(name)][1] != before[Path(name)][1] for name in changed)  # rewritten only when different
        # The pages that show this story: its own, the pages linking to it, the index, feeds, sitemap.
        shows_it = {str(name) for name, (_, body) in before.items() if f"story-{story}.html".encode() in body}
        assert path.lstrip("/") in changed
        assert changed <= shows_it | {path.lstrip("/"), "feed.xml", "atom.xml", "feed.json", "sitemap.xml", "index.html"}
        untouched = [n for n in after if str(n).startswith("articles/") and str(n) not in changed]
        assert len(untouched) >= len([n for n in after if str(n).startswith("articles/")]) // 2
        # The same site as a full rebuild.
        fresh = tmp_path / "fresh"
        build_site(newsroom.store, newsroom.settings, fresh, with_forms=newsroom.settings.service.forms_in_export)
        rebuilt = {p.relative_to(fresh.resolve()): p.read_bytes() for p in fresh.resolve().rglob("*") if p.is_file()}
        assert rebuilt.keys() == after.keys()
        assert [str(n) for n in rebuilt if rebuilt[n] != after[n][1]] == []


def test_site_pages_come_from_memory_per_build_and_nothing_outside_the_site(tmp_path):
    """The app's page server: the current build's files only (no way out of the site, no hidden
    file), ETag revalidation, HEAD, and a new build replacing the cached pages at once."""
    import asyncio
    import os

    from newsdesk.service.pages import SitePages

    builds = tmp_path / ".site.builds"
    for stamp, text in (("1", "first"), ("2", "second")):
        (builds / stamp / "articles").mkdir(parents=True)
        (builds / stamp / "index.html").write_text(f"<p>{text}</p>")
        (builds / stamp / ".newsdesk-site").write_text("marker")
    (tmp_path / "secret.toml").write_text("password = 1")
    site = tmp_path / "site"
    os.symlink(".site.builds/1", site)
    pages = SitePages(site)

    def get(path: str, method: str = "GET", headers: list | None = None):  # type: ignore[no-untyped-def]
        sent: list[dict] = []

        async def send(message):  # type: ignore[no-untyped-def]
            sent.append(message)

        scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": headers or []}
        asyncio.run(pages(scope, None, send))
        return sent[0]["status"], dict(sent[0]["headers"]), sent[1]["body"]

    status, headers, body = get("/index.html")
    assert status == 200 and body == b"<p>first</p>" and headers[b"content-type"].startswith(b"text/html")
    assert get("/")[2] == b"<p>first</p>"
    assert get("/index.html", headers=[(b"if-none-match", headers[b"etag"])])[0] == 304
    assert get("/index.html", "HEAD")[1][b"content-length"] == b"12" and get("/index.html", "HEAD")[2] == b""
    for escape in ("/../secret.toml", "/articles/../../secret.toml", "/.newsdesk-site", "/%2e%2e/secret.toml"):
        assert get(escape)[0] == 404, escape
    assert get("/index.html", "POST")[0] == 405
    os.symlink(".site.builds/2", tmp_path / "site.new")
    os.replace(tmp_path / "site.new", site)  # what publish does
    assert get("/index.html")[2] == b"<p>second</p>"
