"""The extractive writer's sentence selection (``write.extractive``): what the rules that read
names do on text without capitals, when shared figures make two sentences one point, and the
similarity the selection is built on."""

from __future__ import annotations

import numpy as np
import pytest

from newsdesk.write.extractive import Doc, SelectionWeights, _same_point, candidates, cased, select, similarity

STORY = [
    "Velora Systems will cut 1,800 jobs at its Tallin plant, chief executive Mara Ilves said on Monday, as orders slump. "
    "The company blamed weaker demand for its chips from carmakers in Europe.",
    "Chip maker Velora Systems is to shed 1,800 jobs in Tallin after orders slumped, Mara Ilves told staff on Monday. "
    "Unions at the Tallin plant said they would fight the cuts and called a meeting for Friday.",
    "Velora Systems plans 1,800 job cuts at the Tallin plant as chip orders slump, Mara Ilves said on Monday. "
    # About another event: names and a figure no other outlet gives, nothing like the story's core.
    "Separately, Quorra Motors founder Ivo Danner said 600 staff would leave the Brightwater works in spring.",
]
OFF_STORY = "Separately, Quorra Motors founder Ivo Danner said 600 staff would leave the Brightwater works in spring."


def _docs(texts: list[str]) -> list[Doc]:
    return [Doc(n, f"Outlet {n}", t, publisher=f"o{n}.example") for n, t in enumerate(texts)]


def test_a_sentence_about_another_event_is_left_out_where_names_tell_it():
    from dataclasses import replace

    from newsdesk.write.extractive import SelectionWeights

    chosen = [c.text for c in select(_docs(STORY), 400)]
    assert any("1,800" in t for t in chosen)
    assert OFF_STORY not in chosen
    # Without the on-story rules the budget has room for it: the rule is what leaves it out.
    assert OFF_STORY in [c.text for c in select(_docs(STORY), 400, replace(SelectionWeights(), on_story=False))]


def test_lower_cased_text_gives_no_name_evidence_so_the_off_story_rule_does_not_judge_it():
    # An archive's lower-cased copy: "quorra motors" reads like any other words, so the sentence
    # would be judged on its figure alone ("600" no other outlet gives): it is not judged.
    lowered = [t.lower() for t in STORY]
    assert not any(cased(t) for t in lowered) and all(cased(t) for t in STORY)
    chosen = [c.text for c in select(_docs(lowered), 400)]
    assert OFF_STORY.lower() in chosen


def test_an_unknown_word_is_a_typo_only_in_text_that_writes_names_with_capitals():
    cased_story = [
        "Velora Systems annouced on Monday that it will cut 1,800 jobs at the Tallin plant, Mara Ilves said.",
        "Velora Systems said on Monday it will cut 1,800 jobs at its Tallin plant, Mara Ilves told staff.",
    ]
    flagged = {c.text: c.misspelt for c in candidates(_docs(cased_story))}
    assert flagged[cased_story[0]] and not flagged[cased_story[1]]
    # Lower-cased, a surname only one outlet gives ("baio") is as unknown as a typo: not judged.
    lowered = [
        "actor scott baio said on monday that he had called the police after the argument at the restaurant.",
        "the actor said on monday that he had called the police after an argument at a restaurant in town.",
    ]
    assert not any(c.misspelt for c in candidates(_docs(lowered)))


def test_a_counting_word_shared_does_not_make_two_sentences_one_point():
    texts = [
        "One of the pilots paid for the family's flight to the funeral in Memphis on Saturday.",
        "The airline said one of its crews had been told about the funeral before the flight left Phoenix.",
        "The airline said 1,800 passengers had been told about the delay before the flight left Phoenix.",
        "Officials said 1,800 passengers were rebooked after the storm closed the airport in Phoenix.",
    ]
    pool = candidates(_docs(texts))
    S = similarity([c.text for c in pool])
    assert S is not None
    for row, c in enumerate(pool):
        c.vector_row = row
    a, b, c, d = pool
    assert 0.0 < S[0, 1] < 0.35 and 0.15 <= S[2, 3] < 0.35  # alike, not alike enough to repeat
    assert not _same_point(a, b, S, 0.35)  # "one of the pilots" / "one of its crews": no shared fact
    assert _same_point(c, d, S, 0.35)  # the same 1,800 passengers in similar words


