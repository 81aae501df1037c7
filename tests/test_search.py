"""Search over the published articles: a planted phrase found over real loopback HTTP with the
exact headline first, kept in step with publishing (an editor's hold takes an article out),
bounded and hostile queries, the form in the site's header (only where the app serves it), and
the same ranking on PostgreSQL."""

from __future__ import annotations

import re

import pytest

from conftest import published_demo
from newsdesk.pipeline import open_newsroom
from newsdesk.records import Article, ArticleSentence
from newsdesk.store import Store
from test_service import serving

PHRASE = "Quokka lighthouse treaty signed"


def plant(articles: list[Article]) -> tuple[Article, Article]:
    """The first article gets the phrase as its headline; the second repeats it in its body and
    its headline (longer), so that only the exact-headline rule puts the first ahead."""
    exact, echo = articles[0], articles[1]
    exact.headline = PHRASE
    echo.headline = f"{PHRASE} as {PHRASE.lower()} talks go on"
    first = echo.sections[0].paragraphs[0][0]
    echo.sections[0].paragraphs[0][0] = ArticleSentence(
        text=f"{PHRASE}, {PHRASE.lower()}, and {PHRASE.lower()} again <script>alert(1)</script>.",
        citations=first.citations,
    )
    return exact, echo


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    path = published_demo(tmp_path_factory.mktemp("search") / "room")
    newsroom = open_newsroom(path)
    store = newsroom.store
    records = store.publishable()
    assert len(records) >= 3
    exact, echo = plant([r.published for r in records[:2] if r.published is not None])
    for record in records[:2]:  # verified again, as after an editor's verdict: a new verification row
        store.forget_verification(record.story_id)
        store.save_verification(record)
    newsroom.close()
    return path, exact.story_id, echo.story_id


def result_ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<h2><a href="/articles/story-(\d+)\.html">', page)]


def test_search_finds_a_planted_phrase_with_the_exact_headline_first(room):
    path, exact, echo = room
    with serving(path) as (client, _, newsroom):
        answer = client.get("/search", params={"q": PHRASE})
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
        ids = result_ids(answer.text)
        assert ids[:2] == [exact, echo], ids
        # Without the exact-headline rule the store would rank the echo first (more of the words).
        assert newsroom.store.search(PHRASE.lower() + " again")[0].story_id == echo
        # Case and punctuation do not matter to the exact match; other forms of a word match it.
        assert result_ids(client.get("/search", params={"q": " quokka  LIGHTHOUSE, treaty signed! "}).text)[0] == exact
        assert exact in result_ids(client.get("/search", params={"q": "quokkas lighthouses"}).text)
        # Common words are not needed to match ("the" is in no planted text), nor do they block it.
        assert exact in result_ids(client.get("/search", params={"q": "the quokka treaty"}).text)
        # Source text is escaped in snippets; only the matched words are marked.
        page = client.get("/search", params={"q": "quokka"}).text
        assert "<script>alert" not in page and "&lt;script&gt;" in page and "<mark>" in page
        # Every published article can be found by its own headline.
        for record in newsroom.store.publishable()[:5]:
            assert record.published is not None
            found = result_ids(client.get("/search", params={"q": record.published.headline}).text)
            assert found and found[0] == record.story_id, record.published.headline


