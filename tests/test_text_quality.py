"""Sentence quality helpers (``newsdesk.text.quality``)."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.text import quality

# Words from the furniture expression's alternatives and ordinary news words, in any order and
# case: the regrouped expression must find furniture exactly where the plain one does.
WORDS = (
    "share this on via image photo credit courtesy pic.twitter.com t.co/x 3 min read getty images © all rights "
    "reserved click here sign up subscribe newsletter follow us advertisement cookie cookies terms of use privacy "
    "policy log in login related articles: caption: AP Photo file updated (Reuters) [Link] | > wayback machine "
    "crawl data these crawls archive-it tweet with a location switch before each tweet continue reading "
    "web captures internet archive hopes no more 404 fix all broken links dow jones reprints personal, non-commercial "
    "thank you for your interest tweet location history "
    "the council said on Monday shares rose 4% minister Reuters photo shared read"
).split()


@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12), st.booleans())
@settings(max_examples=400, deadline=None)
def test_the_regrouped_furniture_expression_matches_as_the_plain_one(words, upper):
    text = " ".join(w.upper() if upper else w for w in words)
    assert bool(quality._FURNITURE.search(text)) == bool(_PLAIN_FURNITURE.search(text)), text


_PLAIN_FURNITURE = re.compile(quality._FURNITURE_PATTERN, re.I)


def test_alternatives_split_only_at_the_top_level():
    assert quality._alternatives(r"a|(b|c)|[|x]|\|d") == ["a", "(b|c)", "[|x]", r"\|d"]


def test_without_furniture_keeps_the_report():
    page = "Skip to main content.\nShare this on Facebook.\nThe council approved the budget on Monday. It passed 7-2."
    assert quality.without_furniture(page) == "The council approved the budget on Monday. It passed 7-2."
    assert quality.without_furniture(page, words=3) == "The council approved the budget on Monday."


def test_a_page_that_is_only_an_archive_notice_has_no_report():
    # Written for this test in the manner of a web archive's collection notice, its sentences
    # run together as extraction leaves them: nothing of it says which event a page reports.
    page = (
        "These crawls are part of an effort to keep pages as they were published.Then the Internet Archive "
        "hopes to keep a copy of each page it finds. The goal is to fix all broken links on the web. "
        'Crawls of supported "No More 404" sites. They include web captures of partner sites.'
    )
    assert quality.without_furniture(page) == ""
    report = "The council approved the budget on Monday."
    assert quality.without_furniture(page + " " + report) == report
    # A report about the archive is no notice.
    about = "The Internet Archive lost its appeal in the book lending case on Friday."
    assert quality.without_furniture(about) == about


def test_an_agency_tag_or_a_player_button_is_cut_from_a_first_sentence_and_notices_are_furniture():
    from newsdesk.text.quality import defects, trim_prefix

    lead = "Rangers in Kenya shot a lion that had strayed from the park into a crowd on Monday."
    for prefix in ("(CNN) ", "(Reuters Health) - ", "(AP) \u2014 ", "CLOSE "):
        assert trim_prefix(prefix + lead) == len(prefix), prefix
    assert trim_prefix(lead) == 0
    assert trim_prefix("CLOSE to 400 people were evacuated from the harbour district on Monday.") == 0  # a word, not a button
    for notice in (
        "Dow Jones Reprints: This copy is for your personal, non-commercial use only.",
        "Thank you for your interest in spreading the word about Science.",
        "You always have the option to delete your Tweet location history.",
    ):
        assert "boilerplate" in defects(notice), notice
    assert "boilerplate" not in defects("Google said it would stop keeping the location history of users who opt out.")
    # A split after a title's full stop leaves half a sentence.
    assert "fragment" in defects("Days before the couple were found dead in their home in Toronto, Ms.")
