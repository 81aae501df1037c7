"""The site as `newsdesk serve` shows it, whichever process publishes: readers' forms stay on the
served pages after a `newsdesk publish` from the command line (a cron job), the static export
keeps them out of its own files, and a missing page is the site's own 404 in its layout."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from test_service import _chromium, first_article, serving

FORM_MARKS = ("Was this article helpful?", "Report an error", 'class="signup"')


def _publish_from_the_command_line(path) -> str:  # type: ignore[no-untyped-def]
    done = subprocess.run(
        [sys.executable, "-m", "newsdesk.cli", "publish", "--dir", str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def room(tmp_path):  # type: ignore[no-untyped-def]
    from conftest import published_demo

    return published_demo(tmp_path / "room")  # one per test: each publishes over its site


def test_reader_forms_survive_a_publish_from_another_process(room):
    with serving(room) as (client, _, newsroom):
        path, story = first_article(client)
        before = client.get(path).text
        assert all(mark in before for mark in FORM_MARKS)
        # An editor's action elsewhere changes the story, then cron publishes from the CLI.
        newsroom.store.add_correction(story, "The strike lasted 11 days.", "ada")
        report = _publish_from_the_command_line(room)
        assert re.search(r"[1-9]\d* files?\s+new\s+or\s+changed", report), report
        after = client.get(path).text
        assert "The strike lasted 11 days." in after
        assert [after.count(m) for m in FORM_MARKS] == [before.count(m) for m in FORM_MARKS]
        assert all(mark in client.get("/index.html").text for mark in ('class="signup"',))
        # The vote still posts and is stored.
        version = re.search(r'name="version" value="(\d+)"', after).group(1)
        voted = client.post(f"/feedback/{story}", data={"kind": "helpful", "helpful": "1", "version": version})
        assert voted.status_code == 303
        # The exported file itself has no form (nothing would answer it on a static host).
        on_disk = (newsroom.site_dir / path.lstrip("/")).read_text()
        assert "Was this article helpful?" not in on_disk and "<!--newsdesk:forms 0-->" in on_disk
        hidden = client.get("/.forms/index.html.json")  # kept beside the page, never served itself
        assert hidden.status_code == 404 and not hidden.text.startswith("[")


def test_publishing_from_the_app_and_from_the_command_line_writes_the_same_files(room):
    with serving(room) as (_client, _, newsroom):
        site = newsroom.site_dir.resolve()
        from_app = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    report = _publish_from_the_command_line(room)
    site = room / "site"
    from_cli = {p.relative_to(site.resolve()): p.read_bytes() for p in site.resolve().rglob("*") if p.is_file()}
    assert from_cli == from_app
    assert re.search(r"\b0 files?\s+new\s+or\s+changed", report), report


def test_the_forms_work_in_chromium_after_a_command_line_publish_and_a_missing_page_is_the_sites_404(room):
    sync_api = pytest.importorskip("playwright.sync_api")
    with serving(room) as (client, _, newsroom), sync_api.sync_playwright() as p:
        _publish_from_the_command_line(room)
        base = str(client.base_url).rstrip("/")
        path, story = first_article(client)
        browser = _chromium(p)
        try:
            page = browser.new_page()
            page.goto(base + path)
            page.click("section.feedback button[name=helpful][value='1']")
            page.wait_for_selector("#feedback-result >> text=Thank you", timeout=10_000)
            assert [r["kind"] for r in newsroom.store.feedback_rows(story)][-1:] == ["helpful"]
            answer = page.goto(base + "/articles/no-such-story.html")
            assert answer is not None and answer.status == 404
            assert "Page not found" in page.inner_text("main")
            assert page.locator("header.masthead").count() == 1  # the site's layout
            page.click("text=Go to the front page")
            page.wait_for_url(base + "/index.html", timeout=10_000)
            assert page.locator("ol.story-list li").count() >= 1
        finally:
            browser.close()


def test_a_missing_page_at_any_depth_answers_404_with_links_that_work(room):
    with serving(room) as (client, _, _newsroom):
        for missing in ("/nope", "/articles/deep/er/nope.html", "/tags/nope.html"):
            answer = client.get(missing)
            assert answer.status_code == 404 and "text/html" in answer.headers["content-type"]
            links = re.findall(r'href="([^"]+)"', answer.text)
            assert "/index.html" in links and "/style.css" in links
            for link in ("/index.html", "/style.css"):
                assert client.get(link).status_code == 200
        assert client.head("/nope").status_code == 404


def test_without_a_404_page_the_app_still_answers_plain_text(tmp_path):
    import asyncio

    from newsdesk.service.pages import SitePages

    (tmp_path / "site").mkdir()
    sent: list[dict] = []

    async def send(message):  # type: ignore[no-untyped-def]
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/x.html", "headers": []}
    asyncio.run(SitePages(tmp_path / "site")(scope, None, send))
    assert sent[0]["status"] == 404 and sent[1]["body"] == b"Not found."
    shutil.rmtree(tmp_path / "site")
