"""Headlines cut from a sentence read as whole statements (issue 23 item 4: headlines in the
house style). Every sentence here is written for this test."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsdesk.text.headlines import from_sentence, reads_whole

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "headline",
    [
        "The Brennmoor transport board said",  # a verb waiting for what was said
        "The Brennmoor transport board said late on Wednesday",
        "Calder police are searching",
        "The council issued a statement explaining",  # a participle waiting for its phrase
        "The pier report is a document created",
        "A cyclist who was hit by a delivery van",  # a subject alone: the verb is the relative clause's
        "One of the people injured in the fire",
        "A long-running dispute between two rival dairy firms",  # no verb at all
        "Erik Lund, director of harbour programs for the Calder Port Authority",
        "As the storm moved north on Thursday",  # a subordinate clause alone
        "Three days after a fire closed the Calder depot",
        "Defending her budget in front of the council",
        "Since the mayor already looks like the favourite",
        "Marta Olsen, in the spring of 2019, she moved to Calder",  # a clause's tail
        "He is the favourite to win the Calder seat",  # nobody named
        "The board says Velora engaged in \u201croutine restructuring",  # a quotation left open
        "Velora's finance chief also said in a call with analysts",  # what she said is cut off
        "The tribunal found that the two dairy firms",
        "One in five buses in the Calder fleet are now",  # an auxiliary left alone
        "Hospital admissions in Dorrance rose after the heat was",
        "The port authority said on Monday that it had detected",  # an active perfect waits for its object
        "The ruling leaves open",  # open what?
        "The minister made clear",
        "Erik Lund could be released from prison as soon",  # as soon as what?
        "The Calder council said it planned",  # planned what?
    ],
)
def test_cut_headlines_that_do_not_read_whole_are_refused(headline: str) -> None:
    assert not reads_whole(headline), headline


@pytest.mark.parametrize(
    "headline",
    [
        "Calder police are searching for a man",
        "Former mayor Ilse Brandt has died",
        "A cyclist who was hit by a delivery van has left hospital",
        "Shares in Velora fell 9%, the company said",
        "Region lost 4,100 factory jobs in first quarter, labour office says",
        "The study, published on Monday in a medical journal, followed 2,000 patients",
        "Harlow and Denby declared a state of emergency",
        "Erik Lund, director of the port authority, resigned",
        "Velora's finance chief said the cuts would end in June",
        "Two men were arrested for running a ticket fraud",
        "Talks between Calder and the dockers' union have collapsed",
        "The search for the missing trawler has been called off",
        "The ruling leaves open the question of who pays",
        "Calder keeps its north pier open",
        "The Calder ferry sailed on Friday as planned",  # "as planned", "than expected": whole
        "Harbour fees in Calder rose faster than expected",
    ],
)
def test_whole_statements_pass(headline: str) -> None:
    assert reads_whole(headline), headline


def test_a_sentence_is_cut_where_its_statement_stays_whole() -> None:
    cut = from_sentence(
        "Calder police are searching for a man suspected of stealing more than $30,000 of copper cable from the rail depot."
    )
    assert cut == "Calder police are searching for a man"
    # A leading subordinate clause and a participle's clause go: the main clause is the news.
    cut = from_sentence(
        "As the storm moved north on Thursday, putting the whole coast on alert, Harlow and Denby declared a "
        "state of emergency and the Saturday regatta in the old harbour was called off."
    )
    assert cut == "Harlow and Denby declared a state of emergency"
    # A dangling adverb is dropped with what it introduced.
    cut = from_sentence("Former mayor Ilse Brandt has died just as the city was preparing a street party in her honour.")
    assert cut == "Former mayor Ilse Brandt has died"
    # A clause with a verb of its own is no appositive: it is not cut out of the middle.
    cut = from_sentence(
        "In the harbour, the coastguard's duty officer postponed a planned drill in Calder, Norland, for a lifeboat so "
        "that two crews would stay on call."
    )
    assert cut is not None and "In the harbour" not in cut and cut.startswith("The coastguard's duty officer postponed")
    # A wire dateline is where the report was filed, not the news.
    cut = from_sentence(
        "KESTREL BAY (Reuters) - Harbor officials have delayed the reopening of the north pier by a month, the port "
        "authority said on Monday."
    )
    assert cut is not None and cut.startswith("Harbor officials have delayed"), cut
    for dateline in ("HARLOW, Norland - ", "CALDER\u2014"):
        cut = from_sentence(dateline + "The harbour board met the mayor on Tuesday to discuss the new pier.")
        assert cut is not None and cut.startswith("The harbour board met"), (dateline, cut)
    # A control verb keeps its "to …": "does not want poor people" is not what was said.
    cut = from_sentence(
        "Defending the new levy in a long session of the council, the mayor has said that she does not want small "
        "shops to pay for the tram extension on their own."
    )
    assert cut is None or not cut.endswith("small shops"), cut
    # Nothing whole and short enough: no headline from this sentence.
    assert (
        from_sentence(
            "A cyclist who was hit by a delivery van while riding along the canal path near the Calder depot on "
            "Tuesday morning was taken to hospital with a broken arm."
        )
        is None
    )


def _story(*texts: str):  # type: ignore[no-untyped-def]
    from newsdesk.records import Item, Story

    items = [
        Item(k + 1, k + 1, f"g-{k}", f"https://{k}.example/a", f"https://{k}.example/a", f"Outlet {k}", "", t, NOW, NOW)
        for k, t in enumerate(texts)
    ]
    return Story(1, "open", "", NOW, NOW, 3.0, "standard", None, items)


def test_the_writer_headlines_an_untitled_story_with_a_whole_statement() -> None:
    """Items without titles (a web page, a wire copy): the headline is cut from the dek, and it
    stops where the statement is whole, not on "… are searching"."""
    from newsdesk.config import WriteSettings
    from newsdesk.write.extractive import ExtractiveWriter

    first = (
        "Calder police are searching for a man suspected of stealing more than $30,000 of copper cable from the "
        "rail depot over the weekend."
    )
    rest = (
        " Officers said the cable was taken from a storage yard beside the depot between Friday night and Sunday. "
        "Trains on the Calder line ran with delays on Monday while engineers replaced the missing sections. "
        "The rail operator said the theft had cost it more than a day of normal service on the line."
    )
    second = (
        "Police in Calder want to find a man they suspect of taking copper cable worth more than $30,000 from the rail "
        "depot. Engineers replaced the missing sections on Monday, and trains ran with delays, the operator said."
    )
    article = ExtractiveWriter(WriteSettings()).write(_story(first + rest, second))
    assert article is not None
    assert article.headline and reads_whole(article.headline), article.headline
    assert article.headline != "Calder police are searching", article.headline


def test_a_story_with_no_whole_statement_still_gets_a_headline() -> None:
    """Where no sentence gives a whole statement short enough, the looser cut is the headline:
    never an empty one."""
    from newsdesk.config import WriteSettings
    from newsdesk.write.extractive import ExtractiveWriter

    text = (
        "At a meeting of harbour pilots in the old customs house earlier this spring, the Calder harbour master said "
        "that the channel would need dredging before the autumn storms arrived in the bay. "
        "At the same meeting of harbour pilots in the old customs house, the deputy harbour master said that two "
        "buoys on the north side of the channel had drifted out of position during the winter."
    )
    article = ExtractiveWriter(WriteSettings()).write(_story(text))
    assert article is not None and article.headline.strip(), article.headline


def test_a_cut_headline_that_points_back_comes_after_one_that_stands_alone() -> None:
    """ "The harbour police are looking into the incident": which incident? The sentence before
    it said. A cut that leans on a definite "the incident", "the case" is a last resort."""
    from newsdesk.text.headlines import points_back

    for back in (
        "The harbour police are looking into the incident",
        "The pier's name is not at issue in the case",
        "The deal is off",
    ):
        assert points_back(back), back
    for whole in (
        "Calder council approves the new north pier",
        "Court hears the case against Velora",  # the words after say which
        "Board backs the plan to close the depot",
    ):
        assert not points_back(whole), whole


def test_an_age_and_a_relative_clause_leave_a_headline_but_nested_clauses_stay_whole() -> None:
    from newsdesk.text.headlines import neutral

    assert from_sentence("Ilse Brandt, 41, resigned as Calder's harbour master on Monday.") == (
        "Ilse Brandt resigned as Calder's harbour master"
    )
    assert from_sentence("Erik Lund, who ran the Calder ferry for a decade, has died.") == "Erik Lund has died"
    # "A, who … B, who was hurt, is …": dropping the first clause would pin "who was hurt" on A.
    nested = (
        "Mara Lind, 18, who was hit by a van on Saturday along with her friend Ada Roe, 19, who was hurt, "
        "is making a good recovery, her brother said."
    )
    cut = from_sentence(nested)
    assert cut is None or "Lind who was hurt" not in cut, cut
    # The age of a name inside an aside stays with the aside's commas.
    cut = from_sentence("Harbour founder Ilse Brandt, 75, and her husband, Erik Brandt, 70, both died on Friday.")
    assert cut == "Harbour founder Ilse Brandt and her husband, Erik Brandt, 70, both died", cut
    # An evaluative word inside someone's quoted words is neither cut out nor the house's voice.
    assert neutral("Calder pier makes an \u201camazing\u201d recovery") is None
    assert neutral("Calder signs historic pier deal") == "Calder signs pier deal"
