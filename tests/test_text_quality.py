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
    assert trim_prefix("Story Continued Below " + lead) == len("Story Continued Below ")  # a page-break marker
    assert trim_prefix("CLOSE to 400 people were evacuated from the harbour district on Monday.") == 0  # a word, not a button
    for notice in (
        "Dow Jones Reprints: This copy is for your personal, non-commercial use only.",
        "Thank you for your interest in spreading the word about Science.",
        "You always have the option to delete your Tweet location history.",
        "You can unsubscribe at any time.",  # a sign-up box's promise, published as a sentence
        "Add Ilse Brandt as an interest to stay up to date on the latest Ilse Brandt news and analysis.",
        "We only request your email address so that the person you recommend the page to knows it was you.",
    ):
        assert "boilerplate" in defects(notice), notice
    assert "boilerplate" not in defects("Google said it would stop keeping the location history of users who opt out.")
    # A split after a title's full stop leaves half a sentence.
    assert "fragment" in defects("Days before the couple were found dead in their home in Toronto, Ms.")


def test_a_wire_dateline_is_cut_anywhere_and_error_pages_and_photo_positions_are_furniture():
    from newsdesk.text.quality import defects, trim_prefix

    lead = "Harbour officials have delayed the reopening of the north pier by a month, the port authority said."
    for prefix in (
        "KESTREL BAY (Reuters) - ",
        "HARLOW, Norland (AP) \u2014 ",
        "CALDER \u2014 ",
        "LONDON -- ",
        "DENBY, Nor. (WCLD) -- ",
    ):
        assert trim_prefix(prefix + lead) == len(prefix), prefix
    for kept in ("NASA said on Monday it would delay the launch of the probe by a week.", "US stocks fell on Monday."):
        assert trim_prefix(kept) == 0, kept  # an agency's name or a country is the subject, not a dateline
    assert "boilerplate" in defects("Sorry, the page you requested was not found.")
    assert "boilerplate" in defects("Pier workers (2nd L) and the mayor (R) stand at the harbour gate in Calder on May 20.")
    assert "boilerplate" not in defects("The mayor said the page of the report on the pier was not printed in time.")
    assert "boilerplate" in defects("Skip in Skip x Embed x Share Harbour officials say the pier is safe again.")
    for notice in (
        "Read the latest news about the pier closure here.",
        "Check your local tide times here.",
        "The news and stories that matter, delivered weekday mornings.",
        "Have more to say about this topic?",
        "Erik Lund/Wikimedia Commons From harbour to open sea.",
        "Dockworkers cheer as the first ship leaves the berth in Calder, Norland Wednesday March 4, 2026.",
    ):
        assert "boilerplate" in defects(notice), notice
    assert "boilerplate" not in defects("Read the report and you will see why the pier closed, the mayor said here on Monday.")
    assert "boilerplate" not in defects("The council will vote on the pier in Calder on Tuesday, March 3, 2026.")


def test_a_title_before_a_name_does_not_end_a_sentence():
    """The segmenter splits after "Ms." ("… said Ms. | Shourd, concluding …"): one sentence."""
    from newsdesk.text.sentences import sentence_spans

    text = (
        "The crew had no warning of the storm, said Ms. Lindqvist, adding that the radio had failed. "
        "\u201cWe turned back at once,\u201d Ms. Lindqvist said. Mr. Okafor and Dr. Vance stayed ashore."
    )
    sentences = [text[s.start : s.end] for s in sentence_spans(text)]
    assert sentences == [
        "The crew had no warning of the storm, said Ms. Lindqvist, adding that the radio had failed.",
        "\u201cWe turned back at once,\u201d Ms. Lindqvist said.",
        "Mr. Okafor and Dr. Vance stayed ashore.",
    ], sentences


def test_a_quotations_tail_is_a_fragment():
    """A sentence that closes a quotation it never opened is the end of someone's words, with the
    speaker and the opening in the sentence before."""
    from newsdesk.text.quality import defects

    assert "fragment" in defects("The harbour keeps the whole town working for the benefit of everyone.\u201d")
    for whole in (
        "\u201cThe harbour keeps the whole town working,\u201d the mayor said on Monday.",
        '"The harbour keeps the whole town working,\u201d the mayor said on Monday.',
    ):
        assert "fragment" not in defects(whole), whole


