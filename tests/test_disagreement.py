"""Sources that disagree are said out loud, and only where they do: the same subject, the same
measure, the same time (or none), different values from independent outlets. The frame names
the measure and the time; verification rebuilds it and checks every attribution, so a wrong
outlet, a wrong figure or edited wording is removed, and a note whose cited sentences measure
something else is never written."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from newsdesk.config import Settings, VerifySettings, WriteSettings
from newsdesk.facts import sentence_facts
from newsdesk.records import ArticleSentence, Item, Story
from newsdesk.text.frames import DISAGREEMENT, DISAGREEMENT_HEADING, disagreement_text
from newsdesk.verify import verify_article
from newsdesk.verify.checks import ClaimChecker
from newsdesk.write.extractive import Candidate, Disagreement, Doc, ExtractiveWriter, disagreements, note_checks, select_with_pool

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)

NORTH = (
    "Velora Systems said on Tuesday it will cut 1,800 jobs after orders for its memory controllers fell again. "
    "Velora shares fell 6% in early trading. The company will close two assembly lines in Tallin by March."
)
LEDGER = (
    "Velora Systems is laying off 2,400 employees as demand for its memory controllers keeps shrinking. "
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
    # The job cuts are disputed; the share falls are not: one is at the open, the other at the close.
    assert sorted(conflict) == [("Harbor Ledger", "2,400"), ("The Northwire", "1,800")]


def test_agreement_other_subjects_and_forum_posts_are_no_disagreement():
    assert found(item(1, NORTH, "The Northwire"), item(3, MERIDIAN, "Meridian Daily")) == []  # both say 1,800 and 6%
    one = "Halden Robotics cut 1,600 jobs in the first quarter, the labour office said on Monday."
    two = "Marisco Foods cut 1,100 jobs in the first quarter, the labour office said on Monday."
    assert found(item(1, one, "Granite Post"), item(2, two, "Harbor Ledger")) == []
    forum = item(4, "Velora Systems cut 2,400 jobs, as far as I can see from my broker.", "Reddit", "reddit:t3_x")
    assert found(item(1, NORTH, "The Northwire"), forum) == []


def test_a_difference_explained_by_time_is_no_dispute():
    opening = "Nvidia shares fell 13% at the open on Monday as investors fled chipmakers."
    closing = "Nvidia shares closed down 17% on Monday as investors fled chipmakers."
    midday = "By midday, Nvidia shares were down 16% as investors fled chipmakers."
    assert found(item(1, opening, "Granite Post"), item(2, closing, "Harbor Ledger"), item(3, midday, "The Northwire")) == []
    earlier = "Microsoft laid off 10,000 workers last year, and this week it said it would cut more jobs."
    now = "Microsoft said it would cut 6,000 jobs this week, after it laid off workers last year."
    assert found(item(1, earlier, "Granite Post"), item(2, now, "Harbor Ledger")) == []


def test_different_measures_are_no_dispute():
    worth = "Nvidia's market value stood at $3 trillion after the selloff in chip stocks on Monday."
    loss = "Nvidia lost $593 billion in market value in the selloff in chip stocks on Monday."
    assert found(item(1, worth, "Granite Post"), item(2, loss, "Harbor Ledger")) == []
    staff = "Microsoft, which employs 228,000 people, said it would cut jobs across its divisions."
    cuts = "Microsoft said it would cut 6,000 jobs across its divisions."
    assert found(item(1, staff, "Granite Post"), item(2, cuts, "Harbor Ledger")) == []


def test_respectively_gives_each_index_its_own_figure():
    both = "The selloff hit the market, with the S&P 500 and Nasdaq 100 declining by 2.3% and 3.6%, respectively, on Monday."
    one = "The selloff hit the market, and the Nasdaq 100 fell 3.6% on Monday."
    assert found(item(1, both, "Granite Post"), item(2, one, "Harbor Ledger")) == []  # Nasdaq: 3.6% both
    other = "The selloff hit the market, and the Nasdaq 100 fell 3.1% on Monday."
    (conflict,) = found(item(1, both, "Granite Post"), item(2, other, "Harbor Ledger"))
    assert sorted(conflict) == [("Granite Post", "3.6%"), ("Harbor Ledger", "3.1%")]


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


def test_the_article_names_the_measure_and_who_reports_which_figure_and_it_verifies():
    article, items = written()
    frame = frame_of(article)
    assert frame.frame == DISAGREEMENT
    by_outlet = {a.outlet: a.figure for a in frame.attributions}
    assert by_outlet["Harbor Ledger"] == "2,400" and "1,800" in by_outlet.values()
    assert frame.text.startswith("Estimates of Velora Systems' job cuts differ: ")
    refs = {r.number: r.outlet for r in article.references}
    assert all(refs[a.ref] == a.outlet for a in frame.attributions)  # each figure cites its own outlet
    assert "2,400 according to Harbor Ledger" in frame.text
    assert "2,400" not in article.dek.text  # a disputed figure is not the dek
    verification = verify_article(article, items, ClaimChecker.from_settings(VerifySettings()), Settings())
    assert verification.status == "publish" and verification.published is not None
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


def _candidate(doc: Doc, sentence: str) -> Candidate:
    start = doc.text.index(sentence)
    return Candidate(doc, start, start + len(sentence), 0)


def test_a_note_across_times_measures_or_entities_does_not_check():
    """A note planted past the finder (times, measures or entities that differ) is refused by
    the check every note goes through before it is written."""
    open_ = item(1, "Nvidia shares fell 13% at the open.", "Granite Post")
    close = item(2, "Nvidia shares closed down 17%.", "Harbor Ledger")
    worth = item(3, "Nvidia's market value stood at $3 trillion.", "The Northwire")
    loss = item(4, "Nvidia lost $593 billion in market value.", "Meridian Daily")
    amd = item(5, "AMD shares fell 17% at the open.", "Meridian Daily")
    items = {i.id: i for i in (open_, close, worth, loss, amd)}

    def note(x: Item, y: Item) -> Disagreement:
        cx, cy = (_candidate(Doc(i.id, i.outlet, i.text), i.text) for i in (x, y))
        fx, fy = sentence_facts(x.text)[0], sentence_facts(y.text)[0]
        return Disagreement([(cx, fx.text), (cy, fy.text)], [fx, fy])

    settings = VerifySettings()
    assert not note_checks(note(open_, close), items, settings)  # across times
    assert not note_checks(note(worth, loss), items, settings)  # across measures
    assert not note_checks(note(open_, amd), items, settings)  # across entities
    same = item(6, "Nvidia shares fell 15% at the open.", "The Northwire")
    items[6] = same
    assert note_checks(note(open_, same), items, settings)  # a true disagreement checks


def test_a_note_on_a_speaker_a_modifier_a_unit_or_a_past_level_does_not_check():
    """Two outlets whose sentences give different figures are no dispute when the figure is not
    firmly the named subject's (the mayor only says it; "Tern" only names the cheerleaders), when
    the measure is only a unit (knots: of what?), or when one side is a level held at some past
    moment ("back then … listed")."""

    def checks(a: str, b: str) -> bool:
        x, y = item(1, a, "Granite Post"), item(2, b, "Harbor Ledger")
        cx, cy = (_candidate(Doc(i.id, i.outlet, i.text), i.text) for i in (x, y))
        fx, fy = sentence_facts(a)[0], sentence_facts(b)[0]
        return note_checks(Disagreement([(cx, fx.text), (cy, fy.text)], [fx, fy]), {1: x, 2: y}, VerifySettings())

    speaker = "Mayor Orla Penn said the flood forced {} residents from their homes."
    assert not checks(speaker.format("4,000"), speaker.format("6,000"))
    modifier = "The Tern cheerleaders won a {} settlement."
    assert not checks(modifier.format("$325,000"), modifier.format("$425,000"))
    unit = "Captain Ilse Moor sailed the ferry at {} knots."
    assert not checks(unit.format("14"), unit.format("18"))
    assert not checks(
        "Back then the magazine listed Ada Brill's net worth at $1.2 billion.", "Ada Brill's net worth is about $2 billion."
    )
    # The same outlets, the figure firmly the company's, now and unqualified: a true dispute.
    assert checks("Ada Brill's net worth is about $1.2 billion.", "Ada Brill's net worth is about $2 billion.")