def test_search_follows_publishing_and_refuses_bad_queries(room):
    path, exact, echo = room
    with serving(path) as (client, _, newsroom):
        from newsdesk.service import actions

        other = next(r.published for r in newsroom.store.publishable() if r.story_id not in (exact, echo) and r.published)
        assert result_ids(client.get("/search", params={"q": other.headline}).text)[0] == other.story_id
        # An editor's hold re-publishes: the article leaves the site and the index; a release brings it back.
        actions.hold(newsroom, other.story_id, "ada", True)
        assert other.story_id not in result_ids(client.get("/search", params={"q": other.headline}).text)
        actions.hold(newsroom, other.story_id, "ada", False)
        assert result_ids(client.get("/search", params={"q": other.headline}).text)[0] == other.story_id
        # Query syntax is never passed through: operators, quotes and column names are words.
        for hostile in ('"quokka', "quokka AND", "NEAR(quokka", "headline:quokka", "*", "quokka OR -", "^x"):
            answer = client.get("/search", params={"q": hostile})
            assert answer.status_code == 200, (hostile, answer.text)
        nothing = client.get("/search", params={"q": "zzzxqvw"})
        assert nothing.status_code == 200 and "No article matches" in nothing.text
        assert client.get("/search", params={"q": "q" * 201}).status_code == 400
        assert client.get("/search", params={"q": "quokka", "page": "x"}).status_code == 400
        assert client.get("/search", params=[("q", "a"), ("q", "b")]).status_code == 400
        empty = client.get("/search")
        assert empty.status_code == 200 and 'name="q"' in empty.text
        # Every page the app serves carries the form; the static export keeps it beside the page.
        index = client.get("/index.html").text
        assert 'role="search"' in index and 'action="search"' in index
        assert 'role="search"' not in (newsroom.site_dir / "index.html").read_text()


@pytest.mark.postgres
def test_search_on_postgres_ranks_the_exact_headline_first(postgres_url, tmp_path):
    from datetime import UTC, datetime

    demo = Store(f"sqlite:///{published_demo(tmp_path / 'demo')}/newsdesk.db")
    records = demo.publishable()[:4]
    demo.close()
    plant([r.published for r in records[:2] if r.published is not None])
    store = Store(postgres_url)
    now = datetime.now(UTC)
    with store.engine.begin() as conn:
        for r in records:
            conn.exec_driver_sql(
                "INSERT INTO stories (id, created_at, updated_at, first_seen, last_seen) VALUES (%s, %s, %s, %s, %s)",
                (r.story_id, now, now, now, now),
            )
    for r in records:
        store.save_verification(r)
    assert store.sync_search() == (4, 0)
    assert store.sync_search() == (0, 0)  # nothing changed, nothing re-indexed
    hits = store.search(PHRASE)
    assert [h.story_id for h in hits[:2]] == [records[0].story_id, records[1].story_id]
    assert "<mark>" in hits[1].snippet and "<script>" not in hits[1].snippet
    assert store.search("quokkas lighthouses") and store.search("the quokka treaty")
    assert store.search("'quokka & | !") and store.search("") == []
    # A broad query: headline matches first, then the rest newest first, as on SQLite; pages
    # walk both lists once.
    for word in ("quokka", "said"):
        whole = store.search(word, 100, broad=1)
        assert sorted(h.story_id for h in whole) == sorted(h.story_id for h in store.search(word, 100)), word
        rest = [h.story_id for h in whole if word not in h.headline.lower()]
        assert [h.story_id for h in whole][len(whole) - len(rest) :] == sorted(rest, reverse=True), word
        paged = [h.story_id for offset in range(0, len(whole) + 2) for h in store.search(word, 1, offset, broad=1)]
        assert paged == [h.story_id for h in whole], word
    assert len(store.search("said", 100, broad=1)) >= 2
    store.close()