def test_a_contracted_pronoun_or_a_reference_behind_a_preposition_points_back():
    """The writer published sentences opening on "It's", "That's" or "There's" as if they did not
    point back as "It" does: "That's nearly a third of the town" after a sentence about something
    else. "At that point", "In these cases" and "did so" point back just as "That" does."""
    from newsdesk.text.quality import defects

    for back in (
        "That's nearly a third of the town's households, up from a fifth in 2019.",
        "It\u2019s unclear whether the ferry will run on Sunday.",
        "There's no timetable for the repairs yet.",
        "They're expected to vote on the pier on Friday.",
        "At that point, the harbour master closed the north gate.",
        "Despite that warning, the crew sailed at dawn.",
        "In these cases, the port pays the shipping lines' costs.",
        "To that end, the council will hire two more inspectors.",
        "Few crews did so before the storm reached Calder.",
        "Now the ferry is run by a private company from Denby.",  # "now", against a "then" not quoted
        "Here\u2019s a map of where the ferry stops.",  # "here": what follows is not quoted
        "This time, the crew waited for the tide.",  # "this time" against an earlier time not quoted
        "These changes will cost the port 2 million euros.",
        "This week\u2019s example: a ferry that sails without a crew.",  # an example of what came before
    ):
        assert "opener" in defects(back), back
    for whole in (
        "Calder's harbour master closed the north gate at dawn on Friday.",
        "In this week's vote, the council backed the new pier by 12 to 3.",
        "At this time of year the ferry runs twice a day, the operator said.",
        "\u201cIt's the worst storm in a decade,\u201d the harbour master said.",
        "The council said it would do so again if the storm returned.",
        "This week, the Calder council voted to rebuild the north pier.",  # "this week": when, not back
        "This afternoon the ferry will sail again, the operator said.",
        "These days the ferry carries more lorries than cars.",
    ):
        assert "opener" not in defects(whole), whole
    assert "boilerplate" in defects("See more photos of the storm in the gallery at the top of the story.")


def test_a_pdf_s_lost_ligatures_make_a_sentence_garbled():
    from newsdesk.text.quality import defects

    assert "garbled" in defects("The board said the classi?ed annex was shared with of?cials in Calder.")
    assert "garbled" in defects("The board said the annex was shared with officials in Calder\ufffd.")
    assert "garbled" not in defects("Was the annex shared? The board said it was, in Calder.")


def test_a_photo_caption_or_a_tag_left_in_the_text_is_not_a_sentence():
    from newsdesk.text.quality import defects

    for caption in (
        "A man passes a new mural on Harbour Road, West Calder, Norland, Friday, May, 2 2026.",
        "Calder mayor Ilse Brandt speaks to the media outside the port office, Thursday, Feb. 16, 2026.",
        "A worker returns a bag of runners' effects near the finish line of the Calder race on April 16.",
    ):
        assert "caption" in defects(caption), caption
    for report in (
        "The mayor speaks to the council on Tuesday about the pier.",  # a day ahead, not a photo's
        "Ilse Brandt speaks to the media on May 2 every year, her office said.",
        "The mayor walked to the port office on Feb. 16, 2026, and resigned.",
    ):
        assert "caption" not in defects(report), report
    # Any verb in the present, where the sentence ends on the photo's full date.
    assert "caption" in defects("Calder Mayor Ilse Brandt answers questions at the port office in Calder, Feb. 16, 2026.")
    assert "caption" not in defects("The council votes on the pier plan on Tuesday, March 3, 2026.")
    glued = 'Ferries stopped, the port said.runtime:topic id="PLGEO1001">Buses ran as normal on Friday.'
    assert "boilerplate" in defects(glued)


def test_a_stray_stop_after_an_abbreviation_is_cut():
    from newsdesk.text.quality import trim_suffix

    sentence = "Dockers blocked the north gate of the Calder port from 6:30 a.m. ."
    assert sentence[: len(sentence) - trim_suffix(sentence)] == "Dockers blocked the north gate of the Calder port from 6:30 a.m."
    assert trim_suffix("The pier reopened at 9 a.m.") == 0


def test_a_section_label_run_into_a_sentence_is_cut():
    from newsdesk.text.quality import trim_prefix

    text = "Analysis The letter published by the Calder Courier shows how the pier deal was made."
    assert text[trim_prefix(text) :] == "The letter published by the Calder Courier shows how the pier deal was made."
    assert trim_prefix("Analysis of the letter shows it was typed by an aide in Calder.") == 0
