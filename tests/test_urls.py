import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsdesk.infra.urls import canonicalize


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://www.example.com/a/b/?utm_source=rss&utm_medium=feed", "https://example.com/a/b"),
        ("HTTPS://Example.COM:443/Story", "https://example.com/Story"),
        ("http://example.com:80/x", "http://example.com/x"),
        ("http://example.com:8080/x", "http://example.com:8080/x"),
        ("https://example.com/story#comments", "https://example.com/story"),
        ("https://example.com/story?b=2&a=1", "https://example.com/story?a=1&b=2"),
        ("https://example.com/story?id=7&fbclid=XYZ&gclid=1&mc_cid=2", "https://example.com/story?id=7"),
        ("https://example.com/news/index.html", "https://example.com/news"),
        ("https://example.com//double//slash/", "https://example.com/double/slash"),
        ("https://example.com/caf%c3%a9", "https://example.com/caf%C3%A9"),
        ("https://example.com/", "https://example.com"),
    ],
)
def test_canonicalize_cases(url, expected):
    assert canonicalize(url) == expected


def test_variants_of_one_article_share_a_key():
    variants = [
        "https://www.news.example/2026/05/velora-cuts/",
        "http://www.news.example:80/2026/05/velora-cuts?utm_campaign=x",
        "https://news.example/2026/05/velora-cuts#top",
        "https://NEWS.example/2026/05/velora-cuts/?ref=homepage",
    ]
    keys = {canonicalize(v).replace("http://", "https://") for v in variants}
    assert keys == {"https://news.example/2026/05/velora-cuts"}


def test_meaningful_query_kept():
    assert canonicalize("https://example.com/article?id=42&page=2") == "https://example.com/article?id=42&page=2"


path_part = st.text(alphabet="abcdefghij0123456789-_", min_size=1, max_size=8)


@given(
    host=st.sampled_from(["example.com", "www.example.com", "news.example.org"]),
    parts=st.lists(path_part, max_size=4),
    params=st.dictionaries(st.sampled_from(["utm_source", "id", "page", "fbclid", "q"]), path_part, max_size=4),
    trailing=st.booleans(),
)
def test_canonicalize_is_idempotent_and_drops_tracking(host, parts, params, trailing):
    from urllib.parse import urlencode

    url = f"https://{host}/" + "/".join(parts) + ("/" if trailing else "") + ("?" + urlencode(params) if params else "")
    once = canonicalize(url)
    assert canonicalize(once) == once
    assert "utm_" not in once and "fbclid" not in once and "www." not in once
    for key in ("id", "page", "q"):
        if key in params:
            assert f"{key}=" in once
