import pytest

from newsdesk.sources.feeds import FeedError, parse_feed
from newsdesk.sources.opml import OpmlError, read_opml

RSS2 = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:slash="http://purl.org/rss/1.0/modules/slash/">
<channel><title>Test Wire</title><link>https://wire.example/</link><description>d</description>
<item><title>Bridge reopens after &amp; repairs</title><link>https://wire.example/a?utm_source=rss</link>
<guid isPermaLink="false">wire-1</guid><pubDate>Tue, 03 Mar 2026 10:00:00 GMT</pubDate>
<description>&lt;p&gt;Short &lt;b&gt;summary&lt;/b&gt;.&lt;/p&gt;</description>
<content:encoded><![CDATA[<p>First paragraph.</p><p>Second &amp; last.</p>]]></content:encoded>
<slash:comments>12</slash:comments></item>
</channel></rss>"""

RSS1 = b"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://rdf.example/feed"><title>RDF Times</title><link>https://rdf.example/</link><description>x</description>
<items><rdf:Seq><rdf:li rdf:resource="https://rdf.example/1"/></rdf:Seq></items></channel>
<item rdf:about="https://rdf.example/1"><title>Council votes</title><link>https://rdf.example/1</link>
<description>The council voted.</description><dc:date>2026-03-04T08:30:00+01:00</dc:date></item>
</rdf:RDF>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Post</title><id>tag:atom.example,2026:feed</id>
<updated>2026-03-05T00:00:00Z</updated>
<entry><title>Launch succeeds</title><link rel="alternate" href="https://atom.example/launch"/>
<id>tag:atom.example,2026:1</id><published>2026-03-05T06:14:00Z</published><updated>2026-03-05T06:14:00Z</updated>
<author><name>R. Writer</name></author><summary>It flew.</summary>
<content type="html">&lt;p&gt;The rocket flew.&lt;/p&gt;</content></entry></feed>"""


def test_rss2():
    feed = parse_feed(RSS2, "https://wire.example/feed")
    assert feed.title == "Test Wire" and feed.format == "rss20"
    (e,) = feed.entries
    assert e.guid == "wire-1"
    assert e.title == "Bridge reopens after & repairs"
    assert e.summary == "Short summary."
    assert e.content == "First paragraph.\n\nSecond & last."
    assert e.published_at.isoformat() == "2026-03-03T10:00:00+00:00"
    assert e.engagement == {"comments": 12.0}


def test_rss1_rdf():
    feed = parse_feed(RSS1, "https://rdf.example/feed")
    assert feed.format == "rss10"
    (e,) = feed.entries
    assert e.url == "https://rdf.example/1" and e.summary == "The council voted."
    assert e.published_at.isoformat() == "2026-03-04T07:30:00+00:00"


def test_atom():
    feed = parse_feed(ATOM, "https://atom.example/feed")
    assert feed.format == "atom10"
    (e,) = feed.entries
    assert e.guid == "tag:atom.example,2026:1" and e.author == "R. Writer" and e.content == "The rocket flew."


def test_malformed_xml_is_an_error():
    with pytest.raises(FeedError, match="not a well-formed feed"):
        parse_feed(b'<?xml version="1.0"?><rss version="2.0"><channel><title>X</title><item><title>Cut', "https://x.example/f")


def test_html_instead_of_feed_names_the_feed_link():
    page = b"""<!DOCTYPE html><html><head><title>Home</title>
    <link rel="alternate" type="application/rss+xml" href="https://x.example/rss.xml"></head><body>Hi</body></html>"""
    with pytest.raises(FeedError, match=r"HTML page, not an RSS/Atom feed.*https://x.example/rss.xml"):
        parse_feed(page, "https://x.example/", "text/html")


def test_empty_document():
    with pytest.raises(FeedError, match="empty"):
        parse_feed(b"  \n", "https://x.example/f")


def test_xml_that_is_not_a_feed():
    with pytest.raises(FeedError):
        parse_feed(b'<?xml version="1.0"?><catalog><book>x</book></catalog>', "https://x.example/f")


def test_declared_utf8_but_bytes_are_cp1252():
    body = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Caf\u00e9 News</title><item><title>Na\u00efve caf\u00e9 opens</title><link>https://x.example/1</link></item></channel></rss>'
    feed = parse_feed(body.encode("cp1252"), "https://x.example/f")
    assert feed.entries[0].title == "Na\u00efve caf\u00e9 opens"


def test_declared_latin1_in_prolog_is_honoured():
    body = '<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>T</title><item><title>Z\u00fcrich gr\u00fc\u00dft</title><link>https://x.example/1</link></item></channel></rss>'
    feed = parse_feed(body.encode("iso-8859-1"), "https://x.example/f")
    assert feed.entries[0].title == "Z\u00fcrich gr\u00fc\u00dft"


def test_opml_nested_folders(tmp_path):
    opml = tmp_path / "subs.opml"
    opml.write_text(
        """<?xml version="1.0"?><opml version="2.0"><head><title>subs</title></head><body>
        <outline text="World"><outline text="Wire" type="rss" xmlUrl="https://wire.example/feed"/>
        <outline text="Deep"><outline title="Atom Post" xmlUrl="https://atom.example/feed"/></outline></outline>
        <outline text="Top" xmlUrl="https://top.example/rss"/></body></opml>""",
        encoding="utf-8",
    )
    feeds = read_opml(opml)
    assert [(f.url, f.title, f.category) for f in feeds] == [
        ("https://wire.example/feed", "Wire", "World"),
        ("https://atom.example/feed", "Atom Post", "Deep"),
        ("https://top.example/rss", "Top", ""),
    ]


def test_opml_errors(tmp_path):
    bad = tmp_path / "bad.opml"
    bad.write_text("<opml><body><outline", encoding="utf-8")
    with pytest.raises(OpmlError, match="not valid OPML"):
        read_opml(bad)
    with pytest.raises(OpmlError, match="not found"):
        read_opml(tmp_path / "missing.opml")
    other = tmp_path / "other.xml"
    other.write_text("<rss/>", encoding="utf-8")
    with pytest.raises(OpmlError, match="not OPML"):
        read_opml(other)


def test_script_contents_are_not_text():
    from newsdesk.extract import html_to_text

    assert (
        html_to_text("<p>Bridge reopens.<script>steal()</script></p><style>p{}</style><p>Cars return.</p>")
        == "Bridge reopens.\n\nCars return."
    )