@pytest.mark.parametrize("dense_cells", [10**9, 0], ids=["dense", "sparse"])
def test_similarity_is_scikit_learns_tfidf_cosine(dense_cells, monkeypatch):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from newsdesk.write import extractive

    monkeypatch.setattr(extractive, "_DENSE_CELLS", dense_cells)  # both ways of computing it

    texts = [c for t in STORY for c in t.split(". ")] + ["The the and of it.", "Tallin, Tallin and Tallin again!"]
    X = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)
    got = similarity(texts)
    assert got is not None
    assert np.allclose(got, (X @ X.T).toarray(), atol=1e-12)
    assert similarity(["the and of", "it is"]) is None  # stop words only: nothing to compare


@pytest.mark.parametrize("text", ["", "a b c"])
def test_similarity_without_content_words_is_none(text):
    assert similarity([text]) is None


def _closure(company: str, boss: str, town: str, product: str, jobs: int, day: str, words: tuple[str, ...]) -> str:
    lead, verb, reason = words
    return (
        f"{company} {verb} its {product} plant in {town}, putting {jobs:,} jobs at risk, the company said on {day}. "
        f"Chief executive {boss} said the {lead} followed a review of the {product} business and weak demand. "
        f'"We did not take this lightly," {boss.split()[1]} said, adding that {reason}. '
        f"Union leaders in {town} said they would fight the {lead} and called on {company} to reconsider. "
        f"The {town} site opened in 1998 and is the largest employer in the area."
    )


_VELORA = _closure("Velora", "Ada Roe", "Harbour City", "Lumen", 1800, "Tuesday", ("closure", "will close", "costs had doubled"))
# Another closure, told by another outlet in its own words: the same kind of event, other actors.
_CORVANE = (
    "Corvane confirmed on Friday that its Tessel factory in Marsh Bay will shut by March, with 950 workers to go. "
    "Ivo Brandt, who runs the firm, blamed cheaper imports and a lost contract with the navy. "
    "Marsh Bay's mayor, Lena Ostrom, said the town would seek a buyer for the site. "
    "Corvane shares rose 4% after the announcement, as investors welcomed lower costs."
)


_QUILLON = (
    "Quillon Foods said on Monday it would end production at its Orrin Falls bakery in June, cutting 420 jobs. "
    "Managing director Priya Nandakumar said the Ember biscuit line had lost money for three years. "
    "The Orrin Falls council leader, Tom Hale, called the decision a blow to the valley. "
    "Quillon will move the work to its larger site in Westmarch, the company said."
)


def test_a_report_of_another_event_of_the_kind_gives_no_sentence():
    from newsdesk.write.extractive import _other_event_docs, outlier_docs

    same = [
        _closure("Velora", "Ada Roe", "Harbour City", "Lumen", 1800, "Tuesday", ("closure", "will close", "costs had doubled")),
        _closure("Velora", "Ada Roe", "Harbour City", "Lumen", 1800, "Tuesday", ("decision", "is closing", "energy costs rose")),
        _closure("Velora", "Ada Roe", "Harbour City", "Lumen", 1800, "Tuesday", ("shutdown", "plans to shut", "orders fell")),
    ]
    # Another closure, told by another outlet in its own words: the same kind of event, other actors.
    other = _CORVANE
    docs = [Doc(k, f"Outlet {k}", t, publisher=f"outlet{k}.example") for k, t in enumerate([*same, other])]
    assert _other_event_docs(docs, set()) == {3}
    assert 3 in outlier_docs(docs, SelectionWeights().outlier_ratio)
    chosen = select(docs, 300)
    assert chosen and all(c.doc.key != 3 for c in chosen)
    # The same event told by a fourth outlet in other words keeps its actors, and stays.
    explainer = (
        "Why Velora is leaving Harbour City: Ada Roe has spent a year cutting costs at the Lumen maker. "
        "Harbour City officials had offered Velora tax breaks to stay, Roe said in an interview."
    )
    docs = [Doc(k, f"Outlet {k}", t, publisher=f"outlet{k}.example") for k, t in enumerate([*same, explainer])]
    assert _other_event_docs(docs, set()) == set()
    # Two outlets only: which of them is the story cannot be told, so nothing is set apart.
    docs = [Doc(k, f"Outlet {k}", t, publisher=f"outlet{k}.example") for k, t in enumerate([same[0], other])]
    assert _other_event_docs(docs, set()) == set()


