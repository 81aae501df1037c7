"""Following topics: readers follow a tag or a keyword through the app's sign-up (double opt-in),
the newsletter builds one issue per selection (the daily issue for everyone following nothing,
nothing for a selection nothing matches), sent through a real SMTP server on loopback with the
send log as ever (a kill -9 mid-send, then a re-run: each subscriber their own issue, once), a
keyword's feed served by the app over real loopback HTTP, and a subscriber's page of follows."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import published_demo
from newsdesk.pipeline import open_newsroom
from newsdesk.store.newsletter import parse_selection, selection_key, topic_key
from test_newsletter import Mailbox, copy_configured, smtp  # noqa: F401  (the SMTP fixture)

NOTHING = "zzzxqvw quokka"  # a keyword no demo article has


TAG = "Northern Economy"  # planted on three demo articles (the demo's tags are each one article's)


@pytest.fixture(scope="module")
def published(tmp_path_factory):  # type: ignore[no-untyped-def]
    from newsdesk.pipeline import run

    path = published_demo(tmp_path_factory.mktemp("follow") / "room")
    room = open_newsroom(path)
    for record in room.store.publishable()[1:4]:  # verified again with the tag, as after an edit
        assert record.published is not None
        record.published.tags.append(TAG)
        room.store.forget_verification(record.story_id)
        room.store.save_verification(record)
    run(room, ("publish",))  # its tag page and feeds, and the search index
    room.close()
    return path


def topics(path: Path) -> tuple[str, set[int], str, set[int], set[int]]:
    """From the demo itself: (a tag some but not all articles share, their stories, a keyword of
    one headline, the stories with every word of it by the search index, every story)."""
    room = open_newsroom(path)
    articles = [v.published for v in room.store.publishable() if v.published is not None]
    counts: dict[str, set[int]] = {}
    for a in articles:
        for t in a.tags:
            counts.setdefault(t, set()).add(a.story_id)
    tag = max((t for t, s in counts.items() if 2 <= len(s) < len(articles)), key=lambda t: len(counts[t]))
    words = [w for w in re.findall(r"[A-Za-z]{6,}", articles[0].headline)]
    keyword = words[0]
    matching = {h.story_id for h in room.store.newest_matching(keyword, 100)}
    room.close()
    assert articles[0].story_id in matching and len(matching) < len(articles)
    return tag, counts[tag], keyword, matching, {a.story_id for a in articles}


def stories_in(message) -> set[int]:  # type: ignore[no-untyped-def]
    return {int(n) for n in re.findall(r"/articles/story-(\d+)\.html", message.get_body(("plain",)).get_content())}


def test_selection_keys_and_topics():
    assert selection_key([("tag", "b"), ("keyword", "a")]) == selection_key([("keyword", "a"), ("tag", "b"), ("tag", "b")])
    assert selection_key([]) is None and parse_selection(None) == []
    assert parse_selection(selection_key([("tag", "markets")])) == [("tag", "markets")]
    assert topic_key("keyword", "  Velora, MOTORS! ") == "velora motors" and topic_key("keyword", "?!") == ""
    assert topic_key("tag", " Central  Banks ") == "central banks"


def test_the_tag_feed_named_in_issues_is_the_one_publish_writes(published):
    from newsdesk.newsletter import feed_links
    from newsdesk.publish import tag_feed_paths

    tag, *_ = topics(published)
    room = open_newsroom(published)
    (link,) = feed_links(room.settings, {f"tag:{topic_key('tag', tag)}": tag})
    path = tag_feed_paths(tag)[0]
    assert link["feed"].endswith("/" + path) and (room.site_dir / path).is_file()
    room.close()


def test_one_issue_per_selection_only_matching_articles_and_none_when_nothing_matches(published, smtp, tmp_path):  # noqa: F811
    from newsdesk.newsletter import build_issue, send_issue

    box, port = smtp
    path = copy_configured(published, tmp_path, port)
    tag, tagged, keyword, matching, everything = topics(path)
    room = open_newsroom(path)
    store = room.store
    store.add_subscriber("all@example.org", "confirmed")
    by_tag = store.add_subscriber("tag@example.org", "confirmed")[0]
    by_word = store.add_subscriber("word@example.org", "confirmed")[0]
    both = store.add_subscriber("both@example.org", "confirmed")[0]
    nothing = store.add_subscriber("nothing@example.org", "confirmed")[0]
    pending = store.add_subscriber("pending@example.org", "pending")[0]
    store.add_follows(by_tag["id"], [("tag", tag.upper())])  # case does not matter to a tag
    store.add_follows(by_word["id"], [("keyword", keyword.lower())])
    store.add_follows(both["id"], [("keyword", keyword), ("tag", tag)])
    store.add_follows(nothing["id"], [("keyword", NOTHING)])
    store.add_follows(pending["id"], [("keyword", "something else")])  # not confirmed: no issue for it
    edition = build_issue(store, room.settings)
    assert edition is not None
    issues = store.edition(edition)
    assert [i["edition_id"] for i in issues] == [None, edition, edition, edition]  # daily + 3 selections
    assert store.newsletter_issue()["id"] == edition and [i["id"] for i in store.newsletter_issues()] == [edition]
    report = send_issue(store, room.settings, edition)
    assert (report.sent, report.failed, report.permanent) == (4, 0, 0)
    got = {rcpt: [m for m in box.messages if m["To"] == rcpt] for rcpt in box.by_recipient}
    assert sorted(got) == ["all@example.org", "both@example.org", "tag@example.org", "word@example.org"]
    assert all(len(messages) == 1 for messages in got.values())
    daily = stories_in(got["all@example.org"][0])
    assert daily and daily <= everything
    assert stories_in(got["tag@example.org"][0]) == tagged & daily
    assert stories_in(got["word@example.org"][0]) == matching & daily
    assert stories_in(got["both@example.org"][0]) == (tagged | matching) & daily
    word_message = got["word@example.org"][0]
    assert keyword.lower() in word_message["Subject"]  # as the first follower typed it
    plain = word_message.get_body(("plain",)).get_content()
    assert f"/follow/keyword/{topic_key('keyword', keyword)}.xml" in plain
    assert f"/newsletter/follows?token={by_word['token']}" in plain  # their own page of follows
    assert "%%" not in plain and "%%" not in word_message.get_body(("html",)).get_content()
    # Nobody twice; the send log per issue and subscriber as ever.
    assert send_issue(store, room.settings, edition).sent == 0
    assert all(store.send_log(i["id"]) == {"sent": 1} for i in issues)
    room.close()


def test_a_kill_9_mid_edition_then_a_rerun_reaches_everyone_once_with_their_own_issue(published, smtp, tmp_path):  # noqa: F811
    box, port = smtp
    path = copy_configured(published, tmp_path, port)
    tag, tagged, *_ = topics(path)
    room = open_newsroom(path)
    from newsdesk.newsletter import build_issue

    daily = [f"daily{n}@example.org" for n in range(300)]
    following = [f"tag{n}@example.org" for n in range(300)]
    with room.store.begin() as conn:
        for address in daily:
            room.store.add_subscriber(address, "confirmed", conn=conn)
        for address in following:
            subscriber = room.store.add_subscriber(address, "confirmed", conn=conn)[0]
            room.store.add_follows(subscriber["id"], [("tag", tag)], conn=conn)
    edition = build_issue(room.store, room.settings)
    assert edition is not None and len(room.store.edition(edition)) == 2
    room.close()
    command = [sys.executable, "-m", "newsdesk.cli", "newsletter", "send", "--dir", str(path)]
    sender = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while len(box.messages) < 350 and time.monotonic() < deadline:  # past the daily issue's 300
        time.sleep(0.01)
    sender.send_signal(signal.SIGKILL)
    sender.wait(30)
    assert 350 <= len(box.messages) < 600, len(box.messages)
    again = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert sorted(box.by_recipient) == sorted(daily + following)  # nobody missed
    assert all(len(set(ids)) == 1 for ids in box.by_recipient.values())  # one message each
    assert sum(len(ids) - 1 for ids in box.by_recipient.values()) <= 1  # at most the one in flight
    subjects = {m["To"]: m["Subject"] for m in box.messages}
    assert all(tag in subjects[a] for a in following) and not any(tag in subjects[a] for a in daily)
    assert {n for m in box.messages if m["To"] in following for n in stories_in(m)} <= tagged


def test_follow_a_keyword_and_a_tag_through_the_app_with_double_opt_in(published, smtp, tmp_path):  # noqa: F811
    import feedparser

    from newsdesk.site import slug
    from test_service import serving

    box, port = smtp
    path = copy_configured(published, tmp_path, port)
    tag, _, keyword, matching, _ = topics(path)
    with serving(path) as (client, _, newsroom):
        store = newsroom.store
        # The site's forms, where the app serves them (and only there: not in the static export).
        tag_page = f"/tags/{slug(tag)}.html"
        served = client.get(tag_page).text
        assert re.search(rf'<input type="hidden" name="tag" value="{re.escape(tag)}">', served)
        assert 'name="keyword"' in client.get("/index.html").text
        exported = (newsroom.site_dir / tag_page.lstrip("/")).read_text()
        assert 'name="tag"' not in exported and 'name="keyword"' not in exported
        # Bad topics are named, nothing stored.
        long = client.post("/newsletter/subscribe", data={"email": "ada@example.org", "keyword": "x" * 101})
        assert long.status_code == 400 and "keyword" in long.text
        empty = client.post("/newsletter/subscribe", data={"email": "ada@example.org", "keyword": "?!"})
        assert empty.status_code == 400 and "no letters or digits" in empty.text
        assert store.subscribers() == []
        # Sign up with a keyword: nothing followed (nor subscribed) before the link is followed.
        answer = client.post("/newsletter/subscribe", data={"email": "ada@example.org", "keyword": keyword})
        assert answer.status_code == 200 and "Check your inbox" in answer.text
        (ada,) = store.subscribers()
        assert ada["status"] == "pending" and store.follows_of(ada["id"]) == []
        mail = box.messages[-1].get_body(("plain",)).get_content()
        assert keyword in mail
        link = re.search(r"http\S+(/newsletter/confirm\?token=\S+)", mail).group(1)
        confirmed = client.get(link)
        assert confirmed.status_code == 200 and keyword in confirmed.text
        assert [(f["kind"], f["label"]) for f in store.follows_of(ada["id"])] == [("keyword", keyword)]
        assert store.subscribers()[0]["status"] == "confirmed"
        # A confirmed reader following a tag from its page: confirmed by email again first.
        bo = store.add_subscriber("bo@example.org", "confirmed")[0]
        answer = client.post("/newsletter/subscribe", data={"email": "bo@example.org", "tag": tag})
        assert answer.status_code == 200 and store.follows_of(bo["id"]) == []
        bo_mail = box.messages[-1]
        assert bo_mail["To"] == "bo@example.org" and tag in bo_mail.get_body(("plain",)).get_content()
        client.get(re.search(r"http\S+(/newsletter/confirm\?token=\S+)", bo_mail.get_body(("plain",)).get_content()).group(1))
        assert [(f["kind"], f["key"]) for f in store.follows_of(bo["id"])] == [("tag", topic_key("tag", tag))]
        # The keyword's feed, from the search index: every article with the word, newest first.
        feed_answer = client.get(f"/follow/keyword/{keyword.lower()}.xml")
        assert feed_answer.status_code == 200 and feed_answer.headers["content-type"].startswith("application/rss+xml")
        feed = feedparser.parse(feed_answer.content)
        assert not feed.bozo and keyword.lower() in feed.feed.title
        assert {int(re.search(r"story-(\d+)", e.link).group(1)) for e in feed.entries} == matching
        none = feedparser.parse(client.get(f"/follow/keyword/{NOTHING.replace(' ', '-')}.xml").content)
        assert not none.bozo and none.entries == []
        assert client.get("/follow/keyword/---.xml").status_code == 404
        assert client.get("/follow/keyword/" + "a" * 201 + ".xml").status_code == 404
        # The subscriber's page of follows (the token of their unsubscribe link): add, remove.
        page = client.get(f"/newsletter/follows?token={ada['token']}")
        assert page.status_code == 200 and keyword in page.text and f"/follow/keyword/{keyword.lower()}.xml" in page.text
        added = client.post(f"/newsletter/follows?token={ada['token']}", data={"keyword": NOTHING})
        assert added.status_code == 303
        assert {f["key"] for f in store.follows_of(ada["id"])} == {keyword.lower(), NOTHING}
        removed = client.post(f"/newsletter/follows?token={ada['token']}", data={"remove": f"keyword:{keyword.lower()}"})
        assert removed.status_code == 303 and [f["key"] for f in store.follows_of(ada["id"])] == [NOTHING]
        assert store.subscribers()[0]["selection"] == selection_key([("keyword", NOTHING)])
        assert client.get("/newsletter/follows?token=forged").status_code == 404