def test_results_are_remembered_per_site_build_and_dropped_when_a_publish_swaps_one_in(room):
    path, exact, echo = room
    with serving(path) as (client, _, newsroom):
        from newsdesk.service import actions

        store = newsroom.store
        reads: list[str] = []
        real = store.search

        def counted(query, *args, **kwargs):  # type: ignore[no-untyped-def]
            reads.append(query)
            return real(query, *args, **kwargs)

        store.search = counted  # type: ignore[method-assign]
        first = client.get("/search", params={"q": PHRASE}).text
        # The same query as the store reads it (case, spacing, punctuation): answered from memory.
        again = client.get("/search", params={"q": f"  {PHRASE.upper()}! "}).text
        assert reads == [PHRASE] and result_ids(again) == result_ids(first)
        assert PHRASE.upper() in again  # the page still shows the query as typed
        client.get("/search", params={"q": PHRASE, "page": "2"})
        assert len(reads) == 2  # another page is another answer
        # An editor's hold publishes a new build: what was remembered goes with the old one. (Not
        # a planted article: republishing re-verifies it from the store, without the plant.)
        other = next(r.published for r in newsroom.store.publishable() if r.story_id not in (exact, echo) and r.published)
        assert result_ids(client.get("/search", params={"q": other.headline}).text)[0] == other.story_id
        client.get("/search", params={"q": other.headline})
        assert len(reads) == 3
        actions.hold(newsroom, other.story_id, "ada", True)
        assert other.story_id not in result_ids(client.get("/search", params={"q": other.headline}).text)
        actions.hold(newsroom, other.story_id, "ada", False)
        assert result_ids(client.get("/search", params={"q": other.headline}).text)[0] == other.story_id
        assert len(reads) == 5


def test_a_broad_query_lists_headline_matches_ranked_then_the_rest_newest_first(room):
    """Past ``broad`` matches the store does not rank them all: articles with the words in the
    headline first, then the others by story id, newest first; pages walk both lists once."""
    path, exact, echo = room
    newsroom = open_newsroom(path)
    try:
        store = newsroom.store
        store.sync_search()  # as publish does
        everything = store.search("quokka", 100, broad=10**9)  # ranked in full
        assert {exact, echo} <= {h.story_id for h in everything}
        ranked = [h.story_id for h in store.search("quokka", 100)]
        broad = store.search("quokka", 100, broad=1)
        in_headline = [h.story_id for h in broad if "quokka" in h.headline.lower()]
        rest = [h.story_id for h in broad if "quokka" not in h.headline.lower()]
        assert [h.story_id for h in broad] == in_headline + rest
        assert set(in_headline) == {exact, echo} and rest == sorted(rest, reverse=True)
        assert sorted(ranked) == sorted(h.story_id for h in broad)  # the same articles, another order
        # A word every published article has: pages of 2 through the two lists, none twice, none missed.
        word = "the"
        whole = [h.story_id for h in store.search(word, 1000, broad=1)]
        paged: list[int] = []
        for offset in range(0, len(whole) + 4, 2):
            paged += [h.story_id for h in store.search(word, 2, offset, broad=1)]
        assert paged == whole and len(set(whole)) == len(whole) >= 3
        # The exact headline still comes first on a broad query.
        assert store.search(PHRASE, 5, broad=1)[0].story_id == exact
    finally:
        newsroom.close()


def test_serve_with_two_worker_processes_answers_pages_and_search(tmp_path):
    """``newsdesk serve --workers 2``: two processes on one socket, each its own app of the
    newsroom (site pages, search), and all gone on SIGTERM."""
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    import httpx2

    from test_service import free_port

    path = published_demo(tmp_path / "room")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsdesk.cli", "serve", "--port", str(port), "--workers", "2", "--dir", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def children() -> list[int]:
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == proc.pid:
                found.append(int(stat.parent.name))
        return found

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx2.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx2.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise AssertionError(f"serve did not start: {proc.stderr.read() if proc.poll() is not None else ''}")
            time.sleep(0.3)
        # Both workers up (and uvicorn's resource tracker beside them).
        assert len(children()) >= 3, children()
        with httpx2.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            newsroom = open_newsroom(path)
            headline = newsroom.store.publishable()[0].published.headline
            newsroom.close()
            for _ in range(20):  # new connections: the kernel hands them to either process
                with httpx2.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as fresh:
                    found = fresh.get("/search", params={"q": headline})
                    assert found.status_code == 200 and '<ol class="results"' in found.text, found.text[:300]
            assert client.get("/index.html").status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    assert children() == []