# An essay that writes capitals but names almost nobody: the kind of page (an essay, a study's
# abstract, a share form) clustering can found a story with.
_NAMELESS_ESSAY = (
    "Every town that loses a large employer goes through the same stages. First comes disbelief, then a "
    "scramble for a buyer, then the slow work of retraining people whose skills were built for one plant. "
    "Economists in Europe and Japan who study these closures say the first two years decide whether a place "
    "recovers. Where schools and councils move quickly, most workers find new jobs within a year; where they "
    "wait, many leave for good and the shops on the high street follow them."
)


def test_a_long_page_that_names_nobody_is_evidence_that_another_outlet_s_report_is_another_event():
    """The first report's names decide which event a two-outlet story is. A long page that writes
    capitals and names nobody shares no actors with a report of a factory closure elsewhere: that
    report is set apart (before, "no names" counted as "no evidence", and its event took over the
    story). A feed's short summary without names still gives no evidence: both stay."""
    from newsdesk.write.extractive import outlier_docs

    other = Doc(1, "Outlet B", _CORVANE, publisher="b.example")
    assert outlier_docs([Doc(0, "Outlet A", _NAMELESS_ESSAY, publisher="a.example"), other], 0.7) == {1}
    summary = " ".join(_NAMELESS_ESSAY.split()[:30])
    assert outlier_docs([Doc(0, "Outlet A", summary, publisher="a.example"), other], 0.7) == set()
    # Lower-cased, the same page gives no evidence either.
    assert outlier_docs([Doc(0, "Outlet A", _NAMELESS_ESSAY.lower(), publisher="a.example"), other], 0.7) == set()


def test_of_two_outlets_reporting_two_events_of_one_kind_the_story_keeps_its_first_report(monkeypatch):
    from datetime import UTC, datetime, timedelta

    from newsdesk.config import WriteSettings
    from newsdesk.records import Item, Story
    from newsdesk.write.extractive import ExtractiveWriter, outlier_docs

    velora = _VELORA
    other = _CORVANE
    docs = [Doc(0, "Outlet A", velora, publisher="a.example"), Doc(1, "Outlet B", other, publisher="b.example")]
    assert outlier_docs(docs, 0.7) == {1}  # the first document founds the story by default
    assert outlier_docs(docs, 0.7, founding=1) == {0}
    assert {c.doc.key for c in select(docs, 300)} == {0}
    # The same event told by the second outlet in its own words keeps its actors: both stay.
    retold = _closure("Velora", "Ada Roe", "Harbour City", "Lumen", 1800, "Tuesday", ("shutdown", "plans to shut", "orders fell"))
    assert outlier_docs([docs[0], Doc(2, "Outlet C", retold, publisher="c.example")], 0.7) == set()
    # Two reports as alike as reports of one event usually are stay together, strangers' names or not.
    from newsdesk.write import extractive

    with monkeypatch.context() as m:
        m.setattr(extractive, "SECOND_EVENT_LIKENESS", 0.0)
        assert outlier_docs(docs, 0.7) == set()
    # Lower-cased text names no one: no evidence of another event, nothing is set apart.
    assert (
        outlier_docs([Doc(0, "A", velora.lower(), publisher="a.example"), Doc(1, "B", other.lower(), publisher="b.example")], 0.7)
        == set()
    )

    # In the writer the story's first report by time decides, whatever the items' order.
    now = datetime(2026, 11, 24, 12, tzinfo=UTC)
    items = [
        Item(
            1,
            1,
            "g-1",
            "https://b.example/1",
            "https://b.example/1",
            "Outlet B",
            "Corvane to shut Tessel factory",
            other,
            now,
            now,
        ),
        Item(
            2,
            2,
            "g-2",
            "https://a.example/2",
            "https://a.example/2",
            "Outlet A",
            "Velora to close Lumen plant",
            velora,
            now - timedelta(hours=3),
            now,
        ),
    ]
    article = ExtractiveWriter(WriteSettings()).write(
        Story(1, "open", "Velora to close Lumen plant", now, now, 5.0, "major", None, items)
    )
    assert article is not None
    text = " ".join(s.text for s in article.sentences())
    assert "Velora" in text and "Corvane" not in text and "Marsh Bay" not in text


