"""Sources that disagree are said out loud: the writer finds outlets giving different values for
one measure and adds a frame attributing each; verification rebuilds the frame and checks every
attribution, so a wrong outlet, a wrong figure or edited wording is removed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from newsdesk.config import Settings, VerifySettings, WriteSettings
from newsdesk.records import ArticleSentence, Item, Story
from newsdesk.text.frames import DISAGREEMENT, DISAGREEMENT_HEADING, disagreement_text
from newsdesk.verify import verify_article
from newsdesk.verify.checks import ClaimChecker
from newsdesk.write.extractive import Doc, ExtractiveWriter, disagreements, select_with_pool

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)

NORTH = (
    "Velora Systems said on Tuesday it will cut 1,800 jobs after orders for its memory controllers fell again. "
    "Velora shares fell 6% in early trading. The company will close two assembly lines in Tallin by March."
)
LEDGER = (
    "Velora Systems is laying off 1,800 employees as demand for its memory controllers keeps shrinking. "
    "Shares in Velora closed 9% lower on Tuesday. Two assembly lines in Tallin will shut by the end of March."
)
MERIDIAN = (
    "Velora Systems will eliminate 1,800 positions in Tallin, where the chipmaker is the largest private employer. "
    "Mayor Lidia Farrow said the city would open a jobs centre for affected workers next month. "
    "Velora shares dropped 6% in early trading, analysts at Corvane Research noted."
)


def item(iid: int, text: str, outlet: str, guid: str | None = None) -> Item:
    return Item(
        id=iid,
        source_id=iid,
        guid=guid or f"g-{iid}",
        url=f"https://{iid}.example/a",
        canonical_url=f"https://{iid}.example/a",
        outlet=outlet,
        title="Velora cuts jobs",
        text=text,
        published_at=NOW,
        fetched_at=NOW,
    )


def docs_of(*items: Item) -> list[Doc]:
    return [Doc(i.id, i.outlet, i.text, i.title, i.forum is not None) for i in items]


def found(*items: Item) -> list[list[tuple[str, str]]]:
    chosen, pool, S = select_with_pool(docs_of(*items), 400)
    return [[(c.doc.outlet, figure) for c, figure in d.figures] for d in disagreements(chosen, pool, S)]


def test_outlets_giving_different_figures_for_one_measure_are_found():
    (conflict,) = found(item(1, NORTH, "The Northwire"), item(2, LEDGER, "Harbor Ledger"))
    assert sorted(conflict) == [("Harbor Ledger", "9%"), ("The Northwire", "6%")]


def test_agreement_other_subjects_and_forum_posts_are_no_disagreement():
    assert found(item(1, NORTH, "The Northwire"), item(3, MERIDIAN, "Meridian Daily")) == []  # both say 6%
    one = "Halden Robotics cut 1,600 jobs in the first quarter, the labour office said on Monday."
    two = "Marisco Foods cut 1,100 jobs in the first quarter, the labour office said on Monday."
    assert found(item(1, one, "Granite Post"), item(2, two, "Harbor Ledger")) == []
    forum = item(4, "Velora shares fell 9% in early trading, as far as I can see from my broker.", "Reddit", "reddit:t3_x")
    assert found(item(1, NORTH, "The Northwire"), forum) == []


def story(*items: Item) -> Story:
    return Story(1, "open", "Velora", NOW, NOW, 5.0, "major", None, list(items))


def written():  # type: ignore[no-untyped-def]
    items = [item(1, NORTH, "The Northwire"), item(2, LEDGER, "Harbor Ledger"), item(3, MERIDIAN, "Meridian Daily")]
    article = ExtractiveWriter(WriteSettings()).write(story(*items))
    assert article is not None
    return article, {i.id: i for i in items}


def frame_of(article):  # type: ignore[no-untyped-def]
    (section,) = [s for s in article.sections if s.heading == DISAGREEMENT_HEADING]
    (sentence,) = [s for p in section.paragraphs for s in p]
    return sentence


def test_the_article_says_who_reports_which_figure_and_it_verifies():
    article, items = written()
    frame = frame_of(article)
    assert frame.frame == DISAGREEMENT
    by_outlet = {a.outlet: a.figure for a in frame.attributions}
    assert by_outlet["The Northwire"] == "6%" and by_outlet["Harbor Ledger"] == "9%"
    refs = {r.number: r.outlet for r in article.references}
    assert all(refs[a.ref] == a.outlet for a in frame.attributions)  # each figure cites its own outlet
    assert "6% according to" in frame.text and "9% according to Harbor Ledger" in frame.text
    assert "6%" not in article.dek.text and "9%" not in article.dek.text  # a disputed figure is not the dek
    verification = verify_article(article, items, ClaimChecker.from_settings(VerifySettings()), Settings())
    assert verification.status == "publish" and verification.published is not None
    assert frame_of(verification.published).attributions  # survives renumbering, attributions intact
    kept = frame_of(verification.published)
    published_refs = {r.number: r.outlet for r in verification.published.references}
    assert all(published_refs[a.ref] == a.outlet for a in kept.attributions)


def planted(article, sentence: ArticleSentence):  # type: ignore[no-untyped-def]
    sections = [replace(sec, paragraphs=[[sentence]]) if sec.heading == DISAGREEMENT_HEADING else sec for sec in article.sections]
    return replace(article, sections=sections)


def test_a_wrong_attribution_a_wrong_figure_or_edited_words_are_removed():
    article, items = written()
    frame = frame_of(article)
    a, b = frame.attributions[:2]
    swapped = [replace(a, outlet=b.outlet), replace(b, outlet=a.outlet)]  # figures given to the wrong outlets
    wrong_figure = [replace(a, figure="7%"), b]
    plants = [
        replace(frame, text=disagreement_text(swapped), attributions=swapped),
        replace(frame, text=disagreement_text(wrong_figure), attributions=wrong_figure),
        replace(frame, text=frame.text.replace("according to", "as confirmed by", 1)),
        replace(frame, text=disagreement_text([a, a]), attributions=[a, a]),  # one figure is no disagreement
    ]
    checker = ClaimChecker.from_settings(VerifySettings())
    for plant in plants:
        verification = verify_article(planted(article, plant), items, checker, Settings())
        failed = [c for c in verification.claims if c.verdict == "FAIL"]
        assert [c.text for c in failed] == [plant.text], plant.text
        assert verification.published is not None
        assert all(s.text != plant.text for s in verification.published.sentences())
