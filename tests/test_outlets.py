"""Independent outlets are counted by publisher (the registrable domain of each item's link, or
a source's configured outlet), over real loopback HTTP feeds: two feeds of one publisher are one
outlet, a syndicated copy is none."""

from __future__ import annotations

from email.utils import format_datetime
from xml.sax.saxutils import escape

from conftest import make_newsroom
from newsdesk.pipeline import run
from newsdesk.sources.outlets import registrable_domain
from newsdesk.store import utcnow

# Three reports of one (invented) event, in different words, and a syndicated copy of the third.
WORLD = (
    "Engineers closed the Korvath harbour bridge on Tuesday after inspectors found cracked cables on the "
    "northern span. The Korvath transport office said ferries would run every twenty minutes while the "
    "bridge stays shut, and that repairs could take until spring. Commuters queued for the first ferries."
)
TECH = (
    "Sensors fitted to the Korvath harbour bridge last year flagged the cracked cables before any inspector "
    "saw them, the Korvath transport office said on Tuesday as it closed the bridge. The monitoring system "
    "records strain on every cable of the northern span and sent an alert on Monday night."
)
OTHER = (
    "Korvath residents face long detours after the harbour bridge was closed on Tuesday. Shop owners on the "
    "northern shore said trade fell at once, and the transport office promised extra ferries. Inspectors "
    "reported cracked cables, and the bridge may stay closed until spring, officials said."
)


def feed(title: str, entries: list[tuple[str, str, str]]) -> str:
    when = format_datetime(utcnow())
    items = "".join(
        f"<item><guid>{link}</guid><link>{escape(link)}</link><title>{escape(head)}</title>"
        f"<description>{escape(text)}</description><pubDate>{when}</pubDate></item>"
        for link, head, text in entries
    )
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>{title}</title>{items}</channel></rss>"


def serve_feeds(httpserver) -> dict[str, str]:
    feeds = {
        "world": feed("Example World", [("https://news.example.co.uk/world/1", "Korvath bridge shut", WORLD)]),
        "tech": feed("Example Tech", [("https://www.example.co.uk/tech/2", "Sensors saw the cracks", TECH)]),
        "other": feed("Other Daily", [("https://www.otherdaily.com/3", "Detours in Korvath", OTHER)]),
        "syndicated": feed("Wire Reprints", [("https://reprints.net/a/3", "Detours in Korvath", OTHER)]),
    }
    for name, body in feeds.items():
        httpserver.expect_request(f"/{name}.xml").respond_with_data(body, content_type="application/rss+xml")
    return {name: httpserver.url_for(f"/{name}.xml") for name in feeds}


def bridge_story(tmp_path, httpserver, sources_toml: str = ""):
    urls = serve_feeds(httpserver)
    room = make_newsroom(tmp_path / "room", "\n[extract]\nfetch_pages = false\n" + sources_toml.format(**urls))
    for url in urls.values():
        room.store.add_source(url)
    run(room, ("ingest", "stories"))
    stories = room.store.stories(with_items=True)
    room.close()
    assert len(stories) == 1, [s.title for s in stories]
    return stories[0]


def test_two_feeds_of_one_publisher_are_one_outlet_and_a_copy_is_none(tmp_path, httpserver):
    story = bridge_story(tmp_path, httpserver)
    by_outlet = {i.outlet: i for i in story.items}
    assert by_outlet["Example World"].publisher == by_outlet["Example Tech"].publisher == "example.co.uk"
    assert by_outlet["Other Daily"].publisher == "otherdaily.com"
    assert by_outlet["Wire Reprints"].duplicate_of == by_outlet["Other Daily"].id  # syndicated: no outlet
    assert story.breakdown.independent_outlets == 2


def test_a_sources_configured_outlet_overrides_the_domain(tmp_path, httpserver):
    # Two desks of one domain that the operator knows report independently.
    toml = (
        '\n[sources]\nurls = [{{ url = "{world}", outlet = "Example World desk" }}, '
        '{{ url = "{tech}", outlet = "Example Tech desk" }}]\n'
    )
    story = bridge_story(tmp_path, httpserver, toml)
    assert {i.publisher for i in story.items if i.duplicate_of is None} == {
        "Example World desk",
        "Example Tech desk",
        "otherdaily.com",
    }
    assert story.breakdown.independent_outlets == 3


def test_registrable_domain_offline():
    assert registrable_domain("https://news.bbc.co.uk/a") == "bbc.co.uk"
    assert registrable_domain("https://blog.github.io/x") == "blog.github.io"  # a private suffix: its own publisher
    assert registrable_domain("http://127.0.0.1:8765/feed.xml") is None  # an address names no publisher
    assert registrable_domain("http://localhost/feed.xml") is None
    assert registrable_domain("/tmp/feed.xml") is None


# The same sentence in two feeds of one publisher, and in other words by another publisher.
SAME_DESK = (
    "Inspectors found cracked cables on the northern span of the Korvath harbour bridge on Tuesday, and "
    "engineers closed the bridge until repairs are done. Ferries will run every twenty minutes meanwhile."
)
SAME_DESK_AGAIN = (
    "Inspectors found cracked cables on the northern span of the Korvath harbour bridge on Tuesday, and "
    "engineers closed the bridge until repairs are done. The repairs could take until spring, officials said."
)


def test_two_feeds_of_one_publisher_never_corroborate_each_other(tmp_path, httpserver):
    feeds = {
        "world": feed("Example World", [("https://news.example.co.uk/world/9", "Korvath bridge shut", SAME_DESK)]),
        "tech": feed("Example Tech", [("https://www.example.co.uk/tech/9", "Korvath bridge closed", SAME_DESK_AGAIN)]),
        "other": feed("Other Daily", [("https://www.otherdaily.com/9", "Detours in Korvath", OTHER)]),
    }
    for name, body in feeds.items():
        httpserver.expect_request(f"/{name}9.xml").respond_with_data(body, content_type="application/rss+xml")
    room = make_newsroom(tmp_path / "room", '\n[extract]\nfetch_pages = false\n[write]\nmin_tier = "brief"\n')
    for name in feeds:
        room.store.add_source(httpserver.url_for(f"/{name}9.xml"))
    run(room, ("ingest", "stories", "enrich", "write"))
    items = {i.id: i for s in room.store.stories(with_items=True) for i in s.items}
    articles = room.store.latest_articles()
    room.close()
    assert articles, "the bridge story was not written"
    shared = 0
    for article in articles:
        for sentence in article.sentences():
            publishers = [items[c.item_id].publisher for c in sentence.citations]
            assert len(publishers) == len(set(publishers)), (sentence.text, publishers)
            shared += SAME_DESK.split(",")[0] in sentence.text
    assert shared, "the shared sentence was not published: the test would prove nothing"