def test_where_no_two_of_three_outlets_share_an_event_the_story_keeps_its_first_report():
    from newsdesk.write.extractive import _other_event_docs, outlier_docs

    velora = _VELORA
    corvane = _CORVANE
    quillon = _QUILLON
    docs = [Doc(k, f"Outlet {k}", t, publisher=f"o{k}.example") for k, t in enumerate([velora, corvane, quillon])]
    # Three events of one kind, no two outlets share one: the first report's event is the story's.
    assert _other_event_docs(docs, set(), founding=0) == {1, 2}
    assert _other_event_docs(docs, set(), founding=2) == {0, 1}
    # (The likeness rule, run first, already sets apart the report least like the others; then
    # two outlets are left, and of two the likeness rule's survivors both stay: not compounded.)
    assert outlier_docs(docs, 0.7) == {1}
    # Where two outlets share the event, that majority decides, whichever report came first.
    retold = _closure("Velora", "Ada Roe", "Harbour City", "Lumen", 1800, "Tuesday", ("shutdown", "plans to shut", "orders fell"))
    docs = [*docs[:2], Doc(3, "Outlet 3", retold, publisher="o3.example")]
    assert outlier_docs(docs, 0.7, founding=1) == {1}


def test_a_first_report_with_nothing_to_quote_does_not_decide_the_story_s_event():
    """A story founded by a torn-off fragment (a post's tail in the first person: nothing the
    writer may quote) had every other outlet's report set apart as strangers to it, and so no
    article at all. The first report that has a sentence to quote decides instead."""
    from newsdesk.write.extractive import _other_event_docs

    fragment = (
        "...down to Port Anselm two nights running around Midsummer with Orla Pike and Bram Tully, "
        "and insisted on coming with me. I said no! She cried."
    )
    first = Doc(0, "Outlet 0", fragment, publisher="o0.example")
    assert candidates([first]) == []
    reports = [Doc(k, f"Outlet {k}", t, publisher=f"o{k}.example") for k, t in enumerate([_VELORA, _CORVANE, _QUILLON], 1)]
    docs = [first, *reports]
    assert _other_event_docs(docs, set(), founding=0) == {0, 2, 3}
    assert {c.doc.key for c in select(docs, 300, SelectionWeights())} == {1}
    # A first report that has something to quote still decides, as before.
    assert _other_event_docs(reports, set(), founding=2) == {1, 3}


def test_the_likeness_rule_never_sets_apart_the_story_s_first_report():
    """Of three reports, the least like the others was set apart even when it was the first,
    the one whose title the story carries: the article then told another event than its
    headline. The first report's event is the story's; the rest are judged against it."""
    from newsdesk.write.extractive import outlier_docs

    docs = [Doc(k, f"Outlet {k}", t, publisher=f"o{k}.example") for k, t in enumerate([_VELORA, _CORVANE, _QUILLON])]
    assert outlier_docs(docs, 0.7, founding=0) == {1}  # the least like the others, and not the first
    assert outlier_docs(docs, 0.7, founding=1) == {0, 2}  # first now: it stays, strangers to it go


def test_a_site_s_furniture_does_not_make_two_events_alike():
    """Two pages of one site carry the same sign-up box, credits and notices: left in, those
    words made a report of another event look closer to the story than a real report of it."""
    from newsdesk.write.extractive import _report_text

    furniture = (
        "Sign up for the Harbour Post newsletter, delivered weekday mornings.\n"
        "Image copyright Harbour Post Photo Desk\nAdvertisement\nContinue reading the main story\n"
        "Thank you for your interest in sharing this Harbour Post article."
    )
    velora = Doc(0, "Outlet 0", f"{_VELORA}\n{furniture}", publisher="post.example")
    corvane = Doc(1, "Outlet 1", f"{furniture}\n{_CORVANE}", publisher="post.example")
    raw = similarity([f"{d.title}\n{d.text}" for d in (velora, corvane)])
    cleaned = similarity([_report_text(d) for d in (velora, corvane)])
    bare = similarity([_VELORA, _CORVANE])
    assert raw is not None and cleaned is not None and bare is not None
    assert raw[0, 1] > bare[0, 1] + 0.05  # the premise: furniture alone makes them alike
    assert cleaned[0, 1] == pytest.approx(bare[0, 1], abs=1e-9)


def test_the_fitted_weights_cover_every_feature_and_rank_what_the_outlets_share_first():
    from newsdesk.write.extractive import HAND_WEIGHTS, SELECTION_FEATURES, selection_features, story_pool

    assert set(HAND_WEIGHTS) == set(SELECTION_FEATURES)
    assert all(isinstance(getattr(SelectionWeights(), name), float) for name in SELECTION_FEATURES)
    docs, pool, S = story_pool(_docs(STORY), SelectionWeights())
    features = selection_features(pool, docs, S)
    assert features.shape == (len(pool), len(SELECTION_FEATURES))
    spread = features[:, SELECTION_FEATURES.index("spread")]
    by_text = {c.text: row for row, c in enumerate(pool)}
    shared = by_text[next(t for t in by_text if t.startswith("Velora Systems will cut"))]
    own = by_text[next(t for t in by_text if t.startswith("Unions at the Tallin plant"))]
    assert spread[shared] > spread[own]  # its words are in every report; the other's in one
    # The budget fits one sentence: the one every outlet tells, not one outlet's aside.
    (chosen,) = select(_docs(STORY), 25)
    assert "1,800" in chosen.text


def test_the_dek_states_the_news_even_where_a_quote_scores_a_little_higher():
    from datetime import UTC, datetime

    from newsdesk.config import WriteSettings
    from newsdesk.records import Item, Story
    from newsdesk.write.extractive import DEK_STATEMENT_SHARE, ExtractiveWriter, kind_of

    now = datetime(2026, 11, 24, 12, tzinfo=UTC)
    news = "Velora Systems will cut 1,800 jobs at its Tallin plant after orders for its chips slumped."
    quote = "\u201cWe have no other choice,\u201d chief executive Mara Ilves told the staff of Velora Systems on Monday."
    endings = [
        "Unions called a meeting for Friday.",
        "The union said it would fight the cuts.",
        "Workers walked out for an hour.",
    ]
    texts = [f"{news} {quote} {endings[0]}", f"{news} {quote} {endings[1]}", f"{quote} {news} {endings[2]}"]
    # The premise: the quote, in every report word for word, scores best, the news nearly as well.
    top, second, *_ = select(_docs(texts), 400)
    assert kind_of(top) == "quote" and second.text == news
    assert DEK_STATEMENT_SHARE * top.score <= second.score < top.score
    items = [
        Item(n, n, f"g-{n}", f"https://o{n}.example/a", f"https://o{n}.example/a", f"Outlet {n}", "Velora cuts jobs", t, now, now)
        for n, t in enumerate(texts, start=1)
    ]
    article = ExtractiveWriter(WriteSettings()).write(Story(1, "open", "Velora", now, now, 5.0, "major", None, items))
    assert article is not None
    assert article.dek.text == news


def test_the_article_opens_on_a_sentence_that_stands_alone(monkeypatch):
    """A dek is read before anything else: a quote, a pronoun with nobody named, a caption or
    a question cannot open the article. Where every chosen sentence is one, a statement the
    selection left out (scoring at least half the best) leads instead."""
    from datetime import UTC, datetime

    from newsdesk.config import WriteSettings
    from newsdesk.records import Item, Story
    from newsdesk.text.quality import lead_problems
    from newsdesk.write import extractive

    assert lead_problems("\u201cWe have no other choice,\u201d chief executive Mara Ilves told the staff on Monday.")
    assert lead_problems("On Monday, she told the staff of Velora Systems that chip orders had slumped badly.")
    assert lead_problems("Mara Ilves (2nd L) and Ivo Danner (R) walk through the Tallin plant on Monday morning.")
    assert lead_problems("Workers leave the Tallin plant after the last shift, in Tallin, Estonia, Monday, Nov. 23, 2026.")
    assert lead_problems("What happens to the Tallin plant and its 1,800 workers once the orders have gone?")
    assert lead_problems("The operator caught this error and deleted it.")  # short, and "this error" points back
    # A column's voice, addressing the reader: not the news.
    assert "address" in lead_problems("Walk up to the gate on your next Calder ferry and you may notice a new queue.")
    assert "address" not in lead_problems(
        "“You cannot run a port like this,” union leader Pavel Oskar told the Calder harbour board on Monday."
    )
    assert not lead_problems("Before she resigned in March, Mara Ilves had promised the Tallin plant would stay open.")
    assert not lead_problems("Velora Systems will close its chip plant in Tallin in March, cutting 1,800 jobs there.")

    now = datetime(2026, 11, 24, 12, tzinfo=UTC)
    quote = "\u201cWe have no other choice,\u201d chief executive Mara Ilves told the staff of Velora Systems on Monday."
    pronoun = "On Monday, she told the staff of Velora Systems that chip orders had slumped at the Tallin plant."
    news = "Velora Systems will close its chip plant in Tallin in March, and 1,800 staff will lose their jobs there."
    ends = ["Unions called a meeting for Friday.", "The union said it would fight the cuts.", "Workers walked out for an hour."]
    texts = [f"{quote} {news} {pronoun} {ends[0]}", f"{quote} {news} {ends[1]}", f"{pronoun} {quote} {ends[2]}"]
    items = [
        Item(n, n, f"g-{n}", f"https://o{n}.example/a", f"https://o{n}.example/a", f"Outlet {n}", "Velora cuts jobs", t, now, now)
        for n, t in enumerate(texts, start=1)
    ]
    story = Story(1, "open", "Velora", now, now, 5.0, "major", None, items)

    def write():
        writer = extractive.ExtractiveWriter(WriteSettings())
        monkeypatch.setattr(writer, "budget_for", lambda story, originals: 30)  # room for the quote only
        article = writer.write(story)
        assert article is not None
        return article

    article = write()
    assert article.dek.text == news
    assert article.dek.citations and all(c.item_id in (1, 2) for c in article.dek.citations)
    # The premise: the selection alone leads with the quote.
    monkeypatch.setattr(extractive, "lead_problems", lambda text: [])
    assert write().dek.text == quote


def test_a_surname_met_alone_is_one_a_person_was_given_in_full():
    from newsdesk.write.extractive import Candidate, _meets_someone_by_surname

    def sentence(text: str) -> Candidate:
        return Candidate(Doc(1, "Outlet", text), 0, len(text), 0)

    full = sentence("Chief executive Mara Ilves said the Tallin plant would close in March.")
    assert _meets_someone_by_surname(sentence("Ilves told the staff on Monday."), [full])
    assert not _meets_someone_by_surname(sentence("Mara Ilves told the staff on Monday."), [full])
    # "The Pentagon's" is no one's full name, so "Pentagon's" alone meets nobody.
    assert not _meets_someone_by_surname(
        sentence("Pentagon's spokesman denied it."), [sentence("The Pentagon's account retweeted it.")]
    )
    # A title before a name, or a place, is no given name: "President Ilves" meets nobody.
    titled = sentence("President Ilves opened the new Tallin plant in 2019.")
    assert not _meets_someone_by_surname(sentence("Ilves County voted on Monday."), [sentence("The Harford County board met.")])
    assert not _meets_someone_by_surname(sentence("President Mara Ilves visited the plant."), [titled])


def test_pages_that_are_only_furniture_have_no_say_in_the_story(monkeypatch):
    """Two tweet embeds' identical notices outvoted the one real report on which event the story
    is: the report was set apart and nothing was left to write. A page with fewer words than a
    quotable sentence once its furniture is gone reports nothing and has no vote."""
    from datetime import UTC, datetime

    from newsdesk.config import WriteSettings
    from newsdesk.records import Item, Story
    from newsdesk.write import extractive

    notice = (
        "Tweet with a location\n\nYou can add location information to your Tweets, such as your city or precise "
        "location, from the web and via third-party applications. You always have the option to delete your Tweet "
        "location history. Learn more"
    )
    assert not extractive._reports_something(notice)
    assert extractive._reports_something("Quillpad 2.1 adds offline sync for phones.")  # a brief report counts
    now = datetime(2026, 11, 24, 12, tzinfo=UTC)
    texts = [STORY[0], notice, notice]
    items = [
        Item(n, n, f"g-{n}", f"https://o{n}.example/a", f"https://o{n}.example/a", f"Outlet {n}", "", t, now, now)
        for n, t in enumerate(texts, start=1)
    ]
    story = Story(1, "open", "Velora", now, now, 5.0, "standard", None, items)
    article = extractive.ExtractiveWriter(WriteSettings()).write(story)
    assert article is not None and "1,800 jobs" in article.dek.text
    assert {c.item_id for s in article.sentences() for c in s.citations} == {1}
    # The same where the selection is called alone (as the benches do), the notices first.
    docs = [Doc(k, f"Outlet {k}", t, publisher=f"o{k}.example") for k, t in enumerate([notice, notice, STORY[0]])]
    assert {c.doc.key for c in select(docs, 300)} == {2}
    # The premise: counted as reports, the two notices outvote the report and nothing is written.
    monkeypatch.setattr(extractive, "_reports_something", lambda text: bool(text.strip()))
    assert extractive.ExtractiveWriter(WriteSettings()).write(story) is None
    assert select(docs, 300) == []


def test_in_text_with_capitals_a_sentence_begun_in_lower_case_is_not_quoted():
    """A memo reproduced as a PDF's lines gave sentences that began mid-sentence ("essential part
    of the application."); where a text writes capitals, such a piece is never quoted. Lower-cased
    text (every sentence so) and a brand that begins in lower case ("iPhone") still are."""
    text = (
        "The Calder Harbour Board published the pier memo on Friday after a vote of its members.\n"
        "essential part of the pier application that the board approved in March.\n"
        "iPhone owners in Calder can now pay the pier toll with their phones, the board said."
    )
    quoted = {c.text for c in candidates([Doc(0, "Outlet 0", text)])}
    assert "essential part of the pier application that the board approved in March." not in quoted
    assert any(t.startswith("The Calder Harbour Board published") for t in quoted)
    assert any(t.startswith("iPhone owners") for t in quoted)
    lower = text.lower()
    assert len(candidates([Doc(0, "Outlet 0", lower)])) == 3


def test_a_quote_near_a_report_s_start_is_what_someone_said_not_what_happened():
    """The first two sentences of a report open the article's "What happened"; a quotation among
    them was published there, under a heading that says what happened, not who said what."""
    from datetime import UTC, datetime

    from newsdesk.config import WriteSettings
    from newsdesk.records import Item, Story
    from newsdesk.write.extractive import ExtractiveWriter

    now = datetime(2026, 11, 24, 12, tzinfo=UTC)
    texts = [
        "Velora Systems will cut 1,800 jobs at its Tallin plant after orders for its chips slumped. "
        "\u201cWe have no other choice,\u201d chief executive Mara Ilves told staff on Monday. "
        "Unions at the Tallin plant called a meeting for Friday.",
        "Chip maker Velora Systems is to shed 1,800 jobs in Tallin as orders slump. "
        "\u201cThis is the hardest day in our history,\u201d Mara Ilves said in a memo to staff. "
        "The union said it would fight the cuts at the Tallin plant.",
        "Velora Systems plans 1,800 job cuts at the Tallin plant, the company said on Monday. "
        "\u201cNobody on the line heard about this before the memo,\u201d said union leader Pavel Oskar. "
        "Workers at the Tallin plant walked out for an hour on Monday afternoon.",
    ]
    items = [
        Item(n, n, f"g-{n}", f"https://o{n}.example/a", f"https://o{n}.example/a", f"Outlet {n}", "", t, now, now)
        for n, t in enumerate(texts, start=1)
    ]
    article = ExtractiveWriter(WriteSettings()).write(Story(1, "open", "Velora", now, now, 5.0, "standard", None, items))
    assert article is not None
    quotes_in_lead = [
        s.text
        for section in article.sections
        if section.heading.lower().endswith("what happened")
        for para in section.paragraphs
        for s in para
        if "\u201c" in s.text and ("said" in s.text or "told" in s.text)
    ]
    assert quotes_in_lead == [], quotes_in_lead
    said = [
        s.text for section in article.sections if "said" in section.heading.lower() for para in section.paragraphs for s in para
    ]
    assert said, [section.heading for section in article.sections]


FOLLOW_ON_STORY = [
    "Norland's harbour board will close the old ferry pier on June 4 after divers found cracks in its piles, "
    "harbour master Jonas Brekke said on Tuesday. "
    "He said the repairs would take at least eight months. "
    "The board will run a shuttle bus to the north quay until then.",
    "The old ferry pier in Norland will shut on June 4 because its piles are cracked, harbour master Jonas Brekke "
    "told the harbour board on Tuesday. "
    "Ferries will use the north quay from that day, the board said.",
]


def test_a_sentence_that_reads_only_after_the_one_before_it_is_quoted_with_it():
    from dataclasses import replace

    chosen = select(_docs(FOLLOW_ON_STORY), 400)
    joined = [c for c in chosen if c.follow_on is not None]
    assert [c.text for c in joined] == [
        "Norland's harbour board will close the old ferry pier on June 4 after divers found cracks in its piles, "
        "harbour master Jonas Brekke said on Tuesday. "
        "He said the repairs would take at least eight months."
    ]
    assert joined[0].first_sentence.endswith("said on Tuesday.")
    # "He said …" alone is never quoted: without follow-ons it is not published at all.
    alone = select(_docs(FOLLOW_ON_STORY), 400, replace(SelectionWeights(), follow_ons=False))
    assert not any("eight months" in c.text for c in alone)
    # The follow-on is taken as soon as its sentence is chosen, so in the budget of the selection
    # without follow-ons it takes words before the lowest-scored sentence can.
    same_budget = select(_docs(FOLLOW_ON_STORY), sum(c.words for c in alone))
    assert any("eight months" in c.text for c in same_budget)
    assert not any(c.text.startswith("The board will run") for c in same_budget)
    # The budget counts the follow-on: with no room for it the sentence stands alone.
    top = alone[0]
    assert top.text.startswith("Norland's harbour board")
    tight = select(_docs(FOLLOW_ON_STORY), joined[0].words - 1)
    assert [c.text for c in tight] == [top.text]


def test_a_follow_on_that_repeats_a_chosen_sentence_or_speaks_in_the_first_person_is_left_out():
    story = [
        "The Calder council voted on Monday to build a new footbridge over the Wend river, mayor Ilse Brandt said. "
        "It will cost 4 million euros and open in the spring of 2028. "
        "We think it will change the town, the council wrote on its site.",
        "The new footbridge over the Wend river in Calder will cost 4 million euros and open in the spring of 2028, "
        "the council said after its vote on Monday.",
    ]
    chosen = select(_docs(story), 400)
    assert all(c.follow_on is None for c in chosen)
    assert not any(c.text.startswith("It will cost") or "We think" in c.text for c in chosen)


def test_a_quotation_that_goes_on_follows_its_attributed_start():
    story = [
        "\u201cThe pier is not safe for ferries any more,\u201d harbour master Jonas Brekke told the board in Norland on Tuesday. "
        "\u201cThe divers found cracks in nine of the forty piles, and the tide is widening them every month.\u201d",
        "Norland's old ferry pier will close on June 4 after divers found cracked piles, the harbour board said on Tuesday.",
    ]
    chosen = select(_docs(story), 400)
    quote = next(c for c in chosen if "not safe" in c.text)
    assert quote.follow_on is not None and quote.text.endswith("widening them every month.\u201d")
    # Only after a quotation: a stray quotation after a plain report stays out.
    report_then_quote = [story[1] + " \u201cThe tide is widening them every month.\u201d", story[0].split(" \u201cThe divers")[0]]
    assert not any("widening" in c.text for c in select(_docs(report_then_quote), 400))


def test_a_definite_opening_follows_only_a_sentence_that_names_what_it_points_to():
    from newsdesk.write.extractive import _points_back_to

    before = "Norland's harbour board will close the old ferry pier on June 4, it said in a statement on Tuesday."
    assert _points_back_to("The statement said repairs would take eight months.", before)
    assert not _points_back_to("The incident ended shortly after 9 p.m.", before)
    assert _points_back_to("He said repairs would take eight months.", before)


def test_the_dek_is_one_sentence_even_where_its_next_one_followed_it():
    from datetime import UTC, datetime

    from newsdesk.config import WriteSettings
    from newsdesk.records import Item, Story
    from newsdesk.write.extractive import ExtractiveWriter

    now = datetime(2026, 6, 2, 9, tzinfo=UTC)
    items = [
        Item(
            n + 1, n + 1, f"g-{n}", f"https://o{n}.example/pier", f"https://o{n}.example/pier", f"Outlet {n}", "", text, now, now
        )
        for n, text in enumerate(FOLLOW_ON_STORY)
    ]
    article = ExtractiveWriter(WriteSettings()).write(Story(1, "open", "Norland pier", now, now, 5.0, "standard", None, items))
    assert article is not None and article.dek is not None
    assert article.dek.text.endswith("said on Tuesday."), article.dek.text
    assert "eight months" not in article.dek.text
